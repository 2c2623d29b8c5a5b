// The floating-point peak one core sustains, measured: twelve independent SIMD16 fused
// multiply-add chains (enough to cover the FMA latency), run long enough to time. Efficiency is
// quoted against this figure, not the nominal one: on Zen 4, AVX-512 runs on 256-bit units.

import Foundation

@inline(never) func fmaChains(_ n: Int, _ seed: SIMD16<Float>) -> SIMD16<Float> {
    var a0 = seed, a1 = seed + 1, a2 = seed + 2, a3 = seed + 3, a4 = seed + 4, a5 = seed + 5
    var a6 = seed + 6, a7 = seed + 7, a8 = seed + 8, a9 = seed + 9, a10 = seed + 10, a11 = seed + 11
    let m = SIMD16<Float>(repeating: 0.999), b = SIMD16<Float>(repeating: 1e-3)
    for _ in 0..<n {
        a0.addProduct(b, m); a1.addProduct(b, m); a2.addProduct(b, m); a3.addProduct(b, m); a4.addProduct(b, m); a5.addProduct(b, m)
        a6.addProduct(b, m); a7.addProduct(b, m); a8.addProduct(b, m); a9.addProduct(b, m); a10.addProduct(b, m); a11.addProduct(b, m)
    }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
}

/// GFLOP/s of one core running nothing but fused multiply-adds (2 flops each, 16 lanes).
public func measuredFMAPeak(iterations: Int = 20_000_000) -> Double {
    let t = Date()
    let r = fmaChains(iterations, SIMD16<Float>(repeating: 1))
    let dt = Date().timeIntervalSince(t)
    if r[0] == 42 { print("") }   // keeps the loop's result alive
    return Double(iterations * 12 * 32) / dt / 1e9
}
