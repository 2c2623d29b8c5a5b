// Text to image, as diffusers' StableDiffusionPipeline.__call__ does it, in pixel space:
//
//   prompt → tokenizer (padded to model_max_length) → frozen text encoder → c   (B, L, D)
//   x_T ~ N(0, I) (or the caller's latents)                                     (B, 3, H, W)
//   for t in the scheduler's timesteps:
//       ε̂ = ε_θ(x_t, t, c_∅) + g · (ε_θ(x_t, t, c) − ε_θ(x_t, t, c_∅))     classifier-free guidance
//       x_t ← scheduler.step(ε̂, t, x_t)
//   image = clamp(x_0 / 2 + 0.5, 0, 1)
// c_∅ embeds the negative prompt ("" unless given). As diffusers does, the unconditional and the
// conditional halves run as one batch [c_∅; c] through the UNet, and guidance is off for g ≤ 1.
// Folders: unet/ (diffusers), text_encoder/ and tokenizer/ (transformers), scheduler/.

import Diffusion
import Foundation
import TensorCore

public final class TextToImagePipeline {
    public let unet: UNet2DConditionModel
    public let textEncoder: CLIPTextModel
    public let tokenizer: CLIPTokenizer
    public var scheduler: SchedulerConfig

    public init(
        unet: UNet2DConditionModel, textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer, scheduler: SchedulerConfig
    ) {
        self.unet = unet
        self.textEncoder = textEncoder
        self.tokenizer = tokenizer
        self.scheduler = scheduler
    }

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
        self.init(unet: unet, textEncoder: text, tokenizer: tokenizer, scheduler: scheduler)
    }

    /// Writes the four folders (weights as `type`).
    public func save(folder: String, as type: SafeTensors.OutputType = .f16) throws {
        try unet.save(folder: joinedPath(folder, "unet"), as: type)
        try textEncoder.save(folder: joinedPath(folder, "text_encoder"), as: type)
        try tokenizer.save(folder: joinedPath(folder, "tokenizer"))
        try FileManager.default.createDirectory(
            atPath: joinedPath(folder, "scheduler"), withIntermediateDirectories: true)
        try writeAtomically(Data(scheduler.jsonText().utf8), to: joinedPath(folder, "scheduler/scheduler_config.json"))
    }

    /// The text encoder's last hidden state for prompts (B, L, D), without gradients.
    public func encode(_ prompts: [String]) -> Tensor {
        Variable.withoutGradients { textEncoder(tokenizer(prompts)).lastHiddenState.value }
    }

    /// Images (B, 3, H, W) in [0, 1] for prompts. `latents` (B, 3, H, W) replaces the initial noise
    /// drawn from `seed`; DDPM's per-step noise comes from `seed` too. `progress(k, n)` after each step.
    public func callAsFunction(
        _ prompts: [String], negativePrompt: String? = nil, guidanceScale: Float = 3,
        steps: Int = 50, sampler: SamplerKind = .ddim, seed: UInt64 = 0, latents: Tensor? = nil,
        progress: (Int, Int) -> Void = { _, _ in }
    ) -> Tensor {
        let B = prompts.count
        let H = unet.config.sampleSize
        let C = unet.config.inChannels
        let rng = RNG(seed: seed)
        var noiseRNG = rng.split("latents")
        var x = latents ?? noiseRNG.normal([B, C, H, H])  // x_T   (B, C, H, W)
        let guided = guidanceScale > 1
        let cond = encode(prompts)  // (B, L, D)
        let context =
            guided ? Tensor.concatenate([encode([String](repeating: negativePrompt ?? "", count: B)), cond]) : cond
        var scheduler = self.scheduler.sampler(sampler)
        scheduler.setTimesteps(steps)
        let timesteps = scheduler.timesteps
        for (k, t) in timesteps.enumerated() {
            let input = guided ? Tensor.concatenate([x, x]) : x
            let out = Variable.withoutGradients {
                unet(
                    Variable(input), timesteps: [Float](repeating: Float(t), count: input.shape[0]),
                    encoderHiddenStates: Variable(context)
                ).value
            }
            var ε = out
            if guided {
                let half = out.count / 2
                let uncond = Array(out.scalars[..<half])
                let condOut = Array(out.scalars[half...])
                ε = Tensor(shape: x.shape, scalars: zip(uncond, condOut).map { u, c in u + guidanceScale * (c - u) })
            }
            x = scheduler.step(ε, timestep: t, sample: x, generator: rng)
            progress(k + 1, timesteps.count)
        }
        return x.map { Swift.min(1, Swift.max(0, $0 / 2 + 0.5)) }
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
