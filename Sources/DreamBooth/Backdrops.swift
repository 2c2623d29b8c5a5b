// New backgrounds for the subject's photos, drawn by the frozen base model (--background_augmentation).
//
// Four photos show the subject in four contexts, and fine-tuning learns its look next to those four
// backgrounds: asked for a context none of them has, the model kept the look far less often (the
// split ball's blue half was lost at night and on water, the contexts its photos lack, in 3 of 4
// samples). So before training, each photo's object (its mask) is kept and the base model draws
// the rest around it from the class prompt ("a ball"): RePaint-style inpainting in latent space
// (TextToImagePipeline's `keep`), then the object's own pixels pasted back over the decoded image.
// The base draws the class in every context it knows, so the subject is seen against backgrounds
// none of the photos has. Such a crop is trained on --instance_prompt: its context is not named.

import Foundation
import ImageIO
import Models
import TensorCore

/// Each instance photo's variants on new backgrounds, with the mask of the object they keep.
public struct Backdrops {
    /// variants[i][k]: photo i's object on background k, (3, R, R) in [−1, 1].
    public let variants: [[Tensor]]
    /// Photo i's object mask at the crop the variants were made from, (1, R, R).
    public let masks: [Tensor]
    /// The context phrase variant k was drawn with (all "" without --background_contexts).
    public let contexts: [String]
    /// Variants per photo: each (photo, variant) crop is encoded once and cached for the run.
    public static let perPhoto = 8
    /// RePaint's resamplings per step (KeptRegion): at 1 the base often drew a second, half-hidden
    /// object beside the kept one.
    static let resamplings = 4
}

extension Backdrops {
    /// The object of `image` (3, H, W) over `backdrop`, its soft edge unmixed: a pixel the object covers
    /// by m ∈ (0, 1) holds m·object + (1 − m)·old background, so `ImageFolder.onBackdrop`'s
    /// m·image + (1 − m)·backdrop keeps m(1 − m) of the photo's old background there, a light ring around
    /// the object on a night or water backdrop. Here such a pixel becomes image + (1 − m)·(backdrop − old),
    /// the old background estimated as the mean of the photo's pixels outside the object (m = 0) within
    /// two pixels (three, then the pixel is left as onBackdrop makes it, when there are none).
    public static func composited(_ image: Tensor, mask: Tensor, backdrop: Tensor) -> Tensor {
        let (H, W) = (image.shape[1], image.shape[2])
        let plane = H * W
        var out = ImageFolder.onBackdrop(image, mask: mask, backdrop: backdrop).scalars
        for p in 0..<plane {
            let m = mask.scalars[p]
            guard m > 0 && m < 1 else { continue }
            let (y, x) = (p / W, p % W)
            for radius in 2...3 {
                var old: [Float] = [0, 0, 0]
                var count: Float = 0
                for yy in max(0, y - radius)...min(H - 1, y + radius) {
                    for xx in max(0, x - radius)...min(W - 1, x + radius) where mask.scalars[yy * W + xx] == 0 {
                        for c in 0..<3 { old[c] += image.scalars[c * plane + yy * W + xx] }
                        count += 1
                    }
                }
                guard count > 0 else { continue }
                for c in 0..<3 {
                    let i = c * plane + p
                    out[i] = image.scalars[i] + (1 - m) * (backdrop.scalars[i] - old[c] / count)
                }
                break
            }
        }
        return Tensor(shape: image.shape, scalars: out)
    }
}

extension DreamBoothTrainer {
    /// With --background_augmentation p > 0, the instance folder's masks, an autoencoder and a class
    /// prompt: `Backdrops.perPhoto` variants of each photo's center crop, drawn with the frozen base
    /// before any weight changes; else nil (said when p > 0).
    public static func backdrops(
        _ c: TrainConfig, _ pipeline: TextToImagePipeline, instances: ImageFolder, log: (String) -> Void
    ) throws -> Backdrops? {
        guard c.backgroundAugmentation > 0 else { return nil }
        guard instances.masks != nil, let vae = pipeline.vae, let prompt = c.classPrompt else {
            log(
                "--background_augmentation is off: it needs object masks in the instance folder, a latent base "
                    + "model and a class prompt")
            return nil
        }
        let R = c.resolution
        let n = instances.images.count
        let K = Backdrops.perPhoto
        var rng = RNG(seed: c.seed).split("backdrops")
        let origins = (0..<n).map { instances.cropOrigin($0, resolution: R, center: true, rng: &rng) }
        let crops = (0..<n).map { instances.crop($0, resolution: R, at: origins[$0]) }
        let masks = (0..<n).map { instances.maskCrop($0, resolution: R, at: origins[$0])! }
        var phrases = c.backgroundContexts
        if c.backgroundContextsUnseenOnly, let captions = instances.captions {
            let unseen = phrases.filter { p in !captions.contains { $0.contains(p) } }
            if !unseen.isEmpty && unseen.count < phrases.count {
                log("new backgrounds only in the contexts no photo shows: " + unseen.joined(separator: ", "))
                phrases = unseen
            }
        }
        let contexts = (0..<K).map { phrases.isEmpty ? "" : phrases[$0 % phrases.count] }
        let prompts = contexts.map { $0.isEmpty ? prompt : prompt + " " + $0 }
        log(
            "drawing \(K) new backgrounds around each of the \(n) photos' objects "
                + "(\(Set(prompts).sorted().map { "\"\($0)\"" }.joined(separator: ", ")); the frozen base)")
        // The object's latents, and the latent pixels it covers at least half of.
        let x = Tensor.concatenate(crops.map { $0.reshaped([1] + $0.shape) })
        let z = Variable.withoutGradients { vae.encode(Variable(x)).mean.value }.map { $0 * vae.config.scalingFactor }
        let f = vae.config.downsamplingFactor
        let latentMasks = masks.map { latentMask($0, factor: f) }
        // One batch of n·K: photo i's variant k is row k·n + i.
        let keep = KeptRegion(
            latents: Tensor.concatenate([Tensor](repeating: z, count: K)),
            mask: Tensor.concatenate((0..<K).flatMap { _ in latentMasks.map { $0.reshaped([1] + $0.shape) } }),
            resamplings: Backdrops.resamplings)
        var progress = ProgressLine("backgrounds", total: c.samplingSteps)
        let drawn = pipeline(
            (0..<K).flatMap { k in [String](repeating: prompts[k], count: n) }, guidanceScale: c.samplingGuidance,
            steps: c.samplingSteps,
            seed: c.seed &+ 5_000, keep: keep, progress: { k, _ in progress.update(k) }
        ).unstacked()
        let variants = (0..<n).map { i in
            (0..<K).map { k in
                let backdrop = drawn[k * n + i].map { 2 * $0 - 1 }
                return c.backdropCleanEdges
                    ? Backdrops.composited(crops[i], mask: masks[i], backdrop: backdrop)
                    : ImageFolder.onBackdrop(crops[i], mask: masks[i], backdrop: backdrop)
            }
        }
        let backdrops = Backdrops(variants: variants, masks: masks, contexts: contexts)
        try FileManager.default.createDirectory(atPath: c.outputDir, withIntermediateDirectories: true)
        try writeBackdropsGrid(backdrops, photos: instances, resolution: R, to: c.outputDir)
        return backdrops
    }

    /// output_dir/backgrounds.png: a row per photo, the photo then its variants, 4× upscaled.
    static func writeBackdropsGrid(_ backdrops: Backdrops, photos: ImageFolder, resolution: Int, to dir: String)
        throws
    {
        let origin = { (i: Int) -> (y: Int, x: Int) in
            var unused = RNG(seed: 0)
            return photos.cropOrigin(i, resolution: resolution, center: true, rng: &unused)
        }
        let tiles = backdrops.variants.enumerated().flatMap { i, row in
            ([photos.crop(i, resolution: resolution, at: origin(i))] + row).map {
                ImageOps.upscaled($0.map { Swift.min(1, Swift.max(0, $0 / 2 + 0.5)) }, by: 4)
            }
        }
        try PNG.write(
            ImageOps.grid(tiles, rows: backdrops.variants.count, columns: Backdrops.perPhoto + 1),
            to: joinedPath(dir, "backgrounds.png"))
    }

    /// 1 on the latent pixels whose f×f pixels the object covers at least half of, else 0: (1, h, w).
    static func latentMask(_ mask: Tensor, factor f: Int) -> Tensor {
        let side = mask.shape[2]
        let h = side / f
        var out = [Float](repeating: 0, count: h * h)
        for y in 0..<h {
            for x in 0..<h {
                var m: Float = 0
                for dy in 0..<f { for dx in 0..<f { m += mask.scalars[(y * f + dy) * side + x * f + dx] } }
                out[y * h + x] = m / Float(f * f) >= 0.5 ? 1 : 0
            }
        }
        return Tensor(shape: [1, h, h], scalars: out)
    }
}
