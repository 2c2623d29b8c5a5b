// Matrix products on variables. For C = A·B the pullbacks are
//   ∂L/∂A = ∂L/∂C · Bᵀ,   ∂L/∂B = Aᵀ · ∂L/∂C,
// computed by the same GEMM with transposed *views* (no copies).

extension Tensor {
    /// (…, M, K) · (…, K, N) → (…, M, N) for equal leading (batch) axes, or (…, M, K) · (K, N).
    /// `transposeA` / `transposeB` read the operand's last two axes swapped.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                              accumulateInto c: Tensor? = nil) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) need at least 2 axes")
        let ar = a.rank, br = b.rank
        let m = transposeA ? a.shape[ar - 1] : a.shape[ar - 2]
        let ka = transposeA ? a.shape[ar - 2] : a.shape[ar - 1]
        let kb = transposeB ? b.shape[br - 1] : b.shape[br - 2]
        let n = transposeB ? b.shape[br - 2] : b.shape[br - 1]
        precondition(ka == kb, "matmul: inner extents differ: \(shapeString(a.shape))\(transposeA ? "ᵀ" : "") · \(shapeString(b.shape))\(transposeB ? "ᵀ" : "")")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        precondition(batchB.isEmpty || batchA == batchB, "matmul: batch axes differ: \(shapeString(a.shape)) and \(shapeString(b.shape))")
        let batch = batchA.product
        let outShape = batchA + [m, n]
        var out = c ?? Tensor(zeros: outShape)
        precondition(out.shape == outShape, "matmul: accumulator of shape \(shapeString(out.shape)), expected \(shapeString(outShape))")
        let accumulate = c != nil
        let aCols = a.shape[ar - 1], bCols = b.shape[br - 1]
        let aStep = a.shape.suffix(2).product, bStep = batchB.isEmpty ? 0 : b.shape.suffix(2).product
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.scalars.withUnsafeMutableBufferPointer { pc in
                    let A = pa.baseAddress!, B = pb.baseAddress!, C = pc.baseAddress!
                    func one(_ i: Int, parallel: Bool) {
                        let av = transposeA ? MatrixView.transposed(A + i * aStep, columns: aCols) : .rowMajor(A + i * aStep, columns: aCols)
                        let bv = transposeB ? MatrixView.transposed(B + i * bStep, columns: bCols) : .rowMajor(B + i * bStep, columns: bCols)
                        gemm(m: m, n: n, k: ka, a: av, b: bv, c: C + i * m * n, ldc: n, accumulate: accumulate, parallel: parallel)
                    }
                    if batch == 1 { one(0, parallel: true) }
                    else { Parallel.forEach(batch) { one($0, parallel: false) } }
                }
            }
        }
        return out
    }
}

extension Variable {
    /// Matrix product, batched over leading axes; see `Tensor.matmul`.
    public static func matmul(_ a: Variable, _ b: Variable, transposeB: Bool = false) -> Variable {
        let y = Tensor.matmul(a.value, b.value, transposeB: transposeB)
        return record(y, [a, b]) {
            let (va, vb) = (a.value, b.value)
            return { g in
                // dA = G·Bᵀ (or G·B when B was read transposed).
                if a.requiresGrad { a.accumulate(Tensor.matmul(g, vb, transposeB: !transposeB)) }
                if b.requiresGrad {
                    if vb.rank == 2 && va.rank > 2 {
                        // B shared across the batch: flatten the batch into rows, then one GEMM.
                        let k = va.shape[va.rank - 1], n = g.shape[g.rank - 1]
                        let a2 = va.reshaped([va.count / k, k]), g2 = g.reshaped([g.count / n, n])
                        b.accumulate(transposeB ? Tensor.matmul(g2, a2, transposeA: true) : Tensor.matmul(a2, g2, transposeA: true))
                    } else {
                        // dB = Aᵀ·G, or (dBᵀ = Gᵀ·A) when B was read transposed.
                        b.accumulate(transposeB ? Tensor.matmul(g, va, transposeA: true) : Tensor.matmul(va, g, transposeA: true))
                    }
                }
            }
        }
    }

    /// A fully connected layer as PyTorch's nn.Linear: y = x·Wᵀ + b, W of shape (out, in).
    public static func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
        let y = matmul(x, weight, transposeB: true)  // (…, out)
        guard let bias else { return y }
        return y + bias
    }
}
