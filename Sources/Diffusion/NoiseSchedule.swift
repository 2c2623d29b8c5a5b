// The noise schedule of a diffusion model (Ho et al. 2020, §2), as diffusers' DDPMScheduler and
// DDIMScheduler build it.
//
// The forward process adds Gaussian noise in T small steps, q(x_t | x_{t−1}) = N(√(1−β_t)·x_{t−1}, β_t·I).
// With ᾱ_t = Π_{s≤t} (1 − β_s), any step is reachable in one jump from the clean image x:
//   q(x_t | x) = N(√ᾱ_t · x, (1 − ᾱ_t) · I),   SNR(t) = ᾱ_t / (1 − ᾱ_t).
// (The book writes α_t = √ᾱ_t and σ_t = √(1 − ᾱ_t) for the two scales, as the DreamBooth paper does;
// DDPM's α_t, 1 − β_t, is `oneMinusBetas` here and `alphas` in diffusers.)
// diffusers computes β in float32 and ᾱ with torch.cumprod in float32 (accumulated in double on the
// CPU); we do the same so that ᾱ matches to the last bits.

import Foundation
import TensorCore

/// How β_t runs from t = 0 to T − 1 (diffusers' `beta_schedule`).
public enum BetaSchedule: String, CaseIterable, Sendable {
    /// β linear from β_start to β_end (Ho et al. 2020).
    case linear
    /// √β linear from √β_start to √β_end (Stable Diffusion's schedule).
    case scaledLinear = "scaled_linear"
    /// The cosine schedule of Nichol & Dhariwal 2021: ᾱ(t) = cos²((t/T + s)/(1 + s) · π/2), s = 0.008,
    /// with β capped at 0.999 ("squaredcos_cap_v2").
    case cosine = "squaredcos_cap_v2"
}

/// β_t, 1 − β_t and ᾱ_t for t = 0..<T.
public struct NoiseSchedule: Sendable {
    public let betas: [Float]
    /// 1 − β_t (diffusers' `alphas`).
    public let oneMinusBetas: [Float]
    public let alphasCumprod: [Float]
    public var trainTimesteps: Int { betas.count }

    /// diffusers' defaults: T = 1000, β from 1e-4 to 0.02.
    public init(
        _ schedule: BetaSchedule = .linear, trainTimesteps T: Int = 1000, betaStart: Double = 0.0001,
        betaEnd: Double = 0.02, rescaleZeroTerminalSNR: Bool = false
    ) {
        var betas: [Float]
        switch schedule {
        case .linear:
            betas = linspace(betaStart, betaEnd, T).map { Float($0) }
        case .scaledLinear:
            // torch.linspace(√β_start, √β_end, T, dtype=float32) ** 2: rounded to float32 before squaring.
            betas = linspace(betaStart.squareRoot(), betaEnd.squareRoot(), T).map { Float($0) }.map { $0 * $0 }
        case .cosine:
            func alphaBar(_ t: Double) -> Double {
                let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
                return c * c
            }
            betas = (0..<T).map { i in
                Float(min(1 - alphaBar(Double(i + 1) / Double(T)) / alphaBar(Double(i) / Double(T)), 0.999))
            }
        }
        if rescaleZeroTerminalSNR { betas = NoiseSchedule.zeroTerminalSNR(betas) }
        self.betas = betas
        oneMinusBetas = betas.map { 1 - $0 }
        alphasCumprod = cumulativeProduct(oneMinusBetas)
    }

    /// Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed", Alg. 1:
    /// shift and scale √ᾱ so that √ᾱ_{T−1} = 0 (pure noise at the last step) while √ᾱ_0 is kept,
    /// then read β back from the ratios of consecutive ᾱ.
    public static func zeroTerminalSNR(_ betas: [Float]) -> [Float] {
        let sqrtBar = cumulativeProduct(betas.map { 1 - $0 }).map { $0.squareRoot() }
        let first = sqrtBar[0]
        let last = sqrtBar[sqrtBar.count - 1]
        let rescaled = sqrtBar.map { ($0 - last) * first / (first - last) }
        let bar = rescaled.map { $0 * $0 }
        var oneMinusBetas = [bar[0]]
        for t in 1..<bar.count { oneMinusBetas.append(bar[t] / bar[t - 1]) }
        return oneMinusBetas.map { 1 - $0 }
    }

    /// Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t).
    public func snr(_ t: Int) -> Double { Double(alphasCumprod[t]) / (1 - Double(alphasCumprod[t])) }

    /// √ᾱ_t and √(1 − ᾱ_t), computed in float32 as diffusers does (`alphas_cumprod[t] ** 0.5`).
    public func signalAndNoiseScale(_ t: Int) -> (alpha: Float, sigma: Float) {
        let a = alphasCumprod[t]
        return (a.squareRoot(), (1 - a).squareRoot())
    }
}

/// NumPy/torch linspace in Double: start + i·step, with the second half counted back from the end.
func linspace(_ start: Double, _ end: Double, _ n: Int) -> [Double] {
    guard n > 1 else { return [start] }
    let step = (end - start) / Double(n - 1)
    return (0..<n).map { i in i < n / 2 ? start + step * Double(i) : end - step * Double(n - 1 - i) }
}

/// Running product, accumulated in Double and rounded to Float at each step (torch.cumprod on the CPU).
func cumulativeProduct(_ xs: [Float]) -> [Float] {
    var acc = 1.0
    return xs.map {
        acc *= Double($0)
        return Float(acc)
    }
}
