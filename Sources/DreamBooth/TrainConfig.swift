// The trainer's configuration: train_dreambooth.py's flags, with defaults for this package's
// small models (32×32 pixels, a 2.5 M-parameter UNet). Each field's comment gives the flag.

import Diffusion
import Foundation
import Models
import TensorCore
import ToyWorld

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
    /// --class_prompt given more than once: class image k is drawn from prompt k mod n, and the
    /// prior term uses each image's own prompt (ClassImages.swift). One prompt: [classPrompt].
    public var extraClassPrompts: [String] = []
    public var classPrompts: [String] { (classPrompt.map { [$0] } ?? []) + extraClassPrompts }
    /// Whether each instance image's prompt is its own caption from the folder's metadata.jsonl
    /// (with the identifier in it, e.g. "a sks ball on grass") instead of --instance_prompt alone.
    /// The default uses the captions when every photo has one that names the identifier, as
    /// `dreambooth world` writes them: a caption that says "on grass" keeps the grass out of the
    /// identifier (the defaults sweep in README: context as asked 0.71–1.00 without, 0.96–1.00 with).
    public var instanceCaptions = InstanceCaptions.whenPresent
    /// --class_prompts_from_captions: with captions and prior preservation, each caption without the
    /// identifier ("a ball on grass") joins the class prompts, so that the prior term holds every
    /// composition the instance term trains. Off by default: the sweep measured split-ball's look
    /// kept at 0.43 with it against 0.75 without (the prior on the photos' own compositions pulls
    /// the subject towards an ordinary ball), and drift was 0.00–0.04 without it anyway.
    public var classPromptsFromCaptions = false
    /// --background_loss_weight w_b: when the instance folder has object masks (metadata.jsonl's
    /// `mask_file_name`, as `dreambooth world` writes them), each latent pixel of the instance term
    /// weighs m + w_b·(1 − m), m its share of the object (each image's weights scaled to average 1),
    /// so that the photos' backgrounds bind less to the identifier. 1: every pixel alike (the paper's
    /// loss, and what a folder without masks gets). Default 0.2: the defaults sweep's look kept was higher
    /// than at 1 and context as asked as high; at 0 nothing anchors the background (without
    /// captions a photo's own context came out as night or water; with them "a star on grass" drifted
    /// to the subject, 0.62).
    public var backgroundLossWeight: Float = 0.2
    /// --background_augmentation p: when the instance folder has object masks and there is a class
    /// prompt, the frozen base first draws new backgrounds around each photo's object (Backdrops.swift),
    /// and each instance crop is, with probability p, one of those. The photos show the subject in four
    /// contexts; the new backgrounds show it in others, so that its look is not learned as a function of
    /// four backgrounds: the look was lost in the first, noisiest steps of a context no photo has
    /// (`sample --trajectory`). 0: off (train_dreambooth.py's data). The default since 2026-12-08, with
    /// the four options below; README "What limits the subject's look", item 10, has the sweep.
    public var backgroundAugmentation: Float = 0.25
    /// --background_contexts: phrases that name contexts ("at night", "on water"). With
    /// --background_augmentation, variant k of each photo is drawn from the class prompt followed by
    /// phrase k mod n ("a ball at night") and trained on the instance prompt followed by it ("a sks
    /// ball at night"), so that the subject is seen under the words of contexts its photos lack. Empty:
    /// the class prompt alone, and the plain instance prompt. Default: the contexts the base model
    /// learned (the world's six).
    public var backgroundContexts: [String] = Context.allCases.map(\.phrase)
    /// --background_contexts_unseen_only: of --background_contexts, only the phrases no instance caption
    /// holds, the contexts none of the photos shows (all of them when every phrase is in a caption, or
    /// without captions).
    public var backgroundContextsUnseenOnly = true
    /// --backdrop_background_loss_weight: w_b of a photo on a new background. At 0 its object alone is
    /// trained, and "a sks fish on water" drawn only on new backgrounds came out in another context in 3
    /// of 4 samples; at 0.2 the context is learned with the object.
    public var backdropBackgroundLossWeight: Float = 0.2
    /// --backdrop_clean_edges: composite each object onto its new backgrounds with its soft edge unmixed
    /// (Backdrops.composited), so that the photo's old background does not ring it (a light ring at
    /// night that the judge read as a house).
    public var backdropCleanEdges = true
    /// --with_prior_preservation, --prior_loss_weight λ: loss = instance MSE + λ · prior MSE (DreamBooth Eq. 2).
    public var withPriorPreservation = false
    public var priorLossWeight: Float = 1
    /// --num_class_images: class images wanted in class_data_dir (only the missing ones are generated).
    public var numClassImages = 100
    /// --sample_batch_size: class images generated per batch.
    public var sampleBatchSize = 16
    /// --train_text_encoder: fine-tune the text encoder too (the paper does; diffusers makes it optional).
    public var trainTextEncoder = false
    /// --train_text_encoder_ti / --no_train_text_encoder_ti: pivotal tuning (diffusers'
    /// train_dreambooth_lora_sdxl_advanced.py): the identifier's row of the token embedding is trained
    /// with the UNet, at --text_encoder_lr; every other weight of the text encoder stays as it was.
    /// nil (the default): on with a class prompt (which says what the identifier is) and without
    /// --train_text_encoder, for full fine-tuning and LoRA alike. Without it "a ball on grass" drifts
    /// towards the subject (the defaults sweep in README: judged drift 0.42 against 0.00 on split-ball),
    /// and LoRA kept less of the look (seven subjects: look kept 0.69 against 0.92 with it).
    public var trainTextEncoderTI: Bool? = nil
    /// Whether this run uses pivotal tuning: --train_text_encoder_ti, or its default.
    public var pivotalTuning: Bool {
        trainTextEncoderTI ?? (!classPrompts.isEmpty && !isTextualInversion && !trainTextEncoder)
    }
    /// --text_encoder_lr: the learning rate of what is trained in the text encoder (nil: 5e-3 for the
    /// identifier's embedding under pivotal tuning, as textual inversion's; --learning_rate for the
    /// whole text encoder).
    public var textEncoderLearningRate: Float? = nil
    /// What the text encoder's part trains at.
    public var effectiveTextEncoderLearningRate: Float {
        textEncoderLearningRate ?? (pivotalTuning ? Self.textualInversionLearningRate : learningRate)
    }
    /// --freeze_model (Custom Diffusion, Kumari et al. 2023; diffusers' train_custom_diffusion.py): train
    /// only the UNet's cross-attention (`crossattn`) or only its keys and values (`crossattn_kv`), the
    /// maps from the prompt's tokens into the image; nil: every UNet weight, as DreamBooth.
    public var freezeModel: UNetTrainedPart? = nil
    /// --learning_rate. diffusers' default (5e-6) is for Stable Diffusion's 860 M parameters; this
    /// 2.5 M-parameter UNet, pretrained at 1e-3, draws the split-ball as an ordinary ball after 400
    /// steps at 1e-4. The defaults sweep (README) over seven subjects chose 3e-4 for 600 steps: 5e-4 kept no
    /// more of the look and drew fewer contexts as asked; 1,000 steps at batch 2 no better.
    public var learningRate: Float = 3e-4
    /// --max_train_steps (overrides --num_train_epochs when given). 600 steps of 4 + 4 images fit
    /// the 3-minute budget of one subject on two cores, class images and samples included.
    public var maxTrainSteps: Int? = 600
    public var numTrainEpochs = 1
    /// --train_batch_size: instance images per step (as many class images join them with prior preservation).
    public var trainBatchSize = 4
    public var gradientAccumulationSteps = 1
    /// --lr_scheduler: constant, constant_with_warmup, linear, cosine; --lr_warmup_steps.
    public var lrScheduler = LRSchedule.constant
    public var lrWarmupSteps = 0
    public var maxGradNorm: Float = 1
    /// A --max_grad_norm no gradient reaches: textual_inversion.py does not clip.
    public static let noClipping: Float = 1e6
    /// Textual inversion's steps: the embedding alone learns in 400 (its command's default).
    public static let textualInversionSteps = 400
    /// Textual inversion's learning rate here: one 64-number embedding learns in 400 steps at 5e-3
    /// (the reference's 1e-4 × batch 16 × scale_lr is 1.6e-3 for a 768-number one over 3000 steps).
    public static let textualInversionLearningRate: Float = 5e-3
    public var adamBeta1: Float = 0.9, adamBeta2: Float = 0.999, adamWeightDecay: Float = 1e-2,
        adamEpsilon: Float = 1e-8
    /// --timestep_bias_multiplier w: the noisiest quarter of the training timesteps is drawn w times as
    /// often as the rest (diffusers' --timestep_bias_strategy later with --timestep_bias_portion 0.25),
    /// where a sample's layout and colors are decided. 1: uniform.
    public var laterTimestepWeight: Float = 1
    /// --offset_noise: add 0.1·N(0, 1) per image and channel to the noise.
    public var offsetNoise = false
    /// --use_ema: keep an exponential moving average of the trained weights and save it instead of
    /// the last step's (diffusers' EMAModel, as train_text_to_image.py's --use_ema: the decay of step s
    /// is min(--ema_max_decay, (1 + s) / (10 + s)), so a run of n steps averages roughly its last n/9).
    public var useEMA = false
    public var emaMaxDecay: Float = 0.9999
    /// --snr_gamma: min-SNR-γ weighting of the instance loss (nil, --snr_gamma 0: plain MSE).
    public var snrGamma: Float? = 5
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
    /// Textual inversion (diffusers' examples/textual_inversion/textual_inversion.py), the paper's
    /// baseline: when --placeholder_token is set, only that token's input embedding is trained,
    /// started from --initializer_token's, and the prompts are the templates below with the
    /// placeholder in them; the UNet and the rest of the text encoder stay frozen. The reference's
    /// templates ("a photo of a {}", "a rendering of a {}", ...) are English our text encoder never
    /// read: the world's captions say a photo as "a ball", so the template is "a {}".
    public var placeholderToken: String? = nil
    public var initializerToken: String? = nil
    public var textualInversionTemplates = ["a {}"]
    public var isTextualInversion: Bool { placeholderToken != nil }
    /// LoRA (train_dreambooth_lora.py): --rank r trains rank-r adapters on the UNet's attention
    /// projections (and the text encoder's with --train_text_encoder) instead of the weights;
    /// --lora_alpha α (default r) scales them by α/r. nil: full fine-tuning.
    public var rank: Int? = nil
    public var loraAlpha: Float? = nil
    /// --lora_layers: the UNet layers that get adapters, by the end of their names. The default adds
    /// the ResNet blocks' and the transformers' convolutions to train_dreambooth_lora.py's attention
    /// projections: on the attention alone LoRA kept none of a subject's look (look kept 0.07 at rank
    /// 8, even at 5e-3), because this UNet's highest level, where a look's detail is drawn, has no
    /// attention; with the convolutions it kept 0.86 (the defaults sweep in README).
    public var loraLayers = LoRAConfig.unetTargets + ["conv1", "conv2", "conv_shortcut", "proj_in", "proj_out"]
    /// The learning rate `train --rank` uses unless --learning_rate is given: adapters start at zero
    /// and train faster than the weights they adjust (1e-3 kept the look; 3e-3 kept less).
    public static let loRALearningRate: Float = 1e-3
    public var isLoRA: Bool { rank != nil }
    /// Sampling of class and validation images: DDIM steps and guidance scale.
    public var samplingSteps = 25
    public var samplingGuidance: Float = 3
    public init() {}

    /// Steps and sizes of the tests.
    public static func quick(instance: String, output: String) -> TrainConfig {
        var c = TrainConfig()
        c.instanceDataDir = instance
        c.outputDir = output
        c.maxTrainSteps = 6
        c.trainBatchSize = 2
        c.numClassImages = 4
        c.sampleBatchSize = 4
        c.checkpointingSteps = 3
        c.validationSteps = 3
        c.numValidationImages = 2
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

/// Which of the UNet's weights full fine-tuning trains with --freeze_model (Custom Diffusion's choices).
public enum UNetTrainedPart: String, CaseIterable, Sendable {
    /// Every weight of the cross-attention layers (attn2: to_q, to_k, to_v, to_out).
    case crossattn
    /// Only the cross-attention's keys and values (attn2.to_k, attn2.to_v), what reads the prompt.
    case crossattnKV = "crossattn_kv"

    /// Whether the UNet parameter named `name` trains.
    public func trains(_ name: String) -> Bool {
        switch self {
        case .crossattn: return name.contains(".attn2.")
        case .crossattnKV: return name.contains(".attn2.to_k.") || name.contains(".attn2.to_v.")
        }
    }
}

/// Where an instance image's prompt comes from (--caption_column).
public enum InstanceCaptions: String, Sendable, CaseIterable {
    /// metadata.jsonl's `text` when every photo has one naming the identifier, else --instance_prompt.
    case whenPresent
    /// metadata.jsonl's `text`, required (--caption_column text).
    case always
    /// --instance_prompt for every photo, as train_dreambooth.py does (--caption_column none).
    case never
}
