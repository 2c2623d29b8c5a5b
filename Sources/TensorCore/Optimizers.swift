// Optimizers, gradient clipping, learning-rate schedules and the EMA of weights, as PyTorch and
// diffusers define them (torch.optim.AdamW, torch.nn.utils.clip_grad_norm_, diffusers'
// get_scheduler and EMAModel).

import Foundation

/// Plain SGD with optional momentum: v ← μv + g; θ ← θ − lr·v.
public final class SGD {
    public var learningRate: Float
    public let momentum: Float
    let parameters: [Variable]
    var velocity: [Tensor?]

    public init(_ parameters: [Variable], learningRate: Float, momentum: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        velocity = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() where p.requiresGrad {
            guard let g = p.grad else { continue }
            var v = g
            if momentum != 0, let old = velocity[i] { v = old * momentum + g }
            velocity[i] = v
            p.value = p.value.zipMap(v) { $0 - learningRate * $1 }
        }
    }
}

/// AdamW (Loshchilov & Hutter 2019) exactly as torch.optim.AdamW computes it:
///   θ ← θ·(1 − lr·λ)                                  (decoupled weight decay)
///   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
public final class AdamW {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    public let parameters: [Variable]
    /// Steps taken so far (t in the formulas after the next step is t + 1).
    public private(set) var step = 0
    public private(set) var m: [Tensor]
    public private(set) var v: [Tensor]
    /// Each parameter's learning rate as a multiple of `learningRate` (PyTorch's parameter groups with
    /// their own lr): nil, every parameter at `learningRate`. Weight decay scales with it, as in torch.
    public var learningRateScales: [Float]? = nil

    public init(
        _ parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        eps: Float = 1e-8, weightDecay: Float = 1e-2
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        m = parameters.map { Tensor(zeros: $0.shape) }
        v = parameters.map { Tensor(zeros: $0.shape) }
    }

    /// Updates every parameter that requires gradients and has one.
    public func update() {
        step += 1
        // The update is computed in Double (moments stored in Float) so that 20 steps stay within
        // 1e-6 of PyTorch's float64 trajectory.
        let t = Double(step)
        let b1 = Double(beta1)
        let b2 = Double(beta2)
        let eps = Double(eps)
        let lr = Double(learningRate)
        let stepSize = lr / (1 - Foundation.pow(b1, t))
        let bc2Sqrt = (1 - Foundation.pow(b2, t)).squareRoot()
        // Every element is independent: the work is cut into runs of at most 16K elements over all
        // parameters and spread over the cores, 8 elements at a time in SIMD (the same arithmetic,
        // so the same bits, as one at a time). The buffers are borrowed once, here, and each run
        // writes only its own range; `gradients` keeps the gradient buffers alive meanwhile.
        var runs:
            [(
                w: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                g: UnsafePointer<Float>, range: Range<Int>, scale: Double
            )] = []
        var gradients: [Tensor] = []
        for (i, p) in parameters.enumerated() where p.requiresGrad {
            guard let g = p.grad else { continue }
            gradients.append(g)
            let w = p.value.scalars.withUnsafeMutableBufferPointer { $0.baseAddress! }
            let mm = m[i].scalars.withUnsafeMutableBufferPointer { $0.baseAddress! }
            let vv = v[i].scalars.withUnsafeMutableBufferPointer { $0.baseAddress! }
            let gg = g.scalars.withUnsafeBufferPointer { $0.baseAddress! }
            let scale = Double(learningRateScales?[i] ?? 1)
            for lo in stride(from: 0, to: p.value.count, by: 1 << 14) {
                runs.append((w, mm, vv, gg, lo..<Swift.min(p.value.count, lo + (1 << 14)), scale))
            }
        }
        typealias D8 = SIMD8<Double>
        Parallel.forEach(runs.count) { r in
            let (w, mm, vv, gg, range, scale) = runs[r]
            // A scale of 1 leaves both factors the same bits as without scales.
            let stepSize = stepSize * scale
            let decay = 1 - lr * scale * Double(weightDecay)
            var j = range.lowerBound
            while j + 8 <= range.upperBound {
                let gj = D8(UnsafeRawPointer(gg + j).loadUnaligned(as: SIMD8<Float>.self))
                let mj = b1 * D8(UnsafeRawPointer(mm + j).loadUnaligned(as: SIMD8<Float>.self)) + (1 - b1) * gj
                let vj = b2 * D8(UnsafeRawPointer(vv + j).loadUnaligned(as: SIMD8<Float>.self)) + (1 - b2) * gj * gj
                UnsafeMutableRawPointer(mm + j).storeBytes(of: SIMD8<Float>(mj), as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(vv + j).storeBytes(of: SIMD8<Float>(vj), as: SIMD8<Float>.self)
                let wj =
                    D8(UnsafeRawPointer(w + j).loadUnaligned(as: SIMD8<Float>.self)) * decay - stepSize * mj
                    / (vj.squareRoot() / bc2Sqrt + eps)
                UnsafeMutableRawPointer(w + j).storeBytes(of: SIMD8<Float>(wj), as: SIMD8<Float>.self)
                j += 8
            }
            while j < range.upperBound {
                let gj = Double(gg[j])
                let mj = b1 * Double(mm[j]) + (1 - b1) * gj
                let vj = b2 * Double(vv[j]) + (1 - b2) * gj * gj
                mm[j] = Float(mj)
                vv[j] = Float(vj)
                w[j] = Float(Double(w[j]) * decay - stepSize * mj / (vj.squareRoot() / bc2Sqrt + eps))
                j += 1
            }
        }
        withExtendedLifetime(gradients) {}
    }

    /// Restores moments and step count (resuming training exactly).
    public func restore(step: Int, m: [Tensor], v: [Tensor]) {
        precondition(
            m.count == parameters.count && v.count == parameters.count,
            "AdamW.restore: \(m.count) moments for \(parameters.count) parameters")
        self.step = step
        self.m = m
        self.v = v
    }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_:
/// coefficient maxNorm / (norm + 1e-6), applied when below 1). Returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Variable], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters { if let g = p.grad { for x in g.scalars { total += Double(x) * Double(x) } } }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 { for p in parameters where p.grad != nil { p.grad = p.grad! * coef } }
    return norm
}

/// Learning-rate multipliers of diffusers' `get_scheduler` (optimization.py).
public enum LRSchedule: String, CaseIterable, Sendable {
    case constant
    case constantWithWarmup = "constant_with_warmup"
    case linear, cosine

    /// The factor applied to the base learning rate at `step` (0-based).
    public func factor(step: Int, warmupSteps: Int, totalSteps: Int) -> Float {
        let s = Double(step)
        let w = Double(warmupSteps)
        let n = Double(totalSteps)
        switch self {
        case .constant: return 1
        case .constantWithWarmup: return step < warmupSteps ? Float(s / max(1, w)) : 1
        case .linear:
            if step < warmupSteps { return Float(s / max(1, w)) }
            return Float(max(0, (n - s) / max(1, n - w)))
        case .cosine:
            if step < warmupSteps { return Float(s / max(1, w)) }
            let progress = (s - w) / max(1, n - w)
            return Float(max(0, 0.5 * (1 + Foundation.cos(Double.pi * 2 * 0.5 * progress))))
        }
    }
}

/// Exponential moving average of parameters: shadow ← decay·shadow + (1 − decay)·θ.
public final class EMA {
    /// The decay of the next update (a schedule may change it between steps).
    public var decay: Float
    public private(set) var shadow: [Tensor]
    let parameters: [Variable]

    public init(_ parameters: [Variable], decay: Float = 0.999) {
        self.parameters = parameters
        self.decay = decay
        shadow = parameters.map(\.value)
    }

    /// diffusers' EMAModel schedule: the decay of optimizer step `step` (0-based) is
    /// min(max, (1 + step) / (10 + step)), so that early averages are not held by the initial weights.
    public static func warmupDecay(step: Int, max: Float) -> Float { min(max, Float(1 + step) / Float(10 + step)) }

    /// One update at `decay` (which the next update keeps unless told otherwise).
    public func update(decay: Float) {
        self.decay = decay
        update()
    }

    public func update() {
        for (i, p) in parameters.enumerated() {
            shadow[i] = shadow[i].zipMap(p.value) { decay * $0 + (1 - decay) * $1 }
        }
    }

    /// Restores the averages (resuming training exactly).
    public func restore(_ values: [Tensor]) {
        precondition(
            values.count == shadow.count && zip(values, shadow).allSatisfy { $0.shape == $1.shape },
            "EMA.restore: shapes differ")
        shadow = values
    }

    /// Writes the averaged weights into the parameters (for sampling or export).
    public func copyToParameters() { for (i, p) in parameters.enumerated() { p.value = shadow[i] } }
}
