// Every chapter runs in --quick mode into a temporary folder and writes its figures: data, script
// and image. The chapters' own checks (identities, closed form vs steps, gradient check) print
// their numbers; a chapter that fails its check exits non-zero, which fails this test.

import Foundation
import TestSupport
import XCTest

final class ChapterTests: XCTestCase {
    func run(_ chapter: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        if let environment { p.environment = environment }
        p.executableURL = productsDirectory.appendingPathComponent(chapter)
        p.arguments = arguments
        // Chapters run from the repository root (chapter 03 reads Tests/Fixtures/reference).
        p.currentDirectoryURL = URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent()
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func runChapter(_ name: String, expecting files: [String]) throws -> String {
        let dir = temporaryDirectory(name)
        let (status, output) = try run(name, ["--quick", "--seed", "1", "--out", dir])
        XCTAssertEqual(status, 0, output)
        for f in files { XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), "\(name) did not write \(f)\n\(output)") }
        return output
    }

    func testChapter00() throws {
        let out = try runChapter("chapter00", expecting: ["gemm-speed.dat", "gemm-speed.gp", "gemm-speed.png"])
        XCTAssertTrue(out.contains("gradient check passed"), out)
    }

    func testChapter01() throws {
        _ = try runChapter("chapter01", expecting: ["betas.gp", "alpha-bar.png", "log-snr.dat", "scales.png", "closed-vs-stepwise.png",
                                                    "noise-strip.png", "sample.png", "noise-strip-figure.png"])
    }

    func testChapter02() throws {
        _ = try runChapter("chapter02", expecting: ["loss-curves.png", "samples.png", "trajectories.png", "weightings.png"])
    }

    func testChapter03() throws {
        let out = try runChapter("chapter03", expecting: ["time-embedding.png", "parameters.png", "parity.png", "activation-stats.png", "time-per-op.png"])
        XCTAssertFalse(out.contains("✗"), out)
        XCTAssertTrue(out.contains("2529731 parameters"), out)
    }

    func testSameSeedSameBytes() throws {
        let a = temporaryDirectory("seedA"), b = temporaryDirectory("seedB")
        for dir in [a, b] { XCTAssertEqual(try run("chapter01", ["--quick", "--seed", "3", "--out", dir]).status, 0) }
        for f in ["noise-strip.png", "closed-vs-stepwise.dat", "closed-vs-stepwise.png"] {
            XCTAssertEqual(FileManager.default.contents(atPath: a + "/" + f), FileManager.default.contents(atPath: b + "/" + f), f)
        }
    }

    func testWithoutGnuplotDataAndScriptsStillWrittenWithOneMessage() throws {
        let dir = temporaryDirectory("nognuplot"), emptyPath = temporaryDirectory("emptypath")
        let (status, output) = try run("chapter01", ["--quick", "--out", dir], environment: ["PATH": emptyPath])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.components(separatedBy: "gnuplot not found").count - 1, 1, output)
        for f in ["betas.dat", "betas.gp", "alpha-bar.gp", "noise-strip.png"] { XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/betas.png"))
    }

    func testBadArgumentsAreNamed() throws {
        let (status, output) = try run("chapter01", ["--bogus"])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(output.contains("unknown argument '--bogus'"), output)
        XCTAssertEqual(try run("chapter01", ["--seed", "x"]).status, 2)
    }
}
