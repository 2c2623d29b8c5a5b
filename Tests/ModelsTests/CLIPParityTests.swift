// The text encoder against transformers 5.24 (Tests/Fixtures/reference/text_encoder/ and
// text_encoder_io_f64.safetensors; tolerances from that folder's README).

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class CLIPParityTests: XCTestCase {
    func testOutputsAndGradientsMatchTransformers() throws {
        let model = try CLIPTextModel(folder: Fixtures.reference("text_encoder"))
        let io = try SafeTensorsFile(path: Fixtures.reference("text_encoder_io_f64.safetensors"))
        let ids = try io.integers("input_ids")
        let rows = (0..<ids.shape[0]).map { Array(ids.values[$0 * ids.shape[1]..<($0 + 1) * ids.shape[1]]) }
        let (last, pooled) = model(rows)
        XCTAssertLessThan(relativeError(last.value, try io.tensor("last_hidden_state")), 1e-4)
        XCTAssertLessThan(relativeError(pooled.value, try io.tensor("pooler_output")), 1e-4)
        let loss = Variable.mse(last, Variable(try io.tensor("target")))
        XCTAssertEqual(
            Double(loss.value.scalars[0]), Double(try io.tensor("loss").scalars[0]),
            accuracy: 1e-4 * Double(try io.tensor("loss").scalars[0]))
        loss.backward()
        try assertGradients(model.store, io)
    }

    func testPooledTokenRules() {
        var config = CLIPTextConfig()
        config.vocabSize = 10
        config.hiddenSize = 8
        config.intermediateSize = 8
        config.layers = 1
        config.heads = 2
        config.maxPositions = 5
        config.eosTokenId = 3
        let m = CLIPTextModel(config)
        let (last, pooled) = m([[0, 5, 3, 3, 3]])
        XCTAssertEqual(Array(pooled.value.scalars), Array(last.value.scalars[16..<24]))  // first EOS at position 2
        config.eosTokenId = 2
        let legacy = CLIPTextModel(config)
        let (l2, p2) = legacy([[0, 9, 4, 2, 2]])
        XCTAssertEqual(Array(p2.value.scalars), Array(l2.value.scalars[8..<16]))  // largest id at position 1
    }
}
