// Everything about a configuration that can be checked before any work starts: ranges, flags
// that need one another, the identifier and the class noun, the resume folder.

import Foundation
import Models
import TensorCore
import ToyWorld

extension DreamBoothTrainer {
    /// Words that are not an identifier or a class noun in a prompt.
    /// A prompt's words, lowercased, split at anything that is not a letter or a digit.
    static func words(_ s: String) -> Set<String> {
        Set(s.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
    }

    /// The identifier: the words of the instance prompt that no class prompt has (articles aside).
    static func identifierWords(_ c: TrainConfig) -> Set<String> {
        words(c.instancePrompt).subtracting(words(c.classPrompts.joined(separator: " "))).subtracting(articles)
    }

    /// The token ids of the identifier words (--train_text_encoder_ti trains their embedding rows):
    /// each word must be one token of the vocabulary.
    static func identifierTokens(_ c: TrainConfig, _ tokenizer: CLIPTokenizer) throws -> [Int] {
        let identifier = identifierWords(c).sorted()
        guard !identifier.isEmpty else {
            throw TrainError(
                "--train_text_encoder_ti: --instance_prompt has no identifier word that the class prompt lacks")
        }
        return try identifier.map { word in
            let ids = tokenizer.encode(word)
            guard ids.count == 3 else {
                throw TrainError(
                    "--train_text_encoder_ti: the identifier \"\(word)\" is \(ids.count - 2) tokens for this "
                        + "tokenizer; it must be one (`dreambooth tokenize` shows the split)")
            }
            return ids[1]
        }
    }

    static let articles: Set<String> = ["a", "an", "the", "of", "photo", "in", "on", "at", "sketch", "painting"]

    /// Checks everything that can be checked before any work; returns warnings to print.
    public static func validate(_ c: TrainConfig) throws -> [String] {
        guard !c.instanceDataDir.isEmpty else { throw TrainError("--instance_data_dir is required") }
        guard c.isTextualInversion || !c.instancePrompt.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TrainError("--instance_prompt is required")
        }
        try validateRanges(c)
        try validateMethod(c)
        try validateOutputFolder(c)
        return try validatePrompts(c)
    }

    static func positive(_ v: Int, _ flag: String, max: Int = 1_000_000) throws {
        guard v >= 1 && v <= max else { throw TrainError("\(flag) must be 1…\(max), got \(v)") }
    }

    static func finite(_ v: Float, _ flag: String, _ range: ClosedRange<Float>) throws {
        guard v.isFinite && range.contains(v) else {
            throw TrainError("\(flag) must be a number in \(range.lowerBound)…\(range.upperBound), got \(v)")
        }
    }

    static func validateRanges(_ c: TrainConfig) throws {
        try finite(c.learningRate, "--learning_rate", 0...10)
        guard c.learningRate > 0 else { throw TrainError("--learning_rate must be positive") }
        if let s = c.maxTrainSteps { try positive(s, "--max_train_steps") }
        try positive(c.numTrainEpochs, "--num_train_epochs", max: 100_000)
        try positive(c.trainBatchSize, "--train_batch_size", max: 1024)
        try positive(c.gradientAccumulationSteps, "--gradient_accumulation_steps", max: 1024)
        try positive(c.resolution, "--resolution", max: 1024)
        try positive(c.checkpointingSteps, "--checkpointing_steps")
        try positive(c.validationSteps, "--validation_steps")
        try positive(c.numValidationImages, "--num_validation_images", max: 256)
        try positive(c.sampleBatchSize, "--sample_batch_size", max: 256)
        try positive(c.samplingSteps, "sampling steps", max: 1000)
        if let l = c.checkpointsTotalLimit { try positive(l, "--checkpoints_total_limit") }
        guard c.lrWarmupSteps >= 0 else { throw TrainError("--lr_warmup_steps must be ≥ 0") }
        try finite(c.priorLossWeight, "--prior_loss_weight", 0...1000)
        try finite(c.backgroundLossWeight, "--background_loss_weight", 0...1000)
        try finite(c.backdropBackgroundLossWeight, "--backdrop_background_loss_weight", 0...1000)
        try finite(c.backgroundAugmentation, "--background_augmentation", 0...1)
        if c.backgroundContexts.contains(where: \.isEmpty) || c.backgroundContexts.count > 64 {
            throw TrainError("--background_contexts takes 1–64 comma-separated phrases, none empty")
        }
        try finite(c.maxGradNorm, "--max_grad_norm", 0...1e6)
        try finite(c.emaMaxDecay, "--ema_max_decay", 0...1)
        try finite(c.adamBeta1, "--adam_beta1", 0...0.999999)
        try finite(c.adamBeta2, "--adam_beta2", 0...0.999999999)
        try finite(c.adamWeightDecay, "--adam_weight_decay", 0...10)
        try finite(c.adamEpsilon, "--adam_epsilon", 0...1)
        if let g = c.snrGamma { try finite(g, "--snr_gamma", 0.0001...1e6) }
        try finite(c.laterTimestepWeight, "--timestep_bias_multiplier", 0.01...100)
        try finite(c.samplingGuidance, "guidance", 0...100)
    }

    /// Flags of one method that mean nothing, or something else, with another.
    static func validateMethod(_ c: TrainConfig) throws {
        if let p = c.placeholderToken {
            guard !p.isEmpty, p.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw TrainError("--placeholder_token must be one word of letters or digits, got \"\(p)\"")
            }
            guard let i = c.initializerToken, !i.isEmpty else {
                throw TrainError(
                    "--placeholder_token needs --initializer_token (the word its embedding starts from, e.g. ball)")
            }
            guard i != p else { throw TrainError("--initializer_token must differ from --placeholder_token") }
            guard !c.withPriorPreservation && !c.trainTextEncoder else {
                throw TrainError(
                    "textual inversion trains one embedding: --with_prior_preservation and --train_text_encoder do "
                        + "not apply"
                )
            }
        }
        if c.trainTextEncoderTI == true {
            guard !c.classPrompts.isEmpty else {
                throw TrainError(
                    "--train_text_encoder_ti needs --class_prompt: the identifier whose embedding it trains is the "
                        + "words of --instance_prompt that the class prompt lacks")
            }
            guard !c.isTextualInversion && !c.trainTextEncoder else {
                throw TrainError(
                    "--train_text_encoder_ti trains the identifier's embedding with the UNet's weights or adapters: it "
                        + "does not combine with --train_text_encoder or --placeholder_token")
            }
        }
        if let part = c.freezeModel {
            guard !c.isTextualInversion && !c.isLoRA else {
                throw TrainError(
                    "--freeze_model \(part.rawValue) chooses which UNet weights full fine-tuning trains: it does not "
                        + "combine with --rank or --placeholder_token")
            }
        }
        if let lr = c.textEncoderLearningRate {
            guard c.pivotalTuning || c.trainTextEncoder else {
                throw TrainError(
                    "--text_encoder_lr \(lr) needs --train_text_encoder or pivotal tuning (--train_text_encoder_ti, "
                        + "on by default with --class_prompt)")
            }
            try finite(lr, "--text_encoder_lr", 1e-9...10)
        }
        if let a = c.loraAlpha {
            guard c.rank != nil else {
                throw TrainError("--lora_alpha \(a) needs --rank (it scales LoRA's update by α/r)")
            }
            try finite(a, "--lora_alpha", 0.0001...1e6)
        }
        if let r = c.rank {
            try positive(r, "--rank", max: 4096)
            guard !c.isTextualInversion else {
                throw TrainError(
                    "--rank (LoRA) and --placeholder_token (textual inversion) are different methods; give one")
            }
        }
        if let r = c.resumeFromCheckpoint, r != "latest" {
            var isDir: ObjCBool = false
            let file = joinedPath(r, "state.safetensors")
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDir), !isDir.boolValue else {
                throw TrainError(
                    "--resume_from_checkpoint \(r): no state.safetensors there (a checkpoint-N folder of an earlier "
                        + "run, or \"latest\")"
                )
            }
        }
    }

    static func validateOutputFolder(_ c: TrainConfig) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: c.outputDir, isDirectory: &isDir), !isDir.boolValue {
            throw TrainError("--output_dir \(c.outputDir) is a file; give a folder (it is created when missing)")
        }
    }

    /// The identifier and the class noun: the class prompt must lack the one and the instance
    /// prompt must have the other.
    static func validatePrompts(_ c: TrainConfig) throws -> [String] {
        if c.withPriorPreservation {
            guard let cp = c.classPrompt, !cp.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw TrainError("--with_prior_preservation needs --class_prompt (\"a ball\")")
            }
            guard c.classDataDir != nil else {
                throw TrainError(
                    "--with_prior_preservation needs --class_data_dir (where class images are kept or generated)")
            }
            try positive(c.numClassImages, "--num_class_images", max: 100_000)
        }
        guard let cp = c.classPrompt else {
            if c.isTextualInversion { return [] }
            let known = Set(ObjectClass.allCases.map(\.rawValue))
            guard words(c.instancePrompt).isDisjoint(with: known) else { return [] }
            return [
                "warning: --instance_prompt \"\(c.instancePrompt)\" names none of the base model's classes "
                    + "(\(known.sorted().joined(separator: ", "))); DreamBooth binds the identifier to a class noun"
            ]
        }
        let classWords = words(cp)
        let instanceWords = words(c.instancePrompt)
        let identifier = instanceWords.subtracting(classWords).subtracting(articles)
        guard !identifier.isEmpty else {
            throw TrainError(
                "--class_prompt \"\(cp)\" contains every word of --instance_prompt \"\(c.instancePrompt)\": "
                    + "the class prompt must not contain the identifier")
        }
        let nouns = classWords.subtracting(articles)
        guard !nouns.isSubset(of: instanceWords) else { return [] }
        let message =
            "--instance_prompt \"\(c.instancePrompt)\" lacks the class noun of --class_prompt \"\(cp)\" "
            + "(\(nouns.sorted().joined(separator: ", ")))"
        if c.withPriorPreservation {
            throw TrainError(message + ": the prior is the class noun's, so the instance prompt needs it")
        }
        return ["warning: " + message]
    }
}
