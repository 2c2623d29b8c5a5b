// PNG files through libpng's simplified `png_image` API.
//
// The classic libpng API reports errors with longjmp, which Swift cannot catch; the simplified
// API returns a status and leaves a message in `image.message`, so every failure here becomes a
// thrown `ImageIOError` naming the file and the problem.
//
// Images in memory are RGB Float tensors of shape (3, H, W) with values in [0, 1]:
// 8-bit samples map v ↦ v/255, 16-bit samples v ↦ v/65535 (libpng reads 16-bit files in linear
// light). Gray is copied to the three channels; a palette is expanded; alpha is composited onto
// white, as a photo with a transparent background would look on a page.

import CLibPNG
import Foundation
import TensorCore

/// What went wrong reading or writing an image; the description names the file.
public struct ImageIOError: Error, CustomStringConvertible, Equatable {
    public enum Problem: Equatable {
        case unreadable(String)
        case notPNG
        case truncated(String)
        case corrupt(String)
        case tooLarge(width: Int, height: Int)
        case tooManyPixels(width: Int, height: Int)
        case impossibleSize(width: Int, height: Int, bytes: Int)
        case wrongShape([Int])
        case writeFailed(String)
    }
    public let file: String
    public let problem: Problem
    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .unreadable(let why): "\(file): cannot be read (\(why))"
        case .notPNG: "\(file): not a PNG file (its first 8 bytes are not the PNG signature)"
        case .truncated(let why): "\(file): truncated PNG (\(why))"
        case .corrupt(let why): "\(file): corrupt PNG (\(why))"
        case .tooLarge(let w, let h):
            "\(file): image of \(w)×\(h) pixels is larger than the \(PNG.maxSide)×\(PNG.maxSide) limit"
        case .tooManyPixels(let w, let h):
            "\(file): image of \(w)×\(h) pixels is over the budget of \(PNG.maxPixels) pixels (--max_image_pixels "
                + "raises it)"
        case .impossibleSize(let w, let h, let n):
            "\(file): declares \(w)×\(h) pixels, more than \(n) bytes of PNG can hold (a decompression bomb or a "
                + "truncated file)"
        case .wrongShape(let s): "\(file): an RGB image tensor must have shape (3, H, W), got \(shapeString(s))"
        case .writeFailed(let why): "\(file): could not be written (\(why))"
        }
    }
}

/// The pixel layouts PNG files can store, for writing test files of every kind.
public enum PNGPixelFormat: CaseIterable, Sendable {
    case gray8, grayAlpha8, rgb8, rgba8, gray16, grayAlpha16, rgb16, rgba16, palette8

    var channels: Int {
        switch self {
        case .gray8, .gray16: 1
        case .grayAlpha8, .grayAlpha16: 2
        case .rgb8, .rgb16, .palette8: 3
        case .rgba8, .rgba16: 4
        }
    }
    var is16Bit: Bool { [.gray16, .grayAlpha16, .rgb16, .rgba16].contains(self) }
    var libpngFormat: UInt32 {
        switch self {
        case .gray8: 0
        case .grayAlpha8: UInt32(PNG_FORMAT_FLAG_ALPHA)
        case .rgb8: UInt32(PNG_FORMAT_FLAG_COLOR)
        case .rgba8: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        case .gray16: UInt32(PNG_FORMAT_FLAG_LINEAR)
        case .grayAlpha16: UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_ALPHA)
        case .rgb16: UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR)
        case .rgba16: UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        case .palette8: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_COLORMAP)
        }
    }
}

public enum PNG {
    /// The largest width or height accepted when reading (guards memory against hostile headers).
    public static let maxSide = 16384
    /// The largest number of pixels accepted when reading (4096², 64 MB of RGBA): checked from the
    /// header, before a buffer is allocated.
    /// Raise it for larger photos (`dreambooth train --max_image_pixels`); the check stays.
    nonisolated(unsafe) public static var maxPixels = 1 << 24
    /// deflate expands at most ~1032:1, so a file of n bytes cannot hold more than ~1032·n bytes of pixels.
    static let maxDeflateRatio = 1100
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    /// Reads a PNG file as an RGB tensor (3, H, W) in [0, 1].
    public static func read(_ path: String) throws -> Tensor { try decode(fileBytes(path), path: path) }

    /// A file's bytes, or an unreadable-file error naming it.
    static func fileBytes(_ path: String) throws -> Data {
        if let problem = unreadableFileProblem(path) { throw ImageIOError(file: path, problem: .unreadable(problem)) }
        do { return try readFileBytes(path) } catch {
            throw ImageIOError(
                file: path, problem: .unreadable((error as? FileError)?.problem ?? error.localizedDescription))
        }
    }

    /// Decodes PNG bytes; `path` names them in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> Tensor {
        let rgba = try decodeRGBA(data, path: path).image
        let plane = rgba.shape[1] * rgba.shape[2]
        var out = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            let a = rgba.scalars[3 * plane + i]
            for c in 0..<3 { out[c * plane + i] = rgba.scalars[c * plane + i] + (1 - a) }  // over white
        }
        return Tensor(shape: [3, rgba.shape[1], rgba.shape[2]], scalars: out)
    }

    /// Reads a PNG file as RGBA (4, H, W) in [0, 1], the colors premultiplied by alpha, and whether
    /// the file has an alpha channel (or a transparent color) at all.
    public static func readRGBA(_ path: String) throws -> (image: Tensor, hasAlpha: Bool) {
        try decodeRGBA(fileBytes(path), path: path)
    }

    /// Decodes PNG bytes as premultiplied RGBA (4, H, W); `path` names them in errors.
    public static func decodeRGBA(_ data: Data, path: String = "<memory>") throws -> (image: Tensor, hasAlpha: Bool) {
        guard data.count >= 8, Array(data.prefix(8)) == signature else {
            throw ImageIOError(file: path, problem: .notPNG)
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let began = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw problem(image, path) }
        let w = Int(image.width)
        let h = Int(image.height)
        guard w <= maxSide, h <= maxSide else {
            throw ImageIOError(file: path, problem: .tooLarge(width: w, height: h))
        }
        guard w * h <= maxPixels else { throw ImageIOError(file: path, problem: .tooManyPixels(width: w, height: h)) }
        // The smallest the raw rows can be: 1 bit per pixel plus a filter byte per row.
        let minimumRaw = h * ((w + 7) / 8 + 1)
        guard minimumRaw <= data.count * maxDeflateRatio else {
            throw ImageIOError(file: path, problem: .impossibleSize(width: w, height: h, bytes: data.count))
        }
        let hasAlpha = (image.format & UInt32(PNG_FORMAT_FLAG_ALPHA)) != 0
        // 16-bit files are read at 16 bits (linear RGBA, alpha premultiplied); others at 8 bits (RGBA).
        let deep = (image.format & UInt32(PNG_FORMAT_FLAG_LINEAR)) != 0
        image.format =
            deep
            ? UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
            : UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        let plane = w * h
        var out = [Float](repeating: 0, count: 4 * plane)
        if deep {
            var buffer = [UInt16](repeating: 0, count: 4 * plane)
            let ok = data.withUnsafeBytes { _ in
                buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            }
            guard ok != 0 else { throw problem(image, path) }
            for i in 0..<plane {
                for c in 0..<4 { out[c * plane + i] = Float(buffer[4 * i + c]) / 65535 }  // already premultiplied
            }
        } else {
            var buffer = [UInt8](repeating: 0, count: 4 * plane)
            let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw problem(image, path) }
            for i in 0..<plane {
                let a = Float(buffer[4 * i + 3]) / 255
                for c in 0..<3 { out[c * plane + i] = a * Float(buffer[4 * i + c]) / 255 }
                out[3 * plane + i] = a
            }
        }
        return (Tensor(shape: [4, h, w], scalars: out), hasAlpha)
    }

    private static func problem(_ image: png_image, _ path: String) -> ImageIOError {
        var message = image.message
        let text = withUnsafeBytes(of: &message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let lower = text.lowercased()
        if lower.contains("eof") || lower.contains("end of") || lower.contains("not enough")
            || lower.contains("truncat")
        {
            return ImageIOError(file: path, problem: .truncated(text))
        }
        return ImageIOError(file: path, problem: .corrupt(text))
    }

    /// Writes an RGB tensor (3, H, W) as an 8-bit RGB PNG; values are clamped to [0, 1] and
    /// rounded to the nearest of 256 levels. Written to a temporary name, then renamed.
    public static func write(_ image: Tensor, to path: String) throws {
        guard image.rank == 3, image.shape[0] == 3 else {
            throw ImageIOError(file: path, problem: .wrongShape(image.shape))
        }
        let h = image.shape[1]
        let w = image.shape[2]
        let plane = w * h
        var bytes = [UInt8](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 { bytes[3 * i + c] = quantize8(image.scalars[c * plane + i]) }
        }
        try writeRaw(bytes, width: w, height: h, format: .rgb8, to: path)
    }

    /// Encodes raw interleaved samples in any of the PNG pixel formats (8-bit samples as UInt8 values
    /// in `bytes8`, 16-bit ones as `samples16`; a palette image takes RGB bytes and libpng builds
    /// the palette, which requires at most 256 distinct colors).
    public static func encodeRaw(
        bytes8: [UInt8] = [], samples16: [UInt16] = [], width: Int, height: Int,
        format: PNGPixelFormat, path: String = "<memory>"
    ) throws -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format.libpngFormat
        defer { png_image_free(&image) }
        var size: Int = 0
        var colormap = [UInt8]()
        var indices = [UInt8]()
        if format == .palette8 {
            // Build the palette ourselves: first appearance order, so the output is deterministic.
            var lookup: [UInt32: UInt8] = [:]
            for i in 0..<(width * height) {
                let key = UInt32(bytes8[3 * i]) << 16 | UInt32(bytes8[3 * i + 1]) << 8 | UInt32(bytes8[3 * i + 2])
                if let idx = lookup[key] {
                    indices.append(idx)
                    continue
                }
                guard lookup.count < 256 else {
                    throw ImageIOError(file: path, problem: .writeFailed("more than 256 colors for a palette image"))
                }
                let idx = UInt8(lookup.count)
                lookup[key] = idx
                colormap.append(contentsOf: bytes8[3 * i..<3 * i + 3])
                indices.append(idx)
            }
            image.colormap_entries = UInt32(lookup.count)
        }
        func run(_ buffer: UnsafeRawPointer?, _ out: UnsafeMutableRawPointer?, _ size: inout Int) -> Int32 {
            colormap.withUnsafeBytes { cm in
                png_image_write_to_memory(&image, out, &size, 0, buffer, 0, format == .palette8 ? cm.baseAddress : nil)
            }
        }
        let source: [UInt8] = format == .palette8 ? indices : bytes8
        let ok: Int32 =
            format.is16Bit
            ? samples16.withUnsafeBytes { run($0.baseAddress, nil, &size) }
            : source.withUnsafeBytes { run($0.baseAddress, nil, &size) }
        guard ok != 0 else { throw problem(image, path) }
        var out = Data(count: size)
        let ok2: Int32 = out.withUnsafeMutableBytes { dst in
            format.is16Bit
                ? samples16.withUnsafeBytes { run($0.baseAddress, dst.baseAddress, &size) }
                : source.withUnsafeBytes { run($0.baseAddress, dst.baseAddress, &size) }
        }
        guard ok2 != 0 else { throw problem(image, path) }
        return out.prefix(size)
    }

    /// `encodeRaw`, then an atomic write to `path`.
    public static func writeRaw(
        _ bytes8: [UInt8] = [], samples16: [UInt16] = [], width: Int, height: Int,
        format: PNGPixelFormat, to path: String
    ) throws {
        let data = try encodeRaw(
            bytes8: bytes8, samples16: samples16, width: width, height: height, format: format, path: path)
        do { try writeAtomically(data, to: path) } catch {
            throw ImageIOError(
                file: path, problem: .writeFailed((error as? FileError)?.problem ?? error.localizedDescription))
        }
    }

    @inline(__always) public static func quantize8(_ v: Float) -> UInt8 {
        let x = v.isNaN ? 0 : min(max(v, 0), 1)
        return UInt8((x * 255).rounded())
    }
}
