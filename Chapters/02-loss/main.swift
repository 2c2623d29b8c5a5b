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

let options = ChapterOptions(
    chapter: "02-loss", title: "the loss", summary: "ε/v/x0 targets, loss weightings, a 2-D denoiser")
let figures = FigureWriter(directory: options.outputDirectory)
let root = RNG(seed: options.seed)
let started = Date()

// MARK: - The math: three ways to say the same thing
//
// A change of name first. From here on x_0 is the clean sample — chapter 01's x, which chapter 01
// kept apart from its x_0 (the sample after step 0) — because "x0" is the name every paper and
// diffusers give the clean sample (x0-prediction, `pred_original_sample`).
// Training draws a clean sample x_0, ε ~ N(0, I) and t, forms x_t = α·x_0 + σ·ε (α = √ᾱ_t, σ = √(1 − ᾱ_t),
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
let x0 = checkRNG.normal([4, 2])
let eps = checkRNG.normal([4, 2])
let ts = [10, 250, 600, 950]
let xt = schedule.addNoise(x0, noise: eps, timesteps: ts)
var identitiesHold = true
for type in PredictionType.allCases {
    // From the target and x_t back to the clean sample and the noise: the identities above.
    let (x0Back, epsBack) = schedule.split(
        schedule.target(type, x0: x0, noise: eps, timesteps: ts), sample: xt, type: type, timesteps: ts)
    let errors = (Double((x0Back - x0).maxAbs()), Double((epsBack - eps).maxAbs()))
    if max(errors.0, errors.1) > 1e-4 { identitiesHold = false }
    print(
        String(
            format: "identity check, %-12@: max |x̂_0 − x_0| = %.2e, max |ε̂ − ε| = %.2e", type.rawValue as NSString,
            errors.0, errors.1))
}
print(
    identitiesHold ? "  ✓ each target gives back x_0 and ε (within 1e-4)" : "  ✗ a target does not give back x_0 and ε")

// The weights, seen per t, all as weights on the same ‖x̂_0 − x_0‖²: ε's SNR, v's SNR + 1, and
// min-SNR-5 — the factor min(SNR, 5)/SNR on the ε-loss (or min(SNR, 5)/(SNR + 1) on the v-loss) times
// that loss's own weight, which leaves min(SNR, 5) for both: the cap at γ = 5.
let tAxis = Array(stride(from: 1, to: 1000, by: 3))
let epsilonFactor = schedule.minSNRWeights(timesteps: tAxis, gamma: 5, prediction: .epsilon).map(Double.init)
let vFactor = schedule.minSNRWeights(timesteps: tAxis, gamma: 5, prediction: .vPrediction).map(Double.init)
let cappedEpsilon = zip(tAxis, epsilonFactor).map { schedule.snr($0) * $1 }
let cappedV = zip(tAxis, vFactor).map { (schedule.snr($0) + 1) * $1 }
let capHolds =
    zip(cappedEpsilon, cappedV).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, $1) }
    && zip(tAxis, cappedEpsilon).allSatisfy { abs($1 - min(schedule.snr($0), 5)) <= 1e-4 * max(1, $1) }
print(
    capHolds
        ? "  ✓ min-SNR-5 on the ε-loss and on the v-loss both weight ‖x̂_0 − x_0‖² by min(SNR, 5)"
        : "  ✗ the min-SNR factors do not give min(SNR, 5)")
try figures.lines(
    "weightings",
    [
        Series("ε-loss: SNR", x: tAxis.map(Double.init), y: tAxis.map { schedule.snr($0) }),
        Series("v-loss: SNR + 1", x: tAxis.map(Double.init), y: tAxis.map { schedule.snr($0) + 1 }),
        Series("min-SNR-5 (ε or v): min(SNR, 5)", x: tAxis.map(Double.init), y: cappedEpsilon, with: "lines lw 3 dt 2"),
    ],
    style: PlotStyle(
        title: "Each loss as a weight on ‖x̂_0 − x_0‖² per t (cosine schedule): min-SNR-5 caps ε's SNR at 5",
        xlabel: "t", ylabel: "weight on ‖x̂_0 − x_0‖²", logY: true,
        extra: [
            "set key top right inside", "set format y '1e%T'", "set yrange [1e-6:1e5]",
            "set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 3 lc rgb 'gray40'",
            "set label 'γ = 5' at graph 0.02, first 12 tc rgb 'gray40'",
            "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb 'gray70'",
            "set label 'weight 1 (SNR = 1)' at graph 0.02, first 0.4 tc rgb 'gray50'",
        ]))

// Offset noise (diffusers' --offset_noise): ε + 0.1·N(0,1) shared by all pixels of a channel.
var offsetRNG = root.split("offset")
let plain = trainingNoise([64, 3, 8, 8], rng: &offsetRNG)
let shifted = trainingNoise([64, 3, 8, 8], offset: 0.1, rng: &offsetRNG)
func channelMeanStd(_ n: Tensor) -> Double {  // n: (B, C, H, W)
    let planes = n.shape[0] * n.shape[1]
    let pixels = n.shape[2] * n.shape[3]
    let means = (0..<planes).map { p in n.scalars[p * pixels..<(p + 1) * pixels].reduce(0, +) / Float(pixels) }
    return (means.reduce(0) { $0 + Double($1 * $1) } / Double(means.count)).squareRoot()
}
print(
    String(
        format:
            "\noffset noise: spread of per-channel means %.3f (plain) vs %.3f (offset 0.1; theory √(1/64 + 0.01) = "
            + "%.3f)",
        channelMeanStd(plain), channelMeanStd(shifted), (1.0 / 64 + 0.01).squareRoot()))

// MARK: - The data: points on a spiral

func spiral(_ n: Int, rng: inout RNG) -> Tensor {
    var pts = [Float]()
    for _ in 0..<n {
        let u = rng.uniform().squareRoot()
        let theta = u * 3 * Float.pi
        pts += [1.6 * u * cos(theta) + 0.04 * rng.normal(), 1.6 * u * sin(theta) + 0.04 * rng.normal()]
    }
    return Tensor(shape: [n, 2], scalars: pts)
}

// MARK: - The denoiser: an MLP of (x_t, embedding of t)
//
// t enters as 32 features, cos and sin of 16 geometrically spaced frequencies (`timestepEmbedding`, the UNet's
// own time embedding, which chapter 03 draws), concatenated with the point.

struct MLP {
    var params: [Variable] = []
    init(hidden: Int, rng: inout RNG) {
        func layer(_ i: Int, _ o: Int) -> [Variable] {
            [
                Variable(rng.normal([o, i]) * (1 / Float(i).squareRoot()), requiresGrad: true),
                Variable(Tensor(zeros: [o]), requiresGrad: true),
            ]
        }
        params = layer(2 + 32, hidden) + layer(hidden, hidden) + layer(hidden, hidden) + layer(hidden, 2)
    }
    func callAsFunction(_ x: Variable, _ t: [Int]) -> Variable {  // x: (B, 2)
        let emb = Variable(timestepEmbedding(t.map(Float.init), dim: 32, flipSinToCos: true, downscaleFreqShift: 0))
        var h = Variable.concat([x, emb], axis: 1)  // (B, 34)
        for l in 0..<3 { h = Variable.linear(h, weight: params[2 * l], bias: params[2 * l + 1]).silu() }
        return Variable.linear(h, weight: params[6], bias: params[7])  // (B, 2)
    }
}

// MARK: - Training with each target, and with min-SNR-γ
//
// The same network, the same data and noise, four objectives: the three parameterisations with
// plain MSE, and ε with the min-SNR-5 weights derived above (as chapter 05's base model trains).
// Each loss is measured in its own target's units (min-SNR's is also scaled down by its factors,
// all ≤ 1), so the curves compare speed, not level; the samples below compare the models.
// The optimiser is AdamW (Loshchilov & Hutter 2019: Adam with decoupled weight decay, here none)
// with diffusers' cosine schedule: the learning rate rises linearly for 50 steps, then falls
// along half a cosine to 0 (TensorCore/Optimizers.swift).

struct Objective {
    let label: String
    let type: PredictionType
    let weighting: LossWeighting
}
let objectives = [
    Objective(label: "ε", type: .epsilon, weighting: .uniform),
    Objective(label: "v", type: .vPrediction, weighting: .uniform),
    Objective(label: "x0", type: .sample, weighting: .uniform),
    Objective(label: "ε, min-SNR-5", type: .epsilon, weighting: .minSNR(gamma: 5)),
]
let steps = options.quick ? 150 : 4000
let batch = 256
var curves: [String: [Double]] = [:]
var models: [String: MLP] = [:]
for objective in objectives {
    var rng = root.split("train")  // the same batches for every objective
    var initRNG = root.split("init")  // same initial weights for all
    let model = MLP(hidden: 128, rng: &initRNG)
    let opt = AdamW(model.params, learningRate: 2e-3, weightDecay: 0)
    var losses = [Double]()
    var progress = ProgressLine("training (\(objective.label))", total: steps)
    for step in 1...steps {
        let x = spiral(batch, rng: &rng)
        let noise = rng.normal([batch, 2])
        let t = (0..<batch).map { _ in rng.randint(1000) }
        let target = schedule.target(objective.type, x0: x, noise: noise, timesteps: t)
        let prediction = model(Variable(schedule.addNoise(x, noise: noise, timesteps: t)), t)
        let loss = objective.weighting.loss(
            prediction, Variable(target), timesteps: t, schedule: schedule, predictionType: objective.type)
        loss.backward()
        // 0-based
        opt.learningRate = 2e-3 * LRSchedule.cosine.factor(step: step - 1, warmupSteps: 50, totalSteps: steps)
        opt.update()
        for p in model.params { p.zeroGrad() }
        losses.append(Double(loss.value.scalars[0]))
        progress.update(step, String(format: "loss %.4f", losses.last!))
    }
    curves[objective.label] = losses
    models[objective.label] = model
}
func smooth(_ v: [Double], _ k: Int) -> [Double] {
    (0..<v.count).map { i in
        let lo = max(0, i - k + 1)
        return v[lo...i].reduce(0, +) / Double(i - lo + 1)
    }
}
let smoothedLosses = objectives.flatMap { smooth(curves[$0.label]!, 50) }
let units: [String: String] = [
    "ε": "ε units", "v": "v units", "x0": "x0 units", "ε, min-SNR-5": "ε units × min-SNR factor",
]
try figures.lines(
    "loss-curves", objectives.map { Series("\($0.label) (\(units[$0.label]!))", y: smooth(curves[$0.label]!, 50)) },
    style: PlotStyle(
        title: "Training loss, each in its own target's units (running mean of 50 steps)", xlabel: "step",
        ylabel: "loss",
        extra: ["set key top right inside", String(format: "set yrange [0:%.2g]", smoothedLosses.max()! * 1.15)]))

// MARK: - Sampling with DDIM, and a check that the samples lie on the spiral

let n = options.quick ? 300 : 2000
var sampleRNG = root.split("sample")
let start = sampleRNG.normal([n, 2])
var data = root.split("reference data")
let reference = spiral(n, rng: &data)
let dataSeries = Series(
    "data", x: stride(from: 0, to: 2 * n, by: 2).map { Double(reference.scalars[$0]) },
    y: stride(from: 1, to: 2 * n, by: 2).map { Double(reference.scalars[$0]) },
    with: "points pt 7 ps 0.3 lc rgb 'gray75'")
var samplePanels: [(title: String, series: [Series])] = []
var trajectories = [dataSeries]
/// Mean distance from each point of `a` to its nearest point of `b`. Samples → data says whether
/// the samples lie on the spiral; data → samples whether they cover all of it (samples piled on
/// one arm score well on the first and badly on the second).
func nearestDistance(_ a: Tensor, _ b: Tensor) -> Double {
    var total = 0.0
    for i in 0..<a.shape[0] {
        var best = Float.infinity
        for j in 0..<b.shape[0] {
            let dx = a.scalars[2 * i] - b.scalars[2 * j]
            let dy = a.scalars[2 * i + 1] - b.scalars[2 * j + 1]
            best = min(best, dx * dx + dy * dy)
        }
        total += Double(best.squareRoot())
    }
    return total / Double(a.shape[0])
}
let noiseDistance = nearestDistance(start, reference)
let noiseCoverage = nearestDistance(reference, start)
print(
    String(
        format: "\nmean distance, samples → nearest data point and data → nearest sample: pure noise %.3f and %.3f",
        noiseDistance, noiseCoverage))
var sampleDistance: [String: Double] = [:]
var sampleCoverage: [String: Double] = [:]
for objective in objectives {
    let type = objective.type
    let label = objective.label
    // DDIM (Song et al. 2021; chapter 05 compares it with DDPM): at each of 50 timesteps
    // (999, 979, …, 19, "trailing" spacing) the model's output gives x̂_0 and ε̂ by the identities
    // above, and the next sample is α_prev·x̂_0 + σ_prev·ε̂ — no fresh noise (Sources/Diffusion/Samplers.swift).
    // x̂_0 = (x_t − σε̂)/α divides by α ≈ 5e-5 at t = 999: without diffusers' clip_sample an
    // ε-model's small error there is amplified 20 000-fold. v and x0 never divide by α.
    var ddim = DDIMScheduler(schedule: schedule, prediction: type, spacing: .trailing, clipSample: 2)
    ddim.setTimesteps(50)
    var x = start
    let shownPaths = 3
    var paths = [[Float]](repeating: [], count: shownPaths)
    Variable.withoutGradients {
        for t in ddim.timesteps {
            for p in 0..<shownPaths { paths[p] += [x.scalars[2 * p], x.scalars[2 * p + 1]] }
            x = ddim.step(models[label]!(Variable(x), [Int](repeating: t, count: n)).value, timestep: t, sample: x)
        }
    }
    // Two models' paths keep the figure readable: one colour per model, one dash pattern per path,
    // a point where each starts (pure noise) and a larger one where it ends.
    if objective.weighting == .uniform && type != .sample {
        let colour = type == .epsilon ? "#9400d3" : "#009e73"
        for p in 0..<shownPaths {
            paths[p] += [x.scalars[2 * p], x.scalars[2 * p + 1]]
            let xs = stride(from: 0, to: paths[p].count, by: 2).map { Double(paths[p][$0]) }
            let ys = stride(from: 1, to: paths[p].count, by: 2).map { Double(paths[p][$0]) }
            trajectories.append(
                Series("\(label), path \(p + 1)", x: xs, y: ys, with: "lines lw 2 dt \(p + 1) lc rgb '\(colour)'"))
            trajectories.append(
                Series(
                    p == 0 ? "\(label): start" : "", x: [xs.first!], y: [ys.first!],
                    with: "points pt 6 ps 1.5 lc rgb '\(colour)'"))
            trajectories.append(
                Series(
                    p == 0 ? "\(label): end" : "", x: [xs.last!], y: [ys.last!],
                    with: "points pt 7 ps 1.5 lc rgb '\(colour)'"))
        }
    }
    sampleDistance[label] = nearestDistance(x, reference)
    sampleCoverage[label] = nearestDistance(reference, x)
    let onBound = stride(from: 0, to: 2 * n, by: 2).filter { abs(x.scalars[$0]) >= 2 || abs(x.scalars[$0 + 1]) >= 2 }
        .count
    samplePanels.append(
        (
            String(
                format: "%@: samples → data %.3f, data → samples %.3f", label as NSString, sampleDistance[label]!,
                sampleCoverage[label]!),
            [
                dataSeries,
                Series(
                    "DDIM samples", x: stride(from: 0, to: 2 * n, by: 2).map { Double(x.scalars[$0]) },
                    y: stride(from: 1, to: 2 * n, by: 2).map { Double(x.scalars[$0]) },
                    with: "points pt 7 ps 0.3 lc rgb '#9400d3'"),
            ]
        ))
    print(
        String(
            format: "  %@, DDIM 50 steps: %.3f and %.3f", label as NSString, sampleDistance[label]!,
            sampleCoverage[label]!)
            + (onBound > 0 ? " (\(onBound) of \(n) samples on the clip bound ±2)" : ""))
}
// What the samples say. Every model lands far closer to the spiral than the noise it starts from,
// and none is perfect: samples stray between the arms, and x0's cover the inner arm thinly (its
// data → samples distance). min-SNR-5 strays most on this toy: its factors min(SNR, 5)/SNR are
// far below 1 at small t (SNR ≫ 5 there), the very steps that place a point precisely, so with
// 4,000 steps of a small MLP those steps stay under-trained. Hang et al. 2023 claim faster convergence for images,
// where ε's huge weights
// at high SNR pull against the rest of the schedule; chapter 05's base model trains with it for
// that reason, without a second base model trained to show it.
print(
    String(
        format: "  min-SNR-5 against plain ε: %.2f× the distance to the data",
        sampleDistance["ε, min-SNR-5"]! / sampleDistance["ε"]!))
try figures.scatterPanels(
    "samples", samplePanels, columns: 2,
    style: PlotStyle(
        title: "Spiral data (grey) and \(n) DDIM samples of each objective", xlabel: "x", ylabel: "y", width: 1000,
        height: 1000,
        extra: ["set size ratio -1", "set xrange [-2.1:2.1]", "set yrange [-2.1:2.1]"]))
try figures.lines(
    "trajectories", trajectories,
    style: PlotStyle(
        title: "Reverse trajectories of ε and v from the same noise: start (open) → end (filled) on the data",
        xlabel: "x", ylabel: "y",
        width: 800, height: 760,
        extra: ["set size ratio -1", "set key below", "set xrange [-2.5:2.5]", "set yrange [-2.5:2.5]"]))
// The check: each model's samples lie closer to the data than half the noise's distance does
// (three quarters under --quick, whose 150 steps train the models only roughly).
let fraction = options.quick ? 0.75 : 0.5
let onTheSpiral = objectives.allSatisfy { sampleDistance[$0.label]! < fraction * noiseDistance }
print(
    String(
        format: onTheSpiral
            ? "  ✓ every model's samples lie closer to the spiral than %.2f × the noise's distance"
            : "  ✗ a model's samples are not closer to the spiral than %.2f × the noise's distance", fraction))
print(String(format: "\nwrote figures to %@ in %.1f s", options.outputDirectory, Date().timeIntervalSince(started)))
if !identitiesHold || !capHolds || !onTheSpiral { exit(1) }
