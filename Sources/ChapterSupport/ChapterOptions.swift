// What every chapter executable accepts on its command line, and how it reports progress.
//
//   --quick        a small, fast configuration (the tests run every chapter this way)
//   --seed N       the seed of the one RNG (default 0): same seed, same bytes
//   --out DIR      where figures go (default Figures/<chapter folder>)
//   --from-scratch chapters 06–08: train and evaluate every run instead of reading the shipped results
//                  (Results/experiments), and ship what was computed there
//   --help         this text

import ArgumentParser
import Foundation
import ImageIO
import TensorCore

/// The options themselves, parsed by swift-argument-parser (so `--help` lists and documents them).
struct ChapterArguments: ParsableArguments {
    @Flag(help: "A small, fast configuration (the tests run every chapter this way).")
    var quick = false
    @Option(
        parsing: .unconditional, help: "Seed of the one RNG: the same seed gives the same bytes.",
        transform: { text in
            guard let seed = UInt64(text) else {
                throw ValidationError("a seed is a whole number from 0 to \(UInt64.max)")
            }
            return seed
        })
    var seed: UInt64 = 0
    @Option(help: "Folder for figures and samples (default Figures/<chapter folder>).")
    var out: String?
    @Flag(
        name: .customLong("from-scratch"),
        help: ArgumentHelp(
            "Chapters 06–08: train and evaluate every fine-tuning run (cached in .experiments/) instead of "
                + "reading the shipped results in Results/experiments/, and write what was computed there."))
    var fromScratch = false
}

public struct ChapterOptions {
    public var quick = false
    public var seed: UInt64 = 0
    public var outputDirectory: String
    /// --from-scratch: recompute the fine-tuning runs of chapters 06–08 rather than read shipped results.
    public var fromScratch = false

    /// Parses CommandLine.arguments; prints usage and exits 0 on --help, or prints an error naming
    /// the offending argument and exits with status 2.
    /// With a `title`, prints the chapter's heading ("Chapter 07 — prior preservation") once parsed.
    public init(
        chapter folder: String, title: String? = nil, summary: String,
        arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) {
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
        fromScratch = parsed.fromScratch
        outputDirectory = parsed.out ?? "Figures/\(folder)"
        do { try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true) } catch
        {
            fail("cannot create the output folder \(outputDirectory): \(error.localizedDescription)")
        }
        if let title { print("Chapter \(folder.prefix { $0 != "-" }) — \(title)\n") }
    }

    /// A path inside the output folder.
    public func path(_ name: String) -> String { (outputDirectory as NSString).appendingPathComponent(name) }
}

/// A chapter's checks: each prints a pass/fail line; `finish()` prints the tally and exits, with
/// status 1 if any check failed (which fails the chapter's test).
public final class ChapterChecks {
    public let chapter: String
    public private(set) var failures = 0

    public init(chapter: String) { self.chapter = chapter }

    public func callAsFunction(_ ok: Bool, _ what: String) {
        print("  " + (ok ? "✓ " : "✗ ") + what)
        if !ok { failures += 1 }
    }

    public func finish() -> Never {
        print(
            failures == 0
                ? "\nchapter \(chapter): all checks passed" : "\nchapter \(chapter): \(failures) check(s) failed")
        exit(failures == 0 ? 0 : 1)
    }
}

/// Images scaled up 4× with nearest-neighbour, so that 32×32 samples can be seen in a figure.
public func enlarged(_ images: [Tensor]) -> [Tensor] { images.map { ImageOps.upscaled($0, by: 4) } }
