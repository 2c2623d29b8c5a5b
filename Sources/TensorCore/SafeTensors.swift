// safetensors: the checkpoint format of diffusers and transformers.
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ..., "__metadata__": {...}}
// then the data section; offsets count from the start of the data section.
//
// The reader trusts nothing: the header length is bounded and must fit in the file, the JSON is
// parsed by a strict parser that rejects duplicate names, every tensor's bytes must equal
// dtype size × element count and lie inside the data section, and the tensors must tile the data
// section exactly (no overlap, no gap) as the format requires. A corrupt or hostile file gets a
// `SafeTensorsError` naming the file and the problem, never a crash or an out-of-bounds read.

import Foundation

/// Element types of the safetensors format that this package reads.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64"
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case i64 = "I64"
    case i32 = "I32"
    public var byteSize: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16: 2
        }
    }
}

/// What went wrong reading or writing a safetensors file; the description names the file.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public enum Problem: Equatable {
        case unreadable(String)
        case tooShort
        case headerTooLarge(UInt64)
        case headerPastEnd(headerBytes: UInt64, fileBytes: Int)
        case badJSON(String)
        case duplicateName(String)
        case unknownDType(name: String, dtype: String)
        case badEntry(name: String, reason: String)
        case sizeMismatch(name: String, shape: [Int], dtype: String, bytes: Int)
        case offsetPastEnd(name: String, end: Int, dataBytes: Int)
        case overlap(String, String)
        case gap(before: String, bytes: Int)
        case trailingBytes(Int)
        case missingTensor(String)
        case wrongType(name: String, dtype: String, wanted: String)
        case writeFailed(String)
    }
    public let file: String
    public let problem: Problem

    public var description: String {
        let what: String
        switch problem {
        case .unreadable(let why): what = "cannot be read (\(why))"
        case .tooShort: what = "is too short to be safetensors (needs at least 8 bytes)"
        case .headerTooLarge(let n): what = "declares a header of \(n) bytes, more than the 100 MB limit"
        case .headerPastEnd(let n, let size):
            what = "declares a header of \(n) bytes but the file has only \(size) bytes"
        case .badJSON(let why): what = "has a malformed header: \(why)"
        case .duplicateName(let n): what = "names tensor '\(n)' twice"
        case .unknownDType(let n, let d): what = "tensor '\(n)' has unknown dtype '\(d)'"
        case .badEntry(let n, let why): what = "tensor '\(n)': \(why)"
        case .sizeMismatch(let n, let s, let d, let b):
            what =
                "tensor '\(n)' of shape \(shapeString(s)) and dtype \(d) needs \(s.product) elements but its offsets "
                + "span \(b) bytes"
        case .offsetPastEnd(let n, let e, let size):
            what = "tensor '\(n)' ends at byte \(e) of a data section of \(size) bytes (truncated file?)"
        case .overlap(let a, let b): what = "tensors '\(a)' and '\(b)' overlap"
        case .gap(let n, let b): what = "has \(b) unused bytes before tensor '\(n)'"
        case .trailingBytes(let b): what = "has \(b) bytes after the last tensor"
        case .missingTensor(let n): what = "has no tensor named '\(n)'"
        case .wrongType(let n, let d, let w): what = "tensor '\(n)' has dtype \(d), wanted \(w)"
        case .writeFailed(let why): what = "could not be written (\(why))"
        }
        return "\(file): \(what)"
    }
}

/// A parsed safetensors file: its tensors' dtypes, shapes and bytes.
public struct SafeTensorsFile {
    public struct Entry: Sendable {
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range inside `data`.
        public let range: Range<Int>
    }
    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    /// The data section (everything after the header).
    let data: Data

    /// Tensor names in file order.
    public var names: [String] { entries.sorted { $0.value.range.lowerBound < $1.value.range.lowerBound }.map(\.key) }

    /// Reads and validates a file.
    public init(path: String) throws {
        let bytes: Data
        if let problem = unreadableFileProblem(path) {
            throw SafeTensorsError(file: path, problem: .unreadable(problem))
        }
        do { bytes = try readFileBytes(path) } catch {
            throw SafeTensorsError(
                file: path, problem: .unreadable((error as? FileError)?.problem ?? error.localizedDescription))
        }
        try self.init(bytes: bytes, path: path)
    }

    /// Parses and validates bytes in memory; `path` names them in errors.
    public init(bytes: Data, path: String = "<memory>") throws {
        func fail(_ p: SafeTensorsError.Problem) -> SafeTensorsError { SafeTensorsError(file: path, problem: p) }
        self.path = path
        guard bytes.count >= 8 else { throw fail(.tooShort) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[bytes.startIndex + i]) << (8 * UInt64(i)) }
        guard n <= 100_000_000 else { throw fail(.headerTooLarge(n)) }
        guard 8 + Int(n) <= bytes.count else { throw fail(.headerPastEnd(headerBytes: n, fileBytes: bytes.count)) }
        let headerBytes = bytes.subdata(in: bytes.startIndex + 8..<bytes.startIndex + 8 + Int(n))
        data = bytes.subdata(in: bytes.startIndex + 8 + Int(n)..<bytes.endIndex)

        var parser = StrictJSON(Array(headerBytes))
        let root: StrictJSON.Value
        do { root = try parser.parseDocument() } catch let e as StrictJSON.Failure {
            if case .duplicateKey(let k) = e { throw fail(.duplicateName(k)) }
            throw fail(.badJSON(e.description))
        }
        guard case .object(let members) = root else { throw fail(.badJSON("the header is not a JSON object")) }

        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let kv) = value else { throw fail(.badJSON("__metadata__ is not an object")) }
                for (k, v) in kv {
                    guard case .string(let s) = v else { throw fail(.badJSON("__metadata__['\(k)'] is not a string")) }
                    metadata[k] = s
                }
                continue
            }
            guard case .object(let fields) = value else {
                throw fail(.badEntry(name: name, reason: "entry is not an object"))
            }
            var dtypeName: String?
            var shape: [Int]?
            var offsets: [Int]?
            for (key, v) in fields {
                switch key {
                case "dtype":
                    guard case .string(let s) = v else {
                        throw fail(.badEntry(name: name, reason: "dtype is not a string"))
                    }
                    dtypeName = s
                case "shape":
                    shape =
                        try Self.intArray(v)
                        ?? {
                            throw fail(.badEntry(name: name, reason: "shape is not a list of non-negative integers"))
                        }()
                case "data_offsets":
                    offsets =
                        try Self.intArray(v)
                        ?? {
                            throw fail(
                                .badEntry(name: name, reason: "data_offsets is not a list of non-negative integers"))
                        }()
                default: throw fail(.badEntry(name: name, reason: "unknown field '\(key)'"))
                }
            }
            guard let dtypeName, let shape, let offsets else {
                throw fail(.badEntry(name: name, reason: "needs dtype, shape and data_offsets"))
            }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw fail(.unknownDType(name: name, dtype: dtypeName))
            }
            guard offsets.count == 2, offsets[0] <= offsets[1] else {
                throw fail(.badEntry(name: name, reason: "data_offsets must be [begin, end] with begin ≤ end"))
            }
            // Element count with overflow checks: a hostile shape must not wrap around.
            var elements = 1
            for d in shape {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o, p <= Int(Int32.max) * 64 else {
                    throw fail(.badEntry(name: name, reason: "shape \(shapeString(shape)) is too large"))
                }
                elements = p
            }
            guard elements * dtype.byteSize == offsets[1] - offsets[0] else {
                throw fail(.sizeMismatch(name: name, shape: shape, dtype: dtypeName, bytes: offsets[1] - offsets[0]))
            }
            guard offsets[1] <= data.count else {
                throw fail(.offsetPastEnd(name: name, end: offsets[1], dataBytes: data.count))
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        // The tensors must tile the data section: sorted by start (an empty tensor before a full
        // one at the same offset), each begins where the last ended.
        let sorted = entries.sorted {
            ($0.value.range.lowerBound, $0.value.range.upperBound, $0.key) < (
                $1.value.range.lowerBound, $1.value.range.upperBound, $1.key
            )
        }
        var end = 0
        var previous = ""
        for (name, e) in sorted {
            if e.range.lowerBound < end { throw fail(.overlap(previous, name)) }
            if e.range.lowerBound > end { throw fail(.gap(before: name, bytes: e.range.lowerBound - end)) }
            end = e.range.upperBound
            previous = name
        }
        if end != data.count { throw fail(.trailingBytes(data.count - end)) }
        self.entries = entries
        self.metadata = metadata
    }

    private static func intArray(_ v: StrictJSON.Value) -> [Int]? {
        guard case .array(let items) = v else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .integer(let i) = item, i >= 0 else { return nil }
            out.append(i)
        }
        return out
    }

    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// A tensor converted to Float32 (from F64, F32, F16, BF16, I64 or I32).
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw SafeTensorsError(file: path, problem: .missingTensor(name)) }
        let n = e.shape.product
        var out = [Float](repeating: 0, count: n)
        data.withUnsafeBytes { raw in
            let p = raw.baseAddress! + e.range.lowerBound
            for i in 0..<n {
                switch e.dtype {
                case .f32:
                    out[i] = Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
                case .f64:
                    out[i] = Float(
                        Double(bitPattern: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                case .f16:
                    out[i] = halfBitsToFloat(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                case .bf16:
                    out[i] = bfloat16BitsToFloat(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                case .i64:
                    out[i] = Float(
                        Int64(bitPattern: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                case .i32:
                    out[i] = Float(
                        Int32(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
                }
            }
        }
        return Tensor(shape: e.shape, scalars: out)
    }

    /// A tensor's values as integers: I64 and I32 exactly; float dtypes when every value is integral
    /// (reference files store token ids as float64).
    public func integers(_ name: String) throws -> (shape: [Int], values: [Int]) {
        guard let e = entries[name] else { throw SafeTensorsError(file: path, problem: .missingTensor(name)) }
        let n = e.shape.product
        var out = [Int](repeating: 0, count: n)
        var bad = false
        data.withUnsafeBytes { raw in
            let p = raw.baseAddress! + e.range.lowerBound
            for i in 0..<n {
                switch e.dtype {
                case .i64:
                    out[i] = Int(
                        Int64(bitPattern: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                case .i32:
                    out[i] = Int(
                        Int32(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
                default:
                    let v: Double
                    switch e.dtype {
                    case .f64:
                        v = Double(bitPattern: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
                    case .f32:
                        v = Double(
                            Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
                    case .f16:
                        v = Double(
                            halfBitsToFloat(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian))
                    default:
                        v = Double(
                            bfloat16BitsToFloat(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian))
                    }
                    if v.rounded() != v || abs(v) > 9e15 { bad = true } else { out[i] = Int(v) }
                }
            }
        }
        if bad {
            throw SafeTensorsError(
                file: path, problem: .wrongType(name: name, dtype: e.dtype.rawValue, wanted: "integer values"))
        }
        return (e.shape, out)
    }
}

/// Writing: F32 or F16, names in sorted order, header padded with spaces to a multiple of 8 bytes
/// (as the reference implementation does), written to a temporary name and renamed.
public enum SafeTensors {
    public enum OutputType: String, Sendable { case f32 = "F32", f16 = "F16" }

    /// Serialises tensors; the same input always gives the same bytes.
    public static func encode(
        _ tensors: [String: Tensor], as type: OutputType = .f32,
        metadata: [String: String] = [:]
    ) -> Data {
        let names = tensors.keys.sorted()
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let kv = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(
                separator: ",")
            parts.append("\"__metadata__\":{\(kv)}")
        }
        let size = type == .f32 ? 4 : 2
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let bytes = t.count * size
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append(
                "\(jsonString(name)):{\"dtype\":\"\(type.rawValue)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var out = Data(capacity: 8 + headerBytes.count + offset)
        var n = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for name in names {
            let t = tensors[name]!
            if type == .f32 {
                t.scalars.withUnsafeBytes { out.append(contentsOf: $0) }  // little-endian hosts only (x86, arm)
            } else {
                var h = t.scalars.map { floatToHalfBits($0).littleEndian }
                h.withUnsafeMutableBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Writes tensors to `path` atomically: a temporary file in the same folder, then rename.
    public static func write(
        _ tensors: [String: Tensor], to path: String, as type: OutputType = .f32,
        metadata: [String: String] = [:]
    ) throws {
        do { try writeAtomically(encode(tensors, as: type, metadata: metadata), to: path) } catch {
            throw SafeTensorsError(file: path, problem: .writeFailed((error as? FileError)?.problem ?? "\(error)"))
        }
    }

    /// Reads every tensor of a file as Float32.
    public static func read(_ path: String) throws -> [String: Tensor] {
        let file = try SafeTensorsFile(path: path)
        var out: [String: Tensor] = [:]
        for name in file.entries.keys { out[name] = try file.tensor(name) }
        return out
    }
}

/// Writes `data` to a temporary name beside `path`, then renames it into place, so that a crash
/// never leaves a half-written file under the real name.
public func writeAtomically(_ data: Data, to path: String) throws {
    let target = try writableTarget(path)
    let url = URL(fileURLWithPath: target)
    let dir = url.deletingLastPathComponent()
    do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
        throw FileError(path: path, problem: "its folder \(dir.path) cannot be created (\(error.localizedDescription))")
    }
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do { try data.write(to: tmp) } catch {
        try? FileManager.default.removeItem(at: tmp)
        throw FileError(path: path, problem: "cannot be written (\(error.localizedDescription))")
    }
    if rename(tmp.path, target) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: tmp)
        throw FileError(path: path, problem: "the finished file could not be moved into place (\(reason))")
    }
}

/// A file that cannot be read or written: the path and what is wrong, in words.
public struct FileError: Error, CustomStringConvertible {
    public let path: String, problem: String
    public var description: String { "\(path): \(problem)" }
}

/// Where a write to `path` should land: the path itself, or a symbolic link's final target (so
/// that writing through a link updates what it points to and keeps the link). A directory, FIFO,
/// socket or device there is an error: replacing it with a file would destroy something that is
/// not ours.
public func writableTarget(_ path: String) throws -> String {
    var target = path
    for _ in 0..<32 {
        var st = stat()
        guard lstat(target, &st) == 0 else { return target }  // nothing there: a new file
        switch st.st_mode & S_IFMT {
        case S_IFREG: return target
        case S_IFLNK:
            guard let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: target) else {
                throw FileError(path: path, problem: "is a symbolic link that cannot be read")
            }
            target =
                dest.hasPrefix("/")
                ? dest : ((target as NSString).deletingLastPathComponent as NSString).appendingPathComponent(dest)
        case S_IFDIR: throw FileError(path: path, problem: "is a directory, not a file")
        case S_IFIFO: throw FileError(path: path, problem: "is a FIFO (named pipe), not a regular file")
        case S_IFCHR, S_IFBLK: throw FileError(path: path, problem: "is a device, not a regular file")
        case S_IFSOCK: throw FileError(path: path, problem: "is a socket, not a regular file")
        default: throw FileError(path: path, problem: "is not a regular file")
        }
    }
    throw FileError(path: path, problem: "is a chain of more than 32 symbolic links")
}

/// The bytes of a regular file, read with POSIX calls (Foundation's Data(contentsOf:) leaks a
/// buffer on empty files on Linux, found by the fuzzers), or an error in words.
public func readFileBytes(_ path: String) throws -> Data {
    if let problem = unreadableFileProblem(path) { throw FileError(path: path, problem: problem) }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw FileError(path: path, problem: String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw FileError(path: path, problem: String(cString: strerror(errno))) }
    var data = Data(count: Int(st.st_size))
    var got = 0
    let total = data.count
    try data.withUnsafeMutableBytes { (buf: UnsafeMutableRawBufferPointer) in
        while got < total {
            let n = read(fd, buf.baseAddress! + got, total - got)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, problem: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            got += n
        }
    }
    return got == total ? data : data.prefix(got)
}

/// Why `path` cannot be read as a file, in words ("does not exist", "is a directory"), or nil when it can.
public func unreadableFileProblem(_ path: String) -> String? {
    var st = stat()
    guard stat(path, &st) == 0 else {
        return errno == ENOENT
            ? "does not exist"
            : errno == EACCES ? "cannot be read (permission denied)" : String(cString: strerror(errno))
    }
    switch st.st_mode & S_IFMT {
    case S_IFREG: return access(path, R_OK) == 0 ? nil : "cannot be read (permission denied)"
    case S_IFDIR: return "is a directory, not a file"
    case S_IFIFO: return "is a FIFO (named pipe), not a regular file"
    case S_IFCHR, S_IFBLK: return "is a device, not a regular file"
    default: return "is not a regular file"
    }
}

/// A JSON string literal for `s` (quotes and control characters escaped).
public func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}
