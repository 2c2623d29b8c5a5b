// CLIP's tokenizer (transformers' CLIPTokenizer, models/clip/tokenization_clip.py): byte-level
// byte-pair encoding with CLIP's pre-tokenization.
//
//   text → normalise (NFC, whitespace runs to one space, lowercase)
//        → pieces by CLIP's pattern  <|startoftext|> | <|endoftext|> | 's|'t|'re|'ve|'m|'ll|'d
//                                    | letters+ | one digit | (not space, letter or digit)+
//        → each piece's UTF-8 bytes as printable characters (GPT-2's byte↔unicode table)
//        → BPE: the piece's characters, the last marked "</w>" (end of word), merged pairwise
//          in the order the merges were learned (lowest rank first)
//        → ids: <|startoftext|> + tokens + <|endoftext|>, cut at model_max_length, padded
//
// The vocabulary is laid out as CLIP's: 256 byte characters, the same 256 with "</w>", one token
// per merge, then <|startoftext|> and <|endoftext|>. Saved as vocab.json, merges.txt,
// tokenizer_config.json and special_tokens_map.json, so transformers loads the folder.

import Foundation
import TensorCore

public final class CLIPTokenizer: @unchecked Sendable {
    public static let startOfText = "<|startoftext|>", endOfText = "<|endoftext|>"

    /// Token → id and id → token.
    public let vocabulary: [String: Int]
    public let tokens: [String]
    /// The learned merges in order; a pair's rank is its index.
    public let merges: [(String, String)]
    let ranks: [String: Int]
    /// Longest id sequence (with the two special tokens); longer texts are cut.
    public let modelMaxLength: Int
    public var bosTokenId: Int { vocabulary[Self.startOfText]! }
    public var eosTokenId: Int { vocabulary[Self.endOfText]! }
    /// Padding uses <|endoftext|>, as Stable Diffusion's tokenizer does.
    public var padTokenId: Int { eosTokenId }
    public var vocabularySize: Int { tokens.count }

    /// A tokenizer from its merges: the vocabulary is CLIP's layout built from them.
    public init(merges: [(String, String)], modelMaxLength: Int) {
        var list = ByteLevel.alphabet
        list += ByteLevel.alphabet.map { $0 + "</w>" }
        list += merges.map { $0.0 + $0.1 }
        list += [Self.startOfText, Self.endOfText]
        self.tokens = list
        self.merges = merges
        var vocab: [String: Int] = [:]
        for (i, t) in list.enumerated() where vocab[t] == nil { vocab[t] = i }
        vocabulary = vocab
        ranks = Dictionary(
            merges.enumerated().map { ($0.element.0 + " " + $0.element.1, $0.offset) }, uniquingKeysWith: { a, _ in a })
        self.modelMaxLength = modelMaxLength
    }

    // MARK: - Encoding

    /// The BPE tokens of a text, without special tokens ("a red cup" → ["a</w>", "red</w>", "cup</w>"]).
    public func tokenize(_ text: String) -> [String] {
        Self.preTokenize(Self.clean(text)).flatMap { piece -> [String] in
            if piece == Self.startOfText || piece == Self.endOfText { return [piece] }
            return bpe(ByteLevel.encode(piece))
        }
    }

    /// Ids as transformers' `tokenizer(text, truncation=True).input_ids` gives them: start, tokens
    /// (cut so the whole fits in model_max_length), end.
    public func encode(_ text: String, truncation: Bool = true) -> [Int] {
        var ids = tokenize(text).map { vocabulary[$0] ?? eosTokenId }  // unknown → <|endoftext|> (CLIP's unk)
        if truncation && ids.count > modelMaxLength - 2 { ids = Array(ids.prefix(modelMaxLength - 2)) }
        return [bosTokenId] + ids + [eosTokenId]
    }

    /// `tokenizer(texts, padding="max_length", truncation=True).input_ids`: every row model_max_length long.
    public func callAsFunction(_ texts: [String]) -> [[Int]] {
        texts.map { t in
            let ids = encode(t)
            return ids + [Int](repeating: padTokenId, count: modelMaxLength - ids.count)
        }
    }

    /// Text from ids (special tokens dropped, "</w>" read as a space).
    public func decode(_ ids: [Int]) -> String {
        let text = ids.compactMap { id -> String? in
            guard id >= 0 && id < tokens.count, id != bosTokenId, id != eosTokenId else { return nil }
            return tokens[id]
        }.joined()
        return ByteLevel.decode(text.replacingOccurrences(of: "</w>", with: " ")).trimmingCharacters(in: .whitespaces)
    }

    /// Byte-pair encoding of one piece (already in byte characters): merge the lowest-ranked
    /// adjacent pair, everywhere it occurs left to right, until no adjacent pair is a merge.
    func bpe(_ piece: String) -> [String] {
        var word = piece.map { String($0) }
        guard !word.isEmpty else { return [] }
        word[word.count - 1] += "</w>"
        while word.count > 1 {
            var best: (rank: Int, at: Int)? = nil
            for i in 0..<(word.count - 1) {
                if let r = ranks[word[i] + " " + word[i + 1]], r < (best?.rank ?? Int.max) { best = (r, i) }
            }
            guard let best else { break }
            let first = word[best.at]
            let second = word[best.at + 1]
            var merged: [String] = []
            var i = 0
            while i < word.count {
                if i < word.count - 1 && word[i] == first && word[i + 1] == second {
                    merged.append(first + second)
                    i += 2
                } else {
                    merged.append(word[i])
                    i += 1
                }
            }
            word = merged
        }
        return word
    }

    // MARK: - Pre-tokenization

    /// CLIP's normalisation as transformers applies it: Unicode NFC, every run of whitespace to
    /// one space, lowercase.
    public static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var inSpace = false
        for u in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            if isWhitespace(u) {
                if !inSpace { out.append(" ") }
                inSpace = true
                continue
            }
            inSpace = false
            out.append(u)
        }
        return String(out).lowercased()
    }

    /// Splits cleaned text by CLIP's pattern; at each position the alternatives are tried in order.
    public static func preTokenize(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        var pieces: [String] = []
        var i = 0
        func matches(_ literal: String, at i: Int) -> Bool {
            let l = Array(literal.unicodeScalars)
            guard i + l.count <= s.count else { return false }
            for k in 0..<l.count where Character(s[i + k]).lowercased() != Character(l[k]).lowercased() { return false }
            return true
        }
        func take(_ n: Int) {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: s[i..<(i + n)])
            pieces.append(String(v))
            i += n
        }
        scan: while i < s.count {
            if isWhitespace(s[i]) {
                i += 1
                continue
            }
            for special in [startOfText, endOfText] where matches(special, at: i) {
                take(special.unicodeScalars.count)
                continue scan
            }
            if s[i] == "'" {
                for c in ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"] where matches(c, at: i) {
                    take(c.unicodeScalars.count)
                    continue scan
                }
            }
            var n = 1
            if isLetter(s[i]) {
                while i + n < s.count && isLetter(s[i + n]) { n += 1 }
            } else if !isNumber(s[i]) {
                while i + n < s.count && !isWhitespace(s[i + n]) && !isLetter(s[i + n]) && !isNumber(s[i + n]) {
                    n += 1
                }
            }
            take(n)
        }
        return pieces
    }

    static func isWhitespace(_ u: Unicode.Scalar) -> Bool {
        u == " " || u == "\t" || u == "\n" || u == "\r" || u.properties.isWhitespace
    }
    static func isLetter(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
    static func isNumber(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
    // MARK: - Files (transformers layout)

    public static let files = ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]

    public func save(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var vocab = "{"
        for (i, t) in tokens.enumerated() where vocabulary[t] == i {
            vocab += (i == 0 ? "" : ",\n ") + "\(jsonString(t)): \(i)"
        }
        vocab += "}\n"
        try writeAtomically(Data(vocab.utf8), to: joinedPath(folder, "vocab.json"))
        try writeAtomically(
            Data(("#version: 0.2\n" + merges.map { "\($0.0) \($0.1)\n" }.joined()).utf8),
            to: joinedPath(folder, "merges.txt"))
        let special =
            "\"bos_token\": \"\(Self.startOfText)\", \"eos_token\": \"\(Self.endOfText)\", \"pad_token\": "
            + "\"\(Self.endOfText)\", \"unk_token\": \"\(Self.endOfText)\""
        try writeAtomically(Data("{\(special)}\n".utf8), to: joinedPath(folder, "special_tokens_map.json"))
        let config =
            "{\"tokenizer_class\": \"CLIPTokenizer\", \"model_max_length\": \(modelMaxLength), \"do_lower_case\": "
            + "true, "
            + "\"errors\": \"replace\", \"add_prefix_space\": false, \"clean_up_tokenization_spaces\": false, "
            + "\(special)}\n"
        try writeAtomically(Data(config.utf8), to: joinedPath(folder, "tokenizer_config.json"))
    }

    /// Loads a transformers CLIPTokenizer folder. The vocabulary must be CLIP's layout over the
    /// merges (as every CLIP vocabulary is); errors name the file and the problem.
    public convenience init(folder: String) throws {
        func read(_ f: String) throws -> String {
            let d: Data
            do { d = try readFileBytes(joinedPath(folder, f)) } catch {
                throw ModelError(
                    file: joinedPath(folder, f), message: (error as? FileError)?.problem ?? "cannot read the file")
            }
            guard let s = String(data: d, encoding: .utf8) else {
                throw ModelError(file: joinedPath(folder, f), message: "not UTF-8 text")
            }
            return s
        }
        // transformers 5 saves a fast tokenizer's folder with tokenizer.json alone (its model holds
        // the vocabulary and the merges): read it when merges.txt is not there.
        let fast =
            !FileManager.default.fileExists(atPath: joinedPath(folder, "merges.txt"))
            && FileManager.default.fileExists(atPath: joinedPath(folder, "tokenizer.json"))
        let mergesFile = fast ? "tokenizer.json" : "merges.txt"
        let vocabFile = fast ? "tokenizer.json" : "vocab.json"
        var merges: [(String, String)] = []
        var fastVocabulary: StrictJSON.Value?
        if fast {
            (merges, fastVocabulary) = try Self.fastTokenizerModel(
                read("tokenizer.json"), file: joinedPath(folder, mergesFile))
        } else {
            let lines = try read("merges.txt").split(separator: "\n", omittingEmptySubsequences: false)
            for (n, line) in lines.enumerated() where !line.isEmpty && !(n == 0 && line.hasPrefix("#version")) {
                let parts = line.split(separator: " ")
                guard parts.count == 2 else {
                    throw ModelError(
                        file: joinedPath(folder, "merges.txt"),
                        message: "line \(n + 1) is not two tokens separated by a space")
                }
                merges.append((String(parts[0]), String(parts[1])))
            }
        }
        var maxLength = 77
        do {
            let config = try StrictJSON.parse(try read("tokenizer_config.json"))
            if case .integer(let n)? = config["model_max_length"] { maxLength = n }
        } catch let e as StrictJSON.Failure {
            throw ModelError(file: joinedPath(folder, "tokenizer_config.json"), message: "\(e)")
        }
        guard maxLength >= 2 && maxLength <= 4096 else {
            throw ModelError(
                file: joinedPath(folder, "tokenizer_config.json"),
                message: "model_max_length \(maxLength) outside 2…4096")
        }
        self.init(merges: merges, modelMaxLength: maxLength)
        let vocabJSON: StrictJSON.Value
        if let fastVocabulary {
            vocabJSON = fastVocabulary
        } else {
            do { vocabJSON = try StrictJSON.parse(try read("vocab.json")) } catch let e as StrictJSON.Failure {
                throw ModelError(file: joinedPath(folder, "vocab.json"), message: "\(e)")
            }
        }
        guard case .object(let entries) = vocabJSON else {
            throw ModelError(file: joinedPath(folder, vocabFile), message: "the vocabulary is not a JSON object")
        }
        guard entries.count == tokens.count else {
            throw ModelError(
                file: joinedPath(folder, vocabFile),
                message: "\(entries.count) tokens, but the merges make \(tokens.count) in CLIP's layout")
        }
        for (token, id) in entries {
            guard case .integer(let i) = id, i >= 0, i < tokens.count, vocabulary[token] == i else {
                throw ModelError(
                    file: joinedPath(folder, vocabFile),
                    message: "token \(jsonString(token)) has id \(id), not its place in CLIP's layout")
            }
        }
    }
}

extension CLIPTokenizer {
    /// The merges and the vocabulary of a tokenizers-library tokenizer.json whose model is BPE
    /// (merges as ["a", "b"] pairs, or as "a b" strings in older files).
    static func fastTokenizerModel(_ text: String, file: String) throws -> ([(String, String)], StrictJSON.Value) {
        let json: StrictJSON.Value
        do { json = try StrictJSON.parse(text) } catch let e as StrictJSON.Failure {
            throw ModelError(file: file, message: "\(e)")
        }
        guard case .object? = json["model"], case .string("BPE")? = json["model"]?["type"] else {
            throw ModelError(file: file, message: "its model is not a BPE model (CLIP's tokenizer is)")
        }
        guard case .array(let list)? = json["model"]?["merges"], let vocabulary = json["model"]?["vocab"] else {
            throw ModelError(file: file, message: "its model has no merges or no vocab")
        }
        var merges: [(String, String)] = []
        for (n, entry) in list.enumerated() {
            if case .array(let pair) = entry, pair.count == 2, case .string(let a) = pair[0],
                case .string(let b) = pair[1]
            {
                merges.append((a, b))
            } else if case .string(let line) = entry, line.split(separator: " ").count == 2 {
                let parts = line.split(separator: " ")
                merges.append((String(parts[0]), String(parts[1])))
            } else {
                throw ModelError(file: file, message: "merge \(n + 1) is not two tokens")
            }
        }
        return (merges, vocabulary)
    }
}

/// GPT-2's reversible map from bytes to printable characters: printable Latin-1 bytes stand for
/// themselves, the other 68 bytes for the characters from U+0100 on, in byte order.
public enum ByteLevel {
    static let printable: [Int] = Array(33...126) + Array(161...172) + Array(174...255)
    /// The 256 byte characters in CLIP's vocabulary order.
    public static let alphabet: [String] = {
        var order = printable
        var chars = printable
        var n = 0
        for b in 0..<256 where !printable.contains(b) {
            order.append(b)
            chars.append(256 + n)
            n += 1
        }
        return chars.map { String(Unicode.Scalar(UInt32($0))!) }
    }()
    static let byteToChar: [Character] = {
        var table = [Character](repeating: " ", count: 256)
        var n = 0
        for b in 0..<256 {
            if printable.contains(b) {
                table[b] = Character(Unicode.Scalar(UInt32(b))!)
            } else {
                table[b] = Character(Unicode.Scalar(UInt32(256 + n))!)
                n += 1
            }
        }
        return table
    }()
    static let charToByte: [Character: UInt8] = Dictionary(
        uniqueKeysWithValues: byteToChar.enumerated().map { ($1, UInt8($0)) })

    public static func encode(_ text: String) -> String { String(text.utf8.map { byteToChar[Int($0)] }) }
    public static func decode(_ text: String) -> String {
        String(decoding: text.compactMap { charToByte[$0] ?? ($0 == " " ? 32 : nil) }, as: UTF8.self)
    }
}
