// Reverse-process samplers exactly as diffusers' DDPMScheduler.step (variance "fixed_small") and
// DDIMScheduler.step compute them, for ε- and v-prediction.

import TensorCore

/// How inference timesteps are spread over 0..<T (diffusers' `timestep_spacing`).
public enum TimestepSpacing: String, CaseIterable, Sendable { case leading, trailing, linspace }

/// Ancestral sampling (Ho et al. 2020, Alg. 2) with diffusers' DDPMScheduler arithmetic.
public struct DDPMScheduler: Sendable {
    public let schedule: NoiseSchedule
    public let prediction: PredictionType
    /// The inference timesteps, descending; every training step unless `setTimesteps` thins them.
    public private(set) var timesteps: [Int]
    var stepRatio = 1
    /// diffusers' `clip_sample_range` when `clip_sample` is on: x̂_0 is clamped to ±range (nil: off).
    public var clipSample: Float?

    public init(schedule: NoiseSchedule, prediction: PredictionType = .epsilon, clipSample: Float? = nil) {
        self.schedule = schedule
        self.prediction = prediction
        self.clipSample = clipSample
        timesteps = Array((0..<schedule.trainTimesteps).reversed())
    }

    /// diffusers' DDPM `set_timesteps` with "leading" spacing: every (T / n)-th step.
    public mutating func setTimesteps(_ n: Int) {
        stepRatio = schedule.trainTimesteps / n
        timesteps = (0..<n).reversed().map { $0 * stepRatio }
    }

    /// One reverse step x_t → x_{t−1}:
    ///   x̂_0 from the model output; μ = (√ᾱ_{t'}·β'_t / (1 − ᾱ_t))·x̂_0 + (√α'_t·(1 − ᾱ_{t'}) / (1 − ᾱ_t))·x_t
    /// with t' the previous timestep, α'_t = ᾱ_t/ᾱ_{t'}, β'_t = 1 − α'_t; then x_{t'} = μ + σ_t·z,
    /// σ²_t = (1 − ᾱ_{t'})/(1 − ᾱ_t)·β'_t clamped at 1e-20 ("fixed_small"), no noise at t = 0.
    public func step(_ output: Tensor, timestep t: Int, sample: Tensor, varianceNoise z: Tensor?) -> Tensor {
        let prev = t - stepRatio
        let ac = schedule.alphasCumprod
        let aT = ac[t]
        let aPrev: Float = prev >= 0 ? ac[prev] : 1
        let bT = 1 - aT
        let bPrev = 1 - aPrev
        let curAlpha = aT / aPrev
        let curBeta = 1 - curAlpha
        var x0: Tensor
        switch prediction {
        case .epsilon: x0 = sample.zipMap(output) { ($0 - bT.squareRoot() * $1) / aT.squareRoot() }
        case .vPrediction: x0 = sample.zipMap(output) { aT.squareRoot() * $0 - bT.squareRoot() * $1 }
        case .sample: x0 = output
        }
        if let r = clipSample { x0 = x0.map { Swift.min(Swift.max($0, -r), r) } }
        let cx0 = aPrev.squareRoot() * curBeta / bT
        let cxt = curAlpha.squareRoot() * bPrev / bT
        var mean = x0.zipMap(sample) { cx0 * $0 + cxt * $1 }
        if t > 0, let z {
            let variance = max(bPrev / bT * curBeta, 1e-20)
            let std = variance.squareRoot()
            mean = mean.zipMap(z) { $0 + std * $1 }
        }
        return mean
    }
}

/// DDIM (Song et al. 2021, Eq. 12) with diffusers' DDIMScheduler arithmetic.
public struct DDIMScheduler: Sendable {
    public let schedule: NoiseSchedule
    public let prediction: PredictionType
    /// ᾱ used for the step after the last: 1 when `setAlphaToOne`, else ᾱ_0.
    public let finalAlphaCumprod: Float
    public let stepsOffset: Int
    public let spacing: TimestepSpacing
    /// diffusers' `clip_sample_range` when `clip_sample` is on: x̂_0 is clamped to ±range (nil: off).
    public let clipSample: Float?
    public private(set) var timesteps: [Int] = []
    public private(set) var inferenceSteps = 0

    public init(
        schedule: NoiseSchedule, prediction: PredictionType = .epsilon, setAlphaToOne: Bool = true,
        stepsOffset: Int = 0, spacing: TimestepSpacing = .leading, clipSample: Float? = nil
    ) {
        self.schedule = schedule
        self.prediction = prediction
        self.clipSample = clipSample
        finalAlphaCumprod = setAlphaToOne ? 1 : schedule.alphasCumprod[0]
        self.stepsOffset = stepsOffset
        self.spacing = spacing
    }

    /// diffusers' `set_timesteps`: n descending timesteps spread by `spacing`.
    public mutating func setTimesteps(_ n: Int) {
        let T = schedule.trainTimesteps
        precondition(n > 0 && n <= T, "DDIM: \(n) inference steps for \(T) training steps")
        inferenceSteps = n
        switch spacing {
        case .leading:
            let ratio = T / n
            timesteps = (0..<n).reversed().map { $0 * ratio + stepsOffset }
        case .trailing:
            // np.round(np.arange(T, 0, −T/n)) − 1
            let ratio = Double(T) / Double(n)
            timesteps = (0..<n).map { Int((Double(T) - Double($0) * ratio).rounded(.toNearestOrEven)) - 1 }
        case .linspace:
            timesteps = linspace(0, Double(T - 1), n).map { Int($0.rounded(.toNearestOrEven)) }.reversed()
        }
    }

    /// One DDIM step x_t → x_{t−Δ} with Δ = T / n:
    ///   x̂_0 and ε̂ from the model output; σ = η·√((1 − ᾱ_prev)/(1 − ᾱ_t) · (1 − ᾱ_t/ᾱ_prev));
    ///   x_prev = √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev − σ²)·ε̂ + σ·z.
    public func step(_ output: Tensor, timestep t: Int, sample: Tensor, eta: Float = 0, varianceNoise z: Tensor? = nil)
        -> Tensor
    {
        precondition(inferenceSteps > 0, "DDIM: call setTimesteps before step")
        let prev = t - schedule.trainTimesteps / inferenceSteps
        let aT = schedule.alphasCumprod[t]
        let aPrev = prev >= 0 ? schedule.alphasCumprod[prev] : finalAlphaCumprod
        let bT = 1 - aT
        var x0: Tensor
        var eps: Tensor
        switch prediction {
        case .epsilon:
            x0 = sample.zipMap(output) { ($0 - bT.squareRoot() * $1) / aT.squareRoot() }
            eps = output
        case .vPrediction:
            x0 = sample.zipMap(output) { aT.squareRoot() * $0 - bT.squareRoot() * $1 }
            eps = output.zipMap(sample) { aT.squareRoot() * $0 + bT.squareRoot() * $1 }
        case .sample:
            x0 = output
            eps = sample.zipMap(output) { ($0 - aT.squareRoot() * $1) / bT.squareRoot() }
        }
        // ε-prediction divides by √ᾱ_t, tiny near t = T: clamping x̂_0 keeps early steps sane.
        if let r = clipSample { x0 = x0.map { Swift.min(Swift.max($0, -r), r) } }
        let variance = (1 - aPrev) / (1 - aT) * (1 - aT / aPrev)
        let std = eta * variance.squareRoot()
        let dirScale = (1 - aPrev - std * std).squareRoot()
        var prevSample = x0.zipMap(eps) { aPrev.squareRoot() * $0 + dirScale * $1 }
        if eta > 0 {
            guard let z else { preconditionFailure("DDIM: eta > 0 needs variance noise") }
            prevSample = prevSample.zipMap(z) { $0 + std * $1 }
        }
        return prevSample
    }
}
