// libFuzzer harness: the safetensors reader. Every input is a candidate file; a valid one has
// every tensor read, as float and (where integral) as integers.
import Foundation
import TensorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let file = try? SafeTensorsFile(bytes: bytes, path: "fuzz.safetensors") else { return 0 }
    for name in file.names {
        _ = try? file.tensor(name)
        _ = try? file.integers(name)
    }
    return 0
}
