// What every chapter executable accepts on its command line, and how it reports progress.
//
//   --quick        a small, fast configuration (the tests run every chapter this way)
//   --seed N       the seed of the one RNG (default 0): same seed, same bytes
//   --out DIR      where figures go (default Figures/<chapter folder>)
//   --help         this text

import Foundation

public struct ChapterOptions {
    public var quick = false
    public var seed: UInt64 = 0
    public var outputDirectory: String

    /// Parses CommandLine.arguments; prints usage and exits on --help, or an error naming the
    /// offending argument and exits with status 2.
    public init(chapter folder: String, summary: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        outputDirectory = "Figures/\(folder)"
        var i = 0
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("\(folder): \(message)\nRun with --help for the options.\n".utf8))
            exit(2)
        }
        while i < arguments.count {
            let arg = arguments[i]
            switch arg {
            case "--quick": quick = true
            case "--seed":
                i += 1
                guard i < arguments.count, let s = UInt64(arguments[i]) else { fail("--seed needs a non-negative integer") }
                seed = s
            case "--out":
                i += 1
                guard i < arguments.count else { fail("--out needs a folder") }
                outputDirectory = arguments[i]
            case "--help", "-h":
                print("""
                \(folder): \(summary)

                Options:
                  --quick      small, fast configuration (used by the tests)
                  --seed N     random seed (default 0); the same seed gives the same bytes
                  --out DIR    folder for figures and samples (default Figures/\(folder))
                """)
                exit(0)
            default: fail("unknown argument '\(arg)'")
            }
            i += 1
        }
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
    let start = Date()
    var last = Date.distantPast
    public init(_ label: String, total: Int) { self.label = label; self.total = total }

    public mutating func update(_ step: Int, _ extra: String = "") {
        let now = Date()
        guard step == total || now.timeIntervalSince(last) > 0.5 else { return }
        last = now
        let elapsed = now.timeIntervalSince(start), rate = Double(step) / max(elapsed, 1e-9)
        let eta = Double(total - step) / max(rate, 1e-9)
        let line = String(format: "\r%@ %d/%d  %@  %.1f it/s  ETA %.0fs ", label, step, total, extra, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
        if step == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
