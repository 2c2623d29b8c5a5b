// Small helpers every layer uses: a stable hash, path joining, a batch split into its items.

import Foundation

/// FNV-1a over bytes (64 bits): a short, stable name for a set of inputs. Not cryptographic.
public func fnv1a<Bytes: Sequence>(_ bytes: Bytes, startingFrom start: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64
where Bytes.Element == UInt8 {
    var h = start
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

extension String {
    /// FNV-1a of the UTF-8 bytes, in hex: a short stable name for a list of names.
    public var fnv1aHex: String { String(fnv1a(utf8), radix: 16) }
}

/// `base/component/…`, as NSString's appendingPathComponent joins them.
public func joinedPath(_ base: String, _ components: String...) -> String {
    components.reduce(base) { ($0 as NSString).appendingPathComponent($1) }
}

extension Tensor {
    /// The items of a batch (B, …) as B tensors of the trailing shape.
    public func unstacked() -> [Tensor] {
        (0..<shape[0]).map { slice(rows: $0..<($0 + 1)).reshaped(Array(shape.dropFirst())) }
    }
}

/// Prints a line to standard output and flushes it: the default log of long-running work.
public func printFlushed(_ line: String) {
    print(line)
    fflush(stdout)
}
