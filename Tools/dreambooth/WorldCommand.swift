// `dreambooth world`: the procedural world as an imagefolder another program can read.

import ArgumentParser
import Foundation
import TensorCore
import ToyWorld

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract:
            "Export world images as Hugging Face's imagefolder layout: PNGs and metadata.jsonl (file_name, text, "
            + "ground truth)."
    )

    @Option(help: "The folder to write (created if missing).")
    var out: String
    @Option(parsing: .unconditional, help: "How many images.", transform: parsePositive)
    var count: Int = 100
    @Option(
        parsing: .unconditional, help: "Seed of the draw: the same seed gives the same images.", transform: parseSeed)
    var seed: UInt64 = 0
    @Option(help: "train, heldout (only the (class, color, context) compositions training never draws), or all.")
    var split: String = "train"
    @Option(
        help: ArgumentHelp(
            "Instead of the world, the instance images of a built-in subject "
                + "(\(Subject.all.map(\.name).joined(separator: ", ")))."))
    var subject: String?
    @Option(parsing: .unconditional, help: "Image side in pixels (8…1024).", transform: parsePositive)
    var resolution: Int = 32
    @Flag(name: .customLong("full_captions"), help: "Every caption names class, color, pattern and context.")
    var fullCaptions = false

    func validate() throws {
        guard count >= 1 && count <= 10_000_000 else {
            throw ValidationError("--count must be between 1 and 10000000, got \(count)")
        }
        guard resolution >= 8 && resolution <= 1024 else {
            throw ValidationError("--resolution must be between 8 and 1024, got \(resolution)")
        }
        guard World.Split(rawValue: split) != nil else {
            throw ValidationError("--split must be train, heldout or all, got '\(split)'")
        }
        if let subject, Subject.named(subject) == nil {
            throw ValidationError(
                "unknown subject '\(subject)'; the built-in subjects are "
                    + "\(Subject.all.map(\.name).joined(separator: ", "))"
            )
        }
    }

    func run() throws {
        try reportingErrors {
            var progress = ProgressLine("world", total: count)
            try WorldExport.export(
                to: out, world: World(size: resolution), split: World.Split(rawValue: split)!, seed: seed, count: count,
                subject: subject.flatMap(Subject.named), fullCaptions: fullCaptions
            ) { progress.update($0) }
            print("wrote \(count) images and metadata.jsonl to \(out)")
        }
    }
}
