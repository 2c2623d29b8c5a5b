// Matrix products on variables. For C = A·B the pullbacks are
//   ∂L/∂A = ∂L/∂C · Bᵀ,   ∂L/∂B = Aᵀ · ∂L/∂C,
// computed by the same GEMM with transposed *views* (no copies).

extension Tensor {
    /// (…, M, K) · (…, K, N) → (…, M, N) for equal leading (batch) axes, or (…, M, K) · (K, N).
    /// `transposeA` / `transposeB` read the operand's last two axes swapped.
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
        accumulateInto c: Tensor? = nil
    ) -> Tensor {
        precondition(
            a.rank >= 2 && b.rank >= 2,
            "matmul: shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) need at least 2 axes")
        let ar = a.rank
        let br = b.rank
        let m = transposeA ? a.shape[ar - 1] : a.shape[ar - 2]
        let ka = transposeA ? a.shape[ar - 2] : a.shape[ar - 1]
        let kb = transposeB ? b.shape[br - 1] : b.shape[br - 2]
        let n = transposeB ? b.shape[br - 2] : b.shape[br - 1]
        precondition(
            ka == kb,
            "matmul: inner extents differ: \(shapeString(a.shape))\(transposeA ? "ᵀ" : "") · "
                + "\(shapeString(b.shape))\(transposeB ? "ᵀ" : "")"
        )
        let batchA = Array(a.shape.dropLast(2))
        let batchB = Array(b.shape.dropLast(2))
        precondition(
            batchB.isEmpty || batchA == batchB,
            "matmul: batch axes differ: \(shapeString(a.shape)) and \(shapeString(b.shape))")
        let batch = batchA.product
        let outShape = batchA + [m, n]
        var out = c ?? Tensor(shape: outShape, scalars: .uninitialized(outShape.product))  // gemm overwrites it
        precondition(
            out.shape == outShape,
            "matmul: accumulator of shape \(shapeString(out.shape)), expected \(shapeString(outShape))")
        let accumulate = c != nil
        let aCols = a.shape[ar - 1]
        let bCols = b.shape[br - 1]
        let aStep = a.shape.suffix(2).product
        let bStep = batchB.isEmpty ? 0 : b.shape.suffix(2).product
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.scalars.withUnsafeMutableBufferPointer { pc in
                    let A = pa.baseAddress!
                    let B = pb.baseAddress!
                    let C = pc.baseAddress!
                    func one(_ i: Int, parallel: Bool) {
                        let av =
                            transposeA
                            ? MatrixView.transposed(A + i * aStep, columns: aCols)
                            : .rowMajor(A + i * aStep, columns: aCols)
                        let bv =
                            transposeB
                            ? MatrixView.transposed(B + i * bStep, columns: bCols)
                            : .rowMajor(B + i * bStep, columns: bCols)
                        gemm(
                            m: m, n: n, k: ka, a: av, b: bv, c: C + i * m * n, ldc: n, accumulate: accumulate,
                            parallel: parallel)
                    }
                    if batch == 1 {
                        one(0, parallel: true)
                    } else {
                        Parallel.forEach(batch) { one($0, parallel: false) }
                    }
                }
            }
        }
        return out
    }
}

extension Variable {
    /// Matrix product, batched over leading axes; see `Tensor.matmul`.
    public static func matmul(_ a: Variable, _ b: Variable, transposeB: Bool = false) -> Variable {
        let t0 = Profiler.now()
        let y = Tensor.matmul(a.value, b.value, transposeB: transposeB)
        return record(y, [a, b], kind: "matmul", start: t0) {
            let (va, vb) = (a.value, b.value)
            return { g in
                // dA = G·Bᵀ (or G·B when B was read transposed).
                if a.requiresGrad { a.accumulate(Tensor.matmul(g, vb, transposeB: !transposeB)) }
                if b.requiresGrad {
                    if vb.rank == 2 && va.rank > 2 {
                        // B shared across the batch: flatten the batch into rows, then one GEMM.
                        let k = va.shape[va.rank - 1]
                        let n = g.shape[g.rank - 1]
                        let a2 = va.reshaped([va.count / k, k])
                        let g2 = g.reshaped([g.count / n, n])
                        b.accumulate(
                            transposeB
                                ? Tensor.matmul(g2, a2, transposeA: true) : Tensor.matmul(a2, g2, transposeA: true))
                    } else {
                        // dB = Aᵀ·G, or (dBᵀ = Gᵀ·A) when B was read transposed.
                        b.accumulate(
                            transposeB ? Tensor.matmul(g, va, transposeA: true) : Tensor.matmul(va, g, transposeA: true)
                        )
                    }
                }
            }
        }
    }

    /// A fully connected layer as PyTorch's nn.Linear: y = x·Wᵀ + b, W of shape (out, in).
    /// One primitive: the bias is added in place and its gradient is the column sum of ∂L/∂y.
    /// `residual`, when given (the output's shape), is added too, as the GEMM stores its tiles, and
    /// its gradient is ∂L/∂y itself — a transformer's "+ x" without a pass of its own.
    public static func linear(_ x: Variable, weight: Variable, bias: Variable?, residual: Variable? = nil) -> Variable {
        let t0 = Profiler.now()
        let xs = x.shape
        let out = weight.shape[0]
        let inF = weight.shape[1]
        precondition(
            xs.last == inF,
            "linear: input \(shapeString(xs)) does not end in the weight's \(inF) input features (weight "
                + "\(shapeString(weight.shape)))"
        )
        let rows = x.value.count / inF
        if let residual {
            precondition(
                residual.shape == Array(xs.dropLast()) + [out],
                "linear: residual \(shapeString(residual.shape)) must have the output's shape "
                    + "\(shapeString(Array(xs.dropLast()) + [out]))"
            )
        }
        // One GEMM, the bias and the residual added as its tiles are stored.
        var y = [Float].uninitialized(rows * out)
        x.value.scalars.withUnsafeBufferPointer { px in
            weight.value.scalars.withUnsafeBufferPointer { pw in
                (bias?.value.scalars).withUnsafeOptionalBuffer { pb in
                    (residual?.value.scalars).withUnsafeOptionalBuffer { pr in
                        y.withUnsafeMutableBufferPointer { py in
                            gemm(
                                m: rows, n: out, k: inF, a: .rowMajor(px.baseAddress!, columns: inF),
                                b: .transposed(pw.baseAddress!, columns: inF),
                                c: py.baseAddress!, ldc: out, accumulate: false, columnBias: pb, addend: pr)
                        }
                    }
                }
            }
        }
        var parents = [x, weight]
        if let bias { parents.append(bias) }
        if let residual { parents.append(residual) }
        return record(Tensor(shape: Array(xs.dropLast()) + [out], scalars: y), parents, kind: "linear", start: t0) {
            // Keeps x and W: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_rows G, ∂L/∂residual = G.
            let (vx, vw) = (x.value, weight.value)
            return { g in
                residual?.accumulate(g)
                linearPullback(g.reshaped([rows, out]), x: x, xValue: vx, weight: weight, weightValue: vw, bias: bias)
            }
        }
    }

    /// The pullback of y = x·Wᵀ + b given ∂L/∂y as (rows, out): ∂x = G·W, ∂W = Gᵀ·x, ∂b = Σ_rows G.
    static func linearPullback(
        _ g2: Tensor, x: Variable, xValue vx: Tensor, weight: Variable, weightValue vw: Tensor, bias: Variable?
    ) {
        let rows = g2.shape[0]
        let out = g2.shape[1]
        let inF = vw.shape[1]
        if x.requiresGrad {
            if x.grad == nil {
                x.accumulate(Tensor.matmul(g2, vw).reshaped(vx.shape))
            } else {
                // The GEMM accumulates straight into the gradient already there (q, k and v share
                // their input): no temporary, no pass of its own.
                g2.scalars.withUnsafeBufferPointer { pg in
                    vw.scalars.withUnsafeBufferPointer { pw in
                        x.grad!.scalars.withUnsafeMutableBufferPointer { pd in
                            gemm(
                                m: rows, n: inF, k: out, a: .rowMajor(pg.baseAddress!, columns: out),
                                b: .rowMajor(pw.baseAddress!, columns: inF),
                                c: pd.baseAddress!, ldc: inF, accumulate: true)
                        }
                    }
                }
            }
        }
        if weight.requiresGrad { weight.accumulate(Tensor.matmul(g2, vx.reshaped([rows, inF]), transposeA: true)) }
        if let bias, bias.requiresGrad {
            let db = g2.scalars.withUnsafeBufferPointer { pg in
                Parallel.rowSums(rows: rows, width: out) { i, acc in
                    vectorMap2(acc, pg.baseAddress! + i * out, acc, out, +)
                }
            }
            bias.accumulate(Tensor(shape: [out], scalars: db))
        }
    }

    /// `linear(x, W, b).geglu()` as one op, the GEGLU feed-forward's first half: blocks of 48 rows
    /// are multiplied and gated while the block is still in cache, so the (rows, 2F) pre-activation
    /// never makes a round trip through memory — and is not stored at all without gradients.
    /// Same arithmetic, so the same bytes, as the two ops apart.
    public static func linearGEGLU(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
        let t0 = Profiler.now()
        let xs = x.shape
        let F2 = weight.shape[0]
        let inF = weight.shape[1]
        let F = F2 / 2
        precondition(
            xs.last == inF && F2 % 2 == 0 && (bias == nil || bias!.shape == [F2]),
            "linearGEGLU: input \(shapeString(xs)), weight \(shapeString(weight.shape)) and bias must be (…, in), "
                + "(2F, in), (2F)"
        )
        let rows = x.value.count / inF
        let block = 48
        let keep = Variable.isRecording && (x.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        var pre = keep ? [Float].uninitialized(rows * F2) : []  // every entry written below
        var out = [Float].uninitialized(rows * F)
        // Wᵀ (in, 2F) once, so every block's GEMM reads it in place.
        var wT = [Float].uninitialized(inF * F2)
        weight.value.scalars.withUnsafeBufferPointer { pw in
            for j in 0..<F2 { for i in 0..<inF { wT[i * F2 + j] = pw[j * inF + i] } }
        }
        let c: Float = 0.70710678118654752
        x.value.scalars.withUnsafeBufferPointer { px in
            wT.withUnsafeBufferPointer { pw in
                (bias?.value.scalars).withUnsafeOptionalBuffer { pb in
                    pre.withUnsafeMutableBufferPointer { pp in
                        out.withUnsafeMutableBufferPointer { po in
                            Parallel.forEach((rows + block - 1) / block) { bi in
                                let r0 = bi * block
                                let rb = Swift.min(block, rows - r0)
                                let scratch = keep ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rb * F2)
                                defer { scratch?.deallocate() }
                                let P = scratch ?? pp.baseAddress! + r0 * F2
                                gemm(
                                    m: rb, n: F2, k: inF, a: .rowMajor(px.baseAddress! + r0 * inF, columns: inF),
                                    b: .rowMajor(pw.baseAddress!, columns: F2),
                                    c: P, ldc: F2, accumulate: false, parallel: false, columnBias: pb)
                                for r in 0..<rb {
                                    vectorMap2(P + r * F2, P + r * F2 + F, po.baseAddress! + (r0 + r) * F, F) { h, g in
                                        h * (0.5 * g * (1 + verf(g * c)))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var parents = [x, weight]
        if let bias { parents.append(bias) }
        return record(Tensor(shape: Array(xs.dropLast()) + [F], scalars: out), parents, kind: "linear+GEGLU", start: t0)
        {
            // Keeps x, W and the pre-activation.
            let (vx, vw) = (x.value, weight.value)
            return { g in
                var dpre = [Float].uninitialized(rows * F2)
                pre.withUnsafeBufferPointer { pp in
                    g.scalars.withUnsafeBufferPointer { pg in
                        dpre.withUnsafeMutableBufferPointer { pd in
                            Parallel.chunks(rows, grain: 64) { r in
                                for i in r {
                                    gegluPullbackRow(
                                        pp.baseAddress! + i * F2, pg.baseAddress! + i * F, pd.baseAddress! + i * F2, F)
                                }
                            }
                        }
                    }
                }
                linearPullback(
                    Tensor(shape: [rows, F2], scalars: dpre), x: x, xValue: vx, weight: weight, weightValue: vw,
                    bias: bias)
            }
        }
    }
}
