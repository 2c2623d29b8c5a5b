// A small strict JSON parser for headers and configs: objects keep their key order, a repeated
// key is an error (Foundation's parser silently keeps one), numbers keep whether they were integers,
// and nesting depth is bounded so a hostile file cannot exhaust the stack.

public struct StrictJSON {
    public indirect enum Value: Equatable, Sendable {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case integer(Int)
        case number(Double)
        case bool(Bool)
        case null

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.object(let x), .object(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            case (.array(let x), .array(let y)): return x == y
            case (.string(let x), .string(let y)): return x == y
            case (.integer(let x), .integer(let y)): return x == y
            case (.number(let x), .number(let y)): return x == y
            case (.bool(let x), .bool(let y)): return x == y
            case (.null, .null): return true
            default: return false
            }
        }

        /// The value as a Double when it is a number.
        public var double: Double? {
            switch self {
            case .integer(let i): Double(i)
            case .number(let d): d
            default: nil
            }
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case unexpected(String, at: Int)
        case duplicateKey(String)
        case tooDeep
        public var description: String {
            switch self {
            case .unexpected(let what, let at): "\(what) at byte \(at)"
            case .duplicateKey(let k): "key '\(k)' appears twice"
            case .tooDeep: "nesting deeper than 64 levels"
            }
        }
    }

    let bytes: [UInt8]
    var i = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one value that must span the whole input (surrounding whitespace allowed).
    public mutating func parseDocument() throws -> Value {
        let v = try value(depth: 0)
        skipSpace()
        if i != bytes.count { throw Failure.unexpected("trailing characters", at: i) }
        return v
    }

    public static func parse(_ text: String) throws -> Value {
        var p = StrictJSON(Array(text.utf8))
        return try p.parseDocument()
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0a || bytes[i] == 0x0d || bytes[i] == 0x09 { i += 1 }
    }

    mutating func value(depth: Int) throws -> Value {
        guard depth < 64 else { throw Failure.tooDeep }
        skipSpace()
        guard i < bytes.count else { throw Failure.unexpected("end of input", at: i) }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, Value)] = []
            var seen = Set<String>()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw Failure.unexpected("expected a key", at: i)
                }
                let key = try string()
                if !seen.insert(key).inserted { throw Failure.duplicateKey(key) }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                    throw Failure.unexpected("expected ':'", at: i)
                }
                i += 1
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw Failure.unexpected("end of input in an object", at: i) }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(members)
                }
                throw Failure.unexpected("expected ',' or '}'", at: i)
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw Failure.unexpected("end of input in a list", at: i) }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return .array(items)
                }
                throw Failure.unexpected("expected ',' or ']'", at: i)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return try number()
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
            throw Failure.unexpected("bad literal", at: i)
        }
        i += w.count
    }

    /// A number exactly as JSON's grammar has it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    /// (so `03`, `+3`, `3.`, `.5` and `1e` are errors, as RFC 8259 says).
    mutating func number() throws -> Value {
        let start = i
        func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        func fail() -> Failure {
            let text = String(decoding: bytes[start..<Swift.min(bytes.count, Swift.max(i, start + 1))], as: UTF8.self)
            return .unexpected("bad number '\(text)'", at: start)
        }
        var isInteger = true
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { throw fail() }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw fail() }
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard isDigit(i) else { throw fail() }
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw fail() }
            while isDigit(i) { i += 1 }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger, let v = Int(text) { return .integer(v) }
        if let d = Double(text) { return .number(d) }
        throw fail()
    }

    mutating func string() throws -> String {
        i += 1  // opening quote
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw Failure.unexpected("control character in a string", at: i) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                switch bytes[i] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5c)
                case UInt8(ascii: "/"): out.append(0x2f)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "u"):
                    let hex = i + 4 < bytes.count ? Array(bytes[i + 1...i + 4]) : []
                    let isHex = { (b: UInt8) in
                        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
                    }
                    guard hex.count == 4, hex.allSatisfy(isHex),
                        let code = UInt32(String(decoding: hex, as: UTF8.self), radix: 16)
                    else {
                        throw Failure.unexpected("bad \\u escape", at: i)
                    }
                    i += 4
                    out.append(contentsOf: Array(String(UnicodeScalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: throw Failure.unexpected("bad escape", at: i)
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        throw Failure.unexpected("unterminated string", at: i)
    }
}

extension StrictJSON.Value {
    public subscript(key: String) -> StrictJSON.Value? {
        if case .object(let m) = self { return m.first { $0.0 == key }?.1 }
        return nil
    }
}
