// The options `train` and `textual-inversion` share (the reference scripts share them too), as
// swift-argument-parser option groups. Every default is TrainConfig's, said in the help; a flag the
// user gives always wins, over --quick too (--quick only changes what is not given).

import ArgumentParser
import DreamBooth
import Foundation
import ImageIO
import TensorCore

private let defaults = TrainConfig()

/// A whole number ≥ 0 for --seed, parsed so that "-1" is answered with what is allowed, not
/// "Missing value" (the parser would take "-1" for a flag).
func parseSeed(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else { throw ValidationError("a seed is a whole number from 0 to \(UInt64.max)") }
    return seed
}

/// A whole number ≥ 1 (steps, sizes, counts).
func parsePositive(_ text: String) throws -> Int {
    guard let n = Int(text), n >= 1 else { throw ValidationError("must be a whole number ≥ 1") }
    return n
}

/// A whole number ≥ 0 (warm-up steps).
func parseNonNegative(_ text: String) throws -> Int {
    guard let n = Int(text), n >= 0 else { throw ValidationError("must be a whole number ≥ 0") }
    return n
}

/// A finite number (learning rates, betas, weights).
func parseNumber(_ text: String) throws -> Float {
    guard let x = Float(text), x.isFinite else { throw ValidationError("must be a finite number") }
    return x
}

struct OptimizerOptions: ParsableArguments {
    @Option(
        name: .customLong("train_batch_size"), parsing: .unconditional,
        help: ArgumentHelp(
            "Instance images per step (as many class images join them with prior preservation; default "
                + "\(defaults.trainBatchSize))."),
        transform: parsePositive)
    var trainBatchSize: Int?
    @Option(
        name: .customLong("gradient_accumulation_steps"), parsing: .unconditional,
        help: "Micro-batches summed per optimizer step (default \(defaults.gradientAccumulationSteps)).",
        transform: parsePositive)
    var gradientAccumulationSteps: Int?
    @Option(
        name: .customLong("lr_scheduler"),
        help: "The learning-rate schedule (default \(defaults.lrScheduler.rawValue)).")
    var lrScheduler: LRSchedule?
    @Option(
        name: .customLong("lr_warmup_steps"), parsing: .unconditional,
        help: "Linear warm-up steps (default \(defaults.lrWarmupSteps)).", transform: parseNonNegative)
    var lrWarmupSteps: Int?
    @Option(
        name: .customLong("adam_beta1"), parsing: .unconditional, help: "Default \(defaults.adamBeta1).",
        transform: parseNumber)
    var adamBeta1: Float?
    @Option(
        name: .customLong("adam_beta2"), parsing: .unconditional, help: "Default \(defaults.adamBeta2).",
        transform: parseNumber)
    var adamBeta2: Float?
    @Option(
        name: .customLong("adam_weight_decay"), parsing: .unconditional, help: "Default \(defaults.adamWeightDecay).",
        transform: parseNumber)
    var adamWeightDecay: Float?
    @Option(
        name: .customLong("adam_epsilon"), parsing: .unconditional, help: "Default \(defaults.adamEpsilon).",
        transform: parseNumber)
    var adamEpsilon: Float?

    func apply(to c: inout TrainConfig) {
        if let trainBatchSize { c.trainBatchSize = trainBatchSize }
        if let gradientAccumulationSteps { c.gradientAccumulationSteps = gradientAccumulationSteps }
        if let lrScheduler { c.lrScheduler = lrScheduler }
        if let lrWarmupSteps { c.lrWarmupSteps = lrWarmupSteps }
        if let adamBeta1 { c.adamBeta1 = adamBeta1 }
        if let adamBeta2 { c.adamBeta2 = adamBeta2 }
        if let adamWeightDecay { c.adamWeightDecay = adamWeightDecay }
        if let adamEpsilon { c.adamEpsilon = adamEpsilon }
    }
}

struct RunOptions: ParsableArguments {
    @Option(
        name: .customLong("pretrained_model_name_or_path"),
        help: "The pipeline folder to start from (unet/, text_encoder/, tokenizer/, scheduler/).")
    var pretrainedModel = defaults.pretrainedModel
    @Option(
        parsing: .unconditional,
        help: "Seed of everything random: data order, crops, noise (and class images; default \(defaults.seed)).",
        transform: parseSeed)
    var seed: UInt64?
    @Option(
        parsing: .unconditional, help: "Training resolution in pixels (the base model's is \(defaults.resolution)).",
        transform: parsePositive)
    var resolution: Int?
    @Flag(name: .customLong("center_crop"), help: "Center crops instead of random crops.")
    var centerCrop = false
    @Option(
        name: .customLong("checkpointing_steps"), parsing: .unconditional,
        help: "Write a resumable checkpoint every N steps (default \(defaults.checkpointingSteps)).",
        transform: parsePositive)
    var checkpointingSteps: Int?
    @Option(
        name: .customLong("checkpoints_total_limit"), parsing: .unconditional,
        help: "Keep at most this many checkpoints (oldest removed).", transform: parsePositive)
    var checkpointsTotalLimit: Int?
    @Option(name: .customLong("resume_from_checkpoint"), help: "A checkpoint-N folder, or \"latest\" in --output_dir.")
    var resumeFromCheckpoint: String?
    @Option(
        name: .customLong("validation_prompt"),
        help: "Sample this prompt every --validation_steps (a PNG grid in output_dir/validation).")
    var validationPrompt: String?
    @Option(
        name: .customLong("num_validation_images"), parsing: .unconditional,
        help: "Images per validation grid (default \(defaults.numValidationImages)).", transform: parsePositive)
    var numValidationImages: Int?
    @Option(
        name: .customLong("validation_steps"), parsing: .unconditional,
        help: "Steps between validation grids (default \(defaults.validationSteps)).", transform: parsePositive)
    var validationSteps: Int?
    @Option(
        name: .customLong("max_image_pixels"), parsing: .unconditional,
        help: "Refuse instance or class PNGs with more pixels than this (read from the header, before decoding).",
        transform: parsePositive)
    var maxImagePixels = 1 << 24
    @Flag(help: "A few steps and few class images (what the tests run); flags given as well still win.")
    var quick = false
    @Flag(help: "At the end, print the time spent per kind of op (class images and training alike).")
    var profile = false

    /// TrainConfig's defaults (or --quick's) with these options applied.
    func config(instance: String, output: String) -> TrainConfig {
        PNG.maxPixels = maxImagePixels
        Profiler.enabled = profile
        var c = quick ? TrainConfig.quick(instance: instance, output: output) : TrainConfig()
        c.pretrainedModel = pretrainedModel
        c.instanceDataDir = instance
        c.outputDir = output
        if let seed { c.seed = seed }
        if let resolution { c.resolution = resolution }
        c.centerCrop = centerCrop
        if let checkpointingSteps { c.checkpointingSteps = checkpointingSteps }
        c.checkpointsTotalLimit = checkpointsTotalLimit
        c.resumeFromCheckpoint = resumeFromCheckpoint
        c.validationPrompt = validationPrompt
        if let numValidationImages { c.numValidationImages = numValidationImages }
        if let validationSteps { c.validationSteps = validationSteps }
        return c
    }
}

/// Runs the trainer, its errors in the tool's words.
func runTrainer(_ c: TrainConfig) throws {
    let result: TrainResult
    do { result = try DreamBoothTrainer.run(c) } catch let e as TrainError { throw ToolError(description: e.message) }
    guard Profiler.enabled else { return }
    let report = Profiler.report()
    let total = report.reduce(0) { $0 + $1.seconds }
    print(String(format: "time per kind of op (%.1f s of the run's %.1f s):", total, result.seconds))
    for (kind, seconds, calls) in report where seconds >= 0.001 * total {
        let name = kind.padding(toLength: 26, withPad: " ", startingAt: 0)
        print("  " + name + String(format: " %8.2f s  %5.1f %%  %8d calls", seconds, 100 * seconds / total, calls))
    }
}
