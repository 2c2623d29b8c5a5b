// `dreambooth tokenize`, `dreambooth pretrain` and `dreambooth evaluate-judges`.

import ArgumentParser
import Diffusion
import Dispatch
import Evaluation
import Foundation
import ImageIO
import Models
import Pretraining
import Synchronization
import TensorCore
import ToyWorld

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract:
            "Print each text's token ids as a JSON array, one line per text (transformers' tokenizer(text, "
            + "truncation=True).input_ids)."
    )
    @Option(help: "A CLIPTokenizer folder (vocab.json, merges.txt, tokenizer_config.json).")
    var tokenizer: String = "Checkpoints/base/tokenizer"
    @Flag(help: "Also print the tokens themselves, one line per text after its ids.")
    var tokens = false
    @Argument(help: "The texts.")
    var texts: [String]

    func validate() throws { if texts.isEmpty { throw ValidationError("give at least one text") } }

    func run() throws {
        try reportingErrors {
            let t = try CLIPTokenizer(folder: tokenizer)
            for text in texts {
                print("[" + t.encode(text).map(String.init).joined(separator: ", ") + "]")
                if tokens { print(t.tokenize(text).joined(separator: " ")) }
            }
        }
    }
}

/// "pattern,color" → [.pattern, .color]; an unknown or repeated name is refused with the allowed ones.
func parseTwinAttributes(_ text: String) throws -> [TwinAttribute] {
    let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
    }
    let attributes = try names.map { name -> TwinAttribute in
        guard let a = TwinAttribute(rawValue: name) else {
            throw ValidationError(
                "'\(name)' is not an attribute; use " + TwinAttribute.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return a
    }
    guard Set(attributes).count == attributes.count else { throw ValidationError("'\(text)' names an attribute twice") }
    return attributes
}

/// The stages of `make pretrain`.
enum PretrainStage: String, CaseIterable, ExpressibleByArgument {
    case text, judges, autoencoder, base, all
}

struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract:
            "Train the shipped models from scratch: tokenizer and text encoder, the autoencoder, the base UNet "
            + "(finished text stages are kept; the autoencoder and the UNet resume from their last training state). "
            + "The judges that measure them are trained only when missing, or again with --stage judges."
    )
    @Option(help: "Where the checkpoints go (the repository's Checkpoints by default).")
    var out: String = "Checkpoints"
    @Flag(help: "Seconds-long configuration (what the tests run).")
    var quick = false
    @Flag(help: "Redo the stages asked for even when their output exists (--stage all: every stage but the judges).")
    var force = false
    @Option(help: "The English word list the tokenizer's merges also learn from.")
    var wordList: String = "Data/wordlist/words.txt"
    @Option(
        help: ArgumentHelp(
            "text (tokenizer, text encoder), judges (attribute, CLIP and DINO judges; need the tokenizer), "
                + "autoencoder (AutoencoderKL; its report reads the judges), base (the base UNet; needs the text and "
                + "autoencoder stages' output), or all (every stage but the judges, which it trains only when "
                + "missing)."))
    var stage: PretrainStage = .all
    @Option(help: "Where the autoencoder's and the base model's resumable training states, logs and sample grids go.")
    var work: String = ".pretrain"
    @Option(help: "base: epsilon (what ships) or v_prediction (the comparison of chapter 05).")
    var prediction: PredictionType = .epsilon
    @Option(
        name: .customLong("stop_after"),
        help: "autoencoder, base: stop after this step's checkpoint (resume later with the same command).")
    var stopAfter: Int?

    @Option(
        name: .customLong("text_encoder_twins"), parsing: .unconditional,
        help: ArgumentHelp(
            "text: the fraction (0…0.5) of each text-encoder batch that is attribute twins, the same scene with one "
                + "attribute changed (default \(TextSidePlan.full.textEncoderTwins))."),
        transform: parseNumber)
    var textEncoderTwins: Float?
    @Option(
        name: .customLong("text_encoder_twin_attributes"),
        help: ArgumentHelp(
            "text: the attributes a twin may change, comma-separated among "
                + TwinAttribute.allCases.map(\.rawValue).joined(separator: ", ") + " (default "
                + TextSidePlan.full.twinAttributes.map(\.rawValue).joined(separator: ",") + ")."),
        transform: parseTwinAttributes)
    var twinAttributes: [TwinAttribute]?
    @Option(
        name: .customLong("text_encoder_steps"), parsing: .unconditional,
        help: "text: optimizer steps of the text encoder (default \(TextSidePlan.full.textEncoder.steps)).",
        transform: parsePositive)
    var textEncoderSteps: Int?

    @OptionGroup(title: "The autoencoder (defaults: the shipped plan)")
    var autoencoder: AutoencoderOptions
    @OptionGroup(title: "The base UNet (defaults: the shipped plan)")
    var base: BaseOptions

    func validate() throws {
        guard prediction == .epsilon || prediction == .vPrediction else {
            throw ValidationError("--prediction must be epsilon or v_prediction, got '\(prediction.rawValue)'")
        }
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop_after must be a positive step") }
        if let textEncoderTwins, !(textEncoderTwins >= 0 && textEncoderTwins <= 0.5) {
            throw ValidationError("--text_encoder_twins must be in [0, 0.5], got \(textEncoderTwins)")
        }
    }

    func run() throws {
        try reportingErrors {
            // Both plans are read first: a bad config or value stops here, before any stage runs.
            let autoencoderPlan = try autoencoder.plan(quick: quick)
            var basePlan = try base.plan(quick: quick)
            basePlan.prediction = prediction
            let t0 = Date()
            var textPlan: TextSidePlan = quick ? .quick : .full
            if let textEncoderTwins { textPlan.textEncoderTwins = textEncoderTwins }
            if let twinAttributes { textPlan.twinAttributes = twinAttributes }
            if let textEncoderSteps { textPlan.textEncoder.steps = textEncoderSteps }
            let text = { [out, force, wordList, textPlan] in
                try TextSide.run(out: out, plan: textPlan, force: force, wordList: wordList)
            }
            // The judges measure the model, so retraining the model keeps them; `--stage judges` remakes them.
            let judges = { [out, force, stage, textPlan] in
                try TextSide.trainJudges(out: out, plan: textPlan, force: force && stage == .judges)
            }
            let workDir = (work as NSString).appendingPathComponent(quick ? "autoencoder-quick" : "autoencoder")
            let autoencoderStage = { [out, force, stopAfter] (beforeJudging: () -> Void) throws -> Bool in
                if force { try? FileManager.default.removeItem(atPath: workDir) }
                let t1 = Date()
                let finished = try AutoencoderTraining.run(
                    checkpoints: out, work: workDir, plan: autoencoderPlan, stopAfter: stopAfter,
                    beforeJudging: beforeJudging)
                print(String(format: "autoencoder: %.1f minutes", Date().timeIntervalSince(t1) / 60))
                return finished
            }
            switch stage {
            case .text: try text()
            case .judges:
                try TextSide.run(out: out, plan: textPlan, force: false, wordList: wordList)
                try judges()
            case .autoencoder: guard try autoencoderStage({}) else { return }
            case .all:
                // Neither stage needs the other's output until the autoencoder's report reads the judges,
                // and each uses two cores poorly: side by side, one core each (then both cores for the one
                // still working), both finish sooner, with the same bytes.
                let judgesTrained = DispatchSemaphore(value: 0)
                let autoencoderFinished = Mutex(false)
                try Parallel.concurrently(
                    {
                        defer { judgesTrained.signal() }
                        try text()
                        try judges()
                    },
                    {
                        let finished = try autoencoderStage {
                            Parallel.idle {
                                judgesTrained.wait()
                                judgesTrained.signal()
                            }
                        }
                        autoencoderFinished.withLock { $0 = finished }
                    })
                guard autoencoderFinished.withLock({ $0 }) else { return }
            case .base: break
            }
            if stage == .base || stage == .all {
                let plan = basePlan
                let workDir = (work as NSString).appendingPathComponent(
                    (quick ? "base-quick" : "base") + (plan.prediction == .epsilon ? "" : "-v"))
                if force { try? FileManager.default.removeItem(atPath: workDir) }
                let t1 = Date()
                // A v-prediction run is a comparison: it trains and evaluates but ships nothing.
                let finished = try BaseModel.run(
                    checkpoints: out, work: workDir, plan: plan,
                    stopAfter: plan.prediction == .epsilon ? stopAfter : (stopAfter ?? plan.evaluateEvery))
                if finished && plan.prediction == .epsilon {
                    try BaseModel.publishLogs(work: workDir, checkpoints: out)
                }
                print(String(format: "base model: %.1f minutes", Date().timeIntervalSince(t1) / 60))
            }
            print(String(format: "pretrain: done in %.1f minutes → %@", Date().timeIntervalSince(t0) / 60, out))
        }
    }
}

struct EvaluateJudgesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-judges",
        abstract:
            "Measure the judges on held-out world images: attribute accuracy, retrieval top-1 among 100, 1-NN class "
            + "accuracy."
    )
    @Option(help: "The checkpoints folder (judges/ and base/tokenizer inside).")
    var checkpoints: String = "Checkpoints"
    @Option(help: "Held-out images to measure on.")
    var count: Int = 1000

    func validate() throws {
        guard count >= 1 && count <= 100_000 else { throw ValidationError("--count must be 1…100000, got \(count)") }
    }

    func run() throws {
        try reportingErrors {
            let tokenizer = try CLIPTokenizer(folder: checkpoints + "/base/tokenizer")
            let judges = try Judges(folder: checkpoints + "/judges", tokenizer: tokenizer)
            let world = World()
            let acc = TextSide.attributeAccuracy(judges.attributes, world: world, count: count)
            print(
                "attribute classifier on \(count) held-out images: "
                    + Attribute.allCases.map { String(format: "%@ %.3f", $0.rawValue, acc[$0]!) }.joined(
                        separator: ", "))
            let unseen = judges.attributes.classAccuracyOnUnseenLooks(
                world: world, seed: Seeds.evaluation, count: count)
            print(String(format: "class on %d held-out images in looks the world never draws: %.3f", count, unseen))
            // A sample is decoded by the autoencoder: its pixels are a round trip's, softer than a render's.
            let vaeFolder = joinedPath(checkpoints, "base/vae")
            if FileManager.default.fileExists(atPath: joinedPath(vaeFolder, "config.json")) {
                let vae = try AutoencoderKL(folder: vaeFolder)
                let roundTrip = { (x: Tensor) -> Tensor in
                    Variable.withoutGradients { vae.decode(vae.encode(Variable(x)).mean).clamped(-1, 1).value }
                }
                let unseenRoundTrip = judges.attributes.classAccuracyOnUnseenLooks(
                    world: world, seed: Seeds.evaluation, count: count, through: roundTrip)
                print(String(format: "  the same through the autoencoder (%@): %.3f", vaeFolder, unseenRoundTrip))
                for through in [nil, roundTrip] {
                    let subjects = judges.attributes.subjectClassAccuracy(
                        world: world, seed: Seeds.evaluation, through: through)
                    print(
                        "class on each subject's renders\(through == nil ? "" : " through the autoencoder"): "
                            + subjects.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }
                            .joined(separator: ", "))
                }
            }
            // Which classes it confuses: rows the truth, columns the prediction.
            let ex = world.examples(.heldout, seed: Seeds.evaluation, indices: Array(0..<count))
            let predicted = judges.attributes.predict(World.batchTensor(ex.map(\.image)))
            let names = ObjectClass.allCases.map(\.rawValue)
            var confusion = [[Int]](repeating: [Int](repeating: 0, count: names.count), count: names.count)
            for (e, p) in zip(ex, predicted) {
                confusion[Attribute.objectClass.label(of: e.scene)!][p[.objectClass]!] += 1
            }
            print("class confusion (rows: truth, columns: predicted " + names.joined(separator: " ") + ")")
            for (i, row) in confusion.enumerated() {
                print(
                    "  " + names[i].padding(toLength: 6, withPad: " ", startingAt: 0)
                        + row.map { String(format: "%5d", $0) }.joined())
            }
            print(
                String(
                    format: "CLIP judge: image→caption top-1 among 100 = %.3f",
                    TextSide.retrieval(judges.clip, tokenizer: tokenizer, world: world, count: 100)))
            print(
                String(
                    format: "DINO judge: 1-NN class accuracy = %.3f",
                    TextSide.nearestNeighbourClassAccuracy(judges.dino, world: world, count: count)))
        }
    }
}

/// What the attribute judge sees in PNGs: a sample's class, color, pattern, context and style, as
/// evaluate-subject and evaluate-base read them.
struct JudgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Print what the attribute judge reads in each PNG: class, color, pattern, context, style."
    )
    @Argument(help: "PNG files, or folders whose PNGs are read (a folder's grid.png is left out).")
    var images: [String]
    @Option(help: "The checkpoints folder holding judges/.")
    var checkpoints: String = "Checkpoints"

    func run() throws {
        try reportingErrors {
            var files: [String] = []
            for path in images {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                    throw ToolError(description: "\(path): no such file or folder")
                }
                if isFolder.boolValue {
                    let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    files += names.filter { $0.lowercased().hasSuffix(".png") && $0 != "grid.png" }.sorted().map {
                        joinedPath(path, $0)
                    }
                } else {
                    files.append(path)
                }
            }
            guard !files.isEmpty else { throw ToolError(description: "\(images.joined(separator: ", ")): no PNGs") }
            let world = World()
            let pictures = try files.map { file in
                let image = try PNG.read(file)
                guard image.shape == [3, world.size, world.size] else {
                    throw ToolError(
                        description: "\(file): the judge reads \(world.size)×\(world.size) images, this one is "
                            + "\(image.shape[2])×\(image.shape[1])")
                }
                return image
            }
            let judge = try AttributeClassifier(folder: joinedPath(checkpoints, "judges/attributes"))
            let predictions = judge.predict(World.batchTensor(pictures))
            for (file, p) in zip(files, predictions) {
                let read = Attribute.allCases.map { "\($0.rawValue) \($0.labels[p[$0]!])" }
                print(file + "  " + read.joined(separator: ", "))
            }
        }
    }
}

/// The compositions evaluate-base's prompts come from.
enum PromptSplit: String, ExpressibleByArgument, CaseIterable {
    case heldout, train
    var world: World.Split { self == .train ? .train : .heldout }
}

struct EvaluateBaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-base",
        abstract:
            "Measure a text-to-image model with the judges: attribute accuracy on held-out prompts, and a Fréchet "
            + "distance in DINO space."
    )
    @Option(help: "The pipeline folder.")
    var model: String = "Checkpoints/base"
    @Option(help: "The checkpoints folder holding judges/.")
    var checkpoints: String = "Checkpoints"
    @Option(help: "Samples for the accuracy (full captions of held-out compositions).")
    var samples: Int = 256
    @Option(name: .customLong("num_inference_steps"), help: "DDIM steps for the accuracy samples.")
    var numInferenceSteps: Int = 50
    @Option(name: .customLong("guidance_scale"), help: "Classifier-free guidance scale.")
    var guidanceScale: Float = 3
    @Option(name: .customLong("frechet_samples"), help: "Samples for the Fréchet distance (0: skip it).")
    var frechetSamples: Int = 1000
    @Option(name: .customLong("frechet_steps"), help: "DDIM steps for the Fréchet samples.")
    var frechetSteps: Int = 20
    @Option(help: "Write the report (JSON) here too.")
    var report: String?
    @Option(help: "The prompts' compositions: heldout (the quality bar's) or train (what it learned from).")
    var split: PromptSplit = .heldout
    @Option(
        name: .customLong("rescore_training"),
        help: ArgumentHelp(
            "Instead: score the sample sets a base training run saved in this work folder (.pretrain/base) with "
                + "these judges, and publish its logs to --checkpoints/base-training.")
    )
    var rescoreTraining: String?

    func validate() throws {
        guard samples >= 1 && samples <= 100_000 else {
            throw ValidationError("--samples must be 1…100000, got \(samples)")
        }
        guard frechetSamples == 0 || (frechetSamples >= 2 && frechetSamples <= 100_000) else {
            throw ValidationError("--frechet_samples must be 0 or 2…100000")
        }
        guard numInferenceSteps >= 1 && numInferenceSteps <= 1000, frechetSteps >= 1 && frechetSteps <= 1000 else {
            throw ValidationError("steps must be 1…1000")
        }
        guard guidanceScale.isFinite && guidanceScale >= 0 && guidanceScale <= 100 else {
            throw ValidationError("--guidance_scale must be 0…100")
        }
    }

    func run() throws {
        try reportingErrors {
            let pipeline = try TextToImagePipeline(folder: model)
            let judges = try Judges(folder: checkpoints + "/judges", tokenizer: pipeline.tokenizer)
            if let work = rescoreTraining {
                try BaseModel.rescore(work: work, judge: judges.attributes, world: World(), plan: .full)
                try BaseModel.publishLogs(work: work, checkpoints: checkpoints)
                print(try String(contentsOfFile: work + "/evaluations.tsv", encoding: .utf8), terminator: "")
                return
            }
            let r = BaseQuality.measure(
                pipeline, judges: judges, samples: samples, steps: numInferenceSteps, guidance: guidanceScale,
                frechetSamples: frechetSamples, frechetSteps: frechetSteps, split: split.world)
            print(r.json, terminator: "")
            print(String(format: "(%.1f minutes)", r.seconds / 60))
            if let report { try writeAtomically(Data(r.json.utf8), to: report) }
        }
    }
}

/// Another autoencoder than the shipped one: its shape, steps and KL weight (chapter 05's comparisons).
struct BaseOptions: ParsableArguments {
    @Option(
        name: .customLong("unet_config"),
        help: ArgumentHelp(
            "A UNet2DConditionModel config.json to train instead of the shipped shape (channels must match the "
                + "autoencoder's latents)."))
    var config: String?
    @Option(
        name: .customLong("base_steps"), parsing: .unconditional,
        help: "Optimizer steps of the base UNet (default \(BasePlan.full.steps)).", transform: parsePositive)
    var steps: Int?
    @Option(
        name: .customLong("base_batch"), parsing: .unconditional,
        help: "Images per step (default \(BasePlan.full.batch)).", transform: parsePositive)
    var batch: Int?
    @Option(
        name: .customLong("base_learning_rate"), parsing: .unconditional,
        help: "AdamW's peak learning rate (default \(BasePlan.full.learningRate)).", transform: parseNumber)
    var learningRate: Float?
    @Option(
        name: .customLong("base_snr_gamma"), parsing: .unconditional,
        help: "γ of the base UNet's min-SNR-γ loss weighting (default \(BasePlan.full.minSNRGamma)).",
        transform: parseNumber)
    var snrGamma: Float?
    @Option(
        name: .customLong("base_full_captions"), parsing: .unconditional,
        help: ArgumentHelp(
            "The fraction (0…1) of training captions that name every attribute; the rest leave some out "
                + "(default \(BasePlan.full.fullCaptionFraction))."),
        transform: parseNumber)
    var fullCaptions: Float?

    func plan(quick: Bool) throws -> BasePlan {
        var p: BasePlan = quick ? .quick : .full
        if let config { p.unet = try UNetConfig(contentsOf: config) }
        if let steps { p.steps = steps }
        if let batch {
            guard batch <= 4096 else { throw ToolError(description: "--base_batch must be 1…4096, got \(batch)") }
            p.batch = batch
        }
        if let learningRate {
            guard learningRate > 0 && learningRate < 1 else {
                throw ToolError(description: "--base_learning_rate must be in (0, 1), got \(learningRate)")
            }
            p.learningRate = learningRate
        }
        if let snrGamma {
            guard snrGamma > 0 && snrGamma.isFinite else {
                throw ToolError(description: "--base_snr_gamma must be a positive number, got \(snrGamma)")
            }
            p.minSNRGamma = snrGamma
        }
        if let fullCaptions {
            guard fullCaptions >= 0 && fullCaptions <= 1 else {
                throw ToolError(description: "--base_full_captions must be in [0, 1], got \(fullCaptions)")
            }
            p.fullCaptionFraction = fullCaptions
        }
        return p
    }
}

struct AutoencoderOptions: ParsableArguments {
    @Option(
        name: .customLong("autoencoder_config"),
        help: "An AutoencoderKL config.json to train instead of the shipped shape (its scaling_factor is measured).")
    var config: String?
    @Option(
        name: .customLong("autoencoder_steps"), parsing: .unconditional,
        help: "Optimizer steps of the autoencoder (default \(AutoencoderPlan.full.steps)).", transform: parsePositive)
    var steps: Int?
    @Option(
        name: .customLong("autoencoder_learning_rate"), parsing: .unconditional,
        help: "AdamW's peak learning rate (default \(AutoencoderPlan.full.learningRate)).", transform: parseNumber)
    var learningRate: Float?
    @Option(
        name: .customLong("kl_weight"), parsing: .unconditional,
        help: "β, the weight of the per-element KL term (default \(AutoencoderPlan.full.klWeight)).",
        transform: parseNumber)
    var klWeight: Float?

    @Option(
        name: .customLong("edge_weight"), parsing: .unconditional,
        help: "Weight of the L1 loss on the images' finite differences (default \(AutoencoderPlan.full.edgeWeight)).",
        transform: parseNumber)
    var edgeWeight: Float?
    @Option(
        name: .customLong("random_looks"), parsing: .unconditional,
        help: ArgumentHelp(
            "Fraction (0…1) of the autoencoder's training images whose object gets a look the world never draws "
                + "(default \(AutoencoderPlan.full.randomLookFraction))."),
        transform: parseNumber)
    var randomLooks: Float?
    @Flag(
        name: .customLong("standardize_channels"),
        help: "Standardize each latent channel after training (mean 0, std 1; folded into the weights).")
    var standardizeChannels = false
    @Option(
        name: .customLong("object_weight"), parsing: .unconditional,
        help: ArgumentHelp(
            "w_o: each pixel's reconstruction error weighs 1 + w_o × the share of it the object covers (default "
                + "\(AutoencoderPlan.full.objectWeight): every pixel alike)."),
        transform: parseNumber)
    var objectWeight: Float?
    @Option(
        name: .customLong("autoencoder_from"),
        help: "Start from this AutoencoderKL folder's weights instead of a fresh initialisation (its shape is kept).")
    var initFrom: String?
    @Flag(
        name: .customLong("decoder_only"),
        help: ArgumentHelp(
            "With --autoencoder_from: train only the decoder (the encoder, latent space and scaling_factor are kept, "
                + "so a base UNet trained on them stays valid), as sd-vae-ft-mse was made."))
    var decoderOnly = false

    func plan(quick: Bool) throws -> AutoencoderPlan {
        var p: AutoencoderPlan = quick ? .quick : .full
        if let config { p.vae = try AutoencoderKLConfig(contentsOf: config) }
        if let steps { p.steps = steps }
        if let edgeWeight {
            guard edgeWeight >= 0 else {
                throw ToolError(description: "--edge_weight must be ≥ 0, got \(edgeWeight)")
            }
            p.edgeWeight = edgeWeight
        }
        if let learningRate {
            guard learningRate > 0 else {
                throw ToolError(description: "--autoencoder_learning_rate must be > 0, got \(learningRate)")
            }
            p.learningRate = learningRate
        }
        if let klWeight {
            guard klWeight >= 0 else { throw ToolError(description: "--kl_weight must be ≥ 0, got \(klWeight)") }
            p.klWeight = klWeight
        }
        if let randomLooks {
            guard randomLooks >= 0 && randomLooks <= 1 else {
                throw ToolError(description: "--random_looks must be in 0…1, got \(randomLooks)")
            }
            p.randomLookFraction = randomLooks
        }
        if let objectWeight {
            guard objectWeight >= 0 && objectWeight <= 1000 else {
                throw ToolError(description: "--object_weight must be in 0…1000, got \(objectWeight)")
            }
            p.objectWeight = objectWeight
        }
        if standardizeChannels { p.standardizeChannels = true }
        if let initFrom {
            guard config == nil && !standardizeChannels else {
                throw ToolError(
                    description: "--autoencoder_from keeps the autoencoder's shape: it cannot be combined with "
                        + "--autoencoder_config or --standardize_channels")
            }
            p.vae = try AutoencoderKLConfig(contentsOf: (initFrom as NSString).appendingPathComponent("config.json"))
            p.initFrom = initFrom
        }
        if decoderOnly {
            guard initFrom != nil else {
                throw ToolError(description: "--decoder_only needs --autoencoder_from (the encoder it keeps)")
            }
            p.decoderOnly = true
        }
        return p
    }
}

struct EvaluateSubjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-subject",
        abstract:
            "Measure a fine-tuned model on a built-in subject as chapter 08 does: DINO, CLIP-I, CLIP-T, the look "
            + "kept, context, property and style matched, PRES, drift and DIV (one JSON object)."
    )
    @Option(help: "The pipeline folder (a `dreambooth train` output, or any StableDiffusionPipeline folder).")
    var model: String
    @Option(help: "LoRA weights to apply to --model first (pytorch_lora_weights.safetensors).")
    var lora: String?
    @Option(
        help: ArgumentHelp(
            "The subject the model was fine-tuned on: a built-in one "
                + "(\(Subject.all.map(\.name).joined(separator: ", "))) or a probe "
                + "(\(Subject.probes.map(\.name).joined(separator: ", ")))."))
    var subject: String
    @Option(help: "The identifier in the prompts (as in --instance_prompt \"a sks ball\").")
    var identifier: String = "sks"
    @Option(name: .customLong("class_noun"), help: "The class noun in the prompts (default: the subject's class).")
    var classNoun: String?
    @Option(help: "The checkpoints folder holding judges/.")
    var checkpoints: String = "Checkpoints"
    @Flag(help: "Two samples a prompt and three steps (what the tests run).")
    var quick = false
    @Option(help: "Write the report (JSON) here too.")
    var report: String?
    @Option(
        name: .customLong("samples_dir"),
        help: ArgumentHelp(
            "Also write the samples judged here: NN-K.png (prompt NN, sample K), prompts.txt (prompt NN on line "
                + "NN + 1) and grid.png (a row per prompt), to read with `dreambooth judge` or by eye.",
            valueName: "dir"))
    var samplesDir: String?

    func validate() throws {
        guard Subject.named(subject) != nil else {
            throw ValidationError(
                "--subject '\(subject)' is not a built-in subject or a probe "
                    + "(\((Subject.all + Subject.probes).map(\.name).joined(separator: ", ")))")
        }
        guard !identifier.isEmpty, !identifier.contains(where: \.isWhitespace) else {
            throw ValidationError("--identifier must be one word, got '\(identifier)'")
        }
        var isFolder: ObjCBool = false
        if let samplesDir, FileManager.default.fileExists(atPath: samplesDir, isDirectory: &isFolder),
            !isFolder.boolValue
        {
            throw ValidationError("--samples_dir \(samplesDir) is a file; give a folder")
        }
    }

    func run() throws {
        try reportingErrors {
            let t0 = Date()
            let name = self.subject
            let subject = Subject.named(name)!
            let pipeline = try TextToImagePipeline(folder: model)
            if let lora {
                print(try pipeline.applyLoRA(lora))
            }
            let judges = try Judges(folder: checkpoints + "/judges", tokenizer: pipeline.tokenizer)
            let evaluator = SubjectEvaluator(judges: judges, quick: quick)
            let noun = classNoun ?? subject.objectClass.rawValue
            let prompts = SubjectPrompt.list(subject: subject, identifier: identifier, noun: noun)
            FileHandle.standardError.write(
                Data("evaluate-subject: \(prompts.count) prompts × \(evaluator.samplesPerPrompt) samples\n".utf8))
            let (images, classImages) = evaluator.samples(pipeline, prompts: prompts, classPrompt: "a \(noun)")
            if let samplesDir {
                try writeSamples(
                    images, prompts: prompts.map(\.text), perPrompt: evaluator.samplesPerPrompt, to: samplesDir)
            }
            let metrics = evaluator.measure(
                subject: subject, prompts: prompts, images: images, classImages: classImages)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let json = String(decoding: try encoder.encode(metrics), as: UTF8.self) + "\n"
            if let report { try writeAtomically(Data(json.utf8), to: report) }
            print(json, terminator: "")
            print(String(format: "(%.1f minutes)", Date().timeIntervalSince(t0) / 60))
        }
    }

    /// The samples of `prompts` (each prompt's `perPrompt` samples adjacent) as PNGs, a grid and the prompt list.
    func writeSamples(_ images: [Tensor], prompts: [String], perPrompt: Int, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (i, image) in images.enumerated() {
            try PNG.write(image, to: joinedPath(dir, String(format: "%02d-%d.png", i / perPrompt, i % perPrompt)))
        }
        try writeAtomically(Data(prompts.map { $0 + "\n" }.joined().utf8), to: joinedPath(dir, "prompts.txt"))
        try PNG.write(
            ImageOps.grid(images, rows: prompts.count, columns: perPrompt), to: joinedPath(dir, "grid.png"))
    }
}
