// The configuration of diffusers' AutoencoderKL (models/autoencoders/autoencoder_kl.py) that this
// package implements: DownEncoderBlock2D / UpDecoderBlock2D levels, SiLU, GroupNorm.

import Foundation
import TensorCore

/// diffusers' AutoencoderKL configuration (config.json, snake_case keys).
public struct AutoencoderKLConfig: Equatable, Sendable, ConfigFile {
    /// Channels of the images in and out.
    public var inChannels = 3, outChannels = 3
    /// Channels of each level, from the top; every level but the last halves the resolution, so
    /// the latent side is sample_size / 2^(levels − 1).
    public var blockOutChannels = [32, 64]
    /// ResNet blocks per encoder level (decoder levels have one more, as in diffusers).
    public var layersPerBlock = 1
    /// Channels of the latent (the diagonal Gaussian has twice as many: mean and log-variance).
    public var latentChannels = 4
    public var normNumGroups = 8
    /// Image side the model is trained at (pixels; informational, as in diffusers).
    public var sampleSize = 32
    /// z is multiplied by this before the UNet sees it, and divided by it before decoding: the
    /// inverse of the training latents' standard deviation (Stable Diffusion's 0.18215).
    public var scalingFactor: Float = 0.18215
    /// Attention in the encoder's and decoder's mid blocks.
    public var midBlockAddAttention = true
    /// The 1×1 convolutions after the encoder (quant_conv) and before the decoder (post_quant_conv).
    public var useQuantConv = true, usePostQuantConv = true
    /// Informational in diffusers (float32 decoding in half-precision pipelines); kept as read.
    public var forceUpcast = true

    public init() {}

    public var downBlockTypes: [String] { [String](repeating: "DownEncoderBlock2D", count: blockOutChannels.count) }
    public var upBlockTypes: [String] { [String](repeating: "UpDecoderBlock2D", count: blockOutChannels.count) }
    /// How many pixels a latent pixel stands for, along each side (Stable Diffusion's f = 8).
    public var downsamplingFactor: Int { 1 << (blockOutChannels.count - 1) }

    public init(reader: ConfigReader) throws {
        var r = reader
        let path = r.file
        inChannels = try r.int("in_channels", default: 3)
        outChannels = try r.int("out_channels", default: 3)
        blockOutChannels = try r.intArray("block_out_channels", default: [64])
        let levels = blockOutChannels.count
        let down = try r.value("down_block_types") == nil ? ["DownEncoderBlock2D"] : r.strings("down_block_types")
        let up = try r.value("up_block_types") == nil ? ["UpDecoderBlock2D"] : r.strings("up_block_types")
        guard down.count == levels, up.count == levels else {
            throw ModelError(
                file: path,
                message: "\(levels) block_out_channels but \(down.count) down and \(up.count) up block types")
        }
        for t in down where t != "DownEncoderBlock2D" {
            throw ModelError(file: path, message: "down block type '\(t)' is not supported (DownEncoderBlock2D)")
        }
        for t in up where t != "UpDecoderBlock2D" {
            throw ModelError(file: path, message: "up block type '\(t)' is not supported (UpDecoderBlock2D)")
        }
        layersPerBlock = try r.int("layers_per_block", default: 1)
        latentChannels = try r.int("latent_channels", default: 4)
        normNumGroups = try r.int("norm_num_groups", default: 32)
        sampleSize = try r.int("sample_size", default: 32)
        scalingFactor = Float(try r.double("scaling_factor", default: 0.18215))
        midBlockAddAttention = try r.bool("mid_block_add_attention", default: true)
        useQuantConv = try r.bool("use_quant_conv", default: true)
        usePostQuantConv = try r.bool("use_post_quant_conv", default: true)
        forceUpcast = try r.bool("force_upcast", default: true)
        let act = try r.string("act_fn", default: "silu")
        guard act == "silu" else { throw ModelError(file: path, message: "act_fn '\(act)' is not supported (silu)") }
        try r.requireDefaults(Self.unsupportedDefaults)
        try validate(file: path)
    }

    /// diffusers' defaults for the keys this package does not implement.
    static let unsupportedDefaults: [String: StrictJSON.Value] = [
        "shift_factor": .null, "latents_mean": .null, "latents_std": .null,
    ]

    /// Every field in range and a parameter count that fits, before anything is allocated.
    public func validate(file: String) throws {
        try require((1...64).contains(inChannels), file, "in_channels", inChannels, "1…64")
        try require((1...64).contains(outChannels), file, "out_channels", outChannels, "1…64")
        try require((1...64).contains(latentChannels), file, "latent_channels", latentChannels, "1…64")
        try require((1...8192).contains(sampleSize), file, "sample_size", sampleSize, "1…8192")
        try require(
            (1...6).contains(blockOutChannels.count), file, "block_out_channels", blockOutChannels, "1 to 6 levels")
        try require((1...16).contains(layersPerBlock), file, "layers_per_block", layersPerBlock, "1…16")
        try require((1...1024).contains(normNumGroups), file, "norm_num_groups", normNumGroups, "1…1024")
        try require(
            scalingFactor.isFinite && scalingFactor > 0, file, "scaling_factor", scalingFactor, "a positive number")
        var estimate = 0
        for (i, c) in blockOutChannels.enumerated() {
            try require((1...8192).contains(c), file, "block_out_channels[\(i)]", c, "1…8192")
            try require(
                c % normNumGroups == 0, file, "block_out_channels[\(i)]", c,
                "a multiple of norm_num_groups (\(normNumGroups))")
            // Encoder and decoder ResNets (two 3×3 convolutions each) and the sampling convolutions.
            estimate += (2 * layersPerBlock + 3) * 2 * 9 * c * c
            try require(
                estimate <= maxParameterCount, file, "block_out_channels", blockOutChannels,
                "small enough for at most \(maxParameterCount) parameters")
        }
    }

    /// config.json as diffusers writes it (sorted keys), so `AutoencoderKL.from_pretrained` loads the folder.
    public func jsonText() -> String {
        func strs(_ a: [String]) -> StrictJSON.Value { .array(a.map { .string($0) }) }
        var m: [(String, StrictJSON.Value)] = [
            ("_class_name", .string("AutoencoderKL")), ("_diffusers_version", .string("0.42.1")),
            ("act_fn", .string("silu")), ("block_out_channels", .array(blockOutChannels.map { .integer($0) })),
            ("down_block_types", strs(downBlockTypes)), ("force_upcast", .bool(forceUpcast)),
            ("in_channels", .integer(inChannels)), ("latent_channels", .integer(latentChannels)),
            ("layers_per_block", .integer(layersPerBlock)), ("mid_block_add_attention", .bool(midBlockAddAttention)),
            ("norm_num_groups", .integer(normNumGroups)), ("out_channels", .integer(outChannels)),
            ("sample_size", .integer(sampleSize)),
            ("scaling_factor", .number(Double(String(scalingFactor))!)),  // its shortest decimal, as written
            ("up_block_types", strs(upBlockTypes)), ("use_post_quant_conv", .bool(usePostQuantConv)),
            ("use_quant_conv", .bool(useQuantConv)),
        ]
        m += Self.unsupportedDefaults.map { ($0.key, $0.value) }
        m.sort { $0.0 < $1.0 }
        return Models.jsonText(m)
    }
}
