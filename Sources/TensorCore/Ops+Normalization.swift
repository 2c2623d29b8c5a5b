// GroupNorm (Wu & He 2018) and LayerNorm (Ba et al. 2016), fused: one pass for the statistics,
// one for the output, and a hand-derived pullback. With x̂ = (x − μ)·r, r = 1/√(σ² + ε), and
// y = γ·x̂ + β, the gradient through the statistics of a group of n elements is
//   ∂L/∂x = r · (d − mean(d) − x̂ · mean(d · x̂)),   d = γ · ∂L/∂y,
//   ∂L/∂γ = Σ ∂L/∂y · x̂,   ∂L/∂β = Σ ∂L/∂y.
// The composed versions below (built from mean, subtraction, sqrt, …) are the oracles.

import Foundation

/// Mean and 1/√(var + ε) of `n` contiguous floats (two passes, SIMD16 partial sums).
@inline(__always)
func meanAndRstd(_ p: UnsafePointer<Float>, _ n: Int, _ eps: Float) -> (Float, Float) {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
        i += 16
    }
    var s = horizontalSum(acc)
    while i < n {
        s += p[i]
        i += 1
    }
    let mean = s / Float(n)
    var acc2 = SIMD16<Float>()
    let m = SIMD16<Float>(repeating: mean)
    i = 0
    while i + 16 <= n {
        let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self) - m
        acc2.addProduct(d, d)
        i += 16
    }
    var v = horizontalSum(acc2)
    while i < n {
        let d = p[i] - mean
        v += d * d
        i += 1
    }
    return (mean, 1 / (v / Float(n) + eps).squareRoot())
}

/// (Σ q, Σ q·x̂) over n floats with x̂ = (p − mean)·rstd: the two sums of a norm's pullback.
@inline(__always)
func sumAndDot(_ q: UnsafePointer<Float>, _ p: UnsafePointer<Float>, _ n: Int, mean: Float, rstd: Float) -> (
    Float, Float
) {
    var s = Vec16()
    var d = Vec16()
    var i = 0
    let mv = Vec16(repeating: mean)
    let rv = Vec16(repeating: rstd)
    while i + 16 <= n {
        let qv = UnsafeRawPointer(q + i).loadUnaligned(as: Vec16.self)
        s += qv
        d.addProduct(qv, (UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) - mv) * rv)
        i += 16
    }
    var ss = horizontalSum(s)
    var dd = horizontalSum(d)
    while i < n {
        ss += q[i]
        dd += q[i] * (p[i] - mean) * rstd
        i += 1
    }
    return (ss, dd)
}

/// o = rstd·(γ·q − md − x̂·mdx) over n floats: a norm's input gradient, given the group's means.
@inline(__always)
func normBackwardRow(
    _ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int,
    mean: Float, rstd: Float, gamma: Float, md: Float, mdx: Float
) {
    let mv = Vec16(repeating: mean)
    let rv = Vec16(repeating: rstd)
    let gv = Vec16(repeating: gamma)
    let mdv = Vec16(repeating: md)
    let mdxv = Vec16(repeating: mdx)
    var i = 0
    while i + 16 <= n {
        let xh = (UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) - mv) * rv
        let qv = UnsafeRawPointer(q + i).loadUnaligned(as: Vec16.self)
        UnsafeMutableRawPointer(o + i).storeBytes(of: rv * (gv * qv - mdv - xh * mdxv), as: Vec16.self)
        i += 16
    }
    while i < n {
        let xh = (p[i] - mean) * rstd
        o[i] = rstd * (gamma * q[i] - md - xh * mdx)
        i += 1
    }
}

/// o = a·p + b over n floats, then SiLU when asked; explicit SIMD loops so the compiler inlines vexp.
@inline(__always)
func affineRow(
    _ p: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int, _ a: Float, _ b: Float, silu: Bool
) {
    let av = Vec16(repeating: a)
    let bv = Vec16(repeating: b)
    var i = 0
    if silu {
        while i + 16 <= n {
            var y = UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) * av + bv
            y = y / (1 + vexp(-y))
            UnsafeMutableRawPointer(o + i).storeBytes(of: y, as: Vec16.self)
            i += 16
        }
        // The tail through vexp too, so an element's value does not depend on where rows are cut
        // (the fused GroupNorm → conv writes image rows, the GroupNorm whole planes).
        if i < n {
            vectorMap(p + i, o + i, n - i) { x in
                let y = x * av + bv
                return y / (1 + vexp(-y))
            }
        }
    } else {
        while i + 16 <= n {
            UnsafeMutableRawPointer(o + i).storeBytes(
                of: UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) * av + bv, as: Vec16.self)
            i += 16
        }
        while i < n {
            o[i] = p[i] * a + b
            i += 1
        }
    }
}

extension Variable {
    /// GroupNorm over (B, C, …): channels split into `groups`; each (batch, group) normalised over
    /// its channels and positions; per-channel affine γ (weight) and β (bias). With `silu`, the
    /// output is SiLU(GroupNorm(x)) in the same pass (a ResNet block's norm → activation).
    public func groupNorm(groups G: Int, weight: Variable, bias: Variable, eps: Float, silu: Bool = false) -> Variable {
        let t0 = Profiler.now()
        let s = shape
        let B = s[0]
        let C = s[1]
        let S = s.dropFirst(2).reduce(1, *)
        precondition(C % G == 0, "groupNorm: \(C) channels of \(shapeString(s)) do not split into \(G) groups")
        precondition(
            weight.shape == [C] && bias.shape == [C],
            "groupNorm: weight \(shapeString(weight.shape)) and bias \(shapeString(bias.shape)) must be (\(C),)")
        let cpg = C / G
        let n = cpg * S
        var stats = [Float](repeating: 0, count: 2 * B * G)  // mean, rstd per (b, g)
        var out = [Float].uninitialized(s.product)
        let x = value
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                stats.withUnsafeMutableBufferPointer { st in
                    Parallel.chunks(B * G) { range in
                        for bg in range {
                            let base = bg * n
                            let (mean, r) = meanAndRstd(px.baseAddress! + base, n, eps)
                            st[2 * bg] = mean
                            st[2 * bg + 1] = r
                            let g0 = (bg % G) * cpg
                            for c in 0..<cpg {
                                let a = r * weight.value.scalars[g0 + c]
                                let b = bias.value.scalars[g0 + c] - mean * a
                                let p = px.baseAddress! + base + c * S
                                let o = po.baseAddress! + base + c * S
                                affineRow(p, o, S, a, b, silu: silu)
                            }
                        }
                    }
                }
            }
        }
        return Variable.record(Tensor(shape: s, scalars: out), [self, weight, bias], kind: "groupNorm", start: t0) {
            // Keeps x and the per-group (μ, r); x̂ is recomputed.
            let gamma = weight.value.scalars
            let beta = bias.value.scalars
            return { gOut in
                // Through the SiLU first: ∂L/∂y = ∂L/∂out · σ(y)(1 + y(1 − σ(y))), y = γx̂ + β recomputed,
                // written into dx's buffer, which the normalisation's pullback then overwrites in place.
                var dx = [Float].uninitialized(s.product)
                var dgammaPart = [Float](repeating: 0, count: B * C)
                var dbetaPart = [Float](repeating: 0, count: B * C)
                x.scalars.withUnsafeBufferPointer { px in
                    gOut.scalars.withUnsafeBufferPointer { pgOut in
                        dx.withUnsafeMutableBufferPointer { pd in
                            dgammaPart.withUnsafeMutableBufferPointer { dgp in
                                dbetaPart.withUnsafeMutableBufferPointer { dbp in
                                    let pg = silu ? UnsafePointer(pd.baseAddress!) : pgOut.baseAddress!
                                    Parallel.chunks(B * G) { range in
                                        for bg in range {
                                            let base = bg * n
                                            let mean = stats[2 * bg]
                                            let r = stats[2 * bg + 1]
                                            let g0 = (bg % G) * cpg
                                            let b = bg / G
                                            if silu {
                                                for c in 0..<cpg {
                                                    let a = r * gamma[g0 + c]
                                                    let bb = beta[g0 + c] - mean * a
                                                    let av = Vec16(repeating: a)
                                                    let bv = Vec16(repeating: bb)
                                                    let xp = px.baseAddress! + base + c * S
                                                    let gi = pgOut.baseAddress! + base + c * S
                                                    let go = pd.baseAddress! + base + c * S
                                                    var i = 0
                                                    while i + 16 <= S {
                                                        let y =
                                                            UnsafeRawPointer(xp + i).loadUnaligned(as: Vec16.self) * av
                                                            + bv
                                                        let sg = 1 / (1 + vexp(-y))
                                                        let gv = UnsafeRawPointer(gi + i).loadUnaligned(as: Vec16.self)
                                                        UnsafeMutableRawPointer(go + i).storeBytes(
                                                            of: gv * sg * (1 + y * (1 - sg)), as: Vec16.self)
                                                        i += 16
                                                    }
                                                    while i < S {
                                                        let y = xp[i] * a + bb
                                                        let sg = 1 / (1 + Foundation.exp(-y))
                                                        go[i] = gi[i] * sg * (1 + y * (1 - sg))
                                                        i += 1
                                                    }
                                                }
                                            }
                                            var sumD: Float = 0
                                            var sumDX: Float = 0
                                            for c in 0..<cpg {
                                                let p = px.baseAddress! + base + c * S
                                                let q = pg + base + c * S
                                                var sg: Float = 0
                                                var sgx: Float = 0
                                                (sg, sgx) = sumAndDot(q, p, S, mean: mean, rstd: r)
                                                dbp[b * C + g0 + c] = sg
                                                dgp[b * C + g0 + c] = sgx
                                                sumD += gamma[g0 + c] * sg
                                                sumDX += gamma[g0 + c] * sgx
                                            }
                                            let md = sumD / Float(n)
                                            let mdx = sumDX / Float(n)
                                            for c in 0..<cpg {
                                                let p = px.baseAddress! + base + c * S
                                                let q = pg + base + c * S
                                                let o = pd.baseAddress! + base + c * S
                                                let gm = gamma[g0 + c]
                                                normBackwardRow(
                                                    // q may be o: elementwise
                                                    p, q, o, S, mean: mean, rstd: r, gamma: gm, md: md, mdx: mdx)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                self.accumulate(Tensor(shape: s, scalars: dx))
                if weight.requiresGrad || bias.requiresGrad {
                    var dgamma = [Float](repeating: 0, count: C)
                    var dbeta = [Float](repeating: 0, count: C)
                    for b in 0..<B {
                        for c in 0..<C {
                            dgamma[c] += dgammaPart[b * C + c]
                            dbeta[c] += dbetaPart[b * C + c]
                        }
                    }
                    weight.accumulate(Tensor(shape: [C], scalars: dgamma))
                    bias.accumulate(Tensor(shape: [C], scalars: dbeta))
                }
            }
        }
    }

    /// LayerNorm over the last axis with per-feature γ (weight) and β (bias).
    public func layerNorm(weight: Variable, bias: Variable, eps: Float) -> Variable {
        let t0 = Profiler.now()
        let s = shape
        let D = s.last!
        let rows = value.count / D
        precondition(
            weight.shape == [D] && bias.shape == [D],
            "layerNorm: weight \(shapeString(weight.shape)) and bias \(shapeString(bias.shape)) must be (\(D),)")
        var stats = [Float](repeating: 0, count: 2 * rows)
        var out = [Float].uninitialized(value.count)
        let x = value
        let gamma = weight.value.scalars
        let beta = bias.value.scalars
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                stats.withUnsafeMutableBufferPointer { st in
                    Parallel.chunks(rows, grain: 16) { range in
                        for r in range {
                            let p = px.baseAddress! + r * D
                            let o = po.baseAddress! + r * D
                            let (mean, rs) = meanAndRstd(p, D, eps)
                            st[2 * r] = mean
                            st[2 * r + 1] = rs
                            let mv = Vec16(repeating: mean)
                            let rv = Vec16(repeating: rs)
                            gamma.withUnsafeBufferPointer { pgm in
                                beta.withUnsafeBufferPointer { pbt in
                                    vectorMap2(p, pgm.baseAddress!, o, D) { x, gm in (x - mv) * rv * gm }
                                    vectorMap2(UnsafePointer(o), pbt.baseAddress!, o, D, +)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Variable.record(Tensor(shape: s, scalars: out), [self, weight, bias], kind: "layerNorm", start: t0) {
            { g in
                var dx = [Float].uninitialized(x.count)
                x.scalars.withUnsafeBufferPointer { px in
                    g.scalars.withUnsafeBufferPointer { pg in
                        dx.withUnsafeMutableBufferPointer { pd in
                            Parallel.chunks(rows, grain: 16) { range in
                                for r in range {
                                    let p = px.baseAddress! + r * D
                                    let q = pg.baseAddress! + r * D
                                    let o = pd.baseAddress! + r * D
                                    let mean = stats[2 * r]
                                    let rs = stats[2 * r + 1]
                                    // d = γ·q into o first, then the two means, then o = rs·(d − md − x̂·mdx).
                                    gamma.withUnsafeBufferPointer { pgm in vectorMap2(q, pgm.baseAddress!, o, D, *) }
                                    var (md, mdx) = sumAndDot(UnsafePointer(o), p, D, mean: mean, rstd: rs)
                                    md /= Float(D)
                                    mdx /= Float(D)
                                    normBackwardRow(
                                        p, UnsafePointer(o), o, D, mean: mean, rstd: rs, gamma: 1, md: md, mdx: mdx)
                                }
                            }
                        }
                    }
                }
                self.accumulate(Tensor(shape: s, scalars: dx))
                if weight.requiresGrad || bias.requiresGrad {
                    // [∂γ | ∂β] = Σ_rows [G·x̂ | G]
                    let sums = x.scalars.withUnsafeBufferPointer { px in
                        g.scalars.withUnsafeBufferPointer { pg in
                            Parallel.rowSums(rows: rows, width: 2 * D) { r, acc in
                                let mean = stats[2 * r]
                                let rs = stats[2 * r + 1]
                                let p = px.baseAddress! + r * D
                                let q = pg.baseAddress! + r * D
                                var i = 0
                                let mv = Vec16(repeating: mean)
                                let rv = Vec16(repeating: rs)
                                while i + 16 <= D {
                                    let qv = UnsafeRawPointer(q + i).loadUnaligned(as: Vec16.self)
                                    let xh = (UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) - mv) * rv
                                    let a = UnsafeMutableRawPointer(acc + i)
                                    let b = UnsafeMutableRawPointer(acc + D + i)
                                    a.storeBytes(of: a.loadUnaligned(as: Vec16.self) + qv * xh, as: Vec16.self)
                                    b.storeBytes(of: b.loadUnaligned(as: Vec16.self) + qv, as: Vec16.self)
                                    i += 16
                                }
                                while i < D {
                                    acc[i] += q[i] * ((p[i] - mean) * rs)
                                    acc[D + i] += q[i]
                                    i += 1
                                }
                            }
                        }
                    }
                    weight.accumulate(Tensor(shape: [D], scalars: Array(sums[..<D])))
                    bias.accumulate(Tensor(shape: [D], scalars: Array(sums[D...])))
                }
            }
        }
    }

    // MARK: - Composed oracles

    /// GroupNorm built from primitives (mean, −, square, sqrt, ÷, ×, +): the oracle for `groupNorm`.
    public func composedGroupNorm(groups G: Int, weight: Variable, bias: Variable, eps: Float) -> Variable {
        let s = shape
        let B = s[0]
        let C = s[1]
        let x = reshaped([B, G, value.count / (B * G)])
        let centered = x - x.mean(axes: [2], keepDims: true)
        let variance = centered.square().mean(axes: [2], keepDims: true)
        let xhat = (centered / (variance + eps).sqrt()).reshaped(s)
        let affine = [1, C] + [Int](repeating: 1, count: s.count - 2)
        return xhat * weight.reshaped(affine) + bias.reshaped(affine)
    }

    /// LayerNorm built from primitives: the oracle for `layerNorm`.
    public func composedLayerNorm(weight: Variable, bias: Variable, eps: Float) -> Variable {
        let last = shape.count - 1
        let centered = self - mean(axes: [last], keepDims: true)
        let variance = centered.square().mean(axes: [last], keepDims: true)
        return centered / (variance + eps).sqrt() * weight + bias
    }
}
