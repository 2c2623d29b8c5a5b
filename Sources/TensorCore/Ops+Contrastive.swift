// What contrastive and classification losses are made of: rows scaled to unit length, and the
// cross-entropy of rows of logits against target distributions.

import Foundation

extension Variable {
    /// Each row of a (B, D) matrix divided by its L2 norm: y = x / ‖x‖ (‖x‖ floored at 1e-12).
    /// Pullback: ∂x = (g − y·⟨g, y⟩) / ‖x‖ — the gradient's part along y is removed, since moving
    /// x along itself does not move y. Keeps y and the norms.
    public func rowNormalized() -> Variable {
        precondition(shape.count == 2, "rowNormalized: needs (B, D), got \(shapeString(shape))")
        let B = shape[0]
        let D = shape[1]
        var y = value
        var norms = [Float](repeating: 0, count: B)
        for b in 0..<B {
            var s: Float = 0
            for j in 0..<D { s += value.scalars[b * D + j] * value.scalars[b * D + j] }
            norms[b] = Swift.max(s.squareRoot(), 1e-12)
            for j in 0..<D { y.scalars[b * D + j] /= norms[b] }
        }
        return Variable.record(y, [self], kind: "normalize") {
            { g in
                var dx = g
                for b in 0..<B {
                    var dot: Float = 0
                    for j in 0..<D { dot += g.scalars[b * D + j] * y.scalars[b * D + j] }
                    for j in 0..<D {
                        dx.scalars[b * D + j] = (g.scalars[b * D + j] - y.scalars[b * D + j] * dot) / norms[b]
                    }
                }
                self.accumulate(dx)
            }
        }
    }

    /// Mean over rows of the cross-entropy −Σ_k t_k log softmax(z)_k between rows of logits
    /// z (B, K) and target distributions t (B, K) (each row sums to 1; a one-hot row is the usual
    /// label). A row whose target is all zero is left out (no loss, no gradient), and the mean is
    /// over the rows that count. Pullback: (softmax(z) − t) / rows. Keeps the softmax.
    public static func crossEntropy(logits z: Variable, targets t: Tensor) -> Variable {
        precondition(
            z.shape.count == 2 && t.shape == z.shape,
            "crossEntropy: logits \(shapeString(z.shape)) and targets \(shapeString(t.shape))")
        let B = z.shape[0]
        let K = z.shape[1]
        var p = Tensor(zeros: z.shape)
        var loss = 0.0
        var counted = 0
        for b in 0..<B {
            let row = b * K
            guard (0..<K).contains(where: { t.scalars[row + $0] != 0 }) else { continue }
            counted += 1
            var m = -Float.infinity
            for k in 0..<K { m = Swift.max(m, z.value.scalars[row + k]) }
            var s: Double = 0
            for k in 0..<K { s += Foundation.exp(Double(z.value.scalars[row + k] - m)) }
            let logZ = Double(m) + Foundation.log(s)
            for k in 0..<K {
                let logp = Double(z.value.scalars[row + k]) - logZ
                p.scalars[row + k] = Float(Foundation.exp(logp)) - t.scalars[row + k]
                if t.scalars[row + k] != 0 { loss -= Double(t.scalars[row + k]) * logp }
            }
        }
        let n = Float(Swift.max(1, counted))
        return record(Tensor(Float(loss / Double(Swift.max(1, counted)))), [z], kind: "loss") {
            { g in z.accumulate(p * (g.scalars[0] / n)) }
        }
    }

    /// Cross-entropy against class indices (one-hot targets); rows whose label is nil are left out.
    public static func crossEntropy(logits z: Variable, labels: [Int?]) -> Variable {
        let B = z.shape[0]
        let K = z.shape[1]
        precondition(labels.count == B, "crossEntropy: \(labels.count) labels for \(B) rows")
        var t = Tensor(zeros: [B, K])
        for (b, l) in labels.enumerated() {
            guard let l else { continue }
            precondition(l >= 0 && l < K, "crossEntropy: label \(l) outside 0..<\(K)")
            t.scalars[b * K + l] = 1
        }
        return crossEntropy(logits: z, targets: t)
    }
}
