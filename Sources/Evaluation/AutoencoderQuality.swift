// How much of an image the autoencoder keeps (the bar of its pretraining stage): fresh world images
// of the held-out compositions, each encoded to its latent mean and decoded, read by the
// attribute judge beside the originals, and their PSNR.

import Foundation
import Models
import TensorCore
import ToyWorld

public enum AutoencoderQuality {
    public struct Report: Sendable {
        /// The judge on the reconstructions, and on the originals (its own error, for reference).
        public var reconstructed: [Attribute: Double], original: [Attribute: Double]
        /// 10·log₁₀(1 / MSE) on [0, 1] pixels, over all images.
        public var psnr: Double
        public var images: Int
    }

    /// Images (B, 3, H, W) in [−1, 1] through encode → mean → decode, in batches, without gradients,
    /// clamped to [−1, 1] as a pipeline clamps what it decodes.
    public static func reconstruct(_ images: Tensor, vae: AutoencoderKL, batch: Int = 64) -> Tensor {
        var parts: [Tensor] = []
        for lo in stride(from: 0, to: images.shape[0], by: batch) {
            let x = images.slice(rows: lo..<min(images.shape[0], lo + batch))
            parts.append(
                Variable.withoutGradients { vae.decode(vae.encode(Variable(x)).mean).value }.map {
                    Swift.min(Swift.max($0, -1), 1)
                })
        }
        return Tensor.concatenate(parts)
    }

    /// PSNR in dB of images in [−1, 1], measured on [0, 1] pixels.
    public static func psnr(_ reconstructed: Tensor, _ original: Tensor) -> Double {
        var sum = 0.0
        for (a, b) in zip(reconstructed.scalars, original.scalars) {
            let d = Double(a - b) / 2
            sum += d * d
        }
        return 10 * log10(1 / Swift.max(sum / Double(original.count), 1e-12))
    }

    /// `count` fresh held-out world images (seed `seed`, all styles), reconstructed and judged.
    public static func measure(vae: AutoencoderKL, judge: AttributeClassifier, world: World, count: Int, seed: UInt64)
        -> Report
    {
        let examples = world.examples(.heldout, seed: seed, indices: Array(0..<count))
        let originals = World.batchTensor(examples.map(\.image))
        let reconstructed = reconstruct(originals, vae: vae)
        let scenes = examples.map(\.scene)
        return Report(
            reconstructed: BaseQuality.attributeAccuracy(batch: reconstructed, scenes: scenes, judge: judge),
            original: BaseQuality.attributeAccuracy(batch: originals, scenes: scenes, judge: judge),
            psnr: psnr(reconstructed, originals), images: count)
    }

    /// What DreamBooth can at best get back of a subject through this decoder: the subject rendered
    /// `perContext` times in every context (new placements, seed 909), reconstructed, and the share
    /// the look judge calls the subject, on the reconstructions and on the renders themselves.
    public static func subjectLookKept(
        _ subject: Subject, vae: AutoencoderKL, lookJudge: SubjectLookJudge, dino: DINOJudge, perContext: Int = 4
    ) -> (reconstructed: Double, original: Double) {
        let world = World(size: vae.config.sampleSize)
        var scenes: [Scene] = []
        for (c, context) in Context.allCases.enumerated() {
            for i in 0..<perContext {
                var rng = RNG(seed: 909).split("look-kept/\(subject.name)/\(c)/\(i)")
                scenes.append(subject.scene(context, rng: &rng))
            }
        }
        let originals = World.batchTensor(scenes.map(world.render))
        func share(_ images: Tensor) -> Double {
            let kept = lookJudge.isSubject(images: images, embeddings: dino.embed(images))
            return Double(kept.filter { $0 }.count) / Double(kept.count)
        }
        return (share(reconstruct(originals, vae: vae)), share(originals))
    }
}
