// Activation functions as diffusers and transformers define them, each with its derivative.
// (They are written as single elementwise primitives for speed; `composedSiLU` below shows SiLU
// built from primitives, and the tests hold the two equal.)

import Foundation

extension Variable {
    /// SiLU (swish): x·σ(x). Derivative σ(x)·(1 + x·(1 − σ(x))).
    public func silu() -> Variable {
        elementwise({ $0 / (1 + Foundation.exp(-$0)) }) { x, _ in
            let s = 1 / (1 + Foundation.exp(-x))
            return s * (1 + x * (1 - s))
        }
    }

    /// Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)). Derivative Φ(x) + x·φ(x).
    public func gelu() -> Variable {
        elementwise({ 0.5 * $0 * (1 + erf($0 * 0.70710678118654752)) }) { x, _ in
            0.5 * (1 + erf(x * 0.70710678118654752)) + x * 0.3989422804014327 * Foundation.exp(-0.5 * x * x)
        }
    }

    /// GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    public func geluTanh() -> Variable {
        let c: Float = 0.7978845608028654
        return elementwise({ x in 0.5 * x * (1 + Foundation.tanh(c * (x + 0.044715 * x * x * x))) }) { x, _ in
            let u = c * (x + 0.044715 * x * x * x)
            let t = Foundation.tanh(u)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        }
    }

    /// QuickGELU (CLIP): x·σ(1.702x).
    public func quickGELU() -> Variable {
        elementwise({ $0 / (1 + Foundation.exp(-1.702 * $0)) }) { x, _ in
            let s = 1 / (1 + Foundation.exp(-1.702 * x))
            return s + 1.702 * x * s * (1 - s)
        }
    }

    /// SiLU composed from primitives: x · sigmoid(x). The oracle for `silu()`.
    public func composedSiLU() -> Variable { self * self.sigmoid() }
}
