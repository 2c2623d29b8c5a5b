// Chapter 05's part of `make pretrain`: the base text-to-image model.
//
// The UNet (the benchmark configuration: 2.5 M parameters, [32, 64, 64] channels, attention at
// 8² and 4²) learns ε-prediction on the world's training split, on the frozen autoencoder's
// 16×16×8 latents (Stable Diffusion's shape; `latents = false` trains on 32×32 pixels, as the
// earlier base model did), conditioned on the frozen text encoder's last hidden state (B, 24, 64):
//   x_0 = z · scaling_factor, z ~ q(z | image)  (the autoencoder's posterior; pixels: x_0 = image)
//   ε ~ N(0, I), t ~ U{0..999}, x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε                         (cosine schedule)
//   loss = mean_i w_i ‖ε_θ(x_t, t, c_i) − ε‖², w = min(SNR, 5)/SNR                      (min-SNR-5)
//   c_i = Γ(caption_i), the caption replaced by "" one time in ten                       (for guidance)
//   caption_i names every attribute for half the examples; the rest keep the world's omissions
// AdamW (lr 2e-3, 200 warm-up steps, cosine decay), gradients clipped at norm 1, and an EMA of the
// weights (decay min(0.999, (1 + n)/(10 + n))) — the EMA copy is what ships.
//
// The whole training state (weights, AdamW moments, EMA, step and loss log) is one TrainingState,
// written atomically to work/checkpoint-N/ every `checkpointEvery` steps (the newest kept), as the
// DreamBooth trainer writes its own. The training set (32,768 world examples, each image's posterior
// and each caption's hidden state computed once, in fixed chunks) is rebuilt the same on resume;
// everything random in step n comes from RNG(seed).split("step/n") and the epochs' orders from
// RNG(seed).split("epoch/e"), so a run resumed from a checkpoint is the same run, bit for bit.

import Diffusion
import Evaluation
import Foundation
import ImageIO
import Models
import TensorCore
import ToyWorld

public struct BasePlan: Sendable {
    /// The benchmark UNet on the autoencoder's 16×16×8 latents.
    public var unet: UNetConfig = {
        var u = UNetConfig.bench
        u.inChannels = 8
        u.outChannels = 8
        u.sampleSize = 16
        return u
    }()
    /// The UNet denoises z · scaling_factor of the frozen autoencoder in checkpoints/base/vae
    /// (Stable Diffusion's shape); false: it denoises pixels (the earlier base model).
    public var latents = true
    /// Latents make a step about 4× cheaper than pixels: the pixel model's 2,700 steps became 6,000.
    public var steps = 6000
    public var batch = 32
    /// Examples of the world's training split the run learns from, each image encoded and each
    /// caption embedded once before step 0 (the frozen models' outputs are cached, as diffusers'
    /// examples precompute latents); the steps go through them in epochs, each in its own order.
    public var trainingSetSize = 32_768
    /// 2e-3: ahead of 1e-3 on class, color and pattern at steps 3,000 and 4,000 (class 0.52 and 0.67
    /// against 0.34 and 0.61; 64 held-out prompts, DDIM 15).
    public var learningRate: Float = 2e-3
    public var warmup = 200
    public var minSNRGamma: Float = 5
    /// How the per-example losses are weighted: min-SNR-γ with `minSNRGamma`.
    public var weighting: LossWeighting { .minSNR(gamma: minSNRGamma) }
    public var captionDropout: Float = 0.1
    /// The fraction of training examples whose caption names every attribute (class, color, pattern,
    /// context, style), as DALL·E 3's recaptioning makes captions describe the whole image; the rest keep
    /// the world's random omissions (which a short prompt such as "a sks ball in snow" needs). 0: every caption
    /// is the world's as drawn. 0.5 against 0, 6,000 steps each (evaluate-base: 256 full held-out captions,
    /// DDIM 50, guidance 3): pattern 0.613 against 0.469, class 0.891 / 0.914, color 0.965 / 0.941, context
    /// 0.977 / 0.988, style 1.000 / 1.000.
    public var fullCaptionFraction: Float = 0.5

    /// Training example `index`'s caption: the whole description for a `fullCaptionFraction` of the
    /// examples (chosen by RNG(seed).split("full-caption/i")), the world's caption with its omissions otherwise.
    public func trainingCaption(_ example: Example, index: Int) -> String {
        guard fullCaptionFraction > 0 else { return example.caption.text }
        var choice = RNG(seed: seed).split("full-caption/\(index)")
        guard choice.uniform() < fullCaptionFraction else { return example.caption.text }
        var unused = RNG(seed: 0)  // a full caption draws nothing
        return Captions.caption(for: example.scene, rng: &unused, full: true).text
    }
    public var emaMaxDecay: Float = 0.999
    public var checkpointEvery = 250
    /// Every this many steps: a sample grid and the judges' accuracy on held-out prompts.
    public var evaluateEvery = 1000
    public var evaluationSamples = 64
    public var evaluationSteps = 15
    public var evaluationGuidance: Float = 3
    public var prediction = PredictionType.epsilon
    public var seed: UInt64 = 505
    public init() {}

    public static let full = BasePlan()
    /// A tiny UNet and a few steps: what the tests run (the resume test among them).
    public static let quick: BasePlan = {
        var p = BasePlan()
        var u = UNetConfig()
        u.blockOutChannels = [8, 16]
        u.downBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D"]
        u.upBlockTypes = ["CrossAttnUpBlock2D", "UpBlock2D"]
        u.attentionHeads = [2, 2]
        u.normNumGroups = 4
        u.layersPerBlock = 1
        u.inChannels = 8
        u.outChannels = 8
        u.sampleSize = 16  // AutoencoderPlan.quick's latents
        p.unet = u
        p.steps = 8
        p.batch = 4
        p.trainingSetSize = 24  // eight steps of four: the second epoch starts at step 6
        p.warmup = 2
        p.checkpointEvery = 3
        p.evaluateEvery = 4
        p.evaluationSamples = 4
        p.evaluationSteps = 2
        return p
    }()

    public var scheduler: SchedulerConfig {
        var s = SchedulerConfig()
        s.className = "DDIMScheduler"
        s.betaSchedule = .cosine
        s.prediction = prediction
        s.clipSample = !latents  // x̂_0 is clipped to [−1, 1] on pixels; latents have no such range (as SD)
        // StableDiffusionPipeline rewrites steps_offset to 1 (and clip_sample to false) when it loads a
        // folder, so a latent pipeline ships with them: DDIM's timesteps are then 981, 961, …, 1 at 50.
        if latents { s.stepsOffset = 1 }
        return s
    }
}

public enum BaseModel {
    /// Trains (or resumes) into `work` (training state, logs, sample grids) and writes the EMA
    /// pipeline to `out`/base (unet/, text_encoder/, tokenizer/, scheduler/). `stopAfter` ends the
    /// run early after that step's checkpoint (the resume test's interruption).
    @discardableResult
    public static func run(
        checkpoints: String, work: String, plan: BasePlan, stopAfter: Int? = nil,
        log: (String) -> Void = printFlushed
    ) throws -> Bool {
        // MARK: the frozen text side, the world, the UNet, AdamW and the EMA
        let tokenizer = try CLIPTokenizer(folder: joinedPath(checkpoints, "base/tokenizer"))
        let textEncoder = try CLIPTextModel(folder: joinedPath(checkpoints, "base/text_encoder"))
        for p in textEncoder.parameters { p.requiresGrad = false }  // frozen, as SD freezes CLIP
        let vae = try plan.latents ? autoencoder(checkpoints: checkpoints, plan: plan) : nil
        let evaluation = (try? AttributeClassifier(folder: joinedPath(checkpoints, "judges/attributes"))).map {
            BaseEvaluation(plan: plan, textEncoder: textEncoder, tokenizer: tokenizer, vae: vae, judge: $0)
        }
        let unet = UNet2DConditionModel(plan.unet, seed: plan.seed)
        let trainingSet = BaseTrainingSet(
            plan: plan, textEncoder: textEncoder, tokenizer: tokenizer, vae: vae, log: log)
        let objective = BaseObjective(
            plan: plan, unet: unet, schedule: plan.scheduler.schedule, trainingSet: trainingSet)
        // MARK: resume from the last training state, if there is one
        var state = try resumedState(plan, unet: unet, work: work, log: log)
        let clock = TrainingClock(work: work, step: state.step)
        var progress = ProgressLine("base model", total: plan.steps, from: state.step)
        var smoothed = Double(state.losses.last ?? 0)
        for step in state.step..<plan.steps {
            // MARK: one step: the min-SNR-weighted denoising loss, clipped, AdamW, the EMA
            let schedule = LRSchedule.cosine.factor(step: step, warmupSteps: plan.warmup, totalSteps: plan.steps)
            state.optimizer.learningRate = plan.learningRate * schedule
            let loss = objective(step: step)
            let value = try finite(loss, step: step, plan: plan, work: work)
            loss.backward()
            clipGradNorm(unet.parameters, maxNorm: 1)
            state.optimizer.update()
            unet.store.zeroGrad()
            state.ema!.update(decay: EMA.warmupDecay(step: step, max: plan.emaMaxDecay))
            state.finish(step: step, loss: value)
            // MARK: progress, evaluation, checkpoint
            smoothed = step == 0 ? Double(value) : 0.98 * smoothed + 0.02 * Double(value)
            progress.update(state.step, String(format: "loss %.4f", smoothed))
            if state.step % plan.evaluateEvery == 0 || state.step == plan.steps, let evaluation {
                try evaluation.run(
                    unet: unet, ema: state.ema!, step: state.step, minutes: clock.minutes, work: work, log: log)
            }
            if try checkpoint(state, plan: plan, clock: clock, work: work, stopAfter: stopAfter, log: log) {
                return false
            }
        }
        // MARK: export the EMA weights, and the loss log
        try export(unet: unet, ema: state.ema!, plan: plan, checkpoints: checkpoints, vae: vae)
        try writeLossLog(state.losses, work: work)
        log(
            String(format: "base model: %d steps done; EMA UNet → %@", plan.steps, joinedPath(checkpoints, "base/unet"))
        )
        return true
    }

    /// The loss's value, or an error naming the step and the last good training state.
    static func finite(_ loss: Variable, step: Int, plan: BasePlan, work: String) throws -> Float {
        let value = loss.value.scalars[0]
        guard value.isFinite else {
            throw PretrainingError(
                message: "base model: the loss is \(value) at step \(step); the last good training state "
                    + "(step \(step - step % plan.checkpointEvery)) is kept in \(work)")
        }
        return value
    }

    /// Saves the training state every `checkpointEvery` steps and at the end; true when the run is to
    /// stop here (`stopAfter`).
    static func checkpoint(
        _ state: TrainingState, plan: BasePlan, clock: TrainingClock, work: String, stopAfter: Int?,
        log: (String) -> Void
    ) throws -> Bool {
        guard state.step % plan.checkpointEvery == 0 || state.step == plan.steps else { return false }
        try state.save(in: work, keep: 1)
        try clock.record(step: state.step)
        guard let stopAfter, state.step >= stopAfter else { return false }
        log("base model: stopped after step \(state.step) (state in \(work))")
        return true
    }

    /// A fresh training state for the plan, or the last one in `work` when there is one; a fresh
    /// run starts a new evaluation log.
    static func resumedState(_ plan: BasePlan, unet: UNet2DConditionModel, work: String, log: (String) -> Void) throws
        -> TrainingState
    {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let params = unet.parameters
        var state = TrainingState(
            parameters: params.map { ($0.name, $0) },
            optimizer: AdamW(params, learningRate: plan.learningRate, weightDecay: 0.01),
            ema: EMA(params, decay: plan.emaMaxDecay), identity: ("plan", planSignature(plan)),
            mismatchHint: "a training state of another configuration (delete \(work) to start over)")
        // A work folder of an earlier version keeps its state at work/state.safetensors: resumed too.
        let legacy = FileManager.default.fileExists(atPath: joinedPath(work, TrainingState.fileName)) ? work : nil
        guard let last = try TrainingState.checkpoints(in: work).last?.path ?? legacy else {
            try? FileManager.default.removeItem(atPath: joinedPath(work, "evaluations.tsv"))
            return state
        }
        try state.restore(from: last)
        let minutes = minutesOfTraining(atStep: state.step, work: work)
        let clock =
            minutes.map { String(format: " after %.1f minutes of training", $0) }
            ?? " (its minutes of training are unknown: the clock restarts at 0)"
        log("base model: resuming at step \(state.step) of \(plan.steps) from \(last)" + clock)
        return state
    }

    /// Writes the EMA weights as the shipped UNet, with the scheduler's config; the training
    /// weights are put back afterwards.
    static func export(
        unet: UNet2DConditionModel, ema: EMA, plan: BasePlan, checkpoints: String, vae: AutoencoderKL?
    ) throws {
        let saved = unet.parameters.map(\.value)
        ema.copyToParameters()
        try unet.save(folder: joinedPath(checkpoints, "base/unet"), as: .f16)
        let scheduler = joinedPath(checkpoints, "base/scheduler")
        try FileManager.default.createDirectory(atPath: scheduler, withIntermediateDirectories: true)
        try writeAtomically(Data(plan.scheduler.jsonText().utf8), to: joinedPath(scheduler, "scheduler_config.json"))
        for (p, v) in zip(unet.parameters, saved) { p.value = v }
        // With the autoencoder (already in base/vae), the folder is a StableDiffusionPipeline's.
        let index = joinedPath(checkpoints, "base/model_index.json")
        if let vae {
            let pipeline = TextToImagePipeline(
                unet: unet, textEncoder: try CLIPTextModel(folder: joinedPath(checkpoints, "base/text_encoder")),
                tokenizer: try CLIPTokenizer(folder: joinedPath(checkpoints, "base/tokenizer")),
                scheduler: plan.scheduler, vae: vae)
            try writeAtomically(Data(pipeline.modelIndexJSON().utf8), to: index)
        } else {
            try? FileManager.default.removeItem(atPath: index)
        }
    }

    /// The frozen autoencoder of checkpoints/base/vae, checked against the plan's UNet.
    static func autoencoder(checkpoints: String, plan: BasePlan) throws -> AutoencoderKL {
        let folder = joinedPath(checkpoints, "base/vae")
        guard FileManager.default.fileExists(atPath: joinedPath(folder, "config.json")) else {
            throw PretrainingError(
                message: "base model: no autoencoder in \(folder) (run `dreambooth pretrain --stage autoencoder` first)"
            )
        }
        let vae = try AutoencoderKL(folder: folder)
        let side = vae.config.sampleSize / vae.config.downsamplingFactor
        guard vae.config.latentChannels == plan.unet.inChannels, vae.config.latentChannels == plan.unet.outChannels,
            side == plan.unet.sampleSize
        else {
            throw PretrainingError(
                message:
                    "base model: the autoencoder in \(folder) makes \(vae.config.latentChannels)×\(side)² "
                    + "latents; the "
                    + "UNet is planned for \(plan.unet.inChannels)×\(plan.unet.sampleSize)²")
        }
        for p in vae.parameters { p.requiresGrad = false }
        return vae
    }

    static func writeLossLog(_ losses: [Float], work: String) throws {
        var text = "# step\tloss (min-SNR-5 weighted ε MSE)\n"
        for (i, l) in losses.enumerated() { text += "\(i)\t" + String(format: "%.6f", l) + "\n" }
        try writeAtomically(Data(text.utf8), to: joinedPath(work, "loss.tsv"))
    }

    /// The minutes of training a run had at `step`: from elapsed.tsv (written with each state), else
    /// from the evaluation logged at that step; nil when neither says.
    static func minutesOfTraining(atStep step: Int, work: String) -> Double? {
        for file in ["elapsed.tsv", "evaluations.tsv"] {
            let text = (try? String(contentsOfFile: joinedPath(work, file), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let fields = line.split(separator: "\t")
                if fields.count >= 2, Int(fields[0]) == step, let minutes = Double(fields[1]) { return minutes }
            }
        }
        return nil
    }

    /// Copies the training logs and the last sample grid beside the checkpoints (base-training/),
    /// where chapter 05 reads them.
    public static func publishLogs(work: String, checkpoints: String) throws {
        let dest = joinedPath(checkpoints, "base-training")
        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
        for f in ["loss.tsv", "evaluations.tsv"] where FileManager.default.fileExists(atPath: joinedPath(work, f)) {
            try writeAtomically(
                try Data(contentsOf: URL(fileURLWithPath: joinedPath(work, f))), to: joinedPath(dest, f))
        }
        // The last evaluation's grid (samples-NNNNN.png; its .safetensors twin holds the tensors).
        if let last = (try FileManager.default.contentsOfDirectory(atPath: work)).filter({
            $0.hasPrefix("samples-") && $0.hasSuffix(".png")
        }).sorted().last {
            try writeAtomically(
                try Data(contentsOf: URL(fileURLWithPath: joinedPath(work, last))),
                to: joinedPath(dest, "last-samples.png"))
        }
    }

    /// Everything that changes the weights; a state file from another plan is refused.
    static func planSignature(_ p: BasePlan) -> String {
        "unet=\(p.unet.blockOutChannels)/\(p.unet.layersPerBlock)/\(p.unet.downBlockTypes) "
            + "steps=\(p.steps) batch=\(p.batch) set=\(p.trainingSetSize) "
            + "lr=\(p.learningRate) warmup=\(p.warmup) "
            + "gamma=\(p.minSNRGamma) dropout=\(p.captionDropout) ema=\(p.emaMaxDecay) "
            + "prediction=\(p.prediction.rawValue) seed=\(p.seed)" + (p.latents ? " latents=\(p.unet.inChannels)" : "")
            + (p.fullCaptionFraction > 0 ? " full-captions=\(p.fullCaptionFraction)" : "")
    }

    /// Scores the sample sets saved during training (samples-NNNNN.safetensors) with a judge,
    /// rewriting evaluations.tsv: the accuracy-against-minutes curve measured by the final judge.
    public static func rescore(work: String, judge: AttributeClassifier, world: World, plan: BasePlan) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: work).filter {
            $0.hasPrefix("samples-") && $0.hasSuffix(".safetensors")
        }.sorted()
        guard !files.isEmpty else { return }
        let scenes = BaseQuality.heldOutPrompts(world: world, count: plan.evaluationSamples).map(\.scene)
        var text = "# step\tminutes\t" + Attribute.allCases.map(\.rawValue).joined(separator: "\t") + "\n"
        for f in files {
            let file = try SafeTensorsFile(path: (work as NSString).appendingPathComponent(f))
            let images = try file.tensor("images")
            let list = images.unstacked()
            let acc = BaseQuality.attributeAccuracy(
                images: list, scenes: Array(scenes.prefix(list.count)), judge: judge)
            text +=
                (file.metadata["step"] ?? "?") + "\t" + (file.metadata["minutes"] ?? "?")
                + Attribute.allCases.map { String(format: "\t%.4f", acc[$0] ?? .nan) }.joined() + "\n"
        }
        try writeAtomically(Data(text.utf8), to: (work as NSString).appendingPathComponent("evaluations.tsv"))
    }
}

/// The base model's objective for step n (the header's loss): world examples n·B ..< (n + 1)·B,
/// their captions (one in ten dropped), noise and timesteps from RNG(seed).split("step/n").
struct BaseObjective {
    let plan: BasePlan
    let unet: UNet2DConditionModel
    let schedule: NoiseSchedule
    let trainingSet: BaseTrainingSet

    func callAsFunction(step: Int) -> Variable {
        var rng = RNG(seed: plan.seed).split("step/\(step)")
        let rows = trainingSet.rows(step: step, batch: plan.batch, seed: plan.seed)
        let dropped = rows.map { _ in rng.uniform() < plan.captionDropout }  // "" instead, for guidance
        let context = trainingSet.contexts(rows: rows, dropped: dropped)  // (B, L, D)
        // On latents, x_0 = z · scaling_factor with z drawn from the autoencoder's posterior (as
        // train_dreambooth.py makes it), its noise from a stream of its own.
        var latentRNG = rng.split("latents")
        let x0 = trainingSet.x0(rows: rows, rng: &latentRNG)
        let ε = rng.normal(x0.shape)
        let t = (0..<plan.batch).map { _ in rng.randint(schedule.trainTimesteps) }
        let (xt, target) = schedule.noisedBatch(x0, noise: ε, timesteps: t, prediction: plan.prediction)
        let prediction = unet(Variable(xt), timesteps: t.map(Float.init), encoderHiddenStates: Variable(context))
        return plan.weighting.loss(
            prediction, Variable(target), timesteps: t, schedule: schedule, predictionType: plan.prediction)
    }
}

/// The base model's training set: examples 0 ..< N of the world's training split, with what the
/// frozen models make of them computed once — each image's posterior under the autoencoder (or the
/// pixels themselves) and each caption's last hidden state — so a step costs only the UNet.
/// Step n takes positions n·B ..< (n + 1)·B of the epochs laid end to end, epoch e in the order of
/// a shuffle drawn from RNG(seed).split("epoch/e").
struct BaseTrainingSet {
    let count: Int
    let posteriors: CachedPosteriors?
    let images: Tensor?
    let hiddenStates: Tensor  // (N, L, D)
    let emptyCaption: Tensor  // (1, L, D): the hidden state of "", what a dropped caption becomes

    init(
        plan: BasePlan, textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer, vae: AutoencoderKL?,
        log: (String) -> Void
    ) {
        let t0 = Date()
        count = plan.trainingSetSize
        let world = World(size: plan.unet.sampleSize * (vae?.config.downsamplingFactor ?? 1))
        func embed(_ captions: [String]) -> Tensor {
            Variable.withoutGradients { textEncoder(tokenizer(captions)).lastHiddenState.value }
        }
        var means: [Tensor] = []
        var stds: [Tensor] = []
        var pixels: [Tensor] = []
        var states: [Tensor] = []
        var progress = ProgressLine("base model: training set", total: count)
        for lo in stride(from: 0, to: count, by: 512) {  // fixed chunks: a resumed run rebuilds the same bytes
            let examples = world.examples(.train, seed: plan.seed, indices: Array(lo..<min(count, lo + 512)))
            let batch = World.batchTensor(examples.map(\.image))  // (b, 3, H, W) in [−1, 1]
            if let vae {
                let p = CachedPosteriors(batch, vae: vae)
                means.append(p.mean)
                stds.append(p.std)
            } else {
                pixels.append(batch)
            }
            states.append(embed(zip(lo..., examples).map { i, e in plan.trainingCaption(e, index: i) }))
            progress.update(lo + examples.count)
        }
        posteriors = vae.map {
            CachedPosteriors(
                mean: Tensor.concatenate(means), std: Tensor.concatenate(stds), scalingFactor: $0.config.scalingFactor)
        }
        images = vae == nil ? Tensor.concatenate(pixels) : nil
        hiddenStates = Tensor.concatenate(states)
        emptyCaption = embed([""])
        log(String(format: "base model: %d training examples encoded in %.1f s", count, Date().timeIntervalSince(t0)))
    }

    /// The rows of step `step`: positions step·B ..< (step + 1)·B of the shuffled epochs.
    func rows(step: Int, batch: Int, seed: UInt64) -> [Int] {
        var order: (epoch: Int, rows: [Int]) = (-1, [])
        return (step * batch..<(step + 1) * batch).map { position in
            let epoch = position / count
            if epoch != order.epoch { order = (epoch, Self.shuffled(count, seed: seed, epoch: epoch)) }
            return order.rows[position % count]
        }
    }

    /// 0 ..< n in the order of a Fisher–Yates shuffle drawn from RNG(seed).split("epoch/e").
    static func shuffled(_ n: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = RNG(seed: seed).split("epoch/\(epoch)")
        var a = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, rng.randint(i + 1)) }
        return a
    }

    /// x_0 for the rows: z · scaling_factor sampled from each cached posterior, or the pixels.
    func x0(rows: [Int], rng: inout RNG) -> Tensor {
        if let posteriors { return posteriors.sample(rows: rows, rng: &rng) }
        return Self.gather(images!, rows: rows)
    }

    /// The text encoder's last hidden states of the rows' captions, the empty caption's where dropped.
    func contexts(rows: [Int], dropped: [Bool]) -> Tensor {
        let states = Self.gather(hiddenStates, rows: rows)
        let per = states.count / rows.count
        var scalars = states.scalars
        for (k, drop) in dropped.enumerated() where drop {
            scalars.replaceSubrange(k * per..<(k + 1) * per, with: emptyCaption.scalars)
        }
        return Tensor(shape: states.shape, scalars: scalars)
    }

    /// Rows of a (N, …) tensor, in the order given.
    static func gather(_ t: Tensor, rows: [Int]) -> Tensor {
        let per = t.count / t.shape[0]
        var out = [Float]()
        out.reserveCapacity(rows.count * per)
        for r in rows { out.append(contentsOf: t.scalars[r * per..<(r + 1) * per]) }
        return Tensor(shape: [rows.count] + Array(t.shape.dropFirst()), scalars: out)
    }
}

/// Minutes of training: those before this process (a resumed run's clock goes on from there),
/// plus this process's. Kept in elapsed.tsv beside the state, not in it, so that the state's bytes
/// do not depend on the wall clock.
struct TrainingClock {
    let work: String
    let minutesBefore: Double
    let start = Date()

    init(work: String, step: Int) {
        self.work = work
        minutesBefore = step == 0 ? 0 : BaseModel.minutesOfTraining(atStep: step, work: work) ?? 0
    }

    var minutes: Double { minutesBefore + Date().timeIntervalSince(start) / 60 }

    func record(step: Int) throws {
        let text = String(format: "# step\tminutes of training\n%d\t%.2f\n", step, minutes)
        try writeAtomically(Data(text.utf8), to: joinedPath(work, "elapsed.tsv"))
    }
}

/// Held-out prompts (full captions of compositions training never draws), sampled with the EMA
/// weights and read by the attribute classifier; one row appended to evaluations.tsv, a grid saved.
struct BaseEvaluation {
    let plan: BasePlan
    let textEncoder: CLIPTextModel
    let tokenizer: CLIPTokenizer
    let vae: AutoencoderKL?
    let judge: AttributeClassifier

    func run(unet: UNet2DConditionModel, ema: EMA, step: Int, minutes: Double, work: String, log: (String) -> Void)
        throws
    {
        let saved = unet.parameters.map(\.value)
        ema.copyToParameters()
        defer { for (p, v) in zip(unet.parameters, saved) { p.value = v } }
        let pipeline = TextToImagePipeline(
            unet: unet, textEncoder: textEncoder, tokenizer: tokenizer, scheduler: plan.scheduler, vae: vae)
        let world = World(size: pipeline.imageSize)
        let prompts = BaseQuality.heldOutPrompts(world: world, count: plan.evaluationSamples)
        let images = pipeline.images(
            prompts.map(\.caption.text), steps: plan.evaluationSteps, guidance: plan.evaluationGuidance, seed: 77)
        let accuracy = BaseQuality.attributeAccuracy(images: images, scenes: prompts.map(\.scene), judge: judge)
        let fields = Attribute.allCases.map { String(format: "\t%.4f", accuracy[$0] ?? .nan) }
        let row = "\(step)\t" + String(format: "%.2f", minutes) + fields.joined() + "\n"
        let file = joinedPath(work, "evaluations.tsv")
        let header = "# step\tminutes\t" + Attribute.allCases.map(\.rawValue).joined(separator: "\t") + "\n"
        let old = (try? String(contentsOfFile: file, encoding: .utf8)) ?? header
        try writeAtomically(Data((old + row).utf8), to: file)
        let grid = ImageOps.grid(images.prefix(32).map { ImageOps.upscaled($0, by: 2) }, rows: 4, columns: 8)
        try PNG.write(grid, to: joinedPath(work, String(format: "samples-%05d.png", step)))
        // The samples themselves, so that a later judge can score this point of the curve again.
        try SafeTensors.write(
            ["images": World.batchTensor(images, signed: false)],
            to: joinedPath(work, String(format: "samples-%05d.safetensors", step)),
            metadata: ["minutes": String(format: "%.2f", minutes), "step": "\(step)"])
        let summary = Attribute.allCases.map { String(format: "%@ %.2f", $0.rawValue, accuracy[$0] ?? .nan) }
        log("\n  step \(step) (\(String(format: "%.1f", minutes)) min): " + summary.joined(separator: ", "))
    }
}
