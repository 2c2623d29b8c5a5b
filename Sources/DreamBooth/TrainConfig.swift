// The trainer's configuration: train_dreambooth.py's flags, with defaults for this package's
// small models (32×32 pixels, a 2.5 M-parameter UNet). Each field's comment gives the flag.

import Diffusion
import Foundation
import TensorCore

public struct TrainConfig: Sendable {
    /// --pretrained_model_name_or_path: the pipeline folder fine-tuning starts from.
    public var pretrainedModel = "Checkpoints/base"
    /// --instance_data_dir: the subject's photos (PNGs of any size and color mode).
    public var instanceDataDir = ""
    /// --instance_prompt: the prompt with the identifier and the class noun ("a sks ball").
    public var instancePrompt = ""
    /// --class_data_dir, --class_prompt: where class images live or are generated, and their prompt ("a ball").
    public var classDataDir: String? = nil
    public var classPrompt: String? = nil
    /// --with_prior_preservation, --prior_loss_weight λ: loss = instance MSE + λ · prior MSE (DreamBooth Eq. 2).
    public var withPriorPreservation = false
    public var priorLossWeight: Float = 1
    /// --num_class_images: class images wanted in class_data_dir (only the missing ones are generated).
    public var numClassImages = 100
    /// --sample_batch_size: class images generated per batch.
    public var sampleBatchSize = 16
    /// --train_text_encoder: fine-tune the text encoder too (the paper does; diffusers makes it optional).
    public var trainTextEncoder = false
    public var learningRate: Float = 1e-4
    /// --max_train_steps (overrides --num_train_epochs when given).
    public var maxTrainSteps: Int? = 400
    public var numTrainEpochs = 1
    /// --train_batch_size: instance images per step (as many class images join them with prior preservation).
    public var trainBatchSize = 4
    public var gradientAccumulationSteps = 1
    /// --lr_scheduler: constant, constant_with_warmup, linear, cosine; --lr_warmup_steps.
    public var lrScheduler = LRSchedule.constant
    public var lrWarmupSteps = 0
    public var maxGradNorm: Float = 1
    public var adamBeta1: Float = 0.9, adamBeta2: Float = 0.999, adamWeightDecay: Float = 1e-2, adamEpsilon: Float = 1e-8
    /// --offset_noise: add 0.1·N(0, 1) per image and channel to the noise.
    public var offsetNoise = false
    /// --snr_gamma: min-SNR-γ weighting of the instance loss (nil: plain MSE).
    public var snrGamma: Float? = nil
    public var seed: UInt64 = 0
    /// --resolution, --center_crop (else a random crop).
    public var resolution = 32
    public var centerCrop = false
    public var outputDir = "dreambooth-output"
    /// --checkpointing_steps, --checkpoints_total_limit, --resume_from_checkpoint (a path or "latest").
    public var checkpointingSteps = 100
    public var checkpointsTotalLimit: Int? = nil
    public var resumeFromCheckpoint: String? = nil
    /// --validation_prompt, --num_validation_images, --validation_steps.
    public var validationPrompt: String? = nil
    public var numValidationImages = 4
    public var validationSteps = 100
    /// Sampling of class and validation images: DDIM steps and guidance scale.
    public var samplingSteps = 25
    public var samplingGuidance: Float = 3
    public init() {}

    /// Steps and sizes of the tests.
    public static func quick(instance: String, output: String) -> TrainConfig {
        var c = TrainConfig()
        c.instanceDataDir = instance; c.outputDir = output; c.maxTrainSteps = 6; c.trainBatchSize = 2
        c.numClassImages = 4; c.sampleBatchSize = 4; c.checkpointingSteps = 3; c.validationSteps = 3; c.numValidationImages = 2
        c.samplingSteps = 2
        return c
    }
}

/// A problem with the configuration or the inputs, found before training starts.
public struct TrainError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
