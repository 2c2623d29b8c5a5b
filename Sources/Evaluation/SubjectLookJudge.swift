// Does an image show *the* subject, or just an object of its class? The world knows the answer
// for its own renders, so the judge is a vote among the nearest rendered references in the DINO
// judge's embedding: renders of the subject (every context, photo and painting, new positions)
// against renders of ordinary objects of the same class (any palette color and pattern, the same
// contexts). An image counts as the subject when most of its k nearest references are.

import TensorCore
import ToyWorld

public struct SubjectLookJudge {
    public let subject: Subject
    let reference: Tensor
    let isSubjectReference: [Bool]
    public let k: Int

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
    }

    /// For embeddings (B, E) of images (the DINO judge's), whether each shows the subject.
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
