// `dreambooth sample`: text to image with a pipeline folder, as diffusers' pipelines are called.

import ArgumentParser
import Diffusion
import Foundation
import ImageIO
import Models
import TensorCore

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract:
            "Generate images from a prompt: PNGs, a grid and metadata.jsonl (file name, prompt, seed, steps, guidance)."
    )

    @Option(help: "A pipeline folder (unet/, text_encoder/, tokenizer/, scheduler/).")
    var model: String = "Checkpoints/base"
    @Option(help: "The prompt.")
    var prompt: String
    @Option(
        name: .customLong("negative_prompt"),
        help: "What to steer away from (the unconditional branch of guidance; \"\" if absent).")
    var negativePrompt: String?
    @Option(
        name: .customLong("num_images"), parsing: .unconditional, help: "How many images.", transform: parsePositive)
    var numImages: Int = 4
    @Option(
        name: .customLong("num_inference_steps"), parsing: .unconditional, help: "Denoising steps.",
        transform: parsePositive)
    var numInferenceSteps: Int = 50
    @Option(
        name: .customLong("guidance_scale"), parsing: .unconditional,
        help: "Classifier-free guidance scale g (ε̂ = ε_∅ + g·(ε_c − ε_∅)); off at g ≤ 1.", transform: parseNumber)
    var guidanceScale: Float = 3
    @Option(help: "ddim (deterministic, η = 0) or ddpm (ancestral).")
    var scheduler: SamplerKind = .ddim
    @Option(
        parsing: .unconditional, help: "Seed of the initial noise (and of DDPM's per-step noise).",
        transform: parseSeed)
    var seed: UInt64 = 0
    @Option(help: "Where the images go.")
    var out: String
    @Option(
        help: ArgumentHelp(
            "Initial noise (B, C, H, W) from a safetensors file (tensor `latents`), as diffusers' pipelines take "
                + "latents=.")
    )
    var latents: String?
    @Option(
        help: ArgumentHelp(
            "LoRA weights (pytorch_lora_weights.safetensors from `dreambooth train --rank`) to apply to --model; "
                + "a learned_embeds.safetensors beside it (the identifier's embedding) is applied too."))
    var lora: String?
    @Option(
        name: .customLong("lora_scale"), parsing: .unconditional,
        help: ArgumentHelp(
            "With --lora: multiplies the adapters' update (0: the base model's weights, 1: as trained; the "
                + "default). A learned embedding beside the file applies whole at any scale."),
        transform: parseNumber)
    var loraScale: Float?
    @Flag(
        name: .customLong("save_tensors"),
        help: "Also write the final samples as float32 safetensors (samples.safetensors, tensor `images` in [0, 1]).")
    var saveTensors = false
    @Flag(
        help: ArgumentHelp(
            "Also write trajectory.png: a row per image, each step's prediction of the clean image (decoded x̂_0, at "
                + "most 24 steps evenly spread), then the sample; where its layout and colors were decided."))
    var trajectory = false

    func validate() throws {
        guard numImages >= 1 && numImages <= 4096 else {
            throw ValidationError("--num_images must be 1…4096, got \(numImages)")
        }
        guard numInferenceSteps >= 1 && numInferenceSteps <= 1000 else {
            throw ValidationError("--num_inference_steps must be 1…1000, got \(numInferenceSteps)")
        }
        guard guidanceScale.isFinite && guidanceScale >= 0 && guidanceScale <= 100 else {
            throw ValidationError("--guidance_scale must be a number in 0…100, got \(guidanceScale)")
        }
        if let loraScale {
            guard lora != nil else { throw ValidationError("--lora_scale needs --lora (the weights it scales)") }
        }
        guard abs(loraScale ?? 1) <= 100 else {
            throw ValidationError("--lora_scale must be a number in -100…100, got \(loraScale ?? 1)")
        }
    }

    func run() throws {
        try reportingErrors {
            let pipeline = try TextToImagePipeline(folder: model)
            if let lora {
                print(try pipeline.applyLoRA(lora, scale: loraScale ?? 1))
            }
            let H = pipeline.unet.config.sampleSize
            let C = pipeline.unet.config.inChannels
            var initial: Tensor?
            if let latents {
                let file = try SafeTensorsFile(path: latents)
                guard file.contains("latents") else {
                    throw ToolError(description: "\(latents): no tensor named 'latents'")
                }
                let t = try file.tensor("latents")
                guard t.shape == [numImages, C, H, H] else {
                    throw ToolError(
                        description:
                            "\(latents): latents have shape \(shapeString(t.shape)); --num_images \(numImages) needs "
                            + "(\(numImages), \(C), \(H), \(H))"
                    )
                }
                guard t.scalars.allSatisfy(\.isFinite) else {
                    throw ToolError(description: "\(latents): latents hold NaN or infinite values")
                }
                initial = t
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var bar = ProgressLine("sample", total: numInferenceSteps)
            // With --trajectory, the decoded x̂_0 of at most 24 steps, evenly spread (the first and last kept).
            let shown = Set(
                (0..<min(24, numInferenceSteps)).map {
                    $0 * (numInferenceSteps - 1) / max(1, min(23, numInferenceSteps - 1))
                })
            var predictions: [[Tensor]] = []
            let images = pipeline(
                [String](repeating: prompt, count: numImages), negativePrompt: negativePrompt,
                guidanceScale: guidanceScale,
                steps: numInferenceSteps, sampler: scheduler, seed: seed, latents: initial,
                progress: { k, _ in bar.update(k) },
                onPrediction: trajectory
                    ? { k, x0 in
                        if shown.contains(k) { predictions.append(pipeline.images(fromSamples: x0).unstacked()) }
                    }
                    : nil)
            var lines: [String] = []
            var tiles: [Tensor] = []
            for i in 0..<numImages {
                let image = images.slice(rows: i..<(i + 1)).reshaped(Array(images.shape.dropFirst()))  // (3, H, W)
                let name = String(format: "%04d.png", i)
                try PNG.write(image, to: (out as NSString).appendingPathComponent(name))
                tiles.append(ImageOps.upscaled(image, by: max(1, 128 / pipeline.imageSize)))
                lines.append(
                    "{\"file_name\": \(jsonString(name)), \"prompt\": \(jsonString(prompt)), \"negative_prompt\": "
                        + "\(negativePrompt.map(jsonString) ?? "null"), "
                        + "\"seed\": \(seed), \"index\": \(i), \"num_inference_steps\": \(numInferenceSteps), "
                        + "\"guidance_scale\": \(guidanceScale), \"scheduler\": \(jsonString(scheduler.rawValue))}"
                )
            }
            let columns = min(8, numImages)
            try PNG.write(
                ImageOps.grid(tiles, rows: (numImages + columns - 1) / columns, columns: columns),
                to: (out as NSString).appendingPathComponent("grid.png"))
            try writeAtomically(
                Data((lines.joined(separator: "\n") + "\n").utf8),
                to: (out as NSString).appendingPathComponent("metadata.jsonl"))
            if trajectory {
                let scale = max(1, 64 / pipeline.imageSize)
                var rows: [Tensor] = []
                for i in 0..<numImages {
                    rows += predictions.map { ImageOps.upscaled($0[i], by: scale) }
                    rows.append(
                        ImageOps.upscaled(
                            images.slice(rows: i..<(i + 1)).reshaped(Array(images.shape.dropFirst())), by: scale))
                }
                try PNG.write(
                    ImageOps.grid(rows, rows: numImages, columns: predictions.count + 1),
                    to: (out as NSString).appendingPathComponent("trajectory.png"))
            }
            if saveTensors {
                try SafeTensors.write(
                    ["images": images], to: (out as NSString).appendingPathComponent("samples.safetensors"))
            }
            print(
                "wrote \(numImages) images, grid.png\(trajectory ? ", trajectory.png" : "") and metadata.jsonl "
                    + "to \(out)"
            )
        }
    }
}
