// Small convolutional image encoders: the text encoder's contrastive partner and the judges' towers.
//
//   "plain"    (the text encoder's partner):  conv → [stride-2 conv, conv, GN, SiLU] per stage
//   "residual" (the judges):                  conv → [stride-2 conv, ResNet block (GN, SiLU, conv) × 2 + skip] per
// stage
//   then GroupNorm-free global average pooling → (B, C) features → linear → (B, out_features).
// Two architectures on purpose: the judges must not share the generator side's inductive biases.
// Shape legend: B batch, C channels, H×W pixels (32×32 → 16×16 → 8×8 over three stages).

import Foundation
import TensorCore

public struct ImageEncoderConfig: Equatable, Sendable, ConfigFile {
    /// "plain" or "residual".
    public var architecture = "residual"
    /// Channels of each stage; every stage after the first halves the resolution.
    public var blockOutChannels = [32, 64, 128]
    /// Width of the output (an embedding, or the logits of a classifier).
    public var outFeatures = 64
    public var normGroups = 8
    public init(
        architecture: String = "residual", blockOutChannels: [Int] = [32, 64, 128], outFeatures: Int = 64,
        normGroups: Int = 8
    ) {
        self.architecture = architecture
        self.blockOutChannels = blockOutChannels
        self.outFeatures = outFeatures
        self.normGroups = normGroups
    }

    public init(reader: ConfigReader) throws {
        var r = reader
        let path = r.file
        architecture = try r.string("architecture", default: "residual")
        blockOutChannels = try r.intArray("block_out_channels", default: [32, 64, 128])
        outFeatures = try r.int("out_features", default: 64)
        normGroups = try r.int("norm_num_groups", default: 8)
        try r.requireDefaults([:])
        guard ["plain", "residual"].contains(architecture) else {
            throw ModelError(file: path, message: "architecture '\(architecture)' is not plain or residual")
        }
        guard !blockOutChannels.isEmpty, blockOutChannels.allSatisfy({ $0 > 0 && $0 <= 4096 && $0 % normGroups == 0 }),
            normGroups > 0
        else {
            throw ModelError(
                file: path,
                message:
                    "block_out_channels \(blockOutChannels) must be 1…4096 channels, each a multiple of "
                    + "norm_num_groups \(normGroups)"
            )
        }
        guard outFeatures > 0 && outFeatures <= 65536 else {
            throw ModelError(file: path, message: "out_features \(outFeatures) outside 1…65536")
        }
    }

    public func jsonText() -> String {
        Models.jsonText([
            ("_class_name", .string("ImageEncoder")), ("architecture", .string(architecture)),
            ("block_out_channels", .array(blockOutChannels.map { .integer($0) })),
            ("norm_num_groups", .integer(normGroups)), ("out_features", .integer(outFeatures)),
        ])
    }
}

public final class ImageEncoder {
    public let config: ImageEncoderConfig
    public let store = ParameterStore()
    let stem: Conv2d
    struct Stage {
        let down: Conv2d?
        let norm1: GroupNorm
        let conv1: Conv2d
        let norm2: GroupNorm?
        let conv2: Conv2d?
    }
    let stages: [Stage]
    let head: Linear

    public init(_ config: ImageEncoderConfig, seed: UInt64 = 0) {
        self.config = config
        var rng = RNG(seed: seed).split("image-encoder-init")
        let s = store
        let G = config.normGroups
        let C = config.blockOutChannels
        stem = Conv2d(s, "stem", 3, C[0], kernel: 3, padding: 1, rng: &rng)
        stages = C.indices.map { i in
            let p = "stages.\(i)"
            return Stage(
                down: i == 0
                    ? nil : Conv2d(s, "\(p).down", C[i - 1], C[i], kernel: 3, stride: 2, padding: 1, rng: &rng),
                norm1: GroupNorm(s, "\(p).norm1", groups: G, channels: C[i], eps: 1e-5),
                conv1: Conv2d(s, "\(p).conv1", C[i], C[i], kernel: 3, padding: 1, rng: &rng),
                norm2: config.architecture == "plain"
                    ? nil : GroupNorm(s, "\(p).norm2", groups: G, channels: C[i], eps: 1e-5),
                conv2: config.architecture == "plain"
                    ? nil : Conv2d(s, "\(p).conv2", C[i], C[i], kernel: 3, padding: 1, rng: &rng))
        }
        head = Linear(s, "head", C.last!, config.outFeatures, rng: &rng)
    }

    public var parameters: [Variable] { store.parameters }

    /// Pooled features (B, C_last) of images (B, 3, H, W) in [-1, 1].
    public func features(_ x: Variable) -> Variable {
        var h = stem(x)  // (B, C0, H, W)
        for st in stages {
            if let down = st.down { h = down(h) }  // (B, Ci, H/2, W/2)
            if let conv2 = st.conv2, let norm2 = st.norm2 {
                let r = st.conv1(st.norm1(h, silu: true))
                h = conv2(norm2(r, silu: true), residual: h)  // h + conv(SiLU(GN(·)))
            } else {
                h = st.norm1(st.conv1(h), silu: true)  // SiLU(GN(conv(·)))
            }
        }
        if config.architecture == "residual" { h = h.silu() }
        return h.mean(axes: [2, 3])  // (B, C)
    }

    /// The output (B, out_features): the head applied to the pooled features.
    public func callAsFunction(_ x: Variable) -> Variable { head(features(x)) }

    public static let weightsFile = "model.safetensors"

    public func save(folder: String, as type: SafeTensors.OutputType = .f16) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeAtomically(
            Data(config.jsonText().utf8), to: (folder as NSString).appendingPathComponent("config.json"))
        try SafeTensors.write(
            store.stateDict(), to: (folder as NSString).appendingPathComponent(Self.weightsFile), as: type)
    }

    public convenience init(folder: String) throws {
        self.init(try ImageEncoderConfig(contentsOf: (folder as NSString).appendingPathComponent("config.json")))
        let path = (folder as NSString).appendingPathComponent(Self.weightsFile)
        try store.load(try SafeTensors.read(path), from: path)
    }
}
