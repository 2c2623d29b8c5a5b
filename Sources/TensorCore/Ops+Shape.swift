// Shape ops: views and rearrangements. Pullbacks undo the rearrangement.

extension Tensor {
    /// Axes reordered: output axis i is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(
            axes.sorted() == Array(0..<rank),
            "permute: \(axes) is not a permutation of the axes of \(shapeString(shape))")
        if axes == Array(0..<rank) { return self }
        let outShape = axes.map { shape[$0] }
        let inStrides = strides
        let st = axes.map { inStrides[$0] }
        var out = [Float](repeating: 0, count: count)
        let r = rank
        let inner = outShape[r - 1]
        let innerStride = st[r - 1]
        let outer = count / max(inner, 1)
        var index = [Int](repeating: 0, count: r)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var o = 0
                var base = 0
                for _ in 0..<outer {
                    for i in 0..<inner { dst[o + i] = src[base + i &* innerStride] }
                    o += inner
                    var axis = r - 2
                    while axis >= 0 {
                        index[axis] += 1
                        base += st[axis]
                        if index[axis] < outShape[axis] { break }
                        base -= st[axis] * outShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return Tensor(shape: outShape, scalars: out)
    }
}

extension Variable {
    public func reshaped(_ shape: [Int]) -> Variable {
        let old = self.shape
        return Variable.record(value.reshaped(shape), [self]) { { g in self.accumulate(g.reshaped(old)) } }
    }

    /// Axes reordered; the pullback applies the inverse permutation.
    public func permuted(_ axes: [Int]) -> Variable {
        let t0 = Profiler.now()
        var inverse = [Int](repeating: 0, count: axes.count)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return Variable.record(value.permuted(axes), [self], kind: "layout", start: t0) {
            { g in self.accumulate(g.permuted(inverse)) }
        }
    }

    /// Two axes swapped.
    public func transposed(_ a: Int, _ b: Int) -> Variable {
        var axes = Array(0..<shape.count)
        axes.swapAt(a, b)
        return permuted(axes)
    }

    /// The elements with index in `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Variable {
        let t0 = Profiler.now()
        let s = shape
        precondition(
            range.lowerBound >= 0 && range.upperBound <= s[axis],
            "slice: range \(range) outside axis \(axis) of \(shapeString(s))")
        let outer = s[..<axis].reduce(1, *)
        let inner = s[(axis + 1)...].reduce(1, *)
        var outShape = s
        outShape[axis] = range.count
        var out = [Float](repeating: 0, count: outShape.product)
        let n = range.count * inner
        for o in 0..<outer {
            let src = (o * s[axis] + range.lowerBound) * inner
            for i in 0..<n { out[o * n + i] = value.scalars[src + i] }
        }
        return Variable.record(Tensor(shape: outShape, scalars: out), [self], kind: "layout", start: t0) {
            { g in
                var full = [Float](repeating: 0, count: s.product)
                for o in 0..<outer {
                    let dst = (o * s[axis] + range.lowerBound) * inner
                    for i in 0..<n { full[dst + i] = g.scalars[o * n + i] }
                }
                self.accumulate(Tensor(shape: s, scalars: full))
            }
        }
    }

    /// (B, C, H, W) with zero rows added above and below and zero columns left and right, as
    /// `F.pad(x, (left, right, top, bottom))`; the pullback keeps the gradient of the inside.
    public func zeroPadded(top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0) -> Variable {
        let t0 = Profiler.now()
        let s = shape
        precondition(s.count == 4, "zeroPadded: expected (B, C, H, W), got \(shapeString(s))")
        precondition(min(top, bottom, left, right) >= 0, "zeroPadded: padding must be ≥ 0")
        let (planes, h, w) = (s[0] * s[1], s[2], s[3])
        let (ph, pw) = (h + top + bottom, w + left + right)
        var out = [Float](repeating: 0, count: planes * ph * pw)
        for p in 0..<planes {
            for y in 0..<h {
                for x in 0..<w { out[(p * ph + y + top) * pw + x + left] = value.scalars[(p * h + y) * w + x] }
            }
        }
        return Variable.record(Tensor(shape: [s[0], s[1], ph, pw], scalars: out), [self], kind: "layout", start: t0) {
            { g in
                var inside = [Float](repeating: 0, count: s.product)
                for p in 0..<planes {
                    for y in 0..<h {
                        for x in 0..<w { inside[(p * h + y) * w + x] = g.scalars[(p * ph + y + top) * pw + x + left] }
                    }
                }
                self.accumulate(Tensor(shape: s, scalars: inside))
            }
        }
    }

    /// Splits `axis` into `parts` equal pieces (torch.chunk).
    public func chunked(_ parts: Int, axis: Int) -> [Variable] {
        let n = shape[axis]
        precondition(
            n % parts == 0, "chunk: axis \(axis) of \(shapeString(shape)) does not split into \(parts) equal parts")
        return (0..<parts).map { slice(axis: axis, $0 * n / parts..<($0 + 1) * n / parts) }
    }

    /// Joins variables along `axis`; all other extents must agree.
    public static func concat(_ parts: [Variable], axis: Int) -> Variable {
        let t0 = Profiler.now()
        let first = parts[0].shape
        for p in parts {
            precondition(
                p.shape.count == first.count
                    && zip(p.shape, first).enumerated().allSatisfy {
                        $0.offset == axis || $0.element.0 == $0.element.1
                    },
                "concat: shapes \(shapeString(first)) and \(shapeString(p.shape)) differ off axis \(axis)")
        }
        let outer = first[..<axis].reduce(1, *)
        let inner = first[(axis + 1)...].reduce(1, *)
        let extents = parts.map { $0.shape[axis] }
        let total = extents.reduce(0, +)
        var outShape = first
        outShape[axis] = total
        var out = [Float].uninitialized(outShape.product)  // the parts tile it exactly
        var start = 0
        for (p, e) in zip(parts, extents) {
            let n = e * inner
            p.value.scalars.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for o in 0..<outer {
                        (dst.baseAddress! + (o * total + start) * inner).update(
                            from: src.baseAddress! + o * n, count: n)
                    }
                }
            }
            start += e
        }
        return record(Tensor(shape: outShape, scalars: out), parts, kind: "layout", start: t0) {
            { g in
                var start = 0
                for (p, e) in zip(parts, extents) {
                    defer { start += e }
                    guard p.requiresGrad else { continue }
                    let n = e * inner
                    var piece = [Float].uninitialized(outer * n)
                    g.scalars.withUnsafeBufferPointer { src in
                        piece.withUnsafeMutableBufferPointer { dst in
                            for o in 0..<outer {
                                (dst.baseAddress! + o * n).update(
                                    from: src.baseAddress! + (o * total + start) * inner, count: n)
                            }
                        }
                    }
                    p.accumulate(Tensor(shape: p.shape, scalars: piece))
                }
            }
        }
    }
}

extension Tensor {
    /// Rows r along the first axis: (r.count, …) of (N, …).
    public func slice(rows r: Range<Int>) -> Tensor {
        precondition(
            r.lowerBound >= 0 && r.upperBound <= (shape.first ?? 0), "slice(rows:): \(r) outside \(shapeString(shape))")
        let inner = shape.dropFirst().reduce(1, *)
        return Tensor(
            shape: [r.count] + shape.dropFirst(),
            scalars: Array(scalars[(r.lowerBound * inner)..<(r.upperBound * inner)]))
    }
}
