// `dreambooth train`: DreamBooth fine-tuning with train_dreambooth.py's flags.

import ArgumentParser
import DreamBooth
import Foundation
import ImageIO
import TensorCore

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Fine-tune the base model on 3–5 images of one subject (DreamBooth), with train_dreambooth.py's flags.")

    @Option(name: .customLong("pretrained_model_name_or_path"), help: "The pipeline folder to fine-tune (unet/, text_encoder/, tokenizer/, scheduler/).")
    var pretrainedModel = "Checkpoints/base"
    @Option(name: .customLong("instance_data_dir"), help: "A folder of the subject's PNG images (any size and color mode).")
    var instanceDataDir: String
    @Option(name: .customLong("instance_prompt"), help: "The prompt with the identifier and the class noun, e.g. \"a sks ball\".")
    var instancePrompt: String
    @Option(name: .customLong("class_data_dir"), help: "Where class images are kept; the missing ones are generated there by the base model.")
    var classDataDir: String?
    @Option(name: .customLong("class_prompt"), help: "The class prompt without the identifier, e.g. \"a ball\".")
    var classPrompt: String?
    @Flag(name: .customLong("with_prior_preservation"), help: "Add the class-specific prior-preservation loss (DreamBooth Eq. 2).")
    var withPriorPreservation = false
    @Option(name: .customLong("prior_loss_weight"), help: "λ, the weight of the prior-preservation loss.")
    var priorLossWeight: Float = 1
    @Option(name: .customLong("num_class_images"), help: "Class images wanted in --class_data_dir.")
    var numClassImages = 100
    @Option(name: .customLong("sample_batch_size"), help: "Class images generated per batch.")
    var sampleBatchSize = 16
    @Flag(name: .customLong("train_text_encoder"), help: "Fine-tune the text encoder too.")
    var trainTextEncoder = false
    @Option(name: .customLong("learning_rate"), help: "AdamW's learning rate.")
    var learningRate: Float = TrainConfig().learningRate
    @Option(name: .customLong("max_train_steps"), help: "Optimizer steps (overrides --num_train_epochs).")
    var maxTrainSteps: Int?
    @Option(name: .customLong("num_train_epochs"), help: "Epochs over max(instance, class) images, when --max_train_steps is not given.")
    var numTrainEpochs = 1
    @Option(name: .customLong("train_batch_size"), help: "Instance images per step (as many class images join them with prior preservation).")
    var trainBatchSize = 4
    @Option(name: .customLong("gradient_accumulation_steps"), help: "Micro-batches summed per optimizer step.")
    var gradientAccumulationSteps = 1
    @Option(name: .customLong("lr_scheduler"), help: "constant, constant_with_warmup, linear or cosine.")
    var lrScheduler = "constant"
    @Option(name: .customLong("lr_warmup_steps"), help: "Linear warm-up steps.")
    var lrWarmupSteps = 0
    @Option(name: .customLong("max_grad_norm"), help: "Clip the trained parameters' global gradient norm to this.")
    var maxGradNorm: Float = 1
    @Option(name: .customLong("adam_beta1")) var adamBeta1: Float = 0.9
    @Option(name: .customLong("adam_beta2")) var adamBeta2: Float = 0.999
    @Option(name: .customLong("adam_weight_decay")) var adamWeightDecay: Float = 1e-2
    @Option(name: .customLong("adam_epsilon")) var adamEpsilon: Float = 1e-8
    @Flag(name: .customLong("offset_noise"), help: "Add 0.1·N(0, 1) per image and channel to the training noise.")
    var offsetNoise = false
    @Option(name: .customLong("snr_gamma"), help: "Min-SNR-γ weighting of the instance loss (5 is the paper's value).")
    var snrGamma: Float?
    @Option(help: "Seed: data order, crops, noise, class images.")
    var seed: UInt64 = 0
    @Option(help: "Training resolution in pixels (the base model's is 32).")
    var resolution = 32
    @Flag(name: .customLong("center_crop"), help: "Center crops instead of random crops.")
    var centerCrop = false
    @Option(name: .customLong("output_dir"), help: "Where the fine-tuned pipeline, checkpoints, validation grids and the loss figure go.")
    var outputDir = "dreambooth-output"
    @Option(name: .customLong("checkpointing_steps"), help: "Write a resumable checkpoint every N steps.")
    var checkpointingSteps = 100
    @Option(name: .customLong("checkpoints_total_limit"), help: "Keep at most this many checkpoints (oldest removed).")
    var checkpointsTotalLimit: Int?
    @Option(name: .customLong("resume_from_checkpoint"), help: "A checkpoint-N folder, or \"latest\" in --output_dir.")
    var resumeFromCheckpoint: String?
    @Option(name: .customLong("validation_prompt"), help: "Sample this prompt every --validation_steps (a PNG grid in output_dir/validation).")
    var validationPrompt: String?
    @Option(name: .customLong("num_validation_images")) var numValidationImages = 4
    @Option(name: .customLong("validation_steps")) var validationSteps = 100
    @Option(help: "LoRA: train rank-r adapters on the attention projections instead of the weights (train_dreambooth_lora.py); writes pytorch_lora_weights.safetensors.")
    var rank: Int?
    @Option(name: .customLong("lora_alpha"), help: "LoRA: the update is scaled by lora_alpha / rank (default: lora_alpha = rank, as the reference script).")
    var loraAlpha: Float?
    @Option(name: .customLong("max_image_pixels"), help: "Refuse instance or class PNGs with more pixels than this (read from the header, before decoding).")
    var maxImagePixels = 1 << 24
    @Flag(help: "A few steps and few class images (what the tests run).")
    var quick = false

    func run() throws {
        try reportingErrors {
            guard maxImagePixels >= 1 else { throw ToolError(description: "--max_image_pixels must be positive, got \(maxImagePixels)") }
            PNG.maxPixels = maxImagePixels
            guard let schedule = LRSchedule(rawValue: lrScheduler) else {
                throw ToolError(description: "--lr_scheduler must be one of \(LRSchedule.allCases.map(\.rawValue).joined(separator: ", ")), got '\(lrScheduler)'")
            }
            var c = quick ? TrainConfig.quick(instance: instanceDataDir, output: outputDir) : TrainConfig()
            c.pretrainedModel = pretrainedModel; c.instanceDataDir = instanceDataDir; c.instancePrompt = instancePrompt
            c.classDataDir = classDataDir; c.classPrompt = classPrompt; c.withPriorPreservation = withPriorPreservation
            c.priorLossWeight = priorLossWeight; c.trainTextEncoder = trainTextEncoder; c.learningRate = learningRate
            if !quick { c.numClassImages = numClassImages; c.sampleBatchSize = sampleBatchSize; c.checkpointingSteps = checkpointingSteps
                        c.numValidationImages = numValidationImages; c.validationSteps = validationSteps; c.trainBatchSize = trainBatchSize }
            if let maxTrainSteps { c.maxTrainSteps = maxTrainSteps } else if !quick && numTrainEpochs != 1 { c.maxTrainSteps = nil }
            c.numTrainEpochs = numTrainEpochs; c.gradientAccumulationSteps = gradientAccumulationSteps
            c.lrScheduler = schedule; c.lrWarmupSteps = lrWarmupSteps; c.maxGradNorm = maxGradNorm
            c.adamBeta1 = adamBeta1; c.adamBeta2 = adamBeta2; c.adamWeightDecay = adamWeightDecay; c.adamEpsilon = adamEpsilon
            c.offsetNoise = offsetNoise; c.snrGamma = snrGamma; c.seed = seed; c.resolution = resolution; c.centerCrop = centerCrop
            c.outputDir = outputDir; c.checkpointsTotalLimit = checkpointsTotalLimit; c.resumeFromCheckpoint = resumeFromCheckpoint
            c.validationPrompt = validationPrompt
            c.rank = rank; c.loraAlpha = loraAlpha
            do { try DreamBoothTrainer.run(c) } catch let e as TrainError { throw ToolError(description: e.message) }
        }
    }
}
