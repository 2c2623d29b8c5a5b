// LoRA: step 0 is the base model exactly; adapters in diffusers' file layout give diffusers'
// outputs (Tests/Fixtures/lora/, made by scripts/compare_lora_with_diffusers.py --make-fixture with
// diffusers 0.42.1, transformers 5.25.0, peft 0.21.2, torch 2.15.0: random rank-4 adapters with
// lora_alpha 8 on the UNet's attention projections and convolutions (conv1, conv2, conv_shortcut,
// proj_in, proj_out: PEFT's Conv2d LoRA) and the text encoder's attention projections of
// Checkpoints/base, loaded by load_lora_into_unet / load_lora_into_text_encoder).

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class LoRATests: XCTestCase {
    let base = Fixtures.inRepository("Checkpoints/base")
    func inputs() throws -> (SafeTensorsFile, Tensor, [Float], Tensor) {
        let f = try SafeTensorsFile(path: Fixtures.inRepository("Tests/Fixtures/lora/reference.safetensors"))
        return (f, try f.tensor("sample"), try f.tensor("timesteps").scalars, try f.tensor("encoder_hidden_states"))
    }

    func testFreshAdaptersLeaveTheBaseModelExactly() throws {
        let (_, x, t, c) = try inputs()
        let unet = try UNet2DConditionModel(folder: base + "/unet")
        let before = Variable.withoutGradients {
            unet(Variable(x), timesteps: t, encoderHiddenStates: Variable(c)).value
        }
        let set = LoRASet(
            unet.store, component: "unet", targets: LoRAConfig.unetTargets, config: LoRAConfig(rank: 4), seed: 3)
        XCTAssertEqual(
            set.layers.count,
            unet.store.adapterSlots.filter { n, _ in LoRAConfig.unetTargets.contains { n.hasSuffix("." + $0) } }.count)
        XCTAssertGreaterThan(set.layers.count, 0)
        let after = Variable.withoutGradients {
            unet(Variable(x), timesteps: t, encoderHiddenStates: Variable(c)).value
        }
        XCTAssertEqual(before.scalars, after.scalars, "B = 0: the adapted model is the base model")
        XCTAssertTrue(unet.parameters.allSatisfy { !$0.requiresGrad }, "the base weights are frozen")
        // A is N(0, 1/r²) as PEFT's "gaussian" init; B is zero.
        let a = set.layers[0].adapter.down.value.scalars
        let std = (a.reduce(0) { $0 + $1 * $1 } / Float(a.count)).squareRoot()
        XCTAssertEqual(std, 0.25, accuracy: 0.05)
        XCTAssertTrue(set.layers.allSatisfy { $0.adapter.up.value.scalars.allSatisfy { $0 == 0 } })
    }

    func testDiffusersLayoutAdaptersMatchDiffusersOutputs() throws {
        let (f, x, t, c) = try inputs()
        let pipeline = try TextToImagePipeline(folder: base)
        let attached = try LoRAWeights.apply(
            Fixtures.inRepository("Tests/Fixtures/lora/pytorch_lora_weights.safetensors"),
            unet: pipeline.unet.store, textEncoder: pipeline.textEncoder.store)
        XCTAssertGreaterThan(attached, 0)
        let out = Variable.withoutGradients {
            pipeline.unet(Variable(x), timesteps: t, encoderHiddenStates: Variable(c)).value
        }
        let convs = pipeline.unet.store.adapterSlots.filter { $0.slot.kernel != nil && $0.slot.lora != nil }
        XCTAssertGreaterThan(convs.count, 0, "the fixture's convolution adapters are attached")
        let expected = try f.tensor("output")
        XCTAssertLessThanOrEqual(relativeError(out, expected), 1e-5, "UNet with adapters against diffusers")
        let ids = try f.integers("input_ids")
        let L = ids.shape[1]
        let rows = (0..<ids.shape[0]).map { Array(ids.values[($0 * L)..<(($0 + 1) * L)]) }
        let hidden = Variable.withoutGradients { pipeline.textEncoder(rows).lastHiddenState.value }
        XCTAssertLessThanOrEqual(
            relativeError(hidden, try f.tensor("last_hidden_state")), 1e-5,
            "text encoder with adapters against transformers + peft")
    }

    func testSavedAdaptersLoadBackAndBadFilesAreNamed() throws {
        let (_, x, t, c) = try inputs()
        let unet = try UNet2DConditionModel(folder: base + "/unet")
        let text = try CLIPTextModel(folder: base + "/text_encoder")
        let set = LoRASet(
            unet.store, component: "unet", targets: LoRAConfig.unetTargets + ["conv1", "proj_out"],
            config: LoRAConfig(rank: 2, alpha: 6), seed: 1)
        XCTAssertTrue(set.layers.contains { $0.adapter.down.shape == [2, 32, 3, 3] }, "a conv1's A is (r, in, 3, 3)")
        var rng = RNG(seed: 9)
        for l in set.layers { l.adapter.up.value = rng.normal(l.adapter.up.shape) * 0.1 }
        let trained = Variable.withoutGradients {
            unet(Variable(x), timesteps: t, encoderHiddenStates: Variable(c)).value
        }
        let dir = temporaryDirectory("lora")
        try LoRAWeights.save([set], to: dir + "/" + LoRAWeights.fileName)
        let fresh = try UNet2DConditionModel(folder: base + "/unet")
        try LoRAWeights.apply(dir + "/" + LoRAWeights.fileName, unet: fresh.store, textEncoder: text.store)
        let loaded = Variable.withoutGradients {
            fresh(Variable(x), timesteps: t, encoderHiddenStates: Variable(c)).value
        }
        XCTAssertEqual(trained.scalars, loaded.scalars, "α/r = 3 comes back from the file's metadata")
        // A key naming no layer of the model.
        try SafeTensors.write(
            [
                "unet.nowhere.to_q.lora.down.weight": Tensor(zeros: [2, 4]),
                "unet.nowhere.to_q.lora.up.weight": Tensor(zeros: [4, 2]),
            ], to: dir + "/bad.safetensors")
        XCTAssertThrowsError(
            try LoRAWeights.apply(dir + "/bad.safetensors", unet: fresh.store, textEncoder: text.store)
        ) {
            XCTAssertTrue("\($0)".contains("nowhere.to_q") && "\($0)".contains("bad.safetensors"), "\($0)")
        }
        // A convolution's adapter of a Linear's shape.
        let conv = "unet.down_blocks.0.resnets.0.conv1"
        try SafeTensors.write(
            [conv + ".lora.down.weight": Tensor(zeros: [2, 32]), conv + ".lora.up.weight": Tensor(zeros: [32, 2])],
            to: dir + "/flat.safetensors")
        XCTAssertThrowsError(
            try LoRAWeights.apply(dir + "/flat.safetensors", unet: fresh.store, textEncoder: text.store)
        ) {
            XCTAssertTrue("\($0)".contains("a 3×3 convolution"), "\($0)")
        }
    }
}
