// Chapter 01 — Forward diffusion
//
// What it builds: the noise schedules of diffusers (linear, scaled-linear, cosine), the
// cumulative signal level ᾱ_t and the signal-to-noise ratio, and the forward process that turns
// an image into noise — in closed form and step by step, checked to agree.
// Paper: DreamBooth §3.1 ("text-to-image diffusion models"): a diffusion model is trained to undo
// x_t = α_t·x + σ_t·ε; Ho et al. 2020, Eq. 2 and 4, give the process and its closed form.
// Run:   make chapter N=01        (or .build/release/chapter01 [--quick] [--seed N] [--out DIR])
// Writes: Figures/01-forward-diffusion/ — schedules, scales, closed-vs-stepwise histogram,
//         and noise-strip.png, a drawn image at t = 0, 10, 25, 50, …, 400 and 999.

import ChapterSupport
import Diffusion
import Foundation
import ImageIO
import Plotting
import TensorCore
import ToyWorld

let options = ChapterOptions(chapter: "01-forward-diffusion", summary: "noise schedules and the forward process")
let figures = FigureWriter(directory: options.outputDirectory)
var rng = RNG(seed: options.seed)
let started = Date()

// MARK: - The math
//
// Notation, one meaning per symbol (the DreamBooth paper's): x the clean image; t = 0, 1, …, T − 1
// (0-indexed, as diffusers counts; T = 1000); x_t the image after steps 0…t, so even x_0 has had
// one step of noise; β_t the variance of the noise added at step t; ᾱ_t the signal variance left
// after steps 0…t; and the two scales α_t = √ᾱ_t (signal) and σ_t = √(1 − ᾱ_t) (noise). DDPM's
// paper calls 1 − β_t "α_t" (and diffusers' code `alphas`); here that term is always written 1 − β_t.
//
// A diffusion model destroys data in T small Gaussian steps and learns to reverse them. Step t
// keeps √(1 − β_t) of the signal and adds noise of variance β_t:
//     q(x_t | x_{t−1}) = N(√(1 − β_t) · x_{t−1}, β_t · I),   with x_{−1} = x.
// Composing Gaussians gives every step in closed form. With ᾱ_t = Π_{s≤t} (1 − β_s),
//     q(x_t | x) = N(√ᾱ_t · x, (1 − ᾱ_t) · I),  i.e.  x_t = α_t · x + σ_t · ε.
// (Induction. t = 0: x_0 = √(1 − β_0) x + √β_0 ε, and ᾱ_0 = 1 − β_0. Step: if x_{t−1} = √ᾱ_{t−1} x +
// √(1 − ᾱ_{t−1}) ε′, then x_t = √(1 − β_t) x_{t−1} + √β_t ε″ has mean √ᾱ_t x and variance
// (1 − β_t)(1 − ᾱ_{t−1}) + β_t = 1 − ᾱ_t.)
// α_t² + σ_t² = 1, so the total variance stays 1 for unit-variance data: the process is
// "variance preserving". SNR(t) = α_t² / σ_t² = ᾱ_t / (1 − ᾱ_t) measures how much signal is left.

// MARK: - The schedules

let schedules = BetaSchedule.allCases.map { ($0, NoiseSchedule($0)) }
// Zero terminal SNR (Lin et al. 2023) rescales a schedule so that ᾱ_{T−1} = 0 exactly: compared
// with the schedule it rescales, on the same β range (Stable Diffusion's scaled linear, 0.00085 to 0.012).
let stableDiffusion = NoiseSchedule(.scaledLinear, betaStart: 0.00085, betaEnd: 0.012)
let zeroSNR = NoiseSchedule(.scaledLinear, betaStart: 0.00085, betaEnd: 0.012, rescaleZeroTerminalSNR: true)
let T = 1000
let steps = (0..<T).map(Double.init)
let names: [BetaSchedule: String] = [
    .linear: "linear (1e-4–0.02)", .scaledLinear: "scaled linear (1e-4–0.02)", .cosine: "cosine (squaredcos_cap_v2)",
]

print("Chapter 01 — forward diffusion\n")
print("schedule                      β_0        β_999     ᾱ_999       log SNR(0)  log SNR(999)")
for (kind, s) in schedules {
    print(
        names[kind]!.padding(toLength: 28, withPad: " ", startingAt: 0)
            + String(
                format: " %9.2e  %9.2e  %9.2e  %8.2f   %8.2f", s.betas[0], s.betas[T - 1],
                s.alphasCumprod[T - 1], log(s.snr(0)), log(s.snr(T - 1))))
}
print(
    "SD scaled linear (0.00085…)  "
        + String(
            format: "%9.2e  %9.2e  %9.2e  %8.2f   %8.2f", stableDiffusion.betas[0], stableDiffusion.betas[T - 1],
            stableDiffusion.alphasCumprod[T - 1], log(stableDiffusion.snr(0)), log(stableDiffusion.snr(T - 1))))
print(
    "  the same, zero terminal SNR "
        + String(
            format: "%9.2e  %9.2e  %9.2e  %8.2f       −∞", zeroSNR.betas[0],
            zeroSNR.betas[T - 1], zeroSNR.alphasCumprod[T - 1], log(zeroSNR.snr(0))))

try figures.lines(
    "betas", schedules.map { Series(names[$0.0]!, x: steps, y: $0.1.betas.map(Double.init)) },
    style: PlotStyle(
        title: "β_t: the cosine schedule adds little noise early and much at the end", xlabel: "t (0-indexed)",
        ylabel: "β_t",
        logY: true, extra: ["set key top left inside", "set format y '%.0e'"]))
try figures.lines(
    "alpha-bar",
    schedules.map { Series(names[$0.0]!, x: steps, y: $0.1.alphasCumprod.map(Double.init)) }
        + [
            Series("SD scaled linear (0.00085–0.012)", x: steps, y: stableDiffusion.alphasCumprod.map(Double.init)),
            Series("the same, zero terminal SNR", x: steps, y: zeroSNR.alphasCumprod.map(Double.init)),
        ],
    style: PlotStyle(
        title: "ᾱ_t: signal variance left after steps 0…t", xlabel: "t (0-indexed)", ylabel: "ᾱ_t",
        extra: ["set key top right inside"]))
// log SNR(T−1) of the zero-SNR schedule is −∞: its last step is left out of this plot.
try figures.lines(
    "log-snr",
    schedules.map { s in Series(names[s.0]!, x: steps, y: (0..<T).map { log(s.1.snr($0)) }) }
        + [
            Series("SD scaled linear (0.00085–0.012)", x: steps, y: (0..<T).map { log(stableDiffusion.snr($0)) }),
            Series(
                "the same, zero terminal SNR (t < 999)", x: Array(steps.dropLast()),
                y: (0..<(T - 1)).map { log(zeroSNR.snr($0)) }),
        ],
    style: PlotStyle(
        title: "log SNR(t): zero terminal SNR lowers it a little everywhere and sharply in the last steps",
        xlabel: "t (0-indexed)", ylabel: "log SNR",
        extra: ["set key bottom left inside"]))
let cosine = NoiseSchedule(.cosine)
let linear = NoiseSchedule(.linear)
try figures.lines(
    "scales",
    [
        Series("α_t, signal (linear)", x: steps, y: linear.alphasCumprod.map { Double($0).squareRoot() }),
        Series("σ_t, noise (linear)", x: steps, y: linear.alphasCumprod.map { (1 - Double($0)).squareRoot() }),
        Series("α_t, signal (cosine)", x: steps, y: cosine.alphasCumprod.map { Double($0).squareRoot() }),
        Series("σ_t, noise (cosine)", x: steps, y: cosine.alphasCumprod.map { (1 - Double($0)).squareRoot() }),
    ],
    style: PlotStyle(
        title: "signal scale α_t = √ᾱ_t and noise scale σ_t = √(1−ᾱ_t): they cross at 1/√2, where SNR = 1",
        xlabel: "t (0-indexed)", ylabel: "scale",
        extra: [
            "set key center right inside",
            "set arrow from graph 0, first 0.7071 to graph 1, first 0.7071 nohead dt 2 lc rgb 'gray40'",
            "set label 'α_t = σ_t = 1/√2 (SNR = 1)' at graph 0.66, first 0.675 tc rgb 'gray40'",
        ]))

// MARK: - Check: the closed form equals the step-by-step process
//
// Start many copies of one clean pixel value x, push them through q(x_t | x_{t−1}) one step at a
// time (steps 0…300, that is 301 steps), and compare the distribution of x_300 with N(√ᾱ_300 x, 1 − ᾱ_300).

let copies = options.quick ? 4000 : 50_000
let x: Float = 0.7
let checkT = 300
var walk = [Float](repeating: x, count: copies)
var stepRNG = rng.split("stepwise")
for t in 0...checkT {
    let keep = (1 - linear.betas[t]).squareRoot()
    let noise = linear.betas[t].squareRoot()
    for i in walk.indices { walk[i] = keep * walk[i] + noise * stepRNG.normal() }
}
var closedRNG = rng.split("closed")
let (a, s) = linear.signalAndNoiseScale(checkT)
let closed = (0..<copies).map { _ in a * x + s * closedRNG.normal() }
func meanStd(_ v: [Float]) -> (Double, Double) {
    let m = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
    return (m, (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot())
}
let (mw, sw) = meanStd(walk)
let (mc, sc) = meanStd(closed)
print(String(format: "\nx = %.1f, t = %d, %d copies (linear schedule):", x, checkT, copies))
print(String(format: "  theory      mean %.4f  std %.4f", Double(a * x), Double(s)))
print(String(format: "  closed form mean %.4f  std %.4f", mc, sc))
let standardError = Double(s) / Double(copies).squareRoot()
print(String(format: "  step by step mean %.4f  std %.4f   (standard error of the mean ≈ %.4f)", mw, sw, standardError))
// Pass when both routes land within 4 standard errors of the theory: for the mean σ/√N, for the
// std (relative) 1/√(2N), the standard error of a Gaussian sample's standard deviation.
let stdTolerance = 4 / Double(2 * copies).squareRoot()
let agrees =
    abs(mw - Double(a * x)) < 4 * standardError && abs(mc - Double(a * x)) < 4 * standardError
    && abs(sw / Double(s) - 1) < stdTolerance && abs(sc / Double(s) - 1) < stdTolerance
print(
    agrees
        ? "  ✓ closed form and step by step agree with the theory"
        : "  ✗ closed form and step by step disagree with the theory")
try figures.histogram(
    "closed-vs-stepwise",
    [("step by step (\(checkT + 1) steps)", walk.map(Double.init)), ("closed form", closed.map(Double.init))],
    bins: 60,
    style: PlotStyle(
        title: "x_\(checkT) from x = 0.7: \(checkT + 1) steps one at a time, or one jump", xlabel: "x_\(checkT)",
        ylabel: "density",
        extra: ["set key top right inside"]))

// MARK: - A noise strip
//
// The same process on a picture. Pixels are mapped from [0, 1] to [−1, 1] (as diffusers' training
// scripts normalise images), noised, and mapped back for display.

let picture = drawBallOnGrass(size: 32)
// Steps spaced where the picture changes (past t ≈ 400 the eye sees none of it, though α_400 ≈ 0.44
// of the signal is still there), and the last step for the end.
let stripSteps = [0, 10, 25, 50, 75, 100, 150, 200, 250, 300, 400, 999]
var noiseRNG = rng.split("noise")
let noise = noiseRNG.normal([1, 3, 32, 32])
let scaled = (picture * 2 + -1).reshaped([1, 3, 32, 32])
let frames = stripSteps.map { t in
    (linear.addNoise(scaled, noise: noise, timesteps: [t]).reshaped([3, 32, 32]) + 1) * 0.5
}
try PNG.write(picture, to: options.path("sample.png"))
try PNG.write(ImageOps.grid(frames, rows: 1, columns: frames.count, gap: 2), to: options.path("noise-strip.png"))
try figures.imageGrid(
    "noise-strip-figure", frames.map { ImageOps.upscaled($0, by: 4) },
    titles: stripSteps.map { String(format: "t = %d, SNR %.2g", $0, linear.snr($0)) }, columns: 6,
    title: String(
        format: "x_t = α_t x + σ_t ε, linear schedule: the eye loses the picture by t ≈ 400 (α_400 = %.2f still)",
        Double(linear.signalAndNoiseScale(400).0)), cellSize: 150)

print(
    String(
        format: "\nwrote figures and samples to %@ in %.1f s", options.outputDirectory,
        Date().timeIntervalSince(started)))
if !agrees { exit(1) }
