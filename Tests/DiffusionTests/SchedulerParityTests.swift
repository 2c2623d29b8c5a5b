// Schedules and samplers against diffusers 0.42.1 (Tests/Fixtures/reference/schedulers.safetensors,
// described in that folder's README): tolerance max|Δ| / max|ref| ≤ 2e-6.

import Diffusion
import Foundation
import TensorCore
import TestSupport
import XCTest

final class SchedulerParityTests: XCTestCase {
    static let file = try! SafeTensorsFile(path: Fixtures.reference("schedulers.safetensors"))
    func t(_ name: String) -> Tensor { try! Self.file.tensor(name) }
    let tolerance = 2e-6

    func assertClose(_ a: Tensor, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let e = maxRelativeError(a, t(name))
        XCTAssertLessThanOrEqual(e, tolerance, "\(name): max|Δ|/max|ref| = \(e)", file: file, line: line)
    }

    /// Training timesteps: uniform at weight 1 (exactly rng.randint's draws), and with a later-bias
    /// weight w the noisiest quarter drawn w times as often: share w·250 / (750 + w·250) of 1,000.
    func testTrainingTimestepsAndTheirLaterBias() {
        let s = NoiseSchedule(.linear)
        var a = RNG(seed: 4)
        var b = RNG(seed: 4)
        for _ in 0..<100 { XCTAssertEqual(s.trainingTimestep(rng: &a), b.randint(1000)) }
        var rng = RNG(seed: 5)
        let draws = (0..<20_000).map { _ in s.trainingTimestep(laterWeight: 3, rng: &rng) }
        XCTAssertTrue(draws.allSatisfy { (0..<1000).contains($0) })
        let later = Double(draws.filter { $0 >= 750 }.count) / Double(draws.count)
        XCTAssertEqual(later, 0.5, accuracy: 0.015, "3·250 / (750 + 3·250)")
    }

    func testAlphasCumprodAddNoiseVelocity() {
        for schedule in BetaSchedule.allCases {
            let s = NoiseSchedule(schedule)
            assertClose(Tensor(shape: [1000], scalars: s.alphasCumprod), "\(schedule.rawValue).alphas_cumprod")
            // x0 is not stored; diffusers drew x0 and noise with seed 1234. add_noise and velocity
            // are linear in (x0, noise), so recover x0 from add_noise at t = 0 would lose precision;
            // instead check the identity velocity = α·ε − σ·x0 with x0 solved from add_noise.
            let noise = t("noise")
            let xt = t("\(schedule.rawValue).add_noise")
            let v = t("\(schedule.rawValue).velocity")
            let ts = [0, 1, 499, 999]
            // From x_t = αx0 + σε and v = αε − σx0: x0 = αx_t − σv, ε = σx_t + αv (α² + σ² = 1).
            let (x0, eps) = s.split(v, sample: xt, type: .vPrediction, timesteps: ts)
            XCTAssertLessThan(maxRelativeError(eps, noise), 1e-5, "\(schedule): recovered noise")
            assertClose(s.addNoise(x0, noise: noise, timesteps: ts), "\(schedule.rawValue).add_noise")
            assertClose(s.velocity(x0, noise: noise, timesteps: ts), "\(schedule.rawValue).velocity")
        }
    }

    func testDDPMSteps() {
        for schedule in BetaSchedule.allCases {
            for prediction in [PredictionType.epsilon, .vPrediction] {
                let ddpm = DDPMScheduler(schedule: NoiseSchedule(schedule), prediction: prediction)
                for step in [999, 500, 1] {
                    let k = "\(schedule.rawValue).ddpm.\(prediction.rawValue).t\(step)"
                    let out = ddpm.step(
                        t("\(k).model_output"), timestep: step, sample: t("\(k).sample"),
                        varianceNoise: t("\(k).variance_noise"))
                    assertClose(out, "\(k).prev_sample")
                }
            }
        }
    }

    func testDDIMTrajectories() {
        for schedule in BetaSchedule.allCases {
            for prediction in [PredictionType.epsilon, .vPrediction] {
                let k = "\(schedule.rawValue).ddim.\(prediction.rawValue)"
                var ddim = DDIMScheduler(
                    schedule: NoiseSchedule(schedule), prediction: prediction, setAlphaToOne: false, stepsOffset: 1,
                    spacing: .leading)
                ddim.setTimesteps(10)
                XCTAssertEqual(ddim.timesteps.map(Float.init), t("\(k).timesteps").scalars)
                let trajectory = t("\(k).trajectory")
                let per = 3 * 8 * 8
                var x = Tensor(shape: [1, 3, 8, 8], scalars: Array(trajectory.scalars[0..<per]))
                var states = [x]
                for step in ddim.timesteps {
                    // The stand-in model of the reference: m(x, t) = 0.5·tanh(x) + 0.01·t/1000.
                    let m = x.map { 0.5 * Foundation.tanh($0) + 0.01 * Float(step) / 1000 }
                    x = ddim.step(m, timestep: step, sample: x)
                    states.append(x)
                }
                assertClose(Tensor(shape: [11, 1, 3, 8, 8], scalars: states.flatMap(\.scalars)), "\(k).trajectory")
            }
        }
    }

    func testTimestepSpacingsAsDiffusersDefinesThem() {
        // Expected values computed with diffusers' formulas (scheduling_ddim.py set_timesteps) by hand:
        // leading: arange(0, 10)·100 reversed (+ offset); trailing: round(arange(1000, 0, −100)) − 1;
        // linspace: round(linspace(0, 999, 10)) reversed.
        var d = DDIMScheduler(schedule: NoiseSchedule(), spacing: .leading)
        d.setTimesteps(10)
        XCTAssertEqual(d.timesteps, [900, 800, 700, 600, 500, 400, 300, 200, 100, 0])
        d = DDIMScheduler(schedule: NoiseSchedule(), spacing: .trailing)
        d.setTimesteps(10)
        XCTAssertEqual(d.timesteps, [999, 899, 799, 699, 599, 499, 399, 299, 199, 99])
        d = DDIMScheduler(schedule: NoiseSchedule(), spacing: .linspace)
        d.setTimesteps(10)
        XCTAssertEqual(d.timesteps, [999, 888, 777, 666, 555, 444, 333, 222, 111, 0])
    }

    func testZeroTerminalSNRAndMinSNR() {
        let s = NoiseSchedule(.scaledLinear, betaStart: 0.00085, betaEnd: 0.012, rescaleZeroTerminalSNR: true)
        XCTAssertEqual(s.alphasCumprod.last!, 0, accuracy: 1e-9)
        XCTAssertEqual(
            s.alphasCumprod[0], NoiseSchedule(.scaledLinear, betaStart: 0.00085, betaEnd: 0.012).alphasCumprod[0],
            accuracy: 1e-6)
        let base = NoiseSchedule()
        let w = base.minSNRWeights(timesteps: [0, 999], gamma: 5, prediction: .epsilon)
        XCTAssertEqual(w[0], Float(5 / base.snr(0)), accuracy: 1e-4)  // high SNR: clipped to γ/SNR
        XCTAssertEqual(w[1], 1, accuracy: 1e-6)  // low SNR: weight 1
        let wv = base.minSNRWeights(timesteps: [999], gamma: 5, prediction: .vPrediction)
        XCTAssertEqual(Double(wv[0]), base.snr(999) / (base.snr(999) + 1), accuracy: 1e-6)
    }

    func testParameterisationIdentities() {
        var rng = RNG(seed: 3)
        let s = NoiseSchedule(.cosine)
        let x0 = rng.normal([3, 2, 4, 4])
        let eps = rng.normal([3, 2, 4, 4])
        let ts = [5, 400, 990]
        let xt = s.addNoise(x0, noise: eps, timesteps: ts)
        for type in PredictionType.allCases {
            let target = s.target(type, x0: x0, noise: eps, timesteps: ts)
            let (rx0, reps) = s.split(target, sample: xt, type: type, timesteps: ts)
            XCTAssertLessThan(relativeError(rx0, x0), 1e-4, "\(type) x0")
            XCTAssertLessThan(relativeError(reps, eps), 1e-4, "\(type) ε")
        }
    }
}

final class TimestepEmbeddingTests: XCTestCase {
    /// Against diffusers' get_timestep_embedding (ops.safetensors, timestep_embedding.*).
    func testMatchesDiffusers() throws {
        let f = try SafeTensorsFile(path: Fixtures.reference("ops.safetensors"))
        let t = try f.tensor("timestep_embedding.t").scalars
        let a = timestepEmbedding(t, dim: 32, flipSinToCos: true, downscaleFreqShift: 0)
        let b = timestepEmbedding(t, dim: 32, flipSinToCos: false, downscaleFreqShift: 1)
        XCTAssertLessThan(relativeError(a, try f.tensor("timestep_embedding.flip_shift0")), 1e-5)
        XCTAssertLessThan(relativeError(b, try f.tensor("timestep_embedding.noflip_shift1")), 1e-5)
    }
}

/// DDIM for every spacing, set_alpha_to_one and eta (with recorded variance noise), and DDPM after
/// set_timesteps(10), against diffusers 0.42.1: Tests/Fixtures/schedulers_extra.safetensors, made by
/// scripts/make_scheduler_fixture.py (float64; alphas_cumprod in float32 as diffusers keeps it).
final class SchedulerSpacingParityTests: XCTestCase {
    static let file = try! SafeTensorsFile(path: Fixtures.path("schedulers_extra.safetensors"))
    func t(_ name: String) -> Tensor { try! Self.file.tensor(name) }
    func model(_ x: Tensor, _ step: Int) -> Tensor { x.map { 0.5 * Foundation.tanh($0) + 0.01 * Float(step) / 1000 } }
    func slice(_ stack: Tensor, _ i: Int) -> Tensor {
        let per = stack.count / stack.shape[0]
        return Tensor(shape: Array(stack.shape.dropFirst()), scalars: Array(stack.scalars[i * per..<(i + 1) * per]))
    }

    func testDDIMEverySpacingEtaAndFinalAlpha() {
        var checked = 0
        for (schedule, kind) in [("linear", BetaSchedule.linear), ("squaredcos_cap_v2", .cosine)] {
            for (spacing, offset) in [(TimestepSpacing.leading, 1), (.trailing, 0), (.linspace, 0)] {
                for one in [true, false] {
                    for eta: Float in [0, 0.7] {
                        for prediction in [PredictionType.epsilon, .vPrediction] {
                            let alpha = one ? "one" : "first"
                            let etaText = eta == 0 ? "0.0" : "0.7"
                            let key =
                                "ddim.\(schedule).\(spacing.rawValue).\(alpha).eta\(etaText).\(prediction.rawValue)"
                            var ddim = DDIMScheduler(
                                schedule: NoiseSchedule(kind), prediction: prediction, setAlphaToOne: one,
                                stepsOffset: offset, spacing: spacing)
                            ddim.setTimesteps(10)
                            XCTAssertEqual(ddim.timesteps.map(Float.init), t(key + ".timesteps").scalars, key)
                            let trajectory = t(key + ".trajectory")
                            let noise = t(key + ".noise")
                            var x = slice(trajectory, 0)
                            for (i, step) in ddim.timesteps.enumerated() {
                                x = ddim.step(
                                    model(x, step), timestep: step, sample: x, eta: eta, varianceNoise: slice(noise, i))
                                let e = maxRelativeError(x, slice(trajectory, i + 1))
                                XCTAssertLessThanOrEqual(e, 2e-6, "\(key) step \(i): \(e)")
                            }
                            checked += 1
                        }
                    }
                }
            }
        }
        XCTAssertEqual(checked, 48)
    }

    func testDDPMAfterSetTimesteps() {
        for (schedule, kind) in [("linear", BetaSchedule.linear), ("squaredcos_cap_v2", .cosine)] {
            for prediction in [PredictionType.epsilon, .vPrediction] {
                let key = "ddpm.\(schedule).\(prediction.rawValue)"
                var ddpm = DDPMScheduler(schedule: NoiseSchedule(kind), prediction: prediction)
                ddpm.setTimesteps(10)
                XCTAssertEqual(ddpm.timesteps.map(Float.init), t(key + ".timesteps").scalars, key)
                let trajectory = t(key + ".trajectory")
                let noise = t(key + ".noise")
                var x = slice(trajectory, 0)
                for (i, step) in ddpm.timesteps.enumerated() {
                    x = ddpm.step(model(x, step), timestep: step, sample: x, varianceNoise: slice(noise, i))
                    XCTAssertLessThanOrEqual(maxRelativeError(x, slice(trajectory, i + 1)), 2e-6, "\(key) step \(i)")
                }
            }
        }
    }
}

/// The loss weighting value is the same arithmetic as the calls it replaces, and the sampler
/// protocol's step is the scheduler's own step with the noise drawn from the generator.
final class LossWeightingAndSamplerTests: XCTestCase {
    func testWeightingsAreMSEAndWeightedMSE() {
        let schedule = NoiseSchedule(.cosine)
        var rng = RNG(seed: 4)
        let prediction = Variable(rng.normal([3, 2, 2, 2]))
        let target = Variable(rng.normal([3, 2, 2, 2]))
        let t = [10, 500, 990]
        let uniform = LossWeighting.uniform.loss(
            prediction, target, timesteps: t, schedule: schedule, predictionType: .epsilon)
        XCTAssertEqual(uniform.value.scalars, Variable.mse(prediction, target).value.scalars)
        let weights = schedule.minSNRWeights(timesteps: t, gamma: 5, prediction: .vPrediction)
        let snr = LossWeighting.minSNR(gamma: 5).loss(
            prediction, target, timesteps: t, schedule: schedule, predictionType: .vPrediction)
        XCTAssertEqual(snr.value.scalars, Variable.weightedMSE(prediction, target, weights: weights).value.scalars)
        XCTAssertEqual(LossWeighting(snrGamma: nil), .uniform)
        XCTAssertEqual(LossWeighting(snrGamma: 5), .minSNR(gamma: 5))
    }

    func testSamplerProtocolStepIsTheSchedulersStep() {
        let schedule = NoiseSchedule(.cosine)
        var ddpm = DDPMScheduler(schedule: schedule)
        ddpm.setTimesteps(10)
        var rng = RNG(seed: 5)
        let x = rng.normal([1, 3, 4, 4])
        let out = rng.normal([1, 3, 4, 4])
        let generator = RNG(seed: 6)
        let t = ddpm.timesteps[2]
        var noise = generator.split("ddpm/\(t)")
        let direct = ddpm.step(out, timestep: t, sample: x, varianceNoise: noise.normal(x.shape))
        var sampler: any Sampler = ddpm
        sampler.setTimesteps(10)
        XCTAssertEqual(sampler.step(out, timestep: t, sample: x, generator: generator).scalars, direct.scalars)
        var ddim = DDIMScheduler(schedule: schedule)
        ddim.setTimesteps(10)
        XCTAssertEqual(
            (ddim as any Sampler).step(out, timestep: t, sample: x, generator: generator).scalars,
            ddim.step(out, timestep: t, sample: x).scalars)
    }
}
