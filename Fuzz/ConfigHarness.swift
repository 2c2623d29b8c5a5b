// libFuzzer harness: the strict JSON parser and every config reader built on it (UNet, CLIP
// text encoder, scheduler, image encoder): the input is read as each kind of config.json, and a
// config that reads is written back.
import Foundation
import Models
import TensorCore

/// Reads one valid config of each kind first, so that one-time globals (the readers' tables of
/// defaults) exist before leak detection starts; otherwise each would be reported once as a leak.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    _ = try? UNetConfig(contentsOf: "../Tests/Fixtures/unet-bench.json").jsonText()
    _ = try? CLIPTextConfig(contentsOf: "../Checkpoints/base/text_encoder/config.json").jsonText()
    _ = try? SchedulerConfig(contentsOf: "../Checkpoints/base/scheduler/scheduler_config.json").jsonText()
    _ = try? ImageEncoderConfig(contentsOf: "../Checkpoints/judges/attributes/config.json")
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? StrictJSON.parse(String(decoding: bytes, as: UTF8.self))
    if let c = try? UNetConfig(configData: bytes, path: "fuzz.json") { _ = c.jsonText() }
    if let c = try? CLIPTextConfig(configData: bytes, path: "fuzz.json") { _ = c.jsonText() }
    if let c = try? SchedulerConfig(configData: bytes, path: "fuzz.json") { _ = c.jsonText() }
    _ = try? ImageEncoderConfig(configData: bytes, path: "fuzz.json")
    return 0
}
