// Exporting the world as Hugging Face's `imagefolder` layout: PNGs beside a metadata.jsonl with
// one JSON object per image, `file_name` and `text` (its caption) first, then the ground truth.
// `datasets.load_dataset("imagefolder", data_dir=DIR)` reads it; so can any program.

import Foundation
import ImageIO
import TensorCore

public enum WorldExport {
    /// One metadata line for an image file.
    public static func metadataLine(
        file: String, caption: String, scene: Scene, split: String, seed: UInt64?, index: Int, mask: String? = nil
    ) -> String {
        func num(_ v: Float) -> String { String(format: "%.4f", v) }
        var fields: [(String, String)] = [
            ("file_name", jsonString(file)), ("text", jsonString(caption)),
            ("class", jsonString(scene.objectClass.rawValue)),
            ("color", scene.color.map { jsonString($0.rawValue) } ?? "null"),
            ("pattern", jsonString(scene.pattern.rawValue)), ("context", jsonString(scene.context.rawValue)),
            ("style", jsonString(scene.style.rawValue)), ("subject", scene.subject.map(jsonString) ?? "null"),
            ("scale", num(scene.scale)), ("center_x", num(scene.centerX)), ("center_y", num(scene.centerY)),
            ("rotation", num(scene.rotation)), ("split", jsonString(split)), ("index", "\(index)"),
        ]
        if let seed { fields.append(("seed", "\(seed)")) }
        if let mask { fields.append(("mask_file_name", jsonString(mask))) }
        return "{" + fields.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// Writes `count` examples of a split (or a subject's instance images, each captioned with its
    /// context, "a sks ball on grass", whatever `fullCaptions` says) into `directory`. Each PNG and
    /// the metadata file are written atomically; `progress` is called after each image.
    public static func export(
        to directory: String, world: World, split: World.Split, seed: UInt64, count: Int,
        subject: Subject? = nil, fullCaptions: Bool = false,
        progress: (Int) -> Void = { _ in }
    ) throws {
        let scenes = subject?.instanceScenes(count: count)
        try write(
            to: directory, count: count, split: subject == nil ? split.rawValue : "subject",
            seed: subject == nil ? seed : nil, progress: progress,
            mask: subject == nil ? nil : { Renderer.objectCoverage($0, size: world.size) }
        ) { indices in
            guard let subject, let scenes else {
                return world.examples(split, seed: seed, indices: indices, fullCaption: fullCaptions)
            }
            return world.renderAll(indices.map { ($0, scenes[$0]) }) { _, s in
                Caption(
                    text: subject.prompt(identifier: "sks", context: s.context), objectClass: s.objectClass,
                    color: nil, pattern: nil, context: s.context, style: s.style)
            }
        }
    }

    /// Writes `count` instance images of a drawing of the user's own (Sprite.swift) into
    /// `directory`: the drawing in `contexts` (cycled), captioned with its context ("a sks box in
    /// snow"); the metadata's look fields (color, pattern) do not describe a drawing.
    public static func exportSprite(
        to directory: String, world: World, sprite: Sprite, name: String, noun: ObjectClass, contexts: [Context],
        count: Int, progress: (Int) -> Void = { _ in }
    ) throws {
        let scenes = Sprite.scenes(noun: noun, contexts: contexts, count: count, name: name)
        try write(
            to: directory, count: count, split: "subject", seed: nil, progress: progress,
            mask: { Renderer.objectCoverage($0, size: world.size, sprite: sprite) }
        ) { indices in
            world.renderAll(indices.map { ($0, scenes[$0]) }, sprite: sprite) { _, s in
                Caption(
                    text: Captions.text(noun, context: s.context, identifier: "sks"), objectClass: noun, color: nil,
                    pattern: nil, context: s.context, style: s.style)
            }
        }
    }

    /// The PNGs of `examples(indices)`, 64 at a time, and metadata.jsonl, each written atomically.
    /// With `mask` (a subject's photos), each image's object mask too: masks/NAME.png, gray, white
    /// where the object is (its share of each pixel), named by the metadata's `mask_file_name`.
    static func write(
        to directory: String, count: Int, split: String, seed: UInt64?, progress: (Int) -> Void,
        mask: ((Scene) -> [Float])? = nil, examples: ([Int]) -> [Example]
    ) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var lines: [String] = []
        let digits = max(5, String(count).count)
        let batch = 64
        for lo in stride(from: 0, to: count, by: batch) {
            let indices = Array(lo..<min(count, lo + batch))
            for (i, ex) in zip(indices, examples(indices)) {
                let name = String(repeating: "0", count: max(0, digits - String(i).count)) + "\(i).png"
                try PNG.write(ex.image, to: (directory as NSString).appendingPathComponent(name))
                var maskName: String? = nil
                if let mask {
                    let coverage = mask(ex.scene)
                    let side = ex.image.shape[1]
                    maskName = "masks/" + name
                    try FileManager.default.createDirectory(
                        atPath: (directory as NSString).appendingPathComponent("masks"),
                        withIntermediateDirectories: true)
                    try PNG.write(
                        Tensor(shape: [3, side, side], scalars: coverage + coverage + coverage),
                        to: (directory as NSString).appendingPathComponent(maskName!))
                }
                lines.append(
                    metadataLine(
                        file: name, caption: ex.caption.text, scene: ex.scene, split: split, seed: seed, index: i,
                        mask: maskName))
                progress(i + 1)
            }
        }
        try writeAtomically(
            Data((lines.joined(separator: "\n") + "\n").utf8),
            to: (directory as NSString).appendingPathComponent("metadata.jsonl"))
    }
}
