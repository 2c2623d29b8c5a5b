// The prior's data: class images the frozen base model draws from the class prompt before any
// weight changes (train_dreambooth.py's PromptDataset loop), only as many as are missing.

import Foundation
import ImageIO
import Models
import TensorCore

extension DreamBoothTrainer {
    /// Generates the class images that are missing from `dir` (class-NNNNN.png) with the frozen
    /// pipeline; returns how many it made.
    public static func generateClassImages(
        _ pipeline: TextToImagePipeline, prompt: String, dir: String, count: Int, batch: Int,
        steps: Int, guidance: Float, seed: UInt64, log: (String) -> Void
    ) throws -> Int {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let existing = files.filter { $0.lowercased().hasSuffix(".png") }.count
        let missing = count - existing
        guard missing > 0 else { return 0 }
        log("generating \(missing) class images for \"\(prompt)\" into \(dir) (\(existing) there already)")
        var progress = ProgressLine("class images", total: missing)
        var made = 0
        while made < missing {
            let n = min(batch, missing - made)
            let prompts = [String](repeating: prompt, count: n)
            let images = pipeline(prompts, guidanceScale: guidance, steps: steps, seed: seed &+ UInt64(existing + made))
            for (i, image) in images.unstacked().enumerated() {
                try PNG.write(image, to: joinedPath(dir, String(format: "class-%05d.png", existing + made + i)))
            }
            made += n
            progress.update(made)
        }
        return missing
    }

    /// The class images of a run with prior preservation (generated where missing), else nil;
    /// and how many were generated.
    static func classImages(_ c: TrainConfig, _ pipeline: TextToImagePipeline, log: (String) -> Void) throws
        -> (ImageFolder?, generated: Int)
    {
        guard c.withPriorPreservation, let dir = c.classDataDir, let prompt = c.classPrompt else { return (nil, 0) }
        let generated = try generateClassImages(
            pipeline, prompt: prompt, dir: dir, count: c.numClassImages, batch: c.sampleBatchSize,
            steps: c.samplingSteps, guidance: c.samplingGuidance, seed: c.seed, log: log)
        return (try ImageFolder(dir, resolution: c.resolution, role: "class"), generated)
    }
}
