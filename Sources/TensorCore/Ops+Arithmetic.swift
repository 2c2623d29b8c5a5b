// Arithmetic on variables: the hand-derived primitives everything else is composed from.
// Broadcasting ops sum their gradient back to each operand's shape (Tensor.sum(toShape:)).

import Foundation

extension Variable {
    // MARK: - Binary, with broadcasting

    public static func + (a: Variable, b: Variable) -> Variable {
        let t0 = Profiler.now()
        let y = a.value + b.value
        return record(y, [a, b], kind: a.shape == b.shape ? "arithmetic" : "broadcast", start: t0) {
            let (sa, sb) = (a.shape, b.shape)
            // ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1: each gets the upstream gradient, summed over repeats.
            return { g in
                a.accumulate(g.sum(toShape: sa))
                b.accumulate(g.sum(toShape: sb))
            }
        }
    }

    public static func - (a: Variable, b: Variable) -> Variable {
        let t0 = Profiler.now()
        let y = a.value - b.value
        return record(y, [a, b], kind: a.shape == b.shape ? "arithmetic" : "broadcast", start: t0) {
            let (sa, sb) = (a.shape, b.shape)
            return { g in
                a.accumulate(g.sum(toShape: sa))
                if b.requiresGrad { b.accumulate((-g).sum(toShape: sb)) }
            }
        }
    }

    public static func * (a: Variable, b: Variable) -> Variable {
        let t0 = Profiler.now()
        let y = a.value * b.value
        return record(y, [a, b], kind: a.shape == b.shape ? "arithmetic" : "broadcast", start: t0) {
            // Keeps both inputs: ∂(ab)/∂a = b, ∂(ab)/∂b = a.
            let (va, vb) = (a.value, b.value)
            return { g in
                if a.requiresGrad { a.accumulate((g * vb).sum(toShape: va.shape)) }
                if b.requiresGrad { b.accumulate((g * va).sum(toShape: vb.shape)) }
            }
        }
    }

    public static func / (a: Variable, b: Variable) -> Variable {
        let t0 = Profiler.now()
        let y = a.value / b.value
        return record(y, [a, b], kind: a.shape == b.shape ? "arithmetic" : "broadcast", start: t0) {
            // ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b² = −y/b.
            let (vb, vy, sa) = (b.value, y, a.shape)
            return { g in
                if a.requiresGrad { a.accumulate((g / vb).sum(toShape: sa)) }
                if b.requiresGrad { b.accumulate((-(g * vy) / vb).sum(toShape: vb.shape)) }
            }
        }
    }

    // MARK: - With a constant

    public static func * (a: Variable, s: Float) -> Variable {
        let t0 = Profiler.now()
        return record(a.value * s, [a], kind: "arithmetic", start: t0) { { g in a.accumulate(g * s) } }
    }
    public static func * (s: Float, a: Variable) -> Variable { a * s }
    public static func + (a: Variable, s: Float) -> Variable {
        record(a.value + s, [a]) { { g in a.accumulate(g) } }
    }
    public static func - (a: Variable, s: Float) -> Variable { a + (-s) }
    public static prefix func - (a: Variable) -> Variable { a * -1 }

    // MARK: - Unary

    /// y = f(x) elementwise, with ∂y/∂x computed from (x, y) by `derivative`.
    public func elementwise(_ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Variable {
        let t0 = Profiler.now()
        let x = value
        let y = x.map(f)
        return Variable.record(y, [self], kind: "activation", start: t0) {
            { g in
                var d = g
                d.scalars.withUnsafeMutableBufferPointer { pg in
                    x.scalars.withUnsafeBufferPointer { px in
                        y.scalars.withUnsafeBufferPointer { py in
                            for i in pg.indices { pg[i] *= derivative(px[i], py[i]) }
                        }
                    }
                }
                self.accumulate(d)
            }
        }
    }

    public func exp() -> Variable { elementwise(Foundation.exp) { _, y in y } }
    public func log() -> Variable { elementwise(Foundation.log) { x, _ in 1 / x } }
    public func sqrt() -> Variable { elementwise(Foundation.sqrt) { _, y in 0.5 / y } }
    public func square() -> Variable { elementwise({ $0 * $0 }) { x, _ in 2 * x } }
    public func tanh() -> Variable { elementwise(Foundation.tanh) { _, y in 1 - y * y } }
    public func sigmoid() -> Variable { elementwise({ 1 / (1 + Foundation.exp(-$0)) }) { _, y in y * (1 - y) } }
    public func relu() -> Variable { elementwise({ Swift.max($0, 0) }) { x, _ in x > 0 ? 1 : 0 } }
    /// torch.clamp(x, low, high): the gradient passes where low ≤ x ≤ high and is 0 outside.
    public func clamped(_ low: Float, _ high: Float) -> Variable {
        elementwise({ Swift.min(Swift.max($0, low), high) }) { x, _ in x >= low && x <= high ? 1 : 0 }
    }
}
