// A study: runs and their evaluations, both cached, for the chapters' tables.
//
//   let study = try Study(work: ".experiments", quick: false)
//   let row = try study.result(spec)          // trains (or loads) the run, samples, measures
//   row.metrics.dino, row.images, row.record.seconds
// The evaluation is cached in the run's folder (evaluation.json and samples.safetensors) under a
// version of the evaluation protocol, so changing the prompts or metrics re-measures without
// retraining.

import Evaluation
import Foundation
import Models
import TensorCore
import ToyWorld

public struct StudyResult: Sendable {
    public var spec: RunSpec
    public var record: RunRecord
    public var metrics: RunMetrics
    public var prompts: [SubjectPrompt]
    /// The samples, `samplesPerPrompt` per prompt in prompt order, each (3, H, W) in [0, 1].
    public var images: [Tensor]
    public var classImages: [Tensor]
}

public final class Study {
    public let runner: ExperimentRunner
    public let evaluator: SubjectEvaluator
    public let judges: Judges
    let log: (String) -> Void

    public init(
        work: String, base: String = "Checkpoints/base", judgesFolder: String = "Checkpoints/judges", quick: Bool,
        log: @escaping (String) -> Void = printFlushed
    ) throws {
        runner = ExperimentRunner(work: work, base: base, quick: quick, log: log)
        judges = try Judges(folder: judgesFolder, tokenizer: try CLIPTokenizer(folder: joinedPath(base, "tokenizer")))
        evaluator = SubjectEvaluator(judges: judges, quick: quick)
        self.log = log
    }

    public func prompts(_ spec: RunSpec) -> [SubjectPrompt] {
        SubjectPrompt.list(subject: spec.subjectValue, identifier: spec.identifier, noun: spec.nounWord)
    }

    /// The run of `spec`, trained or loaded, its samples and metrics, evaluated or loaded.
    public func result(_ spec: RunSpec) throws -> StudyResult {
        let dir = runner.directory(spec)
        let recordFile = joinedPath(dir, "run.json")
        let cachedRecord = (try? Data(contentsOf: URL(fileURLWithPath: recordFile))).flatMap {
            try? RecordJSON.decoder.decode(RunRecord.self, from: $0)
        }
        return try evaluated(
            spec, cachedRecord: cachedRecord, evalFile: joinedPath(dir, "evaluation-\(SubjectEvaluator.version).json"),
            sampleFile: joinedPath(dir, "samples-\(SubjectEvaluator.version).safetensors")
        ) {
            let (pipeline, record) = try runner.pipeline(spec)
            log(
                "evaluating \(runner.key(spec)): \(prompts(spec).count) prompts × \(evaluator.samplesPerPrompt) samples"
            )
            return (pipeline, record)
        }
    }

    /// The base model before any fine-tuning, measured with a spec's prompts (the identifier means
    /// nothing to it yet): the "before" of drift and of the class prompt's statistics.
    public func baseline(_ spec: RunSpec) throws -> StudyResult {
        let dir = joinedPath(runner.work, "baseline")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let size = runner.quick ? "quick" : "full"
        let name = "\(spec.subject)-\(spec.identifier)-\(spec.nounWord)-\(size)-\(SubjectEvaluator.version)"
        let record = RunRecord(spec: spec, seconds: 0, steps: 0, finalLoss: .nan)
        return try evaluated(
            spec, cachedRecord: record, evalFile: joinedPath(dir, name + ".json"),
            sampleFile: joinedPath(dir, name + ".safetensors")
        ) {
            (try TextToImagePipeline(folder: runner.base), record)
        }
    }

    /// The cached evaluation when all its files are there; otherwise the model from `model()`,
    /// sampled, measured and cached.
    func evaluated(
        _ spec: RunSpec, cachedRecord: RunRecord?, evalFile: String, sampleFile: String,
        model: () throws -> (TextToImagePipeline, RunRecord)
    ) throws -> StudyResult {
        let prompts = prompts(spec)
        if let record = cachedRecord,
            let data = try? Data(contentsOf: URL(fileURLWithPath: evalFile)),
            let metrics = try? RecordJSON.decoder.decode(RunMetrics.self, from: data),
            let file = try? SafeTensorsFile(path: sampleFile), let samples = try? file.tensor("samples"),
            let classSamples = try? file.tensor("class_samples")
        {
            return StudyResult(
                spec: spec, record: record, metrics: metrics, prompts: prompts, images: samples.unstacked(),
                classImages: classSamples.unstacked())
        }
        let (pipeline, record) = try model()
        let classPrompt = spec.nounWord.isEmpty ? "a \(spec.subjectValue.objectClass.rawValue)" : spec.classPrompt
        let (images, classImages) = evaluator.samples(pipeline, prompts: prompts, classPrompt: classPrompt)
        let metrics = evaluator.measure(
            subject: spec.subjectValue, prompts: prompts, images: images, classImages: classImages)
        try SafeTensors.write(
            ["samples": Self.stack(images), "class_samples": Self.stack(classImages)], to: sampleFile, as: .f16)
        try writeAtomically(try RecordJSON.encoder.encode(metrics), to: evalFile)
        return StudyResult(
            spec: spec, record: record, metrics: metrics, prompts: prompts, images: images, classImages: classImages)
    }

    static func stack(_ images: [Tensor]) -> Tensor { World.batchTensor(images, signed: false) }
}

extension Study {
    /// The study of a chapter (06–08): its runs in .experiments, or with --quick in `quickWork`
    /// (the chapter's output folder). Run outside the repository root, without Checkpoints/base
    /// and Checkpoints/judges, the chapter stops here with the reason.
    public static func forChapter(_ chapter: String, quick: Bool, quickWork: String) -> Study {
        do { return try Study(work: quick ? quickWork : ".experiments", quick: quick) } catch {
            print(
                "chapter \(chapter) reads Checkpoints/base and Checkpoints/judges "
                    + "(run from the repository root): \(error)"
            )
            exit(1)
        }
    }
}
