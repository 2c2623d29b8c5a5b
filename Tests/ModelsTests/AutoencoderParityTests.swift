// The autoencoder against diffusers 0.42.1 (Tests/Fixtures/reference/vae/ and vae_io.safetensors,
// made in float64 by scripts/make_vae_fixture.py; tolerances of the UNet fixture, from
// Tests/Fixtures/reference/README.md): the encoder's mean and log-variance, every recorded stage,
// the decoder's output, the KL term, and every parameter gradient of a loss through both.

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class AutoencoderParityTests: XCTestCase {
    func testEncoderDecoderAndGradientsMatchDiffusers() throws {
        let vae = try AutoencoderKL(folder: Fixtures.reference("vae"))
        let io = try SafeTensorsFile(path: Fixtures.reference("vae_io.safetensors"))
        var acts: [String: Tensor] = [:]
        let posterior = vae.encode(Variable(try io.tensor("sample")), observe: { acts[$0] = $1 })
        let decoded = vae.decode(posterior.mean, observe: { acts[$0] = $1 })
        let outputs: [(String, Tensor)] = [
            ("latent_mean", posterior.mean.value), ("latent_logvar", posterior.logvar.value),
            ("latent_sample", posterior.sample(noise: try io.tensor("noise")).value), ("decoded", decoded.value),
        ]
        for (name, mine) in outputs {
            XCTAssertLessThan(relativeError(mine, try io.tensor(name)), 1e-4, name)
        }
        for name in io.entries.keys where name.hasPrefix("act.") {
            guard let mine = acts[String(name.dropFirst(4))] else {
                XCTFail("no activation \(name)")
                continue
            }
            XCTAssertLessThan(relativeError(mine, try io.tensor(name)), 1e-4, name)
        }
        let kl = posterior.kl()
        XCTAssertLessThan(relativeError(kl.value, try io.tensor("kl")), 1e-4, "kl")
        let loss = Variable.mse(decoded, Variable(try io.tensor("target"))) + kl.mean() * 1e-3
        let reference = Double(try io.tensor("loss").scalars[0])
        XCTAssertEqual(Double(loss.value.scalars[0]), reference, accuracy: 1e-4 * reference)
        loss.backward()
        try assertGradients(vae.store, io)
    }

    /// encode and decode (fused GroupNorm → SiLU → conv) are the readable twin's functions.
    func testFastPathEqualsReadableTwin() throws {
        let vae = try AutoencoderKL(folder: Fixtures.reference("vae"))
        let x = Variable(try SafeTensorsFile(path: Fixtures.reference("vae_io.safetensors")).tensor("sample"))
        let fast = vae.encode(x)
        let readable = vae.readableEncode(x)
        XCTAssertLessThan(relativeError(fast.mean.value, readable.mean.value), 1e-5, "mean")
        XCTAssertLessThan(relativeError(fast.logvar.value, readable.logvar.value), 1e-5, "logvar")
        XCTAssertLessThan(relativeError(vae.decode(fast.mean).value, vae.readableDecode(fast.mean).value), 1e-5)
    }

    /// Standardizing the latent channels moves each channel's mean and log-variance as the fold says,
    /// and every image still decodes the same (from its moved latent).
    func testStandardizedLatentChannelsDecodeEveryImageAsBefore() throws {
        let vae = try AutoencoderKL(folder: Fixtures.reference("vae"))
        let x = Variable(try SafeTensorsFile(path: Fixtures.reference("vae_io.safetensors")).tensor("sample"))
        let before = vae.encode(x)
        let decodedBefore = vae.decode(before.mean).value
        let C = vae.config.latentChannels
        let m = (0..<C).map { Float($0) * 0.3 - 0.4 }
        let s = (0..<C).map { 0.5 + Float($0) * 0.7 }
        vae.standardizeLatentChannels(mean: m, std: s)
        let after = vae.encode(x)
        let plane = before.mean.shape[2] * before.mean.shape[3]
        for i in 0..<before.mean.value.count {
            let c = (i / plane) % C
            XCTAssertEqual(
                after.mean.value.scalars[i], (before.mean.value.scalars[i] - m[c]) / s[c], accuracy: 1e-5, "mean \(i)")
            XCTAssertEqual(
                after.logvar.value.scalars[i], before.logvar.value.scalars[i] - 2 * log(s[c]), accuracy: 1e-4,
                "logvar \(i)")
        }
        XCTAssertLessThan(relativeError(vae.decode(after.mean).value, decodedBefore), 1e-5, "decoded")
    }

    /// Our folder is diffusers' folder: config.json round-trips key for key, and the weights reload.
    func testSavedFolderReloads() throws {
        let vae = try AutoencoderKL(folder: Fixtures.reference("vae"))
        let dir = NSTemporaryDirectory() + "vae-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try vae.save(folder: dir)
        let again = try AutoencoderKL(folder: dir)
        XCTAssertEqual(again.config, vae.config)
        for name in vae.store.names {
            XCTAssertEqual(again.store.byName[name]!.value.scalars, vae.store.byName[name]!.value.scalars, name)
        }
        let theirs = try String(contentsOfFile: Fixtures.reference("vae/config.json"), encoding: .utf8)
        XCTAssertEqual(
            try String(contentsOfFile: dir + "/config.json", encoding: .utf8), theirs,
            "config.json as diffusers' save_pretrained writes it")
    }

    func testBadConfigsAreNamed() throws {
        let cases: [(String, String)] = [
            (#"{"block_out_channels": [8, 16], "down_block_types": ["DownEncoderBlock2D"]}"#, "block types"),
            (#"{"block_out_channels": [8], "down_block_types": ["AttnDownEncoderBlock2D"]}"#, "not supported"),
            (#"{"block_out_channels": [8], "norm_num_groups": 3}"#, "multiple of norm_num_groups"),
            (#"{"block_out_channels": [8], "norm_num_groups": 4, "shift_factor": 0.1}"#, "shift_factor"),
            (#"{"block_out_channels": [8], "norm_num_groups": 4, "scaling_factor": -1}"#, "scaling_factor"),
            (#"{"block_out_channels": [8], "norm_num_groups": 4, "act_fn": "relu"}"#, "act_fn"),
            (#"{"block_out_channels": [8], "norm_num_groups": 4, "colour": 1}"#, "unknown config key"),
        ]
        for (json, expected) in cases {
            XCTAssertThrowsError(try AutoencoderKLConfig(configData: Data(json.utf8), path: "vae/config.json")) {
                let message = "\($0)"
                XCTAssertTrue(message.contains("vae/config.json") && message.contains(expected), message)
            }
        }
    }
}
