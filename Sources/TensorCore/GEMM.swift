// Matrix multiplication: the kernel under every convolution, linear layer and attention.
//
// C (M×N) = A (M×K) · B (K×N), optionally added to what C holds. After the BLIS recipe
// (Van Zee & van de Geijn 2015), an innermost *micro-kernel* keeps a 12×32 block of C in 24
// SIMD16 registers and, for each step of the depth K, loads two vectors of B, broadcasts twelve
// values of A and issues 24 fused multiply-adds: the multiply units, not memory, set the pace.
//
// Matrices are *views*: element (i, j) lives at base[i·rowStride + j·colStride], so a transposed
// operand is the same memory with its strides swapped. The micro-kernel reads A through its strides
// wherever it lies, and B in place when its rows are contiguous; a B strip with strided columns,
// and the partial strips at the edges, are first copied ("packed") into small zero-padded buffers.
// The depth is cut into blocks of at most 384 so a B strip stays in the nearer caches.
//
// `matmulNaive` below is the definition and the test oracle.

/// A read-only strided matrix: element (i, j) at `base[i * rowStride + j * colStride]`.
public struct MatrixView {
    public var base: UnsafePointer<Float>
    public var rowStride: Int
    public var colStride: Int
    @inlinable public init(_ base: UnsafePointer<Float>, rowStride: Int, colStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.colStride = colStride
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
    /// Largest depth (K) handled in one pass over a C tile.
    public static let kc = 384
}

/// C (M×N, row stride ldc) = A·B, or C += A·B when `accumulate`; plus `columnBias[j]` in every
/// row when given (a linear layer's bias), then plus `addend` (M×N, row stride ldc) when given (a
/// residual), both added as the tiles are stored. Splits the output between threads when
/// `parallel` (each element is summed in the same order either way).
public func gemm(
    m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, parallel: Bool = true,
    columnBias: UnsafePointer<Float>? = nil, addend: UnsafePointer<Float>? = nil
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in 0..<m {
            let row = c + i &* ldc
            if !accumulate { row.update(repeating: 0, count: n) }
            if let columnBias { for j in 0..<n { row[j] += columnBias[j] } }
            if let addend { for j in 0..<n { row[j] += addend[i &* ldc &+ j] } }
        }
        return
    }
    let mr = GEMMBlocking.mr
    let nr = GEMMBlocking.nr
    let flops = 2 * m * n * k
    if !parallel || Parallel.threads == 1 || flops < 1 << 20 {
        gemmBlock(
            rows: 0..<m, cols: 0..<n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, columnBias: columnBias,
            addend: addend)
    } else if n >= m {
        Parallel.chunks(n, grain: nr) { cols in
            gemmBlock(
                rows: 0..<m, cols: cols, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate,
                columnBias: columnBias, addend: addend)
        }
    } else {
        Parallel.chunks(m, grain: mr) { rows in
            gemmBlock(
                rows: rows, cols: 0..<n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate,
                columnBias: columnBias, addend: addend)
        }
    }
}

/// C (M×N) = Σ_i A_i·B_i over `count` products (a weight gradient summed over images), in one
/// parallel region: threads own columns of C and add the products in order, so the bytes do not
/// depend on the thread count.
func gemmSummed(
    count: Int, m: Int, n: Int, k: Int, a: (Int) -> MatrixView, b: (Int) -> MatrixView,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    Parallel.chunks(n, grain: GEMMBlocking.nr) { cols in
        for i in 0..<count {
            gemmBlock(rows: 0..<m, cols: cols, k: k, a: a(i), b: b(i), c: c, ldc: ldc, accumulate: i > 0)
        }
    }
}

/// One thread's share: C[rows, cols] over the full depth K.
///
/// Loop order: depth blocks (pc) → 32-column strips of B (jr) → 12-row strips of A (ir) → micro-kernel.
/// The micro-kernel reads its operands through strides, so a full strip is read where it lies
/// (12 row streams of A, one row of B per step); only a B strip whose columns are not contiguous,
/// and the partial strips at the edges, are copied ("packed") into zero-padded buffers first.
@usableFromInline
func gemmBlock(
    rows: Range<Int>, cols: Range<Int>, k: Int, a: MatrixView, b: MatrixView,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, columnBias: UnsafePointer<Float>? = nil,
    addend: UnsafePointer<Float>? = nil
) {
    let mr = GEMMBlocking.mr
    let nr = GEMMBlocking.nr
    // Split K into equal blocks of at most kc (600 → 2 × 300, not 384 + 216).
    let blocks = (k + GEMMBlocking.kc - 1) / GEMMBlocking.kc
    let kc = (k + blocks - 1) / blocks
    let packA = UnsafeMutablePointer<Float>.allocate(capacity: mr * kc)
    let packB = UnsafeMutablePointer<Float>.allocate(capacity: kc * nr)
    let tile = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
    defer {
        packA.deallocate()
        packB.deallocate()
        tile.deallocate()
    }

    var pc = 0
    while pc < k {
        let kb = min(kc, k - pc)
        let first = pc == 0 && !accumulate
        var jr = cols.lowerBound
        while jr < cols.upperBound {
            let w = min(nr, cols.upperBound - jr)
            // The B strip: in place when its rows are 32 contiguous floats, else packed. Rows a multiple
            // of 1 KB apart are packed too: they fall in a few sets of the L1 cache and evict each other.
            let bPtr: UnsafePointer<Float>
            let bStep: Int
            if b.colStride == 1 && (w == nr || w == 16) && (b.rowStride % 256 != 0 || kb <= 16) {
                bPtr = b.base + pc &* b.rowStride + jr
                bStep = b.rowStride
            } else {
                packPanelB(b, row0: pc, col0: jr, depth: kb, width: w, into: packB)
                bPtr = UnsafePointer(packB)
                bStep = nr
            }
            let bias = pc == 0 ? columnBias.map { $0 + jr } : nil  // added once, with the first depth block
            var ir = rows.lowerBound
            while ir < rows.upperBound {
                let h = min(mr, rows.upperBound - ir)
                let cTile = c + ir &* ldc + jr
                let add = pc == 0 ? addend.map { $0 + ir &* ldc + jr } : nil
                if h == mr && w == 16 {
                    // A 16-wide matrix (an attention head): the half-width kernel, no wasted lanes.
                    let aPtr = a.base + ir &* a.rowStride + pc &* a.colStride
                    microKernel12x16(kb, aPtr, a.rowStride, a.colStride, bPtr, bStep, cTile, ldc, first, bias, add)
                } else if h == mr {
                    let aPtr = a.base + ir &* a.rowStride + pc &* a.colStride
                    if w == nr {
                        microKernel12x32(kb, aPtr, a.rowStride, a.colStride, bPtr, bStep, cTile, ldc, first, bias, add)
                    } else {
                        microKernel12x32(kb, aPtr, a.rowStride, a.colStride, bPtr, bStep, tile, nr, true)
                        storeTile(tile, h, w, cTile, ldc, first, bias, add, ldc)
                    }
                } else {
                    packPanelA(a, row0: ir, col0: pc, height: h, depth: kb, into: packA)
                    if w <= 16 {
                        // (A strip read in place 16 wide has nothing to its right that may be read.)
                        microKernel12x16(kb, packA, 1, mr, bPtr, bStep, tile, nr, true)
                    } else {
                        microKernel12x32(kb, packA, 1, mr, bPtr, bStep, tile, nr, true)
                    }
                    storeTile(tile, h, w, cTile, ldc, first, bias, add, ldc)
                }
                ir += mr
            }
            jr += nr
        }
        pc += kb
    }
}

/// Copies the valid h×w corner of a 12×32 tile into C (or adds it), plus bias[j] and then
/// addend[i·ldAdd + j] when given.
@inline(__always)
func storeTile(
    _ tile: UnsafeMutablePointer<Float>, _ h: Int, _ w: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ overwrite: Bool,
    _ bias: UnsafePointer<Float>? = nil, _ addend: UnsafePointer<Float>? = nil, _ ldAdd: Int = 0
) {
    for i in 0..<h {
        let src = tile + i &* GEMMBlocking.nr
        let dst = c + i &* ldc
        if overwrite { for j in 0..<w { dst[j] = src[j] } } else { for j in 0..<w { dst[j] += src[j] } }
        if let bias { for j in 0..<w { dst[j] += bias[j] } }
        if let addend { for j in 0..<w { dst[j] += addend[i &* ldAdd &+ j] } }
    }
}

/// Copies A[row0 ..< row0+height, col0 ..< col0+depth] into strips of `mr` rows, each stored
/// depth-major (for p: for i: A[i, p]), zero-padding the last strip. Reads along whichever
/// direction of A is contiguous.
@inline(__always)
func packPanelA(_ a: MatrixView, row0: Int, col0: Int, height: Int, depth: Int, into dst: UnsafeMutablePointer<Float>) {
    let mr = GEMMBlocking.mr
    var out = dst
    var i0 = 0
    while i0 < height {
        let h = min(mr, height - i0)
        let base = a.base + (row0 + i0) &* a.rowStride + col0 &* a.colStride
        if a.colStride == 1 {
            // Rows of A are contiguous: walk each row, scattering into the strip.
            for i in 0..<h {
                let src = base + i &* a.rowStride
                for p in 0..<depth { out[p &* mr &+ i] = src[p] }
            }
            if h < mr { for p in 0..<depth { for i in h..<mr { out[p &* mr &+ i] = 0 } } }
        } else {
            for p in 0..<depth {
                let src = base + p &* a.colStride
                for i in 0..<h { out[p &* mr &+ i] = src[i &* a.rowStride] }
                for i in h..<mr { out[p &* mr &+ i] = 0 }
            }
        }
        out += mr &* depth
        i0 += mr
    }
}

/// Copies B[row0 ..< row0+depth, col0 ..< col0+width] (width ≤ nr) into one strip stored
/// depth-major (for p: for j: B[p, j]), zero-padding missing columns.
@inline(__always)
func packPanelB(_ b: MatrixView, row0: Int, col0: Int, depth: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
    let nr = GEMMBlocking.nr
    let base = b.base + row0 &* b.rowStride + col0 &* b.colStride
    if b.colStride == 1 && width == nr {
        for p in 0..<depth {
            let src = UnsafeRawPointer(base + p &* b.rowStride)
            let o = UnsafeMutableRawPointer(out + p &* nr)
            o.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
            (o + 64).storeBytes(of: (src + 64).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
        }
    } else if b.rowStride == 1 {
        // Columns of B are contiguous (B is a transposed row-major matrix): walk each column.
        for j in 0..<width {
            let src = base + j &* b.colStride
            for p in 0..<depth { out[p &* nr &+ j] = src[p] }
        }
        if width < nr { for p in 0..<depth { for j in width..<nr { out[p &* nr &+ j] = 0 } } }
    } else {
        for p in 0..<depth {
            let src = base + p &* b.rowStride
            for j in 0..<width { out[p &* nr &+ j] = src[j &* b.colStride] }
            for j in width..<nr { out[p &* nr &+ j] = 0 }
        }
    }
}

/// C[12×32] (=, or += unless `overwrite`) Σ_p A[0..<12, p] ⊗ B[p, 0..<32] (+ bias[0..<32], + addend rows
/// ldc apart) over `depth` steps, where
/// A[i, p] = a[i·aRow + p·aStep] and B[p, j] = b[p·bStep + j]. Twenty-four SIMD16 accumulators:
/// row r, half h is c{r}{h}; each step is 2 loads of B, 12 broadcasts of A and 24 fused multiply-adds.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func microKernel12x32(
    _ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool, _ bias: UnsafePointer<Float>? = nil,
    _ addend: UnsafePointer<Float>? = nil
) {
    if MicroKernels.current == .narrow {
        narrowKernel12x32(depth, a, aRow, aStep, b, bStep, c, ldc, overwrite, bias, addend)
        return
    }
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
    // Rows 0–5 from a0 and rows 6–11 from a6 keep the address arithmetic small: row r is at
    // a0 + r·aRow or a6 + (r − 6)·aRow.
    var a0 = a, a6 = a + 6 &* aRow, bp = UnsafeRawPointer(b)
    let r1 = aRow, r2 = 2 &* aRow, r3 = 3 &* aRow, r4 = 4 &* aRow, r5 = 5 &* aRow
    let bBytes = bStep &* 4
    for _ in 0..<depth {
        let b0 = bp.loadUnaligned(as: V.self)
        let b1 = (bp + 64).loadUnaligned(as: V.self)
        var x = V(repeating: a0[0]); c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = V(repeating: a0[r1]); c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = V(repeating: a0[r2]); c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = V(repeating: a0[r3]); c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = V(repeating: a0[r4]); c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = V(repeating: a0[r5]); c50.addProduct(x, b0); c51.addProduct(x, b1)
        x = V(repeating: a6[0]); c60.addProduct(x, b0); c61.addProduct(x, b1)
        x = V(repeating: a6[r1]); c70.addProduct(x, b0); c71.addProduct(x, b1)
        x = V(repeating: a6[r2]); c80.addProduct(x, b0); c81.addProduct(x, b1)
        x = V(repeating: a6[r3]); c90.addProduct(x, b0); c91.addProduct(x, b1)
        x = V(repeating: a6[r4]); ca0.addProduct(x, b0); ca1.addProduct(x, b1)
        x = V(repeating: a6[r5]); cb0.addProduct(x, b0); cb1.addProduct(x, b1)
        a0 += aStep; a6 += aStep; bp += bBytes
    }
    if let bias {
        let b0 = UnsafeRawPointer(bias).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bias + 16).loadUnaligned(as: V.self)
        c00 += b0; c01 += b1; c10 += b0; c11 += b1; c20 += b0; c21 += b1; c30 += b0; c31 += b1
        c40 += b0; c41 += b1; c50 += b0; c51 += b1; c60 += b0; c61 += b1; c70 += b0; c71 += b1
        c80 += b0; c81 += b1; c90 += b0; c91 += b1; ca0 += b0; ca1 += b1; cb0 += b0; cb1 += b1
    }
    @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V) {
        if let addend {
            let s = UnsafeRawPointer(addend + r &* ldc)
            let sum0 = v0 + s.loadUnaligned(as: V.self)
            let sum1 = v1 + (s + 64).loadUnaligned(as: V.self)
            storeRow32(c + r &* ldc, sum0, sum1, overwrite)
        } else {
            storeRow32(c + r &* ldc, v0, v1, overwrite)
        }
    }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21); store(3, c30, c31)
    store(4, c40, c41); store(5, c50, c51); store(6, c60, c61); store(7, c70, c71)
    store(8, c80, c81); store(9, c90, c91); store(10, ca0, ca1); store(11, cb0, cb1)
}

/// Writes (or adds, unless `overwrite`) 32 floats of a C row from two accumulators.
@inline(__always)
func storeRow32(_ c: UnsafeMutablePointer<Float>, _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ overwrite: Bool) {
    let p = UnsafeMutableRawPointer(c)
    if overwrite {
        p.storeBytes(of: v0, as: SIMD16<Float>.self)
        (p + 64).storeBytes(of: v1, as: SIMD16<Float>.self)
    } else {
        p.storeBytes(of: p.loadUnaligned(as: SIMD16<Float>.self) + v0, as: SIMD16<Float>.self)
        (p + 64).storeBytes(of: (p + 64).loadUnaligned(as: SIMD16<Float>.self) + v1, as: SIMD16<Float>.self)
    }
}

/// The 12×16 variant of `microKernel12x32`, for matrices 16 columns wide.
// The formatter leaves this kernel alone: it keeps one tile row (its broadcast and fused
// multiply-adds) a line, as the header describes, where the formatter would give each its own.
// swift-format-ignore
@inline(never)
func microKernel12x16(
    _ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ overwrite: Bool, _ bias: UnsafePointer<Float>? = nil,
    _ addend: UnsafePointer<Float>? = nil
) {
    if MicroKernels.current == .narrow {
        narrowKernel12x16(depth, a, aRow, aStep, b, bStep, c, ldc, overwrite, bias, addend)
        return
    }
    typealias V = SIMD16<Float>
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    var c6 = V(), c7 = V(), c8 = V(), c9 = V(), ca = V(), cb = V()
    var a0 = a, a6 = a + 6 &* aRow, bp = UnsafeRawPointer(b)
    let r1 = aRow, r2 = 2 &* aRow, r3 = 3 &* aRow, r4 = 4 &* aRow, r5 = 5 &* aRow
    let bBytes = bStep &* 4
    for _ in 0..<depth {
        let b0 = bp.loadUnaligned(as: V.self)
        c0.addProduct(V(repeating: a0[0]), b0); c1.addProduct(V(repeating: a0[r1]), b0)
        c2.addProduct(V(repeating: a0[r2]), b0); c3.addProduct(V(repeating: a0[r3]), b0)
        c4.addProduct(V(repeating: a0[r4]), b0); c5.addProduct(V(repeating: a0[r5]), b0)
        c6.addProduct(V(repeating: a6[0]), b0); c7.addProduct(V(repeating: a6[r1]), b0)
        c8.addProduct(V(repeating: a6[r2]), b0); c9.addProduct(V(repeating: a6[r3]), b0)
        ca.addProduct(V(repeating: a6[r4]), b0); cb.addProduct(V(repeating: a6[r5]), b0)
        a0 += aStep; a6 += aStep; bp += bBytes
    }
    if let bias {
        let b0 = UnsafeRawPointer(bias).loadUnaligned(as: V.self)
        c0 += b0; c1 += b0; c2 += b0; c3 += b0; c4 += b0; c5 += b0; c6 += b0; c7 += b0; c8 += b0; c9 += b0; ca += b0
        cb += b0
    }
    @inline(__always) func store(_ r: Int, _ v: V) {
        let p = UnsafeMutableRawPointer(c + r &* ldc)
        let w = addend.map { v + UnsafeRawPointer($0 + r &* ldc).loadUnaligned(as: V.self) } ?? v
        p.storeBytes(of: overwrite ? w : p.loadUnaligned(as: V.self) + w, as: V.self)
    }
    store(0, c0); store(1, c1); store(2, c2); store(3, c3); store(4, c4); store(5, c5)
    store(6, c6); store(7, c7); store(8, c8); store(9, c9); store(10, ca); store(11, cb)
}

/// The definition: C[i, j] (+)= Σ_p A[i, p]·B[p, j], one multiply-add at a time, in Double.
public func matmulNaive(
    m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                s +=
                    Double(a.base[i * a.rowStride + p * a.colStride])
                    * Double(b.base[p * b.rowStride + j * b.colStride])
            }
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + Float(s) : Float(s)
        }
    }
}
