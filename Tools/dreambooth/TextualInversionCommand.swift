// `dreambooth textual-inversion`: the paper's baseline, with textual_inversion.py's flags.

import ArgumentParser
import DreamBooth
import Foundation
import ImageIO
import TensorCore

struct TextualInversionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "textual-inversion",
        abstract: "Learn one token's embedding for a subject (textual inversion, DreamBooth's baseline), with textual_inversion.py's flags.")

    @Option(name: .customLong("pretrained_model_name_or_path"), help: "The pipeline folder (unet/, text_encoder/, tokenizer/, scheduler/).")
    var pretrainedModel = "Checkpoints/base"
    @Option(name: .customLong("train_data_dir"), help: "A folder of the subject's PNG images (any size and color mode).")
    var trainDataDir: String
    @Option(name: .customLong("placeholder_token"), help: "The token whose embedding is learned: one rare token of the vocabulary, e.g. sks.")
    var placeholderToken: String
    @Option(name: .customLong("initializer_token"), help: "The word the embedding starts from, e.g. the class noun ball.")
    var initializerToken: String
    @Option(name: .customLong("learnable_property"), help: "object (the only one here; the reference also has style).")
    var learnableProperty = "object"
    @Option(name: .customLong("learning_rate"), help: "AdamW's learning rate (not scaled by the batch size).")
    var learningRate: Float = TrainConfig.textualInversionLearningRate
    @Option(name: .customLong("max_train_steps"), help: "Optimizer steps.")
    var maxTrainSteps = 400
    @Option(name: .customLong("train_batch_size")) var trainBatchSize = 4
    @Option(name: .customLong("gradient_accumulation_steps")) var gradientAccumulationSteps = 1
    @Option(name: .customLong("lr_scheduler"), help: "constant, constant_with_warmup, linear or cosine.")
    var lrScheduler = "constant"
    @Option(name: .customLong("lr_warmup_steps")) var lrWarmupSteps = 0
    @Option(name: .customLong("adam_beta1")) var adamBeta1: Float = 0.9
    @Option(name: .customLong("adam_beta2")) var adamBeta2: Float = 0.999
    @Option(name: .customLong("adam_weight_decay")) var adamWeightDecay: Float = 1e-2
    @Option(name: .customLong("adam_epsilon")) var adamEpsilon: Float = 1e-8
    @Option(help: "Seed: data order, crops, noise.") var seed: UInt64 = 0
    @Option(help: "Training resolution in pixels.") var resolution = 32
    @Flag(name: .customLong("center_crop")) var centerCrop = false
    @Option(name: .customLong("output_dir"), help: "learned_embeds.safetensors, the pipeline with the learned token, checkpoints, validation grids.")
    var outputDir = "textual-inversion-output"
    @Option(name: .customLong("checkpointing_steps")) var checkpointingSteps = 100
    @Option(name: .customLong("checkpoints_total_limit")) var checkpointsTotalLimit: Int?
    @Option(name: .customLong("resume_from_checkpoint"), help: "A checkpoint-N folder, or \"latest\" in --output_dir.")
    var resumeFromCheckpoint: String?
    @Option(name: .customLong("validation_prompt")) var validationPrompt: String?
    @Option(name: .customLong("num_validation_images")) var numValidationImages = 4
    @Option(name: .customLong("validation_steps")) var validationSteps = 100
    @Option(name: .customLong("max_image_pixels"), help: "Refuse instance or class PNGs with more pixels than this (read from the header, before decoding).")
    var maxImagePixels = 1 << 24
    @Flag(help: "A few steps (what the tests run).") var quick = false

    func run() throws {
        try reportingErrors {
            guard maxImagePixels >= 1 else { throw ToolError(description: "--max_image_pixels must be positive, got \(maxImagePixels)") }
            PNG.maxPixels = maxImagePixels
            guard learnableProperty == "object" else { throw ToolError(description: "--learnable_property must be object, got '\(learnableProperty)'") }
            guard let schedule = LRSchedule(rawValue: lrScheduler) else {
                throw ToolError(description: "--lr_scheduler must be one of \(LRSchedule.allCases.map(\.rawValue).joined(separator: ", ")), got '\(lrScheduler)'")
            }
            var c = quick ? TrainConfig.quick(instance: trainDataDir, output: outputDir) : TrainConfig()
            c.pretrainedModel = pretrainedModel; c.instanceDataDir = trainDataDir; c.outputDir = outputDir
            c.placeholderToken = placeholderToken; c.initializerToken = initializerToken; c.learningRate = learningRate
            if !quick {
                c.maxTrainSteps = maxTrainSteps; c.trainBatchSize = trainBatchSize; c.checkpointingSteps = checkpointingSteps
                c.numValidationImages = numValidationImages; c.validationSteps = validationSteps
            }
            c.gradientAccumulationSteps = gradientAccumulationSteps; c.lrScheduler = schedule; c.lrWarmupSteps = lrWarmupSteps
            c.adamBeta1 = adamBeta1; c.adamBeta2 = adamBeta2; c.adamWeightDecay = adamWeightDecay; c.adamEpsilon = adamEpsilon
            c.maxGradNorm = TrainConfig.noClipping  // the reference does not clip
            c.seed = seed; c.resolution = resolution; c.centerCrop = centerCrop
            c.checkpointsTotalLimit = checkpointsTotalLimit; c.resumeFromCheckpoint = resumeFromCheckpoint; c.validationPrompt = validationPrompt
            do { try DreamBoothTrainer.run(c) } catch let e as TrainError { throw ToolError(description: e.message) }
        }
    }
}
