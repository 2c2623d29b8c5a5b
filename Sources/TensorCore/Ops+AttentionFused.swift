// Multi-head attention fused over the head layout: q (B, L, h·d), k and v (B, S, h·d) → (B, L, h·d).
// Head j of batch item b is the column block [j·d, (j+1)·d) of each row, which the GEMM reads
// through strided views, so no (B, L, h, d) → (B, h, L, d) copies are made in either direction.
// Per (b, head):  P = softmax(Q·Kᵀ/√d) (causal optional),  O = P·V;  and backward
//   ∂V = Pᵀ·G,  ∂P = G·Vᵀ,  ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)) / √d,  ∂Q = ∂S·K,  ∂K = ∂Sᵀ·Q,
// P being rebuilt in backward, block by block, from two numbers per query row kept by forward.
// `Variable.attention` (Ops+AttentionReference.swift: composed from matmul and softmax) is the oracle.

import Foundation

/// Query rows per block in `multiHeadAttention`, forward and backward: about 12K scores (48 rows
/// of 256 keys, all 256 rows of 48 keys), a multiple of the GEMM's 12 rows.
func attentionRowBlock(keys Sp: Int) -> Int { Swift.max(48, 12_288 / Sp / 12 * 12) }

extension Variable {
    public static func multiHeadAttention(
        query q: Variable, key k: Variable, value v: Variable, heads: Int, causal: Bool = false
    ) -> Variable {
        let t0 = Profiler.now()
        let qs = q.shape
        let ks = k.shape
        precondition(
            qs.count == 3 && ks.count == 3 && k.shape == v.shape && qs[0] == ks[0] && qs[2] == ks[2]
                && qs[2] % heads == 0,
            "multiHeadAttention: query \(shapeString(qs)), key \(shapeString(ks)), value \(shapeString(v.shape)) "
                + "must be (B, L, D), (B, S, D), (B, S, D) with D divisible by \(heads) heads"
        )
        let B = qs[0]
        let L = qs[1]
        let S = ks[1]
        let D = qs[2]
        let d = D / heads
        precondition(!causal || L == S, "multiHeadAttention: a causal mask needs as many keys as queries")
        let scale = 1 / Float(d).squareRoot()
        // Per (b, head), Kᵀ (d × Sp) and V (Sp × d) of the head are first copied into contiguous
        // buffers, zero-padded to Sp keys (a multiple of 16), so every GEMM below reads its B operand
        // in place, in full 16- or 32-wide strips, with no per-call packing. Query rows go in blocks
        // of 48, so a block of scores is still in cache when it multiplies V: e = exp(scale·s − c_i)
        // is left unnormalised and 1/Σ_i scales row i of e·V instead (d numbers instead of S).
        // P itself is never stored (as in FlashAttention, Dao et al. 2022): with gradients, each row
        // keeps its shift c_i and 1/Σ_i, and backward recomputes P block by block.
        let Sp = (S + 15) / 16 * 16
        let rowBlock = Swift.min(attentionRowBlock(keys: Sp), L)
        let keep = Variable.isRecording && (q.requiresGrad || k.requiresGrad || v.requiresGrad)
        var rowStats = keep ? [Float].uninitialized(B * heads * L * 2) : []  // (c_i, 1/Σ_i), every entry written below
        var out = [Float].uninitialized(B * L * D)
        q.value.scalars.withUnsafeBufferPointer { pq in
            k.value.scalars.withUnsafeBufferPointer { pk in
                v.value.scalars.withUnsafeBufferPointer { pv in
                    rowStats.withUnsafeMutableBufferPointer { pst in
                        out.withUnsafeMutableBufferPointer { po in
                            Parallel.forEach(B * heads) { bh in
                                let b = bh / heads
                                let j = bh % heads
                                let Q = pq.baseAddress! + b * L * D + j * d
                                let scratch = UnsafeMutablePointer<Float>.allocate(
                                    capacity: 2 * d * Sp + rowBlock * (Sp + 2))
                                defer { scratch.deallocate() }
                                let Kt = scratch
                                let Vh = scratch + d * Sp
                                let P = Vh + Sp * d
                                let stats = P + rowBlock * Sp
                                transposedHead(
                                    pk.baseAddress! + b * S * D + j * d, keys: S, padded: Sp, depth: d, stride: D,
                                    into: Kt)
                                paddedHead(
                                    pv.baseAddress! + b * S * D + j * d, keys: S, padded: Sp, depth: d, stride: D,
                                    into: Vh)
                                var r0 = 0
                                while r0 < L {
                                    let rb = Swift.min(rowBlock, L - r0)
                                    gemm(
                                        m: rb, n: Sp, k: d, a: MatrixView(Q + r0 * D, rowStride: D, colStride: 1),
                                        b: .rowMajor(UnsafePointer(Kt), columns: Sp),
                                        c: P, ldc: Sp, accumulate: false, parallel: false)
                                    for r in 0..<rb {
                                        let (sum, shift) = softmaxRowUnnormalised(
                                            P + r * Sp, Sp, valid: causal ? r0 + r + 1 : S, scale: scale)
                                        stats[2 * r] = shift
                                        stats[2 * r + 1] = 1 / sum
                                    }
                                    let O = po.baseAddress! + b * L * D + r0 * D + j * d
                                    gemm(
                                        m: rb, n: d, k: Sp, a: .rowMajor(UnsafePointer(P), columns: Sp),
                                        b: .rowMajor(UnsafePointer(Vh), columns: d),
                                        c: O, ldc: D, accumulate: false, parallel: false)
                                    for r in 0..<rb {
                                        let f = Vec16(repeating: stats[2 * r + 1])
                                        vectorMap(O + r * D, O + r * D, d) { $0 * f }
                                    }
                                    if keep {
                                        (pst.baseAddress! + (bh * L + r0) * 2).update(from: stats, count: 2 * rb)
                                    }
                                    r0 += rb
                                }
                            }
                        }
                    }
                }
            }
        }
        return record(Tensor(shape: qs, scalars: out), [q, k, v], kind: "attention", start: t0) {
            // Keeps q, k, v and the row statistics (c_i, 1/Σ_i).
            let (vq, vk, vv) = (q.value, k.value, v.value)
            return { g in
                var dq = [Float].uninitialized(B * L * D)
                var dk = [Float].uninitialized(B * S * D)
                var dv = [Float].uninitialized(B * S * D)
                vq.scalars.withUnsafeBufferPointer { pq in
                    vk.scalars.withUnsafeBufferPointer { pk in
                        vv.scalars.withUnsafeBufferPointer { pv in
                            g.scalars.withUnsafeBufferPointer { pg in
                                rowStats.withUnsafeBufferPointer { pst in
                                    dq.withUnsafeMutableBufferPointer { pdq in
                                        dk.withUnsafeMutableBufferPointer { pdk in
                                            dv.withUnsafeMutableBufferPointer { pdv in
                                                Parallel.forEach(B * heads) { bh in
                                                    let b = bh / heads
                                                    let j = bh % heads
                                                    let qo = b * L * D + j * d
                                                    let ko = b * S * D + j * d
                                                    let rbMax = rowBlock
                                                    let scratch = UnsafeMutablePointer<Float>.allocate(
                                                        capacity: 2 * d * Sp + 2 * rbMax * Sp)
                                                    defer { scratch.deallocate() }
                                                    // Kᵀ and Vᵀ of the head (d × Sp each), then P and ∂S of a block.
                                                    let Kt = scratch
                                                    let Vt = scratch + d * Sp
                                                    let P = scratch + 2 * d * Sp
                                                    let dS = P + rbMax * Sp
                                                    transposedHead(
                                                        pk.baseAddress! + ko, keys: S, padded: Sp, depth: d, stride: D,
                                                        into: Kt)
                                                    transposedHead(
                                                        pv.baseAddress! + ko, keys: S, padded: Sp, depth: d, stride: D,
                                                        into: Vt)
                                                    var r0 = 0
                                                    while r0 < L {
                                                        let rb = Swift.min(rbMax, L - r0)
                                                        let first = r0 == 0
                                                        let Qb = MatrixView(
                                                            pq.baseAddress! + qo + r0 * D, rowStride: D, colStride: 1)
                                                        let Gb = MatrixView(
                                                            pg.baseAddress! + qo + r0 * D, rowStride: D, colStride: 1)
                                                        // P of the block, recomputed: exp(scale·s − c_i) / Σ_i, zero
                                                        // past the valid keys.
                                                        gemm(
                                                            m: rb, n: Sp, k: d, a: Qb,
                                                            b: .rowMajor(UnsafePointer(Kt), columns: Sp), c: P, ldc: Sp,
                                                            accumulate: false, parallel: false)
                                                        for r in 0..<rb {
                                                            let st = pst.baseAddress! + (bh * L + r0 + r) * 2
                                                            probabilityRow(
                                                                P + r * Sp, Sp, valid: causal ? r0 + r + 1 : S,
                                                                scale: scale, shift: st[0], inverseSum: st[1])
                                                        }
                                                        // ∂V += Pᵀ·G (the first S rows of Pᵀ)
                                                        gemm(
                                                            m: S, n: d, k: rb,
                                                            a: .transposed(UnsafePointer(P), columns: Sp), b: Gb,
                                                            c: pdv.baseAddress! + ko, ldc: D,
                                                            accumulate: !first, parallel: false)
                                                        // ∂P = G·Vᵀ, then ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)) · scale (zero
                                                        // past S, where P is)
                                                        gemm(
                                                            m: rb, n: Sp, k: d, a: Gb,
                                                            b: .rowMajor(UnsafePointer(Vt), columns: Sp), c: dS,
                                                            ldc: Sp, accumulate: false, parallel: false)
                                                        for r in 0..<rb {
                                                            let pr = P + r * Sp
                                                            let dr = dS + r * Sp
                                                            var acc = Vec16()
                                                            var c = 0
                                                            while c < Sp {
                                                                acc.addProduct(
                                                                    UnsafeRawPointer(pr + c).loadUnaligned(
                                                                        as: Vec16.self),
                                                                    UnsafeRawPointer(dr + c).loadUnaligned(
                                                                        as: Vec16.self))
                                                                c += 16
                                                            }
                                                            let dv = Vec16(repeating: horizontalSum(acc))
                                                            let sv = Vec16(repeating: scale)
                                                            vectorMap2(UnsafePointer(pr), UnsafePointer(dr), dr, Sp) {
                                                                p, x in p * (x - dv) * sv
                                                            }
                                                        }
                                                        // ∂Q = ∂S·K (this block's rows), ∂K += ∂Sᵀ·Q
                                                        gemm(
                                                            m: rb, n: d, k: S,
                                                            a: .rowMajor(UnsafePointer(dS), columns: Sp),
                                                            b: MatrixView(
                                                                pk.baseAddress! + ko, rowStride: D, colStride: 1),
                                                            c: pdq.baseAddress! + qo + r0 * D, ldc: D,
                                                            accumulate: false, parallel: false)
                                                        gemm(
                                                            m: S, n: d, k: rb,
                                                            a: .transposed(UnsafePointer(dS), columns: Sp), b: Qb,
                                                            c: pdk.baseAddress! + ko, ldc: D,
                                                            accumulate: !first, parallel: false)
                                                        r0 += rb
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                q.accumulate(Tensor(shape: qs, scalars: dq))
                k.accumulate(Tensor(shape: ks, scalars: dk))
                v.accumulate(Tensor(shape: ks, scalars: dv))
            }
        }
    }

    /// GEGLU (Shazeer 2020) as diffusers' feed-forward computes it: the last axis (2F) splits into
    /// hidden and gate halves, out = hidden · gelu(gate). One primitive: no copies of the halves.
    public func geglu() -> Variable {
        let t0 = Profiler.now()
        let s = shape
        let F2 = s.last!
        let F = F2 / 2
        let rows = value.count / F2
        precondition(F2 % 2 == 0, "geglu: last axis of \(shapeString(s)) must be even")
        let c: Float = 0.70710678118654752
        var out = [Float].uninitialized(rows * F)
        let x = value
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                Parallel.chunks(rows, grain: 64) { r in
                    for i in r {
                        vectorMap2(px.baseAddress! + i * F2, px.baseAddress! + i * F2 + F, po.baseAddress! + i * F, F) {
                            h, g in
                            h * (0.5 * g * (1 + verf(g * c)))
                        }
                    }
                }
            }
        }
        return Variable.record(
            Tensor(shape: Array(s.dropLast()) + [F], scalars: out), [self], kind: "activation", start: t0
        ) {
            { gOut in
                var dx = [Float].uninitialized(x.count)
                x.scalars.withUnsafeBufferPointer { px in
                    gOut.scalars.withUnsafeBufferPointer { pg in
                        dx.withUnsafeMutableBufferPointer { pd in
                            Parallel.chunks(rows, grain: 64) { r in
                                for i in r {
                                    gegluPullbackRow(
                                        px.baseAddress! + i * F2, pg.baseAddress! + i * F, pd.baseAddress! + i * F2, F)
                                }
                            }
                        }
                    }
                }
                self.accumulate(Tensor(shape: s, scalars: dx))
            }
        }
    }
}

/// One row of GEGLU's pullback: x = [hidden | gate] (2F), G (F) → [∂hidden | ∂gate] (2F),
///   ∂hidden = G · gelu(gate),  ∂gate = G · hidden · gelu′(gate),  gelu′(g) = Φ(g) + g·φ(g),
/// in one pass (one erf and one exp per element). F a multiple of 16, or a scalar tail.
@inline(__always)
func gegluPullbackRow(_ x: UnsafePointer<Float>, _ G: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ F: Int)
{
    let c: Float = 0.70710678118654752
    var j = 0
    while j + 16 <= F {
        let h = UnsafeRawPointer(x + j).loadUnaligned(as: Vec16.self)
        let g = UnsafeRawPointer(x + F + j).loadUnaligned(as: Vec16.self)
        let go = UnsafeRawPointer(G + j).loadUnaligned(as: Vec16.self)
        let cdf = 0.5 * (1 + verf(g * c))
        UnsafeMutableRawPointer(dx + j).storeBytes(of: go * (g * cdf), as: Vec16.self)
        UnsafeMutableRawPointer(dx + F + j).storeBytes(
            of: go * h * (cdf + g * 0.3989422804014327 * vexp(-0.5 * g * g)), as: Vec16.self)
        j += 16
    }
    while j < F {
        let h = x[j]
        let g = x[F + j]
        let cdf = 0.5 * (1 + Float(erf(Double(g * c))))
        dx[j] = G[j] * (g * cdf)
        dx[F + j] = G[j] * h * (cdf + g * 0.3989422804014327 * Float(exp(Double(-0.5 * g * g))))
        j += 1
    }
}

/// In place: row ← softmax(scale · row) over the first `valid` entries, zeros after.
@inline(__always)
func softmaxRow(_ p: UnsafeMutablePointer<Float>, _ n: Int, valid: Int, scale: Float) {
    let inv = Vec16(repeating: 1 / softmaxRowUnnormalised(p, n, valid: valid, scale: scale).sum)
    vectorMap(UnsafePointer(p), p, valid) { $0 * inv }
}

/// In place: row ← exp(scale · (row − max)) over the first `valid` entries, zeros after; returns
/// the sum, by which the caller divides (softmax without its last pass), and the shift scale·max.
@inline(__always)
func softmaxRowUnnormalised(_ p: UnsafeMutablePointer<Float>, _ n: Int, valid: Int, scale: Float) -> (
    sum: Float, shift: Float
) {
    var mv = Vec16(repeating: -.infinity)
    var full = 0
    while full + 16 <= valid {
        let v = UnsafeRawPointer(p + full).loadUnaligned(as: Vec16.self)
        mv.replace(with: v, where: v .> mv)
        full += 16
    }
    // A partial last vector (a row of 12 text tokens is nothing else) is read whole when the row
    // has room for it, with the lanes past `valid` masked; otherwise one entry at a time.
    let tail = valid - full
    let masked = tail > 0 && full + 16 <= n
    let pastValid = Vec16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Vec16(repeating: Float(tail))
    if masked {
        var v = UnsafeRawPointer(p + full).loadUnaligned(as: Vec16.self)
        v.replace(with: -.infinity, where: pastValid)
        mv.replace(with: v, where: v .> mv)
    }
    var m = horizontalMax(mv)
    if !masked { for i in full..<valid { m = Swift.max(m, p[i]) } }
    // e = exp(scale·(x − max)), summed in the same pass.
    let shift = Vec16(repeating: m * scale)
    let sv = Vec16(repeating: scale)
    var acc = Vec16()
    var i = 0
    while i < full {
        let e = vexp(UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) * sv - shift)
        UnsafeMutableRawPointer(p + i).storeBytes(of: e, as: Vec16.self)
        acc += e
        i += 16
    }
    if masked {
        var e = vexp(UnsafeRawPointer(p + full).loadUnaligned(as: Vec16.self) * sv - shift)
        e.replace(with: 0, where: pastValid)
        UnsafeMutableRawPointer(p + full).storeBytes(of: e, as: Vec16.self)
        acc += e
        i = full + 16
    }
    var sum = horizontalSum(acc)
    if !masked {
        for j in full..<valid {
            let e = Foundation.exp(p[j] * scale - m * scale)
            p[j] = e
            sum += e
        }
        i = valid
    }
    for j in i..<n { p[j] = 0 }
    return (sum, m * scale)
}

/// In place: row ← exp(scale·row − shift) · inverseSum over the first `valid` entries, zeros after:
/// a softmax row rebuilt from the statistics `softmaxRowUnnormalised` returned for it.
@inline(__always)
func probabilityRow(
    _ p: UnsafeMutablePointer<Float>, _ n: Int, valid: Int, scale: Float, shift: Float, inverseSum: Float
) {
    let sv = Vec16(repeating: scale)
    let cv = Vec16(repeating: shift)
    let iv = Vec16(repeating: inverseSum)
    var i = 0
    while i + 16 <= valid {
        let e = vexp(UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) * sv - cv) * iv
        UnsafeMutableRawPointer(p + i).storeBytes(of: e, as: Vec16.self)
        i += 16
    }
    if i < valid && i + 16 <= n {
        // The partial last vector whole, lanes past `valid` zeroed (as in softmaxRowUnnormalised).
        var e = vexp(UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) * sv - cv) * iv
        e.replace(
            with: 0,
            where: Vec16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Vec16(repeating: Float(valid - i)))
        UnsafeMutableRawPointer(p + i).storeBytes(of: e, as: Vec16.self)
        i += 16
    } else if i < valid {
        vectorMap(UnsafePointer(p + i), p + i, valid - i) { vexp($0 * sv - cv) * iv }
        i = valid
    }
    for j in i..<n { p[j] = 0 }
}

/// One head's Kᵀ (depth × padded), from `keys` rows `stride` apart, zero past `keys`.
func transposedHead(
    _ k: UnsafePointer<Float>, keys S: Int, padded Sp: Int, depth d: Int, stride: Int,
    into kT: UnsafeMutablePointer<Float>
) {
    for p in 0..<d {
        let row = kT + p * Sp
        for s in 0..<S { row[s] = k[s * stride + p] }
        for s in S..<Sp { row[s] = 0 }
    }
}

/// One head's V (padded × depth), from `keys` rows `stride` apart, zero rows past `keys`.
func paddedHead(
    _ v: UnsafePointer<Float>, keys S: Int, padded Sp: Int, depth d: Int, stride: Int,
    into vh: UnsafeMutablePointer<Float>
) {
    for s in 0..<S { (vh + s * d).update(from: v + s * stride, count: d) }
    (vh + S * d).update(repeating: 0, count: (Sp - S) * d)
}
