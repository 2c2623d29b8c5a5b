// libFuzzer harness: the PNG reader (libpng's simplified API behind our header and size checks).
// A mutated chunk fails its CRC and libpng stops there, so the harness first recomputes every
// chunk's CRC: the mutations reach the decoder instead of the checksum.
import Foundation
import ImageIO

let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

/// The file with each chunk's CRC (over type and data) recomputed; chunks cut short are left alone.
func withFixedCRCs(_ input: [UInt8]) -> [UInt8] {
    var b = input
    var at = 8
    while at + 12 <= b.count {
        let length = Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
        guard length <= b.count - at - 12 else { break }
        var c: UInt32 = 0xFFFF_FFFF
        for i in (at + 4)..<(at + 8 + length) { c = crcTable[Int((c ^ UInt32(b[i])) & 0xFF)] ^ (c >> 8) }
        c ^= 0xFFFF_FFFF
        let end = at + 8 + length
        b[end] = UInt8(c >> 24)
        b[end + 1] = UInt8((c >> 16) & 0xFF)
        b[end + 2] = UInt8((c >> 8) & 0xFF)
        b[end + 3] = UInt8(c & 0xFF)
        at = end + 4
    }
    return b
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fixed = withFixedCRCs(Array(UnsafeBufferPointer(start: data, count: size)))
    _ = try? PNG.decode(Data(fixed), path: "fuzz.png")
    return 0
}
