// The subject's photos: every PNG of a folder, of any size and color mode (libpng's simplified
// API reads gray, gray+alpha, palette, RGB, RGBA and 16-bit alike, alpha over white), resized so
// the short side is the resolution, then cropped square at the center or at random
// (train_dreambooth.py: Resize(resolution) → CenterCrop or RandomCrop).

import Foundation
import ImageIO
import TensorCore

public struct ImageFolder {
    public let files: [String]
    /// Each image resized so its short side is `resolution` (cropping happens per step).
    public let images: [Tensor]
    /// Each image's own prompt, from the folder's metadata.jsonl (Hugging Face's imagefolder
    /// layout: `file_name` and `text`), when every image has one; else nil.
    public let captions: [String]?

    /// Reads every .png (sorted by name); errors name the folder or the file and the problem.
    public init(_ folder: String, resolution: Int, role: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
            throw TrainError("\(role) folder \(folder) does not exist")
        }
        guard isDir.boolValue else { throw TrainError("\(role) folder \(folder) is a file, not a folder") }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        let others = names.filter { !$0.lowercased().hasSuffix(".png") && !["metadata.jsonl"].contains($0) }
        if let other = others.first {
            var sub: ObjCBool = false
            FileManager.default.fileExists(
                atPath: (folder as NSString).appendingPathComponent(other), isDirectory: &sub)
            if !sub.boolValue {
                throw TrainError(
                    "\((folder as NSString).appendingPathComponent(other)): not a PNG file (the \(role) folder takes "
                        + ".png files)"
                )
            }
        }
        let pngs = names.filter { $0.lowercased().hasSuffix(".png") }
        guard !pngs.isEmpty else { throw TrainError("\(role) folder \(folder) holds no PNG images") }
        files = pngs.map { (folder as NSString).appendingPathComponent($0) }
        captions = try Self.captions(folder, pngs: pngs)
        images = try files.map { path in
            let image: Tensor
            do { image = try PNG.read(path) } catch { throw TrainError("\(error)") }
            let h = image.shape[1]
            let w = image.shape[2]
            guard h >= 1 && w >= 1 else { throw TrainError("\(path): an empty image") }
            let scale = Float(resolution) / Float(min(h, w))
            return ImageOps.resize(
                image, height: max(resolution, Int((Float(h) * scale).rounded())),
                width: max(resolution, Int((Float(w) * scale).rounded())))
        }
    }

    /// The `text` of each PNG in the folder's metadata.jsonl, in `pngs`' order; nil without the
    /// file or when an image has no line. A line that is not a JSON object is an error naming it.
    static func captions(_ folder: String, pngs: [String]) throws -> [String]? {
        let path = (folder as NSString).appendingPathComponent("metadata.jsonl")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TrainError("\(path): cannot be read as UTF-8 text")
        }
        var byFile: [String: String] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TrainError("\(path) line \(n + 1): not a JSON object")
            }
            if let file = object["file_name"] as? String, let caption = object["text"] as? String {
                byFile[file] = caption
            }
        }
        let found = pngs.compactMap { byFile[$0] }
        return found.count == pngs.count ? found : nil
    }

    /// A square crop of image i at the resolution, in [-1, 1]: the center, or a place from `rng`.
    public func crop(_ i: Int, resolution: Int, center: Bool, rng: inout RNG) -> Tensor {
        crop(i, resolution: resolution, at: cropOrigin(i, resolution: resolution, center: center, rng: &rng))
    }

    /// Where a crop of image i starts (top, left): the center, or drawn from `rng`.
    public func cropOrigin(_ i: Int, resolution: Int, center: Bool, rng: inout RNG) -> (y: Int, x: Int) {
        let h = images[i].shape[1]
        let w = images[i].shape[2]
        let y0 = center ? (h - resolution) / 2 : rng.randint(h - resolution + 1)
        let x0 = center ? (w - resolution) / 2 : rng.randint(w - resolution + 1)
        return (y0, x0)
    }

    /// The resolution² crop of image i at `origin`, in [−1, 1]: (3, resolution, resolution).
    public func crop(_ i: Int, resolution: Int, at origin: (y: Int, x: Int)) -> Tensor {
        let im = images[i]
        let h = im.shape[1]
        let w = im.shape[2]
        let (y0, x0) = origin
        var out = [Float](repeating: 0, count: 3 * resolution * resolution)
        for c in 0..<3 {
            for y in 0..<resolution {
                for x in 0..<resolution {
                    out[(c * resolution + y) * resolution + x] = 2 * im.scalars[(c * h + y0 + y) * w + x0 + x] - 1
                }
            }
        }
        return Tensor(shape: [3, resolution, resolution], scalars: out)
    }
}
