// Every op's gradient against central differences (GradientCheck.swift), one line each, plus the
// composites: the fused GroupNorm/LayerNorm/SiLU against their composed twins, attention, and a
// ResNet-style block.

import TensorCore
import TestSupport
import XCTest

final class GradientTests: XCTestCase {
    var rng = RNG(seed: 42)
    func v(_ shape: [Int], scale: Float = 1) -> Variable { Variable(rng.normal(shape) * scale, requiresGrad: true) }
    func assertGrad(_ inputs: [Variable], file: StaticString = #filePath, line: UInt = #line, _ f: () -> Variable) {
        let r = checkGradients(inputs, f)
        XCTAssertTrue(r.passed, r.description, file: file, line: line)
    }

    func testArithmeticWithBroadcasting() {
        let a = v([2, 3, 4])
        let b = v([3, 1])
        let c = v([4])
        let d = Variable(rng.uniform([2, 3, 4], low: 1, high: 2), requiresGrad: true)
        assertGrad([a, b]) { a + b }
        assertGrad([a, b]) { a - b }
        assertGrad([a, c]) { a * c }
        assertGrad([a, d]) { a / d }
        assertGrad([a]) { a * 3 + 1 }
        assertGrad([d]) { d.log() + d.sqrt() + d.exp() }
        assertGrad([a]) { a.square() + a.tanh() + a.sigmoid() }
    }

    func testActivations() {
        let a = v([3, 7])
        assertGrad([a]) { a.silu() }
        assertGrad([a]) { a.gelu() }
        assertGrad([a]) { a.geluTanh() }
        assertGrad([a]) { a.quickGELU() }
        assertGrad([a]) { a.softmax() }
        assertGrad([a]) { a.reshaped([1, 3, 7]).slice(axis: 2, 0..<3).softmax(causal: true) }
        XCTAssertLessThan(relativeError(a.silu().value, a.composedSiLU().value), 1e-6)
    }

    func testShapeOps() {
        let a = v([2, 3, 4])
        let b = v([2, 2, 4])
        assertGrad([a]) { a.reshaped([6, 4]) }
        assertGrad([a]) { a.permuted([2, 0, 1]) }
        assertGrad([a]) { a.transposed(0, 2) }
        assertGrad([a]) { a.slice(axis: 1, 1..<3) }
        assertGrad([a, b]) { Variable.concat([a, b], axis: 1) }
        assertGrad([a]) { a.chunked(2, axis: 2)[1] }
    }

    func testReductions() {
        let a = v([2, 3, 4])
        assertGrad([a]) { a.sum() }
        assertGrad([a]) { a.sum(axes: [0, 2], keepDims: true) }
        assertGrad([a]) { a.mean(axes: [1]) }
        assertGrad([a]) { a.max(axis: 2) }
    }

    func testMatmulAndLinear() {
        let a = v([5, 7])
        let b = v([7, 3])
        let bt = v([3, 7])
        let batched = v([2, 5, 7])
        let bb = v([2, 7, 3])
        assertGrad([a, b]) { Variable.matmul(a, b) }
        assertGrad([a, bt]) { Variable.matmul(a, bt, transposeB: true) }
        assertGrad([batched, bb]) { Variable.matmul(batched, bb) }
        assertGrad([batched, b]) { Variable.matmul(batched, b) }
        let w = v([4, 7])
        let bias = v([4])
        assertGrad([batched, w, bias]) { Variable.linear(batched, weight: w, bias: bias) }
        let r = v([2, 5, 4])
        assertGrad([batched, w, bias, r]) { Variable.linear(batched, weight: w, bias: bias, residual: r) }
        XCTAssertLessThan(
            relativeError(
                Variable.linear(batched, weight: w, bias: bias, residual: r).value,
                (Variable.linear(batched, weight: w, bias: bias) + r).value), 1e-6)
    }

    func testConvolutionAndUpsampling() {
        let x = v([2, 3, 6, 5])
        let w = v([4, 3, 3, 3], scale: 0.5)
        let b = v([4])
        assertGrad([x, w, b]) { Variable.conv2d(x, weight: w, bias: b, stride: 1, padding: 1) }
        assertGrad([x, w, b]) { Variable.conv2d(x, weight: w, bias: b, stride: 2, padding: 1) }
        let ib = v([2, 4])
        assertGrad([x, w, b, ib]) { Variable.conv2d(x, weight: w, bias: b, padding: 1, imageBias: ib) }
        assertGrad([x, w, ib]) { Variable.conv2d(x, weight: w, bias: nil, stride: 2, padding: 1, imageBias: ib) }
        XCTAssertLessThan(
            relativeError(
                Variable.conv2d(x, weight: w, bias: b, padding: 1, imageBias: ib).value,
                (Variable.conv2d(x, weight: w, bias: b, padding: 1) + ib.reshaped([2, 4, 1, 1])).value), 1e-6)
        let w1 = v([2, 3, 1, 1])
        assertGrad([x, w1]) { Variable.conv2d(x, weight: w1, bias: nil) }
        assertGrad([x]) { x.upsampleNearest2x() }
        assertGrad([x]) { x.zeroPadded(top: 0, bottom: 1, left: 2, right: 1) }  // the VAE's (0, 1, 0, 1) and more
    }

    func testNormalizationsAgainstComposedTwins() {
        let x = v([2, 4, 3, 3])
        let g = v([4])
        let b = v([4])
        assertGrad([x, g, b]) { x.groupNorm(groups: 2, weight: g, bias: b, eps: 1e-5) }
        assertGrad([x, g, b]) { x.composedGroupNorm(groups: 2, weight: g, bias: b, eps: 1e-5) }
        assertGrad([x, g, b]) { x.groupNorm(groups: 2, weight: g, bias: b, eps: 1e-5, silu: true) }
        XCTAssertLessThan(
            relativeError(
                x.groupNorm(groups: 2, weight: g, bias: b, eps: 1e-5, silu: true).value,
                x.groupNorm(groups: 2, weight: g, bias: b, eps: 1e-5).silu().value), 1e-6)
        XCTAssertLessThan(
            relativeError(
                x.groupNorm(groups: 2, weight: g, bias: b, eps: 1e-5).value,
                x.composedGroupNorm(groups: 2, weight: g, bias: b, eps: 1e-5).value), 1e-5)
        let y = v([3, 5, 6])
        let lg = v([6])
        let lb = v([6])
        assertGrad([y, lg, lb]) { y.layerNorm(weight: lg, bias: lb, eps: 1e-5) }
        XCTAssertLessThan(
            relativeError(
                y.layerNorm(weight: lg, bias: lb, eps: 1e-5).value,
                y.composedLayerNorm(weight: lg, bias: lb, eps: 1e-5).value), 1e-5)
    }

    func testFusedMultiHeadAttentionAndGEGLUMatchComposed() {
        for causal in [false, true] {
            let q = v([2, 5, 8])
            let k = v([2, causal ? 5 : 3, 8])
            let val = v([2, causal ? 5 : 3, 8])
            let fused = Variable.multiHeadAttention(query: q, key: k, value: val, heads: 2, causal: causal)
            let composed = Variable.attention(
                query: q.splitHeads(2), key: k.splitHeads(2), value: val.splitHeads(2), causal: causal
            ).mergeHeads()
            XCTAssertLessThan(relativeError(fused.value, composed.value), 1e-5)
            assertGrad([q, k, val]) {
                Variable.multiHeadAttention(query: q, key: k, value: val, heads: 2, causal: causal)
            }
        }
        let h = v([3, 2, 8])
        let halves = h.chunked(2, axis: 2)
        XCTAssertLessThan(relativeError(h.geglu().value, (halves[0] * halves[1].gelu()).value), 1e-5)
        assertGrad([h]) { h.geglu() }
        // The fused linear → GEGLU: the same bytes as the two ops apart (with and without gradients,
        // over more rows than one 48-row block, with a partial last block), and its gradients.
        let x = v([2, 53, 6])
        let w = v([32, 6])
        let b = v([32])
        let apart = Variable.linear(x, weight: w, bias: b).geglu().value
        XCTAssertEqual(Variable.linearGEGLU(x, weight: w, bias: b).value, apart)
        XCTAssertEqual(Variable.withoutGradients { Variable.linearGEGLU(x, weight: w, bias: b) }.value, apart)
        let xs = v([2, 3, 4])
        let ws = v([8, 4])
        let bs = v([8])
        assertGrad([xs, ws, bs]) { Variable.linearGEGLU(xs, weight: ws, bias: bs) }
    }

    func testPointwiseConvLayoutOpsMatchConvPlusPermute() {
        let x = v([2, 3, 2, 3])
        let w = v([4, 3, 1, 1])
        let b = v([4])
        let tokens = Variable.pointwiseConvToTokens(x, weight: w, bias: b)
        let oracle = Variable.conv2d(x, weight: w, bias: b).permuted([0, 2, 3, 1]).reshaped([2, 6, 4])
        XCTAssertLessThan(relativeError(tokens.value, oracle.value), 1e-6)
        assertGrad([x, w, b]) { Variable.pointwiseConvToTokens(x, weight: w, bias: b) }
        let h = v([2, 6, 3])
        let maps = Variable.tokensToPointwiseConv(h, weight: w, bias: b, height: 2, width: 3)
        let oracle2 = Variable.conv2d(h.reshaped([2, 2, 3, 3]).permuted([0, 3, 1, 2]), weight: w, bias: b)
        XCTAssertLessThan(relativeError(maps.value, oracle2.value), 1e-6)
        assertGrad([h, w, b]) { Variable.tokensToPointwiseConv(h, weight: w, bias: b, height: 2, width: 3) }
    }

    func testAttentionEmbeddingMSEDropout() {
        let q = v([1, 2, 5, 4])
        let k = v([1, 2, 3, 4])
        let val = v([1, 2, 3, 4])
        assertGrad([q, k, val]) { Variable.attention(query: q, key: k, value: val) }
        let kq = v([1, 2, 5, 4])
        let vq = v([1, 2, 5, 4])
        assertGrad([q, kq, vq]) { Variable.attention(query: q, key: kq, value: vq, causal: true) }
        let table = v([6, 3])
        assertGrad([table]) { Variable.embedding(table, ids: [1, 4, 1, 0], shape: [2, 2]) }
        let a = v([3, 4])
        let b = v([3, 4])
        assertGrad([a, b]) { Variable.mse(a, b) }
        assertGrad([a]) {
            var r = RNG(seed: 3)
            return a.dropout(0.3, rng: &r)
        }
    }

    /// A ResNet-style block as diffusers builds it: GroupNorm → SiLU → conv → + time → GroupNorm → SiLU → conv, plus a
    /// 1×1 shortcut.
    func testResNetStyleBlock() {
        let x = v([2, 4, 4, 4])
        let t = v([2, 6])
        let g1 = v([4])
        let b1 = v([4])
        let w1 = v([6, 4, 3, 3], scale: 0.3)
        let c1 = v([6])
        let tw = v([6, 6], scale: 0.3)
        let tb = v([6])
        let g2 = v([6])
        let b2 = v([6])
        let w2 = v([6, 6, 3, 3], scale: 0.3)
        let c2 = v([6])
        let ws = v([6, 4, 1, 1])
        assertGrad([x, t, g1, w1, tw, g2, w2, ws]) {
            var h = x.groupNorm(groups: 2, weight: g1, bias: b1, eps: 1e-5).silu()
            h = Variable.conv2d(h, weight: w1, bias: c1, padding: 1)
            h = h + Variable.linear(t.silu(), weight: tw, bias: tb).reshaped([2, 6, 1, 1])
            h = h.groupNorm(groups: 2, weight: g2, bias: b2, eps: 1e-5).silu()
            h = Variable.conv2d(h, weight: w2, bias: c2, padding: 1)
            return Variable.conv2d(x, weight: ws, bias: nil) + h
        }
    }

    func testGradientCheckerCatchesAWrongPullback() {
        let a = v([4])
        // A deliberately wrong derivative (2x instead of cos x) must fail the check.
        let r = checkGradients([a]) { a.elementwise({ sin($0) }, derivative: { x, _ in 2 * x }) }
        XCTAssertFalse(r.passed)
    }

    func testFrozenParametersAndNoGradMode() {
        let w = v([3, 3])
        let x = v([2, 3])
        w.requiresGrad = false
        Variable.linear(x, weight: w, bias: nil).sum().backward()
        XCTAssertNil(w.grad)
        XCTAssertNotNil(x.grad)
        let y = Variable.withoutGradients { Variable.linear(x, weight: w, bias: nil) * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
        // Gradients accumulate across backward passes until cleared.
        x.zeroGrad()
        (x * 2).sum().backward()
        (x * 2).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [Float](repeating: 4, count: 6))
    }
}

final class ContrastiveOpGradientTests: XCTestCase {
    func testRowNormalizedGradient() {
        var rng = RNG(seed: 3)
        let x = Variable(rng.normal([4, 6]), requiresGrad: true)
        let r = checkGradients([x]) { x.rowNormalized() }
        XCTAssertTrue(r.passed, r.description)
        // Unit length, direction kept.
        let y = x.rowNormalized().value
        for b in 0..<4 {
            XCTAssertEqual((0..<6).reduce(0) { $0 + y.scalars[b * 6 + $1] * y.scalars[b * 6 + $1] }, 1, accuracy: 1e-5)
        }
    }

    func testCrossEntropyGradientWithSoftTargetsAndSkippedRows() {
        var rng = RNG(seed: 4)
        let z = Variable(rng.normal([3, 5]), requiresGrad: true)
        var t = Tensor(zeros: [3, 5])
        t.scalars[1] = 0.5
        t.scalars[3] = 0.5  // row 0: soft target over two classes
        t.scalars[5 + 2] = 1  // row 1: one-hot; row 2: all zero (left out)
        let r = checkGradients([z]) { Variable.crossEntropy(logits: z, targets: t) }
        XCTAssertTrue(r.passed, r.description)
        // Against the definition: mean over the two counted rows of −Σ t log softmax.
        func logSoftmax(_ row: Int, _ k: Int) -> Double {
            let v = (0..<5).map { Double(z.value.scalars[row * 5 + $0]) }
            let m = v.max()!
            return v[k] - m - log(v.map { exp($0 - m) }.reduce(0, +))
        }
        let expected = (-(0.5 * logSoftmax(0, 1) + 0.5 * logSoftmax(0, 3)) - logSoftmax(1, 2)) / 2
        XCTAssertEqual(Double(Variable.crossEntropy(logits: z, targets: t).value.scalars[0]), expected, accuracy: 1e-5)
        // The skipped row gets no gradient.
        let loss = Variable.crossEntropy(logits: z, targets: t)
        loss.backward()
        XCTAssertEqual(z.grad!.scalars[10..<15].map { abs($0) }.max()!, 0)
    }

    func testCrossEntropyWithLabels() {
        let z = Variable(Tensor(shape: [2, 3], scalars: [0, 0, 0, 10, 0, 0]), requiresGrad: true)
        // Uniform row with label 1: log 3; a confident right row: ≈ 0; nil rows are left out.
        XCTAssertEqual(
            Double(Variable.crossEntropy(logits: z, labels: [1, nil]).value.scalars[0]), log(3), accuracy: 1e-5)
        XCTAssertEqual(Double(Variable.crossEntropy(logits: z, labels: [nil, 0]).value.scalars[0]), 0, accuracy: 1e-3)
    }
}
