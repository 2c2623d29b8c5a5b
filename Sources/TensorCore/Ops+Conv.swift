// 2-D convolution (PyTorch's conv2d, NCHW, weight (Cout, Cin, kh, kw)).
//
// Stride-1 convolutions (all but the UNet's downsamplers) run as implicit GEMMs on the padded
// image, forward and backward, without materialising patches (Conv2DImplicitGEMM.swift); the 3×3 ones
// with padding 1, forward and ∂x, by Winograd's F(2×2, 3×3) (Conv2DWinograd.swift). Other strides
// use im2col + GEMM, described here. im2col lays every input patch out as a column: cols[(ci, ky, kx), (b, oy, ox)] =
//   x[b, ci, oy·s − p + ky, ox·s − p + kx]   (0 outside the image),
// so the convolution of the whole batch is one matrix product, computed transposed,
//   outᵀ[(b, oy, ox), co] = Σ_k cols[k, (b, oy, ox)] · W[co, k]          (B·L, Cout)
// because many rows (B·L) and few columns (Cout) suit the 12×32 micro-kernel; its pullbacks are
// two more:
//   ∂L/∂W = G · colsᵀ          (Cout, K), summed over the batch by the product itself
//   ∂L/∂cols = Wᵀ · G          (K, B·L), scattered back to pixels by col2im.
// `conv2dNaive` is the definition and the oracle.

/// Geometry of one convolution.
public struct Conv2DShape: Equatable, Sendable {
    public let batch, inChannels, height, width, outChannels, kernelH, kernelW, stride, padding: Int
    public var outHeight: Int { (height + 2 * padding - kernelH) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelW) / stride + 1 }
    /// Rows of the im2col matrix: Cin·kh·kw.
    public var patch: Int { inChannels * kernelH * kernelW }
    /// Columns of the im2col matrix: B·OH·OW.
    public var columns: Int { batch * outHeight * outWidth }
}

/// cols (patch, B·OH·OW) from x (B, Cin, H, W). Parallel over patch rows.
func im2col(_ x: UnsafePointer<Float>, _ s: Conv2DShape, _ cols: UnsafeMutablePointer<Float>) {
    let oh = s.outHeight
    let ow = s.outWidth
    let L = oh * ow
    let N = s.columns
    let khw = s.kernelH * s.kernelW
    Parallel.chunks(s.patch) { rows in
        for r in rows {
            let ci = r / khw
            let ky = (r % khw) / s.kernelW
            let kx = r % s.kernelW
            let row = cols + r &* N
            for b in 0..<s.batch {
                let plane = x + (b &* s.inChannels &+ ci) &* s.height &* s.width
                for oy in 0..<oh {
                    let iy = oy &* s.stride &- s.padding &+ ky
                    let dst = row + (b &* L &+ oy &* ow)
                    if iy < 0 || iy >= s.height {
                        dst.update(repeating: 0, count: ow)
                        continue
                    }
                    let src = plane + iy &* s.width
                    if s.stride == 1 {
                        // ix = ox − p + kx: a shifted copy with zeros at the edges.
                        let shift = kx &- s.padding
                        let lo = Swift.min(ow, Swift.max(0, -shift))
                        let hi = Swift.max(lo, Swift.min(ow, s.width &- shift))
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        if hi > lo { (dst + lo).update(from: src + (lo &+ shift), count: hi &- lo) }
                        if hi < ow { (dst + hi).update(repeating: 0, count: ow &- hi) }
                    } else {
                        for ox in 0..<ow {
                            let ix = ox &* s.stride &- s.padding &+ kx
                            dst[ox] = (ix >= 0 && ix < s.width) ? src[ix] : 0
                        }
                    }
                }
            }
        }
    }
}

/// dx (B, Cin, H, W) += col2im(dcols). Parallel over input channels (each writes its own planes).
func col2im(_ dcols: UnsafePointer<Float>, _ s: Conv2DShape, _ dx: UnsafeMutablePointer<Float>) {
    let oh = s.outHeight
    let ow = s.outWidth
    let L = oh * ow
    let N = s.columns
    Parallel.chunks(s.inChannels) { channels in
        for ci in channels {
            for ky in 0..<s.kernelH {
                for kx in 0..<s.kernelW {
                    let row = dcols + ((ci &* s.kernelH &+ ky) &* s.kernelW &+ kx) &* N
                    for b in 0..<s.batch {
                        let plane = dx + (b &* s.inChannels &+ ci) &* s.height &* s.width
                        for oy in 0..<oh {
                            let iy = oy &* s.stride &- s.padding &+ ky
                            if iy < 0 || iy >= s.height { continue }
                            let src = row + (b &* L &+ oy &* ow)
                            let dst = plane + iy &* s.width
                            for ox in 0..<ow {
                                let ix = ox &* s.stride &- s.padding &+ kx
                                if ix >= 0 && ix < s.width { dst[ix] += src[ox] }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Variable {
    /// 2-D convolution: x (B, Cin, H, W), weight (Cout, Cin, kh, kw), bias (Cout) → (B, Cout, OH, OW).
    /// `imageBias` (B, Cout), when given, is added per image and channel — a ResNet block's time
    /// embedding, fused here instead of a broadcast pass over the output. `residual` (the output's
    /// shape), when given, is added too: a ResNet block's skip connection, without a pass of its own.
    public static func conv2d(
        _ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0,
        imageBias: Variable? = nil, residual: Variable? = nil
    ) -> Variable {
        let t0 = Profiler.now()
        let xs = x.shape
        let ws = weight.shape
        precondition(
            xs.count == 4 && ws.count == 4 && xs[1] == ws[1],
            "conv2d: input \(shapeString(xs)) and weight \(shapeString(ws)) do not fit (B, C, H, W) and (Cout, C, "
                + "kh, kw)"
        )
        let s = Conv2DShape(
            batch: xs[0], inChannels: xs[1], height: xs[2], width: xs[3], outChannels: ws[0],
            kernelH: ws[2], kernelW: ws[3], stride: stride, padding: padding)
        precondition(
            s.outHeight > 0 && s.outWidth > 0,
            "conv2d: kernel \(ws[2])×\(ws[3]) larger than padded input \(shapeString(xs))")
        let K = s.patch
        let N = s.columns
        let L = s.outHeight * s.outWidth
        let Co = s.outChannels
        if let imageBias {
            precondition(
                imageBias.shape == [s.batch, Co],
                "conv2d: imageBias \(shapeString(imageBias.shape)) must be (\(s.batch), \(Co))")
        }
        if let residual {
            precondition(
                residual.shape == [s.batch, Co, s.outHeight, s.outWidth],
                "conv2d: residual \(shapeString(residual.shape)) must have the output's shape "
                    + "\(shapeString([s.batch, Co, s.outHeight, s.outWidth]))"
            )
        }
        var out: [Float]
        // The padded copy of x is kept for ∂W when gradients are recorded: rebuilding it in backward
        // cost 2–6 ms per bench train step (bench unet --profile); keeping it, 29 MB of peak memory.
        let keepPadded = Variable.isRecording && weight.requiresGrad
        var paddedInput: PaddedImages? = nil
        if stride == 1 {
            out = .uninitialized(Co * N)  // the direct kernel writes every element
            PaddedImages.with(
                x.value.scalars, batch: s.batch, channels: s.inChannels, height: s.height, width: s.width,
                padding: padding, kernel: s.kernelW
            ) { xp in
                if keepPadded && xp.owned { paddedInput = xp }
                weight.value.scalars.withUnsafeBufferPointer { pw in
                    out.withUnsafeMutableBufferPointer { po in
                        (bias?.value.scalars).withUnsafeOptionalBuffer { bp in
                            (imageBias?.value.scalars).withUnsafeOptionalBuffer { ip in
                                (residual?.value.scalars).withUnsafeOptionalBuffer { rp in
                                    conv2dDirect(
                                        xp, weight: pw.baseAddress!, outChannels: Co, kernelH: s.kernelH,
                                        kernelW: s.kernelW,
                                        bias: bp, imageBias: ip, residual: rp, out: po.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
        } else {
            out = conv2dIm2col(x.value, weight.value, bias?.value, s)
            if let ib = imageBias?.value.scalars {
                for i in 0..<(s.batch * Co) { for l in 0..<L { out[i * L + l] += ib[i] } }
            }
            if let r = residual?.value.scalars { for i in 0..<out.count { out[i] += r[i] } }
        }
        let y = Tensor(shape: [s.batch, Co, s.outHeight, s.outWidth], scalars: out)
        var parents = [x, weight]
        if let bias { parents.append(bias) }
        if let imageBias { parents.append(imageBias) }
        if let residual { parents.append(residual) }
        let kind =
            Profiler.byShape
            ? "conv2d \(s.kernelH)×\(s.kernelW) \(s.inChannels)→\(Co) @\(s.height)²\(stride > 1 ? " /\(stride)" : "")"
            : "conv2d"
        return record(y, parents, kind: kind, start: t0) {
            // Keeps x, or its padded copy (for ∂W), and the weight (for ∂x).
            let w = weight.value
            let xv = x.value
            let direct = stride == 1 && s.kernelH == s.kernelW && padding <= s.kernelH - 1
            return { g in
                residual?.accumulate(g)
                if bias?.requiresGrad == true || imageBias?.requiresGrad == true {
                    // Per (image, channel) sums of G: ∂imageBias, and summed over images, ∂bias.
                    var sums = [Float](repeating: 0, count: s.batch * Co)
                    g.scalars.withUnsafeBufferPointer { pg in
                        for i in 0..<(s.batch * Co) {
                            let row = pg.baseAddress! + i * L
                            var acc = Vec16()
                            var j = 0
                            while j + 16 <= L {
                                acc += UnsafeRawPointer(row + j).loadUnaligned(as: Vec16.self)
                                j += 16
                            }
                            var t = horizontalSum(acc)
                            while j < L {
                                t += row[j]
                                j += 1
                            }
                            sums[i] = t
                        }
                    }
                    if let bias, bias.requiresGrad {
                        var db = [Float](repeating: 0, count: Co)
                        for i in 0..<s.batch { for co in 0..<Co { db[co] += sums[i * Co + co] } }
                        bias.accumulate(Tensor(shape: [Co], scalars: db))
                    }
                    imageBias?.accumulate(Tensor(shape: [s.batch, Co], scalars: sums))
                }
                // G as (Cout, B·L) for the im2col route.
                var gMat = [Float]()
                if !direct {
                    gMat = [Float](repeating: 0, count: Co * N)
                    g.scalars.withUnsafeBufferPointer { src in
                        gMat.withUnsafeMutableBufferPointer { dst in
                            for i in 0..<s.batch {
                                for co in 0..<Co {
                                    (dst.baseAddress! + co * N + i * L).update(
                                        from: src.baseAddress! + (i * Co + co) * L, count: L)
                                }
                            }
                        }
                    }
                }
                let tW = Profiler.byShape ? Profiler.now() : 0
                if weight.requiresGrad && direct {
                    func dW(_ xp: PaddedImages) -> [Float] {
                        g.scalars.withUnsafeBufferPointer {
                            conv2dDirectWeightGradient(xp, grad: $0.baseAddress!, outChannels: Co, kernel: s.kernelH)
                        }
                    }
                    let dw =
                        paddedInput.map(dW)
                        ?? PaddedImages.with(
                            xv.scalars, batch: s.batch, channels: s.inChannels, height: s.height,
                            width: s.width, padding: padding, kernel: s.kernelW, dW)
                    weight.accumulate(Tensor(shape: ws, scalars: dw))
                } else if weight.requiresGrad {
                    var cols = [Float](repeating: 0, count: K * N)
                    xv.scalars.withUnsafeBufferPointer { px in
                        cols.withUnsafeMutableBufferPointer { im2col(px.baseAddress!, s, $0.baseAddress!) }
                    }
                    var dw = [Float](repeating: 0, count: Co * K)
                    gMat.withUnsafeBufferPointer { pg in
                        cols.withUnsafeBufferPointer { pc in
                            dw.withUnsafeMutableBufferPointer { pd in
                                gemm(
                                    m: Co, n: K, k: N, a: .rowMajor(pg.baseAddress!, columns: N),
                                    b: .transposed(pc.baseAddress!, columns: N),
                                    c: pd.baseAddress!, ldc: K, accumulate: false)
                            }
                        }
                    }
                    weight.accumulate(Tensor(shape: ws, scalars: dw))
                }
                if tW != 0 { Profiler.add(kind + " ∂W", since: tW) }
                let tX = Profiler.byShape ? Profiler.now() : 0
                defer { if tX != 0 { Profiler.add(kind + " ∂x", since: tX) } }
                if x.requiresGrad {
                    // col2im adds into it; the direct kernel overwrites
                    var dx = [Float](repeating: 0, count: xs.product)
                    if direct {
                        // ∂L/∂x is the convolution of G, padded by k − 1 − p, with the weights flipped
                        // in space and transposed in channels: W'[ci, co, u, v] = W[co, ci, k−1−u, k−1−v].
                        let kk = s.kernelH
                        let Ci = s.inChannels
                        PaddedImages.with(
                            g.scalars, batch: s.batch, channels: Co, height: s.outHeight, width: s.outWidth,
                            padding: kk - 1 - padding, kernel: kk
                        ) { gp in
                            w.scalars.withUnsafeBufferPointer { pw in
                                dx.withUnsafeMutableBufferPointer { pd in
                                    conv2dDirect(
                                        gp, weight: pw.baseAddress!, outChannels: Ci, kernelH: kk, kernelW: kk,
                                        bias: nil, flipped: true,
                                        out: pd.baseAddress!)
                                }
                            }
                        }
                    } else {
                        var dcols = [Float](repeating: 0, count: K * N)
                        w.scalars.withUnsafeBufferPointer { pw in
                            gMat.withUnsafeBufferPointer { pg in
                                dcols.withUnsafeMutableBufferPointer { pd in
                                    gemm(
                                        m: K, n: N, k: Co, a: .transposed(pw.baseAddress!, columns: K),
                                        b: .rowMajor(pg.baseAddress!, columns: N),
                                        c: pd.baseAddress!, ldc: N, accumulate: false)
                                }
                            }
                        }
                        dcols.withUnsafeBufferPointer { pd in
                            dx.withUnsafeMutableBufferPointer { col2im(pd.baseAddress!, s, $0.baseAddress!) }
                        }
                    }
                    x.accumulate(Tensor(shape: xs, scalars: dx))
                }
            }
        }
    }

    /// `conv2d(x.groupNorm(groups:weight:bias:eps:silu:), …)` in one pass when nothing is recorded
    /// (sampling, evaluation): the normalised input is written straight into the convolution's
    /// padded copy and never exists as a tensor of its own — the same arithmetic, so the same bytes.
    /// While gradients are recorded it is the two ops, whose pullbacks need the normalised tensor.
    public static func groupNormConv2d(
        _ x: Variable, groups G: Int, normWeight: Variable, normBias: Variable, eps: Float, silu: Bool,
        weight: Variable, bias: Variable?, padding: Int,
        imageBias: Variable? = nil, residual: Variable? = nil
    ) -> Variable {
        let xs = x.shape
        let ws = weight.shape
        if Variable.isRecording || xs.count != 4 || ws.count != 4 || xs[1] != ws[1] || xs[1] % G != 0
            || normWeight.shape != [xs[1]]
        {
            return conv2d(
                x.groupNorm(groups: G, weight: normWeight, bias: normBias, eps: eps, silu: silu), weight: weight,
                bias: bias,
                padding: padding, imageBias: imageBias, residual: residual)
        }
        let t0 = Profiler.now()
        let B = xs[0]
        let C = xs[1]
        let H = xs[2]
        let W = xs[3]
        let Co = ws[0]
        let k = ws[2]
        let cpg = C / G
        let n = cpg * H * W
        let OH = H + 2 * padding - k + 1
        let OW = W + 2 * padding - ws[3] + 1
        precondition(
            OH > 0 && OW > 0, "groupNormConv2d: kernel \(ws[2])×\(ws[3]) larger than padded input \(shapeString(xs))")
        if let imageBias {
            precondition(
                imageBias.shape == [B, Co],
                "groupNormConv2d: imageBias \(shapeString(imageBias.shape)) must be (\(B), \(Co))")
        }
        if let residual {
            precondition(
                residual.shape == [B, Co, OH, OW],
                "groupNormConv2d: residual \(shapeString(residual.shape)) must be \(shapeString([B, Co, OH, OW]))")
        }
        // Per (image, channel): the GroupNorm as scale·x + shift, from its group's mean and 1/σ.
        var scale = [Float].uninitialized(B * C)
        var shift = [Float].uninitialized(B * C)
        let gamma = normWeight.value.scalars
        let beta = normBias.value.scalars
        x.value.scalars.withUnsafeBufferPointer { px in
            scale.withUnsafeMutableBufferPointer { sc in
                shift.withUnsafeMutableBufferPointer { sh in
                    Parallel.chunks(B * G) { range in
                        for bg in range {
                            let (mean, r) = meanAndRstd(px.baseAddress! + bg * n, n, eps)
                            let b = bg / G
                            let g0 = (bg % G) * cpg
                            for c in g0..<(g0 + cpg) {
                                let a = r * gamma[c]
                                sc[b * C + c] = a
                                sh[b * C + c] = beta[c] - mean * a
                            }
                        }
                    }
                }
            }
        }
        var out = [Float].uninitialized(B * Co * OH * OW)  // the direct kernel writes every element
        x.value.scalars.withUnsafeBufferPointer { px in
            scale.withUnsafeBufferPointer { sc in
                shift.withUnsafeBufferPointer { sh in
                    let xp = PaddedImages(
                        px.baseAddress!, batch: B, channels: C, height: H, width: W, padding: padding, kernel: ws[3],
                        affine: (sc.baseAddress!, sh.baseAddress!, silu))
                    weight.value.scalars.withUnsafeBufferPointer { pw in
                        out.withUnsafeMutableBufferPointer { po in
                            (bias?.value.scalars).withUnsafeOptionalBuffer { bp in
                                (imageBias?.value.scalars).withUnsafeOptionalBuffer { ip in
                                    (residual?.value.scalars).withUnsafeOptionalBuffer { rp in
                                        conv2dDirect(
                                            xp, weight: pw.baseAddress!, outChannels: Co, kernelH: k, kernelW: ws[3],
                                            bias: bp, imageBias: ip, residual: rp, out: po.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return record(Tensor(shape: [B, Co, OH, OW], scalars: out), [x], kind: "groupNorm+conv2d", start: t0) {
            { _ in }
        }
    }

    /// Nearest-neighbour 2× upsampling of (B, C, H, W); the pullback sums each 2×2 block.
    public func upsampleNearest2x() -> Variable {
        let t0 = Profiler.now()
        let s = shape
        precondition(s.count == 4, "upsampleNearest2x: expected (B, C, H, W), got \(shapeString(s))")
        let planes = s[0] * s[1]
        let h = s[2]
        let w = s[3]
        var out = [Float].uninitialized(planes * 4 * h * w)  // every entry written below
        value.scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                Parallel.chunks(planes) { range in
                    for p in range {
                        for y in 0..<h {
                            let from = src.baseAddress! + (p * h + y) * w
                            let row = dst.baseAddress! + (p * 2 * h + 2 * y) * 2 * w
                            for x in 0..<w {
                                row[2 * x] = from[x]
                                row[2 * x + 1] = from[x]
                            }
                            (row + 2 * w).update(from: row, count: 2 * w)
                        }
                    }
                }
            }
        }
        return Variable.record(
            Tensor(shape: [s[0], s[1], 2 * h, 2 * w], scalars: out), [self], kind: "layout", start: t0
        ) {
            { g in
                var d = [Float].uninitialized(s.product)
                g.scalars.withUnsafeBufferPointer { src in
                    d.withUnsafeMutableBufferPointer { dst in
                        Parallel.chunks(planes) { range in
                            for p in range {
                                for y in 0..<h {
                                    let r0 = src.baseAddress! + (p * 2 * h + 2 * y) * 2 * w
                                    let r1 = r0 + 2 * w
                                    let to = dst.baseAddress! + (p * h + y) * w
                                    for x in 0..<w { to[x] = r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] }
                                }
                            }
                        }
                    }
                }
                self.accumulate(Tensor(shape: s, scalars: d))
            }
        }
    }
}

/// The im2col forward (any stride): cols (K, B·L), outᵀ = colsᵀ · Wᵀ, then (B, Cout, L) + bias.
func conv2dIm2col(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ s: Conv2DShape) -> [Float] {
    let K = s.patch
    let N = s.columns
    let L = s.outHeight * s.outWidth
    let Co = s.outChannels
    var cols = [Float](repeating: 0, count: K * N)
    var outT = [Float](repeating: 0, count: N * Co)  // (B·L, Cout)
    x.scalars.withUnsafeBufferPointer { px in
        cols.withUnsafeMutableBufferPointer { pc in im2col(px.baseAddress!, s, pc.baseAddress!) }
    }
    weight.scalars.withUnsafeBufferPointer { pw in
        cols.withUnsafeBufferPointer { pc in
            outT.withUnsafeMutableBufferPointer { po in
                gemm(
                    m: N, n: Co, k: K, a: .transposed(pc.baseAddress!, columns: N),
                    b: .transposed(pw.baseAddress!, columns: K),
                    c: po.baseAddress!, ldc: Co, accumulate: false)
            }
        }
    }
    var out = [Float](repeating: 0, count: Co * N)
    let b = bias?.scalars
    for i in 0..<s.batch {
        for co in 0..<Co {
            let c = b?[co] ?? 0
            for l in 0..<L { out[(i * Co + co) * L + l] = outT[(i * L + l) * Co + co] + c }
        }
    }
    return out
}

extension Optional where Wrapped == [Float] {
    func withUnsafeOptionalBuffer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let a): return a.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: return body(nil)
        }
    }
}

/// The definition of conv2d, one multiply-add at a time in Double: the oracle for the fast path.
public func conv2dNaive(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    let B = x.shape[0]
    let C = x.shape[1]
    let H = x.shape[2]
    let W = x.shape[3]
    let Co = weight.shape[0]
    let kh = weight.shape[2]
    let kw = weight.shape[3]
    let oh = (H + 2 * padding - kh) / stride + 1
    let ow = (W + 2 * padding - kw) / stride + 1
    var out = Tensor(zeros: [B, Co, oh, ow])
    for b in 0..<B {
        for co in 0..<Co {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var s = Double(bias?.scalars[co] ?? 0)
                    for ci in 0..<C {
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let iy = oy * stride - padding + ky
                                let ix = ox * stride - padding + kx
                                if iy < 0 || iy >= H || ix < 0 || ix >= W { continue }
                                s += Double(x[b, ci, iy, ix]) * Double(weight[co, ci, ky, kx])
                            }
                        }
                    }
                    out[b, co, oy, ox] = Float(s)
                }
            }
        }
    }
    return out
}
