// diffusers' scheduler_config.json for DDPMScheduler and DDIMScheduler, and the schedulers it makes.

import Diffusion
import Foundation
import TensorCore

public struct SchedulerConfig: Equatable, Sendable, ConfigFile {
    public var className = "DDIMScheduler"
    public var trainTimesteps = 1000
    public var betaSchedule = BetaSchedule.cosine
    public var betaStart = 0.0001, betaEnd = 0.02
    public var prediction = PredictionType.epsilon
    /// Clamp x̂_0 to ±clipSampleRange at each step (diffusers' default: on, 1.0; right for pixels in [-1, 1]).
    public var clipSample = true
    public var clipSampleRange: Float = 1
    public var setAlphaToOne = true
    public var stepsOffset = 0
    public var timestepSpacing = TimestepSpacing.leading
    public var rescaleZeroTerminalSNR = false
    public init() {}

    public var schedule: NoiseSchedule {
        NoiseSchedule(
            betaSchedule, trainTimesteps: trainTimesteps, betaStart: betaStart, betaEnd: betaEnd,
            rescaleZeroTerminalSNR: rescaleZeroTerminalSNR)
    }
    public func ddim() -> DDIMScheduler {
        DDIMScheduler(
            schedule: schedule, prediction: prediction, setAlphaToOne: setAlphaToOne, stepsOffset: stepsOffset,
            spacing: timestepSpacing, clipSample: clipSample ? clipSampleRange : nil)
    }
    /// The sampler of a kind, with this configuration's schedule, prediction type and clipping.
    public func sampler(_ kind: SamplerKind) -> any Sampler {
        switch kind {
        case .ddim: return ddim()
        case .ddpm: return ddpm()
        }
    }

    public func ddpm() -> DDPMScheduler {
        DDPMScheduler(schedule: schedule, prediction: prediction, clipSample: clipSample ? clipSampleRange : nil)
    }

    public init(reader: ConfigReader) throws {
        var r = reader
        let path = r.file
        className = try r.string("_class_name", default: "DDIMScheduler")
        trainTimesteps = try r.int("num_train_timesteps", default: 1000)
        guard trainTimesteps >= 2 && trainTimesteps <= 100_000 else {
            throw ModelError(file: path, message: "num_train_timesteps \(trainTimesteps) outside 2…100000")
        }
        let b = try r.string("beta_schedule", default: "linear")
        guard let bs = BetaSchedule(rawValue: b) else {
            throw ModelError(
                file: path, message: "beta_schedule '\(b)' is not one of \(BetaSchedule.allCases.map(\.rawValue))")
        }
        betaSchedule = bs
        betaStart = try r.double("beta_start", default: 0.0001)
        betaEnd = try r.double("beta_end", default: 0.02)
        guard betaStart > 0, betaEnd < 1, betaStart <= betaEnd else {
            throw ModelError(
                file: path, message: "beta_start \(betaStart) and beta_end \(betaEnd) must satisfy 0 < start ≤ end < 1")
        }
        let p = try r.string("prediction_type", default: "epsilon")
        guard let pt = PredictionType(rawValue: p) else {
            throw ModelError(file: path, message: "prediction_type '\(p)' is not epsilon, v_prediction or sample")
        }
        prediction = pt
        clipSample = try r.bool("clip_sample", default: className == "DDIMScheduler" || className == "DDPMScheduler")
        clipSampleRange = Float(try r.double("clip_sample_range", default: 1))
        setAlphaToOne = try r.bool("set_alpha_to_one", default: true)
        stepsOffset = try r.int("steps_offset", default: 0)
        let sp = try r.string("timestep_spacing", default: "leading")
        guard let spacing = TimestepSpacing(rawValue: sp) else {
            throw ModelError(file: path, message: "timestep_spacing '\(sp)' is not leading, trailing or linspace")
        }
        timestepSpacing = spacing
        rescaleZeroTerminalSNR = try r.bool("rescale_betas_zero_snr", default: false)
        // Keys that do not change DDIM/DDPM sampling here, at their diffusers defaults.
        try r.requireDefaults([
            "trained_betas": .null, "thresholding": .bool(false), "dynamic_thresholding_ratio": .number(0.995),
            "sample_max_value": .number(1), "variance_type": .string("fixed_small"),
            "_diffusers_version": .string("0.42.1"),
        ])
    }

    public func jsonText() -> String {
        jsonText([
            ("_class_name", .string(className)), ("_diffusers_version", .string("0.42.1")),
            ("beta_end", .number(betaEnd)), ("beta_schedule", .string(betaSchedule.rawValue)),
            ("beta_start", .number(betaStart)),
            ("clip_sample", .bool(clipSample)), ("clip_sample_range", .number(Double(clipSampleRange))),
            ("num_train_timesteps", .integer(trainTimesteps)), ("prediction_type", .string(prediction.rawValue)),
            ("rescale_betas_zero_snr", .bool(rescaleZeroTerminalSNR)), ("set_alpha_to_one", .bool(setAlphaToOne)),
            ("steps_offset", .integer(stepsOffset)), ("timestep_spacing", .string(timestepSpacing.rawValue)),
        ])
    }
    private func jsonText(_ m: [(String, StrictJSON.Value)]) -> String { Models.jsonText(m) }
}
