// The three ways the trainer fine-tunes, each a small type the loop is given (mlx-examples'
// dreambooth.py keeps one step() for all; the variants differ only in what they name below):
//   FullFineTuning   the UNet's weights (and the text encoder's with --train_text_encoder): DreamBooth
//   LoRAFineTuning   rank-r adapters on the attention projections and convolutions (train_dreambooth_lora.py),
//                    and under pivotal tuning the identifier's embedding row
//   TextualInversion one row of the token embedding, the placeholder's (textual_inversion.py)

import Foundation
import Models
import TensorCore

/// What a fine-tuning method trains, which prompts its steps use, what follows an update, and how
/// its result is saved.
protocol FineTuningMethod {
    /// The trained parameters under the names a checkpoint stores them by (gradients on).
    var trained: [(name: String, parameter: Variable)] { get }
    /// Whether the text encoder's output carries gradients: something in it is trained.
    var contextNeedsGradients: Bool { get }
    /// The instance prompts of one micro-batch of `count` images.
    func instancePrompts(count: Int, rng: inout RNG) -> [String]
    /// Runs after every optimizer update.
    func afterUpdate()
    /// Writes the result into `folder`; returns what was written, for the last log line.
    func save(_ pipeline: TextToImagePipeline, to folder: String) throws -> String
    /// Each trained parameter's learning rate as a multiple of --learning_rate (nil: all at it).
    var learningRateScales: [Float]? { get }
}

extension FineTuningMethod {
    func afterUpdate() {}
    var learningRateScales: [Float]? { nil }
}

/// The method a configuration asks for: textual inversion with --placeholder_token, LoRA with
/// --rank, else DreamBooth's full fine-tuning.
func fineTuningMethod(_ c: TrainConfig, _ pipeline: TextToImagePipeline) throws -> FineTuningMethod {
    if c.isTextualInversion {
        for p in pipeline.unet.parameters { p.requiresGrad = false }
        return try TextualInversion(c, text: pipeline.textEncoder, tokenizer: pipeline.tokenizer)
    }
    if let rank = c.rank { return try LoRAFineTuning(c, pipeline, rank: rank) }
    return try FullFineTuning(c, pipeline)
}

/// DreamBooth as the paper runs it: every UNet weight (or with --freeze_model only its
/// cross-attention, as Custom Diffusion), and with --train_text_encoder the text encoder's, or with
/// --train_text_encoder_ti the identifier's token-embedding rows only (pivotal tuning); the result is
/// the whole pipeline folder.
struct FullFineTuning: FineTuningMethod {
    let trained: [(name: String, parameter: Variable)]
    let contextNeedsGradients: Bool
    let instancePrompt: String
    let learningRateScales: [Float]?
    /// With --train_text_encoder_ti: the identifier's rows, the rest of the embedding put back after each update.
    let identifierRows: EmbeddingRows?

    init(_ c: TrainConfig, _ pipeline: TextToImagePipeline) throws {
        let unet = pipeline.unet.parameters.filter { c.freezeModel?.trains($0.name) ?? true }
        let text = pipeline.textEncoder.parameters
        for p in text { p.requiresGrad = c.trainTextEncoder }
        for p in pipeline.unet.parameters { p.requiresGrad = false }
        for p in unet { p.requiresGrad = true }
        var textPairs = c.trainTextEncoder ? text.map { ("text_encoder." + $0.name, $0) } : []
        identifierRows =
            c.pivotalTuning
            ? try EmbeddingRows(
                pipeline.textEncoder, tokens: DreamBoothTrainer.identifierTokens(c, pipeline.tokenizer)) : nil
        if let rows = identifierRows { textPairs = [("text_encoder." + rows.embedding.name, rows.embedding)] }
        trained = unet.map { ("unet." + $0.name, $0) } + textPairs
        contextNeedsGradients = !textPairs.isEmpty
        instancePrompt = c.instancePrompt
        let textScale = c.effectiveTextEncoderLearningRate / c.learningRate
        learningRateScales = textScale == 1 ? nil : unet.map { _ in 1 } + textPairs.map { _ in textScale }
    }

    func instancePrompts(count: Int, rng: inout RNG) -> [String] {
        [String](repeating: instancePrompt, count: count)
    }

    func afterUpdate() { identifierRows?.restoreOtherRows() }

    func save(_ pipeline: TextToImagePipeline, to folder: String) throws -> String {
        try pipeline.save(folder: folder, as: .f32)
        return pipeline.vae == nil
            ? "(unet/, text_encoder/, tokenizer/, scheduler/)"
            : "(a StableDiffusionPipeline folder: model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/)"
    }
}

/// Rows of the text encoder's token embedding that train while the others stay frozen: AdamW
/// updates the whole matrix (its weight decay too), so after each update every other row is put back.
final class EmbeddingRows {
    let embedding: Variable
    let rows: [Int]
    private let frozen: Tensor

    init(_ text: CLIPTextModel, tokens rows: [Int]) throws {
        guard let e = text.parameters.first(where: { $0.name.hasSuffix("token_embedding.weight") }) else {
            throw TrainError("the text encoder has no token embedding")
        }
        embedding = e
        self.rows = rows
        frozen = e.value
        e.requiresGrad = true
    }

    /// learned_embeds.safetensors, textual_inversion.py's file: {word: (1, D)}, words[i] naming rows[i].
    func write(words: [String], to file: String) throws {
        let D = embedding.shape[1]
        let table = embedding.value.scalars
        var embeddings: [String: Tensor] = [:]
        for (word, row) in zip(words, rows) {
            embeddings[word] = Tensor(shape: [1, D], scalars: Array(table[(row * D)..<((row + 1) * D)]))
        }
        try SafeTensors.write(embeddings, to: file, metadata: [:])
    }

    /// Every row but the trained ones back to the values it started with.
    func restoreOtherRows() {
        let D = embedding.shape[1]
        var w = frozen.scalars
        let trained = embedding.value.scalars
        for row in rows {
            for d in 0..<D { w[row * D + d] = trained[row * D + d] }
        }
        embedding.value = Tensor(shape: embedding.shape, scalars: w)
    }
}

/// LoRA: the base stays frozen; only the adapters' A and B are trained, and only they are saved,
/// as train_dreambooth_lora.py saves them (the base is --pretrained_model_name_or_path). With
/// --train_text_encoder_ti the identifier's token-embedding rows train too (pivotal tuning, as
/// train_dreambooth_lora_sdxl_advanced.py) and are saved beside the adapters in
/// learned_embeds.safetensors, which `TextToImagePipeline.applyLoRA` reads.
struct LoRAFineTuning: FineTuningMethod {
    let sets: [LoRASet]
    let trained: [(name: String, parameter: Variable)]
    let contextNeedsGradients: Bool
    let instancePrompt: String
    let learningRateScales: [Float]?
    /// With --train_text_encoder_ti: the identifier's rows and words.
    let identifierRows: EmbeddingRows?
    let identifierWords: [String]

    init(_ c: TrainConfig, _ pipeline: TextToImagePipeline, rank: Int) throws {
        for p in pipeline.textEncoder.parameters { p.requiresGrad = false }
        for p in pipeline.unet.parameters { p.requiresGrad = false }
        let lora = LoRAConfig(rank: rank, alpha: c.loraAlpha)
        var sets = [
            LoRASet(pipeline.unet.store, component: "unet", targets: c.loraLayers, config: lora, seed: c.seed)
        ]
        if c.trainTextEncoder {
            let text = pipeline.textEncoder.store
            sets.append(
                LoRASet(
                    text, component: "text_encoder", targets: LoRAConfig.textEncoderTargets, config: lora, seed: c.seed)
            )
        }
        self.sets = sets
        let adapters = sets.flatMap { set in
            set.layers.flatMap { layer in
                [
                    ("\(set.component).\(layer.name).lora_A", layer.adapter.down),
                    ("\(set.component).\(layer.name).lora_B", layer.adapter.up),
                ]
            }
        }
        identifierWords = c.pivotalTuning ? DreamBoothTrainer.identifierWords(c).sorted() : []
        identifierRows =
            c.pivotalTuning
            ? try EmbeddingRows(
                pipeline.textEncoder, tokens: DreamBoothTrainer.identifierTokens(c, pipeline.tokenizer)) : nil
        let rows = identifierRows.map { [("text_encoder." + $0.embedding.name, $0.embedding)] } ?? []
        trained = adapters + rows
        contextNeedsGradients = c.trainTextEncoder || identifierRows != nil
        instancePrompt = c.instancePrompt
        let textScale = c.effectiveTextEncoderLearningRate / c.learningRate
        learningRateScales =
            rows.isEmpty || textScale == 1 ? nil : adapters.map { _ in 1 } + rows.map { _ in textScale }
    }

    func afterUpdate() { identifierRows?.restoreOtherRows() }

    func instancePrompts(count: Int, rng: inout RNG) -> [String] {
        [String](repeating: instancePrompt, count: count)
    }

    func save(_ pipeline: TextToImagePipeline, to folder: String) throws -> String {
        try LoRAWeights.save(sets, to: joinedPath(folder, LoRAWeights.fileName))
        let parameters = "\(sets.reduce(0) { $0 + $1.parameterCount }) parameters"
        let file = TextToImagePipeline.learnedEmbeddingsFileName
        guard let rows = identifierRows else {
            // An earlier run's embeddings in the same folder would be applied with these adapters.
            try? FileManager.default.removeItem(atPath: joinedPath(folder, file))
            return "(\(LoRAWeights.fileName), \(parameters))"
        }
        try rows.write(words: identifierWords, to: joinedPath(folder, file))
        return "(\(LoRAWeights.fileName), \(parameters); \(file), the identifier's embedding)"
    }
}
