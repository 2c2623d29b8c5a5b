// Stride-1 convolution without im2col ("implicit GEMM").
//
// Pad the input once, then compute the output on a *wide* grid of OH × Wp positions per image
// (Wp the padded row length; the columns past OW of each row are garbage and dropped). For a
// "same" convolution (k = 2p + 1) a row needs only p zeros between it and the next: the left
// padding of row y + 1 is the right padding of row y, so Wp = W + p; otherwise Wp = W + 2p.
// In that grid, output position q and kernel tap k = (ci, ky, kx) read the padded input at
//     q + offset[k],   offset[k] = ci·Hp·Wp + ky·Wp + kx,
// so 48 consecutive positions read 48 consecutive inputs — three vector loads. The micro-kernel
// (`convKernel8x48`) keeps 8 output channels × 48 positions in registers: per tap it broadcasts 8
// weights (W packed once, 8 channels per tap) against the three vectors of the padded image,
// addressed through a table of K offsets, so the patch matrix is never written. The output comes
// out channels-first on the wide grid; dropping the garbage columns is a copy per row, which also
// adds the biases and a residual.

/// out (B, Cout, OH, OW) = conv(x, w, stride 1) + bias[co] + imageBias[b, co] (+ residual, of out's
/// shape), for images already
/// padded (`PaddedImages`, built for this kernel size); w (Cout, C, kh, kw), all row-major.
/// `flipped` reads w as the pullback's kernel instead: W'[ci, co, u, v] = w[co, ci, kh−1−u, kw−1−v]
/// (then w is (C, Cout, kh, kw) seen from this call's side: Cout here is the original C).
/// 3×3 "same" convolutions on images that tile evenly go to `conv2dWinograd` instead.
func conv2dDirect(
    _ x: PaddedImages, weight w: UnsafePointer<Float>, outChannels Co: Int, kernelH kh: Int, kernelW kw: Int,
    bias: UnsafePointer<Float>?, imageBias: UnsafePointer<Float>? = nil, residual: UnsafePointer<Float>? = nil,
    flipped: Bool = false, out: UnsafeMutablePointer<Float>
) {
    if kh == kw && winogradApplies(kernel: kh, padding: x.padding, height: x.height, width: x.width) {
        conv2dWinograd(
            x, weight: w, outChannels: Co, bias: bias, imageBias: imageBias, residual: residual, flipped: flipped,
            out: out)
        return
    }
    let C = x.channels
    let Wp = x.rowLength
    let (OH, OW) = x.outputSize(kernelH: kh, kernelW: kw)
    let plane = x.plane
    let image = C * plane
    let M = OH * Wp
    let K = C * kh * kw
    let rows = ConvKernel.rows
    let span = ConvKernel.columns
    let batch = x.batch
    let xpad = x.base
    let packedW = ConvPackedWeights(w, outChannels: Co, inChannels: C, kernelH: kh, kernelW: kw, flipped: flipped)
    if let lanes = BatchLanes.lanes(batch: batch, outHeight: OH, outWidth: OW) {
        conv2dBatchLanes(
            x, weights: packedW, outChannels: Co, kernelH: kh, kernelW: kw, bias: bias, imageBias: imageBias,
            residual: residual, lanes: lanes, out: out)
        return
    }
    let panels = packedW.panels
    var offsets = [Int](repeating: 0, count: K)
    for ci in 0..<C {
        for ky in 0..<kh { for kx in 0..<kw { offsets[(ci * kh + ky) * kw + kx] = ci * plane + ky * Wp + kx } }
    }
    // The wide grid rounded up to whole vectors; positions past M read the slack and are dropped.
    let Mp = (M + 15) / 16 * 16
    offsets.withUnsafeBufferPointer { off in
        Parallel.forEach(batch) { b in
            let wide = UnsafeMutablePointer<Float>.allocate(capacity: panels * rows * Mp)
            defer { wide.deallocate() }
            let base = xpad + b * image
            for t in 0..<panels {
                let a = packedW.panel(t)
                let c = wide + t * rows * Mp
                var q = 0
                while q + span <= Mp {
                    convKernel8x48(K, base + q, off.baseAddress!, a, c + q, Mp)
                    q += span
                }
                if Mp - q == 32 { convKernel8x32(K, base + q, off.baseAddress!, a, c + q, Mp) }
                if Mp - q == 16 { convKernel8x16(K, base + q, off.baseAddress!, a, c + q, Mp) }
            }
            // Wide rows → (Cout, OH, OW), dropping the garbage columns, adding the biases (and residual).
            let o = out + b * Co * OH * OW
            // Without garbage columns (1×1 kernels) a plane is one run: no row is a partly filled vector.
            let (runs, run) = Wp == OW ? (1, OH * OW) : (OH, OW)
            for co in 0..<Co {
                let add = Vec16(repeating: (bias?[co] ?? 0) + (imageBias?[b * Co + co] ?? 0))
                for y in 0..<runs {
                    let row = co * OH * OW + y * run
                    if let residual {
                        vectorMap2(wide + co * Mp + y * Wp, residual + b * Co * OH * OW + row, o + row, run) {
                            ($0 + add) + $1
                        }
                    } else {
                        vectorMap(wide + co * Mp + y * Wp, o + row, run) { $0 + add }
                    }
                }
            }
        }
    }
}

/// W packed in panels of 8 output channels, tap by tap (zero rows past Cout): panel t holds
/// W[8t + r, k] at [k·8 + r]. `flipped` packs the pullback's kernel, as `conv2dDirect` reads it.
final class ConvPackedWeights {
    let base: UnsafeMutablePointer<Float>
    let panels, taps: Int

    init(
        _ w: UnsafePointer<Float>, outChannels Co: Int, inChannels C: Int, kernelH kh: Int, kernelW kw: Int,
        flipped: Bool
    ) {
        let rows = ConvKernel.rows
        let K = C * kh * kw
        panels = (Co + rows - 1) / rows
        taps = K
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: panels * K * rows)
        base = packed
        Parallel.chunks(panels) { range in
            for t in range {
                let panel = packed + t * K * rows
                for r in 0..<rows {
                    let co = t * rows + r
                    if co >= Co {
                        for k in 0..<K { panel[k * rows + r] = 0 }
                        continue
                    }
                    if !flipped {
                        for k in 0..<K { panel[k * rows + r] = w[co * K + k] }
                        continue
                    }
                    for ci in 0..<C {
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                panel[((ci * kh + ky) * kw + kx) * rows + r] =
                                    w[((ci * Co + co) * kh + kh - 1 - ky) * kw + kw - 1 - kx]
                            }
                        }
                    }
                }
            }
        }
    }

    deinit { base.deallocate() }

    func panel(_ t: Int) -> UnsafePointer<Float> { UnsafePointer(base + t * taps * ConvKernel.rows) }
}

/// The convolution micro-kernel's tile: 8 output channels × 48 positions of the wide grid.
enum ConvKernel {
    static let rows = 8, columns = 48
}

/// C[8×48] = Σ_k A[0..<8, k] ⊗ X[k, 0..<48], A packed (8 floats per tap) and X[k, j] = x[offsets[k] + j]:
/// per tap three vector loads of the padded image, eight broadcasts and 24 fused multiply-adds.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func convKernel8x48(
    _ depth: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
    _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    if MicroKernels.current == .narrow {
        narrowConvKernel8x48(depth, x, offsets, a, c, ldc)
        return
    }
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(), c02 = V(), c10 = V(), c11 = V(), c12 = V(), c20 = V(), c21 = V(), c22 = V()
    var c30 = V(), c31 = V(), c32 = V(), c40 = V(), c41 = V(), c42 = V(), c50 = V(), c51 = V(), c52 = V()
    var c60 = V(), c61 = V(), c62 = V(), c70 = V(), c71 = V(), c72 = V()
    var ap = a
    for k in 0..<depth {
        let xp = UnsafeRawPointer(x + offsets[k])
        let x0 = xp.loadUnaligned(as: V.self), x1 = (xp + 64).loadUnaligned(as: V.self)
        let x2 = (xp + 128).loadUnaligned(as: V.self)
        var w = V(repeating: ap[0]); c00.addProduct(w, x0); c01.addProduct(w, x1); c02.addProduct(w, x2)
        w = V(repeating: ap[1]); c10.addProduct(w, x0); c11.addProduct(w, x1); c12.addProduct(w, x2)
        w = V(repeating: ap[2]); c20.addProduct(w, x0); c21.addProduct(w, x1); c22.addProduct(w, x2)
        w = V(repeating: ap[3]); c30.addProduct(w, x0); c31.addProduct(w, x1); c32.addProduct(w, x2)
        w = V(repeating: ap[4]); c40.addProduct(w, x0); c41.addProduct(w, x1); c42.addProduct(w, x2)
        w = V(repeating: ap[5]); c50.addProduct(w, x0); c51.addProduct(w, x1); c52.addProduct(w, x2)
        w = V(repeating: ap[6]); c60.addProduct(w, x0); c61.addProduct(w, x1); c62.addProduct(w, x2)
        w = V(repeating: ap[7]); c70.addProduct(w, x0); c71.addProduct(w, x1); c72.addProduct(w, x2)
        ap += 8
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V, _ v2: V) {
        let p = UnsafeMutableRawPointer(c + r &* ldc)
        p.storeBytes(of: v0, as: V.self); (p + 64).storeBytes(of: v1, as: V.self)
        (p + 128).storeBytes(of: v2, as: V.self)
    }
    store(0, c00, c01, c02); store(1, c10, c11, c12); store(2, c20, c21, c22); store(3, c30, c31, c32)
    store(4, c40, c41, c42); store(5, c50, c51, c52); store(6, c60, c61, c62); store(7, c70, c71, c72)
}

/// The 8×32 and 8×16 edges of `convKernel8x48`, for the last positions of the grid.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func convKernel8x32(
    _ depth: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
    _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    if MicroKernels.current == .narrow {
        narrowConvKernel8xN(32, depth, x, offsets, a, c, ldc)
        return
    }
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    var ap = a
    for k in 0..<depth {
        let xp = UnsafeRawPointer(x + offsets[k])
        let x0 = xp.loadUnaligned(as: V.self), x1 = (xp + 64).loadUnaligned(as: V.self)
        var w = V(repeating: ap[0]); c00.addProduct(w, x0); c01.addProduct(w, x1)
        w = V(repeating: ap[1]); c10.addProduct(w, x0); c11.addProduct(w, x1)
        w = V(repeating: ap[2]); c20.addProduct(w, x0); c21.addProduct(w, x1)
        w = V(repeating: ap[3]); c30.addProduct(w, x0); c31.addProduct(w, x1)
        w = V(repeating: ap[4]); c40.addProduct(w, x0); c41.addProduct(w, x1)
        w = V(repeating: ap[5]); c50.addProduct(w, x0); c51.addProduct(w, x1)
        w = V(repeating: ap[6]); c60.addProduct(w, x0); c61.addProduct(w, x1)
        w = V(repeating: ap[7]); c70.addProduct(w, x0); c71.addProduct(w, x1)
        ap += 8
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V) { storeRow32(c + r &* ldc, v0, v1, true) }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21); store(3, c30, c31)
    store(4, c40, c41); store(5, c50, c51); store(6, c60, c61); store(7, c70, c71)
}

// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func convKernel8x16(
    _ depth: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
    _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    if MicroKernels.current == .narrow {
        narrowConvKernel8xN(16, depth, x, offsets, a, c, ldc)
        return
    }
    typealias V = SIMD16<Float>
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V()
    var ap = a
    for k in 0..<depth {
        let x0 = UnsafeRawPointer(x + offsets[k]).loadUnaligned(as: V.self)
        c0.addProduct(V(repeating: ap[0]), x0); c1.addProduct(V(repeating: ap[1]), x0)
        c2.addProduct(V(repeating: ap[2]), x0); c3.addProduct(V(repeating: ap[3]), x0)
        c4.addProduct(V(repeating: ap[4]), x0); c5.addProduct(V(repeating: ap[5]), x0)
        c6.addProduct(V(repeating: ap[6]), x0); c7.addProduct(V(repeating: ap[7]), x0)
        ap += 8
    }
    @inline(__always) func store(_ r: Int, _ v: V) {
        UnsafeMutableRawPointer(c + r &* ldc).storeBytes(of: v, as: V.self)
    }
    store(0, c0); store(1, c1); store(2, c2); store(3, c3); store(4, c4); store(5, c5); store(6, c6); store(7, c7)
}

/// Images zero-padded for a stride-1 kernel: p rows above and below each plane and p columns
/// before each row — and after it too unless the kernel is "same" (k = 2p + 1), where the next row's
/// leading zeros serve — followed by slack zeros that the garbage columns of the wide grid may read.
///
/// A 1×1 kernel needs no padding, and when a plane is a whole number of vectors no slack either:
/// then the images are read where they are, and `x` must outlive this object (use it inside the
/// closure that lent the pointer).
final class PaddedImages {
    let base: UnsafeMutablePointer<Float>
    let batch, channels, height, width, padding: Int
    /// Floats per padded row (W + p or W + 2p) and per padded plane.
    let rowLength, plane: Int
    /// Whether this holds a padded copy (otherwise it reads `x` in place).
    let owned: Bool

    /// `affine`, when given, maps plane i (image b, channel c: i = b·C + c) through
    /// x ↦ scale[i]·x + shift[i], then SiLU when asked, as it is copied: a GroupNorm written
    /// straight into the padded layout.
    init(
        _ x: UnsafePointer<Float>, batch: Int, channels C: Int, height H: Int, width W: Int, padding p: Int,
        kernel: Int,
        affine: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, silu: Bool)? = nil
    ) {
        let Wp = kernel == 2 * p + 1 ? W + p : W + 2 * p
        let Hp = H + 2 * p
        let plane = Hp * Wp
        let right = Wp - p - W
        let slack = Wp * kernel + 2 * GEMMBlocking.mr
        self.batch = batch
        channels = C
        height = H
        width = W
        padding = p
        rowLength = Wp
        self.plane = plane
        owned = !(kernel == 1 && p == 0 && plane % 16 == 0 && affine == nil)
        if !owned {
            base = UnsafeMutablePointer(mutating: x)
            return
        }
        let xpad = UnsafeMutablePointer<Float>.allocate(capacity: batch * C * plane + slack)
        base = xpad
        (xpad + batch * C * plane).initialize(repeating: 0, count: slack)
        // Rows narrower than a vector (8² and 4² images) are mapped a plane at a time into `mapped`
        // first: row by row, each row would be one partly filled vector put together lane by lane.
        // Every element goes through the same lane-wise arithmetic either way, so the bytes agree.
        let wholePlanes = affine != nil && W % 16 != 0
        Parallel.chunks(batch * C) { planes in
            let mapped = wholePlanes ? UnsafeMutablePointer<Float>.allocate(capacity: H * W) : nil
            defer { mapped?.deallocate() }
            for pc in planes {
                let dst = xpad + pc * plane
                var src = x + pc * H * W
                if let affine, let mapped {
                    affineRow(src, mapped, H * W, affine.scale[pc], affine.shift[pc], silu: affine.silu)
                    src = UnsafePointer(mapped)
                }
                dst.initialize(repeating: 0, count: p * Wp)
                for y in 0..<H {
                    let row = dst + (p + y) * Wp
                    row.initialize(repeating: 0, count: p)
                    if let affine, mapped == nil {
                        affineRow(src + y * W, row + p, W, affine.scale[pc], affine.shift[pc], silu: affine.silu)
                    } else {
                        (row + p).initialize(from: src + y * W, count: W)
                    }
                    (row + p + W).initialize(repeating: 0, count: right)
                }
                (dst + (p + H) * Wp).initialize(repeating: 0, count: p * Wp)
            }
        }
    }

    deinit { if owned { base.deallocate() } }

    /// Output rows and columns of a stride-1 kh × kw kernel on these images.
    func outputSize(kernelH kh: Int, kernelW kw: Int) -> (height: Int, width: Int) {
        (height + 2 * padding - kh + 1, width + 2 * padding - kw + 1)
    }

    /// Runs `body` on the padded images of `x` (B, C, H, W), inside the borrow of x's storage.
    static func with<R>(
        _ x: [Float], batch: Int, channels: Int, height: Int, width: Int, padding: Int, kernel: Int,
        _ body: (PaddedImages) -> R
    ) -> R {
        x.withUnsafeBufferPointer {
            body(
                PaddedImages(
                    $0.baseAddress!, batch: batch, channels: channels, height: height, width: width, padding: padding,
                    kernel: kernel))
        }
    }
}

/// ∂L/∂W for a stride-1 convolution without im2col: with the same wide grid and offsets,
///     ∂L/∂W[co, k] = Σ_b Σ_q xpad_b[offset[k] + q] · G_b[q, co],
/// a GEMM whose A rows are the padded image seen from each kernel tap (12 row pointers per strip)
/// and whose B is G laid out wide and channels-last, with zeros in the garbage columns.
/// Threads own disjoint rows k, and images are summed in order: the same bytes for any thread count.
func conv2dDirectWeightGradient(_ x: PaddedImages, grad g: UnsafePointer<Float>, outChannels Co: Int, kernel kk: Int)
    -> [Float]
{
    let C = x.channels
    let Wp = x.rowLength
    let p = x.padding
    let batch = x.batch
    let OH = x.height + 2 * p - kk + 1
    let OW = x.width + 2 * p - kk + 1
    let plane = x.plane
    let image = C * plane
    let M = OH * Wp
    let K = C * kk * kk
    let nr = GEMMBlocking.nr
    let mr = GEMMBlocking.mr
    let strips = (Co + nr - 1) / nr
    let ldg = strips * nr
    let xpad = x.base
    let gwide = UnsafeMutablePointer<Float>.allocate(capacity: batch * M * ldg)
    defer { gwide.deallocate() }
    // G (B, Co, OH, OW) → wide channels-last (B, OH·Wp, ldg), zeros elsewhere.
    Parallel.chunks(batch) { images in
        for b in images {
            let dst = gwide + b * M * ldg
            let src = g + b * Co * OH * OW
            if Co < ldg || OW < Wp { dst.initialize(repeating: 0, count: M * ldg) }
            // Row by row, so one row of the destination (Wp × ldg floats) stays in L1 across channels.
            for y in 0..<OH {
                let d = dst + y * Wp * ldg
                for co in 0..<Co {
                    let s = src + co * OH * OW + y * OW
                    for xx in 0..<OW { d[xx &* ldg &+ co] = s[xx] }
                }
            }
        }
    }
    var dwT = [Float](repeating: 0, count: K * ldg)  // (K, ldg)
    dwT.withUnsafeMutableBufferPointer { out in
        Parallel.chunks(K, grain: mr) { rows in
            let tile = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
            let pointers = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: mr)
            defer {
                tile.deallocate()
                pointers.deallocate()
            }
            // Image by image, so one image's G and padded input stay in the core's cache while every
            // tap of this thread's share meets them.
            for b in 0..<batch {
                var k0 = rows.lowerBound
                while k0 < rows.upperBound {
                    let h = min(mr, rows.upperBound - k0)
                    for i in 0..<mr {
                        let k = k0 + min(i, h - 1)  // rows past the end repeat the last; discarded
                        let ci = k / (kk * kk)
                        let ky = (k / kk) % kk
                        let kx = k % kk
                        pointers[i] = UnsafePointer(xpad + b * image + ci * plane + ky * Wp + kx)
                    }
                    for s in 0..<strips {
                        let c = out.baseAddress! + k0 * ldg + s * nr
                        let g = UnsafePointer(gwide + b * M * ldg + s * nr)
                        if h == mr {
                            // Full strip: images accumulate straight into ∂Wᵀ.
                            microKernel12x32RowPointers(M, pointers, g, ldg, c, ldg, b == 0)
                        } else {
                            microKernel12x32RowPointers(M, pointers, g, ldg, tile, nr, true)
                            storeTile(tile, h, nr, c, ldg, b == 0)
                        }
                    }
                    k0 += mr
                }
            }
        }
    }
    var dw = [Float](repeating: 0, count: Co * K)
    for co in 0..<Co { for k in 0..<K { dw[co * K + k] = dwT[k * ldg + co] } }
    return dw
}

/// C[12×32] (=, or += unless `overwrite`) Σ_q rows[i][q] · B[q, 0..<32], B[q, j] = b[q·bStep + j].
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func microKernel12x32RowPointers(
    _ depth: Int, _ rows: UnsafePointer<UnsafePointer<Float>>, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool
) {
    if MicroKernels.current == .narrow {
        narrowKernel12x32RowPointers(depth, rows, b, bStep, c, ldc, overwrite)
        return
    }
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
    let r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3], r4 = rows[4], r5 = rows[5]
    let r6 = rows[6], r7 = rows[7], r8 = rows[8], r9 = rows[9], ra = rows[10], rb = rows[11]
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    for q in 0..<depth {
        let b0 = bp.loadUnaligned(as: V.self)
        let b1 = (bp + 64).loadUnaligned(as: V.self)
        var x = V(repeating: r0[q]); c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = V(repeating: r1[q]); c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = V(repeating: r2[q]); c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = V(repeating: r3[q]); c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = V(repeating: r4[q]); c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = V(repeating: r5[q]); c50.addProduct(x, b0); c51.addProduct(x, b1)
        x = V(repeating: r6[q]); c60.addProduct(x, b0); c61.addProduct(x, b1)
        x = V(repeating: r7[q]); c70.addProduct(x, b0); c71.addProduct(x, b1)
        x = V(repeating: r8[q]); c80.addProduct(x, b0); c81.addProduct(x, b1)
        x = V(repeating: r9[q]); c90.addProduct(x, b0); c91.addProduct(x, b1)
        x = V(repeating: ra[q]); ca0.addProduct(x, b0); ca1.addProduct(x, b1)
        x = V(repeating: rb[q]); cb0.addProduct(x, b0); cb1.addProduct(x, b1)
        bp += bBytes
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V) { storeRow32(c + r &* ldc, v0, v1, overwrite) }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21); store(3, c30, c31)
    store(4, c40, c41); store(5, c50, c51); store(6, c60, c61); store(7, c70, c71)
    store(8, c80, c81); store(9, c90, c91); store(10, ca0, ca1); store(11, cb0, cb1)
}
