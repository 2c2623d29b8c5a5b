// A study: runs and their evaluations, both cached, for the chapters' tables.
//
//   let study = try Study(work: ".experiments", quick: false)
//   let row = try study.result(spec)          // trains (or loads) the run, samples, measures
//   row.metrics.dino, row.images, row.record.seconds
// The evaluation is cached in the run's folder (evaluation.json, and the samples as 8-bit PNG sheets)
// under a version of the evaluation protocol, so changing the prompts or metrics re-measures without
// retraining.
//
// Shipped results. Chapters 06–08 rest on about thirty fine-tuning runs, an hour of training on two
// cores. The repository ships what the chapters read of each run (its record, its metrics and its
// samples, not its weights) in Results/experiments/, under the same names as in .experiments/. A
// result missing from .experiments/ is read from there; so a fresh clone's chapters redraw their
// figures in seconds. With `fromScratch` the shipped results are not read: every run is trained and
// evaluated in .experiments/, and what the chapter read is copied to Results/experiments/ — the
// command that reproduces what is shipped (`make figures FROM_SCRATCH=1`). The samples are stored
// as 8-bit PNG, and read back from the file on both paths, so a figure drawn from shipped results
// and one drawn from a run just trained are the same bytes.

import Evaluation
import Foundation
import ImageIO
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
    /// Where results are shipped (Results/experiments); nil: none read or written.
    public let shipped: String?
    /// Recompute instead of reading `shipped`, and write every result read into it.
    public let fromScratch: Bool
    let log: (String) -> Void

    public init(
        work: String, shipped: String? = nil, fromScratch: Bool = false, base: String = "Checkpoints/base",
        judgesFolder: String = "Checkpoints/judges", quick: Bool, log: @escaping (String) -> Void = printFlushed
    ) throws {
        runner = ExperimentRunner(work: work, base: base, quick: quick, log: log)
        self.shipped = shipped
        self.fromScratch = fromScratch
        judges = try Judges(folder: judgesFolder, tokenizer: try CLIPTokenizer(folder: joinedPath(base, "tokenizer")))
        evaluator = SubjectEvaluator(judges: judges, quick: quick)
        self.log = log
    }

    public func prompts(_ spec: RunSpec) -> [SubjectPrompt] {
        SubjectPrompt.list(subject: spec.subjectValue, identifier: spec.identifier, noun: spec.nounWord)
    }

    /// The run of `spec`, trained or loaded, its samples and metrics, evaluated or loaded.
    public func result(_ spec: RunSpec) throws -> StudyResult {
        let folder = "runs/" + runner.key(spec)
        let v = SubjectEvaluator.version
        return try evaluated(
            spec,
            files: ResultFiles(
                record: folder + "/run.json", metrics: folder + "/evaluation-\(v).json",
                samples: folder + "/samples-\(v).png", classSamples: folder + "/class-samples-\(v).png")
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
        let size = runner.quick ? "quick" : "full"
        let name =
            "baseline/\(spec.subject)-\(spec.identifier)-\(spec.nounWord)-\(size)-\(SubjectEvaluator.version)-"
            + runner.baseIdentity
        let record = RunRecord(spec: spec, seconds: 0, steps: 0, finalLoss: .nan)
        return try evaluated(
            spec,
            files: ResultFiles(
                record: nil, metrics: name + ".json", samples: name + "-samples.png",
                classSamples: name + "-class-samples.png"),
            baselineRecord: record
        ) {
            (try TextToImagePipeline(folder: runner.base), record)
        }
    }

    /// Images a chapter makes from runs beyond their evaluation (a probe prompt, two runs' adapters
    /// together), cached and shipped as one PNG sheet like the evaluation's samples. `name` is a path
    /// relative to the results folder that says what made them, e.g. "runs/<key>/probe-a-green-star.png".
    public func images(_ name: String, make: () throws -> [Tensor]) throws -> [Tensor] {
        if let images = try? Self.readSheet(joinedPath(runner.work, name)) {
            try ship([name])
            return images
        }
        if !fromScratch, let shipped, let images = try? Self.readSheet(joinedPath(shipped, name)) { return images }
        try Self.writeSheet(try make(), to: joinedPath(runner.work, name))
        try ship([name])
        return try Self.readSheet(joinedPath(runner.work, name))
    }

    /// A run's training loss at every step (the trainer's loss.dat), trained first if need be; read
    /// from .experiments/ or, when only its results are there, the shipped results.
    public func losses(_ spec: RunSpec) throws -> [Double] {
        _ = try result(spec)
        let name = "runs/\(runner.key(spec))/loss.dat"
        let local = joinedPath(runner.work, name)
        let file: String
        if FileManager.default.fileExists(atPath: local) {
            try ship([name])
            file = local
        } else if !fromScratch, let shipped {
            file = joinedPath(shipped, name)
        } else {
            throw StudyError("\(local) is missing: the run was trained without it")
        }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        // The first block of "step loss" lines (the second is its moving mean).
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("#") }
        return lines.prefix { !$0.isEmpty }.compactMap { line in line.split(separator: " ").last.flatMap { Double($0) }
        }
    }

    /// The files of one evaluated result, relative to .experiments/ or Results/experiments/.
    struct ResultFiles {
        /// The run's record (run.json); nil for the base model, whose record is made up.
        var record: String?
        var metrics: String
        var samples: String
        var classSamples: String
        var all: [String] { [record, metrics, samples, classSamples].compactMap { $0 } }
    }

    /// The result from `root` when all its files are there and readable.
    func read(_ spec: RunSpec, _ files: ResultFiles, from root: String, baselineRecord: RunRecord?) -> StudyResult? {
        let path = { joinedPath(root, $0) }
        let record: RunRecord? =
            files.record.map { file in
                (try? Data(contentsOf: URL(fileURLWithPath: path(file)))).flatMap {
                    try? RecordJSON.decoder.decode(RunRecord.self, from: $0)
                }
            } ?? baselineRecord
        guard let record,
            let data = try? Data(contentsOf: URL(fileURLWithPath: path(files.metrics))),
            let metrics = try? RecordJSON.decoder.decode(RunMetrics.self, from: data),
            let images = try? Self.readSheet(path(files.samples)),
            let classImages = try? Self.readSheet(path(files.classSamples))
        else { return nil }
        return StudyResult(
            spec: spec, record: record, metrics: metrics, prompts: prompts(spec), images: images,
            classImages: classImages)
    }

    /// The cached evaluation when all its files are in .experiments/, else the shipped one (unless
    /// `fromScratch`); otherwise the model from `model()`, sampled, measured and cached.
    func evaluated(
        _ spec: RunSpec, files: ResultFiles, baselineRecord: RunRecord? = nil,
        model: () throws -> (TextToImagePipeline, RunRecord)
    ) throws -> StudyResult {
        convertLegacySamples(files)
        if let cached = read(spec, files, from: runner.work, baselineRecord: baselineRecord) {
            try ship(files.all)
            return cached
        }
        if !fromScratch, let shipped, let cached = read(spec, files, from: shipped, baselineRecord: baselineRecord) {
            return cached
        }
        if !fromScratch, let shipped, files.record != nil {
            log(
                "note: \(spec.json) is in neither \(runner.work)/ nor the shipped results (\(shipped)/): training it "
                    + "now, a minute or two on 2 cores (`make figures FROM_SCRATCH=1` retrains and ships every run)")
        }
        let (pipeline, _) = try model()  // the record is written by the run itself (or, for the base, made up)
        let prompts = prompts(spec)
        let classPrompt = spec.nounWord.isEmpty ? "a \(spec.subjectValue.objectClass.rawValue)" : spec.classPrompt
        let (images, classImages) = evaluator.samples(pipeline, prompts: prompts, classPrompt: classPrompt)
        let metrics = evaluator.measure(
            subject: spec.subjectValue, prompts: prompts, images: images, classImages: classImages)
        let path = { joinedPath(self.runner.work, $0) }
        try Self.writeSheet(images, to: path(files.samples))
        try Self.writeSheet(classImages, to: path(files.classSamples))
        try writeAtomically(try RecordJSON.encoder.encode(metrics), to: path(files.metrics))
        try ship(files.all)
        // Read back, so that this result and a shipped one are the same 8-bit images.
        return read(spec, files, from: runner.work, baselineRecord: baselineRecord)!
    }

    /// Evaluations cached before 2026-12-07 kept their samples as float16 in one .safetensors file
    /// ("samples", "class_samples") beside the metrics: written out as the PNG sheets read now.
    func convertLegacySamples(_ files: ResultFiles) {
        let path = { joinedPath(self.runner.work, $0) }
        guard !FileManager.default.fileExists(atPath: path(files.samples)) else { return }
        let legacy =
            files.record == nil
            ? path(files.metrics).replacingOccurrences(of: ".json", with: ".safetensors")
            : path(files.metrics).replacingOccurrences(of: "evaluation-", with: "samples-")
                .replacingOccurrences(of: ".json", with: ".safetensors")
        guard let file = try? SafeTensorsFile(path: legacy), let samples = try? file.tensor("samples"),
            let classSamples = try? file.tensor("class_samples")
        else { return }
        try? Self.writeSheet(classSamples.unstacked(), to: path(files.classSamples))
        try? Self.writeSheet(samples.unstacked(), to: path(files.samples))
    }

    /// With `fromScratch`, copies result files from .experiments/ to the shipped folder.
    func ship(_ names: [String]) throws {
        guard fromScratch, let shipped else { return }
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: joinedPath(runner.work, name)))
            let target = joinedPath(shipped, name)
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if (try? Data(contentsOf: URL(fileURLWithPath: target))) != data { try writeAtomically(data, to: target) }
        }
    }

    /// Images (3, H, W) in [0, 1] of one size as one PNG, one below the other: 8 bits a channel.
    static func writeSheet(_ images: [Tensor], to path: String) throws {
        guard let first = images.first else { throw StudyError("no images to write to \(path)") }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let (h, w) = (first.shape[1], first.shape[2])
        var scalars = [Float](repeating: 0, count: 3 * images.count * h * w)
        for (i, image) in images.enumerated() {
            for c in 0..<3 {
                let plane = Array(image.scalars[(c * h * w)..<((c + 1) * h * w)])
                scalars.replaceSubrange(
                    ((c * images.count + i) * h * w)..<((c * images.count + i + 1) * h * w), with: plane)
            }
        }
        try PNG.write(Tensor(shape: [3, images.count * h, w], scalars: scalars), to: path)
    }

    /// The images of a sheet: square, as wide as the sheet.
    static func readSheet(_ path: String) throws -> [Tensor] {
        let sheet = try PNG.read(path)
        let w = sheet.shape[2]
        let count = sheet.shape[1] / w
        guard count * w == sheet.shape[1], count > 0 else {
            throw StudyError("\(path) is not a column of square images")
        }
        let plane = w * w
        return (0..<count).map { i in
            var scalars: [Float] = []
            scalars.reserveCapacity(3 * plane)
            for c in 0..<3 { scalars += sheet.scalars[((c * count + i) * plane)..<((c * count + i + 1) * plane)] }
            return Tensor(shape: [3, w, w], scalars: scalars)
        }
    }

}

public struct StudyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Study {
    /// Where the repository ships the results of chapters 06–08.
    public static let shippedResults = "Results/experiments"

    /// The study of a chapter (06–08): its runs in .experiments, or with --quick in `quickWork`
    /// (the chapter's output folder); the shipped results read (or, `fromScratch`, written) in full
    /// mode only. Run outside the repository root, without Checkpoints/base and Checkpoints/judges,
    /// the chapter stops here with the reason.
    public static func forChapter(_ chapter: String, quick: Bool, fromScratch: Bool, quickWork: String) -> Study {
        do {
            return try Study(
                work: quick ? quickWork : ".experiments", shipped: quick ? nil : shippedResults,
                fromScratch: fromScratch, quick: quick)
        } catch {
            print(
                "chapter \(chapter) reads Checkpoints/base and Checkpoints/judges "
                    + "(run from the repository root): \(error)"
            )
            exit(1)
        }
    }
}
