// `dreambooth train`: DreamBooth fine-tuning with train_dreambooth.py's flags.

import ArgumentParser
import DreamBooth
import Foundation
import ImageIO

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract:
            "Fine-tune the base model on 3–5 images of one subject (DreamBooth), with train_dreambooth.py's flags.")

    @Option(
        name: .customLong("instance_data_dir"), help: "A folder of the subject's PNG images (any size and color mode).")
    var instanceDataDir: String
    @Option(
        name: .customLong("instance_prompt"),
        help: "The prompt with the identifier and the class noun, e.g. \"a sks ball\".")
    var instancePrompt: String
    @Option(
        name: .customLong("class_data_dir"),
        help: "Where class images are kept; the missing ones are generated there by the base model.")
    var classDataDir: String?
    @Option(
        name: .customLong("class_prompt"),
        help: ArgumentHelp(
            "The class prompt without the identifier, e.g. \"a ball\". Given more than once, the class images are "
                + "drawn from each in turn and the prior term uses each image's own prompt."))
    var classPrompt: [String] = []
    @Option(
        name: .customLong("caption_column"),
        help: ArgumentHelp(
            "`text`: train each instance image on its own caption, the `text` column of the folder's "
                + "metadata.jsonl (with the identifier in it, e.g. \"a sks ball on grass\"); `none`: "
                + "--instance_prompt for every photo, as train_dreambooth.py. (default: `text` when every photo "
                + "has a caption naming the identifier, as `dreambooth world` writes them; else `none`)",
            valueName: "text|none"))
    var captionColumn: String?
    @Flag(
        name: .customLong("class_prompts_from_captions"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "With captions and prior preservation, each caption without the identifier (\"a ball on grass\") "
                + "joins the class prompts, so the prior holds every composition the photos train. (default: off)"))
    var classPromptsFromCaptions: Bool?
    @Flag(
        name: .customLong("with_prior_preservation"),
        help: "Add the class-specific prior-preservation loss (DreamBooth Eq. 2).")
    var withPriorPreservation = false
    @Option(
        name: .customLong("prior_loss_weight"), parsing: .unconditional,
        help: "λ, the weight of the prior-preservation loss (default \(defaults.priorLossWeight)).",
        transform: parseNumber)
    var priorLossWeight: Float?
    @Option(
        name: .customLong("background_loss_weight"), parsing: .unconditional,
        help: ArgumentHelp(
            "w_b: with object masks in --instance_data_dir (metadata.jsonl's mask_file_name, as `dreambooth world` "
                + "writes), the instance loss weighs each latent pixel m + w_b·(1 − m), m the object's share; 1 "
                + "weighs all alike (default \(defaults.backgroundLossWeight))."),
        transform: parseNumber)
    var backgroundLossWeight: Float?
    @Option(
        name: .customLong("background_augmentation"), parsing: .unconditional,
        help: ArgumentHelp(
            "p: with object masks in --instance_data_dir and a class prompt, the base first draws new backgrounds "
                + "around each photo's object (output_dir/backgrounds.png), and each instance crop is one of "
                + "those with probability p, trained on --instance_prompt and its context's phrase, its background "
                + "weighing --backdrop_background_loss_weight; 0: off (default "
                + "\(defaults.backgroundAugmentation))."),
        transform: parseNumber)
    var backgroundAugmentation: Float?
    @Option(
        name: .customLong("background_contexts"), parsing: .unconditional,
        help: ArgumentHelp(
            "Phrases naming contexts, comma-separated (\"at night,on water\"): with --background_augmentation, "
                + "each photo's k-th new background is drawn from the class prompt and phrase k (cycled), and "
                + "trained on --instance_prompt and the same phrase; \"\" for the class prompt alone (default: the "
                + "contexts the base model learned, \"\(defaults.backgroundContexts.joined(separator: ","))\")."),
        transform: { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    var backgroundContexts: [String]?
    @Flag(
        name: .customLong("background_contexts_unseen_only"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "With --background_contexts: leave out the phrases an instance caption already holds (the contexts "
                + "the photos show), so every new background is a context no photo has (default: "
                + "\(defaults.backgroundContextsUnseenOnly ? "on" : "off"))."))
    var backgroundContextsUnseenOnly: Bool?
    @Option(
        name: .customLong("backdrop_background_loss_weight"), parsing: .unconditional,
        help: ArgumentHelp(
            "w_b of a crop on a new background (--background_augmentation): 0 trains its object alone (default "
                + "\(defaults.backdropBackgroundLossWeight))."),
        transform: parseNumber)
    var backdropBackgroundLossWeight: Float?
    @Flag(
        name: .customLong("backdrop_clean_edges"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "On the new backgrounds, unmix the object's soft edge from the photo's old background, which "
                + "otherwise rings it (default: \(defaults.backdropCleanEdges ? "on" : "off"))."))
    var backdropCleanEdges: Bool?
    @Option(
        name: .customLong("num_class_images"), parsing: .unconditional,
        help: "Class images wanted in --class_data_dir (default \(defaults.numClassImages)).", transform: parsePositive)
    var numClassImages: Int?
    @Option(
        name: .customLong("sample_batch_size"), parsing: .unconditional,
        help: "Class images generated per batch (default \(defaults.sampleBatchSize)).", transform: parsePositive)
    var sampleBatchSize: Int?
    @Flag(name: .customLong("train_text_encoder"), help: "Fine-tune the text encoder too.")
    var trainTextEncoder = false
    @Flag(
        name: .customLong("train_text_encoder_ti"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "Pivotal tuning: train the identifier's token embedding with the UNet (at --text_encoder_lr); the rest of "
                + "the text encoder stays frozen; with --rank it is saved beside the adapters as "
                + "learned_embeds.safetensors. (default: on with --class_prompt and without --train_text_encoder; "
                + "off, said, when the identifier is several tokens)"))
    var trainTextEncoderTI: Bool?
    @Option(
        name: .customLong("freeze_model"),
        help: ArgumentHelp(
            "Train only the UNet's cross-attention (crossattn) or its keys and values (crossattn_kv), as Custom "
                + "Diffusion; the rest of the UNet stays frozen."))
    var freezeModel: UNetTrainedPart?
    @Option(
        name: .customLong("text_encoder_lr"), parsing: .unconditional,
        help: ArgumentHelp(
            "The learning rate of what is trained in the text encoder (default: "
                + "\(TrainConfig.textualInversionLearningRate) for the identifier's embedding under pivotal tuning, "
                + "--learning_rate for the whole text encoder)."),
        transform: parseNumber)
    var textEncoderLearningRate: Float?
    @Option(
        name: .customLong("learning_rate"), parsing: .unconditional,
        help: ArgumentHelp(
            "AdamW's learning rate (default \(defaults.learningRate); with --rank \(TrainConfig.loRALearningRate))."),
        transform: parseNumber)
    var learningRate: Float?
    @Option(
        name: .customLong("max_train_steps"), parsing: .unconditional,
        help: "Optimizer steps (default \(defaults.maxTrainSteps ?? 0); overrides --num_train_epochs).",
        transform: parsePositive)
    var maxTrainSteps: Int?
    @Option(
        name: .customLong("num_train_epochs"), parsing: .unconditional,
        help: "Epochs over max(instance, class) images, used when --max_train_steps is not given.",
        transform: parsePositive)
    var numTrainEpochs: Int?
    @Option(
        name: .customLong("max_grad_norm"), parsing: .unconditional,
        help: "Clip the trained parameters' global gradient norm to this (default \(defaults.maxGradNorm)).",
        transform: parseNumber)
    var maxGradNorm: Float?
    @Option(
        name: .customLong("timestep_bias_multiplier"), parsing: .unconditional,
        help: ArgumentHelp(
            "Draw the noisiest quarter of the training timesteps this many times as often as the rest "
                + "(diffusers' --timestep_bias_strategy later, portion 0.25); 1: uniform (the default)."),
        transform: parseNumber)
    var timestepBiasMultiplier: Float?
    @Flag(name: .customLong("offset_noise"), help: "Add 0.1·N(0, 1) per image and channel to the training noise.")
    var offsetNoise = false
    @Flag(
        name: .customLong("use_ema"),
        help: "Save an exponential moving average of the trained weights instead of the last step's.")
    var useEMA = false
    @Option(
        name: .customLong("ema_max_decay"), parsing: .unconditional,
        help: ArgumentHelp(
            "With --use_ema, its largest decay (default \(defaults.emaMaxDecay); step s decays "
                + "min(this, (1 + s)/(10 + s)))."),
        transform: parseNumber)
    var emaMaxDecay: Float?
    @Option(
        name: .customLong("snr_gamma"), parsing: .unconditional,
        help: ArgumentHelp(
            "Min-SNR-γ weighting of the instance loss; 0: plain MSE (default \(defaults.snrGamma ?? 0), the value "
                + "Hang et al. recommend)."),
        transform: parseNumber)
    var snrGamma: Float?
    @Option(
        name: .customLong("output_dir"),
        help: "Where the fine-tuned pipeline, checkpoints, validation grids and the loss figure go.")
    var outputDir = defaults.outputDir
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "LoRA: train rank-r adapters on the UNet's attention projections and convolutions (--lora_layers) "
                + "instead of its weights (train_dreambooth_lora.py); writes pytorch_lora_weights.safetensors, and "
                + "with pivotal tuning (the default with --class_prompt) learned_embeds.safetensors."),
        transform: parsePositive)
    var rank: Int?
    @Option(
        name: .customLong("lora_alpha"), parsing: .unconditional,
        help: ArgumentHelp(
            "LoRA (with --rank): the update is scaled by lora_alpha / rank (default: lora_alpha = rank, as the "
                + "reference script)."),
        transform: parseNumber)
    var loraAlpha: Float?
    @Option(
        name: .customLong("lora_layers"),
        help: ArgumentHelp(
            "LoRA (with --rank): the UNet layers that get adapters, comma-separated ends of their names: "
                + "attention projections (to_q, to_k, to_v, to_out.0) and convolutions (conv1, conv2, "
                + "conv_shortcut, proj_in, proj_out). (default: \(defaults.loraLayers.joined(separator: ",")))"),
        transform: { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
    var loraLayers: [String]?

    @OptionGroup(title: "The run: base model, seed, checkpoints, validation, inputs")
    var runOptions: RunOptions
    @OptionGroup(title: "The optimizer (AdamW)")
    var optimizer: OptimizerOptions

    func validate() throws {
        if loraAlpha != nil && rank == nil {
            throw ValidationError("--lora_alpha needs --rank (it scales LoRA's update by alpha / rank)")
        }
        if emaMaxDecay != nil && !useEMA {
            throw ValidationError("--ema_max_decay needs --use_ema (it is the moving average's largest decay)")
        }
        if loraLayers != nil && rank == nil {
            throw ValidationError("--lora_layers needs --rank (it chooses where LoRA's adapters go)")
        }
    }

    func run() throws {
        try reportingErrors {
            var c = runOptions.config(instance: instanceDataDir, output: outputDir)
            optimizer.apply(to: &c)
            c.instancePrompt = instancePrompt
            c.classDataDir = classDataDir
            c.classPrompt = classPrompt.first
            c.extraClassPrompts = Array(classPrompt.dropFirst())
            if let captionColumn {
                switch captionColumn {
                case "text": c.instanceCaptions = .always
                case "none": c.instanceCaptions = .never
                default:
                    throw ToolError(
                        description:
                            "--caption_column: `text` (metadata.jsonl's caption) or `none` (--instance_prompt for "
                            + "every photo), got '\(captionColumn)'")
                }
            }
            c.withPriorPreservation = withPriorPreservation
            if let classPromptsFromCaptions { c.classPromptsFromCaptions = classPromptsFromCaptions }
            if let priorLossWeight { c.priorLossWeight = priorLossWeight }
            if let backgroundLossWeight { c.backgroundLossWeight = backgroundLossWeight }
            if let backgroundAugmentation { c.backgroundAugmentation = backgroundAugmentation }
            if let backgroundContexts { c.backgroundContexts = backgroundContexts }
            if let backgroundContextsUnseenOnly { c.backgroundContextsUnseenOnly = backgroundContextsUnseenOnly }
            if let backdropBackgroundLossWeight { c.backdropBackgroundLossWeight = backdropBackgroundLossWeight }
            if let backdropCleanEdges { c.backdropCleanEdges = backdropCleanEdges }
            // The backdrop options mean something only with new backgrounds (and the filter only with
            // phrases): given without them, they are refused rather than ignored.
            if c.backgroundAugmentation == 0 {
                let given = [
                    backgroundContexts.map { _ in "--background_contexts" },
                    backgroundContextsUnseenOnly.map { _ in "--[no_]background_contexts_unseen_only" },
                    backdropBackgroundLossWeight.map { _ in "--backdrop_background_loss_weight" },
                    backdropCleanEdges.map { _ in "--[no_]backdrop_clean_edges" },
                ].compactMap { $0 }
                if !given.isEmpty {
                    throw ToolError(
                        description: given.joined(separator: ", ") + " need --background_augmentation p > 0")
                }
            }
            if backgroundContextsUnseenOnly == true && c.backgroundContexts.isEmpty {
                throw ToolError(
                    description:
                        "--background_contexts_unseen_only needs --background_contexts (the phrases it filters)")
            }
            if let numClassImages { c.numClassImages = numClassImages }
            if let sampleBatchSize { c.sampleBatchSize = sampleBatchSize }
            c.trainTextEncoder = trainTextEncoder
            c.trainTextEncoderTI = trainTextEncoderTI
            c.textEncoderLearningRate = textEncoderLearningRate
            c.freezeModel = freezeModel
            c.learningRate = learningRate ?? (rank == nil ? defaults.learningRate : TrainConfig.loRALearningRate)
            if let numTrainEpochs {
                c.numTrainEpochs = numTrainEpochs
                c.maxTrainSteps = nil
            }
            if let maxTrainSteps { c.maxTrainSteps = maxTrainSteps }  // as the reference: steps override epochs
            if let maxGradNorm { c.maxGradNorm = maxGradNorm }
            c.offsetNoise = offsetNoise
            c.useEMA = useEMA
            if let emaMaxDecay { c.emaMaxDecay = emaMaxDecay }
            if let timestepBiasMultiplier { c.laterTimestepWeight = timestepBiasMultiplier }
            if let snrGamma { c.snrGamma = snrGamma == 0 ? nil : snrGamma }
            c.rank = rank
            c.loraAlpha = loraAlpha
            if let loraLayers { c.loraLayers = loraLayers }
            try runTrainer(c)
        }
    }
}

private let defaults = TrainConfig()
