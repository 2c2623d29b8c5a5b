// diffusers' AutoencoderKL (models/autoencoders/autoencoder_kl.py, models/autoencoders/vae.py):
// Stable Diffusion's autoencoder, which maps images to small latents and back. The UNet denoises
// latents; the decoder turns a finished sample into pixels.
//
//   x → encoder: conv_in → DownEncoderBlock2D × levels → mid block → GroupNorm → SiLU → conv_out
//     → quant_conv → (mean, log σ²)                                          (B, 2·Cz, H/f, W/f)
//   z = mean + σ·ε (or the mean) → post_quant_conv → decoder: conv_in → mid block
//     → UpDecoderBlock2D × levels → GroupNorm → SiLU → conv_out                 (B, Cout, H, W)
//
// Shape legend: B batch, C channels, H×W pixels, Cz latent channels, f = 2^(levels − 1).
//
// The blocks are the UNet's, with three differences diffusers builds in:
// - ResnetBlock2D has no timestep (no time_emb_proj), and every GroupNorm has ε = 1e-6;
// - the encoder's stride-2 convolution has padding 0 after a zero row and column are added at the
//   bottom and right (Downsample2D with padding=0 pads (0, 1, 0, 1)), where the UNet's pads 1 all round;
// - the mid block's attention is one head over all channels, with biases on q, k and v, its own
//   GroupNorm, and the input added back (diffusers' Attention with residual_connection=True,
//   converted from the old AttentionBlock); there is no cross-attention and no feed-forward.

import Foundation
import TensorCore

/// The mid block's attention: GroupNorm → tokens (B, H·W, C) → one head, softmax(q·kᵀ/√C)·v → to_out.0
/// → back to (B, C, H, W) → + x.
public struct SpatialSelfAttention {
    let groupNorm: GroupNorm
    let attention: Attention
    init(_ s: ParameterStore, _ name: String, channels: Int, groups: Int, rng: inout RNG) {
        groupNorm = GroupNorm(s, name + ".group_norm", groups: groups, channels: channels, eps: 1e-6)
        attention = Attention(s, name, dim: channels, contextDim: channels, heads: 1, bias: true, rng: &rng)
    }
    public func callAsFunction(_ x: Variable) -> Variable {  // (B, C, H, W)
        let s = x.shape
        let (B, C, H, W) = (s[0], s[1], s[2], s[3])
        let tokens = groupNorm(x).permuted([0, 2, 3, 1]).reshaped([B, H * W, C])  // (B, L, C)
        return attention(tokens).reshaped([B, H, W, C]).permuted([0, 3, 1, 2]) + x
    }
}

/// UNetMidBlock2D as the autoencoder builds it: ResNet → attention (optional) → ResNet.
public struct AutoencoderMidBlock {
    public let resnet1: ResnetBlock2D, attention: SpatialSelfAttention?, resnet2: ResnetBlock2D
    init(_ s: ParameterStore, _ name: String, channels c: Int, cfg: AutoencoderKLConfig, rng: inout RNG) {
        let g = cfg.normNumGroups
        resnet1 = ResnetBlock2D(s, name + ".resnets.0", c, c, temb: nil, groups: g, eps: 1e-6, rng: &rng)
        attention =
            cfg.midBlockAddAttention
            ? SpatialSelfAttention(s, name + ".attentions.0", channels: c, groups: g, rng: &rng) : nil
        resnet2 = ResnetBlock2D(s, name + ".resnets.1", c, c, temb: nil, groups: g, eps: 1e-6, rng: &rng)
    }
    public func callAsFunction(_ x: Variable) -> Variable {
        let h = resnet1(x, nil)
        return resnet2(attention.map { $0(h) } ?? h, nil)
    }
}

/// DownEncoderBlock2D: ResNet blocks, then (but at the last level) a stride-2 3×3 convolution of the
/// input padded by one zero row and column at the bottom and right.
public struct DownEncoderBlock {
    public let resnets: [ResnetBlock2D], downsample: Conv2d?
    init(_ s: ParameterStore, _ name: String, inC: Int, outC: Int, last: Bool, cfg: AutoencoderKLConfig, rng: inout RNG)
    {
        resnets = autoencoderResnets(s, name, inC: inC, outC: outC, count: cfg.layersPerBlock, cfg: cfg, rng: &rng)
        downsample = last ? nil : Conv2d(s, "\(name).downsamplers.0.conv", outC, outC, kernel: 3, stride: 2, rng: &rng)
    }
    public func callAsFunction(_ x: Variable) -> Variable {
        var h = x
        for r in resnets { h = r(h, nil) }
        if let d = downsample { h = d(h.zeroPadded(bottom: 1, right: 1)) }  // (B, C, H/2, W/2)
        return h
    }
}

/// `count` timestep-free ResNet blocks name.resnets.0…, the first from inC channels, all to outC.
func autoencoderResnets(
    _ s: ParameterStore, _ name: String, inC: Int, outC: Int, count: Int, cfg: AutoencoderKLConfig, rng: inout RNG
) -> [ResnetBlock2D] {
    var blocks: [ResnetBlock2D] = []
    for i in 0..<count {
        blocks.append(
            ResnetBlock2D(
                s, "\(name).resnets.\(i)", i == 0 ? inC : outC, outC, temb: nil, groups: cfg.normNumGroups, eps: 1e-6,
                rng: &rng))
    }
    return blocks
}

/// UpDecoderBlock2D: layersPerBlock + 1 ResNet blocks (no skips: the decoder has no encoder to
/// listen to), then (but at the last level) nearest-neighbour 2× and a 3×3 convolution.
public struct UpDecoderBlock {
    public let resnets: [ResnetBlock2D], upsample: Conv2d?
    init(_ s: ParameterStore, _ name: String, inC: Int, outC: Int, last: Bool, cfg: AutoencoderKLConfig, rng: inout RNG)
    {
        resnets = autoencoderResnets(s, name, inC: inC, outC: outC, count: cfg.layersPerBlock + 1, cfg: cfg, rng: &rng)
        upsample = last ? nil : Conv2d(s, "\(name).upsamplers.0.conv", outC, outC, kernel: 3, padding: 1, rng: &rng)
    }
    public func callAsFunction(_ x: Variable) -> Variable {
        var h = x
        for r in resnets { h = r(h, nil) }
        if let u = upsample { h = u(h.upsampleNearest2x()) }  // (B, C, 2H, 2W)
        return h
    }
}

/// The encoder's output as a distribution: N(mean, exp(logvar)) per latent entry, log-variance
/// clamped to [−30, 20] as diffusers' DiagonalGaussianDistribution does.
public struct DiagonalGaussian {
    public let mean: Variable, logvar: Variable  // (B, Cz, h, w) each
    /// Splits quant_conv's output (B, 2·Cz, h, w) into mean and log-variance on channels.
    public init(parameters: Variable) {
        let halves = parameters.chunked(2, axis: 1)
        mean = halves[0]
        logvar = halves[1].clamped(-30, 20)
    }
    /// σ = exp(½ · log σ²).
    public var std: Variable { (logvar * 0.5).exp() }
    /// mean + σ·ε with ε ~ N(0, I) drawn from `rng` (the reparameterisation; gradients reach both).
    public func sample(rng: inout RNG) -> Variable { sample(noise: rng.normal(mean.shape)) }
    /// mean + σ·ε for a given ε.
    public func sample(noise: Tensor) -> Variable { mean + std * Variable(noise) }
    /// KL(N(mean, σ²) ‖ N(0, I)) per image, (B,): ½ Σ (mean² + σ² − 1 − log σ²) over channels
    /// and pixels.
    public func kl() -> Variable { ((mean.square() + logvar.exp() - logvar - 1) * 0.5).sum(axes: [1, 2, 3]) }
}

public final class AutoencoderKL {
    /// Fixed at init but for `scalingFactor`, which is measured after training (`setScalingFactor`).
    public private(set) var config: AutoencoderKLConfig
    public let store = ParameterStore()
    public let encoderConvIn: Conv2d, downs: [DownEncoderBlock], encoderMid: AutoencoderMidBlock
    public let encoderNormOut: GroupNorm, encoderConvOut: Conv2d
    public let quantConv: Conv2d?, postQuantConv: Conv2d?
    public let decoderConvIn: Conv2d, decoderMid: AutoencoderMidBlock, ups: [UpDecoderBlock]
    public let decoderNormOut: GroupNorm, decoderConvOut: Conv2d

    /// A model with freshly initialised weights (PyTorch's default initialisation).
    public init(_ config: AutoencoderKLConfig, seed: UInt64 = 0) {
        self.config = config
        var rng = RNG(seed: seed).split("vae-init")
        let s = store
        let channels = config.blockOutChannels
        let top = channels.last!
        let z = config.latentChannels
        let g = config.normNumGroups
        encoderConvIn = Conv2d(s, "encoder.conv_in", config.inChannels, channels[0], kernel: 3, padding: 1, rng: &rng)
        var d: [DownEncoderBlock] = []
        for (i, c) in channels.enumerated() {
            d.append(
                DownEncoderBlock(
                    s, "encoder.down_blocks.\(i)", inC: i == 0 ? channels[0] : channels[i - 1], outC: c,
                    last: i == channels.count - 1, cfg: config, rng: &rng))
        }
        downs = d
        encoderMid = AutoencoderMidBlock(s, "encoder.mid_block", channels: top, cfg: config, rng: &rng)
        encoderNormOut = GroupNorm(s, "encoder.conv_norm_out", groups: g, channels: top, eps: 1e-6)
        encoderConvOut = Conv2d(s, "encoder.conv_out", top, 2 * z, kernel: 3, padding: 1, rng: &rng)
        quantConv = config.useQuantConv ? Conv2d(s, "quant_conv", 2 * z, 2 * z, kernel: 1, rng: &rng) : nil
        postQuantConv = config.usePostQuantConv ? Conv2d(s, "post_quant_conv", z, z, kernel: 1, rng: &rng) : nil
        decoderConvIn = Conv2d(s, "decoder.conv_in", z, top, kernel: 3, padding: 1, rng: &rng)
        decoderMid = AutoencoderMidBlock(s, "decoder.mid_block", channels: top, cfg: config, rng: &rng)
        let reversed = Array(channels.reversed())
        ups = reversed.indices.map { i in
            UpDecoderBlock(
                s, "decoder.up_blocks.\(i)", inC: reversed[max(i - 1, 0)], outC: reversed[i],
                last: i == channels.count - 1, cfg: config, rng: &rng)
        }
        decoderNormOut = GroupNorm(s, "decoder.conv_norm_out", groups: g, channels: channels[0], eps: 1e-6)
        decoderConvOut = Conv2d(
            s, "decoder.conv_out", channels[0], config.outChannels, kernel: 3, padding: 1, rng: &rng)
    }

    public var parameters: [Variable] { store.parameters }

    /// Sets scaling_factor, the inverse standard deviation of the training latents.
    public func setScalingFactor(_ factor: Float) {
        precondition(factor.isFinite && factor > 0, "scaling_factor must be a positive number, got \(factor)")
        config.scalingFactor = factor
    }

    /// Standardizes every latent channel, folded into the two 1×1 convolutions around the latent:
    /// quant_conv's mean rows then give (μ_c − m_c)/s_c and its log-variance rows log σ_c² − 2 log s_c
    /// (so z′ = (z − m_c)/s_c in distribution), and post_quant_conv first maps z′ back to s_c·z′ + m_c:
    ///   W z + b = (W · diag(s)) z′ + (b + W m).
    /// Every image decodes as before; only the latent's coordinates change. The result is still
    /// diffusers' AutoencoderKL (nothing new in config.json), whose one scaling_factor can then make
    /// every channel unit-variance at once — as EDM2 standardizes Stable Diffusion's latents per channel.
    public func standardizeLatentChannels(mean m: [Float], std s: [Float]) {
        let C = config.latentChannels
        precondition(m.count == C && s.count == C, "standardizeLatentChannels: \(C) means and stds needed")
        precondition(s.allSatisfy { $0.isFinite && $0 > 0 } && m.allSatisfy(\.isFinite), "stds must be positive")
        guard let quant = quantConv, let postQuant = postQuantConv else {
            preconditionFailure("standardizeLatentChannels needs quant_conv and post_quant_conv")
        }
        var qw = quant.weight.value.scalars  // (2C, 2C, 1, 1): rows 0..<C the means, C..<2C the log-variances
        var qb = quant.bias.value.scalars
        for c in 0..<C {
            for i in 0..<(2 * C) { qw[c * 2 * C + i] /= s[c] }
            qb[c] = (qb[c] - m[c]) / s[c]
            qb[C + c] -= 2 * Foundation.log(s[c])
        }
        quant.weight.value = Tensor(shape: quant.weight.value.shape, scalars: qw)
        quant.bias.value = Tensor(shape: quant.bias.value.shape, scalars: qb)
        let pw = postQuant.weight.value.scalars  // (C, C, 1, 1)
        var pb = postQuant.bias.value.scalars
        var scaled = pw
        for o in 0..<C {
            for c in 0..<C {
                pb[o] += pw[o * C + c] * m[c]
                scaled[o * C + c] = pw[o * C + c] * s[c]
            }
        }
        postQuant.weight.value = Tensor(shape: postQuant.weight.value.shape, scalars: scaled)
        postQuant.bias.value = Tensor(shape: postQuant.bias.value.shape, scalars: pb)
    }

    /// The posterior q(z | x) of images `x` (B, Cin, H, W) in [−1, 1]: `vae.encode(x).latent_dist`.
    /// `observe`, when given, sees each stage's output by module name ("encoder.down_blocks.0", …).
    public func encode(_ x: Variable, observe: ((String, Tensor) -> Void)? = nil) -> DiagonalGaussian {
        precondition(
            x.shape.count == 4 && x.shape[1] == config.inChannels,
            "AutoencoderKL: images of shape \(shapeString(x.shape)) need (B, \(config.inChannels), H, W)")
        let f = config.downsamplingFactor
        precondition(
            x.shape[2] % f == 0 && x.shape[3] % f == 0,
            "AutoencoderKL: images of shape \(shapeString(x.shape)) must be divisible by \(f) in H and W")
        var h = encoderConvIn(x)  // (B, C₀, H, W)
        observe?("encoder.conv_in", h.value)
        for (i, block) in downs.enumerated() {
            h = block(h)
            observe?("encoder.down_blocks.\(i)", h.value)
        }
        h = encoderMid(h)
        observe?("encoder.mid_block", h.value)
        h = encoderConvOut(normalizing: h, with: encoderNormOut, silu: true)  // (B, 2·Cz, H/f, W/f)
        if let q = quantConv { h = q(h) }
        return DiagonalGaussian(parameters: h)
    }

    /// Images (B, Cout, H, W) from latents `z` (B, Cz, h, w) — unscaled, as `vae.decode(z).sample`
    /// takes them: a pipeline divides the UNet's latents by `scaling_factor` first.
    public func decode(_ z: Variable, observe: ((String, Tensor) -> Void)? = nil) -> Variable {
        precondition(
            z.shape.count == 4 && z.shape[1] == config.latentChannels,
            "AutoencoderKL: latents of shape \(shapeString(z.shape)) need (B, \(config.latentChannels), h, w)")
        var h = postQuantConv.map { $0(z) } ?? z
        h = decoderConvIn(h)  // (B, C_top, h, w)
        observe?("decoder.conv_in", h.value)
        h = decoderMid(h)
        observe?("decoder.mid_block", h.value)
        for (i, block) in ups.enumerated() {
            h = block(h)
            observe?("decoder.up_blocks.\(i)", h.value)
        }
        return decoderConvOut(normalizing: h, with: decoderNormOut, silu: true)  // (B, Cout, H, W)
    }

    // MARK: - Checkpoints (diffusers folder layout)

    public static let weightsFile = "diffusion_pytorch_model.safetensors"

    /// Loads config.json and diffusion_pytorch_model.safetensors from a diffusers AutoencoderKL folder.
    public convenience init(folder: String) throws {
        let config = try AutoencoderKLConfig(contentsOf: joinedPath(folder, "config.json"))
        self.init(config)
        let path = joinedPath(folder, Self.weightsFile)
        try store.load(try SafeTensors.read(path), from: path)
    }

    /// Writes the folder as `save_pretrained` does (atomically, file by file).
    public func save(folder: String, as type: SafeTensors.OutputType = .f32) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try config.validate(file: joinedPath(folder, "config.json"))
        try writeAtomically(Data(config.jsonText().utf8), to: joinedPath(folder, "config.json"))
        try SafeTensors.write(
            store.stateDict(), to: joinedPath(folder, Self.weightsFile), as: type, metadata: ["format": "pt"])
    }
}

// MARK: - What the UNet trains on

/// A frozen autoencoder's posteriors of a set of images, computed once (the DreamBooth trainer
/// caches its instance and class images' this way): mean and σ, each (B, Cz, h, w).
public struct CachedPosteriors: Sendable {
    public let mean: Tensor, std: Tensor
    public let scalingFactor: Float

    public init(mean: Tensor, std: Tensor, scalingFactor: Float) {
        precondition(mean.shape == std.shape, "CachedPosteriors: mean and std shapes differ")
        self.mean = mean
        self.std = std
        self.scalingFactor = scalingFactor
    }

    /// Encodes images (B, Cin, H, W) in [−1, 1] in batches of `batch`, without gradients.
    public init(_ images: Tensor, vae: AutoencoderKL, batch: Int = 64) {
        var means: [Tensor] = []
        var stds: [Tensor] = []
        for lo in stride(from: 0, to: images.shape[0], by: batch) {
            let x = images.slice(rows: lo..<min(images.shape[0], lo + batch))
            let (m, s) = Variable.withoutGradients {
                let posterior = vae.encode(Variable(x))
                return (posterior.mean.value, posterior.std.value)
            }
            means.append(m)
            stds.append(s)
        }
        mean = Tensor.concatenate(means)
        std = Tensor.concatenate(stds)
        scalingFactor = vae.config.scalingFactor
    }

    /// z · scaling_factor with z = mean + σ·ε for the rows `rows`, as train_dreambooth.py makes
    /// the UNet's input: `vae.encode(x).latent_dist.sample() * vae.config.scaling_factor`.
    public func sample(rows: [Int], rng: inout RNG) -> Tensor {
        let per = mean.count / mean.shape[0]
        let ε = rng.normal([rows.count] + Array(mean.shape.dropFirst()))
        var out = [Float](repeating: 0, count: rows.count * per)
        for (k, r) in rows.enumerated() {
            for i in 0..<per {
                out[k * per + i] =
                    (mean.scalars[r * per + i] + std.scalars[r * per + i] * ε.scalars[k * per + i])
                    * scalingFactor
            }
        }
        return Tensor(shape: ε.shape, scalars: out)
    }
}
