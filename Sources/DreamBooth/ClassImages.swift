// The prior's data: class images the frozen base model draws from the class prompt before any
// weight changes (train_dreambooth.py's PromptDataset loop), only as many as are missing.
// Given several class prompts, image k is drawn from prompt k mod n, and metadata.jsonl records
// each image's prompt, which the prior term then uses for it.

import Foundation
import ImageIO
import Models
import TensorCore

extension DreamBoothTrainer {
    /// Generates the class images that are missing from `dir` (class-NNNNN.png) with the frozen
    /// pipeline, image k from prompts[k mod n], and with more than one prompt writes metadata.jsonl
    /// (each image's prompt); returns how many it made.
    public static func generateClassImages(
        _ pipeline: TextToImagePipeline, prompts classPrompts: [String], dir: String, count: Int, batch: Int,
        steps: Int, guidance: Float, seed: UInt64, log: (String) -> Void
    ) throws -> Int {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let existing = files.filter { $0.lowercased().hasSuffix(".png") }.count
        let missing = count - existing
        guard missing > 0 else { return 0 }
        let named = classPrompts.count == 1 ? "\"\(classPrompts[0])\"" : "\(classPrompts.count) class prompts"
        log("generating \(missing) class images for \(named) into \(dir) (\(existing) there already)")
        var progress = ProgressLine("class images", total: missing)
        var made = 0
        while made < missing {
            let n = min(batch, missing - made)
            let prompts = (0..<n).map { classPrompts[(existing + made + $0) % classPrompts.count] }
            let images = pipeline(prompts, guidanceScale: guidance, steps: steps, seed: seed &+ UInt64(existing + made))
            for (i, image) in images.unstacked().enumerated() {
                try PNG.write(image, to: joinedPath(dir, classFileName(existing + made + i)))
            }
            made += n
            progress.update(made)
        }
        if classPrompts.count > 1 {
            let lines = (0..<count).map { k in
                let prompt = classPrompts[k % classPrompts.count]
                return "{\"file_name\": \(jsonString(classFileName(k))), \"text\": \(jsonString(prompt))}"
            }
            try writeAtomically(
                Data((lines.joined(separator: "\n") + "\n").utf8), to: joinedPath(dir, "metadata.jsonl"))
        }
        return missing
    }

    static func classFileName(_ k: Int) -> String { String(format: "class-%05d.png", k) }

    /// The class images of a run with prior preservation (generated where missing), else nil;
    /// and how many were generated.
    static func classImages(_ c: TrainConfig, _ pipeline: TextToImagePipeline, log: (String) -> Void) throws
        -> (ImageFolder?, generated: Int)
    {
        guard c.withPriorPreservation, let dir = c.classDataDir, !c.classPrompts.isEmpty else { return (nil, 0) }
        let generated = try generateClassImages(
            pipeline, prompts: c.classPrompts, dir: dir, count: c.numClassImages, batch: c.sampleBatchSize,
            steps: c.samplingSteps, guidance: c.samplingGuidance, seed: c.seed, log: log)
        return (try ImageFolder(dir, resolution: c.resolution, role: "class"), generated)
    }
}
