// Reductions: sum, mean and max over axes.

extension Tensor {
    /// Sum over one axis (removed from the shape), in Float with a fixed order.
    public func sum(axis: Int) -> Tensor {
        let outer = shape[..<axis].reduce(1, *)
        let n = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape.remove(at: axis)
        var out = [Float](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { src in
            for o in 0..<outer {
                for k in 0..<n {
                    let base = (o * n + k) * inner
                    for i in 0..<inner { out[o * inner + i] += src[base + i] }
                }
            }
        }
        return Tensor(shape: outShape, scalars: out)
    }
}

extension Variable {
    /// Sum over `axes` (all axes when empty); `keepDims` leaves extent-1 axes in their place.
    public func sum(axes: [Int] = [], keepDims: Bool = false) -> Variable {
        let s = shape
        let ax = (axes.isEmpty ? Array(0..<s.count) : axes.map { $0 < 0 ? $0 + s.count : $0 }).sorted()
        var y = value
        for a in ax.reversed() { y = y.sum(axis: a) }
        var kept = s
        for a in ax { kept[a] = 1 }
        let outShape = keepDims ? kept : y.shape
        return Variable.record(y.reshaped(outShape), [self]) {
            // Each summed element receives the gradient of its sum: broadcast back.
            { g in self.accumulate(Tensor(zeros: s) + g.reshaped(kept)) }
        }
    }

    /// Mean over `axes` (all axes when empty).
    public func mean(axes: [Int] = [], keepDims: Bool = false) -> Variable {
        let s = shape
        let ax = axes.isEmpty ? Array(0..<s.count) : axes.map { $0 < 0 ? $0 + s.count : $0 }
        let n = ax.map { s[$0] }.reduce(1, *)
        return sum(axes: ax, keepDims: keepDims) * (1 / Float(n))
    }

    /// Maximum over one axis; the gradient goes to the first position of the maximum.
    public func max(axis: Int, keepDims: Bool = false) -> Variable {
        let s = shape
        let a = axis < 0 ? axis + s.count : axis
        let outer = s[..<a].reduce(1, *)
        let n = s[a]
        let inner = s[(a + 1)...].reduce(1, *)
        var out = [Float](repeating: -.infinity, count: outer * inner)
        var arg = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for k in 0..<n {
                for i in 0..<inner {
                    let v = value.scalars[(o * n + k) * inner + i]
                    if v > out[o * inner + i] {
                        out[o * inner + i] = v
                        arg[o * inner + i] = k
                    }
                }
            }
        }
        var outShape = s
        if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        return Variable.record(Tensor(shape: outShape, scalars: out), [self]) {
            { g in
                var d = [Float](repeating: 0, count: s.product)
                for o in 0..<outer {
                    for i in 0..<inner { d[(o * n + arg[o * inner + i]) * inner + i] = g.scalars[o * inner + i] }
                }
                self.accumulate(Tensor(shape: s, scalars: d))
            }
        }
    }
}
