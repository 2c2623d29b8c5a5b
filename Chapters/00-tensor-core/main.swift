// Chapter 00 — The engine: a matrix product from the triple loop to the SIMD kernel, and autodiff
//
// What it builds: nothing new — it shows the tensor core every later chapter stands on. Almost all
// of a UNet's time is matrix products (convolutions are products in disguise), so the lesson is
// how one gets fast: the triple loop, the same loop in a cache-friendly order, cache blocking,
// and a tile of C held in SIMD registers, each measured on one core in Float against the core's
// measured FMA peak, then the library's kernel (Sources/TensorCore/GEMM.swift). Then reverse-mode
// autodiff (Sources/TensorCore/Variable.swift), first on a two-line example worked by hand, then
// checked by central differences on a piece of a UNet.
// Run:   make chapter N=00   (or .build/release/chapter00 [--quick] [--seed N] [--out DIR])
// Writes: Figures/00-tensor-core/gemm-speed.{dat,gp,png} (timings: they differ run to run)

import ChapterSupport
import Foundation
import Plotting
import TensorCore

let options = ChapterOptions(
    chapter: "00-tensor-core", title: "the engine",
    summary: "the matrix product, from the triple loop to the SIMD kernel; autodiff checked")
let figures = FigureWriter(directory: options.outputDirectory)
var rng = RNG(seed: options.seed)
Parallel.threads = 1  // one core against one core: every version below runs on one thread
// twelve independent FMA chains that fit the registers, timed (Sources/TensorCore/MachinePeak.swift)
let peak = measuredFMAPeak()
/// Floats one vector multiply-add does for each scalar one the FMA units could issue instead: 8 on
/// x86 CPUs whose FMA units are 256 bits wide (AVX2 ones, and Zen 4 even with AVX-512), 4 on NEON.
/// (Where the units are 512 bits wide it is 16, and the scalar test below is generous there.)
#if arch(arm64)
    let lanes = 4
#else
    let lanes = 8
#endif
print(String(format: "FMA peak of one core, measured: %.1f GFLOP/s\n", peak))

// MARK: - 1. The triple loop
//
// C = A·B for A (M × K) and B (K × N), all row-major: C[i][j] = Σ_p A[i][p]·B[p][j], 2·M·N·K
// floating-point operations. Written as the definition reads, the inner loop walks down a column
// of B — a stride of N floats per step, a new cache line for every multiply-add. (Every version
// reads the arrays through unsafe buffer pointers, so none pays for Swift's bounds checks and
// they differ only in what the lesson changes.)

func tripleLoop(_ a: [Float], _ b: [Float], _ c: inout [Float], m: Int, n: Int, k: Int) {
    a.withUnsafeBufferPointer { A in
        b.withUnsafeBufferPointer { B in
            c.withUnsafeMutableBufferPointer { C in
                for i in 0..<m {
                    for j in 0..<n {
                        var sum: Float = 0
                        for p in 0..<k { sum += A[i * k + p] * B[p * n + j] }
                        C[i * n + j] = sum
                    }
                }
            }
        }
    }
}

// MARK: - 2. The same loop, in the order memory likes
//
// Swap the two inner loops: for each A[i][p], add A[i][p]·(row p of B) to row i of C. Every
// access is now sequential. Nothing else changed; whether the compiler also turns the inner loop
// into SIMD instructions is its call (it must prove that C and B do not overlap) — the
// measurement in section 5 says what it did.

func rowOrder(_ a: [Float], _ b: [Float], _ c: inout [Float], m: Int, n: Int, k: Int) {
    for i in 0..<(m * n) { c[i] = 0 }
    a.withUnsafeBufferPointer { A in
        b.withUnsafeBufferPointer { B in
            c.withUnsafeMutableBufferPointer { C in
                for i in 0..<m {
                    for p in 0..<k {
                        let aip = A[i * k + p]
                        for j in 0..<n { C[i * n + j] += aip * B[p * n + j] }
                    }
                }
            }
        }
    }
}

// MARK: - 3. Cache blocking
//
// Row order streams all of B through the cache once per row of A. Cut the product into blocks
// (64 rows of A × 256 columns of B × 128 of the depth here) so that the pieces of B a block needs
// stay in the cache while every row of the block uses them.

func blocked(_ a: [Float], _ b: [Float], _ c: inout [Float], m: Int, n: Int, k: Int) {
    for i in 0..<(m * n) { c[i] = 0 }
    let bm = 64
    let bn = 256
    let bk = 128
    a.withUnsafeBufferPointer { A in
        b.withUnsafeBufferPointer { B in
            c.withUnsafeMutableBufferPointer { C in
                for i0 in stride(from: 0, to: m, by: bm) {
                    for p0 in stride(from: 0, to: k, by: bk) {
                        for j0 in stride(from: 0, to: n, by: bn) {
                            for i in i0..<min(i0 + bm, m) {
                                for p in p0..<min(p0 + bk, k) {
                                    let aip = A[i * k + p]
                                    for j in j0..<min(j0 + bn, n) { C[i * n + j] += aip * B[p * n + j] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

// MARK: - 4. A tile of C in registers
//
// Blocking still loads and stores C for every multiply-add. Instead hold a 4 × 32 tile of C in
// eight SIMD16 registers for the whole depth: per step of p, load two vectors of B's row and
// broadcast four values of A, then 8 fused multiply-adds — 256 flops for 6 loads. (n must be a
// multiple of 32 and m of 4 here; the library handles every shape.)

func registerTile(_ a: [Float], _ b: [Float], _ c: inout [Float], m: Int, n: Int, k: Int) {
    typealias V = SIMD16<Float>
    a.withUnsafeBufferPointer { A in
        b.withUnsafeBufferPointer { B in
            c.withUnsafeMutableBufferPointer { C in
                let bRaw = UnsafeRawPointer(B.baseAddress!)
                let cRaw = UnsafeMutableRawPointer(C.baseAddress!)
                for i in stride(from: 0, to: m, by: 4) {
                    for j in stride(from: 0, to: n, by: 32) {
                        var c00 = V()
                        var c01 = V()
                        var c10 = V()
                        var c11 = V()
                        var c20 = V()
                        var c21 = V()
                        var c30 = V()
                        var c31 = V()
                        for p in 0..<k {
                            let b0 = bRaw.loadUnaligned(fromByteOffset: (p * n + j) * 4, as: V.self)
                            let b1 = bRaw.loadUnaligned(fromByteOffset: (p * n + j + 16) * 4, as: V.self)
                            let a0 = V(repeating: A[i * k + p])
                            let a1 = V(repeating: A[(i + 1) * k + p])
                            let a2 = V(repeating: A[(i + 2) * k + p])
                            let a3 = V(repeating: A[(i + 3) * k + p])
                            c00.addProduct(a0, b0)
                            c01.addProduct(a0, b1)
                            c10.addProduct(a1, b0)
                            c11.addProduct(a1, b1)
                            c20.addProduct(a2, b0)
                            c21.addProduct(a2, b1)
                            c30.addProduct(a3, b0)
                            c31.addProduct(a3, b1)
                        }
                        for (r, pair) in [(c00, c01), (c10, c11), (c20, c21), (c30, c31)].enumerated() {
                            cRaw.storeBytes(of: pair.0, toByteOffset: ((i + r) * n + j) * 4, as: V.self)
                            cRaw.storeBytes(of: pair.1, toByteOffset: ((i + r) * n + j + 16) * 4, as: V.self)
                        }
                    }
                }
            }
        }
    }
}

// MARK: - 5. Measured, one core, Float against Float
//
// The library's gemm (Sources/TensorCore/GEMM.swift) is the register tile made general: a 12 × 32
// tile of C in 24 registers, so each vector of B loaded serves 12 multiply-adds instead of 4 (6 in
// the narrow passes below); B read in place when its rows are contiguous (copied into a padded
// strip only at the edges or for strided views); the depth cut into blocks of at most 384; every
// shape and stride handled. Each version is checked against the definition. Sizes include
// non-powers of two: when n is a power of two, the rows of B one tile walks down lie a power of two
// apart and can land in the same few sets of the L1 cache, which then evict each other (a known
// trap of power-of-two strides; on some machines the 4×32 tile dips at 256 and 512). Each time is
// the best of three runs.
//
// The tile must fit the register file. 24 SIMD16 accumulators fit AVX-512's 32 registers of 16
// floats; on a CPU with AVX2 only, a SIMD16 is two registers of 8 and there are 16 of them, so the
// compiler would keep most accumulators in memory — a load and a store around every multiply-add,
// about half the peak, measured. There the library computes the same 12 × 32 tile as four passes of
// a 6 × 16 tile in twelve SIMD8 registers (Sources/TensorCore/NarrowMicroKernels.swift), and
// reaches 83–93 % of the peak on GEMMs of the UNet's convolution shapes (bench gemm, 2026-12-01).
// Every element of C still gets its multiply-adds in the same order, so both give the same bytes,
// and a test holds them to it. (This chapter's own 4×32 tile needs 16 SIMD8 registers for C alone
// on such a CPU, so it spills a little there.)

func seconds(_ body: () -> Void) -> Double {
    let t = Date()
    body()
    return Date().timeIntervalSince(t)
}
let sizes = options.quick ? [64, 128] : [64, 128, 192, 256, 320, 384, 448, 512]
let versions: [(String, ([Float], [Float], inout [Float], Int, Int, Int) -> Void)] = [
    ("1. triple loop", { tripleLoop($0, $1, &$2, m: $3, n: $4, k: $5) }),
    ("2. row order", { rowOrder($0, $1, &$2, m: $3, n: $4, k: $5) }),
    ("3. cache blocking", { blocked($0, $1, &$2, m: $3, n: $4, k: $5) }),
    ("4. 4×32 register tile", { registerTile($0, $1, &$2, m: $3, n: $4, k: $5) }),
    (
        MicroKernels.current == .wide ? "5. library gemm (12×32 tile)" : "5. library gemm (12×32 as 6×16 passes)",
        { a, b, c, m, n, k in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    gemm(
                        m: m, n: n, k: k, a: .rowMajor(pa.baseAddress!, columns: k),
                        b: .rowMajor(pb.baseAddress!, columns: n), c: &c, ldc: n, accumulate: false)
                }
            }
        }
    ),
]
var rates = [[Double]](repeating: [], count: versions.count)
var agree = true
print(
    "   n  " + versions.map { $0.0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined(separator: " ")
        + "  (GFLOP/s)")
for n in sizes {
    let a = rng.normal([n, n]).scalars
    let b = rng.normal([n, n]).scalars
    // The reference is the definition itself (matmulNaive, GEMM.swift's test oracle), so every
    // version — the library's too — is checked against something other than itself.
    var reference = [Float](repeating: 0, count: n * n)
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            reference.withUnsafeMutableBufferPointer { pc in
                matmulNaive(
                    m: n, n: n, k: n, a: .rowMajor(pa.baseAddress!, columns: n),
                    b: .rowMajor(pb.baseAddress!, columns: n), c: pc.baseAddress!, ldc: n, accumulate: false)
            }
        }
    }
    var line = String(format: "%4d ", n)
    for (v, (_, run)) in versions.enumerated() {
        var c = [Float](repeating: 0, count: n * n)
        let flops = 2.0 * Double(n * n * n)
        let reps = max(1, Int(2e8 / flops) / (v <= 2 ? 20 : 1))  // the slow versions run fewer times
        let t = (0..<3).map { _ in seconds { for _ in 0..<reps { run(a, b, &c, n, n, n) } } / Double(reps) }.min()!
        rates[v].append(flops / t / 1e9)
        let err = zip(c, reference).map { abs($0 - $1) }.max()!
        if err > 1e-3 * Float(n).squareRoot() {
            agree = false
            print("  \(versions[v].0) differs from the definition by \(err) at n = \(n)")
        }
        line += String(format: " %14.2f", rates[v].last!)
    }
    print(line)
}
print(
    agree
        ? "  ✓ every version computes the product of the definition (matmulNaive)"
        : "  ✗ a version computes a different product")

// What the table says, step by step (medians over the sizes):
func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
func gain(_ later: Int, over earlier: Int) -> Double { median(zip(rates[later], rates[earlier]).map { $0 / $1 }) }
print(String(format: "  row order against the triple loop: %.1f×", gain(1, over: 0)))
print(String(format: "  cache blocking against row order:  %.2f×", gain(2, over: 1)))
print(String(format: "  register tile against row order:   %.0f×", gain(3, over: 1)))
print(
    String(
        format: "  library gemm against the tile:     %.2f×; best %.0f GFLOP/s, %.0f %% of the measured peak",
        gain(4, over: 3), rates[4].max()!, 100 * rates[4].max()! / peak))
// What to look for. A scalar multiply-add does one float where a vector one does `lanes` (above),
// so scalar code reaches at most peak/lanes. A loop below that is running scalar code: the compiler
// did not vectorise it, and it is held back by one load, one multiply-add and one store per
// element, not by the cache. Blocking only saves cache misses, so it cannot help such a loop at
// these sizes (B is at most 1 MB). The register tile removes the loads and stores from the inner
// loop; blocking matters again once a loop is that fast, which is why the library's kernel blocks
// the depth. The two lines below say which of this held on the machine that ran it.
let rowOrderScalar = median(rates[1]) < peak / Double(lanes)
print(
    "  row order "
        + (rowOrderScalar
            ? String(
                format: "runs below peak/%d (%.1f GFLOP/s): scalar code, not vectorised", lanes, peak / Double(lanes))
            : "runs above peak/\(lanes): the compiler vectorised it"))
print(
    "  cache blocking "
        + (abs(gain(2, over: 1) - 1) < 0.1
            ? "changes row order's speed by under 10 %"
            : String(format: "changes row order's speed %.2f×", gain(2, over: 1))))

let best = rates[3].indices.map { max(rates[3][$0], rates[4][$0]) }.max()!
try figures.lines(
    "gemm-speed", versions.indices.map { Series(versions[$0].0, x: sizes.map(Double.init), y: rates[$0]) },
    style: PlotStyle(
        title: String(
            format: "One core, Float: the register tile closes the gap, %.0f → %.0f of %.0f GFLOP/s", median(rates[1]),
            best, peak),
        xlabel: "n (n×n times n×n)", ylabel: "GFLOP/s", logY: true,
        extra: [
            "set key below", "set format y '%g'", "set ytics (1, 2, 5, 10, 20, 50, 100, 200, 500)",
            String(format: "set yrange [0.5:%.0f]", peak * 2),
            "set xtics (\(sizes.map(String.init).joined(separator: ", ")))",
            "set arrow from graph 0, first \(peak) to graph 1, first \(peak) nohead dt 2 lw 2 lc rgb 'red'",
            String(
                format:
                    "set label 'measured FMA peak of one core: %.0f GFLOP/s' at graph 0.02, first %.1f tc rgb 'red'",
                peak, peak * 1.25),
        ]),
    points: true)

// MARK: - 6. Autodiff on two lines
//
// Reverse mode records each operation with its pullback — the function that takes ∂L/∂(output)
// and adds ∂L/∂(input) into each input's gradient (for a product a·b: g·b into a, g·a into b; see
// `*` in Sources/TensorCore/Ops+Arithmetic.swift) — then walks the record backwards from the
// loss, calling each pullback in turn: the chain rule, one operation at a time. For
//     y = w·x + b,   L = y²
// the chain rule gives ∂L/∂y = 2y, so ∂L/∂w = 2y·x, ∂L/∂x = 2y·w, ∂L/∂b = 2y.

let wv = Variable(Tensor(shape: [1], scalars: [3]), requiresGrad: true)
let xv = Variable(Tensor(shape: [1], scalars: [2]), requiresGrad: true)
let bv = Variable(Tensor(shape: [1], scalars: [1]), requiresGrad: true)
let y = wv * xv + bv  // 7
let loss = y * y  // 49
loss.backward()
let byHand = (w: 2 * 7 * 2, x: 2 * 7 * 3, b: 2 * 7)
print(
    String(
        format:
            "\ny = w·x + b, L = y² at w = 3, x = 2, b = 1: backward() gives ∂L/∂w = %.0f, ∂L/∂x = %.0f, ∂L/∂b = "
            + "%.0f; by hand %d, %d, %d",
        wv.grad!.scalars[0], xv.grad!.scalars[0], bv.grad!.scalars[0], byHand.w, byHand.x, byHand.b))
let twoLines =
    wv.grad!.scalars[0] == Float(byHand.w) && xv.grad!.scalars[0] == Float(byHand.x)
    && bv.grad!.scalars[0] == Float(byHand.b)
print(twoLines ? "  ✓ backward() equals the chain rule by hand" : "  ✗ backward() differs from the chain rule")

// MARK: - 7. Autodiff, checked on a piece of a UNet
//
// The same machinery through GroupNorm, SiLU, a convolution and a residual. The output f is a
// tensor; the checker makes it one number, L = Σ f ⊙ r with a fixed random tensor r (so every
// output element counts), and compares backward()'s ∂L/∂θ with central differences
// (L(θ + h) − L(θ − h)) / 2h at up to 48 entries, spread evenly, of each of x, the conv weight, and GroupNorm's
// scale and shift (GradientCheck.swift).

let x = Variable(rng.normal([2, 4, 5, 5]), requiresGrad: true)
let w = Variable(rng.normal([4, 4, 3, 3]) * 0.3, requiresGrad: true)
let g = Variable(Tensor(repeating: 1, shape: [4]), requiresGrad: true)
let b = Variable(Tensor(zeros: [4]), requiresGrad: true)
let result = checkGradients([x, w, g, b]) {
    x + Variable.conv2d(x.groupNorm(groups: 2, weight: g, bias: b, eps: 1e-5).silu(), weight: w, bias: nil, padding: 1)
}
print("\nx + conv(SiLU(GroupNorm(x))): \(result)")
if !result.passed || !agree || !twoLines { exit(1) }
