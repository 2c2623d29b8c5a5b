// `dreambooth pretrain --quick`: every stage runs, writes loadable folders, and the same seed
// gives the same bytes.

import DreamBooth
import Evaluation
import Foundation
import Models
import Pretraining
import TensorCore
import TestSupport
import ToyWorld
import XCTest

final class PretrainingTests: XCTestCase {
    func testQuickPretrainWritesLoadableFoldersWithTheSameBytesTwice() throws {
        let a = temporaryDirectory("pretrainA")
        let b = temporaryDirectory("pretrainB")
        let words = Fixtures.inRepository("Data/wordlist/words.txt")
        for out in [a, b] {
            try TextSide.run(out: out, plan: .quick, wordList: words)
            try TextSide.trainJudges(out: out, plan: .quick)
        }
        let files = [
            "base/tokenizer/vocab.json", "base/tokenizer/merges.txt", "base/text_encoder/model.safetensors",
            "base/text_encoder/config.json",
            "contrastive/image_tower/model.safetensors", "contrastive/loss.tsv", "judges/attributes/model.safetensors",
            "judges/clip/text_tower/model.safetensors", "judges/clip/projection.safetensors",
            "judges/dino/model.safetensors", "judges/dino/report.json",
        ]
        for f in files {
            let x = FileManager.default.contents(atPath: a + "/" + f)
            XCTAssertNotNil(x, "missing \(f)")
            XCTAssertEqual(x, FileManager.default.contents(atPath: b + "/" + f), "\(f) differs between two runs")
        }
        let tokenizer = try CLIPTokenizer(folder: a + "/base/tokenizer")
        let encoder = try CLIPTextModel(folder: a + "/base/text_encoder")
        XCTAssertEqual(encoder.config.vocabSize, tokenizer.vocabularySize)
        XCTAssertEqual(encoder.config.hiddenSize, 64)
        _ = try Judges(folder: a + "/judges", tokenizer: tokenizer)
        // A second run keeps finished stages.
        try TextSide.run(out: a, plan: .quick, wordList: words)
    }
}

/// The base model's training loop on a tiny UNet (BasePlan.quick): resumable bit for bit, and a
/// NaN loss stops it with the step named.
final class BaseModelTests: XCTestCase {
    /// A checkpoints folder holding what the base stage reads: the shipped tokenizer, text encoder and judge.
    func checkpointsFolder(_ label: String) throws -> String {
        let dir = temporaryDirectory(label)
        for f in ["base/tokenizer", "base/text_encoder", "judges/attributes"] {
            try FileManager.default.createDirectory(
                atPath: (dir + "/" + f as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Fixtures.inRepository("Checkpoints/" + f), toPath: dir + "/" + f)
        }
        // The quick autoencoder, whose latents the quick UNet learns.
        XCTAssertTrue(
            try AutoencoderTraining.run(checkpoints: dir, work: dir + "/vae-work", plan: .quick, log: { _ in }))
        return dir
    }

    func testStoppedAndResumedRunEndsWithTheSameWeights() throws {
        let a = try checkpointsFolder("baseA")
        let b = try checkpointsFolder("baseB")
        XCTAssertTrue(try BaseModel.run(checkpoints: a, work: a + "/work", plan: .quick, log: { _ in }))
        // Interrupted after step 3's checkpoint, then started again with the same call.
        XCTAssertFalse(try BaseModel.run(checkpoints: b, work: b + "/work", plan: .quick, stopAfter: 3, log: { _ in }))
        // The minutes of training so far are kept beside the state, so the resumed run's clock goes on.
        let elapsed = try String(contentsOfFile: b + "/work/elapsed.tsv", encoding: .utf8)
        XCTAssertTrue(elapsed.split(separator: "\n").last?.hasPrefix("3\t") ?? false, elapsed)
        var resumeLog: [String] = []
        XCTAssertTrue(try BaseModel.run(checkpoints: b, work: b + "/work", plan: .quick, log: { resumeLog.append($0) }))
        XCTAssertTrue(
            resumeLog.contains {
                $0.contains("resuming at step 3") && $0.contains("minutes of training") && !$0.contains("unknown")
            }, "\(resumeLog)")
        for f in [
            "base/unet/diffusion_pytorch_model.safetensors", "base/unet/config.json",
            "base/scheduler/scheduler_config.json", "base/model_index.json", "work/checkpoint-8/state.safetensors",
            "work/loss.tsv",
        ] {
            let x = FileManager.default.contents(atPath: a + "/" + f)
            XCTAssertNotNil(x, f)
            XCTAssertEqual(x, FileManager.default.contents(atPath: b + "/" + f), "\(f) differs after resuming")
        }
        // One training state is kept (the newest), and no temporary folder is left behind.
        let work = try FileManager.default.contentsOfDirectory(atPath: b + "/work")
        XCTAssertEqual(
            work.filter { $0.hasPrefix("checkpoint-") || $0.hasPrefix(".checkpoint") }, ["checkpoint-8"], "\(work)")
        // The result is a pipeline folder our sampler (and diffusers) loads. Its scheduler has what
        // StableDiffusionPipeline would otherwise rewrite on loading (steps_offset 1, clip_sample
        // false), so both sample the same timesteps.
        let pipeline = try TextToImagePipeline(folder: a + "/base")
        XCTAssertEqual(pipeline.scheduler.stepsOffset, 1)
        XCTAssertFalse(pipeline.scheduler.clipSample)
        var ddim = pipeline.scheduler.ddim()
        ddim.setTimesteps(4)
        XCTAssertEqual(ddim.timesteps, [751, 501, 251, 1])
        let images = pipeline(["a red cup"], guidanceScale: 2, steps: 2, seed: 1)
        XCTAssertEqual(images.shape, [1, 3, 32, 32])
        // A state from another configuration is refused, naming the file.
        var other = BasePlan.quick
        other.learningRate = 5e-4
        XCTAssertThrowsError(try BaseModel.run(checkpoints: b, work: b + "/work", plan: other, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("state.safetensors"), "\($0)")
        }
    }

    /// A work folder of the layout before checkpoint-N folders (work/state.safetensors) resumes too.
    func testAnOlderWorkFolderResumes() throws {
        let a = try checkpointsFolder("legacyA")
        let b = try checkpointsFolder("legacyB")
        XCTAssertTrue(try BaseModel.run(checkpoints: a, work: a + "/work", plan: .quick, log: { _ in }))
        XCTAssertFalse(try BaseModel.run(checkpoints: b, work: b + "/work", plan: .quick, stopAfter: 3, log: { _ in }))
        try FileManager.default.moveItem(
            atPath: b + "/work/checkpoint-3/state.safetensors", toPath: b + "/work/state.safetensors")
        try FileManager.default.removeItem(atPath: b + "/work/checkpoint-3")
        var log: [String] = []
        XCTAssertTrue(try BaseModel.run(checkpoints: b, work: b + "/work", plan: .quick, log: { log.append($0) }))
        XCTAssertTrue(log.contains { $0.contains("resuming at step 3") }, "\(log)")
        let f = "base/unet/diffusion_pytorch_model.safetensors"
        XCTAssertEqual(
            FileManager.default.contents(atPath: a + "/" + f), FileManager.default.contents(atPath: b + "/" + f))
    }

    func testNaNLossStopsWithTheStepNamed() throws {
        let dir = try checkpointsFolder("baseNaN")
        var plan = BasePlan.quick
        plan.learningRate = 1e30
        XCTAssertThrowsError(try BaseModel.run(checkpoints: dir, work: dir + "/work", plan: plan, log: { _ in })) {
            error in
            XCTAssertTrue("\(error)".contains("at step"), "\(error)")
        }
    }
}

/// The DreamBooth trainer on a tiny base model (made by the quick base plan): prior preservation
/// with generated class images, checkpoints with a limit, resume bit for bit, bad input named.
final class DreamBoothTrainerTests: XCTestCase {
    /// A quick base pipeline and a subject's instance images, made once.
    static let setup: (base: String, instances: String) = {
        let dir = temporaryDirectory("dbsetup")
        for f in ["base/tokenizer", "base/text_encoder", "judges/attributes"] {
            try! FileManager.default.createDirectory(
                atPath: (dir + "/" + f as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! FileManager.default.copyItem(atPath: Fixtures.inRepository("Checkpoints/" + f), toPath: dir + "/" + f)
        }
        _ = try! AutoencoderTraining.run(checkpoints: dir, work: dir + "/vae-work", plan: .quick, log: { _ in })
        _ = try! BaseModel.run(checkpoints: dir, work: dir + "/work", plan: .quick, log: { _ in })
        let instances = dir + "/instances"
        try! WorldExport.export(
            to: instances, world: World(), split: .train, seed: 0, count: 4, subject: Subject.named("split-ball"))
        return (dir + "/base", instances)
    }()

    func config(_ out: String) -> TrainConfig {
        var c = TrainConfig.quick(instance: Self.setup.instances, output: out)
        c.pretrainedModel = Self.setup.base
        c.instancePrompt = "a sks ball"
        c.classPrompt = "a ball"
        c.withPriorPreservation = true
        c.classDataDir = out + "-class"
        c.trainTextEncoder = true
        return c
    }

    func testInterruptedAndResumedRunEndsWithTheSameWeights() throws {
        let a = temporaryDirectory("dbA")
        let b = temporaryDirectory("dbB")
        let full = try DreamBoothTrainer.run(config(a), log: { _ in })
        XCTAssertEqual(full.classImagesGenerated, 4)
        XCTAssertEqual(full.steps, 6)
        _ = try DreamBoothTrainer.run(config(b), stopAfter: 3, log: { _ in })
        var resumed = config(b)
        resumed.resumeFromCheckpoint = "latest"
        let second = try DreamBoothTrainer.run(resumed, log: { _ in })
        XCTAssertEqual(second.classImagesGenerated, 0, "a rerun reuses the class images")
        for f in [
            "unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
            "checkpoint-6/state.safetensors",
        ] {
            let x = FileManager.default.contents(atPath: a + "/" + f)
            XCTAssertNotNil(x, f)
            XCTAssertEqual(x, FileManager.default.contents(atPath: b + "/" + f), "\(f) differs after resuming")
        }
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: a + "/validation/step-00006.png")
                || config(a).validationPrompt == nil)
        _ = try TextToImagePipeline(folder: a)
    }

    /// Several class prompts: the class images alternate among them and metadata.jsonl names each
    /// one's prompt; per-image captions (metadata.jsonl's text, read by default) change what is
    /// trained; with --caption_column text a folder without captions, or a caption without the
    /// identifier, is refused before any work.
    func testPerImageCaptionsAndSeveralClassPrompts() throws {
        let captioned = temporaryDirectory("dbCaptioned")
        try WorldExport.export(
            to: captioned, world: World(), split: .train, seed: 0, count: 4, subject: Subject.named("split-ball"),
            fullCaptions: true)
        let out = temporaryDirectory("dbCaptions")
        var c = config(out)
        c.instanceDataDir = captioned
        c.instanceCaptions = .always
        c.extraClassPrompts = ["a ball at night"]
        try DreamBoothTrainer.run(c, log: { _ in })
        let classes = try ImageFolder(out + "-class", resolution: 32, role: "class")
        XCTAssertEqual(classes.captions, ["a ball", "a ball at night", "a ball", "a ball at night"])
        // With --class_prompts_from_captions each caption without the identifier joins the class
        // prompts, in the photos' order.
        let derived = temporaryDirectory("dbDerived")
        var f = config(derived)
        f.instanceDataDir = captioned
        f.classPromptsFromCaptions = true
        f.numClassImages = 6
        try DreamBoothTrainer.run(f, log: { _ in })
        let photos = try XCTUnwrap(try ImageFolder(captioned, resolution: 32, role: "instance").captions)
        XCTAssertEqual(
            try ImageFolder(derived + "-class", resolution: 32, role: "class").captions,
            ["a ball"] + photos.map { $0.replacingOccurrences(of: "sks ", with: "") } + ["a ball"])
        let plain = temporaryDirectory("dbNoCaptions")
        var d = config(plain)
        d.instanceDataDir = captioned
        d.extraClassPrompts = ["a ball at night"]
        d.instanceCaptions = .never
        try DreamBoothTrainer.run(d, log: { _ in })
        let unet = "/unet/diffusion_pytorch_model.safetensors"
        XCTAssertNotEqual(
            FileManager.default.contents(atPath: out + unet), FileManager.default.contents(atPath: plain + unet),
            "the captions are what the instance term is conditioned on")
        // By default the captions are read when every photo has one naming the identifier.
        let byDefault = temporaryDirectory("dbCaptionsDefault")
        var e = config(byDefault)
        e.instanceDataDir = captioned
        e.extraClassPrompts = ["a ball at night"]
        var said: [String] = []
        try DreamBoothTrainer.run(e, log: { said.append($0) })
        XCTAssertEqual(
            FileManager.default.contents(atPath: out + unet), FileManager.default.contents(atPath: byDefault + unet))
        XCTAssertTrue(said.contains { $0.contains("its own caption") }, "\(said)")
        var missing = config(temporaryDirectory("dbMissing"))
        missing.instanceCaptions = .always
        try? FileManager.default.removeItem(atPath: temporaryDirectory("dbBare"))
        let bare = temporaryDirectory("dbBare")
        for f in try FileManager.default.contentsOfDirectory(atPath: captioned) where f.hasSuffix(".png") {
            try FileManager.default.copyItem(atPath: captioned + "/" + f, toPath: bare + "/" + f)
        }
        missing.instanceDataDir = bare
        XCTAssertThrowsError(try DreamBoothTrainer.run(missing, log: { _ in })) { e in
            XCTAssertTrue("\(e)".contains("needs a metadata.jsonl"), "\(e)")
        }
        var wrongIdentifier = config(temporaryDirectory("dbWrongId"))
        wrongIdentifier.instanceDataDir = captioned
        wrongIdentifier.instanceCaptions = .always
        wrongIdentifier.instancePrompt = "a zwx ball"
        XCTAssertThrowsError(try DreamBoothTrainer.run(wrongIdentifier, log: { _ in })) { e in
            XCTAssertTrue("\(e)".contains("lacks the identifier"), "\(e)")
        }
        // Without --caption_column text such a folder trains on --instance_prompt, and says so.
        wrongIdentifier.instanceCaptions = .whenPresent
        var warned: [String] = []
        try DreamBoothTrainer.run(wrongIdentifier, log: { warned.append($0) })
        XCTAssertTrue(warned.contains { $0.contains("every photo is trained on \"a zwx ball\"") }, "\(warned)")
    }

    /// A subject's photos come with object masks (masks/NAME.png, named by metadata.jsonl); with
    /// --background_loss_weight w_b < 1 they weigh the instance term (object pixels 1, background
    /// w_b, each image's weights averaging 1); w_b = 1, or a folder without masks, is the plain loss.
    func testObjectMasksWeighTheInstanceLoss() throws {
        let folder = try ImageFolder(Self.setup.instances, resolution: 32, role: "instance")
        let masks = try XCTUnwrap(folder.masks, "a subject's export has masks")
        for (mask, file) in zip(masks, folder.files) {
            XCTAssertEqual(mask.shape, [1, 32, 32])
            let share = mask.scalars.reduce(0, +) / 1024
            XCTAssertTrue(share > 0.1 && share < 0.6, "\(file): the object covers \(share) of the frame")
            XCTAssertTrue(mask.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        // A half-object mask at f = 2: object latent pixels weigh 1/w_b times the background's.
        var half = [Float](repeating: 0, count: 16)
        for y in 0..<4 { for x in 0..<2 { half[y * 4 + x] = 1 } }
        let w = ImageFolder.latentWeights(
            Tensor(shape: [1, 1, 4, 4], scalars: half), latentShape: [1, 2, 2, 2], backgroundWeights: [0.25])
        for (got, want) in zip(w.scalars, [Float](repeating: 0, count: 4).flatMap { _ in [1.6, 0.4] as [Float] }) {
            XCTAssertEqual(got, want, accuracy: 1e-6)
        }
        // Each image has its own w_b: a photo on a new background (w_b 0) trains its object alone.
        let two = ImageFolder.latentWeights(
            Tensor(shape: [2, 1, 4, 4], scalars: half + half), latentShape: [2, 1, 2, 2], backgroundWeights: [0.25, 0])
        for (got, want) in zip(two.scalars, [1.6, 0.4, 1.6, 0.4, 2, 0, 2, 0] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-6)
        }

        func weights(_ c: TrainConfig) throws -> Data? {
            try DreamBoothTrainer.run(c, log: { _ in })
            return FileManager.default.contents(atPath: c.outputDir + "/unet/diffusion_pytorch_model.safetensors")
        }
        let bare = temporaryDirectory("dbBareMasks")
        for f in try FileManager.default.contentsOfDirectory(atPath: Self.setup.instances) where f.hasSuffix(".png") {
            try? FileManager.default.copyItem(atPath: Self.setup.instances + "/" + f, toPath: bare + "/" + f)
        }
        // The weighting alone: no new backgrounds (the default draws them wherever there are masks).
        var masked = config(temporaryDirectory("dbMasked"))
        masked.backgroundAugmentation = 0
        masked.backgroundLossWeight = 0.1
        var plain = config(temporaryDirectory("dbMaskedPlain"))
        plain.backgroundAugmentation = 0
        plain.backgroundLossWeight = 1
        plain.instanceCaptions = .never  // as the bare folder, which has no metadata.jsonl
        var noMasks = config(temporaryDirectory("dbNoMasks"))
        noMasks.instanceDataDir = bare
        noMasks.backgroundLossWeight = 0.1
        let (a, b, c) = (try weights(masked), try weights(plain), try weights(noMasks))
        XCTAssertNotNil(a)
        XCTAssertNotEqual(a, b, "the masks weigh the instance term")
        XCTAssertEqual(b, c, "w_b = 1 is the plain loss, as is a folder without masks")
    }

    /// --background_augmentation p: the frozen base draws new backgrounds around each photo's object
    /// (its mask), whose pixels are kept exactly; it changes what is trained only where there are
    /// masks, and a run with it stops and resumes to the same bytes.
    func testBackgroundAugmentationDrawsNewBackgroundsAroundTheObject() throws {
        let folder = try ImageFolder(Self.setup.instances, resolution: 32, role: "instance")
        var c = config(temporaryDirectory("dbBackdrops"))
        c.backgroundAugmentation = 0.5
        let pipeline = try TextToImagePipeline(folder: c.pretrainedModel)
        let backdrops = try XCTUnwrap(try DreamBoothTrainer.backdrops(c, pipeline, instances: folder, log: { _ in }))
        XCTAssertTrue(FileManager.default.fileExists(atPath: c.outputDir + "/backgrounds.png"))
        XCTAssertEqual(backdrops.variants.count, folder.images.count)
        for (i, row) in backdrops.variants.enumerated() {
            XCTAssertEqual(row.count, Backdrops.perPhoto)
            let photo = folder.crop(i, resolution: 32, at: (0, 0))
            let mask = backdrops.masks[i]
            for variant in row {
                XCTAssertEqual(variant.shape, [3, 32, 32])
                var changed = 0
                for p in 0..<1024 {
                    for ch in 0..<3 {
                        let (a, b) = (variant.scalars[ch * 1024 + p], photo.scalars[ch * 1024 + p])
                        if mask.scalars[p] == 1 { XCTAssertEqual(a, b, "the object's pixels are kept") }
                        if mask.scalars[p] == 0 && abs(a - b) > 0.1 { changed += 1 }
                    }
                }
                XCTAssertGreaterThan(changed, 100, "the background is drawn anew")
            }
        }

        func weights(_ c: TrainConfig) throws -> Data? {
            try DreamBoothTrainer.run(c, log: { _ in })
            return FileManager.default.contents(atPath: c.outputDir + "/unet/diffusion_pytorch_model.safetensors")
        }
        var plain = config(temporaryDirectory("dbNoBackdrops"))
        plain.backgroundAugmentation = 0
        let a = try weights(c)
        XCTAssertNotNil(a)
        XCTAssertNotEqual(a, try weights(plain), "the new backgrounds change what is trained")
        // Without masks there is no object to keep: the option is off, and says so.
        let bare = temporaryDirectory("dbBareBackdrops")
        for f in try FileManager.default.contentsOfDirectory(atPath: Self.setup.instances) where f.hasSuffix(".png") {
            try? FileManager.default.copyItem(atPath: Self.setup.instances + "/" + f, toPath: bare + "/" + f)
        }
        plain.instanceDataDir = bare
        plain.outputDir = temporaryDirectory("dbBareNoBackdrops")
        var bareAugmented = plain
        bareAugmented.outputDir = temporaryDirectory("dbBareWithBackdrops")
        bareAugmented.backgroundAugmentation = 1
        var said: [String] = []
        try DreamBoothTrainer.run(bareAugmented, log: { said.append($0) })
        XCTAssertTrue(said.contains { $0.contains("--background_augmentation is off") }, "\(said)")
        XCTAssertEqual(
            try weights(plain),
            FileManager.default.contents(atPath: bareAugmented.outputDir + "/unet/diffusion_pytorch_model.safetensors"))
        // Stopped after step 3 and resumed: the same bytes as the uninterrupted run.
        var stopped = c
        stopped.outputDir = temporaryDirectory("dbBackdropsResumed")
        try DreamBoothTrainer.run(stopped, stopAfter: 3, log: { _ in })
        stopped.resumeFromCheckpoint = "latest"
        XCTAssertEqual(try weights(stopped), a)
        // --background_contexts: variant k is drawn from the class prompt and phrase k mod n, and trained
        // on the instance prompt and the same phrase; that changes what is trained.
        var withContexts = c
        withContexts.outputDir = temporaryDirectory("dbBackdropsContexts")
        withContexts.backgroundContexts = ["at night", "on water"]
        var drawing: [String] = []
        let contextual = try XCTUnwrap(
            try DreamBoothTrainer.backdrops(withContexts, pipeline, instances: folder, log: { drawing.append($0) }))
        XCTAssertEqual(contextual.contexts, (0..<Backdrops.perPhoto).map { $0 % 2 == 0 ? "at night" : "on water" })
        let classPrompt = try XCTUnwrap(c.classPrompt)
        XCTAssertTrue(
            drawing.contains {
                $0.contains("\"\(classPrompt) at night\"") && $0.contains("\"\(classPrompt) on water\"")
            },
            "\(drawing)")
        XCTAssertNotEqual(try weights(withContexts), a, "the phrases change what is trained")
        // --background_contexts_unseen_only: a phrase an instance caption holds (a context a photo shows) is
        // left out, so every new background is in a context no photo has.
        let captions = try XCTUnwrap(folder.captions)
        let shown = try XCTUnwrap(captions.first).replacingOccurrences(of: "a sks ball ", with: "")
        XCTAssertFalse(captions.contains { $0.contains("at night") }, "the fixture's photos: \(captions)")
        var unseenOnly = withContexts
        unseenOnly.backgroundContexts = [shown, "at night"]
        unseenOnly.backgroundContextsUnseenOnly = true
        let unseen = try XCTUnwrap(
            try DreamBoothTrainer.backdrops(unseenOnly, pipeline, instances: folder, log: { _ in }))
        XCTAssertEqual(Set(unseen.contexts), ["at night"], "\(shown) is a photo's context")
        unseenOnly.backgroundContextsUnseenOnly = false
        let all = try XCTUnwrap(try DreamBoothTrainer.backdrops(unseenOnly, pipeline, instances: folder, log: { _ in }))
        XCTAssertEqual(Set(all.contexts), [shown, "at night"])
        var badWeight = withContexts
        badWeight.backdropBackgroundLossWeight = .nan
        XCTAssertThrowsError(try DreamBoothTrainer.run(badWeight, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("--backdrop_background_loss_weight must be a number"), "\($0)")
        }
        // Off (p = 0), the backdrop options are left unused: `train` refuses them when given
        // (ChapterTests.testTrainAndSampleNameWhatIsAllowed), and a run without new backgrounds draws none.
        var off = c
        off.backgroundAugmentation = 0
        XCTAssertNil(try DreamBoothTrainer.backdrops(off, pipeline, instances: folder, log: { _ in }))
    }

    /// --use_ema: after one step (decay min(max, 1/10) = 0.1) the saved UNet is 0.1·θ₀ + 0.9·θ₁, θ₀ the
    /// base's weights and θ₁ those a run without EMA saves (EMA does not change the training itself);
    /// a run stopped and resumed saves the same bytes, and a checkpoint without EMA is refused.
    func testEMASavesTheAverageAndResumes() throws {
        let unet = "/unet/diffusion_pytorch_model.safetensors"
        func oneStep(_ name: String, ema: Bool) throws -> String {
            let out = temporaryDirectory(name)
            var c = config(out)
            c.trainTextEncoder = false
            c.maxTrainSteps = 1
            c.useEMA = ema
            try DreamBoothTrainer.run(c, log: { _ in })
            return out
        }
        let plain = try SafeTensorsFile(path: try oneStep("dbNoEMA", ema: false) + unet)
        let averaged = try SafeTensorsFile(path: try oneStep("dbEMA1", ema: true) + unet)
        let base = try SafeTensorsFile(path: Self.setup.base + unet)
        var largest: Float = 0
        var moved = false
        for name in base.names {
            let (θ0, θ1, e) = (try base.tensor(name), try plain.tensor(name), try averaged.tensor(name))
            for i in 0..<θ0.count {
                largest = max(largest, abs(e.scalars[i] - (0.1 * θ0.scalars[i] + 0.9 * θ1.scalars[i])))
                moved = moved || θ1.scalars[i] != θ0.scalars[i]
            }
        }
        XCTAssertTrue(moved, "one step changes the UNet")
        XCTAssertLessThan(largest, 1e-6, "the saved UNet is the EMA after one step")
        // Stopped after step 3 of 6 and resumed: the same bytes as a run straight through.
        let a = temporaryDirectory("dbEMAa")
        let b = temporaryDirectory("dbEMAb")
        var c = config(a)
        c.useEMA = true
        try DreamBoothTrainer.run(c, log: { _ in })
        var d = config(b)
        d.useEMA = true
        _ = try DreamBoothTrainer.run(d, stopAfter: 3, log: { _ in })
        d.resumeFromCheckpoint = "latest"
        try DreamBoothTrainer.run(d, log: { _ in })
        XCTAssertEqual(
            FileManager.default.contents(atPath: a + unet), FileManager.default.contents(atPath: b + unet),
            "the EMA run resumed bit for bit")
        // A checkpoint written without EMA is refused by a run with it, before any step.
        let n = temporaryDirectory("dbEMAMismatch")
        _ = try DreamBoothTrainer.run(config(n), stopAfter: 3, log: { _ in })
        var m = config(n)
        m.useEMA = true
        m.resumeFromCheckpoint = "latest"
        XCTAssertThrowsError(try DreamBoothTrainer.run(m, log: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--use_ema"), "\(error)")
        }
    }

    func testCheckpointLimitAndAKilledWriteKeepsThePreviousCheckpoint() throws {
        let out = temporaryDirectory("dbLimit")
        var c = config(out)
        c.checkpointingSteps = 2
        c.checkpointsTotalLimit = 2
        try DreamBoothTrainer.run(c, log: { _ in })
        XCTAssertEqual(try DreamBoothTrainer.checkpoints(out).map(\.0), [4, 6])
        // A write killed half-way leaves only a temporary folder: "latest" still finds checkpoint-6 whole.
        try FileManager.default.createDirectory(atPath: out + "/.checkpoint-8.tmp", withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: out + "/.checkpoint-8.tmp/state.safetensors"))
        XCTAssertEqual(try DreamBoothTrainer.checkpoints(out).last?.0, 6)
        _ = try SafeTensorsFile(path: out + "/checkpoint-6/state.safetensors")
    }

    func testBadInputIsNamedBeforeTraining() throws {
        let out = temporaryDirectory("dbBad")
        func fails(
            _ change: (inout TrainConfig) -> Void, _ expected: String, file: StaticString = #filePath,
            line: UInt = #line
        ) {
            var c = config(out)
            change(&c)
            XCTAssertThrowsError(try DreamBoothTrainer.run(c, log: { _ in }), file: file, line: line) {
                XCTAssertTrue("\($0)".contains(expected), "\($0)", file: file, line: line)
            }
        }
        fails({ $0.laterTimestepWeight = .nan }, "--timestep_bias_multiplier must be a number")
        fails(
            {
                $0.rank = 2
                $0.loraLayers = ["to_q", "nowhere"]
            }, "no layer of the UNet is named '…nowhere'")
        let empty = temporaryDirectory("empty")
        fails({ $0.instanceDataDir = empty }, "holds no PNG images")
        fails({ $0.instanceDataDir = empty + "/nope" }, "does not exist")
        let notPNG = temporaryDirectory("notpng")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notPNG + "/a.png"))
        fails({ $0.instanceDataDir = notPNG }, notPNG + "/a.png")
        let truncated = temporaryDirectory("truncated")
        let good = try Data(contentsOf: URL(fileURLWithPath: Self.setup.instances + "/00000.png"))
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: truncated + "/a.png"))
        fails({ $0.instanceDataDir = truncated }, truncated + "/a.png")
        fails({ $0.instancePrompt = "a sks" }, "lacks the class noun")
        fails({ $0.classPrompt = "a sks ball" }, "must not contain the identifier")
        fails({ $0.pretrainedModel = empty }, "not a pipeline folder")
        fails({ $0.learningRate = .nan }, "--learning_rate")
        fails({ $0.classPrompt = nil }, "--class_prompt")
        // Without prior preservation a missing class noun is only a warning.
        var c = config(out)
        c.withPriorPreservation = false
        c.classPrompt = "a ball"
        c.instancePrompt = "a sks"
        XCTAssertTrue(try DreamBoothTrainer.validate(c).first?.contains("lacks the class noun") == true)
    }
}

/// Textual inversion: only the placeholder's row of the token embedding changes; resumable; the
/// learned embedding is what the saved text encoder holds.
final class TextualInversionTests: XCTestCase {
    func config(_ out: String) -> TrainConfig {
        var c = TrainConfig.quick(instance: DreamBoothTrainerTests.setup.instances, output: out)
        c.pretrainedModel = DreamBoothTrainerTests.setup.base
        c.placeholderToken = "sks"
        c.initializerToken = "ball"
        c.learningRate = TrainConfig.textualInversionLearningRate
        c.maxGradNorm = TrainConfig.noClipping
        return c
    }

    func testOnlyThePlaceholderRowIsTrainedAndTheRunResumes() throws {
        let a = temporaryDirectory("tiA")
        let b = temporaryDirectory("tiB")
        try DreamBoothTrainer.run(config(a), log: { _ in })
        let base = try TextToImagePipeline(folder: DreamBoothTrainerTests.setup.base)
        let tuned = try TextToImagePipeline(folder: a)
        let sks = base.tokenizer.encode("sks")[1]
        let ball = base.tokenizer.encode("ball")[1]
        func table(_ p: TextToImagePipeline) -> Tensor {
            p.textEncoder.parameters.first { $0.name.hasSuffix("token_embedding.weight") }!.value
        }
        let before = table(base)
        let after = table(tuned)
        let D = before.shape[1]
        var changedRows = Set<Int>()
        for i in 0..<before.count where before.scalars[i] != after.scalars[i] { changedRows.insert(i / D) }
        XCTAssertEqual(changedRows, [sks], "only the placeholder's row may change")
        // It started from the initializer's row and moved away from it.
        let moved = (0..<D).map { abs(after.scalars[sks * D + $0] - before.scalars[ball * D + $0]) }.max()!
        XCTAssertGreaterThan(moved, 0)
        // The UNet is the base's, byte for byte.
        for (p, q) in zip(base.unet.parameters, tuned.unet.parameters) {
            XCTAssertEqual(p.value.scalars, q.value.scalars, p.name)
        }
        // learned_embeds.safetensors holds the row, as textual_inversion.py writes it.
        let learned = try SafeTensorsFile(path: a + "/learned_embeds.safetensors").tensor("sks")
        XCTAssertEqual(learned.shape, [1, D])
        XCTAssertEqual(learned.scalars, Array(after.scalars[(sks * D)..<((sks + 1) * D)]))
        // Stopped and resumed: the same bytes.
        _ = try DreamBoothTrainer.run(config(b), stopAfter: 3, log: { _ in })
        var resumed = config(b)
        resumed.resumeFromCheckpoint = "latest"
        try DreamBoothTrainer.run(resumed, log: { _ in })
        XCTAssertEqual(
            FileManager.default.contents(atPath: a + "/learned_embeds.safetensors"),
            FileManager.default.contents(atPath: b + "/learned_embeds.safetensors"))
    }

    /// DreamBooth's quick run on the quick base, without prior preservation: "a sks ball", class "a ball".
    static func dreamBoothConfig(_ out: String) -> TrainConfig {
        var c = TrainConfig.quick(instance: DreamBoothTrainerTests.setup.instances, output: out)
        c.pretrainedModel = DreamBoothTrainerTests.setup.base
        c.instancePrompt = "a sks ball"
        c.classPrompt = "a ball"
        return c
    }

    /// Pivotal tuning (--train_text_encoder_ti): the UNet and the identifier's row train together, at
    /// their own learning rates; no other row of the text encoder moves; a resumed run is the same bytes.
    func testPivotalTuningTrainsTheUNetAndOnlyTheIdentifierRow() throws {
        func pivotal(_ out: String) -> TrainConfig {
            var c = Self.dreamBoothConfig(out)
            c.trainTextEncoderTI = true
            c.textEncoderLearningRate = 5e-3
            return c
        }
        let a = temporaryDirectory("ptA")
        let b = temporaryDirectory("ptB")
        try DreamBoothTrainer.run(pivotal(a), log: { _ in })
        let base = try TextToImagePipeline(folder: DreamBoothTrainerTests.setup.base)
        let tuned = try TextToImagePipeline(folder: a)
        let sks = base.tokenizer.encode("sks")[1]
        for (p, q) in zip(base.textEncoder.parameters, tuned.textEncoder.parameters) {
            guard p.name.hasSuffix("token_embedding.weight") else {
                XCTAssertEqual(p.value.scalars, q.value.scalars, p.name)
                continue
            }
            let D = p.shape[1]
            var changedRows = Set<Int>()
            for i in 0..<p.value.count where p.value.scalars[i] != q.value.scalars[i] { changedRows.insert(i / D) }
            XCTAssertEqual(changedRows, [sks], "only the identifier's row may change")
        }
        XCTAssertTrue(
            zip(base.unet.parameters, tuned.unet.parameters).contains { $0.value.scalars != $1.value.scalars },
            "the UNet trains too")
        _ = try DreamBoothTrainer.run(pivotal(b), stopAfter: 3, log: { _ in })
        var resumed = pivotal(b)
        resumed.resumeFromCheckpoint = "latest"
        try DreamBoothTrainer.run(resumed, log: { _ in })
        for file in ["unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"] {
            XCTAssertEqual(
                FileManager.default.contents(atPath: a + "/" + file),
                FileManager.default.contents(atPath: b + "/" + file),
                file)
        }
        var wrong = pivotal(temporaryDirectory("ptBad"))
        wrong.trainTextEncoder = true
        XCTAssertThrowsError(try DreamBoothTrainer.run(wrong, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("does not combine"), "\($0)")
        }
        var noClass = pivotal(temporaryDirectory("ptNoClass"))
        noClass.classPrompt = nil
        XCTAssertThrowsError(try DreamBoothTrainer.run(noClass, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("needs --class_prompt"), "\($0)")
        }
        // It is the default with a class prompt, the identifier's embedding at 5e-3; off where the
        // identifier is several tokens (said), and off when asked.
        let byDefault = temporaryDirectory("ptDefault")
        try DreamBoothTrainer.run(Self.dreamBoothConfig(byDefault), log: { _ in })
        let text = "/text_encoder/model.safetensors"
        XCTAssertEqual(
            FileManager.default.contents(atPath: a + text), FileManager.default.contents(atPath: byDefault + text))
        var off = Self.dreamBoothConfig(temporaryDirectory("ptOff"))
        off.trainTextEncoderTI = false
        try DreamBoothTrainer.run(off, log: { _ in })
        let untouched = try TextToImagePipeline(folder: off.outputDir)
        for (p, q) in zip(base.textEncoder.parameters, untouched.textEncoder.parameters) {
            XCTAssertEqual(p.value.scalars, q.value.scalars, "\(p.name): the text encoder as it was")
        }
        var long = Self.dreamBoothConfig(temporaryDirectory("ptLong"))
        long.instancePrompt = "a qzxjvk ball"
        XCTAssertGreaterThan(base.tokenizer.encode("qzxjvk").count, 3, "a word of several tokens")
        var said: [String] = []
        try DreamBoothTrainer.run(long, log: { said.append($0) })
        XCTAssertTrue(said.contains { $0.contains("pivotal tuning is off") }, "\(said)")
    }

    /// --freeze_model crossattn_kv (Custom Diffusion): only the cross-attention's keys and values move.
    func testFreezeModelTrainsOnlyTheCrossAttentionKeysAndValues() throws {
        let out = temporaryDirectory("kvOnly")
        var c = Self.dreamBoothConfig(out)
        c.freezeModel = .crossattnKV
        try DreamBoothTrainer.run(c, log: { _ in })
        let base = try TextToImagePipeline(folder: DreamBoothTrainerTests.setup.base)
        let tuned = try TextToImagePipeline(folder: out)
        var moved: [String] = []
        for (p, q) in zip(base.unet.parameters, tuned.unet.parameters) where p.value.scalars != q.value.scalars {
            moved.append(p.name)
        }
        XCTAssertFalse(moved.isEmpty, "the keys and values train")
        XCTAssertTrue(moved.allSatisfy { $0.contains(".attn2.to_k.") || $0.contains(".attn2.to_v.") }, "\(moved)")
        var lora = c
        lora.outputDir = temporaryDirectory("kvLoRA")
        lora.rank = 4
        XCTAssertThrowsError(try DreamBoothTrainer.run(lora, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("does not combine"), "\($0)")
        }
    }

    func testPlaceholderMustBeOneToken() throws {
        var c = config(temporaryDirectory("tiBad"))
        c.placeholderToken = "xqzt"
        XCTAssertThrowsError(try DreamBoothTrainer.run(c, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("must be exactly one"), "\($0)")
        }
        c.placeholderToken = "sks"
        c.initializerToken = nil
        XCTAssertThrowsError(try DreamBoothTrainer.run(c, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("--initializer_token"), "\($0)")
        }
    }
}

/// LoRA through the trainer: only adapters are trained and written, in diffusers' layout; resumable.
final class LoRATrainerTests: XCTestCase {
    func config(_ out: String) -> TrainConfig {
        var c = TrainConfig.quick(instance: DreamBoothTrainerTests.setup.instances, output: out)
        c.pretrainedModel = DreamBoothTrainerTests.setup.base
        c.instancePrompt = "a sks ball"
        c.classPrompt = "a ball"
        c.withPriorPreservation = true
        c.classDataDir = out + "-class"
        c.trainTextEncoder = true
        c.rank = 2
        c.loraAlpha = 4
        return c
    }

    func testOnlyAdaptersAreTrainedWrittenAndResumed() throws {
        let a = temporaryDirectory("loraA")
        let b = temporaryDirectory("loraB")
        try DreamBoothTrainer.run(config(a), log: { _ in })
        let file = a + "/" + LoRAWeights.fileName
        let f = try SafeTensorsFile(path: file)
        XCTAssertTrue(f.names.contains { $0.hasPrefix("unet.") && $0.hasSuffix(".to_q.lora.down.weight") })
        XCTAssertTrue(
            f.names.contains { $0.hasPrefix("text_encoder.") && $0.hasSuffix(".q_proj.lora_linear_layer.up.weight") },
            "--train_text_encoder adds the text encoder's adapters")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: a + "/unet"), "a LoRA run writes the adapters, not the model")
        XCTAssertTrue(
            f.metadata["lora_adapter_metadata"]?.contains("\"unet.lora_alpha\": 4") == true,
            f.metadata["lora_adapter_metadata"] ?? "no metadata")
        // The adapters moved off zero, and applying them changes the base model's output.
        XCTAssertTrue(
            try f.names.filter { $0.contains(".up.") }.contains { try f.tensor($0).scalars.contains { $0 != 0 } })
        _ = try DreamBoothTrainer.run(config(b), stopAfter: 3, log: { _ in })
        var resumed = config(b)
        resumed.resumeFromCheckpoint = "latest"
        try DreamBoothTrainer.run(resumed, log: { _ in })
        XCTAssertEqual(
            FileManager.default.contents(atPath: file),
            FileManager.default.contents(atPath: b + "/" + LoRAWeights.fileName), "resumed LoRA run differs")
    }

    /// LoRA with pivotal tuning (--rank with --train_text_encoder_ti): the adapters and the identifier's
    /// row train; the row is written beside the adapters (learned_embeds.safetensors) and
    /// `applyLoRA` puts it back into the base's token embedding; the run resumes to the same bytes.
    func testPivotalTuningWithLoRAWritesTheIdentifiersEmbeddingBesideTheAdapters() throws {
        func pivotal(_ out: String) -> TrainConfig {
            var c = config(out)
            c.trainTextEncoder = false
            c.trainTextEncoderTI = true
            return c
        }
        let a = temporaryDirectory("loraPivotalA")
        try DreamBoothTrainer.run(pivotal(a), log: { _ in })
        let embeddings = try SafeTensorsFile(path: a + "/" + TextToImagePipeline.learnedEmbeddingsFileName)
        XCTAssertEqual(embeddings.names, ["sks"])
        let row = try embeddings.tensor("sks")
        let pipeline = try TextToImagePipeline(folder: DreamBoothTrainerTests.setup.base)
        let table = try XCTUnwrap(pipeline.textEncoder.parameters.first { $0.name.hasSuffix("token_embedding.weight") })
        let id = pipeline.tokenizer.encode("sks")[1]
        let D = table.shape[1]
        let before = table.value.scalars
        XCTAssertEqual(row.shape, [1, D])
        XCTAssertNotEqual(Array(before[(id * D)..<((id + 1) * D)]), row.scalars, "the identifier's row trained")
        let applied = try pipeline.applyLoRA(a + "/" + LoRAWeights.fileName)
        XCTAssertTrue(applied.contains("sks"), applied)
        let after = table.value.scalars
        XCTAssertEqual(Array(after[(id * D)..<((id + 1) * D)]), row.scalars)
        XCTAssertEqual(
            after.enumerated().filter { $0.offset / D != id }.map(\.element),
            before.enumerated().filter { $0.offset / D != id }.map(\.element), "only the identifier's row changes")
        // A row of the wrong width is named with its file.
        let bad = temporaryDirectory("loraPivotalBad")
        try FileManager.default.copyItem(
            atPath: a + "/" + LoRAWeights.fileName, toPath: bad + "/" + LoRAWeights.fileName)
        try SafeTensors.write(
            ["sks": Tensor(shape: [1, D + 1], scalars: [Float](repeating: 0, count: D + 1))],
            to: bad + "/" + TextToImagePipeline.learnedEmbeddingsFileName, metadata: [:])
        XCTAssertThrowsError(try pipeline.applyLoRA(bad + "/" + LoRAWeights.fileName)) {
            XCTAssertTrue("\($0)".contains(TextToImagePipeline.learnedEmbeddingsFileName + ": 'sks'"), "\($0)")
        }
        // Stopped after step 3 and resumed: the same adapters and row.
        let b = temporaryDirectory("loraPivotalB")
        try DreamBoothTrainer.run(pivotal(b), stopAfter: 3, log: { _ in })
        var resumed = pivotal(b)
        resumed.resumeFromCheckpoint = "latest"
        try DreamBoothTrainer.run(resumed, log: { _ in })
        for f in [LoRAWeights.fileName, TextToImagePipeline.learnedEmbeddingsFileName] {
            XCTAssertEqual(
                FileManager.default.contents(atPath: a + "/" + f), FileManager.default.contents(atPath: b + "/" + f), f)
        }
        // A rerun into the same folder without pivotal tuning leaves no embedding of the earlier run behind.
        var plain = pivotal(a)
        plain.trainTextEncoderTI = false
        try DreamBoothTrainer.run(plain, log: { _ in })
        XCTAssertFalse(FileManager.default.fileExists(atPath: a + "/" + TextToImagePipeline.learnedEmbeddingsFileName))
    }
}

/// Chapter 06's rule for identifiers, on the shipped tokenizer.
final class IdentifierTests: XCTestCase {
    func testRareCandidatesAreShortUnusedSingleTokens() throws {
        let tokenizer = try CLIPTokenizer(folder: Fixtures.inRepository("Checkpoints/base/tokenizer"))
        let world = World()
        let captions = (0..<2000).map { i -> String in
            var rng = RNG(seed: 11).split("caption/\(i)")
            return Captions.caption(for: world.scene(.train, seed: 11, index: i), rng: &rng).text
        }
        let candidates = Identifiers.rareCandidates(tokenizer, captions: captions)
        let words = Set(candidates.map(\.text))
        XCTAssertTrue(words.contains("sks"))
        XCTAssertFalse(words.contains("red"), "a caption word is never a candidate")
        XCTAssertFalse(words.contains("xqzt"), "a multi-token string is never a candidate")
        for c in candidates {
            XCTAssertLessThanOrEqual(c.text.count, 3)
            XCTAssertEqual(tokenizer.encode(c.text), [tokenizer.bosTokenId, c.id, tokenizer.eosTokenId])
        }
        XCTAssertGreaterThan(candidates.count, 100)
    }
}

/// The autoencoder stage (AutoencoderPlan.quick): resumable bit for bit, its scaling_factor measured.
final class AutoencoderTrainingTests: XCTestCase {
    func testStoppedAndResumedRunEndsWithTheSameWeightsAndAMeasuredScalingFactor() throws {
        let a = temporaryDirectory("vaeA")
        let b = temporaryDirectory("vaeB")
        var plan = AutoencoderPlan.quick
        plan.standardizeChannels = true
        XCTAssertTrue(try AutoencoderTraining.run(checkpoints: a, work: a + "/work", plan: plan, log: { _ in }))
        XCTAssertFalse(
            try AutoencoderTraining.run(checkpoints: b, work: b + "/work", plan: plan, stopAfter: 3, log: { _ in }))
        XCTAssertFalse(FileManager.default.fileExists(atPath: b + "/base/vae"), "nothing is exported before the end")
        var log: [String] = []
        XCTAssertTrue(
            try AutoencoderTraining.run(checkpoints: b, work: b + "/work", plan: plan, log: { log.append($0) }))
        XCTAssertTrue(log.contains { $0.contains("resuming at step 3") }, "\(log)")
        for f in [
            "base/vae/diffusion_pytorch_model.safetensors", "base/vae/config.json", "autoencoder-training/loss.tsv",
        ] {
            let x = FileManager.default.contents(atPath: a + "/" + f)
            XCTAssertNotNil(x, f)
            XCTAssertEqual(x, FileManager.default.contents(atPath: b + "/" + f), "\(f) differs after resuming")
        }
        // scaling_factor = 1 / std of the training latents: z · scaling_factor has unit variance.
        let vae = try AutoencoderKL(folder: a + "/base/vae")
        XCTAssertNotEqual(vae.config.scalingFactor, AutoencoderKLConfig().scalingFactor)
        let images = World.batchTensor(World().examples(.train, seed: 5, indices: Array(0..<64)).map(\.image))
        var rng = RNG(seed: 1)
        let z = CachedPosteriors(images, vae: vae).sample(rows: Array(0..<64), rng: &rng)
        let mean = z.scalars.reduce(0, +) / Float(z.count)
        let variance = z.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(z.count)
        XCTAssertEqual(variance, 1, accuracy: 0.15, "variance of scaled latents of other training images")
        // Each channel on its own, too: standardized, each channel has mean 0 and std 1 before scaling.
        let C = vae.config.latentChannels
        let plane = z.shape[2] * z.shape[3]
        for c in 0..<C {
            var values: [Float] = []
            for b in 0..<64 {
                let start: Int = (b * C + c) * plane
                values += z.scalars[start..<(start + plane)]
            }
            let m: Float = values.reduce(0, +) / Float(values.count)
            var v: Float = 0
            for x in values { v += (x - m) * (x - m) }
            v /= Float(values.count)
            XCTAssertEqual(m, 0, accuracy: 0.3, "channel \(c)'s mean")
            XCTAssertEqual(v, 1, accuracy: 0.3, "channel \(c)'s variance")
        }
    }

    /// --object_weight: weights of one everywhere are the unweighted loss to the bit; the object's
    /// weight moves it.
    func testObjectWeightsWeighTheLossAndOnesLeaveIt() {
        let vae = AutoencoderKL(AutoencoderPlan.quick.vae, seed: 3)
        let world = World()
        let scenes = (0..<2).map { world.scene(.train, seed: 1, index: $0) }
        let images = World.batchTensor(world.render(scenes))
        func loss(_ weights: Tensor?) -> Float {
            var rng = RNG(seed: 9)
            return AutoencoderTraining.loss(
                vae, images: images, klWeight: 1e-4, edgeWeight: 0.5, pixelWeights: weights, rng: &rng
            ).loss.value.scalars[0]
        }
        let plain = loss(nil)
        XCTAssertEqual(loss(Tensor(shape: images.shape, scalars: [Float](repeating: 1, count: images.count))), plain)
        XCTAssertNotEqual(loss(AutoencoderTraining.objectWeights(scenes, world: world, 4)), plain)
    }

    /// Fine-tuning from a folder: --decoder_only keeps the encoder, quant_conv and scaling_factor to
    /// the bit (so a base UNet trained on the latents stays valid) and moves the decoder; without it
    /// everything trains from the folder's weights.
    func testDecoderOnlyFineTuningKeepsTheEncoderAndItsLatents() throws {
        let a = temporaryDirectory("vaeFrom")
        XCTAssertTrue(try AutoencoderTraining.run(checkpoints: a, work: a + "/work", plan: .quick, log: { _ in }))
        let source = a + "/base/vae"
        func tuned(decoderOnly: Bool) throws -> AutoencoderKL {
            let out = temporaryDirectory(decoderOnly ? "vaeDecoderOnly" : "vaeWhole")
            var plan = AutoencoderPlan.quick
            plan.initFrom = source
            plan.decoderOnly = decoderOnly
            plan.randomLookFraction = 0.5
            XCTAssertTrue(try AutoencoderTraining.run(checkpoints: out, work: out + "/work", plan: plan, log: { _ in }))
            return try AutoencoderKL(folder: out + "/base/vae")
        }
        let original = try AutoencoderKL(folder: source)
        let decoderOnly = try tuned(decoderOnly: true)
        XCTAssertEqual(decoderOnly.config.scalingFactor, original.config.scalingFactor)
        for (p, q) in zip(original.parameters, decoderOnly.parameters) {
            let isDecoder = p.name.hasPrefix("decoder.") || p.name.hasPrefix("post_quant_conv.")
            if isDecoder { continue }
            XCTAssertEqual(p.value.scalars, q.value.scalars, "\(p.name) must be kept")
        }
        XCTAssertTrue(
            zip(original.parameters, decoderOnly.parameters).contains {
                $0.name.hasPrefix("decoder.") && $0.value.scalars != $1.value.scalars
            }, "the decoder trains")
        let whole = try tuned(decoderOnly: false)
        XCTAssertTrue(
            zip(original.parameters, whole.parameters).contains {
                $0.name.hasPrefix("encoder.") && $0.value.scalars != $1.value.scalars
            }, "without --decoder_only the encoder trains too")
    }
}

/// What the text encoder and the base UNet learn from: captions and contrastive batches.
final class TrainingCaptionTests: XCTestCase {
    func testAFractionOfTrainingCaptionsNameEveryAttribute() {
        let world = World(size: 32)
        let examples = world.examples(.train, seed: 505, indices: Array(0..<400))
        var plan = BasePlan()
        plan.fullCaptionFraction = 0
        XCTAssertEqual(
            examples.indices.map { plan.trainingCaption(examples[$0], index: $0) }, examples.map(\.caption.text))
        plan.fullCaptionFraction = 1
        for (i, e) in examples.enumerated() {
            var unused = RNG(seed: 9)
            XCTAssertEqual(
                plan.trainingCaption(e, index: i), Captions.caption(for: e.scene, rng: &unused, full: true).text)
        }
        plan.fullCaptionFraction = 0.5
        let full = examples.indices.filter {
            var unused = RNG(seed: 9)
            let whole = Captions.caption(for: examples[$0].scene, rng: &unused, full: true).text
            return plan.trainingCaption(examples[$0], index: $0) == whole && examples[$0].caption.text != whole
        }.count
        let omitted = examples.filter {
            var unused = RNG(seed: 9)
            return $0.caption.text != Captions.caption(for: $0.scene, rng: &unused, full: true).text
        }.count
        // About half of the captions that leave something out now name everything.
        XCTAssertEqual(Double(full) / Double(omitted), 0.5, accuracy: 0.1, "\(full) of \(omitted)")
    }

    func testAttributeTwinsDifferInOneNamedAttributeAndStayInTheirSplit() {
        let world = World(size: 32)
        let drawn = world.examples(.train, seed: 101, indices: Array(0..<300))
        var rng = RNG(seed: 7)
        let batch = TextSide.twinned(drawn, count: 150, split: .train, world: world, rng: &rng)
        XCTAssertEqual(batch.count, 450)
        var changed: [String: Int] = [:]
        for i in 0..<150 {
            let (a, b) = (batch[i].scene, batch[300 + i].scene)
            let differences = [
                ("class", a.objectClass != b.objectClass), ("color", a.color != b.color),
                ("pattern", a.pattern != b.pattern), ("context", a.context != b.context),
            ].filter(\.1).map(\.0)
            XCTAssertEqual(differences.count, 1, "twin \(i): \(differences)")
            changed[differences.first ?? "none", default: 0] += 1
            XCTAssertEqual(a.style, b.style)
            XCTAssertEqual([a.centerX, a.rotation, a.scale], [b.centerX, b.rotation, b.scale], "the same placement")
            XCTAssertFalse(World.isHeldOut(Composition(b.objectClass, b.color!, b.context)), "twin \(i) is held out")
            XCTAssertEqual(b.look, .ordinary(b.color!, b.pattern))
            XCTAssertEqual(batch[300 + i].image.scalars, world.render(b).scalars)
            // Both captions name everything, so each fits its own image and not the twin's.
            XCTAssertTrue(batch[i].caption.fits(a) && batch[300 + i].caption.fits(b))
            XCTAssertFalse(batch[i].caption.fits(b) || batch[300 + i].caption.fits(a), "twin \(i)")
        }
        XCTAssertEqual(batch[150..<300].map(\.caption.text), drawn[150..<300].map(\.caption.text), "the rest untouched")
        for name in ["class", "color", "pattern", "context"] {
            XCTAssertGreaterThan(changed[name, default: 0], 20, "\(name) is changed in \(changed)")
        }
    }

    func testTwinsOfOneAttributeChangeOnlyIt() {
        let world = World(size: 32)
        let drawn = world.examples(.train, seed: 101, indices: Array(0..<200))
        var rng = RNG(seed: 7)
        let batch = TextSide.twinned(drawn, count: 100, split: .train, world: world, attributes: [.pattern], rng: &rng)
        XCTAssertEqual(batch.count, 300, "every scene has another pattern")
        for i in 0..<100 {
            let (a, b) = (batch[i].scene, batch[200 + i].scene)
            XCTAssertNotEqual(a.pattern, b.pattern, "twin \(i)")
            XCTAssertEqual([a.objectClass.rawValue, a.context.rawValue], [b.objectClass.rawValue, b.context.rawValue])
            XCTAssertEqual(a.color, b.color)
        }
        // Color alone: a sketch shows none, so it gets no twin and keeps its own caption.
        var colorRNG = RNG(seed: 7)
        let colored = TextSide.twinned(
            drawn, count: 100, split: .train, world: world, attributes: [.color], rng: &colorRNG)
        let sketches = drawn[0..<100].filter { $0.scene.style == .sketch }.count
        XCTAssertGreaterThan(sketches, 0, "the test needs a sketch among the first 100")
        XCTAssertEqual(colored.count, 300 - sketches)
        for (i, e) in drawn[0..<100].enumerated() where e.scene.style == .sketch {
            XCTAssertEqual(colored[i].caption.text, e.caption.text, "sketch \(i) keeps its caption")
        }
    }

    /// The attribute judge's sample-like distortion moves no pixel further than its 1.2-pixel bound, stays in
    /// [0, 1], changes the image, and is the same for the same stream.
    func testSampleLikeDistortionIsBoundedAndSeeded() {
        let S = 32
        // A one-pixel vertical white line at x = 16 on black, in all three channels.
        var image = Tensor(zeros: [3, S, S])
        for c in 0..<3 { for y in 0..<S { image.scalars[(c * S + y) * S + 16] = 1 } }
        var changedSomewhere = false
        for seed in 0..<20 {
            var rng = RNG(seed: UInt64(seed))
            let out = TextSide.sampleLike(image, rng: &rng)
            var again = RNG(seed: UInt64(seed))
            XCTAssertEqual(
                out, TextSide.sampleLike(image, rng: &again), "seed \(seed): the same stream, the same image")
            XCTAssertEqual(out.shape, image.shape)
            XCTAssertTrue(out.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "seed \(seed): in [0, 1]")
            for y in 0..<S {
                // The line's ink in row y: a displacement of at most 1.2 pixels and a 3 × 3 blur keep
                // every bright pixel within 1.2 + 1 (and a pixel of bilinear reach) of column 16.
                for x in 0..<S where out.scalars[y * S + x] > 0.2 {
                    XCTAssertLessThanOrEqual(abs(x - 16), 3, "seed \(seed): ink at (\(y), \(x))")
                }
                XCTAssertGreaterThan(
                    (0..<S).map { out.scalars[y * S + $0] }.reduce(0, +), 0.5, "seed \(seed): row \(y) keeps its ink")
            }
            changedSomewhere = changedSomewhere || out != image
        }
        XCTAssertTrue(changedSomewhere, "the distortion changes images")
    }
}

/// --backdrop_clean_edges: a photo's pixel that the object covers by m ∈ (0, 1) holds m·object + (1 − m)·old
/// background. `ImageFolder.onBackdrop` keeps m(1 − m) of the old background there (a light ring on a dark
/// backdrop); `Backdrops.composited` gives m·object + (1 − m)·new background.
final class BackdropCompositingTests: XCTestCase {
    func testCleanEdgesUnmixTheOldBackgroundFromTheObjectsSoftEdge() {
        let (side, plane) = (8, 64)
        let object: [Float] = [0.9, -0.8, -0.8]  // red
        let old: [Float] = [0.8, 0.8, 0.8]  // a light sky
        let new: [Float] = [-0.9, -0.9, -0.5]  // night
        // The object covers columns 0–2, and column 3 by m = 0.4.
        let m = (0..<plane).map { p -> Float in p % side < 3 ? 1 : p % side == 3 ? 0.4 : 0 }
        let mask = Tensor(shape: [1, side, side], scalars: m)
        let photo = Tensor(
            shape: [3, side, side],
            scalars: (0..<3).flatMap { c in m.map { $0 * object[c] + (1 - $0) * old[c] } })
        let backdrop = Tensor(
            shape: [3, side, side], scalars: (0..<3).flatMap { c in [Float](repeating: new[c], count: plane) })
        let clean = Backdrops.composited(photo, mask: mask, backdrop: backdrop)
        let plain = ImageFolder.onBackdrop(photo, mask: mask, backdrop: backdrop)
        for p in 0..<plane {
            for c in 0..<3 {
                let want = m[p] * object[c] + (1 - m[p]) * new[c]
                XCTAssertEqual(clean.scalars[c * plane + p], want, accuracy: 1e-5, "pixel \(p), channel \(c)")
                if m[p] == 0.4 && c > 0 {
                    // What onBackdrop leaves: m(1 − m)·(old − object) more than wanted, 0.24 × 1.6 in green and blue.
                    XCTAssertEqual(plain.scalars[c * plane + p] - want, 0.384, accuracy: 1e-5)
                }
            }
        }
    }
}
