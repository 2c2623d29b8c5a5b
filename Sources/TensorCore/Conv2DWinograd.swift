// 3×3 "same" convolutions by Winograd's minimal filtering, F(2×2, 3×3) (Lavin & Gray 2016).
//
// Each 2×2 block of outputs ("tile") comes from a 4×4 window of the padded input d. With
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 −1 −1],
// a filter g becomes U = G·g·Gᵀ (4×4) and a window V = Bᵀ·d·B (4×4); then, for each of the 16
// positions ξ of those 4×4 arrays, a matrix product over input channels,
//   M_ξ[co, tile] = Σ_ci U_ξ[co, ci] · V_ξ[ci, tile],
// and the outputs are Y = Aᵀ·M·A per tile. That is 16 multiply-adds per tile and channel pair where
// the direct convolution needs 36 (4 outputs × 9 taps): 2.25× fewer, for a few additions in the
// transforms. The products run on the direct convolution's 8×48 micro-kernel (the 16 V_ξ rows of
// a channel are its "taps"), over blocks of 48 tiles whose transforms stay in cache.
//
// The transforms are vectorised across 16 tiles: one row of tiles when the image is 32 wide (or a
// multiple), two rows of 8 at 16 wide, four rows of 4 at 8 wide. Each lane's 4×4 window is then
// the even and odd lanes of two 32-float loads per window row.
// `conv2dNaive` stays the oracle: KernelTests compare this path with it, forward and backward.

/// Whether the Winograd path applies: a 3×3 kernel, padding 1, and images whose tiles fill whole
/// vectors of 16 (width 8 or 16 or a multiple of 32, even height, 16 tiles per image at least).
func winogradApplies(kernel: Int, padding: Int, height: Int, width: Int) -> Bool {
    guard kernel == 3 && padding == 1 && height % 2 == 0 && height >= 2 else { return false }
    guard width == 8 || width == 16 || (width % 32 == 0 && width > 0) else { return false }
    return (height / 2) * (width / 2) % 16 == 0
}

/// out (B, Cout, H, W) = conv3×3(x, w, padding 1) + bias[co] + imageBias[b, co] (+ residual), for
/// images padded by `PaddedImages` (padding 1, kernel 3). `flipped` as in `conv2dDirect`.
func conv2dWinograd(
    _ x: PaddedImages, weight w: UnsafePointer<Float>, outChannels Co: Int,
    bias: UnsafePointer<Float>?, imageBias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
    flipped: Bool, out: UnsafeMutablePointer<Float>
) {
    let C = x.channels
    let H = x.height
    let W = x.width
    let Wp = x.rowLength
    let plane = x.plane
    let image = C * plane
    let rows = ConvKernel.rows
    let panels = (Co + rows - 1) / rows
    let tilesWide = W / 2
    let vectorsPerImage = (H / 2) * tilesWide / 16
    let vectors = x.batch * vectorsPerImage
    // A vector of 16 tiles is `16 / segmentTiles` rows of tiles, each `segmentTiles` tiles wide.
    let segmentTiles = Swift.min(16, tilesWide)
    let segment = 2 * segmentTiles

    // U_ξ packed like the direct kernel's weights: for each ξ and panel of 8 output channels,
    // C steps of 8 floats.
    let packedU = UnsafeMutablePointer<Float>.allocate(capacity: 16 * panels * C * rows)
    defer { packedU.deallocate() }
    Parallel.chunks(panels) { range in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 21) { buffer in
            let g = buffer.baseAddress!
            let gg = g + 9  // g (3×3), then G·g (4×3)
            let next = panels * C * rows
            for t in range {
                for r in 0..<rows {
                    let co = t * rows + r
                    for ci in 0..<C {
                        if co >= Co {
                            g.update(repeating: 0, count: 9)
                        } else if flipped {
                            let src = w + (ci * Co + co) * 9
                            for k in 0..<9 { g[k] = src[8 - k] }
                        } else {
                            g.update(from: w + (co * C + ci) * 9, count: 9)
                        }
                        for j in 0..<3 {
                            let a = g[j]
                            let b = g[3 + j]
                            let c = g[6 + j]
                            gg[j] = a
                            gg[3 + j] = 0.5 * (a + b + c)
                            gg[6 + j] = 0.5 * (a - b + c)
                            gg[9 + j] = c
                        }
                        for i in 0..<4 {
                            let a = gg[i * 3]
                            let b = gg[i * 3 + 1]
                            let c = gg[i * 3 + 2]
                            let row = packedU + ((i * 4 * panels + t) * C + ci) * rows + r
                            row[0] = a
                            row[next] = 0.5 * (a + b + c)
                            row[2 * next] = 0.5 * (a - b + c)
                            row[3 * next] = c
                        }
                    }
                }
            }
        }
    }

    let block = 3  // vectors of 16 tiles per block: 48 tiles, the micro-kernel's width
    let blocks = (vectors + block - 1) / block
    Parallel.forEach(blocks) { bi in
        let v0 = bi * block
        let nv = Swift.min(block, vectors - v0)
        let nt = 16 * nv
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 16 * (C + panels * rows) * nt)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: C)
        defer {
            scratch.deallocate()
            offsets.deallocate()
        }
        for ci in 0..<C { offsets[ci] = ci * nt }
        let V = scratch
        let M = scratch + 16 * C * nt
        // Input transform: V_ξ[ci, tile] for this block's tiles, ξ = 4·row + column of Bᵀ·d·B.
        for j in 0..<nv {
            let v = v0 + j
            let b = v / vectorsPerImage
            let t0 = (v % vectorsPerImage) * 16
            let ty = t0 / tilesWide
            let tx = t0 % tilesWide
            for ci in 0..<C {
                let p = UnsafePointer(x.base) + b * image + ci * plane + 2 * ty * Wp + 2 * tx
                // Row i of the window, its columns transformed (·B): e_i0 … e_i3.
                @inline(__always) func rowTransform(_ i: Int) -> (Vec16, Vec16, Vec16, Vec16) {
                    let w0 = loadSegments(p + i * Wp, segment, 2 * Wp)
                    let w2 = loadSegments(p + i * Wp + 2, segment, 2 * Wp)
                    let d0 = w0.evenHalf
                    let d1 = w0.oddHalf
                    let d2 = w2.evenHalf
                    let d3 = w2.oddHalf
                    return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                }
                let e0 = rowTransform(0)
                let e1 = rowTransform(1)
                let e2 = rowTransform(2)
                let e3 = rowTransform(3)
                let dst = V + ci * nt + j * 16
                let xiStride = C * nt
                @inline(__always) func put(_ xi: Int, _ value: Vec16) {
                    UnsafeMutableRawPointer(dst + xi * xiStride).storeBytes(of: value, as: Vec16.self)
                }
                // Bᵀ· on the rows.
                put(0, e0.0 - e2.0)
                put(1, e0.1 - e2.1)
                put(2, e0.2 - e2.2)
                put(3, e0.3 - e2.3)
                put(4, e1.0 + e2.0)
                put(5, e1.1 + e2.1)
                put(6, e1.2 + e2.2)
                put(7, e1.3 + e2.3)
                put(8, e2.0 - e1.0)
                put(9, e2.1 - e1.1)
                put(10, e2.2 - e1.2)
                put(11, e2.3 - e1.3)
                put(12, e1.0 - e3.0)
                put(13, e1.1 - e3.1)
                put(14, e1.2 - e3.2)
                put(15, e1.3 - e3.3)
            }
        }
        // The 16 products, each (8-channel panels) × (C) · (C) × (nt tiles).
        for xi in 0..<16 {
            for t in 0..<panels {
                let a = packedU + ((xi * panels + t) * C) * rows
                let src = UnsafePointer(V + xi * C * nt)
                let dst = M + (xi * panels * rows + t * rows) * nt
                switch nt {
                case 48: convKernel8x48(C, src, offsets, a, dst, nt)
                case 32: convKernel8x32(C, src, offsets, a, dst, nt)
                default: convKernel8x16(C, src, offsets, a, dst, nt)
                }
            }
        }
        // Output transform Aᵀ·M·A, biases and residual, written as 2×2 tiles.
        let ldm = panels * rows * nt
        for j in 0..<nv {
            let v = v0 + j
            let b = v / vectorsPerImage
            let t0 = (v % vectorsPerImage) * 16
            let ty = t0 / tilesWide
            let tx = t0 % tilesWide
            for co in 0..<Co {
                let src = M + co * nt + j * 16
                @inline(__always) func m(_ xi: Int) -> Vec16 {
                    UnsafeRawPointer(src + xi * ldm).loadUnaligned(as: Vec16.self)
                }
                // Aᵀ· on the rows of M: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3, per column c.
                @inline(__always) func columns(_ c: Int) -> (Vec16, Vec16) {
                    let a = m(c)
                    let bb = m(4 + c)
                    let cc = m(8 + c)
                    let dd = m(12 + c)
                    return (a + bb + cc, bb - cc - dd)
                }
                let c0 = columns(0)
                let c1 = columns(1)
                let c2 = columns(2)
                let c3 = columns(3)
                let add = Vec16(repeating: (bias?[co] ?? 0) + (imageBias?[b * Co + co] ?? 0))
                let o = (b * Co + co) * H * W + 2 * ty * W + 2 * tx
                var y00 = c0.0 + c1.0 + c2.0 + add
                var y01 = c1.0 - c2.0 - c3.0 + add
                var y10 = c0.1 + c1.1 + c2.1 + add
                var y11 = c1.1 - c2.1 - c3.1 + add
                if let residual {
                    // (Arithmetic on SIMD32 is scalarised; only its even/odd shuffles are used.)
                    let r0 = loadSegments(residual + o, segment, 2 * W)
                    let r1 = loadSegments(residual + o + W, segment, 2 * W)
                    y00 += r0.evenHalf
                    y01 += r0.oddHalf
                    y10 += r1.evenHalf
                    y11 += r1.oddHalf
                }
                var top = SIMD32<Float>()
                var bottom = SIMD32<Float>()
                top.evenHalf = y00
                top.oddHalf = y01
                bottom.evenHalf = y10
                bottom.oddHalf = y11
                storeSegments(top, out + o, segment, 2 * W)
                storeSegments(bottom, out + o + W, segment, 2 * W)
            }
        }
    }
}

/// 32 floats from `32 / segment` runs of `segment` floats, `step` apart.
@inline(__always)
func loadSegments(_ p: UnsafePointer<Float>, _ segment: Int, _ step: Int) -> SIMD32<Float> {
    let r = UnsafeRawPointer(p)
    switch segment {
    case 32: return r.loadUnaligned(as: SIMD32<Float>.self)
    case 16:
        return SIMD32(
            lowHalf: r.loadUnaligned(as: SIMD16<Float>.self),
            highHalf: (r + 4 * step).loadUnaligned(as: SIMD16<Float>.self))
    default:
        let a = SIMD16(
            lowHalf: r.loadUnaligned(as: SIMD8<Float>.self),
            highHalf: (r + 4 * step).loadUnaligned(as: SIMD8<Float>.self))
        let b = SIMD16(
            lowHalf: (r + 8 * step).loadUnaligned(as: SIMD8<Float>.self),
            highHalf: (r + 12 * step).loadUnaligned(as: SIMD8<Float>.self))
        return SIMD32(lowHalf: a, highHalf: b)
    }
}

/// The inverse of `loadSegments`.
@inline(__always)
func storeSegments(_ v: SIMD32<Float>, _ p: UnsafeMutablePointer<Float>, _ segment: Int, _ step: Int) {
    let r = UnsafeMutableRawPointer(p)
    switch segment {
    case 32: r.storeBytes(of: v, as: SIMD32<Float>.self)
    case 16:
        r.storeBytes(of: v.lowHalf, as: SIMD16<Float>.self)
        (r + 4 * step).storeBytes(of: v.highHalf, as: SIMD16<Float>.self)
    default:
        r.storeBytes(of: v.lowHalf.lowHalf, as: SIMD8<Float>.self)
        (r + 4 * step).storeBytes(of: v.lowHalf.highHalf, as: SIMD8<Float>.self)
        (r + 8 * step).storeBytes(of: v.highHalf.lowHalf, as: SIMD8<Float>.self)
        (r + 12 * step).storeBytes(of: v.highHalf.highHalf, as: SIMD8<Float>.self)
    }
}
