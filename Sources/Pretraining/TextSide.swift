// Chapter 04's part of `make pretrain`: the tokenizer, the text encoder (with its contrastive
// partner) and the three judges, each from the world alone, each from its own seed.
//
//   1. tokenizer      BPE merges on 20,000 captions (weight 1 each word) + the English word list
//   2. text encoder   CLIPTextModel (3 layers, 64 wide: the UNet's cross_attention_dim) trained
//                     contrastively with a plain image tower; then frozen, as Stable Diffusion freezes CLIP
//   3. judges         attribute classifier, CLIP judge (its own towers), DINO analog — trained on
//                     every composition (split .all), so they are not biased against the held-out
//                     ones; measured on fresh images (another seed) of the held-out compositions.
//                     They are the rulers, not the model: `trainJudges`, apart from `run`, so that
//                     retraining the model (make pretrain) keeps them and `make judges` remakes them
// Outputs (Checkpoints/ by default): base/tokenizer, base/text_encoder, contrastive/ (the partner,
// its projection, the loss log), judges/{attributes, clip, dino} with report.json each.

import Evaluation
import Foundation
import ImageIO
import Models
import TensorCore
import ToyWorld

public struct TextSidePlan: Sendable {
    public var tokenizerCaptions = 20_000
    public var vocabularySize = 8192
    public var modelMaxLength = 24
    /// 2,000 steps: at 1,000 the tower told a class word from the others in 0.878 of minimal pairs, at 2,000
    /// in 0.993 (no twins; pattern 0.636 and 0.655).
    public var textEncoder = StageRecipe(steps: 2000, batch: 64, learningRate: 1e-3, warmup: 100)
    /// The fraction of each text-encoder batch that is attribute twins: an image beside the same scene with
    /// one attribute changed, both with full captions (hard negatives, as NegCLIP's). In-batch negatives
    /// alone rarely differ in one word, so the tower learned to tell "striped" from "checkered" barely at all.
    /// Minimal-pair accuracy (class / pattern) at 2,000 steps: no twins 0.993 / 0.655; 0.25 pattern twins
    /// 0.938 / 0.956. At 1,000 steps twins of every attribute cost class (0.5: 0.794 / 0.812).
    public var textEncoderTwins: Float = 0.25
    /// The attributes a twin may change (each twin changes one, uniformly among these): pattern, the one
    /// in-batch negatives do not teach (color and context pairs are 0.997 and 1.000 without twins).
    public var twinAttributes: [TwinAttribute] = [.pattern]
    public var attributes = StageRecipe(steps: 4800, batch: 64, learningRate: 2e-3, warmup: 100)
    /// The fraction of the attribute judge's training images whose object gets a look the world never
    /// draws (Look.random, half its colors from the palette: no color label, the pattern's kind kept),
    /// so that it reads a subject's class whatever its look. Trained on the world's looks alone (0), it
    /// read the class of the subjects' own renders (8 placements in each context) at 0.77 for
    /// split-ball and 0.48 for checkered-heart: a "class kept" measured with it could not reach 0.95
    /// for a subject drawn perfectly. At 0.3 and 2,400 steps (the judge until 2026-12-08) every subject's
    /// renders read 1.00, but the samples of fine-tuned models did not: a clear star read as a heart, a tree
    /// on water as a house, a checkered heart in a city as a ball, 12 of 72 samples misread.
    public var attributeRandomLooks: Float = 0.5
    /// The fraction of the attribute judge's training images drawn as a generated sample looks (`sampleLike`:
    /// a wobbling outline, soft edges, noise). With 0.5 of them, random looks at 0.5 and 4,800 steps the
    /// judge misread none of those 72 samples; held-out class 1.000, pattern 0.997, class in unseen looks
    /// 0.999 and 0.998 after the autoencoder's round trip (`evaluate-judges`; the earlier judge 1.000,
    /// 0.989, 0.991, 0.986). The distortion alone (random looks 0.3, 2,400 steps) misread 6 of the 72 and
    /// read split-ball's renders at 0.83; random looks 0.5 and 4,800 steps without it were not measured.
    public var attributeDistorted: Float = 0.5
    public var clipJudge = StageRecipe(steps: 1000, batch: 64, learningRate: 1e-3, warmup: 100)
    public var dino = StageRecipe(steps: 600, batch: 64, learningRate: 1e-3, warmup: 50)
    /// Held-out images the reports measure on.
    public var evaluationImages = 1000
    public init() {}

    public static let full = TextSidePlan()
    /// Seconds, not minutes: what the tests run.
    public static let quick: TextSidePlan = {
        var p = TextSidePlan()
        p.tokenizerCaptions = 500
        p.vocabularySize = 1200
        p.textEncoder.steps = 6
        p.attributes.steps = 6
        p.clipJudge.steps = 6
        p.dino.steps = 6
        for r in [\TextSidePlan.textEncoder, \.attributes, \.clipJudge, \.dino] {
            p[keyPath: r].batch = 8
            p[keyPath: r].warmup = 2
        }
        p.evaluationImages = 40
        return p
    }()
}

/// The seeds of each model and data stream: distinct, so no judge sees the generator's data.
public enum Seeds {
    public static let tokenizer: UInt64 = 11, textEncoder: UInt64 = 101, attributes: UInt64 = 202,
        clipJudge: UInt64 = 303
    public static let dino: UInt64 = 404, evaluation: UInt64 = 909, reference: UInt64 = 910
    /// The autoencoder's initialisation, data order and noise.
    public static let autoencoder: UInt64 = 1001
}

/// The generator's text encoder: 3 layers of width 64 (the UNet's cross_attention_dim), 4 heads.
/// Small, because captions are ten words from a vocabulary of forty; deep enough for word order
/// ("a sketch of a red cup" against "a red sketch of a cup") to matter.
public func textEncoderConfig(_ tokenizer: CLIPTokenizer) -> CLIPTextConfig {
    var c = CLIPTextConfig()
    c.vocabSize = tokenizer.vocabularySize
    c.hiddenSize = 64
    c.intermediateSize = 256
    c.layers = 3
    c.heads = 4
    c.maxPositions = tokenizer.modelMaxLength
    c.bosTokenId = tokenizer.bosTokenId
    c.eosTokenId = tokenizer.eosTokenId
    c.padTokenId = tokenizer.padTokenId
    c.projectionDim = 64
    return c
}

/// An attribute a twin changes: what a caption names and the image shows.
public enum TwinAttribute: String, CaseIterable, Sendable {
    case objectClass = "class"
    case color, pattern, context

    /// The scene with this attribute changed to each other value `split` draws (a sketch shows no color: none).
    public func alternatives(of scene: Scene, split: World.Split) -> [Scene] {
        guard let color = scene.color else { return [] }
        func allowed(_ c: Composition) -> Bool { split == .all || World.isHeldOut(c) == (split == .heldout) }
        var result: [Scene] = []
        func add(_ objectClass: ObjectClass, _ color: ColorName, _ pattern: Pattern, _ context: Context) {
            guard allowed(Composition(objectClass, color, context)) else { return }
            var s = scene
            s.objectClass = objectClass
            s.color = color
            s.pattern = pattern
            s.context = context
            s.look = .ordinary(color, pattern)
            result.append(s)
        }
        switch self {
        case .objectClass:
            for c in ObjectClass.allCases where c != scene.objectClass { add(c, color, scene.pattern, scene.context) }
        case .color:
            guard scene.style != .sketch else { return [] }
            for c in ColorName.allCases where c != color { add(scene.objectClass, c, scene.pattern, scene.context) }
        case .pattern:
            for p in Pattern.allCases where p != scene.pattern { add(scene.objectClass, color, p, scene.context) }
        case .context:
            for c in Context.allCases where c != scene.context { add(scene.objectClass, color, scene.pattern, c) }
        }
        return result
    }

    /// A twin of `scene`: one of `attributes` (chosen uniformly among those with an alternative) changed to
    /// one of its alternatives, uniformly; nil when none of them has one (a sketch's color).
    public static func twin(
        of scene: Scene, split: World.Split, attributes: [TwinAttribute] = allCases, rng: inout RNG
    ) -> Scene? {
        let choices = attributes.map { $0.alternatives(of: scene, split: split) }.filter { !$0.isEmpty }
        guard !choices.isEmpty else { return nil }
        let pick = choices[rng.randint(choices.count)]
        return pick[rng.randint(pick.count)]
    }
}

public enum TextSide {
    static func log(_ s: String) {
        print(s)
        fflush(stdout)
    }

    /// The tokenizer and the text encoder, each trained when its output is missing (or with `force`).
    public static func run(
        out: String, plan: TextSidePlan, force: Bool = false, wordList: String = "Data/wordlist/words.txt"
    ) throws {
        let world = World(size: 32)
        let tokDir = joinedPath(out, "base/tokenizer")
        let teDir = joinedPath(out, "base/text_encoder")
        let tokenizer: CLIPTokenizer
        if force || !FileManager.default.fileExists(atPath: joinedPath(tokDir, "vocab.json")) {
            let t0 = Date()
            tokenizer = trainTokenizer(world: world, plan: plan, wordList: wordList)
            try tokenizer.save(folder: tokDir)
            log(
                String(
                    format: "tokenizer: %d tokens (%d merges) in %.1f s → %@", tokenizer.vocabularySize,
                    tokenizer.merges.count, Date().timeIntervalSince(t0), tokDir))
        } else {
            tokenizer = try CLIPTokenizer(folder: tokDir)
            log("tokenizer: kept \(tokDir)")
        }

        let contrastiveDir = joinedPath(out, "contrastive")
        try stage("text encoder", contrastiveDir, force: force) {
            let pair = ContrastivePair(
                image: ImageEncoderConfig(architecture: "plain", blockOutChannels: [32, 64, 128], outFeatures: 64),
                text: textEncoderConfig(tokenizer), embedDim: 64, seed: Seeds.textEncoder)
            let rows = try trainPair(
                pair, tokenizer: tokenizer, world: world, seed: Seeds.textEncoder, recipe: plan.textEncoder,
                twins: plan.textEncoderTwins, twinAttributes: plan.twinAttributes, label: "text encoder")
            try pair.save(folder: contrastiveDir, textTowerFolder: teDir)
            try writeLog(
                rows, header: "step\tloss (symmetric InfoNCE, text encoder + plain image tower)",
                to: joinedPath(contrastiveDir, "loss.tsv"))
            let top1 = retrieval(
                try ContrastivePair.load(folder: contrastiveDir, textTowerFolder: teDir), tokenizer: tokenizer,
                world: world, count: min(100, plan.evaluationImages))
            let minimalPairs = minimalPairAccuracy(
                try ContrastivePair.load(folder: contrastiveDir, textTowerFolder: teDir), tokenizer: tokenizer,
                world: world, count: plan.evaluationImages)
            var report = ["retrieval_top1_of_100": top1, "steps": Double(plan.textEncoder.steps)]
            for (a, accuracy) in minimalPairs { report["minimal_pair_accuracy_\(a.rawValue)"] = accuracy }
            try writeReport(report, to: joinedPath(contrastiveDir, "report.json"))
            return String(format: "image→caption top-1 among 100 held-out = %.3f; ", top1)
                + "minimal pairs "
                + TwinAttribute.allCases.map { String(format: "%@ %.3f", $0.rawValue, minimalPairs[$0]!) }
                .joined(separator: ", ") + " → \(teDir)"
        }
    }

    /// The three judges, each trained when its folder holds no report.json yet (or with `force`). They
    /// measure the models and are trained from the world alone, so retraining the models leaves them as
    /// they are: `make pretrain` trains one only when it is missing, `make judges` all three again. The
    /// CLIP judge reads captions with the tokenizer in `out` (base/tokenizer), which must exist.
    public static func trainJudges(out: String, plan: TextSidePlan, force: Bool = false) throws {
        let world = World(size: 32)
        let tokenizer = try CLIPTokenizer(folder: joinedPath(out, "base/tokenizer"))
        let judgesDir = joinedPath(out, "judges")
        let attrDir = joinedPath(judgesDir, "attributes")
        try stage("attribute classifier", attrDir, force: force) {
            let model = AttributeClassifier.fresh(seed: Seeds.attributes)
            let rows = try trainAttributes(
                model, world: world, recipe: plan.attributes, randomLooks: plan.attributeRandomLooks,
                distorted: plan.attributeDistorted)
            try model.network.save(folder: attrDir)
            try writeLog(
                rows, header: "step\tloss (sum of the five attributes' cross-entropies)",
                to: joinedPath(attrDir, "loss.tsv"))
            let acc = attributeAccuracy(
                try AttributeClassifier(folder: attrDir), world: world, count: plan.evaluationImages)
            let judge = try AttributeClassifier(folder: attrDir)
            let subjects = judge.subjectClassAccuracy(world: world, seed: Seeds.evaluation)
            try writeReport(
                Dictionary(uniqueKeysWithValues: acc.map { ("accuracy_\($0.key.rawValue)", $0.value) })
                    .merging(subjects.map { ("subject_class_\($0.key)", $0.value) }) { a, _ in a },
                to: joinedPath(attrDir, "report.json"))
            return Attribute.allCases.map { String(format: "%@ %.3f", $0.rawValue, acc[$0]!) }.joined(separator: ", ")
        }

        let clipDir = joinedPath(judgesDir, "clip")
        try stage("CLIP judge", clipDir, force: force) {
            var textConfig = textEncoderConfig(tokenizer)
            textConfig.layers = 2
            textConfig.intermediateSize = 128
            let pair = ContrastivePair(
                image: ImageEncoderConfig(architecture: "residual", blockOutChannels: [24, 48, 96], outFeatures: 64),
                text: textConfig, embedDim: 64, seed: Seeds.clipJudge)
            let rows = try trainPair(
                pair, tokenizer: tokenizer, world: world, seed: Seeds.clipJudge, split: .all, recipe: plan.clipJudge,
                label: "CLIP judge")
            try pair.save(folder: clipDir)
            try writeLog(
                rows, header: "step\tloss (symmetric InfoNCE, CLIP judge)", to: joinedPath(clipDir, "loss.tsv"))
            let top1 = retrieval(
                try ContrastivePair.load(folder: clipDir), tokenizer: tokenizer, world: world,
                count: min(100, plan.evaluationImages))
            try writeReport(["retrieval_top1_of_100": top1], to: joinedPath(clipDir, "report.json"))
            return String(format: "image→caption top-1 among 100 held-out = %.3f", top1)
        }

        let dinoDir = joinedPath(judgesDir, "dino")
        try stage("DINO judge", dinoDir, force: force) {
            let model = DINOJudge.fresh(seed: Seeds.dino)
            let rows = try trainDINO(model, world: world, recipe: plan.dino)
            try model.network.save(folder: dinoDir)
            try writeLog(
                rows, header: "step\tloss (NT-Xent over two augmented views, temperature 0.1)",
                to: joinedPath(dinoDir, "loss.tsv"))
            let acc = nearestNeighbourClassAccuracy(
                try DINOJudge(folder: dinoDir), world: world, count: plan.evaluationImages)
            try writeReport(["nearest_neighbour_class_accuracy": acc], to: joinedPath(dinoDir, "report.json"))
            return String(format: "1-NN class accuracy on held-out = %.3f", acc)
        }
    }

    /// Runs a stage's `train` when `dir` holds no report.json yet (or with `force`), and logs its
    /// summary and seconds; else says the stage's output is kept.
    static func stage(_ name: String, _ dir: String, force: Bool, train: () throws -> String) throws {
        guard force || !FileManager.default.fileExists(atPath: joinedPath(dir, "report.json")) else {
            log("\(name): kept \(dir)")
            return
        }
        let start = Date()
        let summary = try train()
        log(String(format: "%@: %@ (%.0f s)", name, summary, Date().timeIntervalSince(start)))
    }

    // MARK: - Tokenizer

    /// Merges from captions of the training split and the English word list (Data/wordlist).
    public static func trainTokenizer(world: World, plan: TextSidePlan, wordList: String = "Data/wordlist/words.txt")
        -> CLIPTokenizer
    {
        var counts: [String: Int] = [:]
        let captions = (0..<plan.tokenizerCaptions).map { i -> String in
            var rng = RNG(seed: Seeds.tokenizer).split("caption/\(i)")
            return Captions.caption(for: world.scene(.train, seed: Seeds.tokenizer, index: i), rng: &rng).text
        }
        BPETrainer.countWords(captions, into: &counts)
        if let words = try? String(contentsOfFile: wordList, encoding: .utf8) {
            BPETrainer.countWords(words.split(separator: "\n").map(String.init), into: &counts)
        } else {
            FileHandle.standardError.write(Data("warning: \(wordList) not found; merges from captions alone\n".utf8))
        }
        var progress = ProgressLine("tokenizer merges", total: plan.vocabularySize - 514)
        let merges = BPETrainer.train(wordCounts: counts, vocabularySize: plan.vocabularySize) { done, _ in
            progress.update(done)
        }
        return CLIPTokenizer(merges: merges, modelMaxLength: plan.modelMaxLength)
    }

    // MARK: - Contrastive pairs

    /// `split`: .train for the generator's text encoder, .all for the CLIP judge.
    /// `twins`: the fraction of each batch that is attribute twins of the batch's first examples (`twinned`).
    public static func trainPair(
        _ pair: ContrastivePair, tokenizer: CLIPTokenizer, world: World, seed: UInt64, split: World.Split = .train,
        recipe: StageRecipe, twins: Float = 0, twinAttributes: [TwinAttribute] = TwinAttribute.allCases, label: String
    ) throws -> [LogRow] {
        let twinCount = min(recipe.batch / 2, Int((twins * Float(recipe.batch)).rounded()))
        return try train(label, pair.parameters, recipe, afterStep: { _ in pair.clampScale() }) { step in
            let drawn = world.examples(
                split, seed: seed,
                indices: Array((step * recipe.batch)..<((step + 1) * recipe.batch - twinCount)))
            var rng = RNG(seed: seed).split("twins/\(step)")
            let ex = twinned(
                drawn, count: twinCount, split: split, world: world, attributes: twinAttributes, rng: &rng)
            let fits = ex.map { image in ex.map { $0.caption.fits(image.scene) } }
            return pair.loss(
                images: Variable(World.batchTensor(ex.map(\.image))), ids: tokenizer(ex.map(\.caption.text)), fits: fits
            )
        }
    }

    /// `examples` followed by the twins of its first `count`: each the same scene (placement and all) with one
    /// of `attributes` changed to another value its split draws; a twin and its original both carry full
    /// captions, so the changed word is the only thing that tells them apart. An example none of `attributes`
    /// can change (a sketch, when only color may) gets no twin.
    public static func twinned(
        _ examples: [Example], count: Int, split: World.Split, world: World,
        attributes: [TwinAttribute] = TwinAttribute.allCases, rng: inout RNG
    ) -> [Example] {
        guard count > 0 else { return examples }
        var result = examples
        var twins: [Scene] = []
        for i in 0..<count {
            guard let twin = TwinAttribute.twin(of: examples[i].scene, split: split, attributes: attributes, rng: &rng)
            else { continue }
            var unused = RNG(seed: 0)  // a full caption draws nothing
            result[i].caption = Captions.caption(for: examples[i].scene, rng: &unused, full: true)
            twins.append(twin)
        }
        let images = world.render(twins)
        for (scene, image) in zip(twins, images) {
            var unused = RNG(seed: 0)
            result.append(
                Example(scene: scene, caption: Captions.caption(for: scene, rng: &unused, full: true), image: image))
        }
        return result
    }

    /// For each attribute: how often the contrastive pair ranks a held-out image's full caption above every
    /// caption that changes only that attribute ("a red striped cup in snow" against "a red dotted cup in snow",
    /// …). What the generator's cross-attention can read apart, measured on the tower it was trained with.
    public static func minimalPairAccuracy(_ pair: ContrastivePair, tokenizer: CLIPTokenizer, world: World, count: Int)
        -> [TwinAttribute: Double]
    {
        let ex = world.examples(.heldout, seed: Seeds.evaluation, indices: Array(0..<count), fullCaption: true)
        let images = pair.imageEmbeddings(World.batchTensor(ex.map(\.image)))
        var result: [TwinAttribute: Double] = [:]
        for a in TwinAttribute.allCases {
            var hits = 0
            var asked = 0
            for (i, e) in ex.enumerated() {
                let others = a.alternatives(of: e.scene, split: .all)
                guard !others.isEmpty else { continue }
                var unused = RNG(seed: 0)
                let captions = ([e.scene] + others).map { Captions.caption(for: $0, rng: &unused, full: true).text }
                let texts = pair.textEmbeddings(captions, tokenizer: tokenizer)
                let scores = (0..<captions.count).map { j in
                    (0..<images.shape[1]).reduce(0.0) {
                        $0 + Double(images.scalars[i * images.shape[1] + $1] * texts.scalars[j * texts.shape[1] + $1])
                    }
                }
                asked += 1
                if scores.dropFirst().allSatisfy({ $0 < scores[0] }) { hits += 1 }
            }
            result[a] = Double(hits) / Double(max(1, asked))
        }
        return result
    }

    /// Image → caption top-1 among `count` held-out images and their full captions.
    public static func retrieval(_ pair: ContrastivePair, tokenizer: CLIPTokenizer, world: World, count: Int) -> Double
    {
        let ex = world.examples(.heldout, seed: Seeds.evaluation, indices: Array(0..<count), fullCaption: true)
        let images = pair.imageEmbeddings(World.batchTensor(ex.map(\.image)))
        let texts = pair.textEmbeddings(ex.map(\.caption.text), tokenizer: tokenizer)
        return Metrics.retrievalTop1(images: images, texts: texts, captions: ex.map(\.caption.text))
    }

    // MARK: - Attribute classifier

    /// `randomLooks`: the fraction of images (each decided by its own RNG stream) whose object's look is
    /// Look.random; their color has no label (the loss leaves it out), their class, pattern, context and
    /// style do.
    /// `distorted`: the fraction of images (again each by its own stream) drawn as a sample looks (`sampleLike`).
    public static func trainAttributes(
        _ model: AttributeClassifier, world: World, recipe: StageRecipe, randomLooks: Float = 0, distorted: Float = 0
    ) throws -> [LogRow] {
        try train("attribute classifier", model.network.parameters, recipe) { step in
            let indices = Array((step * recipe.batch)..<((step + 1) * recipe.batch))
            let scenes = indices.map { i in
                var scene = world.scene(.all, seed: Seeds.attributes, index: i)
                guard randomLooks > 0 else { return scene }
                var rng = RNG(seed: Seeds.attributes).split("attributes/look/\(i)")
                if rng.uniform() < randomLooks {
                    scene.look = Look.random(scene.pattern, paletteShare: 0.5, rng: &rng)
                    scene.color = nil
                }
                return scene
            }
            var images = world.render(scenes)
            if distorted > 0 {
                for (k, i) in indices.enumerated() {
                    var rng = RNG(seed: Seeds.attributes).split("attributes/distortion/\(i)")
                    if rng.uniform() < distorted { images[k] = sampleLike(images[k], rng: &rng) }
                }
            }
            let out = model.network(Variable(World.batchTensor(images)))
            return Attribute.allCases.map { a in
                Variable.crossEntropy(logits: AttributeClassifier.logits(out, a), labels: scenes.map(a.label(of:)))
            }.reduce(Variable(Tensor(0))) { $0 + $1 }
        }
    }

    /// A render (3, S, S) in [0, 1] drawn as a generated sample is: outlines that wobble, edges that are soft,
    /// pixels that are a little noisy. Samples of a fine-tuned model are all three, and a judge trained on
    /// crisp renders alone read a clear star as a heart and a tree as a house. Each of the three has its own
    /// random strength, up to: a smooth displacement of 1.2 pixels (bilinear between displacements drawn on a
    /// 5 × 5 grid), a blend of 0.8 toward the 3 × 3 mean, Gaussian noise of σ 0.04. Classes, patterns,
    /// colors, contexts and styles are all still what the scene says.
    public static func sampleLike(_ image: Tensor, rng: inout RNG) -> Tensor {
        let S = image.shape[1]
        let plane = S * S
        // The displacement field: (dy, dx) on a 5 × 5 grid of control points spanning the image.
        let grid = 5
        let amplitude = 1.2 * rng.uniform()
        let controls = (0..<(2 * grid * grid)).map { _ in amplitude * (2 * rng.uniform() - 1) }
        func displacement(_ component: Int, _ y: Int, _ x: Int) -> Float {
            let gy = Float(y) * Float(grid - 1) / Float(S - 1)
            let gx = Float(x) * Float(grid - 1) / Float(S - 1)
            let (y0, x0) = (min(Int(gy), grid - 2), min(Int(gx), grid - 2))
            let (fy, fx) = (gy - Float(y0), gx - Float(x0))
            func at(_ yy: Int, _ xx: Int) -> Float { controls[(component * grid + yy) * grid + xx] }
            return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1))
                + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1))
        }
        func pixel(_ c: Int, _ y: Int, _ x: Int) -> Float {
            image.scalars[c * plane + min(S - 1, max(0, y)) * S + min(S - 1, max(0, x))]
        }
        var warped = Tensor(zeros: image.shape)
        for y in 0..<S {
            for x in 0..<S {
                let sy = Float(y) + displacement(0, y, x)
                let sx = Float(x) + displacement(1, y, x)
                let (y0, x0) = (Int(sy.rounded(.down)), Int(sx.rounded(.down)))
                let (fy, fx) = (sy - Float(y0), sx - Float(x0))
                for c in 0..<3 {
                    warped.scalars[c * plane + y * S + x] =
                        (1 - fy) * ((1 - fx) * pixel(c, y0, x0) + fx * pixel(c, y0, x0 + 1))
                        + fy * ((1 - fx) * pixel(c, y0 + 1, x0) + fx * pixel(c, y0 + 1, x0 + 1))
                }
            }
        }
        let blur = 0.8 * rng.uniform()
        let noise = 0.04 * rng.uniform()
        var out = warped
        for c in 0..<3 {
            for y in 0..<S {
                for x in 0..<S {
                    var mean: Float = 0
                    for dy in -1...1 {
                        for dx in -1...1 {
                            mean +=
                                warped.scalars[c * plane + min(S - 1, max(0, y + dy)) * S + min(S - 1, max(0, x + dx))]
                        }
                    }
                    let i = c * plane + y * S + x
                    out.scalars[i] = min(
                        1, max(0, (1 - blur) * warped.scalars[i] + blur * mean / 9 + noise * rng.normal()))
                }
            }
        }
        return out
    }

    /// Accuracy of each attribute on held-out images (color only where it shows: not on sketches).
    public static func attributeAccuracy(_ model: AttributeClassifier, world: World, count: Int) -> [Attribute: Double]
    {
        let ex = world.examples(.heldout, seed: Seeds.evaluation, indices: Array(0..<count))
        let predictions = model.predict(World.batchTensor(ex.map(\.image)))
        var result: [Attribute: Double] = [:]
        for a in Attribute.allCases {
            let pairs = zip(ex, predictions).compactMap { e, p in a.label(of: e.scene).map { ($0, p[a]!) } }
            result[a] = Double(pairs.filter { $0.0 == $0.1 }.count) / Double(max(1, pairs.count))
        }
        return result
    }

    // MARK: - DINO analog

    /// A random view of an image: a crop of 60–100% of the area at a random place, resized back,
    /// brightness ±8%, Gaussian noise σ 0.03. No flips and no hue changes: a subject's look
    /// (which half is red) is what the judge must keep.
    public static func augmented(_ image: Tensor, rng: inout RNG) -> Tensor {
        let S = image.shape[1]
        let side = max(4, Int((Float(S) * (0.6 + 0.4 * rng.uniform()).squareRoot()).rounded()))
        let x0 = rng.randint(S - side + 1)
        let y0 = rng.randint(S - side + 1)
        var crop = Tensor(zeros: [3, side, side])
        for c in 0..<3 {
            for y in 0..<side {
                for x in 0..<side {
                    crop.scalars[(c * side + y) * side + x] = image.scalars[(c * S + y0 + y) * S + x0 + x]
                }
            }
        }
        var view = ImageOps.resize(crop, height: S, width: S)
        let gain = 1 + 0.16 * (rng.uniform() - 0.5)
        for i in view.scalars.indices {
            view.scalars[i] = Swift.min(1, Swift.max(0, view.scalars[i] * gain + 0.03 * rng.normal()))
        }
        return view
    }

    /// Two views of one object: the same class and look, placed anew (size, position, rotation)
    /// in a context drawn at random, then cropped and noised (`augmented`). The world can draw the
    /// same object twice, so the views differ where a photographer's would (background, framing)
    /// and agree on what the object is — the invariance subject fidelity needs. No labels are used.
    public static func views(of scene: Scene, world: World, rng: inout RNG) -> (Tensor, Tensor) {
        func view(_ rng: inout RNG) -> Tensor {
            var s = scene
            s.context = Context.allCases[rng.randint(Context.allCases.count)]
            s.style = .photo
            s = World.placed(s, rng: &rng)
            return augmented(world.render(s), rng: &rng)
        }
        return (view(&rng), view(&rng))
    }

    public static func trainDINO(_ model: DINOJudge, world: World, recipe: StageRecipe) throws -> [LogRow] {
        try train("DINO judge", model.network.parameters, recipe) { step in
            let B = recipe.batch
            let scenes = (0..<B).map { world.scene(.all, seed: Seeds.dino, index: step * B + $0) }
            var pairs = [(Tensor, Tensor)?](repeating: nil, count: B)
            pairs.withUnsafeMutableBufferPointer { buf in
                let b = buf
                Parallel.forEach(B) { i in
                    var rng = RNG(seed: Seeds.dino).split("views/\(step)/\(i)")
                    b[i] = views(of: scenes[i], world: world, rng: &rng)
                }
            }
            let both = pairs.map { $0!.0 } + pairs.map { $0!.1 }
            // NT-Xent (SimCLR): each view's positive is the other view of its object, among 2B − 1 others.
            let z = model.network(Variable(World.batchTensor(both))).rowNormalized()  // (2B, E)
            var mask = Tensor(zeros: [2 * B, 2 * B])
            var targets = Tensor(zeros: [2 * B, 2 * B])
            for i in 0..<(2 * B) {
                mask.scalars[i * 2 * B + i] = -1e4
                targets.scalars[i * 2 * B + (i + B) % (2 * B)] = 1
            }
            let logits = Variable.matmul(z, z, transposeB: true) * 10 + Variable(mask)  // temperature 0.1
            return Variable.crossEntropy(logits: logits, targets: targets)
        }
    }

    /// Class accuracy of the nearest training image (by DINO cosine) for held-out images.
    public static func nearestNeighbourClassAccuracy(_ model: DINOJudge, world: World, count: Int) -> Double {
        let reference = world.examples(.train, seed: Seeds.reference, indices: Array(0..<count))
        let queries = world.examples(.heldout, seed: Seeds.evaluation, indices: Array(0..<count))
        func label(_ e: Example) -> Int { ObjectClass.allCases.firstIndex(of: e.scene.objectClass)! }
        return Metrics.nearestNeighbourAccuracy(
            model.embed(World.batchTensor(queries.map(\.image))), labels: queries.map(label),
            reference: model.embed(World.batchTensor(reference.map(\.image))), referenceLabels: reference.map(label))
    }

    static func writeReport(_ values: [String: Double], to path: String) throws {
        let body = values.keys.sorted().map { "  \(jsonString($0)): \(String(format: "%.4f", values[$0]!))" }.joined(
            separator: ",\n")
        try writeAtomically(Data("{\n\(body)\n}\n".utf8), to: path)
    }
}
