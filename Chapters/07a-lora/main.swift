// Chapter 07a (a side quest) — DreamBooth with LoRA: train a few hundred kilobytes, not the model
//
// What it builds: the way most people run DreamBooth today (diffusers' train_dreambooth_lora.py).
// The base UNet stays frozen; each attention projection W (to_q, to_k, to_v, to_out.0) gets a
// trained low-rank update, W + (α/r)·B·A with A (r × in) and B (out × r), B starting at zero so
// that step 0 is the base model (Sources/Models/LoRA.swift). The result is a small file that
// diffusers' load_lora_weights reads, and several subjects can share one base.
// Measured here against full DreamBooth on the same subject with the same trainer defaults:
// rank against subject fidelity and drift, file size and time per step; then two subjects'
// adapters on one base.
// Paper: Hu et al. 2021 (LoRA); DreamBooth §3.3 for the objective, unchanged.
// Run:   make chapter N=07a       (or .build/release/chapter07a [--quick] [--seed N] [--out DIR])
//        Four LoRA runs of a few minutes each the first time, cached in .experiments/.
// Writes: Figures/07a-lora/ — rank-sweep, rank-table, two-subjects.

import ChapterSupport
import DreamBooth
import Evaluation
import Experiments
import Foundation
import ImageIO
import Models
import Plotting
import Pretraining
import TensorCore
import ToyWorld

let options = ChapterOptions(
    chapter: "07a-lora", title: "DreamBooth with LoRA",
    summary: "DreamBooth with LoRA: rank against fidelity, drift, size and time; two subjects on one base")
let figures = FigureWriter(directory: options.outputDirectory)
let study = Study.forChapter("07a", quick: options.quick, quickWork: options.path("work"))
let check = ChapterChecks(chapter: "07a")
func f3(_ x: Double) -> String { x.isNaN ? "–" : String(format: "%.3f", x) }

// MARK: - 1. Step 0 is the base model
//
// With B = 0 the update (α/r)·B·A is zero, so attaching adapters changes nothing until the first
// optimizer step. Checked on one input, bit for bit.
let base = try TextToImagePipeline(folder: "Checkpoints/base")
var rng = RNG(seed: 5)
let side = base.unet.config.sampleSize
let x = rng.normal([1, base.unet.config.inChannels, side, side])  // a latent (or, on a pixel base, an image)
let context = Variable.withoutGradients { base.textEncoder(base.tokenizer(["a sks ball"])).lastHiddenState }
let before = Variable.withoutGradients { base.unet(Variable(x), timesteps: [500], encoderHiddenStates: context).value }
let probe = LoRASet(
    base.unet.store, component: "unet", targets: LoRAConfig.unetTargets, config: LoRAConfig(rank: 4), seed: 1)
let after = Variable.withoutGradients { base.unet(Variable(x), timesteps: [500], encoderHiddenStates: context).value }
check(
    before.scalars == after.scalars,
    "rank-4 adapters on \(probe.layers.count) projections leave the output unchanged at step 0")
let full = base.unet.store.count
print(
    String(
        format: "  trained parameters: LoRA rank 4 %d (%.1f %% of the UNet's %d)", probe.parameterCount,
        100 * Double(probe.parameterCount) / Double(full), full))

// MARK: - 2. Time per step and training state, LoRA against full fine-tuning
//
// The frozen weights need no gradient buffer and no AdamW moments: the training state is three
// floats per *trained* parameter. The backward pass still runs through the network (the input
// gradient must reach every adapter), but skips every frozen weight's gradient and the layers
// before the first adapter.
func timePerStep(rank: Int?, steps: Int) throws -> Double {
    let runs = study.runner.work + "/timing"  // scratch runs, not figures
    let instances = try study.runner.instanceFolder(Subject.all[0], count: 4, resolution: 32)
    var c = TrainConfig()
    c.instanceDataDir = instances
    c.instancePrompt = "a sks ball"
    c.outputDir = runs + "/\(rank.map { "r\($0)" } ?? "full")"
    c.maxTrainSteps = steps
    c.checkpointingSteps = 1_000_000
    c.rank = rank
    c.seed = 1
    try? FileManager.default.removeItem(atPath: c.outputDir)
    let r = try DreamBoothTrainer.run(c, log: { _ in })
    return r.seconds / Double(steps)
}
let timingSteps = options.quick ? 2 : 20
let fullStep = try timePerStep(rank: nil, steps: timingSteps)
let loraStep = try timePerStep(rank: 4, steps: timingSteps)
let state = { (n: Int) in Double(3 * n * 4) / 1_048_576 }
print(
    String(
        format:
            "\nPer step (batch 4, no prior, %d steps each, this machine): full %.0f ms, LoRA rank 4 %.0f ms (%.2f×)",
        timingSteps, 1000 * fullStep, 1000 * loraStep, loraStep / fullStep))
print(
    String(
        format: "Training state (gradients + AdamW m, v): full %.1f MB, LoRA rank 4 %.2f MB", state(full),
        state(probe.parameterCount)))

// MARK: - 3. Rank against fidelity, drift and size
let ranks = options.quick ? [1, 4] : [1, 4, 16]
let lora = try ranks.map { r -> StudyResult in
    var s = RunSpec()
    s.rank = r
    return try study.result(s)
}
let dreambooth = try study.result(RunSpec())
var lines = [
    "| run | trained parameters | file | DINO | CLIP-I | look kept | context | PRES | drift | train s |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
func fileSize(_ spec: RunSpec) -> Int {
    let dir = study.runner.directory(spec)
    let file = spec.rank == nil ? dir + "/unet/diffusion_pytorch_model.safetensors" : dir + "/" + LoRAWeights.fileName
    return ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
}
for r in lora + [dreambooth] {
    let m = r.metrics
    let params =
        r.spec.rank.map { rank in
            probe.layers.reduce(0) { $0 + rank * ($1.adapter.down.shape[1] + $1.adapter.up.shape[0]) }
        } ?? full
    lines.append(
        "| \(r.spec.rank.map { "LoRA rank \($0)" } ?? "full DreamBooth") | \(params) | \(fileSize(r.spec) / 1024) KB "
            + "| \(f3(m.dino)) | \(f3(m.clipI)) | \(f3(m.lookKept)) | \(f3(m.contextMatch)) | \(f3(m.pres)) | "
            + "\(f3(m.drift)) | \(Int(r.record.seconds)) |"
    )
}
print("\n" + lines.joined(separator: "\n"))
let loraLook = lora.map(\.metrics.lookKept)
try figures.textTable(
    "rank-table", lines: lines,
    title: String(
        format: "LoRA rank against full DreamBooth, split-ball: look kept %.2f–%.2f with LoRA, %.2f in full",
        loraLook.min()!, loraLook.max()!, dreambooth.metrics.lookKept))
try figures.lines(
    "rank-sweep",
    [
        Series("look kept (LoRA)", x: ranks.map(Double.init), y: lora.map(\.metrics.lookKept)),
        Series("DINO (LoRA)", x: ranks.map(Double.init), y: lora.map(\.metrics.dino)),
        Series("context as asked (LoRA)", x: ranks.map(Double.init), y: lora.map(\.metrics.contextMatch)),
        Series("PRES (LoRA)", x: ranks.map(Double.init), y: lora.map(\.metrics.pres)),
        Series(
            "look kept, full DreamBooth (reference)", x: ranks.map(Double.init),
            y: ranks.map { _ in dreambooth.metrics.lookKept }, with: "lines dt 2 lw 1.5 lc rgb 'gray40'"),
    ],
    style: PlotStyle(
        title: String(
            format: "LoRA ranks %d–%d keep the context but not the look (%.2f–%.2f against %.2f in full)", ranks.first!,
            ranks.last!,
            loraLook.min()!, loraLook.max()!, dreambooth.metrics.lookKept), xlabel: "rank r", ylabel: "score",
        logX: true,
        extra: [
            "set key below", "set yrange [-0.1:1.05]", "set format x '%g'",
            "set xtics (\(ranks.map(String.init).joined(separator: ", ")))",
            "set xrange [\(Double(ranks.first!) * 0.8):\(Double(ranks.last!) * 1.25)]",
            String(
                format: "set label 'full DreamBooth: look kept %.2f' at graph 0.02, first %.3f tc rgb 'gray30'",
                dreambooth.metrics.lookKept, dreambooth.metrics.lookKept + 0.04),
        ]), points: true)

// MARK: - 4. Two subjects, one base
//
// Each subject's adapters were trained alone, against the same frozen base. Applied together
// (both sets of B·A added to the same projections) the prompts still pick their subject — or they
// interfere; the look judge of each subject says which.
// Both use the identifier "sks", so neither trains its embedding (pivotal tuning, LoRA's default): one
// token has one row, which two subjects cannot share.
var teal = RunSpec()
teal.subject = "teal-cup"
teal.rank = 4
teal.pivotalTuning = false
var ball = RunSpec()
ball.rank = 4
ball.pivotalTuning = false
// Both trained (the split-ball one differs from the rank sweep's by its pivotal tuning).
_ = try study.result(teal)
_ = try study.result(ball)
let both = try TextToImagePipeline(folder: "Checkpoints/base")
// Two adapters on one layer: the sum of both updates. LoRAWeights.apply replaces a slot's adapter,
// so the second file's A and B are concatenated onto the first's (rank 4 + 4 = 8): B₁A₁ + B₂A₂ = [B₁ B₂]·[A₁; A₂].
/// [s₁·B₁ | s₂·B₂]: two (out × r) matrices side by side, each scaled (a convolution's B, (out, r, 1, 1),
/// the same way, keeping its shape).
func sideBySide(_ b1: Tensor, _ s1: Float, _ b2: Tensor, _ s2: Float) -> Tensor {
    let out = b1.shape[0]
    let r1 = b1.shape[1]
    let r2 = b2.shape[1]
    var v = [Float](repeating: 0, count: out * (r1 + r2))
    for i in 0..<out {
        for j in 0..<r1 { v[i * (r1 + r2) + j] = s1 * b1.scalars[i * r1 + j] }
        for j in 0..<r2 { v[i * (r1 + r2) + r1 + j] = s2 * b2.scalars[i * r2 + j] }
    }
    return Tensor(shape: [out, r1 + r2] + b1.shape.dropFirst(2), scalars: v)
}
for spec in [ball, teal] {
    let file = study.runner.directory(spec) + "/" + LoRAWeights.fileName
    let single = try TextToImagePipeline(folder: "Checkpoints/base")
    try LoRAWeights.apply(file, unet: single.unet.store, textEncoder: nil)
    let mine = Dictionary(uniqueKeysWithValues: both.unet.store.adapterSlots.map { ($0.name, $0.slot) })
    for (name, slot) in single.unet.store.adapterSlots {
        guard let add = slot.lora, let target = mine[name] else { continue }
        if let have = target.lora {
            let down = Tensor.concatenate([have.down.value, add.down.value])  // (r1 + r2, in[, k, k])
            target.lora = LoRAAdapter(
                down: Variable(down), up: Variable(sideBySide(have.up.value, have.scale, add.up.value, add.scale)),
                scale: 1)
        } else {
            target.lora = add
        }
    }
}
let n = options.quick ? 2 : 8
var images: [Tensor] = []
var titles: [String] = []
var shares: [String] = []
for (subject, prompt) in [(Subject.all[0], "a sks ball in snow"), (Subject.all[1], "a sks cup on grass")] {
    let samples = both.images(
        [String](repeating: prompt, count: n), steps: study.evaluator.steps, guidance: study.evaluator.guidance,
        sampler: study.evaluator.sampler, seed: 31)
    let batch = World.batchTensor(samples)
    let kept = study.evaluator.lookJudge(subject).isSubject(
        images: batch, embeddings: study.judges.dino.embed(batch)
    ).filter { $0 }.count
    shares.append(String(format: "\"%@\": %d of %d samples show the %@", prompt, kept, n, subject.name))
    images += samples.prefix(6)
    titles += samples.prefix(6).indices.map { $0 == 0 ? prompt : "" }
}
print("\nBoth subjects' adapters on one base (both identifiers are \"sks\"; only the class noun tells them apart):")
shares.forEach { print("  " + $0) }
try figures.imageGrid(
    "two-subjects", enlarged(images), titles: titles, columns: 6,
    title: "Split-ball and teal-cup adapters added to the same base: does each prompt get its subject?", cellSize: 150)
check.finish()
