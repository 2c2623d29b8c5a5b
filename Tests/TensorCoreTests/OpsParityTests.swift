// Every op against PyTorch: forward values and input gradients from
// Tests/Fixtures/reference/ops.safetensors (made with PyTorch 2.15 in float64; see its README).

import TensorCore
import TestSupport
import XCTest

final class OpsParityTests: XCTestCase {
    static let file = try! SafeTensorsFile(path: Fixtures.reference("ops.safetensors"))
    func t(_ name: String) -> Tensor { try! Self.file.tensor(name) }

    /// Runs `op` on the recorded inputs, back-propagates the recorded upstream gradient, and compares.
    func check(_ name: String, inputs count: Int, tolerance: Double = 1e-5, _ op: ([Variable]) -> Variable) {
        let xs = (0..<count).map { Variable(t("\(name).in\($0)"), requiresGrad: true) }
        let y = op(xs)
        XCTAssertLessThan(relativeError(y.value, t("\(name).out")), tolerance, "\(name): forward")
        y.backward(seed: t("\(name).grad_out").reshaped(y.shape))
        for (i, x) in xs.enumerated() {
            XCTAssertLessThan(
                relativeError(gradOrZeros(x), t("\(name).grad_in\(i)")), tolerance, "\(name): gradient of input \(i)")
        }
    }

    func testConvolutions() {
        check("conv2d_3x3_s1_p1", inputs: 3) {
            Variable.conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1)
        }
        check("conv2d_3x3_s2_p1", inputs: 3) {
            Variable.conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1)
        }
        check("conv2d_1x1", inputs: 3) { Variable.conv2d($0[0], weight: $0[1], bias: $0[2]) }
    }

    func testNormalizations() {
        check("group_norm_g4", inputs: 3) { $0[0].groupNorm(groups: 4, weight: $0[1], bias: $0[2], eps: 1e-5) }
        check("layer_norm", inputs: 3) { $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) }
    }

    func testActivations() {
        check("silu", inputs: 1) { $0[0].silu() }
        check("gelu_exact", inputs: 1) { $0[0].gelu() }
        check("gelu_tanh", inputs: 1) { $0[0].geluTanh() }
        check("quick_gelu", inputs: 1) { $0[0].quickGELU() }
        check("softmax_last", inputs: 1) { $0[0].softmax() }
    }

    func testLinearGEGLUUpsampleMSE() {
        check("linear", inputs: 3) { Variable.linear($0[0], weight: $0[1], bias: $0[2]) }
        check("geglu", inputs: 3) { xs in
            let h = Variable.linear(xs[0], weight: xs[1], bias: xs[2]).chunked(2, axis: 2)
            return h[0] * h[1].gelu()
        }
        check("upsample_nearest_2x", inputs: 1) { $0[0].upsampleNearest2x() }
        check("mse", inputs: 2) { Variable.mse($0[0], $0[1]) }
    }

    func testAttention() {
        check("sdpa_self", inputs: 3) { Variable.attention(query: $0[0], key: $0[1], value: $0[2]) }
        check("sdpa_cross", inputs: 3) { Variable.attention(query: $0[0], key: $0[1], value: $0[2]) }
        check("sdpa_causal", inputs: 3) { Variable.attention(query: $0[0], key: $0[1], value: $0[2], causal: true) }
    }

    func testEmbedding() throws {
        let ids = try Self.file.integers("embedding.ids")
        let w = Variable(t("embedding.in0"), requiresGrad: true)
        let y = Variable.embedding(w, ids: ids.values, shape: ids.shape)
        XCTAssertLessThan(relativeError(y.value, t("embedding.out")), 1e-6)
        y.backward(seed: t("embedding.grad_out"))
        XCTAssertLessThan(relativeError(w.grad!, t("embedding.grad_in0")), 1e-6)
    }
}
