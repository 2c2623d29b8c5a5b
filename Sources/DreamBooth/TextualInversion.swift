// Textual inversion (Gal et al. 2022), the comparison row of DreamBooth's Table 1, as diffusers'
// examples/textual_inversion/textual_inversion.py runs it:
//   the placeholder token's input embedding starts as the initializer token's ("ball"),
//   the prompts are templates with the placeholder in them ("a sks"),
//   the loss is DreamBooth's (noise the image, predict ε, MSE), but only the token embedding
//   matrix receives a gradient, and after every optimizer step every row except the
//   placeholder's is put back, so weight decay and Adam touch nothing else.
// The reference adds a new token to the tokenizer; ours has no added-token table, so the
// placeholder must already be one token of the vocabulary, a rare one (chapter 06 picks them).

import Foundation
import Models
import TensorCore

final class TextualInversion: FineTuningMethod {
    let rows: EmbeddingRows
    var embedding: Variable { rows.embedding }
    let row: Int
    let placeholder: String
    let templates: [String]

    init(_ c: TrainConfig, text: CLIPTextModel, tokenizer: CLIPTokenizer) throws {
        placeholder = c.placeholderToken!
        templates = c.textualInversionTemplates
        func singleToken(_ word: String, _ flag: String) throws -> Int {
            let ids = tokenizer.encode(word)
            guard ids.count == 3 else {
                throw TrainError(
                    "\(flag) \"\(word)\" is \(ids.count - 2) tokens for this tokenizer; it must be exactly one (a "
                        + "rare word such as sks: `dreambooth tokenize` shows the split)"
                )
            }
            return ids[1]
        }
        row = try singleToken(placeholder, "--placeholder_token")
        let initializer = try singleToken(c.initializerToken!, "--initializer_token")
        guard let e = text.parameters.first(where: { $0.name.hasSuffix("token_embedding.weight") }) else {
            throw TrainError("the text encoder has no token embedding")
        }
        let D = e.shape[1]
        var w = e.value.scalars
        for d in 0..<D { w[row * D + d] = w[initializer * D + d] }
        e.value = Tensor(shape: e.shape, scalars: w)
        // Only the embedding learns: the rest of the text encoder stays frozen (the UNet too: fineTuningMethod).
        for p in text.parameters { p.requiresGrad = false }
        rows = try EmbeddingRows(text, tokens: [row])
    }

    var trained: [(name: String, parameter: Variable)] { [("text_encoder." + embedding.name, embedding)] }
    /// The embedding is the text encoder's first layer, so its output carries gradients.
    var contextNeedsGradients: Bool { true }

    func instancePrompts(count: Int, rng: inout RNG) -> [String] { (0..<count).map { _ in prompt(&rng) } }
    func afterUpdate() { restoreOtherRows() }

    /// The pipeline with the learned row in its token embedding, and learned_embeds.safetensors.
    func save(_ pipeline: TextToImagePipeline, to folder: String) throws -> String {
        try pipeline.save(folder: folder, as: .f32)
        try saveLearnedEmbedding(to: joinedPath(folder, "learned_embeds.safetensors"))
        return "(unet/, text_encoder/, tokenizer/, scheduler/, learned_embeds.safetensors)"
    }

    /// One prompt: a template, drawn as the reference draws it, with the placeholder in it.
    func prompt(_ rng: inout RNG) -> String {
        let t = templates.count == 1 ? templates[0] : templates[rng.randint(templates.count)]
        return t.replacingOccurrences(of: "{}", with: placeholder)
    }

    /// Every row but the placeholder's back to the base model's values.
    func restoreOtherRows() { rows.restoreOtherRows() }

    /// learned_embeds.safetensors: {placeholder: (1, D)}, the reference's file.
    func saveLearnedEmbedding(to file: String) throws { try rows.write(words: [placeholder], to: file) }
}
