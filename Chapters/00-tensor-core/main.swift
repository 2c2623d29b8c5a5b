// Chapter 00 — The engine
//
// What it builds: nothing new — it shows the tensor core every later chapter stands on: a matrix
// product from the triple loop to the register-blocked SIMD kernel, measured against the machine's
// peak; and reverse-mode autodiff checked by central differences.
// Run:   make chapter N=00   (or .build/release/chapter00 [--quick] [--seed N] [--out DIR])
// Writes: Figures/00-tensor-core/gemm-speed.{dat,gp,png}

import Book
import Foundation
import Plotting
import TensorCore

let options = ChapterOptions(chapter: "00-tensor-core", summary: "the matmul kernel and the gradient check")
let figures = FigureWriter(directory: options.outputDirectory)
var rng = RNG(seed: options.seed)

// MARK: - From the triple loop to the micro-kernel
//
// C = A·B costs 2·M·N·K floating-point operations. The naive loop (`matmulNaive`) does one
// multiply-add at a time and re-reads B from memory for every row of A. The fast path (`gemm`,
// GEMM.swift) keeps a 12×32 block of C in 24 SIMD registers while it walks the depth, so each
// loaded value feeds 12 or 32 fused multiply-adds. Time both on square matrices:

func seconds(_ body: () -> Void) -> Double { let t = Date(); body(); return Date().timeIntervalSince(t) }
let sizes = options.quick ? [32, 64, 128] : [32, 64, 128, 256, 384, 512]
var naive: [Double] = [], fast: [Double] = []
print("Chapter 00 — the engine\n\n   n    naive GFLOP/s   SIMD GFLOP/s")
for n in sizes {
    let a = rng.normal([n, n]), b = rng.normal([n, n])
    var c = [Float](repeating: 0, count: n * n)
    let flops = 2.0 * Double(n * n * n)
    let reps = max(1, 50_000_000 / (n * n * n))
    let tn = a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
        seconds { matmulNaive(m: n, n: n, k: n, a: .rowMajor(pa.baseAddress!, columns: n), b: .rowMajor(pb.baseAddress!, columns: n), c: &c, ldc: n, accumulate: false) }
    } }
    let tf = a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
        seconds { for _ in 0..<reps * 20 { gemm(m: n, n: n, k: n, a: .rowMajor(pa.baseAddress!, columns: n), b: .rowMajor(pb.baseAddress!, columns: n), c: &c, ldc: n, accumulate: false) } } / Double(reps * 20)
    } }
    naive.append(flops / tn / 1e9); fast.append(flops / tf / 1e9)
    print(String(format: "%4d   %10.2f     %10.1f", n, naive.last!, fast.last!))
}
try figures.lines("gemm-speed", [Series("naive triple loop", x: sizes.map(Double.init), y: naive),
                                 Series("SIMD16 12×32 micro-kernel", x: sizes.map(Double.init), y: fast)],
                  style: PlotStyle(title: "matrix product speed (all cores)", xlabel: "n (n×n·n×n)", ylabel: "GFLOP/s", logY: true), points: true)

// MARK: - Autodiff, checked
//
// Each op records a pullback (Variable.swift). The gradient checker compares backward() with
// central differences (L(x+h) − L(x−h))/2h on a small ResNet-style computation.

let x = Variable(rng.normal([2, 4, 5, 5]), requiresGrad: true)
let w = Variable(rng.normal([4, 4, 3, 3]) * 0.3, requiresGrad: true)
let g = Variable(Tensor(repeating: 1, shape: [4]), requiresGrad: true), b = Variable(Tensor(zeros: [4]), requiresGrad: true)
let result = checkGradients([x, w, g, b]) {
    x + Variable.conv2d(x.groupNorm(groups: 2, weight: g, bias: b, eps: 1e-5).silu(), weight: w, bias: nil, padding: 1)
}
print("\nx + conv(SiLU(GroupNorm(x))): \(result)")
if !result.passed { exit(1) }
