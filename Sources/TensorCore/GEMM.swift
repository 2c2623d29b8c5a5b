// Matrix multiplication: the kernel under every convolution, linear layer and attention.
//
// C (M×N) = A (M×K) · B (K×N), optionally added to what C holds. This follows the BLIS recipe
// (Van Zee & van de Geijn 2015): A and B are copied ("packed") into panels that the innermost
// *micro-kernel* streams through in order, and the micro-kernel keeps a 12×32 block of C in 24
// SIMD16 registers, doing one broadcast-multiply-add per A element and B vector. On AVX-512 that is
// 24 FMA instructions per 3 loads: the multiply units, not memory, set the pace.
//
// Matrices are *views*: element (i, j) lives at base[i·rowStride + j·colStride], so a
// transposed operand is the same memory with its strides swapped; packing absorbs the layout.
//
// `matmulNaive` below is the definition and the test oracle.

/// A read-only strided matrix: element (i, j) at `base[i * rowStride + j * colStride]`.
public struct MatrixView {
    public var base: UnsafePointer<Float>
    public var rowStride: Int
    public var colStride: Int
    @inlinable public init(_ base: UnsafePointer<Float>, rowStride: Int, colStride: Int) {
        self.base = base; self.rowStride = rowStride; self.colStride = colStride
    }
    /// A row-major matrix with `columns` columns.
    @inlinable public static func rowMajor(_ base: UnsafePointer<Float>, columns: Int) -> MatrixView {
        MatrixView(base, rowStride: columns, colStride: 1)
    }
    /// The transpose of a row-major matrix with `columns` columns.
    @inlinable public static func transposed(_ base: UnsafePointer<Float>, columns: Int) -> MatrixView {
        MatrixView(base, rowStride: 1, colStride: columns)
    }
}

public enum GEMMBlocking {
    /// Rows and columns of C held in registers by the micro-kernel.
    public static let mr = 12, nr = 32
    /// Depth of one packed panel (K), rows of A per packed block, columns of B per packed block.
    public static let kc = 256, mc = 144, nc = 1024
}

/// C (M×N, row stride ldc) = A·B, or C += A·B when `accumulate`. Splits the output between
/// threads when `parallel` (each element is summed in the same order either way).
public func gemm(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
                 c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, parallel: Bool = true) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i &* ldc).update(repeating: 0, count: n) } }
        return
    }
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
    let flops = 2 * m * n * k
    if !parallel || Parallel.threads == 1 || flops < 1 << 20 {
        gemmBlock(rows: 0..<m, cols: 0..<n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
    } else if n >= m {
        Parallel.chunks(n, grain: nr) { cols in
            gemmBlock(rows: 0..<m, cols: cols, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
        }
    } else {
        Parallel.chunks(m, grain: mr) { rows in
            gemmBlock(rows: rows, cols: 0..<n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
        }
    }
}

/// One thread's share: C[rows, cols] over the full depth K.
@usableFromInline
func gemmBlock(rows: Range<Int>, cols: Range<Int>, k: Int, a: MatrixView, b: MatrixView,
               c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
    let kc = GEMMBlocking.kc, mc = GEMMBlocking.mc, nc = GEMMBlocking.nc
    let packA = UnsafeMutablePointer<Float>.allocate(capacity: mc * kc)
    let packB = UnsafeMutablePointer<Float>.allocate(capacity: kc * nc)
    let tile = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
    defer { packA.deallocate(); packB.deallocate(); tile.deallocate() }

    var jc = cols.lowerBound
    while jc < cols.upperBound {
        let nb = min(nc, cols.upperBound - jc)
        var pc = 0
        while pc < k {
            let kb = min(kc, k - pc)
            let first = pc == 0 && !accumulate
            packPanelB(b, row0: pc, col0: jc, depth: kb, width: nb, into: packB)
            var ic = rows.lowerBound
            while ic < rows.upperBound {
                let mb = min(mc, rows.upperBound - ic)
                packPanelA(a, row0: ic, col0: pc, height: mb, depth: kb, into: packA)
                var jr = 0
                while jr < nb {
                    let bStrip = packB + (jr / nr) &* (kb &* nr)
                    let w = min(nr, nb - jr)
                    var ir = 0
                    while ir < mb {
                        let aStrip = packA + (ir / mr) &* (kb &* mr)
                        let h = min(mr, mb - ir)
                        let cTile = c + (ic + ir) &* ldc + jc + jr
                        if w == nr && h == mr {
                            microKernel12x32(kb, aStrip, bStrip, cTile, ldc, first)
                        } else {
                            microKernel12x32(kb, aStrip, bStrip, tile, nr, true)
                            for i in 0..<h {
                                let src = tile + i &* nr, dst = cTile + i &* ldc
                                if first { for j in 0..<w { dst[j] = src[j] } }
                                else { for j in 0..<w { dst[j] += src[j] } }
                            }
                        }
                        ir += mr
                    }
                    jr += nr
                }
                ic += mb
            }
            pc += kb
        }
        jc += nb
    }
}

/// Copies A[row0 ..< row0+height, col0 ..< col0+depth] into strips of `mr` rows, each stored
/// depth-major (for p: for i: A[i, p]), zero-padding the last strip.
@inline(__always)
func packPanelA(_ a: MatrixView, row0: Int, col0: Int, height: Int, depth: Int, into dst: UnsafeMutablePointer<Float>) {
    let mr = GEMMBlocking.mr
    var out = dst
    var i0 = 0
    while i0 < height {
        let h = min(mr, height - i0)
        let base = a.base + (row0 + i0) &* a.rowStride + col0 &* a.colStride
        if a.rowStride == 1 && h == mr {
            // Columns of A are contiguous (A is a transposed row-major matrix): copy 12 at a time.
            for p in 0..<depth {
                let src = base + p &* a.colStride
                for i in 0..<mr { out[i] = src[i] }
                out += mr
            }
        } else {
            for p in 0..<depth {
                let src = base + p &* a.colStride
                for i in 0..<h { out[i] = src[i &* a.rowStride] }
                for i in h..<mr { out[i] = 0 }
                out += mr
            }
        }
        i0 += mr
    }
}

/// Copies B[row0 ..< row0+depth, col0 ..< col0+width] into strips of `nr` columns, each stored
/// depth-major (for p: for j: B[p, j]), zero-padding the last strip.
@inline(__always)
func packPanelB(_ b: MatrixView, row0: Int, col0: Int, depth: Int, width: Int, into dst: UnsafeMutablePointer<Float>) {
    let nr = GEMMBlocking.nr
    var out = dst
    var j0 = 0
    while j0 < width {
        let w = min(nr, width - j0)
        let base = b.base + row0 &* b.rowStride + (col0 + j0) &* b.colStride
        if b.colStride == 1 && w == nr {
            for p in 0..<depth {
                let src = UnsafeRawPointer(base + p &* b.rowStride)
                let o = UnsafeMutableRawPointer(out)
                o.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                (o + 64).storeBytes(of: (src + 64).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                out += nr
            }
        } else {
            for p in 0..<depth {
                let src = base + p &* b.rowStride
                for j in 0..<w { out[j] = src[j &* b.colStride] }
                for j in w..<nr { out[j] = 0 }
                out += nr
            }
        }
        j0 += nr
    }
}

/// C[12×32] (=, or += unless `overwrite`) Σ_p a[p] ⊗ b[p], over `depth` packed steps.
/// Twenty-four SIMD16 accumulators: row r, half h is c{r}{h}.
@inline(never)
func microKernel12x32(_ depth: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                      _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool) {
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
    var ap = a, bp = UnsafeRawPointer(b)
    for _ in 0..<depth {
        let b0 = bp.loadUnaligned(as: V.self)
        let b1 = (bp + 64).loadUnaligned(as: V.self)
        var x = V(repeating: ap[0]); c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = V(repeating: ap[1]); c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = V(repeating: ap[2]); c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = V(repeating: ap[3]); c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = V(repeating: ap[4]); c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = V(repeating: ap[5]); c50.addProduct(x, b0); c51.addProduct(x, b1)
        x = V(repeating: ap[6]); c60.addProduct(x, b0); c61.addProduct(x, b1)
        x = V(repeating: ap[7]); c70.addProduct(x, b0); c71.addProduct(x, b1)
        x = V(repeating: ap[8]); c80.addProduct(x, b0); c81.addProduct(x, b1)
        x = V(repeating: ap[9]); c90.addProduct(x, b0); c91.addProduct(x, b1)
        x = V(repeating: ap[10]); ca0.addProduct(x, b0); ca1.addProduct(x, b1)
        x = V(repeating: ap[11]); cb0.addProduct(x, b0); cb1.addProduct(x, b1)
        ap += 12; bp += 128
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V) {
        let p = UnsafeMutableRawPointer(c + r &* ldc)
        if overwrite {
            p.storeBytes(of: v0, as: V.self); (p + 64).storeBytes(of: v1, as: V.self)
        } else {
            p.storeBytes(of: p.loadUnaligned(as: V.self) + v0, as: V.self)
            (p + 64).storeBytes(of: (p + 64).loadUnaligned(as: V.self) + v1, as: V.self)
        }
    }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21); store(3, c30, c31)
    store(4, c40, c41); store(5, c50, c51); store(6, c60, c61); store(7, c70, c71)
    store(8, c80, c81); store(9, c90, c91); store(10, ca0, ca1); store(11, cb0, cb1)
}

/// The definition: C[i, j] (+)= Σ_p A[i, p]·B[p, j], one multiply-add at a time, in Double.
public func matmulNaive(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
                        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                s += Double(a.base[i * a.rowStride + p * a.colStride]) * Double(b.base[p * b.rowStride + j * b.colStride])
            }
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + Float(s) : Float(s)
        }
    }
}
