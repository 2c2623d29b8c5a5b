// Micro-kernels for CPUs with 16 vector registers of 8 floats (AVX2), or 32 of 4 (NEON).
//
// The micro-kernels in GEMM.swift and Conv2DImplicitGEMM.swift keep 24 SIMD16 accumulators: 24 of
// AVX-512's 32 registers. Without AVX-512 a SIMD16 is two 8-float registers, so those 24
// accumulators need 48 of the 16 that AVX2 has, and the compiler has to keep most of them in
// memory, loading and storing them around the multiply-adds. Measured on an AVX2 host on
// 2026-12-01 (`bench gemm`, the UNet's convolution shapes): the wide kernel at 49–52 % of the FMA
// peak, these at 83–93 %.
//
// Here the same tiles are computed as passes of a smaller tile that fits in 16 registers:
//   GEMM 12×32 → four passes of 6×16, and 12×16 → two (12 SIMD8 accumulators, 2 loads of B and
//     6 broadcasts of A per step), the weight gradient's row-pointer 12×32 kernel likewise;
//   conv 8×48 → four passes of 4×24 (12 accumulators, 3 loads of the image, 4 broadcasts per tap);
//   conv 8×32 and 8×16, the grid's last positions → passes of 4×16 (8 accumulators).
// Each output element still receives the same fused multiply-adds in the same order (depth step
// 0, 1, 2, …, from zero), then the same bias, addend and store, so the result is bit-identical
// to the wide kernel's: only the order in which elements are visited changes. KernelTests holds
// the two sets to the same bytes, and `make pretrain` with the narrow set reproduced the
// checkpoints trained with the wide one (2026-12-01).

import Foundation

/// Which micro-kernels run: `wide` (24 SIMD16 accumulators, for AVX-512's 32 registers) or
/// `narrow` (passes of at most 12 SIMD8 accumulators, for AVX2 or NEON). Both give the same bits.
public enum MicroKernels: String, Sendable {
    case wide, narrow

    /// The set in use: `wide` when the CPU has AVX-512, else `narrow`; the environment variable
    /// DREAMBOOTH_MICROKERNELS=wide|narrow overrides it (benchmarks, tests).
    nonisolated(unsafe) public static var current: MicroKernels = detected()

    /// What this CPU calls for, or what DREAMBOOTH_MICROKERNELS says.
    /// Any other value of the variable stops the program with a message before any work starts.
    public static func detected() -> MicroKernels {
        if let forced = ProcessInfo.processInfo.environment["DREAMBOOTH_MICROKERNELS"] {
            guard let set = MicroKernels(rawValue: forced) else {
                FileHandle.standardError.write(
                    Data("error: DREAMBOOTH_MICROKERNELS must be 'wide' or 'narrow', got '\(forced)'\n".utf8))
                exit(2)
            }
            return set
        }
        return cpuHasAVX512 ? .wide : .narrow
    }

    /// Whether the CPU lists the AVX-512 foundation instructions.
    public static let cpuHasAVX512: Bool = {
        #if arch(x86_64) && os(Linux)
            guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
                let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
            else { return false }
            return flags.split(separator: " ").contains("avx512f")
        #elseif arch(x86_64)
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname("hw.optional.avx512f", &value, &size, nil, 0) == 0 && value != 0
        #else
            return false
        #endif
    }()
}

// MARK: - GEMM

/// `microKernel12x32` as four passes of 6×16: the left 16 columns for rows 0–5 then 6–11 (so that
/// half of the B strip is read twice while it is in L1), then the right 16.
@inline(__always)
func narrowKernel12x32(
    _ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool,
    _ bias: UnsafePointer<Float>?, _ addend: UnsafePointer<Float>?
) {
    for column in stride(from: 0, to: 32, by: 16) {
        narrowKernel12x16(
            depth, a, aRow, aStep, b + column, bStep, c + column, ldc, overwrite,
            bias.map { $0 + column }, addend.map { $0 + column })
    }
}

/// `microKernel12x16` as two passes of 6×16.
@inline(__always)
func narrowKernel12x16(
    _ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool,
    _ bias: UnsafePointer<Float>?, _ addend: UnsafePointer<Float>?
) {
    for row in stride(from: 0, to: 12, by: 6) {
        microKernel6x16(
            depth, a + row &* aRow, aRow, aStep, b, bStep, c + row &* ldc, ldc, overwrite,
            bias, addend.map { $0 + row &* ldc })
    }
}

/// C[6×16] (=, or += unless `overwrite`) Σ_p A[0..<6, p] ⊗ B[p, 0..<16] (+ bias, + addend rows ldc
/// apart), A[i, p] = a[i·aRow + p·aStep], B[p, j] = b[p·bStep + j]: twelve SIMD8 accumulators, and per
/// step 2 loads of B, 6 broadcasts of A and 12 fused multiply-adds.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func microKernel6x16(
    _ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool,
    _ bias: UnsafePointer<Float>?, _ addend: UnsafePointer<Float>?
) {
    typealias V = SIMD8<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    var ap = a, bp = UnsafeRawPointer(b)
    let r1 = aRow, r2 = 2 &* aRow, r3 = 3 &* aRow, r4 = 4 &* aRow, r5 = 5 &* aRow
    let bBytes = bStep &* 4
    for _ in 0..<depth {
        let b0 = bp.loadUnaligned(as: V.self), b1 = (bp + 32).loadUnaligned(as: V.self)
        var x = V(repeating: ap[0]); c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = V(repeating: ap[r1]); c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = V(repeating: ap[r2]); c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = V(repeating: ap[r3]); c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = V(repeating: ap[r4]); c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = V(repeating: ap[r5]); c50.addProduct(x, b0); c51.addProduct(x, b1)
        ap += aStep; bp += bBytes
    }
    if let bias {
        let b0 = UnsafeRawPointer(bias).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bias + 8).loadUnaligned(as: V.self)
        c00 += b0; c01 += b1; c10 += b0; c11 += b1; c20 += b0; c21 += b1
        c30 += b0; c31 += b1; c40 += b0; c41 += b1; c50 += b0; c51 += b1
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V) {
        if let addend {
            let s = UnsafeRawPointer(addend + r &* ldc)
            let sum0 = v0 + s.loadUnaligned(as: V.self)
            let sum1 = v1 + (s + 32).loadUnaligned(as: V.self)
            storeRow16(c + r &* ldc, sum0, sum1, overwrite)
        } else {
            storeRow16(c + r &* ldc, v0, v1, overwrite)
        }
    }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21)
    store(3, c30, c31); store(4, c40, c41); store(5, c50, c51)
}

/// Writes (or adds, unless `overwrite`) 16 floats of a C row from two SIMD8 accumulators.
@inline(__always)
func storeRow16(_ c: UnsafeMutablePointer<Float>, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ overwrite: Bool) {
    let p = UnsafeMutableRawPointer(c)
    if overwrite {
        p.storeBytes(of: v0, as: SIMD8<Float>.self)
        (p + 32).storeBytes(of: v1, as: SIMD8<Float>.self)
    } else {
        p.storeBytes(of: p.loadUnaligned(as: SIMD8<Float>.self) + v0, as: SIMD8<Float>.self)
        (p + 32).storeBytes(of: (p + 32).loadUnaligned(as: SIMD8<Float>.self) + v1, as: SIMD8<Float>.self)
    }
}

/// `microKernel12x32RowPointers` as four passes of 6×16.
@inline(__always)
func narrowKernel12x32RowPointers(
    _ depth: Int, _ rows: UnsafePointer<UnsafePointer<Float>>, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool
) {
    for column in stride(from: 0, to: 32, by: 16) {
        for row in stride(from: 0, to: 12, by: 6) {
            microKernel6x16RowPointers(depth, rows + row, b + column, bStep, c + row &* ldc + column, ldc, overwrite)
        }
    }
}

/// C[6×16] (=, or += unless `overwrite`) Σ_q rows[i][q] · B[q, 0..<16], B[q, j] = b[q·bStep + j].
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func microKernel6x16RowPointers(
    _ depth: Int, _ rows: UnsafePointer<UnsafePointer<Float>>, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool
) {
    typealias V = SIMD8<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    let r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3], r4 = rows[4], r5 = rows[5]
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    for q in 0..<depth {
        let b0 = bp.loadUnaligned(as: V.self), b1 = (bp + 32).loadUnaligned(as: V.self)
        var x = V(repeating: r0[q]); c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = V(repeating: r1[q]); c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = V(repeating: r2[q]); c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = V(repeating: r3[q]); c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = V(repeating: r4[q]); c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = V(repeating: r5[q]); c50.addProduct(x, b0); c51.addProduct(x, b1)
        bp += bBytes
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V) { storeRow16(c + r &* ldc, v0, v1, overwrite) }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21)
    store(3, c30, c31); store(4, c40, c41); store(5, c50, c51)
}

// MARK: - Convolution

/// `convKernel8x48` as four passes of 4×24: rows 0–3 then 4–7 of the left 24 positions, then of the right.
@inline(__always)
func narrowConvKernel8x48(
    _ depth: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
    _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    for column in stride(from: 0, to: 48, by: 24) {
        for row in stride(from: 0, to: 8, by: 4) {
            convKernel4x24(depth, x + column, offsets, a + row, c + row &* ldc + column, ldc)
        }
    }
}

/// `convKernel8x32` and `convKernel8x16` as passes of 4×16 (`width` 32 or 16).
@inline(__always)
func narrowConvKernel8xN(
    _ width: Int, _ depth: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
    _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    var column = 0
    while column < width {
        for row in stride(from: 0, to: 8, by: 4) {
            convKernel4x16(depth, x + column, offsets, a + row, c + row &* ldc + column, ldc)
        }
        column += 16
    }
}

/// C[4×24] = Σ_k A[0..<4, k] ⊗ X[k, 0..<24], A[r, k] = a[8k + r] (the wide kernel's 8-channel
/// packing, entered at row r) and X[k, j] = x[offsets[k] + j]: per tap three SIMD8 loads of the
/// image, four broadcasts and twelve fused multiply-adds.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func convKernel4x24(
    _ depth: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
    _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    typealias V = SIMD8<Float>
    var c00 = V(), c01 = V(), c02 = V(), c10 = V(), c11 = V(), c12 = V()
    var c20 = V(), c21 = V(), c22 = V(), c30 = V(), c31 = V(), c32 = V()
    var ap = a
    for k in 0..<depth {
        let xp = UnsafeRawPointer(x + offsets[k])
        let x0 = xp.loadUnaligned(as: V.self), x1 = (xp + 32).loadUnaligned(as: V.self)
        let x2 = (xp + 64).loadUnaligned(as: V.self)
        var w = V(repeating: ap[0]); c00.addProduct(w, x0); c01.addProduct(w, x1); c02.addProduct(w, x2)
        w = V(repeating: ap[1]); c10.addProduct(w, x0); c11.addProduct(w, x1); c12.addProduct(w, x2)
        w = V(repeating: ap[2]); c20.addProduct(w, x0); c21.addProduct(w, x1); c22.addProduct(w, x2)
        w = V(repeating: ap[3]); c30.addProduct(w, x0); c31.addProduct(w, x1); c32.addProduct(w, x2)
        ap += 8
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V, _ v2: V) {
        let p = UnsafeMutableRawPointer(c + r &* ldc)
        p.storeBytes(of: v0, as: V.self); (p + 32).storeBytes(of: v1, as: V.self)
        (p + 64).storeBytes(of: v2, as: V.self)
    }
    store(0, c00, c01, c02); store(1, c10, c11, c12); store(2, c20, c21, c22); store(3, c30, c31, c32)
}

/// C[4×16], as `convKernel4x24` with two loads of the image per tap.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func convKernel4x16(
    _ depth: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
    _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    typealias V = SIMD8<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var ap = a
    for k in 0..<depth {
        let xp = UnsafeRawPointer(x + offsets[k])
        let x0 = xp.loadUnaligned(as: V.self), x1 = (xp + 32).loadUnaligned(as: V.self)
        var w = V(repeating: ap[0]); c00.addProduct(w, x0); c01.addProduct(w, x1)
        w = V(repeating: ap[1]); c10.addProduct(w, x0); c11.addProduct(w, x1)
        w = V(repeating: ap[2]); c20.addProduct(w, x0); c21.addProduct(w, x1)
        w = V(repeating: ap[3]); c30.addProduct(w, x0); c31.addProduct(w, x1)
        ap += 8
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V) { storeRow16(c + r &* ldc, v0, v1, true) }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21); store(3, c30, c31)
}
