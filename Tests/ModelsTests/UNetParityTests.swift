// The UNet against diffusers 0.42.1 (Tests/Fixtures/reference/unet/ and unet_io.safetensors, made
// in float64; tolerances from that folder's README): output and every recorded activation within
// ‖Δ‖/‖ref‖ ≤ 1e-4, every parameter gradient within ‖Δ‖ ≤ 1e-3·‖ref‖ + 1e-7·G.

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class UNetParityTests: XCTestCase {
    func testForwardActivationsAndGradientsMatchDiffusers() throws {
        let model = try UNet2DConditionModel(folder: Fixtures.reference("unet"))
        let io = try SafeTensorsFile(path: Fixtures.reference("unet_io.safetensors"))
        var acts: [String: Tensor] = [:]
        let output = model(
            Variable(try io.tensor("sample")), timesteps: try io.tensor("timesteps").scalars,
            encoderHiddenStates: Variable(try io.tensor("encoder_hidden_states")), observe: { acts[$0] = $1 })
        XCTAssertLessThan(relativeError(output.value, try io.tensor("output")), 1e-4, "output")
        for name in io.entries.keys where name.hasPrefix("act.") {
            let key = String(name.dropFirst(4))
            guard let mine = acts[key] else {
                XCTFail("no activation \(key)")
                continue
            }
            XCTAssertLessThan(relativeError(mine, try io.tensor(name)), 1e-4, name)
        }
        let loss = Variable.mse(output, Variable(try io.tensor("target")))
        XCTAssertEqual(
            Double(loss.value.scalars[0]), Double(try io.tensor("loss").scalars[0]),
            accuracy: 1e-4 * Double(try io.tensor("loss").scalars[0]))
        loss.backward()
        try assertGradients(model.store, io)
    }

    /// Single blocks alone, each fed what diffusers fed it (unet_blocks.safetensors, made by
    /// scripts/make_unet_block_fixture.py): a ResNet block, a self-attention and a transformer,
    /// on both the readable twin and the fast path.
    func testSingleBlocksMatchDiffusersAlone() throws {
        let model = try UNet2DConditionModel(folder: Fixtures.reference("unet"))
        let blocks = try SafeTensorsFile(path: Fixtures.reference("unet_blocks.safetensors"))
        let resnet = model.downs[0].resnets[0]
        let transformer = model.downs[1].attentions[0]
        let x = Variable(try blocks.tensor("resnet.input"))
        let temb = Variable(try blocks.tensor("resnet.temb"))
        let tokens = Variable(try blocks.tensor("attn1.input"))
        let maps = Variable(try blocks.tensor("transformer.input"))
        let context = Variable(try blocks.tensor("transformer.context"))
        let cases: [(String, Tensor, String)] = [
            ("ResNet, readable", Readable.resnet(resnet, x, temb).value, "resnet.output"),
            ("ResNet, fast", resnet(x, temb).value, "resnet.output"),
            ("attention, readable", Readable.selfAttention(of: transformer, tokens).value, "attn1.output"),
            ("attention, fast", transformer.selfAttention(tokens).value, "attn1.output"),
            (
                "transformer, readable", Readable.transformer(transformer, maps, context: context).value,
                "transformer.output"
            ),
            ("transformer, fast", transformer(maps, context: context).value, "transformer.output"),
        ]
        for (name, mine, reference) in cases {
            XCTAssertLessThan(relativeError(mine, try blocks.tensor(reference)), 1e-4, name)
        }
    }
}

/// Checks every `grad.<name>` of a reference file against the store's gradients.
func assertGradients(_ store: ParameterStore, _ io: SafeTensorsFile, file: StaticString = #filePath, line: UInt = #line)
    throws
{
    let names = io.entries.keys.filter { $0.hasPrefix("grad.") }
    XCTAssertEqual(
        Set(names.map { String($0.dropFirst(5)) }), Set(store.names), "gradient names", file: file, line: line)
    let G = try names.map { try io.tensor($0).norm() }.max() ?? 0
    var worst = (0.0, "")
    for name in names {
        let reference = try io.tensor(name)
        let mine = gradOrZeros(store.byName[String(name.dropFirst(5))]!)
        let err = (mine - reference).norm()
        let bound = 1e-3 * reference.norm() + 1e-7 * G
        if err / bound > worst.0 { worst = (err / bound, name) }
        XCTAssertLessThanOrEqual(err, bound, "\(name): ‖Δ‖ = \(err), bound \(bound)", file: file, line: line)
    }
    print("worst gradient: \(worst.1) at \(String(format: "%.3f", worst.0)) of its bound")
}
