// The forward process and the three things a network can be asked to predict.
//
// With x_t = α·x_0 + σ·ε (α = √ᾱ_t, σ = √(1 − ᾱ_t), so α² + σ² = 1):
//   ε-prediction: the network predicts ε (Ho et al. 2020);
//   v-prediction: v = α·ε − σ·x_0 (Salimans & Ho 2022), diffusers' "v_prediction";
//   x0-prediction: the clean image itself (the DreamBooth paper's x̂_θ, §3.1).
// Each determines the others given x_t:
//   x_0 = (x_t − σ·ε)/α,   ε = (x_t − α·x_0)/σ,   x_0 = α·x_t − σ·v,   ε = σ·x_t + α·v.

import TensorCore

/// What the denoiser outputs (diffusers' `prediction_type`).
public enum PredictionType: String, CaseIterable, Sendable {
    case epsilon
    case vPrediction = "v_prediction"
    case sample
}

extension NoiseSchedule {
    /// q(x_t | x_0) sampled with the given noise: √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε, one t per batch item
    /// (diffusers' `add_noise`).
    public func addNoise(_ x0: Tensor, noise: Tensor, timesteps: [Int]) -> Tensor {
        perItem(x0, noise, timesteps) { t in signalAndNoiseScale(t) }
    }

    /// v = √ᾱ_t·ε − √(1 − ᾱ_t)·x_0 (diffusers' `get_velocity`).
    public func velocity(_ x0: Tensor, noise: Tensor, timesteps: [Int]) -> Tensor {
        perItem(noise, x0, timesteps) { t in
            let (a, s) = signalAndNoiseScale(t)
            return (a, -s)
        }
    }

    /// The regression target for a prediction type.
    public func target(_ type: PredictionType, x0: Tensor, noise: Tensor, timesteps: [Int]) -> Tensor {
        switch type {
        case .epsilon: noise
        case .vPrediction: velocity(x0, noise: noise, timesteps: timesteps)
        case .sample: x0
        }
    }

    /// A training batch through the forward process: x_t at each example's timestep, and the
    /// target the prediction type regresses (what the trainer and pretraining both compute).
    public func noisedBatch(_ x0: Tensor, noise: Tensor, timesteps: [Int], prediction: PredictionType) -> (
        xt: Tensor, target: Tensor
    ) {
        (
            addNoise(x0, noise: noise, timesteps: timesteps),
            target(prediction, x0: x0, noise: noise, timesteps: timesteps)
        )
    }

    /// x_0 and ε recovered from x_t and a model output of the given type.
    public func split(_ output: Tensor, sample xt: Tensor, type: PredictionType, timesteps: [Int]) -> (
        x0: Tensor, noise: Tensor
    ) {
        switch type {
        case .epsilon:
            let x0 = perItem(xt, output, timesteps) { t in
                let (a, s) = signalAndNoiseScale(t)
                return (1 / a, -s / a)
            }
            return (x0, output)
        case .vPrediction:
            let x0 = perItem(xt, output, timesteps) { t in
                let (a, s) = signalAndNoiseScale(t)
                return (a, -s)
            }
            let eps = perItem(xt, output, timesteps) { t in
                let (a, s) = signalAndNoiseScale(t)
                return (s, a)
            }
            return (x0, eps)
        case .sample:
            let eps = perItem(xt, output, timesteps) { t in
                let (a, s) = signalAndNoiseScale(t)
                return (1 / s, -a / s)
            }
            return (output, eps)
        }
    }

    /// c₁(t)·a + c₂(t)·b for each batch item (axis 0), with (c₁, c₂) = coefficients(t).
    func perItem(_ a: Tensor, _ b: Tensor, _ timesteps: [Int], _ coefficients: (Int) -> (Float, Float)) -> Tensor {
        precondition(a.shape == b.shape, "shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) differ")
        precondition(timesteps.count == a.shape[0], "\(timesteps.count) timesteps for a batch of \(a.shape[0])")
        let per = a.count / a.shape[0]
        var out = a
        for (i, t) in timesteps.enumerated() {
            let (c1, c2) = coefficients(t)
            for j in i * per..<(i + 1) * per { out.scalars[j] = c1 * a.scalars[j] + c2 * b.scalars[j] }
        }
        return out
    }
}

extension NoiseSchedule {
    /// A training timestep: uniform in 0..<T, or with `laterWeight` w ≠ 1 the noisiest quarter drawn
    /// w times as often as the rest (diffusers' --timestep_bias_strategy later, portion 0.25, with
    /// --timestep_bias_multiplier w). At w = 1 it is exactly `rng.randint(T)`.
    public func trainingTimestep(laterWeight w: Float = 1, rng: inout RNG) -> Int {
        let T = trainTimesteps
        guard w != 1 else { return rng.randint(T) }
        let later = T / 4
        let earlier = T - later
        let laterShare = Float(later) * w / (Float(earlier) + Float(later) * w)
        return rng.uniform() < laterShare ? earlier + rng.randint(later) : rng.randint(earlier)
    }
}
