// How good the base model is, measured by the judges (chapter 05's quality bar):
//   accuracy   ≥ 256 samples from full captions of held-out compositions (DDIM 50, guidance g),
//              read by the attribute classifier: class, color, pattern, context, style
//   Fréchet    1,000 samples from training captions against the 1,000 real images of the same
//   distance   scenes, in the DINO judge's feature space (an FID in miniature)

import Foundation
import Models
import TensorCore
import ToyWorld

public enum BaseQuality {
    /// Full captions of held-out compositions (photos, as the quality bar asks), seed 606.
    public static func heldOutPrompts(world: World, count: Int) -> [Example] {
        photoPrompts(world: world, split: .heldout, count: count)
    }

    /// The first `count` photos of a split with their full captions, seed 606.
    public static func photoPrompts(world: World, split: World.Split, count: Int) -> [Example] {
        var out: [Example] = []
        var i = 0
        while out.count < count {
            let e = world.example(split, seed: 606, index: i, fullCaption: true)
            if e.scene.style == .photo { out.append(e) }
            i += 1
        }
        return out
    }

    /// The judge's accuracy per attribute on images (each (3, H, W) in [0, 1]) against the scenes
    /// their prompts describe.
    public static func attributeAccuracy(images: [Tensor], scenes: [Scene], judge: AttributeClassifier) -> [Attribute:
        Double]
    {
        attributeAccuracy(batch: World.batchTensor(images), scenes: scenes, judge: judge)
    }

    /// The same for a batch (B, 3, H, W) in [−1, 1].
    public static func attributeAccuracy(batch: Tensor, scenes: [Scene], judge: AttributeClassifier) -> [Attribute:
        Double]
    {
        let predictions = judge.predict(batch)
        var result: [Attribute: Double] = [:]
        for a in Attribute.allCases {
            let pairs = zip(scenes, predictions).compactMap { s, p in a.label(of: s).map { ($0, p[a]!) } }
            result[a] = Double(pairs.filter { $0.0 == $0.1 }.count) / Double(max(1, pairs.count))
        }
        return result
    }

    /// What the judge reads each asked-for value of an attribute as: one line per value,
    /// "asked → read ×count, …" (the class confusion of chapter 05, and the pattern's).
    public static func confusion(
        _ attribute: Attribute, images: [Tensor], scenes: [Scene], judge: AttributeClassifier
    ) -> String {
        let predictions = judge.predict(World.batchTensor(images))
        let names = attribute.labels
        var lines = ["\(attribute.rawValue) asked → \(attribute.rawValue) the judge reads (count):"]
        for (askedIndex, asked) in names.enumerated() {
            let read = zip(scenes, predictions).filter { attribute.label(of: $0.0) == askedIndex }.map {
                $0.1[attribute]!
            }
            guard !read.isEmpty else { continue }
            let counts = Dictionary(grouping: read, by: { $0 }).mapValues(\.count)
                .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            lines.append("  \(asked): " + counts.map { "\(names[$0.key]) ×\($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    public struct Report {
        public var accuracy: [Attribute: Double]
        public var samples: Int, steps: Int, guidance: Float
        public var frechetDistance: Double?, frechetSamples: Int, frechetSteps: Int
        public var realFrechetDistance: Double?
        public var seconds: Double

        public var json: String {
            var fields = Attribute.allCases.map {
                "  \"accuracy_\($0.rawValue)\": \(String(format: "%.4f", accuracy[$0] ?? .nan))"
            }
            fields += [
                "  \"samples\": \(samples)", "  \"num_inference_steps\": \(steps)", "  \"guidance_scale\": \(guidance)",
            ]
            if let f = frechetDistance {
                fields += [
                    "  \"frechet_distance_dino\": \(String(format: "%.4f", f))",
                    "  \"frechet_samples\": \(frechetSamples)", "  \"frechet_steps\": \(frechetSteps)",
                ]
            }
            if let r = realFrechetDistance {
                fields.append("  \"frechet_distance_real_vs_real\": \(String(format: "%.4f", r))")
            }
            return "{\n" + fields.joined(separator: ",\n") + "\n}\n"
        }
    }

    public static func measure(
        _ pipeline: TextToImagePipeline, judges: Judges, samples: Int = 256, steps: Int = 50, guidance: Float = 3,
        frechetSamples: Int = 1000, frechetSteps: Int = 20, split: World.Split = .heldout,
        log: (String) -> Void = printFlushed
    ) -> Report {
        let t0 = Date()
        let world = World(size: pipeline.imageSize)
        let prompts = photoPrompts(world: world, split: split, count: samples)
        let images = pipeline.images(prompts.map(\.caption.text), steps: steps, guidance: guidance, seed: 1234) {
            log("  accuracy samples: \($0)/\(samples)")
        }
        let accuracy = attributeAccuracy(images: images, scenes: prompts.map(\.scene), judge: judges.attributes)
        let which = split == .heldout ? "held-out" : split.rawValue
        log(
            "accuracy on \(samples) \(which) prompts: "
                + Attribute.allCases.map { String(format: "%@ %.3f", $0.rawValue, accuracy[$0]!) }.joined(
                    separator: ", "))
        for attribute in [Attribute.objectClass, .pattern] {
            log(confusion(attribute, images: images, scenes: prompts.map(\.scene), judge: judges.attributes))
        }
        var fd: Double? = nil
        var realFD: Double? = nil
        if frechetSamples > 1 {
            let real = world.examples(.train, seed: 707, indices: Array(0..<frechetSamples))
            let generated = pipeline.images(
                real.map(\.caption.text), steps: frechetSteps, guidance: guidance, seed: 4321
            ) { log("  Fréchet samples: \($0)/\(frechetSamples)") }
            let realFeatures = judges.dino.embed(World.batchTensor(real.map(\.image)))
            fd = Metrics.frechetDistance(judges.dino.embed(World.batchTensor(generated)), realFeatures)
            // The floor: two real sets of the same size differ by sampling alone.
            let other = world.examples(.train, seed: 708, indices: Array(0..<frechetSamples))
            realFD = Metrics.frechetDistance(judges.dino.embed(World.batchTensor(other.map(\.image))), realFeatures)
            log(
                String(
                    format: "Fréchet distance (DINO features): generated vs real %.4f; real vs real %.4f", fd!, realFD!)
            )
        }
        return Report(
            accuracy: accuracy, samples: samples, steps: steps, guidance: guidance, frechetDistance: fd,
            frechetSamples: frechetSamples, frechetSteps: frechetSteps, realFrechetDistance: realFD,
            seconds: Date().timeIntervalSince(t0))
    }
}
