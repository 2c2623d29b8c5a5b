// Embedding lookup, dropout and the mean squared error.

extension Variable {
    /// Rows of `weight` (V, D) at `ids` (any shape) → (ids.shape…, D). The pullback adds each
    /// position's gradient to the row it read.
    public static func embedding(_ weight: Variable, ids: [Int], shape idShape: [Int]) -> Variable {
        let V = weight.shape[0]
        let D = weight.shape[1]
        precondition(ids.count == idShape.product, "embedding: \(ids.count) ids for shape \(shapeString(idShape))")
        for id in ids { precondition(id >= 0 && id < V, "embedding: id \(id) outside a table of \(V) rows") }
        var out = [Float](repeating: 0, count: ids.count * D)
        for (i, id) in ids.enumerated() { for j in 0..<D { out[i * D + j] = weight.value.scalars[id * D + j] } }
        return record(Tensor(shape: idShape + [D], scalars: out), [weight]) {
            { g in
                var d = [Float](repeating: 0, count: V * D)
                for (i, id) in ids.enumerated() { for j in 0..<D { d[id * D + j] += g.scalars[i * D + j] } }
                weight.accumulate(Tensor(shape: [V, D], scalars: d))
            }
        }
    }

    /// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1 − p).
    public func dropout(_ p: Float, rng: inout RNG) -> Variable {
        guard p > 0 else { return self }
        let keep = 1 / (1 - p)
        var mask = [Float](repeating: 0, count: value.count)
        for i in mask.indices { mask[i] = rng.uniform() < p ? 0 : keep }
        return self * Variable(Tensor(shape: shape, scalars: mask))
    }

    /// Mean squared error mean((a − b)²) as a scalar. Pullback 2(a − b)/n.
    public static func mse(_ a: Variable, _ b: Variable) -> Variable {
        precondition(a.shape == b.shape, "mse: shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) differ")
        let t0 = Profiler.now()
        let diff = a.value - b.value
        var s = 0.0
        for d in diff.scalars { s += Double(d) * Double(d) }
        let n = Float(diff.count)
        return record(Tensor(Float(s / Double(diff.count))), [a, b], kind: "loss", start: t0) {
            { g in
                let d = diff * (2 * g.scalars[0] / n)
                a.accumulate(d)
                if b.requiresGrad { b.accumulate(-d) }
            }
        }
    }
}
