// A CLIP-style pair (Radford et al. 2021): an image tower and a text tower mapped into one space,
// trained so that an image and the captions that fit it point the same way.
//
//   image (B, 3, H, W) → ImageEncoder → (B, E) → unit length          ┐
//                                                                      ├→ logits = e^τ · I·Tᵀ  (B, B)
//   ids (B, L) → CLIPTextModel → pooled (B, D) → text_projection (B, E) → unit length ┘
//   loss = ½ [CE(logits, targets) + CE(logitsᵀ, targetsᵀ)]     (symmetric InfoNCE)
// τ is learned (initialised at log(1/0.07), clamped at log 100, as CLIP does). In CLIP the target
// of row i is column i; here the world knows which captions fit which image, so a row's target is
// spread over every caption that fits it ("a cup" fits every cup in the batch).

import Foundation
import TensorCore

public final class ContrastivePair {
    public let imageTower: ImageEncoder
    public let textTower: CLIPTextModel
    public let store = ParameterStore()
    /// (D, E) without bias, as CLIPTextModelWithProjection's text_projection.
    public let textProjection: Linear
    /// log of the logit scale (CLIP's logit_scale).
    public let logitScale: Variable

    public init(image: ImageEncoderConfig, text: CLIPTextConfig, embedDim: Int, seed: UInt64) {
        precondition(
            image.outFeatures == embedDim,
            "ContrastivePair: the image tower's out_features must be the embedding width \(embedDim)")
        imageTower = ImageEncoder(image, seed: RNG(seed: seed).split("image tower").seed)
        textTower = CLIPTextModel(text, seed: RNG(seed: seed).split("text tower").seed)
        var rng = RNG(seed: seed).split("projection")
        textProjection = Linear(store, "text_projection", text.hiddenSize, embedDim, bias: false, rng: &rng)
        logitScale = store.make("logit_scale", Tensor(shape: [1], scalars: [Float(Foundation.log(1 / 0.07))]))
    }

    public var parameters: [Variable] { imageTower.parameters + textTower.parameters + store.parameters }

    /// Unit-length image embeddings (B, E).
    public func embedImages(_ x: Variable) -> Variable { imageTower(x).rowNormalized() }
    /// Unit-length text embeddings (B, E) of padded id rows.
    public func embedTexts(_ ids: [[Int]]) -> Variable { textProjection(textTower(ids).pooled).rowNormalized() }

    /// Symmetric InfoNCE over a batch; `fits[i][j]` says caption j is true of image i.
    public func loss(images: Variable, ids: [[Int]], fits: [[Bool]]) -> Variable {
        let B = ids.count
        let I = embedImages(images)
        let T = embedTexts(ids)  // (B, E) each
        let scale = logitScale.exp()  // e^τ, (1,)
        let logits = Variable.matmul(I, T, transposeB: true) * scale.reshaped([1, 1])  // (B, B)
        var rowTargets = Tensor(zeros: [B, B])
        var columnTargets = Tensor(zeros: [B, B])
        for i in 0..<B {
            let n = Float(fits[i].filter { $0 }.count)
            for j in 0..<B where fits[i][j] { rowTargets.scalars[i * B + j] = 1 / n }
        }
        for j in 0..<B {
            let n = Float((0..<B).filter { fits[$0][j] }.count)
            for i in 0..<B where fits[i][j] { columnTargets.scalars[j * B + i] = 1 / n }
        }
        let imageToText = Variable.crossEntropy(logits: logits, targets: rowTargets)
        let textToImage = Variable.crossEntropy(logits: logits.transposed(0, 1), targets: columnTargets)
        return (imageToText + textToImage) * 0.5
    }

    /// After each optimizer step: the scale stays at most 100, as CLIP clamps it.
    public func clampScale() {
        let cap = Float(Foundation.log(100.0))
        if logitScale.value.scalars[0] > cap { logitScale.value.scalars[0] = cap }
    }

    // MARK: - Folders: image_tower/ (ImageEncoder), text_tower/ (transformers CLIPTextModel), projection.safetensors

    public func save(folder: String, textTowerFolder: String? = nil) throws {
        try imageTower.save(folder: joinedPath(folder, "image_tower"))
        try textTower.save(folder: textTowerFolder ?? joinedPath(folder, "text_tower"), as: .f16)
        try SafeTensors.write(store.stateDict(), to: joinedPath(folder, "projection.safetensors"), as: .f32)
    }

    public static func load(folder: String, textTowerFolder: String? = nil) throws -> ContrastivePair {
        let image = try ImageEncoder(folder: joinedPath(folder, "image_tower"))
        let text = try CLIPTextModel(folder: textTowerFolder ?? joinedPath(folder, "text_tower"))
        let pair = ContrastivePair(image: image.config, text: text.config, embedDim: image.config.outFeatures, seed: 0)
        try pair.imageTower.store.load(image.store.stateDict(), from: joinedPath(folder, "image_tower"))
        try pair.textTower.store.load(text.store.stateDict(), from: textTowerFolder ?? joinedPath(folder, "text_tower"))
        try pair.store.load(
            try SafeTensors.read(joinedPath(folder, "projection.safetensors")),
            from: joinedPath(folder, "projection.safetensors"))
        return pair
    }
}
