// libFuzzer harness: the tokenizer folder reader (merges.txt, vocab.json, tokenizer_config.json).
// The input is cut at its first two 0xFF bytes into the three files; a folder that loads then
// tokenizes a few texts, including the input itself.
import Foundation
import Models

let folder = "/tmp/fuzz-tokenizer-\(getpid())"

/// Loads the shipped tokenizer first, so that one-time globals exist before leak detection starts.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    if let t = try? CLIPTokenizer(folder: "../Checkpoints/base/tokenizer") { _ = t.decode(t.encode("a red ball")) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parts = bytes.split(separator: 0xFF, maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3 else { return 0 }
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, part) in zip(["merges.txt", "vocab.json", "tokenizer_config.json"], parts) {
        try? Data(part).write(to: URL(fileURLWithPath: folder + "/" + name))
    }
    guard let tokenizer = try? CLIPTokenizer(folder: folder) else { return 0 }
    for text in ["a red ball", "xqzt!!  sks", String(decoding: parts[0].prefix(64), as: UTF8.self)] {
        let ids = tokenizer.encode(text)
        _ = tokenizer.decode(ids)
    }
    return 0
}
