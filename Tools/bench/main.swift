// Benchmarks: `bench gemm`, `bench ops` and `bench threads` (make bench). Speed is measured here and printed, never
// asserted in tests. Shapes come from the benchmark UNet (Tests/Fixtures/unet-bench.json, batch 16):
// 3×3 convolutions as implicit GEMMs at 32², 16² and 8², and the attention products. (The UNet's
// 3×3 convolutions themselves run forward and ∂x by Winograd F(2×2, 3×3), with 2.25× fewer
// multiply-adds, so `bench ops` can beat the direct GEMM time: a ratio below 1.)

import ArgumentParser
import Foundation
import Models
import TensorCore

typealias V = SIMD16<Float>

/// The FMA rate one core sustains here (Sources/TensorCore/MachinePeak.swift).
func measuredPeak() -> Double { measuredFMAPeak() }

func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s[s.count / 2]
}
func time(_ reps: Int, _ body: () -> Void) -> Double {
    body()
    return median(
        (0..<reps).map { _ in
            let t = Date()
            body()
            return Date().timeIntervalSince(t)
        })
}

/// GFLOP/s per core: 3.7 GHz × 2 FMA units × 16 lanes (AVX-512; 8 with AVX2 only) × 2 flops (the figure).
let nominalPeak = MicroKernels.cpuHasAVX512 ? 236.8 : 118.4
/// The command line (swift-argument-parser: `bench --help` lists it).
struct BenchOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "What to measure: gemm (GEMM GFLOP/s against the FMA peak), ops (op times), unet (one JSON line), "
                + "threads (the cost of a parallel region), or all.")
    )
    var what: String = "all"
    @Option(help: "unet: the UNet configuration.")
    var config: String = "Tests/Fixtures/unet-bench.json"
    @Option(help: "unet: the batch size.")
    var batch: Int = 16
    @Option(help: "unet: text tokens per prompt (the shipped base's tokenizer pads to 24).")
    var tokens: Int = 12
    @Option(help: "unet: steps measured (after 3 warm-ups); the median is printed.")
    var steps: Int = 10
    @Flag(help: "unet: print the time per op kind.")
    var profile = false
    @Flag(
        help: ArgumentHelp(
            "unet: --profile with each convolution shape apart; its ∂W and ∂x lines are parts of its backward "
                + "line, so the shares add to more than 100 %."))
    var profileShapes = false

    func validate() throws {
        guard ["gemm", "ops", "unet", "threads", "all"].contains(what) else {
            throw ValidationError("unknown benchmark '\(what)' (gemm, ops, unet, threads, all)")
        }
        guard batch >= 1 && batch <= 4096 else { throw ValidationError("--batch must be 1…4096, got \(batch)") }
        guard tokens >= 1 && tokens <= 4096 else { throw ValidationError("--tokens must be 1…4096, got \(tokens)") }
        guard steps >= 1 && steps <= 10000 else { throw ValidationError("--steps must be 1…10000, got \(steps)") }
    }
}
let benchOptions = BenchOptions.parseOrExit()
let what = benchOptions.what

/// Peak resident memory (VmHWM) in MB, from /proc/self/status.
func peakRSSMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

if what == "threads" {
    // bench threads: what a parallel region costs. The same work (a chain of additions) run twice in a
    // row on one core, then as Parallel.forEach(2) on two: near half the time when a region is cheap.
    for work in [2_000, 20_000, 200_000] {
        func chain() {
            var x = 0.0
            for i in 0..<work { x += Double(i) }
            keep(x)
        }
        let serial = time(201) {
            chain()
            chain()
        }
        let parallel = time(201) { Parallel.forEach(2) { _ in chain() } }
        print(
            String(
                format: "%7d additions twice: one core %7.1f µs, Parallel.forEach(2) %7.1f µs (%.2f×)", work,
                serial * 1e6, parallel * 1e6, parallel / serial))
    }
    exit(0)
}
if what == "unet" {
    // bench unet --config FILE --batch 16: one JSON line; each figure the median of `steps` steps
    // after 3 warm-ups, --tokens text tokens (12), all cores. The protocol of scripts/pytorch_unet_bench.py.
    let configPath = benchOptions.config
    let batch = benchOptions.batch
    let steps = benchOptions.steps
    if benchOptions.profile || benchOptions.profileShapes { Profiler.enabled = true }
    Profiler.byShape = benchOptions.profileShapes
    let config: UNetConfig
    do { config = try UNetConfig(contentsOf: configPath) } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
    let model = UNet2DConditionModel(config, seed: 1)
    var rng = RNG(seed: 5)
    let H = config.sampleSize
    let x = Variable(rng.normal([batch, config.inChannels, H, H]))
    let ctx = Variable(rng.normal([batch, benchOptions.tokens, config.crossAttentionDim]))
    let target = Variable(rng.normal([batch, config.outChannels, H, H]))
    let t = (0..<batch).map { _ in Float(rng.randint(1000)) }
    let opt = AdamW(model.parameters, learningRate: 1e-4)
    func trainStep() {
        let loss = Variable.mse(model(x, timesteps: t, encoderHiddenStates: ctx), target)
        loss.backward()
        opt.update()
        model.store.zeroGrad()
    }
    func forward() { _ = Variable.withoutGradients { model(x, timesteps: t, encoderHiddenStates: ctx) } }
    func profileTable(_ title: String, runs: Int) {
        guard Profiler.enabled else { return }
        let report = Profiler.report()
        let total = report.reduce(0) { $0 + $1.seconds }
        FileHandle.standardError.write(Data("\(title) (ms per step, share):\n".utf8))
        for (kind, secs, calls) in report {
            let line =
                "  " + kind.padding(toLength: Profiler.byShape ? 36 : 22, withPad: " ", startingAt: 0)
                + String(
                    format: " %7.1f  %5.1f%%  (%d calls)\n", secs * 1e3 / Double(runs), 100 * secs / total, calls / runs
                )
            FileHandle.standardError.write(Data(line.utf8))
        }
        Profiler.reset()
    }
    let profiling = Profiler.enabled
    Profiler.enabled = false
    for _ in 0..<3 { trainStep() }
    Profiler.enabled = profiling
    let train = median(
        (0..<steps).map { _ in
            let s = Date()
            trainStep()
            return Date().timeIntervalSince(s)
        })
    profileTable("train step", runs: steps)
    Profiler.enabled = false
    for _ in 0..<3 { forward() }
    Profiler.enabled = profiling
    let fwd = median(
        (0..<steps).map { _ in
            let s = Date()
            forward()
            return Date().timeIntervalSince(s)
        })
    profileTable("forward", runs: steps)
    print(
        String(
            format:
                "{\"impl\": \"swift\", \"batch\": %d, \"tokens\": %d, \"threads\": %d, \"train_step_ms\": %.1f, "
                + "\"forward_ms\": %.1f, \"peak_rss_mb\": %.0f, \"parameters\": %d}",
            batch, benchOptions.tokens, Parallel.threads, train * 1e3, fwd * 1e3, peakRSSMB(), model.store.count))
    exit(0)
}
let cores = Parallel.threads
let peak1 = measuredPeak()
print(
    String(
        format: "machine: %d cores; FMA peak measured %.1f GFLOP/s per core (nominal %.1f); micro-kernels: %@ (%@)",
        cores, peak1, nominalPeak,
        MicroKernels.current.rawValue,
        MicroKernels.current == .wide
            ? "24 SIMD16 accumulators, sized for AVX-512" : "passes of 12 SIMD8 accumulators, sized for AVX2"))

// The GEMMs one training step of the benchmark UNet runs (batch 16), as (name, M, N, K, instances):
// C (M×N) = A (M×K) · B (K×N), `instances` independent products (one per image, or per image and
// head), which the kernels spread over the cores exactly as here. Stride-1 convolutions are
// implicit GEMMs over the padded image (M = OH·(W + 1) positions, N = Cout, K = 9·Cin); the
// attention products are per (image, head); 512³ is one product split inside.
let B = 16
let shapes: [(String, Int, Int, Int, Int)] = [
    ("conv 3×3 32→32 @32²", 32 * 33, 32, 288, B),
    ("conv 3×3 64→64 @16²", 16 * 17, 64, 576, B),
    ("conv 3×3 64→64 @8²", 8 * 9, 64, 576, B),
    ("conv 3×3 128→64 @16² (up path)", 16 * 17, 64, 1152, B),
    ("conv 3×3 96→32 @32² (up path)", 32 * 33, 32, 864, B),
    ("linear 64→512 (GEGLU) @16²", B * 256, 512, 64, 1),
    ("attention QKᵀ @16² (per head)", 256, 256, 16, B * 4),
    ("attention PV @16² (per head)", 256, 16, 256, B * 4),
    ("per image 1024×32×288 (issue)", 1024, 32, 288, B),
    ("per image 256×64×576 (issue)", 256, 64, 576, B),
    ("square 512³ (issue)", 512, 512, 512, 1),
]

if what == "gemm" || what == "all" {
    print(
        "\nGEMM                                    M      N      K  ×n   1 core GFLOP/s (%meas/%nom)   \(cores) "
            + "cores GFLOP/s (%meas/%nom)"
    )
    var rng = RNG(seed: 1)
    for (name, m, n, k, count) in shapes {
        let a = rng.normal([m, k])
        let b = rng.normal([k, n])
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n * count)
        defer { c.deallocate() }
        let flops = 2.0 * Double(m * n * k * count)
        let reps = max(5, min(100, Int(2e9 / flops)))
        var rates: [Double] = []
        for threads in [1, cores] {
            Parallel.threads = threads
            let t = a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    time(reps) {
                        if count == 1 {
                            gemm(
                                m: m, n: n, k: k, a: .rowMajor(pa.baseAddress!, columns: k),
                                b: .rowMajor(pb.baseAddress!, columns: n), c: c, ldc: n, accumulate: false)
                        } else {
                            Parallel.forEach(count) { i in
                                gemm(
                                    m: m, n: n, k: k, a: .rowMajor(pa.baseAddress!, columns: k),
                                    b: .rowMajor(pb.baseAddress!, columns: n),
                                    c: c + i * m * n, ldc: n, accumulate: false, parallel: false)
                            }
                        }
                    }
                }
            }
            rates.append(flops / t / 1e9)
        }
        Parallel.threads = cores
        print(
            name.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(
                    format: "%6d %6d %6d %3d   %7.1f (%3.0f%%/%3.0f%%)            %7.1f (%3.0f%%/%3.0f%%)",
                    m, n, k, count, rates[0], 100 * rates[0] / peak1, 100 * rates[0] / nominalPeak,
                    rates[1], 100 * rates[1] / (peak1 * Double(cores)), 100 * rates[1] / (nominalPeak * Double(cores))))
    }
}

if what == "ops" || what == "all" {
    var rng = RNG(seed: 2)
    var gemmRate: [String: Double] = [:]
    print(
        "\nop (batch 16)                          forward ms   backward ms   conv: (fwd+bwd) / (direct FLOPs at GEMM "
            + "rate)"
    )
    for (name, c, hw) in [
        ("conv2d 3×3 32→32 @32²", 32, 32), ("conv2d 3×3 64→64 @16²", 64, 16), ("conv2d 3×3 64→64 @8²", 64, 8),
    ] {
        let x = Variable(rng.normal([B, c, hw, hw]), requiresGrad: true)
        let w = Variable(rng.normal([c, c, 3, 3]) * 0.1, requiresGrad: true)
        let bias = Variable(Tensor(zeros: [c]), requiresGrad: true)
        let fwd = time(7) { _ = Variable.withoutGradients { Variable.conv2d(x, weight: w, bias: bias, padding: 1) } }
        let seed = rng.normal([B, c, hw, hw])
        let both = time(7) {
            let y = Variable.conv2d(x, weight: w, bias: bias, padding: 1)
            y.backward(seed: seed)
            x.zeroGrad()
            w.zeroGrad()
            bias.zeroGrad()
        }
        // Three GEMMs of 2·C·(9C)·(B·HW) FLOPs each; their time at the measured GEMM rate of the same shape.
        let flops = 3 * 2.0 * Double(c * 9 * c * B * hw * hw)
        // The rate of the same products as plain row-major GEMMs, one per image (HW × 9C) · (9C × C),
        // spread over the cores as the convolution spreads its images.
        let a = rng.normal([hw * hw, 9 * c])
        let bm = rng.normal([9 * c, c])
        let out = UnsafeMutablePointer<Float>.allocate(capacity: B * c * hw * hw)
        defer { out.deallocate() }
        let tg = a.scalars.withUnsafeBufferPointer { pa in
            bm.scalars.withUnsafeBufferPointer { pb in
                time(7) {
                    Parallel.forEach(B) { i in
                        gemm(
                            m: hw * hw, n: c, k: 9 * c, a: .rowMajor(pa.baseAddress!, columns: 9 * c),
                            b: .rowMajor(pb.baseAddress!, columns: c),
                            c: out + i * hw * hw * c, ldc: c, accumulate: false, parallel: false)
                    }
                }
            }
        }
        gemmRate[name] = 2.0 * Double(c * 9 * c * B * hw * hw) / tg
        print(
            name.padding(toLength: 38, withPad: " ", startingAt: 0)
                + String(
                    format: "%8.2f     %8.2f      %.2f×", fwd * 1e3, (both - fwd) * 1e3,
                    both / (flops / gemmRate[name]!)))
    }
    for (name, c, hw) in [("GroupNorm 8 groups 32ch @32²", 32, 32), ("GroupNorm 8 groups 64ch @16²", 64, 16)] {
        let x = Variable(rng.normal([B, c, hw, hw]), requiresGrad: true)
        let g = Variable(Tensor(repeating: 1, shape: [c]), requiresGrad: true)
        let b = Variable(Tensor(zeros: [c]), requiresGrad: true)
        let fwd = time(7) { _ = Variable.withoutGradients { x.groupNorm(groups: 8, weight: g, bias: b, eps: 1e-5) } }
        let seed = rng.normal([B, c, hw, hw])
        let both = time(7) {
            x.groupNorm(groups: 8, weight: g, bias: b, eps: 1e-5).backward(seed: seed)
            x.zeroGrad()
            g.zeroGrad()
            b.zeroGrad()
        }
        print(
            name.padding(toLength: 38, withPad: " ", startingAt: 0)
                + String(format: "%8.2f     %8.2f", fwd * 1e3, (both - fwd) * 1e3))
    }
    for (name, L, S) in [
        ("self-attention 4 heads d16 @16²", 256, 256), ("cross-attention 4 heads d16, 12 tokens", 256, 12),
        ("self-attention 4 heads d16 @8²", 64, 64),
    ] {
        let q = Variable(rng.normal([B, L, 64]), requiresGrad: true)
        let k = Variable(rng.normal([B, S, 64]), requiresGrad: true)
        let v = Variable(rng.normal([B, S, 64]), requiresGrad: true)
        let fwd = time(7) {
            _ = Variable.withoutGradients { Variable.multiHeadAttention(query: q, key: k, value: v, heads: 4) }
        }
        let seed = rng.normal([B, L, 64])
        let both = time(7) {
            Variable.multiHeadAttention(query: q, key: k, value: v, heads: 4).backward(seed: seed)
            q.zeroGrad()
            k.zeroGrad()
            v.zeroGrad()
        }
        print(
            name.padding(toLength: 38, withPad: " ", startingAt: 0)
                + String(format: "%8.2f     %8.2f", fwd * 1e3, (both - fwd) * 1e3))
    }
}

/// Keeps a result alive, so the optimiser cannot drop the work that made it.
@inline(never) func keep(_ x: Double) { if x == -1 { print(x) } }
