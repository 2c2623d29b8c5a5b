// The blocks of diffusers' UNet2DConditionModel (models/resnet.py, models/attention.py,
// models/transformers/transformer_2d.py, models/unets/unet_2d_blocks.py).
//
// Shape legend: B batch, C channels, H×W pixels, L = H·W positions, S text tokens, D width.

import TensorCore

/// ResnetBlock2D: norm1 → SiLU → conv1 → + time_emb_proj(SiLU(temb)) → norm2 → SiLU → conv2,
/// plus the input (through a 1×1 conv when channels change). The autoencoder's blocks have no
/// timestep (diffusers' temb_channels=None): no time_emb_proj, and nothing is added after conv1.
public struct ResnetBlock2D {
    public let norm1: GroupNorm, conv1: Conv2d, norm2: GroupNorm, conv2: Conv2d
    /// time_emb_proj; nil in the autoencoder.
    public let timeProj: Linear?
    let shortcut: Conv2d?
    public init(
        _ s: ParameterStore, _ name: String, _ inC: Int, _ outC: Int, temb: Int?, groups: Int, eps: Float,
        rng: inout RNG
    ) {
        norm1 = GroupNorm(s, name + ".norm1", groups: groups, channels: inC, eps: eps)
        conv1 = Conv2d(s, name + ".conv1", inC, outC, kernel: 3, padding: 1, rng: &rng)
        if let temb {
            timeProj = Linear(s, name + ".time_emb_proj", temb, outC, rng: &rng)
        } else {
            timeProj = nil
        }
        norm2 = GroupNorm(s, name + ".norm2", groups: groups, channels: outC, eps: eps)
        conv2 = Conv2d(s, name + ".conv2", outC, outC, kernel: 3, padding: 1, rng: &rng)
        shortcut = inC != outC ? Conv2d(s, name + ".conv_shortcut", inC, outC, kernel: 1, rng: &rng) : nil
    }
    public func callAsFunction(_ x: Variable, _ temb: Variable?) -> Variable {  // x: (B, Cin, H, W), temb: (B, T)
        precondition(
            (timeProj == nil) == (temb == nil), "ResnetBlock2D: a time embedding exactly when it has time_emb_proj")
        // conv1's output plus the projected time embedding, added per image and channel in the conv.
        // norm → SiLU is one fused pass (GroupNorm with silu: true).
        // (Without gradients, each norm is written straight into its conv's padded input.)
        let timeBias = timeProj.map { $0(temb!.silu()) }  // (B, C)
        let h = conv1(normalizing: x, with: norm1, silu: true, imageBias: timeBias)  // (B, C, H, W)
        // dropout 0: identity; the skip connection is added inside conv2.
        return conv2(normalizing: h, with: norm2, silu: true, residual: shortcut.map { $0(x) } ?? x)
    }
}

/// diffusers' Attention with the default processor: q from x, k and v from the context (x itself
/// for self-attention), heads of width D/heads, softmax(q·kᵀ/√d)·v, then to_out.0.
/// The UNet's projections have no bias; the autoencoder's (`bias=True`) have.
struct Attention {
    let toQ: Linear, toK: Linear, toV: Linear, toOut: Linear
    let heads: Int
    init(
        _ s: ParameterStore, _ name: String, dim: Int, contextDim: Int, heads: Int, bias: Bool = false, rng: inout RNG
    ) {
        toQ = Linear(s, name + ".to_q", dim, dim, bias: bias, rng: &rng)
        toK = Linear(s, name + ".to_k", contextDim, dim, bias: bias, rng: &rng)
        toV = Linear(s, name + ".to_v", contextDim, dim, bias: bias, rng: &rng)
        toOut = Linear(s, name + ".to_out.0", dim, dim, rng: &rng)
        self.heads = heads
    }
    /// `residual` is added to the output inside to_out's GEMM.
    // x: (B, L, D), context: (B, S, Dc)
    func callAsFunction(_ x: Variable, context: Variable? = nil, residual: Variable? = nil) -> Variable {
        let c = context ?? x
        // Heads are column blocks of (B, L, D); the fused op reads them in place.
        return toOut(
            // (B, L, D)
            Variable.multiHeadAttention(query: toQ(x), key: toK(c), value: toV(c), heads: heads), residual: residual)
    }
}

/// BasicTransformerBlock: self-attention, cross-attention and a GEGLU feed-forward, each after a
/// LayerNorm and added back.
struct BasicTransformerBlock {
    let norm1: LayerNorm, attn1: Attention, norm2: LayerNorm, attn2: Attention, norm3: LayerNorm
    let ffIn: Linear, ffOut: Linear
    init(_ s: ParameterStore, _ name: String, dim: Int, contextDim: Int, heads: Int, rng: inout RNG) {
        norm1 = LayerNorm(s, name + ".norm1", dim, eps: 1e-5)
        attn1 = Attention(s, name + ".attn1", dim: dim, contextDim: dim, heads: heads, rng: &rng)
        norm2 = LayerNorm(s, name + ".norm2", dim, eps: 1e-5)
        attn2 = Attention(s, name + ".attn2", dim: dim, contextDim: contextDim, heads: heads, rng: &rng)
        norm3 = LayerNorm(s, name + ".norm3", dim, eps: 1e-5)
        ffIn = Linear(s, name + ".ff.net.0.proj", dim, 2 * 4 * dim, rng: &rng)  // GEGLU: hidden and gate
        ffOut = Linear(s, name + ".ff.net.2", 4 * dim, dim, rng: &rng)
    }
    func callAsFunction(_ x: Variable, context: Variable) -> Variable {  // (B, L, D)
        // Each "+ x" is accumulated by the output projection's GEMM.
        var h = attn1(norm1(x), residual: x)
        h = attn2(norm2(h), context: context, residual: h)
        // ff.net.0 (a linear to 8D, then GEGLU to 4D) is one fused op.
        // (B, L, 4D) → (B, L, D)
        return ffOut(Variable.linearGEGLU(norm3(h), weight: ffIn.weight, bias: ffIn.bias), residual: h)
    }
}

/// Transformer2DModel on feature maps: GroupNorm (ε = 1e-6) → proj_in → blocks on (B, L, C) →
/// proj_out, plus the input.
public struct Transformer2D {
    let norm: GroupNorm
    let projInConv: Conv2d?, projOutConv: Conv2d?, projInLinear: Linear?, projOutLinear: Linear?
    let block: BasicTransformerBlock
    public init(
        _ s: ParameterStore, _ name: String, channels: Int, contextDim: Int, heads: Int, groups: Int,
        linearProjection: Bool, rng: inout RNG
    ) {
        norm = GroupNorm(s, name + ".norm", groups: groups, channels: channels, eps: 1e-6)
        (projInConv, projInLinear) = Self.projection(s, name + ".proj_in", channels, linearProjection, rng: &rng)
        block = BasicTransformerBlock(
            s, name + ".transformer_blocks.0", dim: channels, contextDim: contextDim, heads: heads, rng: &rng)
        (projOutConv, projOutLinear) = Self.projection(s, name + ".proj_out", channels, linearProjection, rng: &rng)
    }

    /// proj_in or proj_out: a 1×1 convolution, or a linear layer with use_linear_projection.
    static func projection(
        _ s: ParameterStore, _ name: String, _ channels: Int, _ linear: Bool, rng: inout RNG
    ) -> (Conv2d?, Linear?) {
        linear
            ? (nil, Linear(s, name, channels, channels, rng: &rng))
            : (Conv2d(s, name, channels, channels, kernel: 1, rng: &rng), nil)
    }
    public func callAsFunction(_ x: Variable, context: Variable) -> Variable {  // (B, C, H, W)
        let s = x.shape
        let (B, C, H, W) = (s[0], s[1], s[2], s[3])
        let n = norm(x)
        var h: Variable  // (B, L, C) tokens
        if let p = projInConv, p.adapter.lora == nil {
            h = Variable.pointwiseConvToTokens(n, weight: p.weight, bias: p.bias)  // 1×1 conv and permute in one GEMM
        } else if let p = projInConv {  // with a LoRA adapter: the convolution, then to tokens
            h = p(n).permuted([0, 2, 3, 1]).reshaped([B, H * W, C])
        } else {
            h = projInLinear!(n.permuted([0, 2, 3, 1]).reshaped([B, H * W, C]))
        }
        h = block(h, context: context)
        if let p = projOutConv, p.adapter.lora == nil {
            return Variable.tokensToPointwiseConv(h, weight: p.weight, bias: p.bias, height: H, width: W) + x
        } else if let p = projOutConv {
            return p(h.reshaped([B, H, W, C]).permuted([0, 3, 1, 2]), residual: x)
        }
        return projOutLinear!(h).reshaped([B, H, W, C]).permuted([0, 3, 1, 2]) + x
    }
}

/// A down block: ResNet blocks (each followed by a transformer in CrossAttnDownBlock2D), then a
/// stride-2 convolution unless it is the last. Every intermediate state is kept as a skip.
public struct DownBlock {
    public let resnets: [ResnetBlock2D], attentions: [Transformer2D], downsample: Conv2d?
    init(_ s: ParameterStore, _ name: String, cfg: UNetConfig, level: Int, inC: Int, rng: inout RNG) {
        let outC = cfg.blockOutChannels[level]
        let cross = cfg.downBlockTypes[level] == "CrossAttnDownBlock2D"
        var r: [ResnetBlock2D] = []
        var a: [Transformer2D] = []
        for i in 0..<cfg.layersPerBlock {
            r.append(
                ResnetBlock2D(
                    s, "\(name).resnets.\(i)", i == 0 ? inC : outC, outC, temb: cfg.timeEmbedDim,
                    groups: cfg.normNumGroups, eps: cfg.normEps, rng: &rng))
            if cross {
                a.append(
                    Transformer2D(
                        s, "\(name).attentions.\(i)", channels: outC, contextDim: cfg.crossAttentionDim,
                        heads: cfg.attentionHeads[level],
                        groups: cfg.normNumGroups, linearProjection: cfg.useLinearProjection, rng: &rng))
            }
        }
        resnets = r
        attentions = a
        downsample =
            level < cfg.blockOutChannels.count - 1
            ? Conv2d(s, "\(name).downsamplers.0.conv", outC, outC, kernel: 3, stride: 2, padding: 1, rng: &rng) : nil
    }
    public func callAsFunction(_ x: Variable, temb: Variable, context: Variable, skips: inout [Variable]) -> Variable {
        var h = x
        for (i, r) in resnets.enumerated() {
            h = r(h, temb)
            if !attentions.isEmpty { h = attentions[i](h, context: context) }
            skips.append(h)
        }
        if let d = downsample {
            h = d(h)
            skips.append(h)
        }
        return h
    }
}

/// An up block: layersPerBlock + 1 ResNet blocks, each taking the latest unused skip concatenated
/// on channels (and a transformer after each in CrossAttnUpBlock2D), then nearest 2× + 3×3 conv
/// unless it is the last.
public struct UpBlock {
    public let resnets: [ResnetBlock2D], attentions: [Transformer2D], upsample: Conv2d?
    init(_ s: ParameterStore, _ name: String, cfg: UNetConfig, index i: Int, rng: inout RNG) {
        let rev = Array(cfg.blockOutChannels.reversed())
        let n = rev.count
        let outC = rev[i]
        let prevC = rev[max(i - 1, 0)]
        let inC = rev[min(i + 1, n - 1)]
        let cross = cfg.upBlockTypes[i] == "CrossAttnUpBlock2D"
        var r: [ResnetBlock2D] = []
        var a: [Transformer2D] = []
        let layers = cfg.layersPerBlock + 1
        for j in 0..<layers {
            let skipC = j == layers - 1 ? inC : outC
            let resIn = j == 0 ? prevC : outC
            r.append(
                ResnetBlock2D(
                    s, "\(name).resnets.\(j)", resIn + skipC, outC, temb: cfg.timeEmbedDim, groups: cfg.normNumGroups,
                    eps: cfg.normEps, rng: &rng))
            if cross {
                a.append(
                    Transformer2D(
                        s, "\(name).attentions.\(j)", channels: outC, contextDim: cfg.crossAttentionDim,
                        heads: cfg.attentionHeads.reversed()[i],
                        groups: cfg.normNumGroups, linearProjection: cfg.useLinearProjection, rng: &rng))
            }
        }
        resnets = r
        attentions = a
        upsample =
            i < n - 1 ? Conv2d(s, "\(name).upsamplers.0.conv", outC, outC, kernel: 3, padding: 1, rng: &rng) : nil
    }
    public func callAsFunction(_ x: Variable, temb: Variable, context: Variable, skips: inout [Variable]) -> Variable {
        var h = x
        for (j, r) in resnets.enumerated() {
            h = r(Variable.concat([h, skips.removeLast()], axis: 1), temb)
            if !attentions.isEmpty { h = attentions[j](h, context: context) }
        }
        if let u = upsample { h = u(h.upsampleNearest2x()) }
        return h
    }
}
