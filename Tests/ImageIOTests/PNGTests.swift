import Foundation
import ImageIO
import TensorCore
import TestSupport
import XCTest

final class PNGTests: XCTestCase {
    let w = 5, h = 3

    /// Writes every pixel format through libpng and reads it back as RGB in [0, 1].
    func testRoundTripEveryColorTypeAndBitDepth() throws {
        for format in PNGPixelFormat.allCases {
            let channels: Int
            switch format {
            case .gray8, .gray16: channels = 1
            case .grayAlpha8, .grayAlpha16: channels = 2
            case .rgb8, .rgb16, .palette8: channels = 3
            case .rgba8, .rgba16: channels = 4
            }
            let hasAlpha = channels == 2 || channels == 4
            let deep = [.gray16, .grayAlpha16, .rgb16, .rgba16].contains(format)
            // Sample values: a ramp; alpha opaque except one half-transparent pixel.
            var samples = [Int]()
            for i in 0..<(w * h) {
                for c in 0..<channels {
                    let isAlpha = hasAlpha && c == channels - 1
                    samples.append(
                        isAlpha
                            ? (i == 4 ? (deep ? 32768 : 128) : (deep ? 65535 : 255))
                            : (deep ? (i * 4001 + c * 977) % 65536 : (i * 17 + c * 61) % 256))
                }
            }
            let data =
                deep
                ? try PNG.encodeRaw(samples16: samples.map { UInt16($0) }, width: w, height: h, format: format)
                : try PNG.encodeRaw(bytes8: samples.map { UInt8($0) }, width: w, height: h, format: format)
            let image = try PNG.decode(data, path: "\(format).png")
            XCTAssertEqual(image.shape, [3, h, w], "\(format)")
            let scale: Float = deep ? 65535 : 255
            for i in 0..<(w * h) {
                let alpha = hasAlpha ? Float(samples[i * channels + channels - 1]) / scale : 1
                for c in 0..<3 {
                    let raw = Float(samples[i * channels + (channels >= 3 ? c : 0)]) / scale
                    // Composited onto white. libpng's 16-bit linear API takes and returns premultiplied
                    // colour, so the raw 16-bit samples here are already multiplied by alpha.
                    let expected = (deep ? raw : alpha * raw) + (1 - alpha)
                    XCTAssertEqual(
                        image.scalars[c * w * h + i], expected, accuracy: 1.5 / scale + (alpha < 1 ? 2.0 / scale : 0),
                        "\(format) pixel \(i) channel \(c)")
                }
            }
        }
    }

    func testWriteThenReadIsExactFor8BitValues() throws {
        var rng = RNG(seed: 1)
        let image = rng.uniform([3, 7, 9]).map { ($0 * 255).rounded() / 255 }
        let dir = temporaryDirectory()
        try PNG.write(image, to: dir + "/a.png")
        XCTAssertEqual(try PNG.read(dir + "/a.png"), image)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasSuffix(".tmp") })
        XCTAssertThrowsError(try PNG.write(Tensor(zeros: [4, 2, 2]), to: dir + "/b.png")) { e in
            XCTAssertEqual((e as? ImageIOError)?.problem, .wrongShape([4, 2, 2]))
        }
    }

    func testBadFilesNameTheFileAndTheProblem() throws {
        let dir = temporaryDirectory()
        let good = try PNG.encodeRaw(
            bytes8: [UInt8](repeating: 90, count: 3 * 64 * 64), width: 64, height: 64, format: .rgb8)
        // Wrong signature.
        try Data("GIF89a not a png".utf8).write(to: URL(fileURLWithPath: dir + "/fake.png"))
        XCTAssertThrowsError(try PNG.read(dir + "/fake.png")) { e in
            XCTAssertEqual((e as? ImageIOError)?.problem, .notPNG)
            XCTAssertTrue("\(e)".contains("fake.png"))
        }
        // Truncated inside the image data.
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.png"))
        XCTAssertThrowsError(try PNG.read(dir + "/cut.png")) { e in
            guard case .truncated = (e as? ImageIOError)?.problem else {
                return XCTFail("expected truncated, got \(e)")
            }
            XCTAssertTrue("\(e)".contains("cut.png"))
        }
        // Only the signature.
        XCTAssertThrowsError(try PNG.decode(good.prefix(8), path: "sig.png"))
        // Missing file.
        XCTAssertThrowsError(try PNG.read(dir + "/missing.png")) { e in
            guard case .unreadable = (e as? ImageIOError)?.problem else { return XCTFail("\(e)") }
        }
        // Corrupt header (IHDR width set to 0 and CRC left stale).
        var corrupt = good
        corrupt[16] = 0
        corrupt[17] = 0
        corrupt[18] = 0
        corrupt[19] = 0
        XCTAssertThrowsError(try PNG.decode(corrupt, path: "bad.png")) { e in
            XCTAssertTrue("\(e)".hasPrefix("bad.png: "), "\(e)")
        }
        // Too large: a header declaring 20000×20000 pixels.
        var big = good
        for (i, b) in [UInt8(0), 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20].enumerated() { big[16 + i] = b }
        let crc = crc32(Array(big[12..<29]))
        for i in 0..<4 { big[29 + i] = UInt8((crc >> (24 - 8 * UInt32(i))) & 0xff) }
        XCTAssertThrowsError(try PNG.decode(big, path: "big.png")) { e in
            XCTAssertEqual((e as? ImageIOError)?.problem, .tooLarge(width: 20000, height: 20000))
        }
        // A small file declaring 16384×16384 (the 142-byte bomb): refused from its header,
        // before any buffer is allocated, and quickly.
        func declaring(_ w: UInt32, _ h: UInt32) -> Data {
            var d = good
            for k in 0..<4 {
                let shift = UInt32(24 - 8 * k)
                d[16 + k] = UInt8((w >> shift) & 0xff)
                d[20 + k] = UInt8((h >> shift) & 0xff)
            }
            let crc = crc32(Array(d[12..<29]))
            for i in 0..<4 { d[29 + i] = UInt8((crc >> (24 - 8 * UInt32(i))) & 0xff) }
            return d
        }
        let start = Date()
        XCTAssertThrowsError(try PNG.decode(declaring(16384, 16384), path: "bomb.png")) { e in
            XCTAssertEqual((e as? ImageIOError)?.problem, .tooManyPixels(width: 16384, height: 16384))
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
        // Within the pixel budget but more than the file's bytes could ever inflate to.
        XCTAssertThrowsError(try PNG.decode(declaring(4000, 4000), path: "bomb2.png")) { e in
            guard case .impossibleSize = (e as? ImageIOError)?.problem else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("bomb2.png"))
        }
    }

    func testGridResizeCrop() {
        let a = Tensor(repeating: 0, shape: [3, 2, 2])
        let b = Tensor(repeating: 0.5, shape: [3, 2, 2])
        let g = ImageOps.grid([a, b, a], rows: 2, columns: 2, gap: 1)
        XCTAssertEqual(g.shape, [3, 7, 7])
        XCTAssertEqual(g[0, 1, 4], 0.5)  // second cell
        XCTAssertEqual(g[0, 4, 4], 1)  // empty fourth cell stays background
        XCTAssertEqual(g[0, 0, 0], 1)  // gap
        // Bilinear resize of a horizontal ramp keeps it a ramp (align_corners=False centres).
        var ramp = Tensor(zeros: [3, 1, 4])
        for x in 0..<4 { for c in 0..<3 { ramp[c, 0, x] = Float(x) } }
        let up = ImageOps.resize(ramp, height: 1, width: 8)
        XCTAssertEqual(up.scalars.prefix(8).map { $0 }, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])
        let photo = Tensor(repeating: 0.3, shape: [3, 48, 64])
        XCTAssertEqual(ImageOps.resizeAndCenterCrop(photo, size: 32).shape, [3, 32, 32])
        XCTAssertEqual(ImageOps.centerCrop(ramp, height: 1, width: 2).scalars.prefix(2).map { $0 }, [1, 2])
    }
}

/// PNG's CRC-32 (ISO 3309), to forge a valid header chunk in a test.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xffff_ffff
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
    }
    return c ^ 0xffff_ffff
}
