// Multi-head attention fused over the head layout: q (B, L, h·d), k and v (B, S, h·d) → (B, L, h·d).
// Head j of batch item b is the column block [j·d, (j+1)·d) of each row, which the GEMM reads
// through strided views, so no (B, L, h, d) → (B, h, L, d) copies are made in either direction.
// Per (b, head):  P = softmax(Q·Kᵀ/√d) (causal optional),  O = P·V;  and backward
//   ∂V = Pᵀ·G,  ∂P = G·Vᵀ,  ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)) / √d,  ∂Q = ∂S·K,  ∂K = ∂Sᵀ·Q.
// `Variable.attention` (composed from matmul and softmax) is the oracle.

import Foundation

extension Variable {
    public static func multiHeadAttention(query q: Variable, key k: Variable, value v: Variable, heads: Int, causal: Bool = false) -> Variable {
        let t0 = Profiler.now()
        let qs = q.shape, ks = k.shape
        precondition(qs.count == 3 && ks.count == 3 && k.shape == v.shape && qs[0] == ks[0] && qs[2] == ks[2] && qs[2] % heads == 0,
                     "multiHeadAttention: query \(shapeString(qs)), key \(shapeString(ks)), value \(shapeString(v.shape)) must be (B, L, D), (B, S, D), (B, S, D) with D divisible by \(heads) heads")
        let B = qs[0], L = qs[1], S = ks[1], D = qs[2], d = D / heads
        precondition(!causal || L == S, "multiHeadAttention: a causal mask needs as many keys as queries")
        let scale = 1 / Float(d).squareRoot()
        // P is kept for backward only when gradients are recorded; otherwise each block of query
        // rows uses a scratch buffer. Rows are processed in blocks so a block of P is still in cache
        // when it multiplies V.
        let keep = Variable.isRecording && (q.requiresGrad || k.requiresGrad || v.requiresGrad)
        let rowBlock = 48
        var probs = keep ? [Float].uninitialized(B * heads * L * S) : []   // every entry written below
        var out = [Float].uninitialized(B * L * D)
        q.value.scalars.withUnsafeBufferPointer { pq in
            k.value.scalars.withUnsafeBufferPointer { pk in
                v.value.scalars.withUnsafeBufferPointer { pv in
                    probs.withUnsafeMutableBufferPointer { pp in
                        out.withUnsafeMutableBufferPointer { po in
                            Parallel.forEach(B * heads) { bh in
                                let b = bh / heads, j = bh % heads
                                let Q = pq.baseAddress! + b * L * D + j * d, K = pk.baseAddress! + b * S * D + j * d
                                let V = pv.baseAddress! + b * S * D + j * d
                                let scratch = keep ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rowBlock * S)
                                defer { scratch?.deallocate() }
                                var r0 = 0
                                while r0 < L {
                                    let rb = Swift.min(rowBlock, L - r0)
                                    let P = scratch ?? (pp.baseAddress! + bh * L * S + r0 * S)
                                    gemm(m: rb, n: S, k: d, a: MatrixView(Q + r0 * D, rowStride: D, colStride: 1), b: MatrixView(K, rowStride: 1, colStride: D),
                                         c: P, ldc: S, accumulate: false, parallel: false)
                                    for r in 0..<rb { softmaxRow(P + r * S, S, valid: causal ? r0 + r + 1 : S, scale: scale) }
                                    gemm(m: rb, n: d, k: S, a: .rowMajor(UnsafePointer(P), columns: S), b: MatrixView(V, rowStride: D, colStride: 1),
                                         c: po.baseAddress! + b * L * D + r0 * D + j * d, ldc: D, accumulate: false, parallel: false)
                                    r0 += rb
                                }
                            }
                        }
                    }
                }
            }
        }
        return record(Tensor(shape: qs, scalars: out), [q, k, v], kind: "attention", start: t0) {
            // Keeps q, k, v and the probabilities P.
            let (vq, vk, vv) = (q.value, k.value, v.value)
            return { g in
                var dq = [Float].uninitialized(B * L * D), dk = [Float].uninitialized(B * S * D), dv = [Float].uninitialized(B * S * D)
                vq.scalars.withUnsafeBufferPointer { pq in vk.scalars.withUnsafeBufferPointer { pk in vv.scalars.withUnsafeBufferPointer { pv in
                g.scalars.withUnsafeBufferPointer { pg in probs.withUnsafeBufferPointer { pp in
                dq.withUnsafeMutableBufferPointer { pdq in dk.withUnsafeMutableBufferPointer { pdk in dv.withUnsafeMutableBufferPointer { pdv in
                    Parallel.forEach(B * heads) { bh in
                        let b = bh / heads, j = bh % heads
                        let qo = b * L * D + j * d, ko = b * S * D + j * d
                        let P = pp.baseAddress! + bh * L * S
                        let G = MatrixView(pg.baseAddress! + qo, rowStride: D, colStride: 1)
                        // ∂V = Pᵀ·G
                        gemm(m: S, n: d, k: L, a: .transposed(P, columns: S), b: G, c: pdv.baseAddress! + ko, ldc: D, accumulate: false, parallel: false)
                        // ∂P = G·Vᵀ, then ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)) · scale
                        let dS = UnsafeMutablePointer<Float>.allocate(capacity: L * S)
                        defer { dS.deallocate() }
                        gemm(m: L, n: S, k: d, a: G, b: MatrixView(pv.baseAddress! + ko, rowStride: 1, colStride: D), c: dS, ldc: S, accumulate: false, parallel: false)
                        for r in 0..<L {
                            let pr = P + r * S, dr = dS + r * S
                            var acc = Vec16(), c = 0
                            while c + 16 <= S {
                                acc.addProduct(UnsafeRawPointer(pr + c).loadUnaligned(as: Vec16.self), UnsafeRawPointer(dr + c).loadUnaligned(as: Vec16.self))
                                c += 16
                            }
                            var dot = acc.sum()
                            while c < S { dot += pr[c] * dr[c]; c += 1 }
                            let dv = Vec16(repeating: dot), sv = Vec16(repeating: scale)
                            vectorMap2(UnsafePointer(pr), UnsafePointer(dr), dr, S) { p, x in p * (x - dv) * sv }
                        }
                        // ∂Q = ∂S·K, ∂K = ∂Sᵀ·Q
                        gemm(m: L, n: d, k: S, a: .rowMajor(UnsafePointer(dS), columns: S), b: MatrixView(pk.baseAddress! + ko, rowStride: D, colStride: 1),
                             c: pdq.baseAddress! + qo, ldc: D, accumulate: false, parallel: false)
                        gemm(m: S, n: d, k: L, a: .transposed(UnsafePointer(dS), columns: S), b: MatrixView(pq.baseAddress! + qo, rowStride: D, colStride: 1),
                             c: pdk.baseAddress! + ko, ldc: D, accumulate: false, parallel: false)
                    }
                } } }
                } }
                } } }
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
        let s = shape, F2 = s.last!, F = F2 / 2, rows = value.count / F2
        precondition(F2 % 2 == 0, "geglu: last axis of \(shapeString(s)) must be even")
        let c: Float = 0.70710678118654752
        var out = [Float].uninitialized(rows * F)
        let x = value
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                Parallel.chunks(rows, grain: 64) { r in
                    for i in r {
                        vectorMap2(px.baseAddress! + i * F2, px.baseAddress! + i * F2 + F, po.baseAddress! + i * F, F) { h, g in
                            h * (0.5 * g * (1 + verf(g * c)))
                        }
                    }
                }
            }
        }
        return Variable.record(Tensor(shape: Array(s.dropLast()) + [F], scalars: out), [self], kind: "activation", start: t0) {
            { gOut in
                var dx = [Float].uninitialized(x.count)
                x.scalars.withUnsafeBufferPointer { px in
                    gOut.scalars.withUnsafeBufferPointer { pg in
                        dx.withUnsafeMutableBufferPointer { pd in
                            Parallel.chunks(rows, grain: 64) { r in
                                for i in r {
                                    let h = px.baseAddress! + i * F2, gate = h + F, go = pg.baseAddress! + i * F
                                    // ∂hidden = G · gelu(gate);  ∂gate = G · hidden · gelu′(gate)
                                    vectorMap2(gate, go, pd.baseAddress! + i * F2, F) { g, G in G * (0.5 * g * (1 + verf(g * c))) }
                                    vectorMap2(gate, go, pd.baseAddress! + i * F2 + F, F) { g, G in
                                        G * (0.5 * (1 + verf(g * c)) + g * 0.3989422804014327 * vexp(-0.5 * g * g))
                                    }
                                    vectorMap2(h, pd.baseAddress! + i * F2 + F, pd.baseAddress! + i * F2 + F, F, *)
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

/// In place: row ← softmax(scale · row) over the first `valid` entries, zeros after.
@inline(__always)
func softmaxRow(_ p: UnsafeMutablePointer<Float>, _ n: Int, valid: Int, scale: Float) {
    var mv = Vec16(repeating: -.infinity), i = 0
    while i + 16 <= valid { let v = UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self); mv.replace(with: v, where: v .> mv); i += 16 }
    var m = mv.max()
    while i < valid { m = Swift.max(m, p[i]); i += 1 }
    // e = exp(scale·(x − max)), summed in the same pass.
    let shift = Vec16(repeating: m * scale), sv = Vec16(repeating: scale)
    var acc = Vec16(); i = 0
    while i + 16 <= valid {
        let e = vexp(UnsafeRawPointer(p + i).loadUnaligned(as: Vec16.self) * sv - shift)
        UnsafeMutableRawPointer(p + i).storeBytes(of: e, as: Vec16.self)
        acc += e
        i += 16
    }
    var sum = acc.sum()
    while i < valid { let e = Foundation.exp(p[i] * scale - m * scale); p[i] = e; sum += e; i += 1 }
    let inv = Vec16(repeating: 1 / sum)
    vectorMap(UnsafePointer(p), p, valid) { $0 * inv }
    for i in valid..<n { p[i] = 0 }
}
