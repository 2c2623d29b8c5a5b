// Reading a diffusers / transformers config.json strictly: known keys are read, keys this package
// does not implement must hold their library default, anything else is an error naming the key.

import Foundation
import TensorCore

/// A configuration read from a config.json by a ConfigReader: UNetConfig, CLIPTextConfig,
/// ImageEncoderConfig, SchedulerConfig. Each reads its keys in `init(reader:)`; the two ways in
/// (a file, or its bytes) are written once, here.
public protocol ConfigFile {
    init(reader: ConfigReader) throws
}

extension ConfigFile {
    /// Reads config.json; unsupported keys with non-default values are errors naming key and value.
    public init(contentsOf path: String) throws { try self.init(reader: try ConfigReader(path: path)) }

    /// The same from the bytes of a config.json (`path` names it in errors).
    public init(configData: Data, path: String) throws {
        try self.init(reader: try ConfigReader(data: configData, path: path))
    }
}

/// The keys of one config.json, read one by one (each read key is marked used).
public struct ConfigReader {
    let file: String
    let members: [(String, StrictJSON.Value)]
    private(set) var used = Set<String>()

    init(path: String) throws {
        let data: Data
        if let problem = unreadableFileProblem(path) { throw ModelError(file: path, message: problem) }
        do { data = try readFileBytes(path) } catch {
            throw ModelError(
                file: path, message: "cannot be read (\((error as? FileError)?.problem ?? error.localizedDescription))")
        }
        try self.init(data: data, path: path)
    }

    /// The bytes of a config.json; `path` names it in errors.
    init(data: Data, path: String) throws {
        var parser = StrictJSON(Array(data))
        let root: StrictJSON.Value
        do { root = try parser.parseDocument() } catch {
            throw ModelError(file: path, message: "is not valid JSON: \(error)")
        }
        guard case .object(let m) = root else { throw ModelError(file: path, message: "is not a JSON object") }
        file = path
        members = m
    }

    func value(_ key: String) -> StrictJSON.Value? { members.first { $0.0 == key }?.1 }

    mutating func int(_ key: String, default d: Int? = nil) throws -> Int {
        used.insert(key)
        guard let v = value(key), v != .null else {
            if let d { return d }
            throw ModelError(file: file, message: "missing key '\(key)'")
        }
        guard case .integer(let i) = v else {
            throw ModelError(file: file, message: "'\(key)' must be an integer, got \(render(v))")
        }
        return i
    }

    mutating func double(_ key: String, default d: Double) throws -> Double {
        used.insert(key)
        guard let v = value(key), v != .null else { return d }
        guard let x = v.double else {
            throw ModelError(file: file, message: "'\(key)' must be a number, got \(render(v))")
        }
        return x
    }

    mutating func bool(_ key: String, default d: Bool) throws -> Bool {
        used.insert(key)
        guard let v = value(key), v != .null else { return d }
        guard case .bool(let b) = v else {
            throw ModelError(file: file, message: "'\(key)' must be true or false, got \(render(v))")
        }
        return b
    }

    mutating func string(_ key: String, default d: String? = nil) throws -> String {
        used.insert(key)
        guard let v = value(key), v != .null else {
            if let d { return d }
            throw ModelError(file: file, message: "missing key '\(key)'")
        }
        guard case .string(let s) = v else {
            throw ModelError(file: file, message: "'\(key)' must be a string, got \(render(v))")
        }
        return s
    }

    /// An integer or a list of integers (one per block).
    mutating func intList(_ key: String, count: Int) throws -> [Int]? {
        used.insert(key)
        guard let v = value(key), v != .null else { return nil }
        if case .integer(let i) = v { return [Int](repeating: i, count: count) }
        if case .array(let items) = v {
            let ints = items.compactMap { if case .integer(let i) = $0 { return i } else { return nil } }
            guard ints.count == items.count, ints.count == count else {
                throw ModelError(
                    file: file, message: "'\(key)' must be an integer or \(count) integers, got \(render(v))")
            }
            return ints
        }
        throw ModelError(file: file, message: "'\(key)' must be an integer or a list, got \(render(v))")
    }

    /// A list of integers of any length.
    mutating func intArray(_ key: String, default d: [Int]) throws -> [Int] {
        used.insert(key)
        guard let v = value(key) else { return d }
        guard case .array(let items) = v else {
            throw ModelError(file: file, message: "'\(key)' must be a list of integers, got \(render(v))")
        }
        return try items.map { item in
            guard case .integer(let i) = item else {
                throw ModelError(file: file, message: "'\(key)' must list integers, got \(render(v))")
            }
            return i
        }
    }

    mutating func strings(_ key: String) throws -> [String] {
        used.insert(key)
        guard case .array(let items)? = value(key) else {
            throw ModelError(file: file, message: "missing or malformed list '\(key)'")
        }
        return try items.map { item in
            guard case .string(let s) = item else {
                throw ModelError(file: file, message: "'\(key)' must list strings")
            }
            return s
        }
    }

    /// Keys that may appear with exactly these (library default) values; `nil` matches JSON null.
    mutating func requireDefaults(_ defaults: [String: StrictJSON.Value]) throws {
        for (key, v) in members where !used.contains(key) && !key.hasPrefix("_") {
            guard let d = defaults[key] else {
                throw ModelError(file: file, message: "unknown config key '\(key)' (value \(render(v)))")
            }
            let same = v == d || (v.double != nil && d.double != nil && v.double == d.double)
            if !same {
                throw ModelError(
                    file: file, message: "config key '\(key)' = \(render(v)) is not supported (only \(render(d)))")
            }
            used.insert(key)
        }
    }
}

func render(_ v: StrictJSON.Value) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .integer(let i): return String(i)
    case .number(let d): return String(d)
    case .string(let s): return "\"\(s)\""
    case .array(let a): return "[" + a.map(render).joined(separator: ", ") + "]"
    case .object(let m): return "{" + m.map { "\"\($0.0)\": \(render($0.1))" }.joined(separator: ", ") + "}"
    }
}

/// JSON text of ordered key/values, indented as Python's json.dumps(indent=2) (diffusers' style).
func jsonText(_ members: [(String, StrictJSON.Value)]) -> String {
    func emit(_ v: StrictJSON.Value, _ indent: String) -> String {
        switch v {
        case .array(let a):
            if a.isEmpty { return "[]" }
            return "[\n" + a.map { indent + "  " + emit($0, indent + "  ") }.joined(separator: ",\n") + "\n" + indent
                + "]"
        case .object(let m):
            return "{\n"
                + m.map { indent + "  " + jsonString($0.0) + ": " + emit($0.1, indent + "  ") }.joined(separator: ",\n")
                + "\n" + indent + "}"
        case .string(let s): return jsonString(s)
        default: return render(v)
        }
    }
    return emit(.object(members), "") + "\n"
}
