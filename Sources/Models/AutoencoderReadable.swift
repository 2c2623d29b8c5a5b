// The autoencoder written the way the papers draw it, from the same primitives as the readable
// UNet (UNetReadable.swift): GroupNorm, then SiLU, then a convolution; softmax(Q·Kᵀ/√d)·V with
// reshapes — nothing fused. Same parameters as `encode` / `decode`, which the tests hold to it.

import TensorCore

extension AutoencoderKL {
    /// The same function as `encode`, composed from primitives.
    public func readableEncode(_ x: Variable) -> DiagonalGaussian {
        var h = Readable.conv(encoderConvIn, x)
        for block in downs {
            for r in block.resnets { h = Readable.resnet(r, h, nil) }
            // diffusers' Downsample2D with padding 0: one zero row and column at the bottom and right.
            if let d = block.downsample { h = Readable.conv(d, h.zeroPadded(bottom: 1, right: 1)) }
        }
        h = Readable.midBlock(encoderMid, h)
        h = Readable.conv(encoderConvOut, Readable.norm(encoderNormOut, h).silu())
        if let q = quantConv { h = Readable.conv(q, h) }
        return DiagonalGaussian(parameters: h)
    }

    /// The same function as `decode`, composed from primitives.
    public func readableDecode(_ z: Variable) -> Variable {
        var h = postQuantConv.map { Readable.conv($0, z) } ?? z
        h = Readable.midBlock(decoderMid, Readable.conv(decoderConvIn, h))
        for block in ups {
            for r in block.resnets { h = Readable.resnet(r, h, nil) }
            if let u = block.upsample { h = Readable.conv(u, h.upsampleNearest2x()) }
        }
        return Readable.conv(decoderConvOut, Readable.norm(decoderNormOut, h).silu())
    }
}

extension Readable {
    /// A convolution with its own stride and padding.
    static func conv(_ c: Conv2d, _ x: Variable) -> Variable {
        Variable.conv2d(x, weight: c.weight, bias: c.bias, stride: c.stride, padding: c.padding)
    }

    /// The autoencoder's attention: GroupNorm → pixels become tokens → one head of attention →
    /// back, plus the input.
    static func spatialSelfAttention(_ a: SpatialSelfAttention, _ x: Variable) -> Variable {  // (B, C, H, W)
        let s = x.shape
        let (B, C, H, W) = (s[0], s[1], s[2], s[3])
        let tokens = norm(a.groupNorm, x).permuted([0, 2, 3, 1]).reshaped([B, H * W, C])  // (B, L, C)
        let mixed = attention(a.attention, tokens, context: tokens)
        return mixed.reshaped([B, H, W, C]).permuted([0, 3, 1, 2]) + x
    }

    /// UNetMidBlock2D without a timestep: ResNet → attention → ResNet.
    static func midBlock(_ m: AutoencoderMidBlock, _ x: Variable) -> Variable {
        var h = resnet(m.resnet1, x, nil)
        if let a = m.attention { h = spatialSelfAttention(a, h) }
        return resnet(m.resnet2, h, nil)
    }
}
