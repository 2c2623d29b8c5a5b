// `dreambooth world`: the procedural world as an imagefolder another program can read.

import ArgumentParser
import Foundation
import ImageIO
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
                + "(\(Subject.all.map(\.name).joined(separator: ", "))) or a probe "
                + "(\(Subject.probes.map(\.name).joined(separator: ", ")))."))
    var subject: String?
    @Option(
        help: ArgumentHelp(
            "Instead of the world, instance images of a drawing of your own: an RGBA PNG of any size whose "
                + "transparent pixels are left out, placed in the world's contexts as an object is (needs --noun).",
            valueName: "file.png"))
    var sprite: String?
    @Option(
        help: ArgumentHelp(
            "With --sprite: the class the drawing is a kind of, one of the world's nouns "
                + "(\(ObjectClass.allCases.map(\.rawValue).joined(separator: ", "))); its class images come from it."))
    var noun: String?
    @Option(
        help: ArgumentHelp(
            "With --sprite: the contexts of the photos, in order and cycled "
                + "(default: \(Self.spriteContexts.map(\.rawValue).joined(separator: ",")); four photos leave two "
                + "contexts for DreamBooth to draw unseen).",
            valueName: "context,..."))
    var contexts: String?
    static let spriteContexts: [Context] = [.grass, .city, .snow, .water, .sand, .night]
    @Option(parsing: .unconditional, help: "Image side in pixels (8…1024).", transform: parsePositive)
    var resolution: Int = 32
    @Flag(
        name: .customLong("full_captions"),
        help: "Every caption names class, color, pattern and context (a subject's photos name their context anyway).")
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
        if sprite != nil && subject != nil { throw ValidationError("give --sprite or --subject, not both") }
        if sprite != nil && noun == nil {
            throw ValidationError(
                "--sprite needs --noun, the class the drawing is a kind of "
                    + "(\(ObjectClass.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if sprite == nil && (noun != nil || contexts != nil) {
            throw ValidationError("--noun and --contexts describe a --sprite; give one, or leave them out")
        }
        if let noun, ObjectClass(rawValue: noun) == nil {
            throw ValidationError(
                "--noun '\(noun)' is not one of the world's nouns "
                    + "(\(ObjectClass.allCases.map(\.rawValue).joined(separator: ", "))): the base model knows no other"
            )
        }
        _ = try parsedContexts()
        if let subject, Subject.named(subject) == nil {
            throw ValidationError(
                "unknown subject '\(subject)'; the built-in subjects are "
                    + "\(Subject.all.map(\.name).joined(separator: ", ")); the probes "
                    + "\(Subject.probes.map(\.name).joined(separator: ", "))"
            )
        }
    }

    /// --contexts as contexts (the default order without it).
    func parsedContexts() throws -> [Context] {
        guard let contexts else { return Self.spriteContexts }
        let words = contexts.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return try words.map { word in
            guard let c = Context(rawValue: word) else {
                throw ValidationError(
                    "--contexts: '\(word)' is not a context; use "
                        + Context.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            return c
        }
    }

    func run() throws {
        try reportingErrors {
            var progress = ProgressLine("world", total: count)
            if let sprite, let noun = noun.flatMap(ObjectClass.init(rawValue:)) {
                // The drawing is read and checked before anything is written.
                let (rgba, hasAlpha) = try PNG.readRGBA(sprite)
                guard hasAlpha else {
                    throw ToolError(
                        description: "\(sprite): the PNG has no alpha channel; draw the object on a transparent "
                            + "background, so that only the object is placed")
                }
                let drawing: Sprite
                do { drawing = try Sprite(rgba: rgba) } catch { throw ToolError(description: "\(sprite): \(error)") }
                let name = ((sprite as NSString).lastPathComponent as NSString).deletingPathExtension
                try WorldExport.exportSprite(
                    to: out, world: World(size: resolution), sprite: drawing, name: name, noun: noun,
                    contexts: try parsedContexts(), count: count
                ) { progress.update($0) }
                print(
                    "wrote \(count) photos of \(sprite) (\(drawing.width)×\(drawing.height) after trimming) and "
                        + "metadata.jsonl to \(out); train with --instance_prompt \"a sks \(noun.rawValue)\" "
                        + "--class_prompt \"a \(noun.rawValue)\"")
                return
            }
            try WorldExport.export(
                to: out, world: World(size: resolution), split: World.Split(rawValue: split)!, seed: seed, count: count,
                subject: subject.flatMap(Subject.named), fullCaptions: fullCaptions
            ) { progress.update($0) }
            print("wrote \(count) images and metadata.jsonl to \(out)")
        }
    }
}
