// Fine-tuning runs for chapters 06–08, cached by a key of their inputs.
//
// Every table of the paper is a set of DreamBooth runs that differ in one input: the identifier,
// the class noun, the number of instance images, prior preservation and its weight λ, training
// the text encoder, or textual inversion instead. A `RunSpec` is those inputs; everything else is
// the trainer's own defaults (TrainConfig()), so a table measures the DreamBooth a user gets.
// A run lives in work/runs/<key>/, key a hash of the spec and of the base model, and is trained
// once: a rerun with nothing changed loads it. A run stopped halfway resumes from its last
// checkpoint (the trainer's --resume_from_checkpoint latest), so chapters 06–08 share runs and
// survive interruption.

import DreamBooth
import Foundation
import ImageIO
import Models
import TensorCore
import ToyWorld

public enum Method: String, Codable, Sendable {
    case dreambooth
    case textualInversion = "textual_inversion"
}

public struct RunSpec: Codable, Hashable, Sendable {
    public var method = Method.dreambooth
    public var subject = "split-ball"
    /// The identifier ("sks"); for textual inversion, the placeholder token.
    public var identifier = "sks"
    /// The class noun in the prompts; nil for the subject's own class, "" for none.
    public var noun: String? = nil
    /// How many of the subject's instance images are used (1–5; the paper uses 3–5).
    public var images = 4
    public var priorPreservation = true
    public var priorLossWeight: Float = 1
    public var trainTextEncoder = false
    public var seed: UInt64 = 0
    /// LoRA rank (train_dreambooth_lora.py's --rank); nil for full fine-tuning. Omitted from the
    /// key when nil, so full runs keep their keys.
    public var rank: Int? = nil
    /// --train_text_encoder_ti; nil for the trainer's default (pivotal tuning wherever it applies: with
    /// a class prompt, which the trainer has only with prior preservation). true without the prior
    /// keeps a comparison with and without it to one difference. Omitted from the key when nil.
    public var pivotalTuning: Bool? = nil
    /// --lora_layers; nil for the trainer's default (attention projections and convolutions). Omitted
    /// from the key when nil.
    public var loraLayers: [String]? = nil
    public init() {}

    public var subjectValue: Subject { Subject.named(subject)! }
    /// The noun as prompts use it ("ball"; "" when there is none).
    public var nounWord: String { noun ?? subjectValue.objectClass.rawValue }
    /// "a sks ball", "a sks" without a noun.
    public var instancePrompt: String { nounWord.isEmpty ? "a \(identifier)" : "a \(identifier) \(nounWord)" }
    /// Prior preservation needs a class noun; without one a run trains without the prior.
    public var usesPrior: Bool { method == .dreambooth && priorPreservation && !nounWord.isEmpty }
    public var classPrompt: String { nounWord.isEmpty ? "a" : "a \(nounWord)" }

    /// The spec as a short JSON line, also the cache key's input.
    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(self), as: UTF8.self)
    }
}

/// What a finished run records next to its weights.
public struct RunRecord: Codable, Sendable {
    public var spec: RunSpec
    public var seconds: Double
    public var steps: Int
    public var finalLoss: Float
}

public final class ExperimentRunner {
    public let work: String
    public let base: String
    public let quick: Bool
    let log: (String) -> Void
    /// Bumped when the trainer or the run protocol changes, so old runs are not reused.
    /// v2 (2026-12-08): new backgrounds in the contexts no photo shows became the trainer's defaults.
    static let protocolVersion = "runs-v2"

    public init(
        work: String, base: String = "Checkpoints/base", quick: Bool,
        log: @escaping (String) -> Void = printFlushed
    ) {
        self.work = work
        self.base = base
        self.quick = quick
        self.log = log
    }

    /// The base model's identity: a hash of its UNet, text-encoder and scheduler files.
    public lazy var baseIdentity: String = {
        var h = fnv1a([UInt8]())
        for f in [
            "unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
            "scheduler/scheduler_config.json",
        ] {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: joinedPath(base, f)))) ?? Data()
            h = fnv1a(data, startingFrom: h)
        }
        return String(h, radix: 16)
    }()

    public func key(_ spec: RunSpec) -> String {
        // LoRA runs train at `train --rank`'s learning rate since 2026-12-07 (before, at full
        // fine-tuning's): their older runs are not reused.
        let lora = spec.rank == nil ? "" : "lora-defaults-v2"
        let h = (Self.protocolVersion + lora + (quick ? "quick" : "full") + baseIdentity + spec.json).fnv1aHex
        return "\(spec.method == .dreambooth ? "db" : "ti")-\(spec.subject)-" + h
    }

    public func directory(_ spec: RunSpec) -> String { joinedPath(joinedPath(work, "runs"), key(spec)) }

    /// The subject's first `count` instance images as PNGs, written once.
    public func instanceFolder(_ subject: Subject, count: Int, resolution: Int) throws -> String {
        let dir = joinedPath(joinedPath(work, "instances"), "\(subject.name)-\(count)")
        let world = World(size: resolution)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (i, s) in subject.instanceScenes(count: count).enumerated() {
            let file = joinedPath(dir, String(format: "%02d.png", i))
            if !FileManager.default.fileExists(atPath: file) { try PNG.write(world.render(s), to: file) }
        }
        return dir
    }

    /// The trainer's configuration for a spec: TrainConfig's defaults (or the quick ones) with the spec applied.
    public func config(_ spec: RunSpec, resolution: Int = 32) throws -> TrainConfig {
        let instances = try instanceFolder(spec.subjectValue, count: spec.images, resolution: resolution)
        let out = directory(spec)
        var c = quick ? TrainConfig.quick(instance: instances, output: out) : TrainConfig()
        c.pretrainedModel = base
        c.instanceDataDir = instances
        c.outputDir = out
        c.seed = spec.seed
        switch spec.method {
        case .dreambooth:
            c.instancePrompt = spec.instancePrompt
            c.trainTextEncoder = spec.trainTextEncoder
            c.rank = spec.rank
            c.trainTextEncoderTI = spec.pivotalTuning
            if spec.rank != nil { c.learningRate = TrainConfig.loRALearningRate }  // as `train --rank` does
            if let layers = spec.loraLayers { c.loraLayers = layers }
            if spec.usesPrior {
                c.withPriorPreservation = true
                c.priorLossWeight = spec.priorLossWeight
                c.classPrompt = spec.classPrompt
                c.classDataDir = joinedPath(
                    joinedPath(work, "class-images"), "\(spec.nounWord)-seed\(spec.seed)\(quick ? "-quick" : "")")
            } else if spec.pivotalTuning == true {
                // Pivotal tuning without the prior term: the class prompt only says which word of the
                // instance prompt is the identifier (no class images are made or trained on).
                c.classPrompt = spec.classPrompt
            }
        case .textualInversion:
            c.placeholderToken = spec.identifier
            c.initializerToken = spec.nounWord.isEmpty ? spec.subjectValue.objectClass.rawValue : spec.nounWord
            c.learningRate = TrainConfig.textualInversionLearningRate
            c.maxGradNorm = TrainConfig.noClipping
        }
        c.resumeFromCheckpoint = "latest"
        return c
    }

    /// The fine-tuned pipeline of a spec: loaded when the run is finished, else trained (resuming
    /// from its last checkpoint when one exists).
    public func pipeline(_ spec: RunSpec) throws -> (TextToImagePipeline, RunRecord) {
        let dir = directory(spec)
        let recordFile = joinedPath(dir, "run.json")
        if let data = try? Data(contentsOf: URL(fileURLWithPath: recordFile)),
            let record = try? RecordJSON.decoder.decode(RunRecord.self, from: data)
        {
            return (try load(spec), record)
        }
        log("run \(key(spec)): \(spec.json)")
        let result = try DreamBoothTrainer.run(try config(spec), log: log)
        let record = RunRecord(
            spec: spec, seconds: result.seconds, steps: result.steps, finalLoss: result.losses.last ?? .nan)
        let e = RecordJSON.encoder
        try writeAtomically(try e.encode(record), to: recordFile)
        // The checkpoints were for resuming; the finished pipeline is what later reads need.
        for (_, c) in (try? DreamBoothTrainer.checkpoints(dir)) ?? [] { try? FileManager.default.removeItem(atPath: c) }
        return (try load(spec), record)
    }

    /// A finished run's pipeline: its own folder, or for LoRA the base with the adapters applied.
    func load(_ spec: RunSpec) throws -> TextToImagePipeline {
        let dir = directory(spec)
        guard spec.rank != nil else { return try TextToImagePipeline(folder: dir) }
        let pipeline = try TextToImagePipeline(folder: base)
        try pipeline.applyLoRA(joinedPath(dir, LoRAWeights.fileName))
        return pipeline
    }
}

/// JSON for records and metrics: sorted keys, and NaN (a metric with nothing to measure) written as "nan".
enum RecordJSON {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
