// Text to image, as diffusers' StableDiffusionPipeline.__call__ does it:
//
//   prompt → tokenizer (padded to model_max_length) → frozen text encoder → c   (B, L, D)
//   z_T ~ N(0, I) (or the caller's latents)                                     (B, Cz, h, w)
//   for t in the scheduler's timesteps:
//       ε̂ = ε_θ(z_t, t, c_∅) + g · (ε_θ(z_t, t, c) − ε_θ(z_t, t, c_∅))     classifier-free guidance
//       z_t ← scheduler.step(ε̂, t, z_t)
//   image = clamp(D(z_0 / scaling_factor) / 2 + 0.5, 0, 1)                     the autoencoder's decoder
// c_∅ embeds the negative prompt ("" unless given). As diffusers does, the unconditional and the
// conditional halves run as one batch [c_∅; c] through the UNet, and guidance is off for g ≤ 1.
// Without an autoencoder (the earlier, pixel-space base model) z is the image itself and
// image = clamp(z_0 / 2 + 0.5, 0, 1).
// Folders: Stable Diffusion's — model_index.json, unet/ and vae/ (diffusers), text_encoder/ and
// tokenizer/ (transformers), scheduler/; a pixel-space folder has no vae/ and no model_index.json.

import Diffusion
import Foundation
import TensorCore

public final class TextToImagePipeline {
    public let unet: UNet2DConditionModel
    public let textEncoder: CLIPTextModel
    public let tokenizer: CLIPTokenizer
    public var scheduler: SchedulerConfig
    /// The frozen autoencoder whose latents the UNet denoises; nil when the UNet denoises pixels.
    public let vae: AutoencoderKL?

    public init(
        unet: UNet2DConditionModel, textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer, scheduler: SchedulerConfig,
        vae: AutoencoderKL? = nil
    ) {
        self.unet = unet
        self.textEncoder = textEncoder
        self.tokenizer = tokenizer
        self.scheduler = scheduler
        self.vae = vae
    }

    /// The image side the pipeline draws (the latent side times the autoencoder's factor).
    public var imageSize: Int { unet.config.sampleSize * (vae?.config.downsamplingFactor ?? 1) }

    /// Loads unet/, text_encoder/, tokenizer/ and scheduler/ from a pipeline folder.
    public convenience init(folder: String) throws {
        guard FileManager.default.fileExists(atPath: joinedPath(folder, "unet/config.json")) else {
            throw ModelError(
                file: folder,
                message:
                    "not a pipeline folder: no unet/config.json (expected unet/, text_encoder/, tokenizer/, scheduler/)"
            )
        }
        let unet = try UNet2DConditionModel(folder: joinedPath(folder, "unet"))
        let text = try CLIPTextModel(folder: joinedPath(folder, "text_encoder"))
        let tokenizer = try CLIPTokenizer(folder: joinedPath(folder, "tokenizer"))
        let scheduler = try SchedulerConfig(contentsOf: joinedPath(folder, "scheduler/scheduler_config.json"))
        guard text.config.hiddenSize == unet.config.crossAttentionDim else {
            throw ModelError(
                file: joinedPath(folder, "text_encoder/config.json"),
                message:
                    "hidden_size \(text.config.hiddenSize) differs from the UNet's cross_attention_dim "
                    + "\(unet.config.crossAttentionDim)"
            )
        }
        guard text.config.vocabSize == tokenizer.vocabularySize else {
            throw ModelError(
                file: joinedPath(folder, "text_encoder/config.json"),
                message:
                    "vocab_size \(text.config.vocabSize) differs from the tokenizer's \(tokenizer.vocabularySize) "
                    + "tokens"
            )
        }
        var vae: AutoencoderKL?
        if FileManager.default.fileExists(atPath: joinedPath(folder, "vae/config.json")) {
            let autoencoder = try AutoencoderKL(folder: joinedPath(folder, "vae"))
            let z = autoencoder.config.latentChannels
            guard unet.config.inChannels == z, unet.config.outChannels == z else {
                throw ModelError(
                    file: joinedPath(folder, "unet/config.json"),
                    message:
                        "in_channels \(unet.config.inChannels) and out_channels \(unet.config.outChannels) must be "
                        + "the autoencoder's latent_channels (\(z))")
            }
            vae = autoencoder
        }
        self.init(unet: unet, textEncoder: text, tokenizer: tokenizer, scheduler: scheduler, vae: vae)
    }

    /// Writes the folders (weights as `type`; the autoencoder's in float32, as diffusers keeps it
    /// for decoding) and, with an autoencoder, model_index.json: a StableDiffusionPipeline folder.
    public func save(folder: String, as type: SafeTensors.OutputType = .f16) throws {
        try unet.save(folder: joinedPath(folder, "unet"), as: type)
        if let vae {
            try vae.save(folder: joinedPath(folder, "vae"))
            try writeAtomically(Data(modelIndexJSON().utf8), to: joinedPath(folder, "model_index.json"))
        }
        try textEncoder.save(folder: joinedPath(folder, "text_encoder"), as: type)
        try tokenizer.save(folder: joinedPath(folder, "tokenizer"))
        try FileManager.default.createDirectory(
            atPath: joinedPath(folder, "scheduler"), withIntermediateDirectories: true)
        try writeAtomically(Data(scheduler.jsonText().utf8), to: joinedPath(folder, "scheduler/scheduler_config.json"))
    }

    /// model_index.json as StableDiffusionPipeline.save_pretrained writes it, with no safety checker.
    public func modelIndexJSON() -> String {
        func pair(_ library: String, _ name: String) -> StrictJSON.Value { .array([.string(library), .string(name)]) }
        let none = StrictJSON.Value.array([.null, .null])
        return jsonText([
            ("_class_name", .string("StableDiffusionPipeline")), ("_diffusers_version", .string("0.42.1")),
            ("feature_extractor", none), ("image_encoder", none), ("requires_safety_checker", .bool(false)),
            ("safety_checker", none), ("scheduler", pair("diffusers", scheduler.className)),
            ("text_encoder", pair("transformers", "CLIPTextModel")),
            ("tokenizer", pair("transformers", "CLIPTokenizer")),
            ("unet", pair("diffusers", "UNet2DConditionModel")), ("vae", pair("diffusers", "AutoencoderKL")),
        ])
    }

    /// Images (B, 3, H, W) in [0, 1] from finished samples: decoded from latents / scaling_factor
    /// with an autoencoder (in batches of 32), or the samples themselves without one.
    public func images(fromSamples x: Tensor) -> Tensor {
        guard let vae else { return x.map { Swift.min(1, Swift.max(0, $0 / 2 + 0.5)) } }
        let scale = 1 / vae.config.scalingFactor
        var parts: [Tensor] = []
        for lo in stride(from: 0, to: x.shape[0], by: 32) {
            let z = x.slice(rows: lo..<Swift.min(x.shape[0], lo + 32)).map { $0 * scale }
            parts.append(Variable.withoutGradients { vae.decode(Variable(z)).value })
        }
        return Tensor.concatenate(parts).map { Swift.min(1, Swift.max(0, $0 / 2 + 0.5)) }
    }

    /// The text encoder's last hidden state for prompts (B, L, D), without gradients.
    public func encode(_ prompts: [String]) -> Tensor {
        Variable.withoutGradients { textEncoder(tokenizer(prompts)).lastHiddenState.value }
    }

    /// Images (B, 3, H, W) in [0, 1] for prompts. `latents` (B, Cz, h, w) replaces the initial noise
    /// drawn from `seed`; DDPM's per-step noise comes from `seed` too. `progress(k, n)` after each step.
    /// `keep` inpaints: the model draws only where its mask is 0 (`KeptRegion`). `onPrediction(k, x̂_0)`,
    /// when given, sees each step's prediction of the clean latents (B, Cz, h, w), from the guided model
    /// output before the sampler's step (what diffusers' schedulers call `pred_original_sample`): where a
    /// sample's layout and colors are decided.
    public func callAsFunction(
        _ prompts: [String], negativePrompt: String? = nil, guidanceScale: Float = 3,
        steps: Int = 50, sampler: SamplerKind = .ddim, seed: UInt64 = 0, latents: Tensor? = nil,
        keep: KeptRegion? = nil, progress: (Int, Int) -> Void = { _, _ in },
        onPrediction: ((Int, Tensor) -> Void)? = nil
    ) -> Tensor {
        let B = prompts.count
        let H = unet.config.sampleSize
        let C = unet.config.inChannels
        let rng = RNG(seed: seed)
        var noiseRNG = rng.split("latents")
        var x = latents ?? noiseRNG.normal([B, C, H, H])  // z_T   (B, Cz, h, w)
        let guided = guidanceScale > 1
        let cond = encode(prompts)  // (B, L, D)
        let context =
            guided ? Tensor.concatenate([encode([String](repeating: negativePrompt ?? "", count: B)), cond]) : cond
        var scheduler = self.scheduler.sampler(sampler)
        scheduler.setTimesteps(steps)
        let timesteps = scheduler.timesteps
        // ε̂ = ε_∅ + g·(ε_c − ε_∅) at timestep t (the unconditional and conditional halves in one batch).
        func guidedPrediction(_ x: Tensor, _ t: Int) -> Tensor {
            let input = guided ? Tensor.concatenate([x, x]) : x
            let out = Variable.withoutGradients {
                unet(
                    Variable(input), timesteps: [Float](repeating: Float(t), count: input.shape[0]),
                    encoderHiddenStates: Variable(context)
                ).value
            }
            guard guided else { return out }
            let half = out.count / 2
            let uncond = Array(out.scalars[..<half])
            let condOut = Array(out.scalars[half...])
            return Tensor(shape: x.shape, scalars: zip(uncond, condOut).map { u, c in u + guidanceScale * (c - u) })
        }
        let schedule = self.scheduler.schedule
        for (k, t) in timesteps.enumerated() {
            let last = k == timesteps.count - 1
            let rounds = last ? 1 : keep?.resamplings ?? 1
            for round in 0..<rounds {
                if let keep { x = keep.imposed(on: x, at: t, schedule: schedule, rng: rng) }
                let output = guidedPrediction(x, t)
                if let onPrediction, round == 0 {
                    let timesteps = [Int](repeating: t, count: x.shape[0])
                    onPrediction(
                        k, schedule.split(output, sample: x, type: self.scheduler.prediction, timesteps: timesteps).x0)
                }
                x = scheduler.step(output, timestep: t, sample: x, generator: rng)
                if round < rounds - 1 {
                    // RePaint's jump back: x_t ~ q(x_t | x_prev) = √(ᾱ_t/ᾱ_prev)·x_prev + √(1 − ᾱ_t/ᾱ_prev)·ε.
                    let ratio = schedule.alphasCumprod[t] / schedule.alphasCumprod[timesteps[k + 1]]
                    var jump = rng.split("keep/jump/\(t)/\(round)")
                    let ε = jump.normal(x.shape)
                    x = Tensor(
                        shape: x.shape,
                        scalars: zip(x.scalars, ε.scalars).map { a, e in
                            ratio.squareRoot() * a + (1 - ratio).squareRoot() * e
                        })
                }
            }
            progress(k + 1, timesteps.count)
        }
        if let keep { x = Self.blend(keep.latents, x, mask: keep.mask) }
        return images(fromSamples: x)
    }

    /// m·a + (1 − m)·b for a, b (B, C, h, w) and m (B, 1, h, w).
    public static func blend(_ a: Tensor, _ b: Tensor, mask m: Tensor) -> Tensor {
        let (B, C) = (a.shape[0], a.shape[1])
        let plane = a.count / (B * C)
        var out = b.scalars
        for i in 0..<B {
            for c in 0..<C {
                for p in 0..<plane {
                    let w = m.scalars[i * plane + p]
                    let j = (i * C + c) * plane + p
                    out[j] = w * a.scalars[j] + (1 - w) * b.scalars[j]
                }
            }
        }
        return Tensor(shape: a.shape, scalars: out)
    }
}

extension TextToImagePipeline {
    /// Images (each (3, H, W) in [0, 1]) for any number of prompts, `batch` prompts (2·batch UNet
    /// rows with guidance) at a time; batch i (from prompt i·batch on) is seeded `seed + i·batch`.
    /// `progress(n)` after each batch with the images made so far.
    public func images(
        _ prompts: [String], steps: Int, guidance: Float, sampler: SamplerKind = .ddim, seed: UInt64,
        batch: Int = 16, progress: (Int) -> Void = { _ in }
    ) -> [Tensor] {
        var images: [Tensor] = []
        for lo in stride(from: 0, to: prompts.count, by: batch) {
            let group = Array(prompts[lo..<min(prompts.count, lo + batch)])
            images += self(group, guidanceScale: guidance, steps: steps, sampler: sampler, seed: seed &+ UInt64(lo))
                .unstacked()
            progress(images.count)
        }
        return images
    }
}

extension Tensor {
    /// Tensors of equal trailing shape stacked along the first axis.
    public static func concatenate(_ parts: [Tensor]) -> Tensor {
        precondition(
            !parts.isEmpty && parts.allSatisfy { Array($0.shape.dropFirst()) == Array(parts[0].shape.dropFirst()) },
            "concatenate: trailing shapes differ")
        return Tensor(
            shape: [parts.reduce(0) { $0 + $1.shape[0] }] + parts[0].shape.dropFirst(),
            scalars: parts.flatMap(\.scalars))
    }
}

/// What inpainting keeps (RePaint, Lugmayr et al. 2022): where `mask` (B, 1, h, w) is 1 the sample
/// is `latents` (B, Cz, h, w, scaled as the UNet's) noised to each step's timestep before the UNet
/// sees it, and `latents` themselves at the end; elsewhere the model draws what fits around them.
/// With `resamplings` r > 1 each step but the last is taken r times, jumping back to its timestep
/// in between, so that what is drawn settles around what is kept (RePaint's resampling, jump 1).
public struct KeptRegion {
    public var latents: Tensor
    public var mask: Tensor
    public var resamplings: Int

    public init(latents: Tensor, mask: Tensor, resamplings: Int = 1) {
        self.latents = latents
        self.mask = mask
        self.resamplings = resamplings
    }

    /// x with the kept region replaced by the kept latents noised to timestep t (the noise is
    /// drawn from `rng.split("keep")`, the same at every step).
    func imposed(on x: Tensor, at t: Int, schedule: NoiseSchedule, rng: RNG) -> Tensor {
        var noiseRNG = rng.split("keep")
        let noise = noiseRNG.normal(latents.shape)
        let known = schedule.addNoise(latents, noise: noise, timesteps: [Int](repeating: t, count: latents.shape[0]))
        return TextToImagePipeline.blend(known, x, mask: mask)
    }
}

extension TextToImagePipeline {
    /// The file in which LoRA with pivotal tuning keeps the identifier's learned embeddings, beside
    /// pytorch_lora_weights.safetensors: {word: (1, D)}, as textual_inversion.py writes learned_embeds.
    public static let learnedEmbeddingsFileName = "learned_embeds.safetensors"

    /// Applies LoRA weights (`LoRAWeights.apply`, `scale` times α/r) and, when the file's folder
    /// also holds `learnedEmbeddingsFileName`, puts each of its words' rows into the token embedding
    /// (each word must be one token of the tokenizer, the row D wide). Returns what was applied.
    @discardableResult
    public func applyLoRA(_ file: String, scale: Float = 1) throws -> String {
        let embeddings = ((file as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(Self.learnedEmbeddingsFileName)
        // The embeddings are read and checked before anything changes: an error leaves the pipeline as it was.
        var rows: [(id: Int, row: [Float])] = []
        var words: [String] = []
        let table = textEncoder.parameters.first { $0.name.hasSuffix("token_embedding.weight") }
        if FileManager.default.fileExists(atPath: embeddings) {
            let f = try SafeTensorsFile(path: embeddings)
            guard let table else {
                throw ModelError(file: embeddings, message: "the text encoder has no token embedding")
            }
            let D = table.shape[1]
            words = f.names.sorted()
            for word in words {
                let ids = tokenizer.encode(word)
                guard ids.count == 3 else {
                    throw ModelError(file: embeddings, message: "'\(word)' is \(ids.count - 2) tokens; it must be one")
                }
                let row = try f.tensor(word)
                guard row.shape == [1, D] || row.shape == [D] else {
                    throw ModelError(
                        file: embeddings, message: "'\(word)' is \(shapeString(row.shape)); the embedding is \(D) wide")
                }
                if let bad = row.scalars.first(where: { !$0.isFinite }) {
                    throw ModelError(file: embeddings, message: "'\(word)' holds \(bad)")
                }
                rows.append((ids[1], row.scalars))
            }
        }
        let layers = try LoRAWeights.apply(file, unet: unet.store, textEncoder: textEncoder.store, scale: scale)
        guard let table, !rows.isEmpty else { return "applied \(layers) LoRA layers from \(file)" }
        let D = table.shape[1]
        var w = table.value.scalars
        for (id, row) in rows { w.replaceSubrange((id * D)..<((id + 1) * D), with: row) }
        table.value = Tensor(shape: table.shape, scalars: w)
        return "applied \(layers) LoRA layers from \(file) and the embedding of \(words.joined(separator: ", ")) from "
            + embeddings
    }
}
