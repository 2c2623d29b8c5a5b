// Chapter 03 — The UNet
//
// What it builds: diffusers' UNet2DConditionModel, the network ε_θ(x_t, t, c) of the DreamBooth
// paper, piece by piece in the order data flows through it — time embedding, ResNet block,
// attention, down path, middle, up path — each piece checked against diffusers' own activations.
// Paper: DreamBooth §3.1 (the text-conditioned denoiser x̂_θ(α_t x + σ_t ε, c)); Ronneberger et al.
// 2015 for the UNet; Rombach et al. 2022 for cross-attention on text; Ho et al. 2020 for the
// time embedding. The code lives in Sources/Models (UNetBlocks.swift, UNet2DConditionModel.swift).
// Run:   make chapter N=03        (or .build/release/chapter03 [--quick] [--seed N] [--out DIR])
// Writes: Figures/03-unet/ — time-embedding, parameters, time-per-op, activation-stats, parity.

import ChapterSupport
import Diffusion
import Foundation
import Models
import Plotting
import TensorCore

let options = ChapterOptions(chapter: "03-unet", summary: "the UNet, piece by piece, checked against diffusers")
let figures = FigureWriter(directory: options.outputDirectory)
print("Chapter 03 — the UNet\n")

// The reference: a small UNet saved by diffusers (`save_pretrained`) and its activations on one
// input, computed by diffusers in float64 (Tests/Fixtures/reference/README.md).
let reference = "Tests/Fixtures/reference"
let model: UNet2DConditionModel, io: SafeTensorsFile
do {
    model = try UNet2DConditionModel(folder: reference + "/unet")
    io = try SafeTensorsFile(path: reference + "/unet_io.safetensors")
} catch { print("chapter 03 reads the reference folder \(reference) (run from the repository root): \(error)"); exit(1) }
let cfg = model.config
var parity: [(String, Double)] = []
func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count + 1), withPad: " ", startingAt: 0) }
func check(_ name: String, _ mine: Variable, _ refName: String) {
    let ref = try! io.tensor(refName)
    let num = (mine.value - ref).norm(), den = ref.norm()
    parity.append((name, num / den))
    print("  " + pad(name, 16) + pad(shapeString(mine.shape), 18) + String(format: "‖Δ‖/‖ref‖ = %.1e  ", num / den)
          + (num / den <= 1e-4 ? "✓" : "✗ (tolerance 1e-4)"))
}
print("configuration: channels \(cfg.blockOutChannels), \(cfg.layersPerBlock) ResNet blocks per level, heads \(cfg.attentionHeads), groups \(cfg.normNumGroups)")
print("               down \(cfg.downBlockTypes), up \(cfg.upBlockTypes)\n")

let sample = Variable(try io.tensor("sample"))                          // (B, 3, H, W)
let context = Variable(try io.tensor("encoder_hidden_states"))          // (B, S, D): the text
let timesteps = try io.tensor("timesteps").scalars                      // one t per image

// MARK: - 1. Time embedding
//
// t enters as sinusoids of geometrically spaced frequencies (Vaswani et al. 2017; diffusers'
// get_timestep_embedding): emb_i = cos(t·ω_i) ‖ sin(t·ω_i), ω_i = 10000^(−i/half). An MLP
// (linear → SiLU → linear, width 4·C₀) turns it into the vector every ResNet block adds to its
// feature maps, so each layer knows how noisy its input is.

let temb = model.timeEmbedding(timesteps)
print("1. time embedding")
check("time_embedding", temb, "act.time_embedding")
let tGrid = options.quick ? Array(stride(from: 0, to: 1000, by: 50)) : Array(stride(from: 0, to: 1000, by: 10))
let features = timestepEmbedding(tGrid.map(Float.init), dim: cfg.blockOutChannels[0], flipSinToCos: cfg.flipSinToCos, downscaleFreqShift: Float(cfg.freqShift)).scalars
try figures.heatmap("time-embedding", (0..<tGrid.count).map { r in (0..<cfg.blockOutChannels[0]).map { Double(features[r * cfg.blockOutChannels[0] + $0]) } },
                    style: PlotStyle(title: "Sinusoidal timestep features: fast frequencies on the left, slow on the right (cos half, then sin)",
                                     xlabel: "feature (0–15 cos, 16–31 sin)", ylabel: "timestep t (one row every \(tGrid[1] - tGrid[0]))",
                                     extra: ["set ytics (\((0..<tGrid.count).filter { $0 % (tGrid.count / 5) == 0 }.map { "\"\(tGrid[$0])\" \($0)" }.joined(separator: ", ")))"]))

// MARK: - 2. conv_in and the first ResNet block
//
// A ResNet block (He et al. 2016, as diffusers' ResnetBlock2D): GroupNorm → SiLU → 3×3 conv, then
// the time embedding projected to C channels and added at every pixel, GroupNorm → SiLU → 3×3 conv,
// and the input added back (through a 1×1 conv when the channel count changes).

// From here the chapter runs the UNet's readable twin (Sources/Models/UNetReadable.swift), one
// primitive per line, and checks each stage against diffusers; section 9 holds the fused fast
// path to it. The ResNet block, as Readable.resnet writes it:
//     h = conv1(SiLU(GroupNorm(x)));  h = h + time_emb_proj(SiLU(temb))[:, :, None, None]
//     h = conv2(SiLU(GroupNorm(h)));  return h + (conv_shortcut(x) or x)

print("\n2. conv_in (its ResNet blocks run inside down_blocks.0, next)")
var h = Variable.conv2d(sample, weight: model.convIn.weight, bias: model.convIn.bias, padding: 1)   // (B, C₀, H, W)
check("conv_in", h, "act.conv_in")
var skips = [h]
let firstBlock = Readable.resnet(model.downs[0].resnets[0], h, temb), firstFused = model.downs[0].resnets[0](h, temb)
print(String(format: "  the first ResNet block alone, readable against fused: max |Δ| = %.1e", (firstBlock.value - firstFused.value).maxAbs()))

// MARK: - 3. The down path, with attention from the second level on
//
// Each level runs its ResNet blocks; CrossAttnDownBlock2D follows each by a transformer
// (Transformer2DModel): GroupNorm → 1×1 conv → on the H·W positions as tokens, self-attention,
// then cross-attention whose keys and values come from the text (this is where the prompt, and later
// DreamBooth's identifier, steers the image), then a GEGLU feed-forward → 1×1 conv, added back.
// Every intermediate map is kept as a skip; a stride-2 conv halves the resolution between levels.

// The transformer, as Readable.transformer and Readable.attention write it:
//     tokens = proj_in(GroupNorm(x)) as (B, H·W, C)
//     tokens += to_out(softmax(q·kᵀ/√d)·v)  with q, k, v from tokens        (self-attention)
//     tokens += to_out(softmax(q·kᵀ/√d)·v)  with k, v from the text          (cross-attention)
//     tokens += ff.net.2(a · GELU(g)) where (a, g) = ff.net.0.proj(LayerNorm(tokens))
//     return proj_out(tokens as (B, C, H, W)) + x

print("\n3. down path")
for (i, block) in model.downs.enumerated() {
    for (j, r) in block.resnets.enumerated() {
        h = Readable.resnet(r, h, temb)
        if !block.attentions.isEmpty { h = Readable.transformer(block.attentions[j], h, context: context) }
        skips.append(h)
    }
    if let d = block.downsample { h = Variable.conv2d(h, weight: d.weight, bias: d.bias, stride: 2, padding: 1); skips.append(h) }
    check("down_blocks.\(i)", h, "act.down_blocks.\(i)")
}

// MARK: - 4. The middle: ResNet → transformer → ResNet at the lowest resolution

print("\n4. middle")
h = Readable.resnet(model.midResnet2, Readable.transformer(model.midAttention, Readable.resnet(model.midResnet1, h, temb), context: context), temb)
check("mid_block", h, "act.mid_block")

// MARK: - 5. The up path and the output
//
// Each up level has one more ResNet block than the down level; every block first concatenates, on
// channels, the latest unused skip — so fine detail from the down path reaches the output — and a
// nearest-neighbour 2× upsampling plus 3×3 conv restores the resolution. GroupNorm → SiLU → conv_out
// maps back to image channels: the predicted noise.

print("\n5. up path and output (skips left: \(skips.count))")
for (i, block) in model.ups.enumerated() {
    for (j, r) in block.resnets.enumerated() {
        h = Readable.resnet(r, Variable.concat([h, skips.removeLast()], axis: 1), temb)
        if !block.attentions.isEmpty { h = Readable.transformer(block.attentions[j], h, context: context) }
    }
    if let u = block.upsample { h = Variable.conv2d(h.upsampleNearest2x(), weight: u.weight, bias: u.bias, padding: 1) }
    check("up_blocks.\(i)", h, "act.up_blocks.\(i)")
}
let n = model.normOut
let output = Variable.conv2d(h.groupNorm(groups: n.groups, weight: n.weight, bias: n.bias, eps: n.eps).silu(), weight: model.convOut.weight, bias: model.convOut.bias, padding: 1)
check("output", output, "output")
check("output (fast)", Variable.withoutGradients { model(sample, timesteps: timesteps, encoderHiddenStates: context) }, "output")

// MARK: - 6. Gradients, checked too
//
// Training needs ∂loss/∂θ for every parameter. The reference holds diffusers' gradients of
// mean((output − target)²); ours come from the tape (TensorCore/Variable.swift).

let loss = Variable.mse(output, Variable(try io.tensor("target")))
loss.backward()
let gradNames = model.store.names
let G = try gradNames.map { try io.tensor("grad." + $0).norm() }.max() ?? 1
var worst = (ratio: 0.0, name: "")
var blockGradError: [String: Double] = [:]
for name in gradNames {
    let ref = try io.tensor("grad." + name), mine = gradOrZeros(model.store.byName[name]!)
    let ratio = (mine - ref).norm() / (1e-3 * ref.norm() + 1e-7 * G)
    if ratio > worst.ratio { worst = (ratio, name) }
    let block = name.split(separator: ".").prefix(name.hasPrefix("down") || name.hasPrefix("up") || name.hasPrefix("mid") ? 2 : 1).joined(separator: ".")
    blockGradError[block] = max(blockGradError[block] ?? 0, (mine - ref).norm() / max(ref.norm(), 1e-30))
}
print(String(format: "\n6. gradients of %d parameters: worst %@ at %.3f of its bound (bound: 1e-3‖ref‖ + 1e-7·max‖ref‖)",
             gradNames.count, worst.name as NSString, worst.ratio))
let blocks = blockGradError.keys.sorted()
try figures.bars("parity", labels: parity.map(\.0) + blocks.map { "∇ " + $0 },
                 series: [("‖Δ‖/‖ref‖ against diffusers (float64)", parity.map(\.1) + blocks.map { blockGradError[$0]! })],
                 style: PlotStyle(title: "parity with diffusers: activations, output, and worst gradient per block", ylabel: "relative error", logY: true,
                                  width: 1000, height: 520, extra: ["set yrange [1e-9:1e-3]", "set arrow from graph 0, first 1e-4 to graph 1, first 1e-4 nohead dt 2"]))

// MARK: - 7. The architecture at benchmark size: parameters per block

let bench = UNet2DConditionModel(.bench, seed: options.seed)
var perBlock: [(String, Int)] = []
for name in bench.store.names {
    let parts = name.split(separator: ".")
    let block = (parts[0] == "down_blocks" || parts[0] == "up_blocks") ? "\(parts[0]).\(parts[1])" : String(parts[0])
    let n = bench.store.byName[name]!.value.count
    if let i = perBlock.firstIndex(where: { $0.0 == block }) { perBlock[i].1 += n } else { perBlock.append((block, n)) }
}
print("\n7. the benchmark UNet (Tests/Fixtures/unet-bench.json): \(bench.store.count) parameters")
for (block, n) in perBlock { print("  " + pad(block, 16) + String(format: "%9d", n)) }
try figures.bars("parameters", labels: perBlock.map(\.0), series: [("parameters", perBlock.map { Double($0.1) })],
                 style: PlotStyle(title: "benchmark UNet: \(bench.store.count) parameters by block", ylabel: "parameters", logY: true))

// MARK: - 8. Activation statistics through the network, and where the time goes
//
// One training step of the benchmark UNet on random data: the standard deviation of each stage's
// output (a healthy initialisation keeps it of order 1), and the profiler's time per kind of op.
// (The 3×3 convolutions run forward and ∂x by Winograd's F(2×2, 3×3), Conv2DWinograd.swift; ∂W and
// the rest as implicit GEMMs, Conv2DImplicitGEMM.swift; attention rebuilds its probabilities in backward.)

let batch = options.quick ? 2 : 16
var rng = RNG(seed: options.seed)
let x = Variable(rng.normal([batch, 3, 32, 32])), c = Variable(rng.normal([batch, 12, 64]))
let t = (0..<batch).map { _ in Float(rng.randint(1000)) }
var acts: [String: Tensor] = [:]
let target = Variable(rng.normal([batch, 3, 32, 32]))
Variable.mse(bench(x, timesteps: t, encoderHiddenStates: c), target).backward()   // warm-up: first allocations
bench.store.zeroGrad()
Profiler.reset(); Profiler.enabled = true
let started = Date()
let y = bench(x, timesteps: t, encoderHiddenStates: c, observe: { acts[$0] = $1 })
Variable.mse(y, target).backward()
let stepTime = Date().timeIntervalSince(started)
Profiler.enabled = false
let stages = ["conv_in"] + (0..<3).map { "down_blocks.\($0)" } + ["mid_block"] + (0..<3).map { "up_blocks.\($0)" }
func std(_ t: Tensor) -> Double { let m = t.meanAll(); return (t.scalars.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(t.count)).squareRoot() }
try figures.bars("activation-stats", labels: stages + ["output"], series: [
    ("std of the stage's output", stages.map { std(acts[$0]!) } + [std(y.value)]),
    ("mean |value|", stages.map { acts[$0]!.scalars.reduce(0.0) { $0 + Double(abs($1)) } / Double(acts[$0]!.count) } + [y.value.scalars.reduce(0.0) { $0 + Double(abs($1)) } / Double(y.value.count)]),
], style: PlotStyle(title: "activations through the benchmark UNet at initialisation (batch \(batch))", ylabel: "value"))
let report = Profiler.report().filter { $0.seconds >= 0.5e-3 }   // kinds under half a millisecond left out
print(String(format: "\n8. one training step (forward + backward), batch %d: %.0f ms", batch, stepTime * 1e3))
for (kind, secs, calls) in report.prefix(10) { print("  " + pad(kind, 22) + String(format: "%7.1f ms  (%d calls)", secs * 1e3, calls)) }
try figures.bars("time-per-op", labels: report.map(\.kind), series: [("ms in one training step", report.map { $0.seconds * 1e3 })],
                 style: PlotStyle(title: String(format: "where the time goes: one training step, batch %d (%.0f ms; timings vary run to run)", batch, stepTime * 1e3), ylabel: "ms"))

// MARK: - 9. The readable twin, and what the fusions buy
//
// Every stage above ran the fast path: GroupNorm → SiLU → conv in one pass, the time embedding
// and the skip added as the convolution stores, attention without stored probabilities. The same
// network composed from the primitives alone is UNet2DConditionModel.readableForward
// (Sources/Models/UNetReadable.swift: a ResNet block is norm, silu, conv, + t, norm, silu, conv,
// + skip; attention is softmax(q·kᵀ/√d)·v with reshapes for the heads). Same parameters, so the
// same function: here it is run beside the fast path, and the tests hold the two together.
bench.store.zeroGrad()
let twinStarted = Date()
let yPlain = bench.readableForward(x, timesteps: t, encoderHiddenStates: c)
Variable.mse(yPlain, target).backward()
let twinTime = Date().timeIntervalSince(twinStarted)
let twinDiff = zip(yPlain.value.scalars, y.value.scalars).map { Double(abs($0 - $1)) }.max()!
print(String(format: "\n9. readable twin: max |fast − readable| = %.2e over the output; one training step %.0f ms against the fast path's %.0f ms (%.2f×)",
             twinDiff, twinTime * 1e3, stepTime * 1e3, twinTime / stepTime))

print("\nwrote figures to \(options.outputDirectory)")
if parity.contains(where: { $0.1 > 1e-4 }) || worst.ratio > 1 || twinDiff > 1e-3 { print("parity check FAILED"); exit(1) }
