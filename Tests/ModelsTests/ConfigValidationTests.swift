// Hostile config values: each one an error naming the file, the key and what is allowed, raised
// before any weight is allocated (the cases issue 13 found crashing or allocating petabytes).

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class ConfigValidationTests: XCTestCase {
    let unetBase = try! String(contentsOfFile: Fixtures.inRepository("Tests/Fixtures/unet-bench.json"), encoding: .utf8)
    let clipBase = try! String(
        contentsOfFile: Fixtures.inRepository("Checkpoints/base/text_encoder/config.json"), encoding: .utf8)

    /// Replaces `"key": <value>` in a JSON text (one line per key, as both files are written).
    func with(_ json: String, _ key: String, _ value: String) -> String {
        let lines = json.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.trimmingCharacters(in: .whitespaces).hasPrefix("\"\(key)\":") else { return String(line) }
            let comma = line.hasSuffix(",") ? "," : ""
            return "  \"\(key)\": \(value)\(comma)"
        }
        return lines.joined(separator: "\n")
    }

    func expectError<T>(
        _ json: String, _ expected: String, read: (String) throws -> T, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let dir = temporaryDirectory("cfg")
        let path = dir + "/config.json"
        try! Data(json.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try read(path), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(path) && "\(e)".contains(expected), "\(e)", file: file, line: line)
        }
    }

    func testHostileUNetValuesAreNamed() {
        let cases: [(String, String, String)] = [
            ("attention_head_dim", "0", "attention_head_dim[0] = 0"), ("norm_num_groups", "0", "norm_num_groups = 0"),
            ("in_channels", "-3", "in_channels = -3"), ("cross_attention_dim", "-1", "cross_attention_dim = -1"),
            ("layers_per_block", "-2", "layers_per_block = -2"),
            ("layers_per_block", "1000000000000", "layers_per_block = 1000000000000"),
            ("block_out_channels", "[1000000000000, 64, 64]", "block_out_channels[0] = 1000000000000"),
            ("norm_eps", "1e400", "norm_eps"), ("sample_size", "0", "sample_size = 0"),
            ("block_out_channels", "[30, 64, 64]", "multiple of norm_num_groups"),
        ]
        for (key, value, expected) in cases {
            expectError(with(unetBase, key, value), expected, read: { try UNetConfig(contentsOf: $0) })
        }
        // No levels at all: the block types no longer match, named before anything indexes them.
        expectError(
            with(with(with(unetBase, "block_out_channels", "[]"), "down_block_types", "[]"), "up_block_types", "[]"),
            "block_out_channels", read: { try UNetConfig(contentsOf: $0) })
        XCTAssertNoThrow(try UNetConfig(contentsOf: Fixtures.inRepository("Tests/Fixtures/unet-bench.json")))
    }

    func testHostileCLIPValuesAreNamed() {
        let cases: [(String, String, String)] = [
            ("num_attention_heads", "0", "num_attention_heads = 0"), ("hidden_size", "-64", "hidden_size = -64"),
            ("num_hidden_layers", "-1", "num_hidden_layers = -1"),
            ("num_hidden_layers", "1000000000000", "num_hidden_layers"),
            ("hidden_size", "66", "multiple of num_attention_heads"), ("vocab_size", "100", "bos_token_id = 8190"),
            ("max_position_embeddings", "0", "max_position_embeddings = 0"), ("layer_norm_eps", "0", "layer_norm_eps"),
        ]
        for (key, value, expected) in cases {
            expectError(with(clipBase, key, value), expected, read: { try CLIPTextConfig(contentsOf: $0) })
        }
        // The transformers release that wrote a config is metadata: a text encoder saved by a newer one
        // (train_dreambooth.py's output under transformers 5.25.0) loads.
        let dir = temporaryDirectory("cfgVersion")
        try! Data(with(clipBase, "transformers_version", "\"5.25.0\"").utf8)
            .write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertNoThrow(try CLIPTextConfig(contentsOf: dir + "/config.json"))
    }

    func testAConfigMadeInCodeIsCheckedToo() {
        // save(folder:) runs this before writing config.json, so an infinite norm_eps is never written as JSON.
        var c = UNetConfig()
        c.normEps = .infinity
        XCTAssertThrowsError(try c.validate(file: "x/config.json")) {
            XCTAssertTrue("\($0)".contains("norm_eps"), "\($0)")
        }
        var t = CLIPTextConfig()
        t.heads = 0
        XCTAssertThrowsError(try t.validate(file: "x/config.json")) {
            XCTAssertTrue("\($0)".contains("num_attention_heads = 0"), "\($0)")
        }
    }
}
