// The reference attention: softmax and scaled dot-product attention composed from matmul (Vaswani
// et al. 2017, Eq. 1), the oracle the fused kernel (Ops+AttentionFused.swift) is tested against:
//   Attention(Q, K, V) = softmax(Q·Kᵀ / √d) · V
// with an optional causal mask (query i sees keys j ≤ i), as CLIP's text encoder uses.

import Foundation

extension Variable {
    /// Softmax over the last axis. With `causal`, the last two axes are (query, key) and keys after
    /// the query are excluded. Pullback: ∂L/∂x = y · (g − Σ g·y).
    public func softmax(causal: Bool = false) -> Variable {
        let t0 = Profiler.now()
        let s = shape
        let D = s.last!
        let rows = value.count / D
        let Lq = causal ? s[s.count - 2] : 1
        var out = [Float].uninitialized(value.count)
        value.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                Parallel.chunks(rows, grain: 32) { range in
                    for r in range {
                        let o = po.baseAddress! + r * D
                        o.update(from: px.baseAddress! + r * D, count: D)
                        softmaxRow(o, D, valid: causal ? Swift.min(D, r % Lq + 1) : D, scale: 1)
                    }
                }
            }
        }
        let y = Tensor(shape: s, scalars: out)
        return Variable.record(y, [self], kind: "softmax", start: t0) {
            { g in
                var dx = [Float].uninitialized(y.count)
                y.scalars.withUnsafeBufferPointer { py in
                    g.scalars.withUnsafeBufferPointer { pg in
                        dx.withUnsafeMutableBufferPointer { pd in
                            Parallel.chunks(rows, grain: 32) { range in
                                for r in range {
                                    let yy = py.baseAddress! + r * D
                                    let gg = pg.baseAddress! + r * D
                                    let d = pd.baseAddress! + r * D
                                    var dv = Vec16()
                                    var i = 0
                                    while i + 16 <= D {
                                        dv.addProduct(
                                            UnsafeRawPointer(gg + i).loadUnaligned(as: Vec16.self),
                                            UnsafeRawPointer(yy + i).loadUnaligned(as: Vec16.self))
                                        i += 16
                                    }
                                    var dot = horizontalSum(dv)
                                    while i < D {
                                        dot += gg[i] * yy[i]
                                        i += 1
                                    }
                                    let dotv = Vec16(repeating: dot)
                                    vectorMap2(yy, gg, d, D) { y, g in y * (g - dotv) }
                                }
                            }
                        }
                    }
                }
                self.accumulate(Tensor(shape: s, scalars: dx))
            }
        }
    }

    /// Scaled dot-product attention on (B, heads, L, d) queries and (B, heads, S, d) keys and values.
    public static func attention(query q: Variable, key k: Variable, value v: Variable, causal: Bool = false)
        -> Variable
    {
        precondition(
            q.shape.count == 4 && k.shape.count == 4 && v.shape.count == 4 && q.shape.last == k.shape.last
                && k.shape == v.shape && q.shape.prefix(2) == k.shape.prefix(2),
            "attention: query \(shapeString(q.shape)), key \(shapeString(k.shape)), value \(shapeString(v.shape)) "
                + "must be (B, heads, L, d), (B, heads, S, d), (B, heads, S, d)"
        )
        let scale = 1 / Float(q.shape[3]).squareRoot()
        let scores = matmul(q, k, transposeB: true) * scale  // (B, heads, L, S)
        return matmul(scores.softmax(causal: causal), v)  // (B, heads, L, d)
    }

    /// Splits the last axis (heads·d) into heads: (B, L, heads·d) → (B, heads, L, d).
    public func splitHeads(_ heads: Int) -> Variable {
        let s = shape
        return reshaped([s[0], s[1], heads, s[2] / heads]).permuted([0, 2, 1, 3])
    }

    /// The inverse of `splitHeads`: (B, heads, L, d) → (B, L, heads·d).
    public func mergeHeads() -> Variable {
        let s = shape
        return permuted([0, 2, 1, 3]).reshaped([s[0], s[2], s[1] * s[3]])
    }
}
