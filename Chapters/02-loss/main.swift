// Chapter 02 — The loss
//
// What it builds: the denoising objective and its three parameterisations (ε, v, x0), the
// weightings diffusers offers (plain MSE, min-SNR-γ, offset noise), and a small denoiser on 2-D
// points trained with each target and with min-SNR-γ, then sampled with DDIM.
// Paper: DreamBooth §3.1, the objective E_{x,c,ε,t}[ w_t ‖x̂_θ(α_t x + σ_t ε, c) − x‖² ];
// diffusers' `prediction_type` epsilon / v_prediction; Salimans & Ho 2022 for v; Hang et al. 2023
// for min-SNR-γ.
// Run:   make chapter N=02        (or .build/release/chapter02 [--quick] [--seed N] [--out DIR])
// Writes: Figures/02-loss/ — loss curves, samples of each model, reverse trajectories, weightings.

import ChapterSupport
import Diffusion
import Foundation
import Plotting
import TensorCore

let options = ChapterOptions(chapter: "02-loss", summary: "ε/v/x0 targets, loss weightings, a 2-D denoiser")
let figures = FigureWriter(directory: options.outputDirectory)
let root = RNG(seed: options.seed)
let started = Date()
print("Chapter 02 — the loss\n")

// MARK: - The math: three ways to say the same thing
//
// Training draws x_0, ε ~ N(0, I) and t, forms x_t = α·x_0 + σ·ε (α = √ᾱ_t, σ = √(1 − ᾱ_t),
// α² + σ² = 1) and regresses a network output on a target:
//   ε-prediction:  target ε                       (Ho et al. 2020)
//   v-prediction:  target v = α·ε − σ·x_0          (Salimans & Ho 2022)
//   x0-prediction: target x_0                      (the DreamBooth paper's x̂_θ)
// Given x_t, each target fixes the other two. From x_t = αx_0 + σε:
//   x_0 = (x_t − σε)/α,                 ε = (x_t − αx_0)/σ,
// and since αx_t − σv = α²x_0 + ασε − ασε + σ²x_0 = x_0:
//   x_0 = αx_t − σv,                    ε = σx_t + αv.
// The losses differ only by a weight per t: ‖ε̂ − ε‖² = (α/σ)²‖x̂_0 − x_0‖² = SNR·‖x̂_0 − x_0‖², and
// ‖v̂ − v‖² = (1 + SNR)·‖x̂_0 − x_0‖². So ε-prediction weights clean-ish steps heavily, and min-SNR-γ
// caps that weight at γ: w = min(SNR, γ)/SNR for ε, min(SNR, γ)/(SNR + 1) for v.

let schedule = NoiseSchedule(.cosine)
var checkRNG = root.split("identities")
let x0 = checkRNG.normal([4, 2]), eps = checkRNG.normal([4, 2]), ts = [10, 250, 600, 950]
let xt = schedule.addNoise(x0, noise: eps, timesteps: ts)
for type in PredictionType.allCases {
    let (rx0, reps) = schedule.split(schedule.target(type, x0: x0, noise: eps, timesteps: ts), sample: xt, type: type, timesteps: ts)
    print(String(format: "identity check, %-12@: max |x̂_0 − x_0| = %.2e, max |ε̂ − ε| = %.2e", type.rawValue as NSString,
                 Double((rx0 - x0).maxAbs()), Double((reps - eps).maxAbs())))
}

// The weights, seen per t.
let tAxis = Array(stride(from: 1, to: 1000, by: 3))
let weightFor: (PredictionType) -> [Double] = { p in schedule.minSNRWeights(timesteps: tAxis, gamma: 5, prediction: p).map(Double.init) }
try figures.lines("weightings", [
    Series("x0-MSE weight of ε-loss = SNR", x: tAxis.map(Double.init), y: tAxis.map { schedule.snr($0) }),
    Series("x0-MSE weight of v-loss = SNR + 1", x: tAxis.map(Double.init), y: tAxis.map { schedule.snr($0) + 1 }),
    Series("min-SNR-5 factor, ε", x: tAxis.map(Double.init), y: weightFor(.epsilon)),
    Series("min-SNR-5 factor, v", x: tAxis.map(Double.init), y: weightFor(.vPrediction)),
], style: PlotStyle(title: "How each loss weights the timesteps (cosine schedule)", xlabel: "t", ylabel: "weight", logY: true))

// Offset noise (diffusers' --offset_noise): ε + 0.1·N(0,1) shared by all pixels of a channel.
var offsetRNG = root.split("offset")
let plain = trainingNoise([64, 3, 8, 8], rng: &offsetRNG), shifted = trainingNoise([64, 3, 8, 8], offset: 0.1, rng: &offsetRNG)
func channelMeanStd(_ n: Tensor) -> Double {
    let means = (0..<(64 * 3)).map { p in n.scalars[p * 64..<(p + 1) * 64].reduce(0, +) / 64 }
    return (means.reduce(0) { $0 + Double($1 * $1) } / Double(means.count)).squareRoot()
}
print(String(format: "\noffset noise: spread of per-channel means %.3f (plain) vs %.3f (offset 0.1; theory √(1/64 + 0.01) = %.3f)",
             channelMeanStd(plain), channelMeanStd(shifted), (1.0 / 64 + 0.01).squareRoot()))

// MARK: - The data: points on a spiral

func spiral(_ n: Int, rng: inout RNG) -> Tensor {
    var pts = [Float]()
    for _ in 0..<n {
        let u = rng.uniform().squareRoot(), theta = u * 3 * Float.pi
        pts += [1.6 * u * cos(theta) + 0.04 * rng.normal(), 1.6 * u * sin(theta) + 0.04 * rng.normal()]
    }
    return Tensor(shape: [n, 2], scalars: pts)
}

// MARK: - The denoiser: an MLP of (x_t, embedding of t)

struct MLP {
    var params: [Variable] = []
    init(hidden: Int, rng: inout RNG) {
        func layer(_ i: Int, _ o: Int) -> [Variable] {
            [Variable(rng.normal([o, i]) * (1 / Float(i).squareRoot()), requiresGrad: true), Variable(Tensor(zeros: [o]), requiresGrad: true)]
        }
        params = layer(2 + 32, hidden) + layer(hidden, hidden) + layer(hidden, hidden) + layer(hidden, 2)
    }
    func callAsFunction(_ x: Variable, _ t: [Int]) -> Variable {                  // x: (B, 2)
        let emb = Variable(timestepEmbedding(t.map(Float.init), dim: 32, flipSinToCos: true, downscaleFreqShift: 0))
        var h = Variable.concat([x, emb], axis: 1)                                 // (B, 34)
        for l in 0..<3 { h = Variable.linear(h, weight: params[2 * l], bias: params[2 * l + 1]).silu() }
        return Variable.linear(h, weight: params[6], bias: params[7])              // (B, 2)
    }
}

// MARK: - Training with each target, and with min-SNR-γ
//
// The same network, the same data and noise, four objectives: the three parameterisations with
// plain MSE, and ε with the min-SNR-5 weights derived above (as chapter 05's base model trains).
// Each loss is measured in its own target's units, so the curves compare speed, not level; the
// samples below compare the models.

struct Objective { let label: String; let type: PredictionType; let minSNR: Bool }
let objectives = [Objective(label: "ε", type: .epsilon, minSNR: false), Objective(label: "v", type: .vPrediction, minSNR: false),
                  Objective(label: "x0", type: .sample, minSNR: false), Objective(label: "ε, min-SNR-5", type: .epsilon, minSNR: true)]
let steps = options.quick ? 150 : 4000, batch = 256
var curves: [String: [Double]] = [:]
var models: [String: MLP] = [:]
for objective in objectives {
    var rng = root.split("train-\(objective.type.rawValue)")   // the same batches for the two ε runs
    var initRNG = root.split("init")                         // same initial weights for all
    let model = MLP(hidden: 128, rng: &initRNG)
    let opt = AdamW(model.params, learningRate: 2e-3, weightDecay: 0)
    var losses = [Double]()
    var progress = Progress("training (\(objective.label))", total: steps)
    for step in 1...steps {
        let x = spiral(batch, rng: &rng)
        let noise = rng.normal([batch, 2])
        let t = (0..<batch).map { _ in rng.randint(1000) }
        let target = schedule.target(objective.type, x0: x, noise: noise, timesteps: t)
        let prediction = model(Variable(schedule.addNoise(x, noise: noise, timesteps: t)), t)
        let loss = objective.minSNR
            ? Variable.weightedMSE(prediction, Variable(target), weights: schedule.minSNRWeights(timesteps: t, gamma: 5, prediction: objective.type))
            : Variable.mse(prediction, Variable(target))
        loss.backward()
        opt.learningRate = 2e-3 * LRSchedule.cosine.factor(step: step, warmupSteps: 50, totalSteps: steps)
        opt.update()
        for p in model.params { p.zeroGrad() }
        losses.append(Double(loss.value.scalars[0]))
        progress.update(step, String(format: "loss %.4f", losses.last!))
    }
    curves[objective.label] = losses
    models[objective.label] = model
}
func smooth(_ v: [Double], _ k: Int) -> [Double] { (0..<v.count).map { i in let lo = max(0, i - k + 1); return v[lo...i].reduce(0, +) / Double(i - lo + 1) } }
try figures.lines("loss-curves", objectives.map { Series($0.label + (($0.type == .sample) ? " (x0 units)" : ""), y: smooth(curves[$0.label]!, 50)) },
                  style: PlotStyle(title: "Training loss, each in its own target's units (running mean of 50 steps)", xlabel: "step", ylabel: "loss",
                                   logY: true, extra: ["set key top right inside", "set format y '%g'"]))

// MARK: - Sampling with DDIM, and a check that the samples lie on the spiral

let n = options.quick ? 300 : 2000
var sampleRNG = root.split("sample")
let start = sampleRNG.normal([n, 2])
var data = root.split("reference data")
let reference = spiral(n, rng: &data)
var scatter = [Series("data", x: stride(from: 0, to: 2 * n, by: 2).map { Double(reference.scalars[$0]) },
                      y: stride(from: 1, to: 2 * n, by: 2).map { Double(reference.scalars[$0]) })]
var trajectories: [Series] = []
/// Mean distance from each sample to its nearest data point (0 would be perfect).
func nearestDistance(_ a: Tensor, _ b: Tensor) -> Double {
    var total = 0.0
    for i in 0..<a.shape[0] {
        var best = Float.infinity
        for j in 0..<b.shape[0] {
            let dx = a.scalars[2 * i] - b.scalars[2 * j], dy = a.scalars[2 * i + 1] - b.scalars[2 * j + 1]
            best = min(best, dx * dx + dy * dy)
        }
        total += Double(best.squareRoot())
    }
    return total / Double(a.shape[0])
}
print(String(format: "\nmean distance to the nearest data point: pure noise %.3f", nearestDistance(start, reference)))
var sampleDistance: [String: Double] = [:]
for objective in objectives {
    let type = objective.type, label = objective.label
    // x̂_0 = (x_t − σε̂)/α divides by α ≈ 5e-5 at t = 999: without diffusers' clip_sample an
    // ε-model's small error there is amplified 20 000-fold. v and x0 never divide by α.
    var ddim = DDIMScheduler(schedule: schedule, prediction: type, spacing: .trailing, clipSample: 2)
    ddim.setTimesteps(50)
    var x = start
    var paths = [[Float]](repeating: [], count: 6)
    Variable.withoutGradients {
        for t in ddim.timesteps {
            for p in 0..<6 { paths[p] += [x.scalars[2 * p], x.scalars[2 * p + 1]] }
            x = ddim.step(models[label]!(Variable(x), [Int](repeating: t, count: n)).value, timestep: t, sample: x)
        }
    }
    if !objective.minSNR && type != .sample {   // two models' paths keep the figure readable
        for p in 0..<3 {
            paths[p] += [x.scalars[2 * p], x.scalars[2 * p + 1]]
            trajectories.append(Series("\(label) #\(p + 1)", x: stride(from: 0, to: paths[p].count, by: 2).map { Double(paths[p][$0]) },
                                       y: stride(from: 1, to: paths[p].count, by: 2).map { Double(paths[p][$0]) }))
        }
    }
    scatter.append(Series("samples, \(label)", x: stride(from: 0, to: 2 * n, by: 2).map { Double(x.scalars[$0]) },
                          y: stride(from: 1, to: 2 * n, by: 2).map { Double(x.scalars[$0]) }))
    sampleDistance[label] = nearestDistance(x, reference)
    print(String(format: "                                        %@, DDIM 50 steps %.3f", label as NSString, sampleDistance[label]!))
}
try figures.scatter("samples", scatter, style: PlotStyle(title: "Spiral data and DDIM samples of each objective", xlabel: "x", ylabel: "y", width: 900, height: 760,
                                                         extra: ["set size ratio -1", "set key below"]))
try figures.lines("trajectories", trajectories, style: PlotStyle(title: "Reverse trajectories, ε and v: noise (start) → data (end)", xlabel: "x", ylabel: "y",
                                                                 width: 800, height: 760, extra: ["set size ratio -1", "set key below"]))
print(String(format: "\nwrote figures to %@ in %.1f s", options.outputDirectory, Date().timeIntervalSince(started)))
