// The UNet written the way the papers draw it: every block composed from the primitives —
// GroupNorm, then SiLU, then a convolution; a linear layer; softmax(Q·Kᵀ/√d)·V with the heads
// split and merged by reshapes — and nothing fused. It uses the same parameters as the fast path
// (UNet2DConditionModel.callAsFunction), which the tests hold to it, and it is what chapter 03
// walks through. What the fast path fuses, and what each fusion saves:
//   GroupNorm → SiLU → conv     one pass writes the normalised, activated image straight into the
//                               convolution's padded input (no intermediate tensor, no extra read)
//   + time embedding, + skip    added per image and channel by the convolution as it stores its
//                               output (two passes over the feature map saved)
//   Q·Kᵀ, softmax, ·V          one kernel per block of queries; the probabilities are never
//                               stored, only a row of statistics, recomputed in backward
//   GEGLU                       the gate is applied as the projection's GEMM stores its tiles
//   1×1 conv + permute          proj_in / proj_out as one GEMM that reads and writes the token layout

import TensorCore

extension UNet2DConditionModel {
    /// The same function as `callAsFunction`, composed from primitives (slow, plain to read).
    public func readableForward(_ sample: Variable, timesteps: [Float], encoderHiddenStates context: Variable)
        -> Variable
    {
        let temb = timeEmbedding(timesteps)  // (B, 4·C₀)
        var h = Variable.conv2d(sample, weight: convIn.weight, bias: convIn.bias, padding: 1)
        var skips = [h]
        for block in downs {
            for (i, r) in block.resnets.enumerated() {
                h = Readable.resnet(r, h, temb)
                if !block.attentions.isEmpty { h = Readable.transformer(block.attentions[i], h, context: context) }
                skips.append(h)
            }
            if let d = block.downsample {
                h = Variable.conv2d(h, weight: d.weight, bias: d.bias, stride: 2, padding: 1)
                skips.append(h)
            }
        }
        h = Readable.resnet(midResnet1, h, temb)
        h = Readable.transformer(midAttention, h, context: context)
        h = Readable.resnet(midResnet2, h, temb)
        for block in ups {
            for (j, r) in block.resnets.enumerated() {
                h = Readable.resnet(r, Variable.concat([h, skips.removeLast()], axis: 1), temb)
                if !block.attentions.isEmpty { h = Readable.transformer(block.attentions[j], h, context: context) }
            }
            if let u = block.upsample {
                h = Variable.conv2d(h.upsampleNearest2x(), weight: u.weight, bias: u.bias, padding: 1)
            }
        }
        h = h.groupNorm(groups: normOut.groups, weight: normOut.weight, bias: normOut.bias, eps: normOut.eps).silu()
        return Variable.conv2d(h, weight: convOut.weight, bias: convOut.bias, padding: 1)
    }
}

/// The blocks, one primitive per line.
public enum Readable {
    static func norm(_ n: GroupNorm, _ x: Variable) -> Variable {
        x.groupNorm(groups: n.groups, weight: n.weight, bias: n.bias, eps: n.eps)
    }
    // x·Wᵀ + b (plus a LoRA term when one is attached)
    static func linear(_ l: Linear, _ x: Variable) -> Variable { l(x) }

    /// ResnetBlock2D: norm1 → SiLU → conv1, plus the projected time embedding per channel,
    /// norm2 → SiLU → conv2, plus the input (through a 1×1 convolution when the width changes).
    public static func resnet(_ r: ResnetBlock2D, _ x: Variable, _ temb: Variable?) -> Variable {  // (B, Cin, H, W)
        var h = norm(r.norm1, x).silu()
        h = Variable.conv2d(h, weight: r.conv1.weight, bias: r.conv1.bias, padding: 1)  // (B, C, H, W)
        if let timeProj = r.timeProj, let temb {  // the UNet's blocks; the autoencoder's have no timestep
            let t = linear(timeProj, temb.silu())  // (B, C)
            h = h + t.reshaped([t.shape[0], t.shape[1], 1, 1])  // broadcast over H, W
        }
        h = norm(r.norm2, h).silu()
        h = Variable.conv2d(h, weight: r.conv2.weight, bias: r.conv2.bias, padding: 1)
        let skip = r.shortcut.map { Variable.conv2d(x, weight: $0.weight, bias: $0.bias) } ?? x
        return h + skip
    }

    /// Attention: q = x·Wqᵀ, k = c·Wkᵀ, v = c·Wvᵀ; heads split; softmax(q·kᵀ/√d)·v; heads merged; to_out.
    // x: (B, L, D), c: (B, S, Dc)
    static func attention(_ a: Attention, _ x: Variable, context c: Variable) -> Variable {
        let B = x.shape[0]
        let L = x.shape[1]
        let S = c.shape[1]
        let D = a.toQ.weight.shape[0]
        let d = D / a.heads
        // (B, heads, n, d)
        func heads(_ t: Variable, _ n: Int) -> Variable { t.reshaped([B, n, a.heads, d]).permuted([0, 2, 1, 3]) }
        let q = heads(linear(a.toQ, x), L)
        let k = heads(linear(a.toK, c), S)
        let v = heads(linear(a.toV, c), S)
        let scores = Variable.matmul(q, k, transposeB: true) * (1 / Float(d).squareRoot())  // (B, heads, L, S)
        let mixed = Variable.matmul(scores.softmax(), v)  // (B, heads, L, d)
        return linear(a.toOut, mixed.permuted([0, 2, 1, 3]).reshaped([B, L, D]))  // (B, L, D)
    }

    /// BasicTransformerBlock: self-attention, cross-attention, GEGLU feed-forward, each on a
    /// LayerNorm of the stream and added back.
    static func block(_ b: BasicTransformerBlock, _ x: Variable, context: Variable) -> Variable {
        let n1 = b.norm1(x)
        var h = x + attention(b.attn1, n1, context: n1)
        h = h + attention(b.attn2, b.norm2(h), context: context)
        let projected = linear(b.ffIn, b.norm3(h))  // (B, L, 8D)
        let width = projected.shape[2] / 2
        // hidden · GELU(gate)
        let gated = projected.slice(axis: 2, 0..<width) * projected.slice(axis: 2, width..<(2 * width)).gelu()
        return h + linear(b.ffOut, gated)
    }

    /// The self-attention (attn1) of a transformer's block alone, on tokens that are already
    /// LayerNorm'ed: what chapter 03 checks against diffusers' Attention module by itself.
    public static func selfAttention(of t: Transformer2D, _ tokens: Variable) -> Variable {  // (B, L, C)
        attention(t.block.attn1, tokens, context: tokens)
    }

    /// Transformer2DModel: GroupNorm → proj_in → tokens (B, H·W, C) → block → back → proj_out, plus the input.
    public static func transformer(_ t: Transformer2D, _ x: Variable, context: Variable) -> Variable {  // (B, C, H, W)
        let s = x.shape
        let (B, C, H, W) = (s[0], s[1], s[2], s[3])
        var h = norm(t.norm, x)
        if let p = t.projInConv { h = Variable.conv2d(h, weight: p.weight, bias: p.bias) }
        h = h.permuted([0, 2, 3, 1]).reshaped([B, H * W, C])  // pixels become tokens
        if let p = t.projInLinear { h = linear(p, h) }
        h = block(t.block, h, context: context)
        if let p = t.projOutLinear { h = linear(p, h) }
        h = h.reshaped([B, H, W, C]).permuted([0, 3, 1, 2])
        if let p = t.projOutConv { h = Variable.conv2d(h, weight: p.weight, bias: p.bias) }
        return h + x
    }
}

extension Transformer2D {
    /// The fast path's self-attention (attn1) alone, the twin of `Readable.selfAttention(of:_:)`.
    public func selfAttention(_ tokens: Variable) -> Variable { block.attn1(tokens) }  // (B, L, C)
}
