// Does an image show *the* subject, or just an object of its class? The world knows the answer
// for its own renders, so the judge is a vote among the nearest rendered references in the DINO
// judge's embedding: renders of the subject (every context, photo and painting, new positions)
// against renders of ordinary objects of the same class (any palette color and pattern, the same
// contexts). An image counts as the subject when most of its k nearest references are, and when
// its pixels show each of the look's own colors (fill, pattern color, the right half's fill) about as
// much as renders of the subject do.
//
// The second test is there because the vote alone was lenient where the embedding is weak: the DINO
// judge learned the world's eight palette colors, and an autoencoder that returned the teal cup with
// blue fill, or the yellow box with its purple dots washed out, was still voted the subject in 24 of
// 24 reconstructions. The world knows the look's colors exactly, so the judge counts them: the
// share of an image's pixels within `colorRadius` of a look color (RGB distance, channels in 0…1)
// must reach half the share the subject's own renders show at their 10th percentile. The radius,
// 0.25, lets a sample's red half be a darker red (a fine-tuned model's samples were, and are still
// the split ball to the eye) and refuses teal drawn as blue (0.48 apart) or purple dots drawn as
// orange ones.

import TensorCore
import ToyWorld

public struct SubjectLookJudge {
    public let subject: Subject
    let reference: Tensor
    let isSubjectReference: [Bool]
    public let k: Int
    /// The look's own colors, and for each the least share of an image's pixels near it that counts.
    public let lookColors: [RGB]
    public let minimumColorShares: [Float]
    public static let colorRadius: Float = 0.25

    public init(
        subject: Subject, dino: DINOJudge, resolution: Int = 32, perSide: Int = 96, k: Int = 7, seed: UInt64 = 808
    ) {
        self.subject = subject
        self.k = k
        let world = World(size: resolution)
        var images: [Tensor] = []
        var labels: [Bool] = []
        for i in 0..<perSide {
            var rng = RNG(seed: seed).split("look/\(subject.name)/\(i)")
            let context = Context.allCases[i % Context.allCases.count]
            let style: Style = i % 4 == 3 ? .painting : .photo
            images.append(world.render(subject.scene(context, style: style, rng: &rng)))
            labels.append(true)
            let color = ColorName.allCases[rng.randint(ColorName.allCases.count)]
            let pattern = Pattern.allCases[rng.randint(Pattern.allCases.count)]
            let ordinary = World.placed(
                Scene(
                    objectClass: subject.objectClass, color: color, pattern: pattern, context: context, style: style,
                    look: .ordinary(color, pattern)), rng: &rng)
            images.append(world.render(ordinary))
            labels.append(false)
        }
        reference = dino.embed(World.batchTensor(images))
        isSubjectReference = labels
        let look = subject.look
        var colors = [look.fill]
        for c in [look.pattern == .plain ? nil : look.patternColor, look.rightFill] {
            if let c, !colors.contains(c) { colors.append(c) }
        }
        lookColors = colors
        let subjectRenders = World.batchTensor(zip(images, labels).filter(\.1).map(\.0))
        let shares = Self.colorShares(subjectRenders, colors: colors)
        minimumColorShares = colors.indices.map { k in
            let sorted = shares.map { $0[k] }.sorted()
            return 0.5 * sorted[sorted.count / 10]
        }
    }

    /// For images (B, 3, H, W) in [−1, 1]: per image, the share of its pixels within `colorRadius` of each color.
    public static func colorShares(_ images: Tensor, colors: [RGB]) -> [[Float]] {
        let (B, H, W) = (images.shape[0], images.shape[2], images.shape[3])
        let plane = H * W
        return (0..<B).map { b in
            var counts = [Int](repeating: 0, count: colors.count)
            for i in 0..<plane {
                let base = b * 3 * plane + i
                let r = (images.scalars[base] + 1) / 2
                let g = (images.scalars[base + plane] + 1) / 2
                let bl = (images.scalars[base + 2 * plane] + 1) / 2
                for (k, c) in colors.enumerated() {
                    let d2 = (r - c.r) * (r - c.r) + (g - c.g) * (g - c.g) + (bl - c.b) * (bl - c.b)
                    if d2 <= colorRadius * colorRadius { counts[k] += 1 }
                }
            }
            return counts.map { Float($0) / Float(plane) }
        }
    }

    /// For images (B, 3, H, W) in [−1, 1] and their DINO embeddings (B, E): whether each shows the
    /// subject (the nearest references vote for it and every look color is there).
    public func isSubject(images: Tensor, embeddings: Tensor) -> [Bool] {
        let voted = isSubject(embeddings: embeddings)
        let shares = Self.colorShares(images, colors: lookColors)
        return voted.indices.map { i in
            voted[i] && zip(shares[i], minimumColorShares).allSatisfy { $0 >= $1 }
        }
    }

    /// For embeddings (B, E) of images (the DINO judge's), whether the nearest references vote for the subject.
    public func isSubject(embeddings e: Tensor) -> [Bool] {
        let E = e.shape[1]
        let N = reference.shape[0]
        return (0..<e.shape[0]).map { i in
            var sims: [(Float, Bool)] = []
            for j in 0..<N {
                var s: Float = 0
                for d in 0..<E { s += e.scalars[i * E + d] * reference.scalars[j * E + d] }
                sims.append((s, isSubjectReference[j]))
            }
            sims.sort { $0.0 > $1.0 }
            return sims.prefix(k).filter(\.1).count * 2 > k
        }
    }
}
