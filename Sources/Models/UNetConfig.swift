// The configuration of diffusers' UNet2DConditionModel that this package implements.

import Foundation
import TensorCore

/// diffusers' UNet2DConditionModel configuration (config.json, snake_case keys).
public struct UNetConfig: Equatable, Sendable, ConfigFile {
    /// Channels of the input and output images.
    public var inChannels = 3, outChannels = 3
    /// Resolution the model is trained at (pixels; informational, as in diffusers).
    public var sampleSize = 32
    /// Channels of each resolution level, from the top.
    public var blockOutChannels = [32, 64, 64]
    /// ResNet blocks per down block (up blocks have one more).
    public var layersPerBlock = 2
    public var downBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"]
    public var upBlockTypes = ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"]
    /// Width of the text encoder's hidden states (keys and values of cross-attention).
    public var crossAttentionDim = 64
    /// Heads per block. diffusers reads `num_attention_heads`, falling back to `attention_head_dim`,
    /// which in the usual configs therefore means *heads*, not head width.
    public var attentionHeads = [4, 4, 4]
    public var normNumGroups = 8
    public var normEps: Float = 1e-5
    /// Transformer proj_in/proj_out as linear layers on (B, H·W, C) instead of 1×1 convolutions.
    public var useLinearProjection = false
    /// Sinusoidal timestep embedding: [cos, sin] instead of [sin, cos]; frequency shift.
    public var flipSinToCos = true
    public var freqShift = 0

    public init() {}

    /// The benchmark configuration (Tests/Fixtures/unet-bench.json).
    public static let bench = UNetConfig()

    var timeEmbedDim: Int { blockOutChannels[0] * 4 }

    public static let supportedDownBlocks: Set<String> = ["DownBlock2D", "CrossAttnDownBlock2D"]
    public static let supportedUpBlocks: Set<String> = ["UpBlock2D", "CrossAttnUpBlock2D"]

    public init(reader: ConfigReader) throws {
        var r = reader
        let path = r.file
        inChannels = try r.int("in_channels", default: 4)
        outChannels = try r.int("out_channels", default: 4)
        sampleSize = try r.int("sample_size", default: 64)
        guard case .array(let channels)? = r.value("block_out_channels") else {
            throw ModelError(file: path, message: "missing 'block_out_channels'")
        }
        blockOutChannels = try channels.map { v in
            guard case .integer(let i) = v, i > 0 else {
                throw ModelError(file: path, message: "'block_out_channels' must list positive integers")
            }
            return i
        }
        _ = try r.intList("block_out_channels", count: blockOutChannels.count)
        let levels = blockOutChannels.count
        layersPerBlock = try r.int("layers_per_block", default: 2)
        downBlockTypes = try r.strings("down_block_types")
        upBlockTypes = try r.strings("up_block_types")
        guard downBlockTypes.count == levels, upBlockTypes.count == levels else {
            throw ModelError(
                file: path,
                message:
                    "\(levels) block_out_channels but \(downBlockTypes.count) down and \(upBlockTypes.count) up "
                    + "block types"
            )
        }
        for t in downBlockTypes where !Self.supportedDownBlocks.contains(t) {
            throw ModelError(
                file: path, message: "down block type '\(t)' is not supported (DownBlock2D, CrossAttnDownBlock2D)")
        }
        for t in upBlockTypes where !Self.supportedUpBlocks.contains(t) {
            throw ModelError(
                file: path, message: "up block type '\(t)' is not supported (UpBlock2D, CrossAttnUpBlock2D)")
        }
        let mid = try r.string("mid_block_type", default: "UNetMidBlock2DCrossAttn")
        guard mid == "UNetMidBlock2DCrossAttn" else {
            throw ModelError(file: path, message: "mid_block_type '\(mid)' is not supported (UNetMidBlock2DCrossAttn)")
        }
        crossAttentionDim = try r.int("cross_attention_dim", default: 1280)
        let headDim = try r.intList("attention_head_dim", count: levels) ?? [Int](repeating: 8, count: levels)
        attentionHeads = try r.intList("num_attention_heads", count: levels) ?? headDim
        normNumGroups = try r.int("norm_num_groups", default: 32)
        normEps = Float(try r.double("norm_eps", default: 1e-5))
        useLinearProjection = try r.bool("use_linear_projection", default: false)
        flipSinToCos = try r.bool("flip_sin_to_cos", default: true)
        freqShift = try r.int("freq_shift", default: 0)
        let act = try r.string("act_fn", default: "silu")
        guard act == "silu" else { throw ModelError(file: path, message: "act_fn '\(act)' is not supported (silu)") }
        let layers = try r.intList("transformer_layers_per_block", count: levels) ?? [Int](repeating: 1, count: levels)
        guard layers.allSatisfy({ $0 == 1 }) else {
            throw ModelError(file: path, message: "transformer_layers_per_block must be 1")
        }
        try r.requireDefaults(Self.unsupportedDefaults)
        try validate(file: path)
    }

    /// diffusers' defaults for every key this package does not implement.
    static let unsupportedDefaults: [String: StrictJSON.Value] = [
        "center_input_sample": .bool(false), "only_cross_attention": .bool(false), "downsample_padding": .integer(1),
        "mid_block_scale_factor": .integer(1), "dropout": .number(0), "reverse_transformer_layers_per_block": .null,
        "encoder_hid_dim": .null, "encoder_hid_dim_type": .null, "dual_cross_attention": .bool(false),
        "class_embed_type": .null, "addition_embed_type": .null, "addition_time_embed_dim": .null,
        "num_class_embeds": .null, "upcast_attention": .bool(false), "resnet_time_scale_shift": .string("default"),
        "resnet_skip_time_act": .bool(false), "resnet_out_scale_factor": .number(1),
        "time_embedding_type": .string("positional"),
        "time_embedding_dim": .null, "time_embedding_act_fn": .null, "timestep_post_act": .null,
        "time_cond_proj_dim": .null,
        "conv_in_kernel": .integer(3), "conv_out_kernel": .integer(3), "projection_class_embeddings_input_dim": .null,
        "attention_type": .string("default"), "class_embeddings_concat": .bool(false),
        "mid_block_only_cross_attention": .null,
        "cross_attention_norm": .null, "addition_embed_type_num_heads": .integer(64),
    ]

    /// config.json as diffusers writes it, so `UNet2DConditionModel.from_pretrained` loads the folder.
    public func jsonText() -> String {
        func ints(_ a: [Int]) -> StrictJSON.Value { .array(a.map { .integer($0) }) }
        func strs(_ a: [String]) -> StrictJSON.Value { .array(a.map { .string($0) }) }
        var m: [(String, StrictJSON.Value)] = [
            ("_class_name", .string("UNet2DConditionModel")), ("_diffusers_version", .string("0.42.1")),
            ("act_fn", .string("silu")), ("attention_head_dim", ints(attentionHeads)),
            ("block_out_channels", ints(blockOutChannels)), ("cross_attention_dim", .integer(crossAttentionDim)),
            ("down_block_types", strs(downBlockTypes)), ("flip_sin_to_cos", .bool(flipSinToCos)),
            ("freq_shift", .integer(freqShift)),
            ("in_channels", .integer(inChannels)), ("layers_per_block", .integer(layersPerBlock)),
            ("mid_block_type", .string("UNetMidBlock2DCrossAttn")), ("norm_eps", .number(Double(normEps))),
            ("norm_num_groups", .integer(normNumGroups)), ("num_attention_heads", .null),
            ("out_channels", .integer(outChannels)),
            ("sample_size", .integer(sampleSize)), ("transformer_layers_per_block", .integer(1)),
            ("up_block_types", strs(upBlockTypes)), ("use_linear_projection", .bool(useLinearProjection)),
        ]
        m += Self.unsupportedDefaults.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        m.sort { $0.0 < $1.0 }
        return Models.jsonText(m)
    }
}
