// Broadcasting: NumPy's rule. Shapes are aligned at their last axis; an axis of extent 1 (or a
// missing leading axis) repeats to match the other. (B, C, H, W) + (1, C, 1, 1) adds a per-channel
// value; (B, L, D) + (D,) adds a per-feature value.
//
// The loops below view each operand through strides with 0 on repeated axes and merge adjacent
// axes that step alike, so a bias over (B, C, H·W) runs as one inner loop of H·W elements.

/// The broadcast shape of two shapes, or a failure naming both.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let x = i < r - a.count ? 1 : a[i - (r - a.count)]
        let y = i < r - b.count ? 1 : b[i - (r - b.count)]
        if x == y || y == 1 { out[i] = x } else if x == 1 { out[i] = y } else { return nil }
    }
    return out
}

@usableFromInline
func broadcastOrFail(_ op: String, _ a: [Int], _ b: [Int]) -> [Int] {
    guard let s = broadcastShape(a, b) else {
        preconditionFailure("\(op): shapes \(shapeString(a)) and \(shapeString(b)) do not broadcast")
    }
    return s
}

/// Strides of `shape` read as `outShape` (0 on broadcast axes), merged with the output's axes.
@usableFromInline
struct BroadcastPlan {
    @usableFromInline var extents: [Int] = []  // merged axes of the output, outermost first
    @usableFromInline var strides: [[Int]] = []  // per operand, per merged axis

    @usableFromInline
    init(out: [Int], operands: [[Int]]) {
        let r = out.count
        var st: [[Int]] = operands.map { shape in
            var s = [Int](repeating: 0, count: r)
            let own = rowMajorStrides(shape)
            for i in 0..<shape.count where shape[i] != 1 { s[r - shape.count + i] = own[i] }
            return s
        }
        var ext = out
        // Drop axes of extent 1, then merge neighbours that step alike in every operand.
        var keep = [Int]()
        for i in 0..<r where ext[i] != 1 { keep.append(i) }
        ext = keep.map { ext[$0] }
        st = st.map { s in keep.map { s[$0] } }
        var mExt: [Int] = []
        var mSt: [[Int]] = st.map { _ in [] }
        for i in 0..<ext.count {
            if let last = mExt.indices.last,
                st.indices.allSatisfy({ k in mSt[k][last] == st[k][i] * ext[i] })
            {
                mExt[last] *= ext[i]
                for k in st.indices { mSt[k][last] = st[k][i] }
            } else {
                mExt.append(ext[i])
                for k in st.indices { mSt[k].append(st[k][i]) }
            }
        }
        if mExt.isEmpty {
            mExt = [1]
            mSt = st.map { _ in [0] }
        }
        extents = mExt
        strides = mSt
    }

    /// Calls body(offsets of each operand at the run's start, inner count, inner strides) for each
    /// innermost run.
    @inlinable
    func forEachRun(_ body: ([Int], Int, [Int]) -> Void) {
        let r = extents.count
        let inner = extents[r - 1]
        let innerStrides = strides.map { $0[r - 1] }
        var index = [Int](repeating: 0, count: r)
        var offsets = [Int](repeating: 0, count: strides.count)
        let outer = extents.dropLast().reduce(1, *)
        for _ in 0..<outer {
            body(offsets, inner, innerStrides)
            var axis = r - 2
            while axis >= 0 {
                index[axis] += 1
                for k in offsets.indices { offsets[k] += strides[k][axis] }
                if index[axis] < extents[axis] { break }
                for k in offsets.indices { offsets[k] -= strides[k][axis] * extents[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// Elementwise `op` of two tensors with broadcasting.
    @inlinable
    public static func broadcasting(_ a: Tensor, _ b: Tensor, _ name: String, _ op: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape {
            let n = a.count
            let out = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
                a.scalars.withUnsafeBufferPointer { pa in
                    b.scalars.withUnsafeBufferPointer { pb in
                        let o = buffer.baseAddress!
                        let x = pa.baseAddress!
                        let y = pb.baseAddress!
                        Parallel.chunks(n, grain: 1 << 16) { r in for i in r { o[i] = op(x[i], y[i]) } }
                    }
                }
                initialized = n
            }
            return Tensor(shape: a.shape, scalars: out)
        }
        let shape = broadcastOrFail(name, a.shape, b.shape)
        var out = [Float].uninitialized(shape.product)
        let plan = BroadcastPlan(out: shape, operands: [shape, a.shape, b.shape])
        out.withUnsafeMutableBufferPointer { po in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    plan.forEachRun { off, n, st in
                        let o = po.baseAddress! + off[0]
                        let x = pa.baseAddress! + off[1]
                        let y = pb.baseAddress! + off[2]
                        let sx = st[1]
                        let sy = st[2]
                        if sx == 1 && sy == 0 {
                            let c = y[0]
                            for i in 0..<n { o[i] = op(x[i], c) }
                        } else if sx == 0 && sy == 1 {
                            let c = x[0]
                            for i in 0..<n { o[i] = op(c, y[i]) }
                        } else {
                            for i in 0..<n { o[i] = op(x[i &* sx], y[i &* sy]) }
                        }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Sums this tensor down to `target`, a shape that broadcasts to this one: the pullback of
    /// broadcasting (a value repeated over an axis receives the sum of the gradients there).
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(
            broadcastShape(target, shape) == shape,
            "sum(toShape:): \(shapeString(target)) does not broadcast to \(shapeString(shape))")
        var out = [Float](repeating: 0, count: target.product)
        let plan = BroadcastPlan(out: shape, operands: [shape, target])
        out.withUnsafeMutableBufferPointer { po in
            scalars.withUnsafeBufferPointer { pg in
                plan.forEachRun { off, n, st in
                    let g = pg.baseAddress! + off[0]
                    let o = po.baseAddress! + off[1]
                    if st[1] == 0 {
                        var s: Float = 0
                        for i in 0..<n { s += g[i] }
                        o[0] += s
                    } else {
                        for i in 0..<n { o[i &* st[1]] += g[i] }
                    }
                }
            }
        }
        return Tensor(shape: target, scalars: out)
    }

    /// self += other (same shape), vectorised.
    @inlinable
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add: shapes \(shapeString(shape)) and \(shapeString(other.shape)) differ")
        let n = count
        scalars.withUnsafeMutableBufferPointer { p in
            other.scalars.withUnsafeBufferPointer { q in
                // Elementwise, so any split gives the same bytes; small tensors stay on one thread.
                if n < 1 << 16 {
                    for i in 0..<n { p[i] += q[i] }
                } else {
                    Parallel.chunks(n, grain: 1 << 12) { r in for i in r { p[i] += q[i] } }
                }
            }
        }
    }

    /// Applies `f` to every element.
    @inlinable
    public func map(_ f: (Float) -> Float) -> Tensor {
        var out = scalars
        out.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = f(p[i]) } }
        return Tensor(shape: shape, scalars: out)
    }

    /// Combines two same-shaped tensors elementwise.
    @inlinable
    public func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(
            shape == other.shape, "zipMap: shapes \(shapeString(shape)) and \(shapeString(other.shape)) differ")
        var out = scalars
        out.withUnsafeMutableBufferPointer { p in
            other.scalars.withUnsafeBufferPointer { q in for i in p.indices { p[i] = f(p[i], q[i]) } }
        }
        return Tensor(shape: shape, scalars: out)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "+", +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "-", -) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "*", *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "/", /) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// Sum of all elements, accumulated in Double.
    public func sumAll() -> Double { scalars.reduce(0.0) { $0 + Double($1) } }
    /// Mean of all elements.
    public func meanAll() -> Double { sumAll() / Double(max(1, count)) }
    /// Largest absolute element.
    public func maxAbs() -> Float { scalars.reduce(0) { max($0, abs($1)) } }
    /// Euclidean norm, in Double.
    public func norm() -> Double { scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
}
