// Chapter 05's part of `make pretrain`: the base text-to-image model.
//
// The UNet (the benchmark configuration: 2.5 M parameters, [32, 64, 64] channels, attention at
// 16² and 8²) learns ε-prediction on the world's training split, conditioned on the frozen text
// encoder's last hidden state (B, 24, 64):
//   x_0 from the world, ε ~ N(0, I), t ~ U{0..999}, x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε   (cosine schedule)
//   loss = mean_i w_i ‖ε_θ(x_t, t, c_i) − ε‖²,  w = min(SNR, 5)/SNR                    (min-SNR-5)
//   c_i = Γ(caption_i), the caption replaced by "" one time in ten                       (for guidance)
// AdamW (lr 1e-3, 200 warm-up steps, cosine decay), gradients clipped at norm 1, and an EMA of the
// weights (decay min(0.999, (1 + n)/(10 + n))) — the EMA copy is what ships.
//
// The whole training state (weights, AdamW moments, EMA, step and loss log) is one safetensors
// file written atomically every `checkpointEvery` steps. Everything random in step n comes from
// RNG(seed).split("step/n") and the data of step n are world examples n·B ..< (n + 1)·B, so a run
// resumed from a state file is the same run, bit for bit.

import ChapterSupport
import Diffusion
import Evaluation
import Foundation
import ImageIO
import Models
import TensorCore
import ToyWorld

public struct BasePlan: Sendable {
    public var unet = UNetConfig.bench
    public var steps = 2700
    public var batch = 32
    public var learningRate: Float = 1e-3
    public var warmup = 200
    public var minSNRGamma: Float = 5
    public var captionDropout: Float = 0.1
    public var emaMaxDecay: Float = 0.999
    public var checkpointEvery = 150
    /// Every this many steps: a sample grid and the judges' accuracy on held-out prompts.
    public var evaluateEvery = 450
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
        u.blockOutChannels = [8, 16]; u.downBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D"]; u.upBlockTypes = ["CrossAttnUpBlock2D", "UpBlock2D"]
        u.attentionHeads = [2, 2]; u.normNumGroups = 4; u.layersPerBlock = 1
        p.unet = u; p.steps = 8; p.batch = 4; p.warmup = 2; p.checkpointEvery = 3; p.evaluateEvery = 4
        p.evaluationSamples = 4; p.evaluationSteps = 2
        return p
    }()

    public var scheduler: SchedulerConfig {
        var s = SchedulerConfig()
        s.className = "DDIMScheduler"; s.betaSchedule = .cosine; s.prediction = prediction; s.clipSample = true
        return s
    }
}

public enum BaseModel {
    static func path(_ dir: String, _ f: String) -> String { (dir as NSString).appendingPathComponent(f) }

    /// Trains (or resumes) into `work` (training state, logs, sample grids) and writes the EMA
    /// pipeline to `out`/base (unet/, text_encoder/, tokenizer/, scheduler/). `stopAfter` ends the
    /// run early after that step's checkpoint (the resume test's interruption).
    @discardableResult
    public static func run(checkpoints: String, work: String, plan: BasePlan, stopAfter: Int? = nil, log: (String) -> Void = { print($0); fflush(stdout) }) throws -> Bool {
        let tokenizer = try CLIPTokenizer(folder: path(checkpoints, "base/tokenizer"))
        let textEncoder = try CLIPTextModel(folder: path(checkpoints, "base/text_encoder"))
        for p in textEncoder.parameters { p.requiresGrad = false }                  // frozen, as SD freezes CLIP
        let judge = try? AttributeClassifier(folder: path(checkpoints, "judges/attributes"))
        let world = World(size: plan.unet.sampleSize)
        let unet = UNet2DConditionModel(plan.unet, seed: plan.seed)
        let params = unet.parameters
        let optimizer = AdamW(params, learningRate: plan.learningRate, weightDecay: 0.01)
        let ema = EMA(params, decay: plan.emaMaxDecay)
        let schedule = plan.scheduler.schedule
        var losses: [Float] = []
        var start = 0
        // Minutes of training before this process (a resumed run's clock goes on from there). Kept
        // beside the state, not in it, so that the state's bytes do not depend on the wall clock.
        var minutesBefore = 0.0
        let elapsedPath = path(work, "elapsed.tsv")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let statePath = path(work, "state.safetensors")

        // MARK: resume
        if FileManager.default.fileExists(atPath: statePath) {
            let state = try SafeTensorsFile(path: statePath)
            guard state.metadata["plan"] == planSignature(plan) else {
                throw PretrainingError(message: "\(statePath): a training state of another configuration (delete \(work) to start over)")
            }
            start = Int(state.metadata["step"] ?? "") ?? 0
            for p in params { p.value = try state.tensor("param." + p.name) }
            optimizer.restore(step: start, m: try params.map { try state.tensor("adam_m." + $0.name) }, v: try params.map { try state.tensor("adam_v." + $0.name) })
            ema.restore(try params.map { try state.tensor("ema." + $0.name) })
            losses = try state.tensor("loss_log").scalars
            minutesBefore = minutesOfTraining(atStep: start, work: work) ?? 0
            log("base model: resuming at step \(start) of \(plan.steps) from \(statePath)"
                + (minutesOfTraining(atStep: start, work: work) == nil ? " (its minutes of training are unknown: the clock restarts at 0)" : String(format: " after %.1f minutes of training", minutesBefore)))
        } else {
            try? FileManager.default.removeItem(atPath: path(work, "evaluations.tsv"))
        }

        let t0 = Date()
        func saveState(step: Int) throws {
            var tensors: [String: Tensor] = ["loss_log": Tensor(shape: [losses.count], scalars: losses)]
            for (i, p) in params.enumerated() {
                tensors["param." + p.name] = p.value; tensors["adam_m." + p.name] = optimizer.m[i]
                tensors["adam_v." + p.name] = optimizer.v[i]; tensors["ema." + p.name] = ema.shadow[i]
            }
            try SafeTensors.write(tensors, to: statePath, metadata: ["step": "\(step)", "plan": planSignature(plan)])
            try writeAtomically(Data(String(format: "# step\tminutes of training\n%d\t%.2f\n", step, minutesBefore + Date().timeIntervalSince(t0) / 60).utf8), to: elapsedPath)
        }

        var progress = Progress("base model", total: plan.steps, from: start)
        var smoothed = Double(losses.last ?? 0)
        for step in start..<plan.steps {
            // MARK: one step
            optimizer.learningRate = plan.learningRate * LRSchedule.cosine.factor(step: step, warmupSteps: plan.warmup, totalSteps: plan.steps)
            var rng = RNG(seed: plan.seed).split("step/\(step)")
            let ex = world.examples(.train, seed: plan.seed, indices: Array((step * plan.batch)..<((step + 1) * plan.batch)))
            let captions = ex.map { rng.uniform() < plan.captionDropout ? "" : $0.caption.text }
            let context = Variable.withoutGradients { textEncoder(tokenizer(captions)).lastHiddenState }   // (B, L, D)
            let x0 = World.batchTensor(ex.map(\.image))                                                    // (B, 3, H, W)
            let ε = rng.normal(x0.shape)
            let t = (0..<plan.batch).map { _ in rng.randint(schedule.trainTimesteps) }
            let xt = schedule.addNoise(x0, noise: ε, timesteps: t)
            let target = schedule.target(plan.prediction, x0: x0, noise: ε, timesteps: t)
            let prediction = unet(Variable(xt), timesteps: t.map(Float.init), encoderHiddenStates: context)
            let loss = Variable.weightedMSE(prediction, Variable(target), weights: schedule.minSNRWeights(timesteps: t, gamma: plan.minSNRGamma, prediction: plan.prediction))
            let value = loss.value.scalars[0]
            guard value.isFinite else {
                throw PretrainingError(message: "base model: the loss is \(value) at step \(step); the last good training state (step \(step - step % plan.checkpointEvery)) is kept in \(statePath)")
            }
            loss.backward()
            clipGradNorm(params, maxNorm: 1)
            optimizer.update()
            unet.store.zeroGrad()
            ema.decay = min(plan.emaMaxDecay, Float(1 + step) / Float(10 + step))
            ema.update()
            losses.append(value)
            smoothed = step == 0 ? Double(value) : 0.98 * smoothed + 0.02 * Double(value)
            progress.update(step + 1, String(format: "loss %.4f", smoothed))

            let done = step + 1
            if done % plan.evaluateEvery == 0 || done == plan.steps, let judge {
                try evaluate(unet: unet, ema: ema, textEncoder: textEncoder, tokenizer: tokenizer, judge: judge, world: world, plan: plan,
                             step: done, minutes: minutesBefore + Date().timeIntervalSince(t0) / 60, work: work, log: log)
            }
            if done % plan.checkpointEvery == 0 || done == plan.steps {
                try saveState(step: done)
                if let stopAfter, done >= stopAfter { log("base model: stopped after step \(done) (state in \(statePath))"); return false }
            }
        }
        // MARK: export the EMA weights
        let saved = params.map(\.value)
        ema.copyToParameters()
        let pipeline = TextToImagePipeline(unet: unet, textEncoder: textEncoder, tokenizer: tokenizer, scheduler: plan.scheduler)
        try pipeline.unet.save(folder: path(checkpoints, "base/unet"), as: .f16)
        try FileManager.default.createDirectory(atPath: path(checkpoints, "base/scheduler"), withIntermediateDirectories: true)
        try writeAtomically(Data(plan.scheduler.jsonText().utf8), to: path(checkpoints, "base/scheduler/scheduler_config.json"))
        for (p, v) in zip(params, saved) { p.value = v }
        var lossText = "# step\tloss (min-SNR-5 weighted ε MSE)\n"
        for (i, l) in losses.enumerated() { lossText += "\(i)\t" + String(format: "%.6f", l) + "\n" }
        try writeAtomically(Data(lossText.utf8), to: path(work, "loss.tsv"))
        log(String(format: "base model: %d steps done; EMA UNet → %@", plan.steps, path(checkpoints, "base/unet")))
        return true
    }

    /// The minutes of training a run had at `step`: from elapsed.tsv (written with each state), else
    /// from the evaluation logged at that step; nil when neither says.
    static func minutesOfTraining(atStep step: Int, work: String) -> Double? {
        for file in ["elapsed.tsv", "evaluations.tsv"] {
            let text = (try? String(contentsOfFile: path(work, file), encoding: .utf8)) ?? ""
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
        let dest = path(checkpoints, "base-training")
        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
        for f in ["loss.tsv", "evaluations.tsv"] where FileManager.default.fileExists(atPath: path(work, f)) {
            try writeAtomically(try Data(contentsOf: URL(fileURLWithPath: path(work, f))), to: path(dest, f))
        }
        // The last evaluation's grid (samples-NNNNN.png; its .safetensors twin holds the tensors).
        if let last = (try FileManager.default.contentsOfDirectory(atPath: work)).filter({ $0.hasPrefix("samples-") && $0.hasSuffix(".png") }).sorted().last {
            try writeAtomically(try Data(contentsOf: URL(fileURLWithPath: path(work, last))), to: path(dest, "last-samples.png"))
        }
    }

    /// Everything that changes the weights; a state file from another plan is refused.
    static func planSignature(_ p: BasePlan) -> String {
        "unet=\(p.unet.blockOutChannels)/\(p.unet.layersPerBlock) steps=\(p.steps) batch=\(p.batch) lr=\(p.learningRate) warmup=\(p.warmup) "
            + "gamma=\(p.minSNRGamma) dropout=\(p.captionDropout) ema=\(p.emaMaxDecay) prediction=\(p.prediction.rawValue) seed=\(p.seed)"
    }

    /// Held-out prompts (full captions of compositions training never draws), sampled with the EMA
    /// weights and read by the attribute classifier; one row appended to evaluations.tsv, a grid saved.
    static func evaluate(unet: UNet2DConditionModel, ema: EMA, textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer, judge: AttributeClassifier,
                         world: World, plan: BasePlan, step: Int, minutes: Double, work: String, log: (String) -> Void) throws {
        let saved = unet.parameters.map(\.value)
        ema.copyToParameters()
        defer { for (p, v) in zip(unet.parameters, saved) { p.value = v } }
        let pipeline = TextToImagePipeline(unet: unet, textEncoder: textEncoder, tokenizer: tokenizer, scheduler: plan.scheduler)
        let prompts = evaluationPrompts(world: world, count: plan.evaluationSamples)
        var images: [Tensor] = []
        for lo in stride(from: 0, to: prompts.count, by: 16) {
            let batch = pipeline(prompts[lo..<min(prompts.count, lo + 16)].map(\.caption.text), guidanceScale: plan.evaluationGuidance,
                                 steps: plan.evaluationSteps, seed: 77 + UInt64(lo))
            images += (0..<batch.shape[0]).map { batch.slice(rows: $0..<($0 + 1)).reshaped(Array(batch.shape.dropFirst())) }
        }
        let accuracy = attributeAccuracy(images: images, scenes: prompts.map(\.scene), judge: judge)
        let row = "\(step)\t" + String(format: "%.2f", minutes) + Attribute.allCases.map { String(format: "\t%.4f", accuracy[$0] ?? .nan) }.joined() + "\n"
        let file = path(work, "evaluations.tsv")
        let old = (try? String(contentsOfFile: file, encoding: .utf8)) ?? "# step\tminutes\t" + Attribute.allCases.map(\.rawValue).joined(separator: "\t") + "\n"
        try writeAtomically(Data((old + row).utf8), to: file)
        try PNG.write(ImageOps.grid(images.prefix(32).map { ImageOps.upscaled($0, by: 2) }, rows: 4, columns: 8), to: path(work, String(format: "samples-%05d.png", step)))
        // The samples themselves, so that a later judge can score this point of the curve again.
        try SafeTensors.write(["images": World.batchTensor(images, signed: false)], to: path(work, String(format: "samples-%05d.safetensors", step)),
                              metadata: ["minutes": String(format: "%.2f", minutes), "step": "\(step)"])
        log("\n  step \(step) (\(String(format: "%.1f", minutes)) min): " + Attribute.allCases.map { String(format: "%@ %.2f", $0.rawValue, accuracy[$0] ?? .nan) }.joined(separator: ", "))
    }

    /// Full captions of held-out compositions (photos, as the quality bar asks), seed 606.
    public static func evaluationPrompts(world: World, count: Int) -> [Example] {
        var out: [Example] = []
        var i = 0
        while out.count < count {
            let e = world.example(.heldout, seed: 606, index: i, fullCaption: true)
            if e.scene.style == .photo { out.append(e) }
            i += 1
        }
        return out
    }

    /// The judge's accuracy per attribute on images (each (3, H, W) in [0, 1]) against the scenes their prompts describe.
    public static func attributeAccuracy(images: [Tensor], scenes: [Scene], judge: AttributeClassifier) -> [Attribute: Double] {
        let predictions = judge.predict(World.batchTensor(images))
        var result: [Attribute: Double] = [:]
        for a in Attribute.allCases {
            let pairs = zip(scenes, predictions).compactMap { s, p in a.label(of: s).map { ($0, p[a]!) } }
            result[a] = Double(pairs.filter { $0.0 == $0.1 }.count) / Double(max(1, pairs.count))
        }
        return result
    }
}
