// Model folders: round trips, strict configs, and errors that name the file and the problem.

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    func write(_ text: String, _ dir: String) -> String {
        let path = dir + "/config.json"
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testUNetFolderRoundTripsByteIdentically() throws {
        let dir = temporaryDirectory("unet")
        let model = try UNet2DConditionModel(folder: Fixtures.reference("unet"))
        try model.save(folder: dir + "/a")
        let again = try UNet2DConditionModel(folder: dir + "/a")
        XCTAssertEqual(again.config, model.config)
        try again.save(folder: dir + "/b")
        for f in ["config.json", UNet2DConditionModel.weightsFile] {
            XCTAssertEqual(
                FileManager.default.contents(atPath: "\(dir)/a/\(f)"),
                FileManager.default.contents(atPath: "\(dir)/b/\(f)"), f)
        }
        XCTAssertEqual(again.store.stateDict(), model.store.stateDict())
    }

    func testCLIPFolderRoundTrips() throws {
        let dir = temporaryDirectory("clip")
        let model = try CLIPTextModel(folder: Fixtures.reference("text_encoder"))
        try model.save(folder: dir)
        let again = try CLIPTextModel(folder: dir)
        XCTAssertEqual(again.config, model.config)
        XCTAssertEqual(again.store.stateDict(), model.store.stateDict())
    }

    func testBenchConfigReadsAndCountsParameters() throws {
        let config = try UNetConfig(contentsOf: Fixtures.path("unet-bench.json"))
        XCTAssertEqual(config, UNetConfig.bench)
        // 2.53 M parameters: diffusers' UNet2DConditionModel of this configuration counts the same
        // (Tests/Fixtures/reference/README.md).
        XCTAssertEqual(Double(UNet2DConditionModel(config).store.count) / 1e6, 2.53, accuracy: 0.01)
    }

    func testUnsupportedAndUnknownKeysAreNamed() throws {
        let dir = temporaryDirectory("cfg")
        let base = try String(contentsOfFile: Fixtures.path("unet-bench.json"), encoding: .utf8)
        func error(_ text: String) -> String {
            let path = write(text, dir)
            do {
                _ = try UNetConfig(contentsOf: path)
                return ""
            } catch { return "\(error)" }
        }
        XCTAssertEqual(error(base), "")
        let e1 = error(
            base.replacingOccurrences(
                of: "\"act_fn\": \"silu\",", with: "\"act_fn\": \"silu\", \"class_embed_type\": \"timestep\","))
        XCTAssertTrue(e1.contains("'class_embed_type'") && e1.contains("\"timestep\""), e1)
        let e2 = error(
            base.replacingOccurrences(of: "\"act_fn\": \"silu\",", with: "\"act_fn\": \"silu\", \"flux_capacitor\": 3,")
        )
        XCTAssertTrue(e2.contains("unknown config key 'flux_capacitor'"), e2)
        let e3 = error(base.replacingOccurrences(of: "\"act_fn\": \"silu\"", with: "\"act_fn\": \"gelu\""))
        XCTAssertTrue(e3.contains("act_fn 'gelu'"), e3)
        let e4 = error(base.replacingOccurrences(of: "\"UpBlock2D\"]", with: "\"AttnUpBlock2D\"]"))
        XCTAssertTrue(e4.contains("'AttnUpBlock2D'"), e4)
        XCTAssertTrue(e4.hasPrefix(dir + "/config.json"), e4)
        // A key at its diffusers default is accepted.
        XCTAssertEqual(
            error(
                base.replacingOccurrences(
                    of: "\"act_fn\": \"silu\",", with: "\"act_fn\": \"silu\", \"dropout\": 0.0,")),
            "")
    }

    func testWrongWeightsNameTheTensor() throws {
        let dir = temporaryDirectory("weights")
        try FileManager.default.copyItem(atPath: Fixtures.reference("unet/config.json"), toPath: dir + "/config.json")
        var tensors = try SafeTensors.read(Fixtures.reference("unet/diffusion_pytorch_model.safetensors"))
        tensors["conv_in.weight"] = Tensor(zeros: [32, 3, 1, 1])
        try SafeTensors.write(tensors, to: dir + "/" + UNet2DConditionModel.weightsFile)
        XCTAssertThrowsError(try UNet2DConditionModel(folder: dir)) { e in
            XCTAssertTrue("\(e)".contains("'conv_in.weight' has shape (32, 3, 1, 1)"), "\(e)")
        }
        tensors["conv_in.weight"] = nil
        try SafeTensors.write(tensors, to: dir + "/" + UNet2DConditionModel.weightsFile)
        XCTAssertThrowsError(try UNet2DConditionModel(folder: dir)) { e in
            XCTAssertTrue("\(e)".contains("missing parameter 'conv_in.weight'"), "\(e)")
        }
        // A truncated weights file is a safetensors error naming the file.
        let bytes = try Data(
            contentsOf: URL(fileURLWithPath: Fixtures.reference("unet/diffusion_pytorch_model.safetensors")))
        try bytes.prefix(1000).write(to: URL(fileURLWithPath: dir + "/" + UNet2DConditionModel.weightsFile))
        XCTAssertThrowsError(try UNet2DConditionModel(folder: dir)) { e in
            XCTAssertTrue("\(e)".contains(UNet2DConditionModel.weightsFile), "\(e)")
        }
    }

    func testTextEncoderToolWithGradients() throws {
        let out = temporaryDirectory("tool") + "/clip.safetensors"
        let p = Process()
        p.executableURL = productsDirectory.appendingPathComponent("dreambooth")
        p.arguments = [
            "text-encoder-forward", "--model", Fixtures.reference("text_encoder"), "--input",
            Fixtures.reference("text_encoder_io_f64.safetensors"),
            "--output", out, "--gradients",
        ]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let mine = try SafeTensorsFile(path: out)
        let ref = try SafeTensorsFile(path: Fixtures.reference("text_encoder_io_f64.safetensors"))
        XCTAssertLessThan(relativeError(try mine.tensor("pooler_output"), try ref.tensor("pooler_output")), 1e-4)
        XCTAssertLessThan(
            relativeError(
                try mine.tensor("grad.final_layer_norm.weight"), try ref.tensor("grad.final_layer_norm.weight")), 1e-3)
        // A bad request names the file and the problem.
        let bad = Process()
        bad.executableURL = p.executableURL
        bad.arguments = [
            "unet-forward", "--model", Fixtures.reference("unet"), "--input",
            Fixtures.reference("text_encoder_io_f64.safetensors"), "--output", out,
        ]
        let err = Pipe()
        bad.standardError = err
        try bad.run()
        bad.waitUntilExit()
        XCTAssertEqual(bad.terminationStatus, 1)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.contains("text_encoder_io_f64.safetensors: no tensor named 'sample'"), message)
    }

    func testForwardToolWritesWhatDiffusersWouldCompare() throws {
        // The command-line check on the reference folder reproduces the reference output.
        let tool = productsDirectory.appendingPathComponent("dreambooth")
        let out = temporaryDirectory("tool") + "/out.safetensors"
        let p = Process()
        p.executableURL = tool
        p.arguments = [
            "unet-forward", "--model", Fixtures.reference("unet"), "--input", Fixtures.reference("unet_io.safetensors"),
            "--output", out,
        ]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let mine = try SafeTensorsFile(path: out).tensor("output")
        XCTAssertLessThan(
            relativeError(mine, try SafeTensorsFile(path: Fixtures.reference("unet_io.safetensors")).tensor("output")),
            1e-4)
    }
}
