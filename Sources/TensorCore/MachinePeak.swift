// The floating-point peak one core sustains, measured: twelve independent fused multiply-add
// chains (enough to cover the FMA latency), run long enough to time. Efficiency is quoted against
// this figure, not the nominal one: on Zen 4, AVX-512 runs on 256-bit units.
//
// The chains must live in registers, or the loop measures loads and stores instead: twelve SIMD16
// chains where there are 32 registers of 16 floats (AVX-512), twelve SIMD8 chains where there are
// 16 of 8 (AVX2), as the CPU's default micro-kernels do (NarrowMicroKernels.swift).

import Foundation

// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never) func fmaChains16(_ n: Int, _ seed: SIMD16<Float>) -> SIMD16<Float> {
    var a0 = seed, a1 = seed + 1, a2 = seed + 2, a3 = seed + 3, a4 = seed + 4, a5 = seed + 5
    var a6 = seed + 6, a7 = seed + 7, a8 = seed + 8, a9 = seed + 9, a10 = seed + 10, a11 = seed + 11
    let m = SIMD16<Float>(repeating: 0.999), b = SIMD16<Float>(repeating: 1e-3)
    for _ in 0..<n {
        a0.addProduct(b, m); a1.addProduct(b, m); a2.addProduct(b, m); a3.addProduct(b, m); a4.addProduct(b, m)
        a5.addProduct(b, m)
        a6.addProduct(b, m); a7.addProduct(b, m); a8.addProduct(b, m); a9.addProduct(b, m); a10.addProduct(b, m)
        a11.addProduct(b, m)
    }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
}

// The same loop on SIMD8, written out rather than shared through a generic: a generic version
// compiles to different code (with SIMD16 on the AVX2 host it measured 85 GFLOP/s against this
// one's 88, 2026-12-01), and it is this SIMD16 loop that measured the AVX-512 reference figure.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never) func fmaChains8(_ n: Int, _ seed: SIMD8<Float>) -> SIMD8<Float> {
    var a0 = seed, a1 = seed + 1, a2 = seed + 2, a3 = seed + 3, a4 = seed + 4, a5 = seed + 5
    var a6 = seed + 6, a7 = seed + 7, a8 = seed + 8, a9 = seed + 9, a10 = seed + 10, a11 = seed + 11
    let m = SIMD8<Float>(repeating: 0.999), b = SIMD8<Float>(repeating: 1e-3)
    for _ in 0..<n {
        a0.addProduct(b, m); a1.addProduct(b, m); a2.addProduct(b, m); a3.addProduct(b, m); a4.addProduct(b, m)
        a5.addProduct(b, m)
        a6.addProduct(b, m); a7.addProduct(b, m); a8.addProduct(b, m); a9.addProduct(b, m); a10.addProduct(b, m)
        a11.addProduct(b, m)
    }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
}

/// GFLOP/s of one core running nothing but fused multiply-adds (2 flops each, 16 or 8 lanes).
public func measuredFMAPeak(iterations: Int = 20_000_000) -> Double {
    _ = MicroKernels.current  // a bad DREAMBOOTH_MICROKERNELS is refused before anything is timed
    let t = Date()
    let alive: Float
    let lanes: Int
    if MicroKernels.cpuHasAVX512 {  // the CPU's registers, whichever micro-kernels are chosen
        alive = fmaChains16(iterations, SIMD16<Float>(repeating: 1))[0]
        lanes = 16
    } else {
        // Twice the iterations, so that the loop runs about as long as the wide one.
        alive = fmaChains8(2 * iterations, SIMD8<Float>(repeating: 1))[0]
        lanes = 8
    }
    let dt = Date().timeIntervalSince(t)
    if alive == 42 { print("") }  // keeps the loop's result alive
    let fmas = (lanes == 16 ? iterations : 2 * iterations) * 12 * lanes
    return Double(fmas * 2) / dt / 1e9
}
