// The judges: models that look at images and say what they see, trained on world images only,
// apart from everything a generator uses (other seeds; a residual image tower where the text
// encoder's partner is a plain one), and never updated by a generator's training.
//
//   AttributeClassifier  class, color, pattern, context and style of an image (exact ground truth
//                        makes it checkable: ≥ 98% on held-out world images is the bar)
//   CLIP judge           a ContrastivePair of its own: image–image (CLIP-I) and image–text (CLIP-T) cosines
//   DINOJudge            an image encoder trained without labels (instance discrimination over
//                        augmentations): image–image cosines (the paper's DINO metric)

import Foundation
import Models
import TensorCore
import ToyWorld

/// The classifier's output layout: one block of logits per attribute.
public enum Attribute: String, CaseIterable, Sendable {
    case objectClass = "class"
    case color, pattern, context, style

    public var labels: [String] {
        switch self {
        case .objectClass: return ObjectClass.allCases.map(\.rawValue)
        case .color: return ColorName.allCases.map(\.rawValue)
        case .pattern: return Pattern.allCases.map(\.rawValue)
        case .context: return Context.allCases.map(\.rawValue)
        case .style: return Style.allCases.map(\.rawValue)
        }
    }
    /// Where this attribute's logits start in the classifier's output.
    public var offset: Int { Attribute.allCases.prefix { $0 != self }.reduce(0) { $0 + $1.labels.count } }
    public static var totalLogits: Int { allCases.reduce(0) { $0 + $1.labels.count } }

    /// The label index of a scene for this attribute; nil where the image does not show it (a sketch's color).
    public func label(of s: Scene) -> Int? {
        switch self {
        case .objectClass: return ObjectClass.allCases.firstIndex(of: s.objectClass)
        case .color: return s.style == .sketch ? nil : s.color.flatMap { ColorName.allCases.firstIndex(of: $0) }
        case .pattern: return Pattern.allCases.firstIndex(of: s.pattern)
        case .context: return Context.allCases.firstIndex(of: s.context)
        case .style: return Style.allCases.firstIndex(of: s.style)
        }
    }
}

public final class AttributeClassifier {
    public let network: ImageEncoder
    public init(network: ImageEncoder) {
        precondition(
            network.config.outFeatures == Attribute.totalLogits,
            "AttributeClassifier: needs \(Attribute.totalLogits) outputs")
        self.network = network
    }
    public static func fresh(seed: UInt64) -> AttributeClassifier {
        AttributeClassifier(
            network: ImageEncoder(
                ImageEncoderConfig(
                    architecture: "residual", blockOutChannels: [24, 48, 96],
                    outFeatures: Attribute.totalLogits), seed: seed))
    }
    public convenience init(folder: String) throws { self.init(network: try ImageEncoder(folder: folder)) }

    /// Logits of one attribute (B, K) sliced from the output.
    public static func logits(_ out: Variable, _ a: Attribute) -> Variable {
        out.slice(axis: 1, a.offset..<(a.offset + a.labels.count))
    }

    /// The judge's class accuracy on every built-in subject's and probe's renders: `perContext`
    /// placements in each context (seeded, not the instance photos). `through`, when given, changes the
    /// renders (B, 3, H, W) before the judge reads them: an autoencoder's round trip, as a sample's pixels have.
    public func subjectClassAccuracy(
        world: World, seed: UInt64, perContext: Int = 8, through: ((Tensor) -> Tensor)? = nil
    ) -> [String: Double] {
        var result: [String: Double] = [:]
        for subject in Subject.all + Subject.probes {
            var scenes: [Scene] = []
            for (i, context) in Context.allCases.enumerated() {
                for k in 0..<perContext {
                    var rng = RNG(seed: seed).split("subject-class/\(subject.name)/\(i)/\(k)")
                    scenes.append(subject.scene(context, rng: &rng))
                }
            }
            let images = World.batchTensor(world.render(scenes))
            let predictions = predict(through?(images) ?? images)
            let label = Attribute.objectClass.label(of: scenes[0])
            result[subject.name] = Double(predictions.filter { $0[.objectClass] == label }.count) / Double(scenes.count)
        }
        return result
    }

    /// Class accuracy on held-out scenes whose object wears a look the world never draws (Look.random,
    /// every color uniform RGB, further out than the half-palette looks the judge trained on), as a
    /// subject or a user's drawing does: how far "class kept" can be trusted. `through` as in
    /// `subjectClassAccuracy`.
    public func classAccuracyOnUnseenLooks(
        world: World, seed: UInt64, count: Int, through: ((Tensor) -> Tensor)? = nil
    ) -> Double {
        let scenes = (0..<count).map { i in
            var scene = world.scene(.heldout, seed: seed, index: i)
            var rng = RNG(seed: seed).split("unseen-look/\(i)")
            scene.look = Look.random(scene.pattern, rng: &rng)
            scene.color = nil
            return scene
        }
        let images = World.batchTensor(world.render(scenes))
        let predictions = predict(through?(images) ?? images)
        let label = Attribute.objectClass
        return Double(zip(scenes, predictions).filter { label.label(of: $0) == $1[label] }.count) / Double(count)
    }

    /// The predicted label index of every attribute, for images (B, 3, H, W) in [-1, 1].
    public func predict(_ images: Tensor, batch: Int = 128) -> [[Attribute: Int]] {
        var result: [[Attribute: Int]] = []
        for lo in stride(from: 0, to: images.shape[0], by: batch) {
            let x = images.slice(rows: lo..<min(images.shape[0], lo + batch))
            let out = Variable.withoutGradients { network(Variable(x)).value }
            let K = out.shape[1]
            for b in 0..<out.shape[0] {
                var p: [Attribute: Int] = [:]
                for a in Attribute.allCases {
                    let row = Array(out.scalars[(b * K + a.offset)..<(b * K + a.offset + a.labels.count)])
                    p[a] = row.indices.max { row[$0] < row[$1] }!
                }
                result.append(p)
            }
        }
        return result
    }
}

/// The DINO analog: a residual tower whose pooled features, at unit length, are the embedding.
/// (The head is the projection the contrastive loss trains through; similarity uses the features.)
public final class DINOJudge {
    public let network: ImageEncoder
    public init(network: ImageEncoder) { self.network = network }
    public static func fresh(seed: UInt64) -> DINOJudge {
        DINOJudge(
            network: ImageEncoder(
                ImageEncoderConfig(architecture: "residual", blockOutChannels: [24, 48, 96], outFeatures: 64),
                seed: seed))
    }
    public convenience init(folder: String) throws { self.init(network: try ImageEncoder(folder: folder)) }

    /// Unit-length embeddings (B, C) of images (B, 3, H, W) in [-1, 1].
    public func embed(_ images: Tensor, batch: Int = 128) -> Tensor {
        var rows: [Float] = []
        var width = 0
        for lo in stride(from: 0, to: images.shape[0], by: batch) {
            let x = images.slice(rows: lo..<min(images.shape[0], lo + batch))
            let e = Variable.withoutGradients { network.features(Variable(x)).rowNormalized().value }
            width = e.shape[1]
            rows += e.scalars
        }
        return Tensor(shape: [images.shape[0], width], scalars: rows)
    }
}

extension ContrastivePair {
    /// Unit-length image embeddings without gradients, in batches.
    public func imageEmbeddings(_ images: Tensor, batch: Int = 128) -> Tensor {
        var rows: [Float] = []
        var width = 0
        for lo in stride(from: 0, to: images.shape[0], by: batch) {
            let x = images.slice(rows: lo..<min(images.shape[0], lo + batch))
            let e = Variable.withoutGradients { embedImages(Variable(x)).value }
            width = e.shape[1]
            rows += e.scalars
        }
        return Tensor(shape: [images.shape[0], width], scalars: rows)
    }
    /// Unit-length text embeddings without gradients.
    public func textEmbeddings(_ texts: [String], tokenizer: CLIPTokenizer) -> Tensor {
        Variable.withoutGradients { embedTexts(tokenizer(texts)).value }
    }
}

/// The shipped judges, loaded from a folder (Checkpoints/judges).
public struct Judges {
    public let attributes: AttributeClassifier
    public let clip: ContrastivePair
    public let dino: DINOJudge
    public let tokenizer: CLIPTokenizer

    public init(folder: String, tokenizer: CLIPTokenizer) throws {
        attributes = try AttributeClassifier(folder: joinedPath(folder, "attributes"))
        clip = try ContrastivePair.load(folder: joinedPath(folder, "clip"))
        dino = try DINOJudge(folder: joinedPath(folder, "dino"))
        self.tokenizer = tokenizer
    }
}
