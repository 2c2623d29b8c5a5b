// What the pipeline asks of a sampler, as diffusers' pipelines ask it of `scheduler`:
//   scheduler.set_timesteps(n); for t in scheduler.timesteps: x = scheduler.step(output, t, x, generator)
// Adding a sampler: its file (conforming to Sampler), a case and a line in SamplerKind's factory
// (SchedulerConfig.sampler in Models), and its parity test.

import TensorCore

/// A reverse-process sampler: the timesteps of n inference steps, and one step x_t → x_prev.
public protocol Sampler: Sendable {
    /// The inference timesteps, descending.
    var timesteps: [Int] { get }
    /// Spreads n inference steps over the training steps.
    mutating func setTimesteps(_ n: Int)
    /// One reverse step from the model's output at timestep t. A sampler that adds noise draws
    /// step t's from `generator.split("<sampler>/t")`, so a step's noise does not depend on the
    /// steps before it.
    func step(_ modelOutput: Tensor, timestep t: Int, sample: Tensor, generator: RNG) -> Tensor
}

/// The samplers a pipeline can be asked for (`dreambooth sample --scheduler`).
public enum SamplerKind: String, CaseIterable, Sendable {
    /// Deterministic DDIM (η = 0).
    case ddim
    /// Ancestral DDPM ("fixed_small" variance).
    case ddpm
}

extension DDPMScheduler: Sampler {
    public func step(_ modelOutput: Tensor, timestep t: Int, sample: Tensor, generator: RNG) -> Tensor {
        var noise = generator.split("ddpm/\(t)")
        return step(modelOutput, timestep: t, sample: sample, varianceNoise: noise.normal(sample.shape))
    }
}

extension DDIMScheduler: Sampler {
    public func step(_ modelOutput: Tensor, timestep t: Int, sample: Tensor, generator: RNG) -> Tensor {
        step(modelOutput, timestep: t, sample: sample)
    }
}
