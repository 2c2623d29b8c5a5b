// The autoencoder's part of `make pretrain` (before the base UNet): Stable Diffusion's first stage.
//
// An AutoencoderKL learns to reconstruct the world's training images through a small latent:
//   q(z | x) = N(μ(x), σ²(x)),  z = μ + σ·ε,  x̂ = D(z)
//   loss = mean |x̂ − x| + w_e · mean |∇x̂ − ∇x| + β · KL(q(z | x) ‖ N(0, I)) / (C·H·W)
// (∇: differences of neighbouring pixels, down and across; per image, averaged over the batch).
// The reconstruction term is L1, as the Latent Diffusion autoencoders' (which add a perceptual
// and an adversarial term; this world has flat colours and hard edges, which L1 keeps without
// them). The KL term only keeps the latent near a unit Gaussian, so that noise added by the
// diffusion process means the same in every channel; β is small, as in Stable Diffusion (1e-6 on
// sums there, per-element here). No judge is ever a loss: they measure the result, below.
//
// After training, scaling_factor = 1 / std(z) over 512 training images, as Stable Diffusion's
// 0.18215 was measured; the UNet sees z · scaling_factor. One factor for all channels leaves each
// channel its own spread (std 0.94 to 3.38 here); `standardizeChannels` makes each channel mean 0,
// std 1 first (folded into quant_conv and post_quant_conv, so the folder is still diffusers'
// AutoencoderKL and decodes every image as before). The report keeps each channel's trained spread.
//
// The whole state (weights, AdamW moments, step, losses) is a TrainingState in work/checkpoint-N,
// written every `checkpointEvery` steps; the data of step n are the world's training examples
// n·B ..< (n + 1)·B and the noise comes from RNG(seed).split("autoencoder/step/n"): a resumed
// run is the same run, bit for bit.

import Evaluation
import Foundation
import Models
import TensorCore
import ToyWorld

public struct AutoencoderPlan: Sendable {
    /// 32×32×3 → 16×16×8 (f = 2). Measured at 1,000 steps (lr 1e-3, judge on 1,000 held-out
    /// reconstructions): f = 4 (8×8×4) keeps pattern 0.43, f = 2 with 4 channels 0.87, with 8 channels 0.92.
    public var vae: AutoencoderKLConfig = {
        var c = AutoencoderKLConfig()
        c.blockOutChannels = [32, 64]
        c.layersPerBlock = 1
        c.latentChannels = 8
        c.normNumGroups = 8
        c.sampleSize = 32
        return c
    }()
    public var steps = 4000
    public var batch = 16
    /// 3e-3 beat 1e-3 at 1,000 steps (PSNR 27.6 against 26.9 dB).
    public var learningRate: Float = 3e-3
    public var warmup = 100
    /// β, the weight of the per-element KL term.
    public var klWeight: Float = 1e-4
    /// The weight of the L1 distance between the images' finite differences (their edges).
    /// At 1,000 steps an edge weight of 1 raised PSNR from 27.6 to 29.4 dB and class from 0.89 to
    /// 0.92, but lowered color from 0.996 to 0.957: the shipped plan takes 0.5.
    public var edgeWeight: Float = 0.5
    /// The fraction of training images whose object gets a look the world never draws (Look.random,
    /// its colors uniform in RGB). The world's own looks are eight palette colors with their tints;
    /// trained on those alone, the autoencoder returned the subjects' photos at 23–33 dB against the
    /// world's 36.8 and kept the look of one subject in seven (the report's subject_look_kept_*, judged
    /// on reconstructions of each subject in every context): teal came back blue, purple dots orange.
    /// With random looks alone (0.5, or 0.9) off-palette fills came back, but small dots and checks in a
    /// color unlike the fill did not (0.00–0.04); with the object weighed too (`objectWeight`), they do.
    public var randomLookFraction: Float = 0.5
    /// Whether, after training, every latent channel is standardized (mean 0, std 1 over 512 training
    /// images), folded into quant_conv and post_quant_conv. As trained, the shipped shape's eight
    /// channels spread from 0.94 to 3.38, so under one scaling_factor the diffusion noise meets the
    /// narrowest channel at 13× lower signal-to-noise ratio than the widest ((3.38 / 0.94)²). Measured
    /// (the base model's in-training evaluations, 64 held-out prompts, class/color/pattern), standardized
    /// against not: step 2,000 .44/.50/.20 against .36/.41/.28, 3,000 .45/.56/.20 against .58/.58/.28,
    /// 4,000 .78/.81/.31 against .81/.83/.36 — no gain, so it is off.
    public var standardizeChannels = false
    /// w_o: the reconstruction terms weigh each pixel 1 + w_o · (its object coverage), so that the
    /// object (a fifth of the frame, where a subject's look is) counts more than the background.
    /// Measured at 4,000 steps with random looks 0.5 (2026-12-07): w_o = 0 keeps world pattern 0.971 and
    /// the subjects' looks 0.00–1.00 (three of seven at 0); w_o = 4 keeps pattern 0.986, PSNR 39.7 dB
    /// (36.8 shipped before), and every subject's look 0.92–1.00 (its renders: 0.96–1.00).
    public var objectWeight: Float = 4
    /// Fine-tuning: start from this AutoencoderKL folder instead of a fresh initialisation (its shape
    /// is the plan's). nil: train from scratch.
    public var initFrom: String? = nil
    /// With `initFrom`: train only post_quant_conv and the decoder, as Stability AI made sd-vae-ft-mse
    /// from Stable Diffusion's autoencoder. The encoder and quant_conv are kept, and with them the
    /// latent space, its scaling_factor and any base UNet trained on it.
    public var decoderOnly = false
    public var checkpointEvery = 250
    /// Held-out images the report measures on (the bar: the judge ≥ 0.98 on every attribute).
    public var evaluationImages = 1000
    public var seed: UInt64 = Seeds.autoencoder
    public init() {}

    public static let full = AutoencoderPlan()
    /// Seconds: what the tests run.
    public static let quick: AutoencoderPlan = {
        var p = AutoencoderPlan()
        p.vae.blockOutChannels = [8, 16]
        p.vae.normNumGroups = 4
        p.steps = 6
        p.batch = 4
        p.warmup = 2
        p.checkpointEvery = 3
        p.evaluationImages = 16
        return p
    }()

    /// Everything that changes the weights; a training state of another plan is refused.
    var signature: String {
        "vae=\(vae.blockOutChannels)/\(vae.layersPerBlock)/z\(vae.latentChannels) steps=\(steps) batch=\(batch) "
            + "lr=\(learningRate) warmup=\(warmup) kl=\(klWeight) seed=\(seed)"
            + (edgeWeight == 0 ? "" : " edge=\(edgeWeight)")
            + (randomLookFraction == 0 ? "" : " looks=\(randomLookFraction)")
            + (initFrom.map { " from=\($0)" } ?? "") + (decoderOnly ? " decoder-only" : "")
            + (objectWeight == 0 ? "" : " object-weight=\(objectWeight)")
    }

    /// Whether a parameter of the autoencoder is trained: all of them, or with `decoderOnly` the decoder's.
    func trains(_ name: String) -> Bool {
        !decoderOnly || name.hasPrefix("decoder.") || name.hasPrefix("post_quant_conv.")
    }
}

public enum AutoencoderTraining {
    /// The loss of one batch of images (B, 3, H, W) in [−1, 1]: L1 reconstruction of a sampled z,
    /// plus β times the per-element KL. Returns the loss and its two terms (for the log).
    /// `pixelWeights` (B, 3, H, W), when given, weigh each pixel's error (a weighted mean: the weights
    /// sum to the pixel count); nil weighs all alike.
    public static func loss(
        _ vae: AutoencoderKL, images: Tensor, klWeight: Float, edgeWeight: Float = 0, pixelWeights: Tensor? = nil,
        rng: inout RNG
    ) -> (loss: Variable, reconstruction: Float, kl: Float) {
        let x = Variable(images)
        let posterior = vae.encode(x)
        let decoded = vae.decode(posterior.sample(rng: &rng))
        let (H, W) = (images.shape[2], images.shape[3])
        func meanAbs(_ d: Variable, rows: Range<Int>? = nil, columns: Range<Int>? = nil) -> Variable {
            let magnitude = d.elementwise({ abs($0) }) { d, _ in d > 0 ? 1 : d < 0 ? -1 : 0 }
            guard let pixelWeights else { return magnitude.mean() }
            var w = Variable(pixelWeights)
            if let rows { w = w.slice(axis: 2, rows) }
            if let columns { w = w.slice(axis: 3, columns) }
            let normalized = w * (Float(w.value.count) / w.value.scalars.reduce(0, +))
            return (magnitude * normalized).mean()
        }
        let l1 = meanAbs(decoded - x)
        let elements = Float(images.count / images.shape[0])
        let kl = posterior.kl().mean() * (1 / elements)
        var loss = l1 + kl * klWeight
        if edgeWeight > 0 {
            // Differences of neighbouring pixels, down and across: an outline blurred is an edge lost.
            func edges(_ v: Variable, axis: Int, _ n: Int) -> Variable {
                v.slice(axis: axis, 1..<n) - v.slice(axis: axis, 0..<(n - 1))
            }
            let edgeError =
                meanAbs(edges(decoded, axis: 2, H) - edges(x, axis: 2, H), rows: 1..<H)
                + meanAbs(edges(decoded, axis: 3, W) - edges(x, axis: 3, W), columns: 1..<W)
            loss = loss + edgeError * edgeWeight
        }
        return (loss, l1.value.scalars[0], kl.value.scalars[0])
    }

    /// Trains (or resumes) into `work`, then writes `checkpoints`/base/vae (with its measured
    /// scaling_factor) and `checkpoints`/autoencoder-training/{loss.tsv, report.json}. `stopAfter`
    /// ends the run early after that step's checkpoint. `beforeJudging` runs before the report reads
    /// `checkpoints`/judges (when the text stage trains them at the same time, it waits for them).
    @discardableResult
    public static func run(
        checkpoints: String, work: String, plan: AutoencoderPlan, stopAfter: Int? = nil,
        log: (String) -> Void = printFlushed, beforeJudging: () -> Void = {}
    ) throws -> Bool {
        let vae: AutoencoderKL
        if let source = plan.initFrom {
            do { vae = try AutoencoderKL(folder: source) } catch {
                throw PretrainingError(message: "autoencoder: --autoencoder_from \(source): \(error)")
            }
        } else {
            vae = AutoencoderKL(plan.vae, seed: plan.seed)
        }
        let world = World(size: vae.config.sampleSize)
        let trained = vae.parameters.filter { plan.trains($0.name) }
        for p in vae.parameters { p.requiresGrad = plan.trains(p.name) }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var state = TrainingState(
            parameters: trained.map { ($0.name, $0) },
            optimizer: AdamW(trained, learningRate: plan.learningRate, weightDecay: 0.01),
            identity: ("plan", plan.signature),
            mismatchHint: "a training state of another autoencoder plan (delete \(work) to start over)")
        if let last = try TrainingState.checkpoints(in: work).last {
            try state.restore(from: last.path)
            log("autoencoder: resuming at step \(state.step) of \(plan.steps) from \(last.path)")
        }
        var progress = ProgressLine("autoencoder", total: plan.steps, from: state.step)
        var smoothed = Double(state.losses.last ?? 0)
        for step in state.step..<plan.steps {
            state.optimizer.learningRate =
                plan.learningRate
                * LRSchedule.cosine.factor(step: step, warmupSteps: plan.warmup, totalSteps: plan.steps)
            let scenes = ((step * plan.batch)..<((step + 1) * plan.batch)).map {
                trainingScene($0, world: world, plan: plan)
            }
            let images = world.render(scenes)
            var rng = RNG(seed: plan.seed).split("autoencoder/step/\(step)")
            let (loss, reconstruction, kl) = Self.loss(
                vae, images: World.batchTensor(images), klWeight: plan.klWeight,
                edgeWeight: plan.edgeWeight,
                pixelWeights: plan.objectWeight == 0 ? nil : objectWeights(scenes, world: world, plan.objectWeight),
                rng: &rng)
            let value = loss.value.scalars[0]
            guard value.isFinite else {
                throw PretrainingError(message: "autoencoder: the loss is \(value) at step \(step)")
            }
            loss.backward()
            clipGradNorm(trained, maxNorm: 1)
            state.optimizer.update()
            vae.store.zeroGrad()
            state.finish(step: step, loss: value)
            smoothed = step == 0 ? Double(value) : 0.98 * smoothed + 0.02 * Double(value)
            progress.update(
                state.step, String(format: "loss %.4f (L1 %.4f, KL/elem %.2f)", smoothed, reconstruction, kl))
            if state.step % plan.checkpointEvery == 0 || state.step == plan.steps {
                try state.save(in: work, keep: 1)
                if let stopAfter, state.step >= stopAfter, state.step < plan.steps {
                    log("autoencoder: stopped after step \(state.step) (state in \(work))")
                    return false
                }
            }
        }
        let channels = measuredChannelStatistics(vae, world: world, seed: plan.seed)
        // A fine-tuned decoder keeps the encoder, and with it the latent space and its scaling_factor.
        if !plan.decoderOnly {
            if plan.standardizeChannels { vae.standardizeLatentChannels(mean: channels.mean, std: channels.std) }
            vae.setScalingFactor(measuredScalingFactor(vae, world: world, seed: plan.seed))
        }
        let folder = joinedPath(checkpoints, "base/vae")
        try vae.save(folder: folder)
        beforeJudging()
        try writeReport(
            vae, plan: plan, losses: state.losses, channels: channels, world: world, checkpoints: checkpoints, log: log)
        log(String(format: "autoencoder: scaling_factor %.5f → %@", vae.config.scalingFactor, folder))
        return true
    }

    /// 1 + w_o · object coverage for each pixel of each scene, (B, 3, H, W) (the same for every channel).
    public static func objectWeights(_ scenes: [Scene], world: World, _ weight: Float) -> Tensor {
        let S = world.size
        var scalars: [Float] = []
        for scene in scenes {
            let w = Renderer.objectCoverage(scene, size: S).map { 1 + weight * $0 }
            for _ in 0..<3 { scalars += w }
        }
        return Tensor(shape: [scenes.count, 3, S, S], scalars: scalars)
    }

    /// Training image `index`: the world's training scene, its look replaced by a random one for a
    /// `randomLookFraction` of the indices (each decided by its own RNG stream).
    static func trainingScene(_ index: Int, world: World, plan: AutoencoderPlan) -> Scene {
        var scene = world.scene(.train, seed: plan.seed, index: index)
        guard plan.randomLookFraction > 0 else { return scene }
        var rng = RNG(seed: plan.seed).split("autoencoder/look/\(index)")
        if rng.uniform() < plan.randomLookFraction {
            scene.look = Look.random(scene.pattern, rng: &rng)
            scene.color = nil
        }
        return scene
    }

    /// 1 / std of sampled latents z over 512 training images (every entry of every channel).
    public static func measuredScalingFactor(_ vae: AutoencoderKL, world: World, seed: UInt64) -> Float {
        var sum = 0.0
        var squares = 0.0
        var n = 0
        forEachLatentBatch(vae, world: world, seed: seed) { z in
            for v in z.scalars {
                sum += Double(v)
                squares += Double(v) * Double(v)
            }
            n += z.count
        }
        let mean = sum / Double(n)
        return Float(1 / (squares / Double(n) - mean * mean).squareRoot())
    }

    /// Each latent channel's mean and std over the same 512 training images' sampled latents.
    public static func measuredChannelStatistics(_ vae: AutoencoderKL, world: World, seed: UInt64) -> (
        mean: [Float], std: [Float]
    ) {
        let C = vae.config.latentChannels
        var sums = [Double](repeating: 0, count: C)
        var squares = [Double](repeating: 0, count: C)
        var n = 0
        forEachLatentBatch(vae, world: world, seed: seed) { z in
            let plane = z.shape[2] * z.shape[3]
            for b in 0..<z.shape[0] {
                for c in 0..<C {
                    for v in z.scalars[((b * C + c) * plane)..<((b * C + c + 1) * plane)] {
                        sums[c] += Double(v)
                        squares[c] += Double(v) * Double(v)
                    }
                }
            }
            n += z.shape[0] * plane
        }
        let means = sums.map { $0 / Double(n) }
        return (
            means.map(Float.init),
            zip(squares, means).map { Float(($0 / Double(n) - $1 * $1).squareRoot()) }
        )
    }

    /// Sampled latents z of 512 training images (seed + 1), 64 at a time, each draw from the same RNG.
    static func forEachLatentBatch(_ vae: AutoencoderKL, world: World, seed: UInt64, _ body: (Tensor) -> Void) {
        var rng = RNG(seed: seed).split("autoencoder/scaling")
        for lo in stride(from: 0, to: 512, by: 64) {
            let examples = world.examples(.train, seed: seed &+ 1, indices: Array(lo..<(lo + 64)))
            body(
                Variable.withoutGradients {
                    vae.encode(Variable(World.batchTensor(examples.map(\.image)))).sample(rng: &rng).value
                })
        }
    }

    static func writeReport(
        _ vae: AutoencoderKL, plan: AutoencoderPlan, losses: [Float], channels: (mean: [Float], std: [Float]),
        world: World,
        checkpoints: String, log: (String) -> Void
    ) throws {
        let dir = joinedPath(checkpoints, "autoencoder-training")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeLog(
            losses.enumerated().map { LogRow(step: $0.offset, loss: Double($0.element)) },
            header: "step\tloss (L1 + β·KL per element)", to: joinedPath(dir, "loss.tsv"))
        var values: [String: Double] = [
            "scaling_factor": Double(vae.config.scalingFactor), "steps": Double(plan.steps),
            "kl_weight": Double(plan.klWeight), "edge_weight": Double(plan.edgeWeight),
            "learning_rate": Double(plan.learningRate), "batch": Double(plan.batch),
            "latent_channels": Double(plan.vae.latentChannels),
            "standardized_channels": plan.standardizeChannels ? 1 : 0,
            "random_look_fraction": Double(plan.randomLookFraction), "object_weight": Double(plan.objectWeight),
        ]
        // Each channel's mean and spread as trained, before any standardization.
        for c in channels.std.indices {
            values["trained_channel_\(c)_mean"] = Double(channels.mean[c])
            values["trained_channel_\(c)_std"] = Double(channels.std[c])
        }
        guard let judge = try? AttributeClassifier(folder: joinedPath(checkpoints, "judges/attributes")) else {
            log("autoencoder: no attribute judge in \(checkpoints)/judges: reconstructions not judged")
            try TextSide.writeReport(values, to: joinedPath(dir, "report.json"))
            return
        }
        let q = AutoencoderQuality.measure(
            vae: vae, judge: judge, world: world, count: plan.evaluationImages, seed: Seeds.evaluation)
        values["psnr_db"] = q.psnr
        values["images"] = Double(q.images)
        for a in Attribute.allCases {
            values["reconstructed_accuracy_\(a.rawValue)"] = q.reconstructed[a]
            values["original_accuracy_\(a.rawValue)"] = q.original[a]
        }
        // The subjects' photos: looks the world never draws, what DreamBooth will ask the decoder for.
        // And the look judge on reconstructions of each subject in every context: DreamBooth's ceiling.
        let dino = try? DINOJudge(folder: joinedPath(checkpoints, "judges/dino"))
        for subject in Subject.all + Subject.probes {
            let photos = World.batchTensor(subject.instanceScenes().map(world.render))
            let back = AutoencoderQuality.reconstruct(photos, vae: vae)
            values["subject_psnr_db_\(subject.name)"] = AutoencoderQuality.psnr(back, photos)
            if let dino {
                let kept = AutoencoderQuality.subjectLookKept(
                    subject, vae: vae, lookJudge: SubjectLookJudge(subject: subject, dino: dino), dino: dino)
                values["subject_look_kept_\(subject.name)"] = kept.reconstructed
                values["subject_look_kept_original_\(subject.name)"] = kept.original
            }
        }
        try TextSide.writeReport(values, to: joinedPath(dir, "report.json"))
        log(
            "autoencoder: the subjects' photos reconstruct at "
                + (Subject.all + Subject.probes).map {
                    String(
                        format: "%@ %.2f dB (look kept %.2f)", $0.name, values["subject_psnr_db_\($0.name)"]!,
                        values["subject_look_kept_\($0.name)"] ?? .nan)
                }
                .joined(separator: ", "))
        log(
            String(
                format: "autoencoder: PSNR %.2f dB on %d held-out images; the judge on reconstructions: ", q.psnr,
                q.images)
                + Attribute.allCases.map {
                    String(format: "%@ %.3f (originals %.3f)", $0.rawValue, q.reconstructed[$0]!, q.original[$0]!)
                }.joined(separator: ", "))
    }
}
