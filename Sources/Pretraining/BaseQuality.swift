// How good the base model is, measured by the judges (chapter 05's quality bar):
//   accuracy   ≥ 256 samples from full captions of held-out compositions (DDIM 50, guidance g),
//              read by the attribute classifier: class, color, pattern, context, style
//   Fréchet    1,000 samples from training captions against the 1,000 real images of the same
//   distance   scenes, in the DINO judge's feature space (an FID in miniature)

import Evaluation
import Foundation
import Models
import TensorCore
import ToyWorld

public enum BaseQuality {
    /// Images (each (3, H, W) in [0, 1]) for prompts, 16 prompts (32 UNet rows with guidance) at a time.
    public static func sample(_ pipeline: TextToImagePipeline, _ prompts: [String], steps: Int, guidance: Float,
                              sampler: SamplerKind = .ddim, seed: UInt64, progress: (Int) -> Void = { _ in }) -> [Tensor] {
        var images: [Tensor] = []
        for lo in stride(from: 0, to: prompts.count, by: 16) {
            let batch = pipeline(Array(prompts[lo..<min(prompts.count, lo + 16)]), guidanceScale: guidance, steps: steps, sampler: sampler,
                                 seed: seed &+ UInt64(lo))
            images += (0..<batch.shape[0]).map { batch.slice(rows: $0..<($0 + 1)).reshaped(Array(batch.shape.dropFirst())) }
            progress(images.count)
        }
        return images
    }

    public struct Report {
        public var accuracy: [Attribute: Double]
        public var samples: Int, steps: Int, guidance: Float
        public var frechetDistance: Double?, frechetSamples: Int, frechetSteps: Int
        public var realFrechetDistance: Double?
        public var seconds: Double

        public var json: String {
            var fields = Attribute.allCases.map { "  \"accuracy_\($0.rawValue)\": \(String(format: "%.4f", accuracy[$0] ?? .nan))" }
            fields += ["  \"samples\": \(samples)", "  \"num_inference_steps\": \(steps)", "  \"guidance_scale\": \(guidance)"]
            if let f = frechetDistance {
                fields += ["  \"frechet_distance_dino\": \(String(format: "%.4f", f))", "  \"frechet_samples\": \(frechetSamples)", "  \"frechet_steps\": \(frechetSteps)"]
            }
            if let r = realFrechetDistance { fields.append("  \"frechet_distance_real_vs_real\": \(String(format: "%.4f", r))") }
            return "{\n" + fields.joined(separator: ",\n") + "\n}\n"
        }
    }

    public static func measure(_ pipeline: TextToImagePipeline, judges: Judges, samples: Int = 256, steps: Int = 50, guidance: Float = 3,
                               frechetSamples: Int = 1000, frechetSteps: Int = 20, log: (String) -> Void = { print($0); fflush(stdout) }) -> Report {
        let t0 = Date()
        let world = World(size: pipeline.unet.config.sampleSize)
        let prompts = BaseModel.evaluationPrompts(world: world, count: samples)
        let images = sample(pipeline, prompts.map(\.caption.text), steps: steps, guidance: guidance, seed: 1234) { log("  accuracy samples: \($0)/\(samples)") }
        let accuracy = BaseModel.attributeAccuracy(images: images, scenes: prompts.map(\.scene), judge: judges.attributes)
        log("accuracy on \(samples) held-out prompts: " + Attribute.allCases.map { String(format: "%@ %.3f", $0.rawValue, accuracy[$0]!) }.joined(separator: ", "))
        var fd: Double? = nil, realFD: Double? = nil
        if frechetSamples > 1 {
            let real = world.examples(.train, seed: 707, indices: Array(0..<frechetSamples))
            let generated = sample(pipeline, real.map(\.caption.text), steps: frechetSteps, guidance: guidance, seed: 4321) { log("  Fréchet samples: \($0)/\(frechetSamples)") }
            let realFeatures = judges.dino.embed(World.batchTensor(real.map(\.image)))
            fd = Metrics.frechetDistance(judges.dino.embed(World.batchTensor(generated)), realFeatures)
            // The floor: two real sets of the same size differ by sampling alone.
            let other = world.examples(.train, seed: 708, indices: Array(0..<frechetSamples))
            realFD = Metrics.frechetDistance(judges.dino.embed(World.batchTensor(other.map(\.image))), realFeatures)
            log(String(format: "Fréchet distance (DINO features): generated vs real %.4f; real vs real %.4f", fd!, realFD!))
        }
        return Report(accuracy: accuracy, samples: samples, steps: steps, guidance: guidance, frechetDistance: fd,
                      frechetSamples: frechetSamples, frechetSteps: frechetSteps, realFrechetDistance: realFD, seconds: Date().timeIntervalSince(t0))
    }

    /// Scores the sample sets saved during training (samples-NNNNN.safetensors) with a judge,
    /// rewriting evaluations.tsv: the accuracy-against-minutes curve measured by the final judge.
    public static func rescore(work: String, judge: AttributeClassifier, world: World, plan: BasePlan) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.hasPrefix("samples-") && $0.hasSuffix(".safetensors") }.sorted()
        guard !files.isEmpty else { return }
        let scenes = BaseModel.evaluationPrompts(world: world, count: plan.evaluationSamples).map(\.scene)
        var text = "# step\tminutes\t" + Attribute.allCases.map(\.rawValue).joined(separator: "\t") + "\n"
        for f in files {
            let file = try SafeTensorsFile(path: (work as NSString).appendingPathComponent(f))
            let images = try file.tensor("images")
            let list = (0..<images.shape[0]).map { images.slice(rows: $0..<($0 + 1)).reshaped(Array(images.shape.dropFirst())) }
            let acc = BaseModel.attributeAccuracy(images: list, scenes: Array(scenes.prefix(list.count)), judge: judge)
            text += (file.metadata["step"] ?? "?") + "\t" + (file.metadata["minutes"] ?? "?") + Attribute.allCases.map { String(format: "\t%.4f", acc[$0] ?? .nan) }.joined() + "\n"
        }
        try writeAtomically(Data(text.utf8), to: (work as NSString).appendingPathComponent("evaluations.tsv"))
    }
}
