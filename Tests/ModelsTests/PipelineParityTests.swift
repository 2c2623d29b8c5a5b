// Our text-to-image sampler against diffusers' StableDiffusionPipeline on the shipped base model: the same
// prompt, negative prompt and initial latents, DDIM 25 steps, guidance 3
// (Tests/Fixtures/pipeline_reference.safetensors, made by
// `scripts/compare_sd_pipeline_with_diffusers.py Checkpoints/base --fixture …` with diffusers 0.42.1,
// transformers 5.25.0, torch 2.15.0: StableDiffusionPipeline.from_pretrained(Checkpoints/base)).

import Foundation
import Models
import TensorCore
import TestSupport
import XCTest

final class PipelineParityTests: XCTestCase {
    func testSamplesMatchDiffusers() throws {
        let fixture = try SafeTensorsFile(path: Fixtures.path("pipeline_reference.safetensors"))
        let latents = try fixture.tensor("latents")
        let expected = try fixture.tensor("images")
        let pipeline = try TextToImagePipeline(folder: Fixtures.inRepository("Checkpoints/base"))
        let prompt = fixture.metadata["prompt"]!
        let negative = fixture.metadata["negative_prompt"]!
        let ours = pipeline(
            [String](repeating: prompt, count: latents.shape[0]), negativePrompt: negative,
            guidanceScale: Float(fixture.metadata["guidance_scale"]!)!, steps: Int(fixture.metadata["steps"]!)!,
            latents: latents)
        XCTAssertEqual(ours.shape, expected.shape)
        // Float32 on both sides; 50 steps with guidance 3 amplify rounding (each step multiplies the
        // conditional–unconditional difference by 3), so the bound is one 8-bit level for the worst
        // pixel, and a relative L2 error of 1e-3 overall: the PNGs agree to within a level.
        let worst = zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, 1 / 255, "largest pixel difference from diffusers")
        XCTAssertLessThanOrEqual(relativeError(ours, expected), 1e-3, "relative L2 difference from diffusers")
    }

    /// `onPrediction` (what `sample --trajectory` draws) sees one x̂_0 a step, in the latent space the
    /// decoder reads, without changing the samples; the last step's x̂_0 is, decoded, the sample itself
    /// to within a few levels (DDIM's last step moves x_t almost all the way to it).
    func testPredictionHookSeesEachStepsCleanEstimateWithoutChangingTheSamples() throws {
        let pipeline = try TextToImagePipeline(folder: Fixtures.inRepository("Checkpoints/base"))
        let prompts = ["a red ball on grass", "a sketch of a blue cup"]
        let plain = pipeline(prompts, steps: 10, seed: 3)
        var seen: [(Int, Tensor)] = []
        let hooked = pipeline(prompts, steps: 10, seed: 3, onPrediction: { seen.append(($0, $1)) })
        XCTAssertEqual(plain.scalars, hooked.scalars, "the hook only looks")
        XCTAssertEqual(seen.map(\.0), Array(0..<10))
        let last = pipeline.images(fromSamples: seen.last!.1)
        let first = pipeline.images(fromSamples: seen.first!.1)
        func meanAbs(_ a: Tensor, _ b: Tensor) -> Float {
            zip(a.scalars, b.scalars).map { abs($0 - $1) }.reduce(0, +) / Float(a.count)
        }
        XCTAssertLessThan(meanAbs(last, plain), 0.02, "the last step's estimate is the sample")
        XCTAssertGreaterThan(meanAbs(first, plain), meanAbs(last, plain), "the first step's estimate is rougher")
    }

    /// Stable Diffusion's shape: a pipeline folder our save writes (model_index.json, unet/, vae/,
    /// text_encoder/, tokenizer/, scheduler/) is what diffusers' StableDiffusionPipeline loads and
    /// samples (Tests/Fixtures/sd-pipeline/images.safetensors, made by
    /// scripts/compare_sd_pipeline_with_diffusers.py on the folder `dreambooth init-pipeline` writes
    /// from the same parts: a UNet of sd-pipeline/unet_config.json drawn from seed 7, the reference
    /// autoencoder, the shipped text side, sd-pipeline/scheduler_config.json; DDIM 25, guidance 3).
    func testStableDiffusionPipelineFolderSamplesAsDiffusers() throws {
        let fixture = try SafeTensorsFile(path: Fixtures.path("sd-pipeline/images.safetensors"))
        let base = Fixtures.inRepository("Checkpoints/base")
        let assembled = TextToImagePipeline(
            unet: UNet2DConditionModel(
                try UNetConfig(contentsOf: Fixtures.path("sd-pipeline/unet_config.json")),
                seed: UInt64(fixture.metadata["unet_seed"]!)!),
            textEncoder: try CLIPTextModel(folder: base + "/text_encoder"),
            tokenizer: try CLIPTokenizer(folder: base + "/tokenizer"),
            scheduler: try SchedulerConfig(contentsOf: Fixtures.path("sd-pipeline/scheduler_config.json")),
            vae: try AutoencoderKL(folder: Fixtures.reference("vae")))
        let dir = temporaryDirectory("sd-pipeline")
        try assembled.save(folder: dir, as: .f32)
        for part in ["model_index.json", "unet/config.json", "vae/config.json", "scheduler/scheduler_config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + part), part)
        }
        let pipeline = try TextToImagePipeline(folder: dir)
        XCTAssertNotNil(pipeline.vae, "the folder's vae/ is loaded")
        let latents = try fixture.tensor("latents")
        let ours = pipeline(
            [String](repeating: fixture.metadata["prompt"]!, count: latents.shape[0]),
            negativePrompt: fixture.metadata["negative_prompt"]!,
            guidanceScale: Float(fixture.metadata["guidance_scale"]!)!, steps: Int(fixture.metadata["steps"]!)!,
            latents: latents)
        let expected = try fixture.tensor("images")
        XCTAssertEqual(ours.shape, expected.shape)
        let worst = zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, 1 / 255, "largest pixel difference from StableDiffusionPipeline")
    }

    /// `keep` (inpainting): a mask of zeros leaves the samples as they were, a mask of ones returns
    /// the kept latents decoded, and a half mask gives neither, with or without resampling.
    func testKeepInpaintsWhereTheMaskIsOne() throws {
        let pipeline = try TextToImagePipeline(folder: Fixtures.inRepository("Checkpoints/base"))
        let h = pipeline.unet.config.sampleSize
        var rng = RNG(seed: 11)
        let kept = rng.normal([2, pipeline.unet.config.inChannels, h, h])
        func sample(_ mask: (Int) -> Float, resamplings: Int = 1) -> Tensor {
            let m = Tensor(shape: [2, 1, h, h], scalars: (0..<(2 * h * h)).map(mask))
            return pipeline(
                ["a ball", "a cup at night"], steps: 3, seed: 5,
                keep: KeptRegion(latents: kept, mask: m, resamplings: resamplings))
        }
        let plain = pipeline(["a ball", "a cup at night"], steps: 3, seed: 5)
        let decoded = pipeline.images(fromSamples: kept)
        XCTAssertEqual(sample { _ in 0 }.scalars, plain.scalars, "a mask of zeros keeps nothing")
        XCTAssertEqual(sample { _ in 1 }.scalars, decoded.scalars, "a mask of ones keeps it all")
        for r in [1, 3] {
            let half = sample({ $0 % h < h / 2 ? 1 : 0 }, resamplings: r)
            XCTAssertNotEqual(half.scalars, plain.scalars)
            XCTAssertNotEqual(half.scalars, decoded.scalars)
        }
        XCTAssertNotEqual(
            sample({ $0 % h < h / 2 ? 1 : 0 }, resamplings: 3).scalars,
            sample({ $0 % h < h / 2 ? 1 : 0 }, resamplings: 1).scalars, "resampling changes what is drawn")
    }

    func testSchedulerConfigRoundTripsAndRejectsNonsense() throws {
        let dir = temporaryDirectory("scheduler")
        var c = SchedulerConfig()
        c.prediction = .vPrediction
        c.clipSample = false
        try Data(c.jsonText().utf8).write(to: URL(fileURLWithPath: dir + "/a.json"))
        XCTAssertEqual(try SchedulerConfig(contentsOf: dir + "/a.json"), c)
        try Data("{\"_class_name\": \"DDIMScheduler\", \"beta_schedule\": \"wobbly\"}".utf8).write(
            to: URL(fileURLWithPath: dir + "/b.json"))
        XCTAssertThrowsError(try SchedulerConfig(contentsOf: dir + "/b.json")) {
            XCTAssertTrue("\($0)".contains("wobbly"), "\($0)")
        }
    }
}
