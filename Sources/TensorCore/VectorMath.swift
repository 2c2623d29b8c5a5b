// exp and erf on SIMD16 vectors, so activations and softmax run at vector speed instead of one
// libm call per element. Accuracy is checked against Foundation in the tests (≤ 2 ulp for exp,
// ≤ 2e-7 absolute for erf).

public typealias Vec16 = SIMD16<Float>

/// e^x: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial (Cephes expf's
/// coefficients), times 2^n assembled in the exponent bits. Saturates outside [−87.3, 88.7].
@inlinable @inline(__always)
public func vexp(_ x: Vec16) -> Vec16 {
    var xc = x
    xc.replace(with: -87.33654, where: xc .< -87.33654)
    xc.replace(with: 88.72283, where: xc .> 88.72283)
    // Round x·log₂e to the nearest integer by adding 1.5·2²³: the sum's low mantissa bits then hold
    // n itself, so n·2²³ is those bits shifted into the exponent field (no float→int conversion).
    // (Every step a fused multiply-add: Swift does not contract `a * b + c` on its own.)
    let k = Vec16(repeating: 12_582_912).addingProduct(xc, 1.44269504088896341)
    let n = k - 12_582_912
    var r = xc.addingProduct(n, -0.693359375)  // ln2 split in two for an exact product with n
    r = r.addingProduct(n, 2.12194440e-4)
    var p = Vec16(repeating: 1.3981999507e-3).addingProduct(r, 1.9875691500e-4)
    p = Vec16(repeating: 8.3334519073e-3).addingProduct(p, r)
    p = Vec16(repeating: 4.1665795894e-2).addingProduct(p, r)
    p = Vec16(repeating: 1.6666665459e-1).addingProduct(p, r)
    p = Vec16(repeating: 5.0000001201e-1).addingProduct(p, r)
    p = (r + 1).addingProduct(p, r * r)
    return Vec16(bitPattern: p.bitPattern &+ (k.bitPattern &<< 23))
}

/// erf(x) by Abramowitz & Stegun 7.1.26 refined: erf(|x|) = 1 − t·poly(t)·e^{−x²}, t = 1/(1 + p|x|),
/// absolute error below 1.5e-7; odd in x.
@inlinable @inline(__always)
public func verf(_ x: Vec16) -> Vec16 {
    let a = Vec16(bitPattern: x.bitPattern & SIMD16<UInt32>(repeating: 0x7fff_ffff))
    let t = 1 / Vec16(repeating: 1).addingProduct(a, 0.3275911)
    var y = Vec16(repeating: -1.453152027).addingProduct(t, 1.061405429)
    y = Vec16(repeating: 1.421413741).addingProduct(y, t)
    y = Vec16(repeating: -0.284496736).addingProduct(y, t)
    y = Vec16(repeating: 0.254829592).addingProduct(y, t)
    let e = Vec16(repeating: 1).addingProduct(-(y * t), vexp(-a * a))
    return Vec16(bitPattern: e.bitPattern | (x.bitPattern & SIMD16<UInt32>(repeating: 0x8000_0000)))
}

extension SIMD16 where Scalar == Float {
    @inlinable public init(bitPattern b: SIMD16<UInt32>) { self = unsafeBitCast(b, to: SIMD16<Float>.self) }
    @inlinable public var bitPattern: SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }
}

/// out[i] = f(x[i]) over a buffer, 16 at a time (the tail through a zero-padded vector).
@inlinable
public func vectorMap(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Vec16) -> Vec16) {
    var i = 0
    while i + 16 <= n {
        UnsafeMutableRawPointer(out + i).storeBytes(
            of: f(UnsafeRawPointer(x + i).loadUnaligned(as: Vec16.self)), as: Vec16.self)
        i += 16
    }
    if i < n {
        var v = Vec16()
        for j in 0..<(n - i) { v[j] = x[i + j] }
        let r = f(v)
        for j in 0..<(n - i) { out[i + j] = r[j] }
    }
}

/// out[i] = f(x[i], y[i]) over two buffers.
@inlinable
public func vectorMap2(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
    _ f: (Vec16, Vec16) -> Vec16
) {
    var i = 0
    while i + 16 <= n {
        let a = UnsafeRawPointer(x + i).loadUnaligned(as: Vec16.self)
        let b = UnsafeRawPointer(y + i).loadUnaligned(as: Vec16.self)
        UnsafeMutableRawPointer(out + i).storeBytes(of: f(a, b), as: Vec16.self)
        i += 16
    }
    if i < n {
        var a = Vec16()
        var b = Vec16()
        for j in 0..<(n - i) {
            a[j] = x[i + j]
            b[j] = y[i + j]
        }
        let r = f(a, b)
        for j in 0..<(n - i) { out[i + j] = r[j] }
    }
}

/// The sum and the largest of a vector's lanes, as a tree of halvings (the generic `sum()` and
/// `max()` are lane-by-lane loops that are not always inlined; these are 4 shuffles and 4 ops).
@inlinable @inline(__always)
public func horizontalSum(_ v: Vec16) -> Float {
    let a = v.lowHalf + v.highHalf
    let b = a.lowHalf + a.highHalf
    let c = b.lowHalf + b.highHalf
    return c[0] + c[1]
}

@inlinable @inline(__always)
public func horizontalMax(_ v: Vec16) -> Float {
    // (`pointwiseMax` is scalarised; a compare and a blend are not.)
    var a = v.lowHalf
    let ah = v.highHalf
    a.replace(with: ah, where: ah .> a)
    var b = a.lowHalf
    let bh = a.highHalf
    b.replace(with: bh, where: bh .> b)
    var c = b.lowHalf
    let ch = b.highHalf
    c.replace(with: ch, where: ch .> c)
    return Swift.max(c[0], c[1])
}
