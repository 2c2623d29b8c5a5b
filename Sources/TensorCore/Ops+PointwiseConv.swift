// 1×1 convolutions that also change layout, for a transformer on feature maps: proj_in reads
// (B, C, H, W) and writes tokens (B, H·W, C′); proj_out reads tokens and writes (B, C′, H, W).
// Each is one GEMM per image whose operands are strided views of the input, so the permutes
// around the convolution are never materialised. The composed oracle is conv2d + permute.

extension Variable {
    /// (B, C, H, W) → (B, H·W, Co): out_b = x_bᵀ · Wᵀ + b, with W (Co, C, 1, 1).
    public static func pointwiseConvToTokens(_ x: Variable, weight: Variable, bias: Variable) -> Variable {
        let t0 = Profiler.now()
        let xs = x.shape
        let B = xs[0]
        let C = xs[1]
        let HW = xs[2] * xs[3]
        let Co = weight.shape[0]
        precondition(
            weight.shape == [Co, C, 1, 1] && bias.shape == [Co],
            "pointwiseConvToTokens: weight \(shapeString(weight.shape)) and bias \(shapeString(bias.shape)) do not "
                + "fit input \(shapeString(xs))"
        )
        var out = [Float].uninitialized(B * HW * Co)
        x.value.scalars.withUnsafeBufferPointer { px in
            weight.value.scalars.withUnsafeBufferPointer { pw in
                bias.value.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        Parallel.forEach(B) { b in
                            let o = po.baseAddress! + b * HW * Co
                            gemm(
                                m: HW, n: Co, k: C,
                                a: MatrixView(px.baseAddress! + b * C * HW, rowStride: 1, colStride: HW),
                                b: .transposed(pw.baseAddress!, columns: C), c: o, ldc: Co, accumulate: false,
                                parallel: false,
                                columnBias: pb.baseAddress!)
                        }
                    }
                }
            }
        }
        return record(Tensor(shape: [B, HW, Co], scalars: out), [x, weight, bias], kind: "conv2d", start: t0) {
            let (vx, vw) = (x.value, weight.value)
            return { g in
                g.scalars.withUnsafeBufferPointer { pg in
                    if x.requiresGrad {
                        // ∂x_b (C × HW) = Wᵀ (C × Co) · G_bᵀ (Co × HW)
                        var dx = [Float].uninitialized(B * C * HW)
                        vw.scalars.withUnsafeBufferPointer { pw in
                            dx.withUnsafeMutableBufferPointer { pd in
                                Parallel.forEach(B) { b in
                                    gemm(
                                        m: C, n: HW, k: Co, a: .transposed(pw.baseAddress!, columns: C),
                                        b: MatrixView(pg.baseAddress! + b * HW * Co, rowStride: 1, colStride: Co),
                                        c: pd.baseAddress! + b * C * HW, ldc: HW, accumulate: false, parallel: false)
                                }
                            }
                        }
                        x.accumulate(Tensor(shape: xs, scalars: dx))
                    }
                    if weight.requiresGrad {
                        // ∂W (Co × C) = Σ_b G_bᵀ (Co × HW) · x_bᵀ (HW × C), images summed in order.
                        var dw = [Float](repeating: 0, count: Co * C)
                        vx.scalars.withUnsafeBufferPointer { px in
                            dw.withUnsafeMutableBufferPointer { pd in
                                gemmSummed(
                                    count: B, m: Co, n: C, k: HW,
                                    a: { MatrixView(pg.baseAddress! + $0 * HW * Co, rowStride: 1, colStride: Co) },
                                    b: { MatrixView(px.baseAddress! + $0 * C * HW, rowStride: 1, colStride: HW) },
                                    c: pd.baseAddress!, ldc: C)
                            }
                        }
                        weight.accumulate(Tensor(shape: [Co, C, 1, 1], scalars: dw))
                    }
                    if bias.requiresGrad {
                        let db = Parallel.rowSums(rows: B * HW, width: Co) { r, acc in
                            vectorMap2(acc, pg.baseAddress! + r * Co, acc, Co, +)
                        }
                        bias.accumulate(Tensor(shape: [Co], scalars: db))
                    }
                }
            }
        }
    }

    /// (B, H·W, C) → (B, Co, H, W): out_b = W · h_bᵀ + b, with W (Co, C, 1, 1).
    public static func tokensToPointwiseConv(_ h: Variable, weight: Variable, bias: Variable, height: Int, width: Int)
        -> Variable
    {
        let t0 = Profiler.now()
        let hs = h.shape
        let B = hs[0]
        let HW = hs[1]
        let C = hs[2]
        let Co = weight.shape[0]
        precondition(
            HW == height * width && weight.shape == [Co, C, 1, 1] && bias.shape == [Co],
            "tokensToPointwiseConv: tokens \(shapeString(hs)), weight \(shapeString(weight.shape)), bias "
                + "\(shapeString(bias.shape)), \(height)×\(width) do not fit"
        )
        var out = [Float].uninitialized(B * Co * HW)
        h.value.scalars.withUnsafeBufferPointer { ph in
            weight.value.scalars.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    Parallel.forEach(B) { b in
                        let o = po.baseAddress! + b * Co * HW
                        gemm(
                            m: Co, n: HW, k: C, a: .rowMajor(pw.baseAddress!, columns: C),
                            b: MatrixView(ph.baseAddress! + b * HW * C, rowStride: 1, colStride: C), c: o, ldc: HW,
                            accumulate: false, parallel: false)
                        for co in 0..<Co {
                            let c = Vec16(repeating: bias.value.scalars[co])
                            vectorMap(o + co * HW, o + co * HW, HW) { $0 + c }
                        }
                    }
                }
            }
        }
        return record(
            Tensor(shape: [B, Co, height, width], scalars: out), [h, weight, bias], kind: "conv2d", start: t0
        ) {
            let (vh, vw) = (h.value, weight.value)
            return { g in
                g.scalars.withUnsafeBufferPointer { pg in
                    if h.requiresGrad {
                        // ∂h_b (HW × C) = G_bᵀ (HW × Co) · W (Co × C)
                        var dh = [Float].uninitialized(B * HW * C)
                        vw.scalars.withUnsafeBufferPointer { pw in
                            dh.withUnsafeMutableBufferPointer { pd in
                                Parallel.forEach(B) { b in
                                    gemm(
                                        m: HW, n: C, k: Co,
                                        a: MatrixView(pg.baseAddress! + b * Co * HW, rowStride: 1, colStride: HW),
                                        b: .rowMajor(pw.baseAddress!, columns: C), c: pd.baseAddress! + b * HW * C,
                                        ldc: C, accumulate: false, parallel: false)
                                }
                            }
                        }
                        h.accumulate(Tensor(shape: hs, scalars: dh))
                    }
                    if weight.requiresGrad {
                        // ∂W (Co × C) = Σ_b G_b (Co × HW) · h_b (HW × C)
                        var dw = [Float](repeating: 0, count: Co * C)
                        vh.scalars.withUnsafeBufferPointer { ph in
                            dw.withUnsafeMutableBufferPointer { pd in
                                gemmSummed(
                                    count: B, m: Co, n: C, k: HW,
                                    a: { .rowMajor(pg.baseAddress! + $0 * Co * HW, columns: HW) },
                                    b: { .rowMajor(ph.baseAddress! + $0 * HW * C, columns: C) }, c: pd.baseAddress!,
                                    ldc: C)
                            }
                        }
                        weight.accumulate(Tensor(shape: [Co, C, 1, 1], scalars: dw))
                    }
                    if bias.requiresGrad {
                        var db = [Float](repeating: 0, count: Co)
                        for b in 0..<B {
                            for co in 0..<Co {
                                var acc = Vec16()
                                var i = 0
                                let row = pg.baseAddress! + (b * Co + co) * HW
                                while i + 16 <= HW {
                                    acc += UnsafeRawPointer(row + i).loadUnaligned(as: Vec16.self)
                                    i += 16
                                }
                                var t = horizontalSum(acc)
                                while i < HW {
                                    t += row[i]
                                    i += 1
                                }
                                db[co] += t
                            }
                        }
                        bias.accumulate(Tensor(shape: [Co], scalars: db))
                    }
                }
            }
        }
    }
}
