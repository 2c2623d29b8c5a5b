// Activation functions as diffusers and transformers define them, each with its derivative,
// evaluated 16 lanes at a time (VectorMath.swift). `composedSiLU` builds SiLU from primitives;
// the tests hold the fast versions to it and to PyTorch.

import Foundation

extension Variable {
    /// y = f(x) with ∂y/∂x = d(x), both on SIMD16 vectors; the pullback keeps x.
    public func vectorized(
        kind: String = "activation", _ f: @escaping (Vec16) -> Vec16, derivative d: @escaping (Vec16) -> Vec16
    ) -> Variable {
        let t0 = Profiler.now()
        let x = value
        var out = [Float].uninitialized(x.count)
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                Parallel.chunks(x.count, grain: 4096) { r in
                    vectorMap(px.baseAddress! + r.lowerBound, po.baseAddress! + r.lowerBound, r.count, f)
                }
            }
        }
        return Variable.record(Tensor(shape: x.shape, scalars: out), [self], kind: kind, start: t0) {
            { g in
                var dx = [Float].uninitialized(x.count)
                x.scalars.withUnsafeBufferPointer { px in
                    g.scalars.withUnsafeBufferPointer { pg in
                        dx.withUnsafeMutableBufferPointer { pd in
                            Parallel.chunks(x.count, grain: 4096) { r in
                                vectorMap2(
                                    px.baseAddress! + r.lowerBound, pg.baseAddress! + r.lowerBound,
                                    pd.baseAddress! + r.lowerBound, r.count
                                ) { a, b in d(a) * b }
                            }
                        }
                    }
                }
                self.accumulate(Tensor(shape: x.shape, scalars: dx))
            }
        }
    }

    /// SiLU (swish): x·σ(x). Derivative σ(x)·(1 + x·(1 − σ(x))).
    public func silu() -> Variable {
        vectorized({ x in x / (1 + vexp(-x)) }) { x in
            let s = 1 / (1 + vexp(-x))
            return s * (1 + x * (1 - s))
        }
    }

    /// Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)). Derivative Φ(x) + x·φ(x).
    public func gelu() -> Variable {
        vectorized({ x in 0.5 * x * (1 + verf(x * 0.70710678118654752)) }) { x in
            0.5 * (1 + verf(x * 0.70710678118654752)) + x * 0.3989422804014327 * vexp(-0.5 * x * x)
        }
    }

    /// GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), tanh u = 1 − 2/(e^{2u} + 1).
    public func geluTanh() -> Variable {
        let c: Float = 0.7978845608028654
        func tanh(_ u: Vec16) -> Vec16 { 1 - 2 / (vexp(2 * u) + 1) }
        return vectorized({ (x: Vec16) -> Vec16 in
            let x3: Vec16 = x * x * x
            let u: Vec16 = c * (x + 0.044715 * x3)
            return 0.5 * x * (1 + tanh(u))
        }) { (x: Vec16) -> Vec16 in
            let x2: Vec16 = x * x
            let t: Vec16 = tanh(c * (x + 0.044715 * x2 * x))
            let du: Vec16 = c * (1 + 3 * 0.044715 * x2)
            let left: Vec16 = 0.5 * (1 + t)
            let right: Vec16 = 0.5 * x * (1 - t * t) * du
            return left + right
        }
    }

    /// QuickGELU (CLIP): x·σ(1.702x).
    public func quickGELU() -> Variable {
        vectorized({ x in x / (1 + vexp(-1.702 * x)) }) { x in
            let s = 1 / (1 + vexp(-1.702 * x))
            return s + 1.702 * x * s * (1 - s)
        }
    }

    /// SiLU composed from primitives: x · sigmoid(x). The oracle for `silu()`.
    public func composedSiLU() -> Variable { self * self.sigmoid() }
}
