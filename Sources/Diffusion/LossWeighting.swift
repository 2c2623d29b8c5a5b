// How the per-example denoising losses are weighted and how the noise is drawn in training.

import TensorCore

/// How a batch's per-example denoising losses are weighted: one value, one call, used by the
/// DreamBooth trainer, the base model's pretraining and chapter 02.
public enum LossWeighting: Sendable, Equatable {
    /// Every example counts the same: mean((prediction − target)²), plain MSE.
    case uniform
    /// Min-SNR-γ (Hang et al. 2023): example i weighted by `minSNRWeights` (γ = 5 in the paper).
    case minSNR(gamma: Float)

    /// `nil` means uniform, as `--snr_gamma` absent does.
    public init(snrGamma: Float?) { self = snrGamma.map { .minSNR(gamma: $0) } ?? .uniform }

    /// The weighted denoising loss of a batch whose examples were noised at `timesteps`.
    /// `pixelWeights` (the prediction's shape), when given, weigh each element's squared error
    /// (each image's weights averaging 1: a masked loss keeps the term's scale); nil weighs all alike.
    public func loss(
        _ prediction: Variable, _ target: Variable, timesteps: [Int], schedule: NoiseSchedule,
        predictionType: PredictionType, pixelWeights: Tensor? = nil
    ) -> Variable {
        if let pixelWeights {
            let perImage: [Float]
            switch self {
            case .uniform: perImage = [Float](repeating: 1, count: timesteps.count)
            case .minSNR(let gamma):
                perImage = schedule.minSNRWeights(timesteps: timesteps, gamma: gamma, prediction: predictionType)
            }
            return Variable.weightedMSE(prediction, target, weights: perImage, pixelWeights: pixelWeights)
        }
        switch self {
        case .uniform:
            return Variable.mse(prediction, target)
        case .minSNR(let gamma):
            let weights = schedule.minSNRWeights(timesteps: timesteps, gamma: gamma, prediction: predictionType)
            return Variable.weightedMSE(prediction, target, weights: weights)
        }
    }
}

extension NoiseSchedule {
    /// Min-SNR-γ weights (Hang et al. 2023) as diffusers' training scripts compute them with
    /// `--snr_gamma`: w = min(SNR(t), γ) / SNR(t) for ε-prediction, / (SNR(t) + 1) for v-prediction,
    /// and min(SNR, γ) for x0-prediction. SNR(t) = (√ᾱ_t / √(1 − ᾱ_t))², in float32 like `compute_snr`.
    public func minSNRWeights(timesteps: [Int], gamma: Float, prediction: PredictionType) -> [Float] {
        timesteps.map { t in
            let (a, s) = signalAndNoiseScale(t)
            let snr = (a / s) * (a / s)
            let clipped = min(snr, gamma)
            switch prediction {
            case .epsilon: return clipped / snr
            case .vPrediction: return clipped / (snr + 1)
            case .sample: return clipped
            }
        }
    }
}

/// Gaussian noise for a training batch (B, C, H, W). With `offset` > 0 it adds offset·N(0, 1) per
/// (image, channel), constant over pixels — diffusers' `--offset_noise` (0.1 in train_dreambooth.py),
/// which lets the model learn to shift an image's overall brightness.
public func trainingNoise(_ shape: [Int], offset: Float = 0, rng: inout RNG) -> Tensor {
    var noise = rng.normal(shape)
    guard offset > 0 else { return noise }
    let planes = shape[0] * shape[1]
    let per = noise.count / planes
    for p in 0..<planes {
        let shift = offset * rng.normal()
        for i in p * per..<(p + 1) * per { noise.scalars[i] += shift }
    }
    return noise
}

extension Variable {
    /// mean over the batch of w_i · mean((prediction_i − target_i)²): the weighted denoising loss.
    public static func weightedMSE(_ prediction: Variable, _ target: Variable, weights: [Float]) -> Variable {
        let B = prediction.shape[0]
        precondition(weights.count == B, "weightedMSE: \(weights.count) weights for a batch of \(B)")
        let d = prediction - target
        let perItem = (d * d).mean(axes: Array(1..<prediction.shape.count))  // (B,)
        return (perItem * Variable(Tensor(shape: [B], scalars: weights))).mean()
    }

    /// mean over the batch of w_i · mean(p ⊙ (prediction_i − target_i)²), p weighing each element.
    public static func weightedMSE(_ prediction: Variable, _ target: Variable, weights: [Float], pixelWeights: Tensor)
        -> Variable
    {
        let B = prediction.shape[0]
        precondition(weights.count == B, "weightedMSE: \(weights.count) weights for a batch of \(B)")
        precondition(pixelWeights.shape == prediction.shape, "weightedMSE: pixel weights of another shape")
        let d = prediction - target
        let perItem = (d * d * Variable(pixelWeights)).mean(axes: Array(1..<prediction.shape.count))
        return (perItem * Variable(Tensor(shape: [B], scalars: weights))).mean()
    }
}
