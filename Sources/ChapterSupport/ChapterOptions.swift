// What every chapter executable accepts on its command line, and how it reports progress.
//
//   --quick        a small, fast configuration (the tests run every chapter this way)
//   --seed N       the seed of the one RNG (default 0): same seed, same bytes
//   --out DIR      where figures go (default Figures/<chapter folder>)
//   --help         this text

import ArgumentParser
import Foundation

/// The options themselves, parsed by swift-argument-parser (so `--help` lists and documents them).
struct ChapterArguments: ParsableArguments {
    @Flag(help: "A small, fast configuration (the tests run every chapter this way).")
    var quick = false
    @Option(help: "Seed of the one RNG: the same seed gives the same bytes.")
    var seed: UInt64 = 0
    @Option(help: "Folder for figures and samples (default Figures/<chapter folder>).")
    var out: String?
}

public struct ChapterOptions {
    public var quick = false
    public var seed: UInt64 = 0
    public var outputDirectory: String

    /// Parses CommandLine.arguments; prints usage and exits 0 on --help, or prints an error naming
    /// the offending argument and exits with status 2.
    public init(chapter folder: String, summary: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("\(folder): \(message)\nRun with --help for the options.\n".utf8))
            exit(2)
        }
        let parsed: ChapterArguments
        do { parsed = try ChapterArguments.parse(arguments) } catch {
            if ChapterArguments.exitCode(for: error) == .success {
                print("\(folder): \(summary)\n\n" + ChapterArguments.helpMessage(columns: 100))
                exit(0)
            }
            fail(ChapterArguments.message(for: error))
        }
        quick = parsed.quick
        seed = parsed.seed
        outputDirectory = parsed.out ?? "Figures/\(folder)"
        do { try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true) } catch {
            fail("cannot create the output folder \(outputDirectory): \(error.localizedDescription)")
        }
    }

    /// A path inside the output folder.
    public func path(_ name: String) -> String { (outputDirectory as NSString).appendingPathComponent(name) }
}

/// A one-line progress report for long loops: step, loss, it/s, ETA — at most every half second.
public struct Progress {
    let label: String, total: Int
    /// The step this run began at (a resumed run's rate counts only its own steps).
    let first: Int
    let start = Date()
    var last = Date.distantPast
    public init(_ label: String, total: Int, from first: Int = 0) { self.label = label; self.total = total; self.first = first }

    public mutating func update(_ step: Int, _ extra: String = "") {
        let now = Date()
        guard step == total || now.timeIntervalSince(last) > 0.5 else { return }
        last = now
        let elapsed = now.timeIntervalSince(start), rate = Double(step - first) / max(elapsed, 1e-9)
        let eta = Double(total - step) / max(rate, 1e-9)
        let line = String(format: "\r%@ %d/%d  %@  %.1f it/s  ETA %.0fs ", label, step, total, extra, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
        if step == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
