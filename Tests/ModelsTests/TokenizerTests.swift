// The tokenizer: transformers' CLIPTokenizer, loaded from our own files, gives our ids
// (Tests/Fixtures/tokenizer_ids.json, made by scripts/make_tokenizer_fixture.py with transformers
// 5.24.0 from Checkpoints/base/tokenizer); the merges are learned as BPE defines them.

import Foundation
import Models
import TestSupport
import ToyWorld
import XCTest

final class TokenizerTests: XCTestCase {
    static let shipped = Fixtures.inRepository("Checkpoints/base/tokenizer")

    func testIdsMatchTransformersCLIPTokenizer() throws {
        let tokenizer = try CLIPTokenizer(folder: Self.shipped)
        let doc =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tokenizer_ids.json")))) as! [String: Any]
        XCTAssertEqual(doc["model_max_length"] as? Int, tokenizer.modelMaxLength)
        let cases = doc["cases"] as! [[String: Any]]
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        for c in cases {
            let text = c["text"] as! String
            XCTAssertEqual(
                tokenizer.encode(text), c["input_ids"] as! [Int], "truncated ids of \(text.debugDescription)")
            XCTAssertEqual(tokenizer([text])[0], c["padded"] as! [Int], "padded ids of \(text.debugDescription)")
        }
    }

    /// transformers 5 saves a tokenizer as tokenizer.json alone (what train_dreambooth.py's output
    /// holds): loaded from Tests/Fixtures/tokenizer-fast (save_pretrained of the shipped tokenizer,
    /// scripts/make_tokenizer_fixture.py), it is the same tokenizer; a broken one names the file.
    func testTokenizerJSONFolderLoadsAsTheSameTokenizer() throws {
        let shipped = try CLIPTokenizer(folder: Self.shipped)
        let fast = try CLIPTokenizer(folder: Fixtures.path("tokenizer-fast"))
        XCTAssertEqual(fast.tokens, shipped.tokens)
        XCTAssertEqual(fast.modelMaxLength, shipped.modelMaxLength)
        XCTAssertEqual(
            fast(["a sks red striped cup in snow", "xqzt"]), shipped(["a sks red striped cup in snow", "xqzt"]))
        let dir = temporaryDirectory("tokenizer-fast")
        try FileManager.default.copyItem(
            atPath: Fixtures.path("tokenizer-fast/tokenizer_config.json"), toPath: dir + "/tokenizer_config.json")
        for broken in [
            "{\"model\": {\"type\": \"Unigram\"}}",
            "{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": [[\"a\"]]}}",
        ] {
            try Data(broken.utf8).write(to: URL(fileURLWithPath: dir + "/tokenizer.json"))
            XCTAssertThrowsError(try CLIPTokenizer(folder: dir)) {
                XCTAssertTrue("\($0)".contains("tokenizer.json"), "\($0)")
            }
        }
    }

    func testWorldWordsAreOneTokenAndRandomStringsSplit() throws {
        let tokenizer = try CLIPTokenizer(folder: Self.shipped)
        var words =
            ObjectClass.allCases.map(\.rawValue) + ColorName.allCases.map(\.rawValue) + Pattern.allCases.map(\.rawValue)
        words += [
            "a", "an", "of", "on", "in", "at", "sketch", "painting", "grass", "sand", "snow", "water", "night", "city",
        ]
        for w in words { XCTAssertEqual(tokenizer.tokenize(w), [w + "</w>"], "\(w) is not one token") }
        XCTAssertGreaterThan(tokenizer.tokenize("xqzt").count, 1)
        XCTAssertGreaterThan(tokenizer.tokenize("qjvkz").count, 2)
        XCTAssertEqual(
            tokenizer.decode(tokenizer.encode("a Red  striped cup, in snow!")), "a red striped cup , in snow !")
    }

    func testSavedFolderLoadsBackTheSame() throws {
        let tokenizer = try CLIPTokenizer(folder: Self.shipped)
        let dir = temporaryDirectory("tokenizer")
        try tokenizer.save(folder: dir)
        for f in CLIPTokenizer.files {
            XCTAssertEqual(
                FileManager.default.contents(atPath: dir + "/" + f),
                FileManager.default.contents(atPath: Self.shipped + "/" + f), f)
        }
        let again = try CLIPTokenizer(folder: dir)
        XCTAssertEqual(again.tokens, tokenizer.tokens)
        // A vocabulary that does not follow the merges is refused, naming the file.
        try Data("{\"a\": 0}".utf8).write(to: URL(fileURLWithPath: dir + "/vocab.json"))
        XCTAssertThrowsError(try CLIPTokenizer(folder: dir)) { XCTAssertTrue("\($0)".contains("vocab.json"), "\($0)") }
    }

    func testBPETrainerLearnsTheMostFrequentPairsFirst() {
        // Sennrich et al.'s example: low ×5, lower ×2, newest ×6, widest ×3. Counted by hand:
        // "e s" 9 and "s t</w>" 9 tie ("e" sorts first); then "es t</w>" 9; "l o" 7; then
        // "e w", "n e" and "w est</w>" tie at 6 ("e w" first); then "ew est</w>" 6 beats "n ew" 6.
        let merges = BPETrainer.train(
            wordCounts: ["low": 5, "lower": 2, "newest": 6, "widest": 3], vocabularySize: 514 + 5)
        XCTAssertEqual(merges.map { $0.0 + " " + $0.1 }, ["e s", "es t</w>", "l o", "e w", "ew est</w>"])
        // Deterministic: ties are broken by the symbols, not hash order.
        XCTAssertEqual(
            BPETrainer.train(wordCounts: ["ab": 1, "cd": 1, "ef": 1], vocabularySize: 515).map { $0.0 + $0.1 },
            ["ab</w>"])
        let t = CLIPTokenizer(merges: merges, modelMaxLength: 8)
        XCTAssertEqual(t.tokenize("lowest"), ["lo", "w", "est</w>"])
        XCTAssertEqual(t.encode("low low low low low low low").count, 8, "cut at model_max_length")
        XCTAssertEqual(t.vocabularySize, 512 + 5 + 2)
    }
}
