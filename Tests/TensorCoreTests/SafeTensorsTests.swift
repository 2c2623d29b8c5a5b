import Foundation
import TensorCore
import TestSupport
import XCTest

final class SafeTensorsTests: XCTestCase {
    /// Builds a file from a raw header string and a data section.
    func file(header: String, data: [UInt8]) -> Data {
        var out = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    func problem(_ bytes: Data) -> SafeTensorsError.Problem? {
        do {
            _ = try SafeTensorsFile(bytes: bytes, path: "bad.safetensors")
            return nil
        } catch let e as SafeTensorsError {
            XCTAssertTrue(e.description.hasPrefix("bad.safetensors: "), e.description)
            return e.problem
        } catch {
            XCTFail("\(error)")
            return nil
        }
    }

    func testRoundTripIsByteIdentical() throws {
        var rng = RNG(seed: 1)
        let tensors = ["b.weight": rng.normal([3, 4]), "a.bias": rng.normal([4]), "scalar": Tensor(2.5)]
        let dir = temporaryDirectory()
        let path = dir + "/t.safetensors"
        try SafeTensors.write(tensors, to: path, metadata: ["format": "pt"])
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        let back = try SafeTensors.read(path)
        XCTAssertEqual(back, tensors)
        try SafeTensors.write(back, to: path, metadata: try SafeTensorsFile(path: path).metadata)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), first)
        let headerLength = first.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual((8 + headerLength) % 8, 0, "the header is padded so the data section starts 8-aligned")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasSuffix(".tmp") })
    }

    func testHalfPrecisionRoundTrip() throws {
        let values: [Float] = [0, -0.0, 1, -2.5, 65504, 1e-7, 3.14159, -1e-5, 70000]
        let data = SafeTensors.encode(["h": Tensor(shape: [9], scalars: values)], as: .f16)
        let back = try SafeTensorsFile(bytes: data).tensor("h").scalars
        for (v, b) in zip(values, back) {
            if abs(v) > 65504 {
                XCTAssertEqual(b, .infinity)
            } else {
                XCTAssertEqual(b, v, accuracy: max(abs(v) * 1e-3, 6e-8))
            }
        }
        XCTAssertEqual(halfBitsToFloat(0x3c00), 1)
        XCTAssertEqual(halfBitsToFloat(0x0001), 0x1p-24)  // smallest subnormal
        XCTAssertEqual(floatToHalfBits(1.0009765625), 0x3c01)
        XCTAssertEqual(bfloat16BitsToFloat(0x3f80), 1)
    }

    func testReadsEveryDTypeToFloatAndIntegers() throws {
        // F64 1.5, BF16 -2, I64 7, I32 -3, F16 0.5 written by hand.
        var data: [UInt8] = []
        withUnsafeBytes(of: (1.5 as Double).bitPattern.littleEndian) { data += $0 }
        withUnsafeBytes(of: UInt16(0xc000).littleEndian) { data += $0 }
        withUnsafeBytes(of: Int64(7).littleEndian) { data += $0 }
        withUnsafeBytes(of: Int32(-3).littleEndian) { data += $0 }
        withUnsafeBytes(of: UInt16(0x3800).littleEndian) { data += $0 }
        let header =
            #"{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]},"#
            + #""l":{"dtype":"I64","shape":[1],"data_offsets":[10,18]},"#
            + #""i":{"dtype":"I32","shape":[1],"data_offsets":[18,22]},"#
            + #""h":{"dtype":"F16","shape":[1],"data_offsets":[22,24]}}"#
        let f = try SafeTensorsFile(bytes: file(header: header, data: data))
        XCTAssertEqual(try f.tensor("d").scalars, [1.5])
        XCTAssertEqual(try f.tensor("b").scalars, [-2])
        XCTAssertEqual(try f.integers("l").values, [7])
        XCTAssertEqual(try f.integers("i").values, [-3])
        XCTAssertEqual(try f.tensor("h").scalars, [0.5])
        XCTAssertThrowsError(try f.integers("h"))  // 0.5 is not an integer
    }

    func testHostileFilesGetTheirOwnErrors() {
        let four: [UInt8] = [0, 0, 128, 63]  // 1.0 as F32
        // Header length past the end of the file.
        var big = Data([0xff, 0, 0, 0, 0, 0, 0, 0])
        big.append(contentsOf: [0x7b, 0x7d])
        XCTAssertEqual(problem(big), .headerPastEnd(headerBytes: 255, fileBytes: 10))
        XCTAssertEqual(problem(Data([1, 2, 3])), .tooShort)
        var huge = Data([0, 0, 0, 0, 0, 0, 0, 0x10])
        huge.append(contentsOf: [0x7b, 0x7d])
        if case .headerTooLarge = problem(huge) {} else { XCTFail("header too large not caught") }
        // Offset past the end of the data section (a truncated file).
        XCTAssertEqual(
            problem(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: four)),
            .offsetPastEnd(name: "a", end: 8, dataBytes: 4))
        // Overlapping tensors.
        XCTAssertEqual(
            problem(
                file(
                    header:
                        #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
                        + #""b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                    data: four)),
            .overlap("a", "b"))
        // Unknown dtype.
        XCTAssertEqual(
            problem(file(header: #"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, data: four)),
            .unknownDType(name: "a", dtype: "Q7"))
        // Shape × dtype ≠ byte length.
        XCTAssertEqual(
            problem(file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,4]}}"#, data: four)),
            .sizeMismatch(name: "a", shape: [3], dtype: "F32", bytes: 4))
        // Duplicate name.
        XCTAssertEqual(
            problem(
                file(
                    header:
                        #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
                        + #""a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                    data: four)),
            .duplicateName("a"))
        // Gap, trailing bytes, malformed JSON, negative/overflowing shapes.
        XCTAssertEqual(
            problem(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: four + four)),
            .gap(before: "a", bytes: 4))
        XCTAssertEqual(
            problem(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: four + four)),
            .trailingBytes(4))
        if case .badJSON = problem(file(header: #"{"a":{"dtype":"F32","#, data: four)) {
        } else {
            XCTFail("bad JSON not caught")
        }
        if case .badEntry = problem(
            file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: four))
        {
        } else {
            XCTFail("negative shape not caught")
        }
        if case .badEntry = problem(
            file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#, data: four))
        {
        } else {
            XCTFail("overflowing shape not caught")
        }
    }

    func testTruncatedReferenceFileIsRejected() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.reference("ops.safetensors")))
        XCTAssertThrowsError(try SafeTensorsFile(bytes: bytes.prefix(bytes.count - 100), path: "cut.safetensors")) {
            e in
            XCTAssertTrue("\(e)".contains("cut.safetensors"), "\(e)")
        }
    }

    func testEveryReferenceFileReadsWithItsShapes() throws {
        let expected: [String: [String: [Int]]] = [
            "ops.safetensors": ["conv2d_3x3_s1_p1.in1": [6, 5, 3, 3], "sdpa_cross.in1": [2, 4, 5, 6], "mse.out": []],
            "optim.safetensors": ["adamw.grads": [20, 5, 4], "lr.cosine": [100]],
            "schedulers.safetensors": [
                "linear.alphas_cumprod": [1000], "noise": [4, 3, 8, 8],
                "linear.ddim.epsilon.trajectory": [11, 1, 3, 8, 8],
            ],
            "unet_io.safetensors": [
                "sample": [2, 3, 16, 16], "encoder_hidden_states": [2, 8, 64], "output": [2, 3, 16, 16],
            ],
            "text_encoder_io_f64.safetensors": [
                "input_ids": [2, 8], "last_hidden_state": [2, 8, 32], "pooler_output": [2, 32],
            ],
            "unet/diffusion_pytorch_model.safetensors": ["conv_in.weight": [32, 3, 3, 3]],
            "text_encoder/model.safetensors": ["embeddings.token_embedding.weight": [100, 32]],
        ]
        for (name, shapes) in expected {
            let f = try SafeTensorsFile(path: Fixtures.reference(name))
            for (tensor, shape) in shapes { XCTAssertEqual(f.entries[tensor]?.shape, shape, "\(name): \(tensor)") }
            for t in f.entries.keys { XCTAssertNoThrow(try f.tensor(t)) }
        }
    }
}

final class StrictJSONTests: XCTestCase {
    func testNumbersFollowJSONGrammar() throws {
        for good in ["0", "-0", "3", "-12", "3.5", "0.25", "1e5", "1E-3", "2.5e+7", "-0.0"] {
            XCTAssertNoThrow(try StrictJSON.parse(good), good)
        }
        XCTAssertEqual(try StrictJSON.parse("12"), .integer(12))
        XCTAssertEqual(try StrictJSON.parse("[1.5e2]"), .array([.number(150)]))
        // RFC 8259 forbids these; Foundation and a permissive parser accept some of them.
        for bad in ["03", "+3", "3.", ".5", "1e", "1e+", "-", "--1", "1.2.3", "0x10", "1_000", "[01]", "{\"a\": 3.}"] {
            XCTAssertThrowsError(try StrictJSON.parse(bad), bad)
        }
    }

    func testUnicodeEscapesNeedFourHexDigits() throws {
        XCTAssertEqual(try StrictJSON.parse("\"\\u0073\""), .string("s"))
        XCTAssertEqual(try StrictJSON.parse("\"\\u00E9\""), .string("é"))
        for bad in ["\"\\u+073\"", "\"\\u-073\"", "\"\\u 073\"", "\"\\u07\"", "\"\\u0g73\""] {
            XCTAssertThrowsError(try StrictJSON.parse(bad), bad)
        }
    }
}

/// Writes land whole or not at all, through symbolic links, never over something that is not a
/// regular file; reads of a wrong kind of path say what is wrong.
final class SafeWriteTests: XCTestCase {
    func testSymlinkWritesThroughAndKeepsTheLink() throws {
        let dir = temporaryDirectory("symlink")
        let real = dir + "/real.safetensors"
        let link = dir + "/link.safetensors"
        try SafeTensors.write(["a": Tensor(shape: [1], scalars: [1])], to: real)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.safetensors")
        try SafeTensors.write(["a": Tensor(shape: [1], scalars: [2])], to: link)
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: link), "real.safetensors",
            "the link is still a link")
        XCTAssertEqual(try SafeTensorsFile(path: real).tensor("a").scalars, [2], "the write went to the link's target")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [])
    }

    func testDirectoryFIFOAndDeviceAreRefusedAsOutputsAndInputs() throws {
        let dir = temporaryDirectory("kinds")
        let fifo = dir + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for (path, words) in [(dir, "is a directory"), (fifo, "is a FIFO"), ("/dev/null", "is a device")] {
            XCTAssertThrowsError(try SafeTensors.write(["a": Tensor(shape: [1], scalars: [1])], to: path)) {
                XCTAssertTrue("\($0)".contains(words), "\($0)")
            }
            XCTAssertThrowsError(try SafeTensorsFile(path: path)) { XCTAssertTrue("\($0)".contains(words), "\($0)") }
        }
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "the FIFO is still there")
        XCTAssertThrowsError(try SafeTensorsFile(path: dir + "/missing.safetensors")) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
        }
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [],
            "no temporary file is left")
    }

    func testAFailedWriteLeavesNoTemporaryFile() throws {
        // A folder that cannot be made (its parent is a file): the error names the path.
        let parent = temporaryDirectory("notafolder")
        try Data("x".utf8).write(to: URL(fileURLWithPath: parent + "/file"))
        XCTAssertThrowsError(
            try SafeTensors.write(["a": Tensor(shape: [1], scalars: [1])], to: parent + "/file/x.safetensors")
        ) {
            XCTAssertTrue("\($0)".contains("cannot be created"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent), ["file"])
        // A read-only folder (not for root, who writes anyway).
        let dir = temporaryDirectory("readonly")
        XCTAssertEqual(chmod(dir, 0o500), 0)
        defer { chmod(dir, 0o700) }
        if getuid() == 0 { throw XCTSkip("root writes into read-only folders") }
        XCTAssertThrowsError(try SafeTensors.write(["a": Tensor(shape: [1], scalars: [1])], to: dir + "/x.safetensors"))
        { XCTAssertTrue("\($0)".contains(dir + "/x.safetensors"), "\($0)") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }

    func testZeroSizeTensorsAreValid() throws {
        // "a" is empty and starts where "b" starts: valid safetensors (the Rust reader accepts it).
        let file = temporaryDirectory("empty") + "/x.safetensors"
        try SafeTensors.write(
            [
                "a": Tensor(shape: [0, 4], scalars: []), "b": Tensor(shape: [2], scalars: [1, 2]),
                "c": Tensor(shape: [0], scalars: []),
            ], to: file)
        let f = try SafeTensorsFile(path: file)
        XCTAssertEqual(try f.tensor("a").shape, [0, 4])
        XCTAssertEqual(try f.tensor("b").scalars, [1, 2])
        XCTAssertEqual(try f.tensor("c").shape, [0])
    }
}
