// The one gradient checker, used by every op's test: analytic gradients from backward() against central
// differences  (L(x + h) − L(x − h)) / 2h  evaluated in Double, where the scalar
// L = Σ f(x) ⊙ w projects the op's output on fixed random weights w, so every output element counts.

/// The outcome of a gradient check; `description` shows the worst entries.
public struct GradientCheckResult: CustomStringConvertible {
    public var passed = true
    public var worst: (input: Int, index: Int, analytic: Double, numeric: Double) = (0, 0, 0, 0)
    public var maxError = 0.0
    public var lines: [String] = []
    public var description: String {
        (passed ? "gradient check passed" : "gradient check FAILED")
            + String(
                format: "; largest error %.3g at input %d [%d]: analytic %.6g, numeric %.6g", maxError, worst.input,
                worst.index, worst.analytic, worst.numeric)
            + (lines.isEmpty ? "" : "\n" + lines.prefix(8).joined(separator: "\n"))
    }
}

/// Checks ∂f/∂inputs. At most `samples` entries per input are probed (spread evenly).
/// An entry passes when |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|).
public func checkGradients(
    _ inputs: [Variable], h: Double = 1e-2, rtol: Double = 2e-2, atol: Double = 2e-3,
    samples: Int = 48, seed: UInt64 = 7, _ f: () -> Variable
) -> GradientCheckResult {
    var rng = RNG(seed: seed)
    let probe = f().value
    let w = rng.normal(probe.shape)
    func loss() -> Double {
        let y = Variable.withoutGradients { f().value }
        var s = 0.0
        for (a, b) in zip(y.scalars, w.scalars) { s += Double(a) * Double(b) }
        return s
    }
    for x in inputs { x.zeroGrad() }
    let y = f()
    (y * Variable(w)).sum().backward()
    var result = GradientCheckResult()
    for (k, x) in inputs.enumerated() where x.requiresGrad {
        let analytic = gradOrZeros(x)
        let n = x.value.count
        let step = max(1, (n + samples - 1) / samples)  // at most `samples` entries, spread evenly
        for i in stride(from: 0, to: n, by: step) {
            let saved = x.value.scalars[i]
            x.value.scalars[i] = Float(Double(saved) + h)
            let up = loss()
            x.value.scalars[i] = Float(Double(saved) - h)
            let down = loss()
            x.value.scalars[i] = saved
            let numeric = (up - down) / (2 * h)
            let a = Double(analytic.scalars[i])
            let err = abs(a - numeric)
            if err > result.maxError {
                result.maxError = err
                result.worst = (k, i, a, numeric)
            }
            if err > atol + rtol * max(abs(a), abs(numeric)) {
                result.passed = false
                result.lines.append(String(format: "  input %d [%d]: analytic %.6g numeric %.6g", k, i, a, numeric))
            }
        }
    }
    return result
}
