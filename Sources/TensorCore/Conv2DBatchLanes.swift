// Stride-1 convolution of tiny images with the batch in the vector lanes.
//
// On a 4×4 image the wide grid of `conv2dDirect` is 4 rows of Wp = 5 positions, rounded up to 32:
// half of every multiply-add lands on a garbage column or the rounding. Here the images go sixteen
// to a vector instead: the padded images are copied to (C, Hp·Wp, 16), image l of a group of sixteen
// in lane l, so that one position of the grid is one vector of sixteen images and a row of OW
// positions is OW whole vectors. (A batch of eight goes eight to a group: a row of an even number
// of positions is still whole vectors, two positions to a vector.) The same 8×48 micro-kernel then
// runs on valid positions only: per tap, one offset into that layout, eight broadcast weights,
// three vectors of sixteen images.
//
// Each output element gets the same multiply-adds in the same order as on the wide grid (tap by
// tap, from zero), then the same bias and residual additions, so the bytes are those of
// `conv2dDirect`'s wide grid (KernelTests holds the two to it).

/// The batch-in-lanes path: when it serves, and a switch for tests and benchmarks.
public enum BatchLanes {
    /// Set by tests to run the wide grid on shapes this path would take.
    nonisolated(unsafe) public static var disabled = false

    /// Images per group: sixteen (a whole SIMD16 column of the micro-kernel per position), or eight
    /// when the batch is a multiple of eight only and a row of positions still fills whole vectors
    /// (an even OW). Nil when the path does not serve: images of more than 16 output positions.
    public static func lanes(batch: Int, outHeight: Int, outWidth: Int) -> Int? {
        guard !disabled && outHeight * outWidth <= 16 else { return nil }
        if batch % 16 == 0 { return 16 }
        if batch % 8 == 0 && outWidth % 2 == 0 { return 8 }
        return nil
    }
}

/// out (B, Cout, OH, OW) as `conv2dDirect` computes it, for images already padded and weights
/// already packed (`ConvPackedWeights`), `lanes` images to a group (`BatchLanes.lanes`).
func conv2dBatchLanes(
    _ x: PaddedImages, weights: ConvPackedWeights, outChannels Co: Int, kernelH kh: Int, kernelW kw: Int,
    bias: UnsafePointer<Float>?, imageBias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
    lanes: Int, out: UnsafeMutablePointer<Float>
) {
    let (OH, OW) = x.outputSize(kernelH: kh, kernelW: kw)
    let (C, Wp, plane) = (x.channels, x.rowLength, x.plane)
    let groups = x.batch / lanes
    let rows = ConvKernel.rows
    let panels = weights.panels
    let K = C * kh * kw
    // A group's images, lane-interleaved: [ci][position][lane]. The last rows of the grid read up
    // to p positions past their plane, as on the wide grid: the next plane's zeros, or the slack.
    let group = C * plane * lanes
    let slack = (Wp * kh + 4) * lanes
    let xl = UnsafeMutablePointer<Float>.allocate(capacity: groups * group + slack)
    defer { xl.deallocate() }
    (xl + groups * group).initialize(repeating: 0, count: slack)
    Parallel.chunks(groups * C) { range in
        for gc in range {
            let g = gc / C
            let ci = gc % C
            let dst = xl + g * group + ci * plane * lanes
            for l in 0..<lanes {
                let src = x.base + ((g * lanes + l) * C + ci) * plane
                for q in 0..<plane { dst[q * lanes + l] = src[q] }
            }
        }
    }
    var offsets = [Int](repeating: 0, count: K)
    for ci in 0..<C {
        for ky in 0..<kh {
            for kx in 0..<kw { offsets[(ci * kh + ky) * kw + kx] = (ci * plane + ky * Wp + kx) * lanes }
        }
    }
    let ldc = OH * Wp * lanes
    offsets.withUnsafeBufferPointer { off in
        Parallel.forEach(groups * panels) { item in
            let g = item / panels
            let t = item % panels
            let c = UnsafeMutablePointer<Float>.allocate(capacity: rows * ldc)
            defer { c.deallocate() }
            let a = weights.panel(t)
            let base = UnsafePointer(xl + g * group)
            // Row by row over the valid positions only: OW positions of `lanes` images each.
            for y in 0..<OH {
                var q = y * Wp * lanes
                let end = q + OW * lanes
                while q + ConvKernel.columns <= end {
                    convKernel8x48(K, base + q, off.baseAddress!, a, c + q, ldc)
                    q += ConvKernel.columns
                }
                if end - q == 32 { convKernel8x32(K, base + q, off.baseAddress!, a, c + q, ldc) }
                if end - q == 16 { convKernel8x16(K, base + q, off.baseAddress!, a, c + q, ldc) }
            }
            // Lanes → (B, Cout, OH, OW), adding the biases (and the residual) as the wide grid does.
            for r in 0..<rows {
                let co = t * rows + r
                if co >= Co { break }
                for l in 0..<lanes {
                    let b = g * lanes + l
                    let add = (bias?[co] ?? 0) + (imageBias?[b * Co + co] ?? 0)
                    let o = (b * Co + co) * OH * OW
                    for y in 0..<OH {
                        for xx in 0..<OW {
                            var v = c[r * ldc + (y * Wp + xx) * lanes + l] + add
                            if let residual { v = v + residual[o + y * OW + xx] }
                            out[o + y * OW + xx] = v
                        }
                    }
                }
            }
        }
    }
}
