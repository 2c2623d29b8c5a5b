// One seeded random number generator for the whole package.
//
// xoshiro256** (Blackman & Vigna 2018), seeded through SplitMix64. A generator can be *split*
// by purpose ("data", "noise", "timesteps", "dropout"): the child's seed is a hash of the
// parent's seed and the purpose's name, so adding a draw for one purpose never shifts the
// numbers of another. Tensors are filled serially, so the bytes do not depend on thread count.

/// A deterministic, splittable pseudo-random generator.
public struct RNG: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    /// The seed this generator started from (after splitting, the derived seed).
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        s = (splitMix64(&sm), splitMix64(&sm), splitMix64(&sm), splitMix64(&sm))
    }

    /// An independent generator for one purpose, derived from this generator's seed.
    public func split(_ purpose: String) -> RNG {
        var mix = seed ^ fnv1a(purpose.utf8)  // FNV-1a over the purpose's UTF-8 bytes
        return RNG(seed: splitMix64(&mix))
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal through Box–Muller (one value per call; the pair's second half is dropped
    /// so that each value depends only on the draws before it).
    public mutating func normal() -> Float {
        let u1 = 1 - uniformDouble()  // (0, 1]
        let u2 = uniformDouble()
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// An integer in 0..<n, without modulo bias.
    public mutating func randint(_ n: Int) -> Int {
        precondition(n > 0, "randint: upper bound must be positive, got \(n)")
        return Int(next(upperBound: UInt64(n)))
    }

    /// A tensor of standard normal values.
    public mutating func normal(_ shape: [Int]) -> Tensor {
        var v = [Float](repeating: 0, count: shape.product)
        for i in v.indices { v[i] = normal() }
        return Tensor(shape: shape, scalars: v)
    }

    /// A tensor of values uniform in [low, high).
    public mutating func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        var v = [Float](repeating: 0, count: shape.product)
        for i in v.indices { v[i] = low + (high - low) * uniform() }
        return Tensor(shape: shape, scalars: v)
    }
}

@inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

@inline(__always) func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
}

#if canImport(Glibc)
    import Glibc
    @inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
    import Darwin
    @inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
    @inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
