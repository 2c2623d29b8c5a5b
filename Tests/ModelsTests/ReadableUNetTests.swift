// The fused UNet held to its readable twin (Sources/Models/UNetReadable.swift): the same
// parameters, the same output and the same gradients, on the shipped base model.

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class ReadableUNetTests: XCTestCase {
    func testFusedPathEqualsTheReadableOneForwardAndBackward() throws {
        let unet = try UNet2DConditionModel(folder: Fixtures.inRepository("Checkpoints/base/unet"))
        var rng = RNG(seed: 12)
        let (C, S) = (unet.config.inChannels, unet.config.sampleSize)  // latents (or pixels) the shipped UNet denoises
        let x = rng.normal([2, C, S, S])
        let c = rng.normal([2, 24, 64])
        let r = rng.normal([2, unet.config.outChannels, S, S])
        func run(_ readable: Bool) -> (Tensor, [String: Tensor]) {
            for p in unet.parameters { p.grad = nil }
            let ctx = Variable(c, requiresGrad: true)
            let out =
                readable
                ? unet.readableForward(Variable(x), timesteps: [20, 800], encoderHiddenStates: ctx)
                : unet(Variable(x), timesteps: [20, 800], encoderHiddenStates: ctx)
            (out * Variable(r)).sum().backward()
            var grads = ["context": ctx.grad!]
            for p in unet.parameters
            where [
                "conv_in.weight", "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                "mid_block.resnets.0.norm1.weight", "up_blocks.2.resnets.2.conv2.weight",
                "down_blocks.2.attentions.1.transformer_blocks.0.ff.net.0.proj.weight",
            ].contains(p.name) {
                grads[p.name] = p.grad!
            }
            return (out.value, grads)
        }
        let (fast, fastGrads) = run(false)
        let (plain, plainGrads) = run(true)
        XCTAssertLessThanOrEqual(relativeError(fast, plain), 1e-5, "output")
        XCTAssertEqual(fastGrads.count, 6)
        for (name, g) in plainGrads {
            XCTAssertLessThanOrEqual(relativeError(fastGrads[name]!, g), 1e-4, "gradient of \(name)")
        }
    }
}
