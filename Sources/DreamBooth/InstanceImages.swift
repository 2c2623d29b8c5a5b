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
    /// Each image's object mask (1, H, W) in [0, 1], resized as the image is, when the metadata names
    /// one for every image (`mask_file_name`, as `dreambooth world` writes for a subject's photos);
    /// else nil. The trainer weighs the instance loss by it (--background_loss_weight).
    public let masks: [Tensor]?

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
        let metadata = try Self.metadata(folder, pngs: pngs)
        captions = Self.column("text", of: metadata, pngs: pngs)
        let images = try files.map { try Self.read($0, resolution: resolution) }
        self.images = images
        masks = try Self.column("mask_file_name", of: metadata, pngs: pngs).map { names in
            try zip(names, images).map { name, image in
                let path = (folder as NSString).appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: path) else {
                    throw TrainError("\(path): metadata.jsonl names this mask file, and it does not exist")
                }
                let mask = try Self.read(path, resolution: resolution)
                guard mask.shape == image.shape else {
                    throw TrainError("\(path): the mask's size differs from its image's")
                }
                return mask.slice(rows: 0..<1)
            }
        }
    }

    /// An image file resized so its short side is `resolution`, (3, H, W) in [0, 1].
    static func read(_ path: String, resolution: Int) throws -> Tensor {
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

    /// A string field of every PNG's metadata line, in `pngs`' order; nil when any lacks it.
    static func column(_ key: String, of metadata: [String: [String: Any]]?, pngs: [String]) -> [String]? {
        guard let metadata else { return nil }
        let found = pngs.compactMap { metadata[$0]?[key] as? String }
        return found.count == pngs.count ? found : nil
    }

    /// The folder's metadata.jsonl, each line by its `file_name`; nil without the file. A line that
    /// is not a JSON object is an error naming it.
    static func metadata(_ folder: String, pngs: [String]) throws -> [String: [String: Any]]? {
        let path = (folder as NSString).appendingPathComponent("metadata.jsonl")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TrainError("\(path): cannot be read as UTF-8 text")
        }
        var byFile: [String: [String: Any]] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TrainError("\(path) line \(n + 1): not a JSON object")
            }
            if let file = object["file_name"] as? String { byFile[file] = object }
        }
        return byFile
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

    /// The same crop of image i's mask, in [0, 1]: (1, resolution, resolution); nil without masks.
    public func maskCrop(_ i: Int, resolution: Int, at origin: (y: Int, x: Int)) -> Tensor? {
        guard let masks else { return nil }
        let m = masks[i]
        let w = m.shape[2]
        var out = [Float](repeating: 0, count: resolution * resolution)
        for y in 0..<resolution {
            for x in 0..<resolution { out[y * resolution + x] = m.scalars[(origin.y + y) * w + origin.x + x] }
        }
        return Tensor(shape: [1, resolution, resolution], scalars: out)
    }

    /// The instance term's weight of each latent element, (B, C, h, w): m + w_b·(1 − m), m the
    /// object's share of the latent pixel (the mask averaged over its f×f pixels), w_b image b's
    /// background weight, each image's weights scaled to average 1.
    public static func latentWeights(_ masks: Tensor, latentShape: [Int], backgroundWeights: [Float]) -> Tensor {
        let (B, C, h, w) = (latentShape[0], latentShape[1], latentShape[2], latentShape[3])
        let side = masks.shape[2]
        let f = side / h
        var out = [Float](repeating: 0, count: B * C * h * w)
        for b in 0..<B {
            var plane = [Float](repeating: 0, count: h * w)
            for y in 0..<h {
                for x in 0..<w {
                    var m: Float = 0
                    for dy in 0..<f {
                        for dx in 0..<f { m += masks.scalars[(b * side + y * f + dy) * side + x * f + dx] }
                    }
                    m /= Float(f * f)
                    plane[y * w + x] = m + backgroundWeights[b] * (1 - m)
                }
            }
            let mean = plane.reduce(0, +) / Float(h * w)
            let scaled = mean > 0 ? plane.map { $0 / mean } : [Float](repeating: 1, count: h * w)
            for c in 0..<C { out.replaceSubrange(((b * C + c) * h * w)..<((b * C + c + 1) * h * w), with: scaled) }
        }
        return Tensor(shape: [B, C, h, w], scalars: out)
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

    /// The object of `image` (3, H, W) over `backdrop`: m·image + (1 − m)·backdrop, m the mask (1, H, W).
    public static func onBackdrop(_ image: Tensor, mask: Tensor, backdrop: Tensor) -> Tensor {
        let plane = mask.scalars.count
        var out = image.scalars
        for c in 0..<3 {
            for p in 0..<plane {
                let m = mask.scalars[p]
                out[c * plane + p] = m * image.scalars[c * plane + p] + (1 - m) * backdrop.scalars[c * plane + p]
            }
        }
        return Tensor(shape: image.shape, scalars: out)
    }
}
