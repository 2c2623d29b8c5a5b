// diffusers' UNet2DConditionModel (models/unets/unet_2d_condition.py): the denoiser ε_θ(x_t, t, c).
//
//   timestep → sinusoidal embedding → linear → SiLU → linear                         (B, 4·C₀)
//   x → conv_in → down blocks (keeping skips) → mid block → up blocks (using skips)
//     → GroupNorm → SiLU → conv_out                                                  (B, Cout, H, W)
// Text enters through cross-attention on `encoderHiddenStates` (B, S, D).

import Diffusion
import Foundation
import TensorCore

public final class UNet2DConditionModel {
    public let config: UNetConfig
    public let store = ParameterStore()
    public let timeLinear1: Linear, timeLinear2: Linear
    public let convIn: Conv2d
    public let downs: [DownBlock]
    public let midResnet1: ResnetBlock2D, midAttention: Transformer2D, midResnet2: ResnetBlock2D
    public let ups: [UpBlock]
    public let normOut: GroupNorm, convOut: Conv2d

    /// A model with freshly initialised weights (PyTorch's default initialisation).
    public init(_ config: UNetConfig, seed: UInt64 = 0) {
        self.config = config
        var rng = RNG(seed: seed).split("unet-init")
        let s = store
        let c0 = config.blockOutChannels[0]
        let temb = config.timeEmbedDim
        timeLinear1 = Linear(s, "time_embedding.linear_1", c0, temb, rng: &rng)
        timeLinear2 = Linear(s, "time_embedding.linear_2", temb, temb, rng: &rng)
        convIn = Conv2d(s, "conv_in", config.inChannels, c0, kernel: 3, padding: 1, rng: &rng)
        var d: [DownBlock] = []
        var inC = c0
        for level in config.blockOutChannels.indices {
            d.append(DownBlock(s, "down_blocks.\(level)", cfg: config, level: level, inC: inC, rng: &rng))
            inC = config.blockOutChannels[level]
        }
        downs = d
        let top = config.blockOutChannels.last!
        midResnet1 = ResnetBlock2D(
            s, "mid_block.resnets.0", top, top, temb: temb, groups: config.normNumGroups, eps: config.normEps, rng: &rng
        )
        midAttention = Transformer2D(
            s, "mid_block.attentions.0", channels: top, contextDim: config.crossAttentionDim,
            heads: config.attentionHeads.last!,
            groups: config.normNumGroups, linearProjection: config.useLinearProjection, rng: &rng)
        midResnet2 = ResnetBlock2D(
            s, "mid_block.resnets.1", top, top, temb: temb, groups: config.normNumGroups, eps: config.normEps, rng: &rng
        )
        ups = config.blockOutChannels.indices.map { UpBlock(s, "up_blocks.\($0)", cfg: config, index: $0, rng: &rng) }
        normOut = GroupNorm(s, "conv_norm_out", groups: config.normNumGroups, channels: c0, eps: config.normEps)
        convOut = Conv2d(s, "conv_out", c0, config.outChannels, kernel: 3, padding: 1, rng: &rng)
    }

    public var parameters: [Variable] { store.parameters }

    /// The noise prediction for `sample` (B, Cin, H, W) at `timesteps` (B values) given text
    /// states (B, S, D). `observe`, when given, is called with each stage's output and its module
    /// name ("conv_in", "down_blocks.0", …), for parity checks and statistics.
    public func callAsFunction(
        _ sample: Variable, timesteps: [Float], encoderHiddenStates context: Variable,
        observe: ((String, Tensor) -> Void)? = nil
    ) -> Variable {
        let levels = config.blockOutChannels.count
        precondition(
            sample.shape.count == 4 && sample.shape[1] == config.inChannels,
            "UNet: sample of shape \(shapeString(sample.shape)) needs (B, \(config.inChannels), H, W)")
        precondition(
            sample.shape[2] % (1 << (levels - 1)) == 0 && sample.shape[3] % (1 << (levels - 1)) == 0,
            "UNet: sample of shape \(shapeString(sample.shape)) must be divisible by \(1 << (levels - 1)) in H and W")
        precondition(
            context.shape.count == 3 && context.shape[0] == sample.shape[0]
                && context.shape[2] == config.crossAttentionDim,
            "UNet: encoder_hidden_states of shape \(shapeString(context.shape)) needs (\(sample.shape[0]), S, "
                + "\(config.crossAttentionDim))"
        )
        precondition(
            timesteps.count == sample.shape[0], "UNet: \(timesteps.count) timesteps for a batch of \(sample.shape[0])")
        func keep(_ name: String, _ v: Variable) { observe?(name, v.value) }

        let temb = timeEmbedding(timesteps)  // (B, 4·C₀)
        keep("time_embedding", temb)

        var h = convIn(sample)  // (B, C₀, H, W)
        keep("conv_in", h)
        var skips = [h]
        for (i, block) in downs.enumerated() {
            h = block(h, temb: temb, context: context, skips: &skips)
            keep("down_blocks.\(i)", h)
        }
        h = midBlock(h, temb: temb, context: context)
        keep("mid_block", h)
        for (i, block) in ups.enumerated() {
            h = block(h, temb: temb, context: context, skips: &skips)
            keep("up_blocks.\(i)", h)
        }
        return head(h)  // (B, Cout, H, W)
    }

    /// Sinusoidal features of the timesteps (B, C₀) through linear → SiLU → linear: (B, 4·C₀).
    public func timeEmbedding(_ timesteps: [Float]) -> Variable {
        let features = Variable(
            timestepEmbedding(
                timesteps, dim: config.blockOutChannels[0], flipSinToCos: config.flipSinToCos,
                downscaleFreqShift: Float(config.freqShift)))
        return timeLinear2(timeLinear1(features).silu())
    }

    /// UNetMidBlock2DCrossAttn: ResNet → transformer → ResNet, at the lowest resolution.
    public func midBlock(_ h: Variable, temb: Variable, context: Variable) -> Variable {
        midResnet2(midAttention(midResnet1(h, temb), context: context), temb)
    }

    /// conv_norm_out → SiLU → conv_out.
    public func head(_ h: Variable) -> Variable { convOut(normalizing: h, with: normOut, silu: true) }

    // MARK: - Checkpoints (diffusers folder layout)

    public static let weightsFile = "diffusion_pytorch_model.safetensors"

    /// Loads config.json and diffusion_pytorch_model.safetensors from a diffusers folder.
    public convenience init(folder: String) throws {
        let config = try UNetConfig(contentsOf: (folder as NSString).appendingPathComponent("config.json"))
        self.init(config)
        let path = (folder as NSString).appendingPathComponent(Self.weightsFile)
        try store.load(try SafeTensors.read(path), from: path)
    }

    /// Writes the folder as `save_pretrained` does (atomically, file by file).
    public func save(folder: String, as type: SafeTensors.OutputType = .f32) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try config.validate(file: (folder as NSString).appendingPathComponent("config.json"))
        try writeAtomically(
            Data(config.jsonText().utf8), to: (folder as NSString).appendingPathComponent("config.json"))
        try SafeTensors.write(
            store.stateDict(), to: (folder as NSString).appendingPathComponent(Self.weightsFile), as: type,
            metadata: ["format": "pt"])
    }
}
