// Chapter 06 — Rare-token identifiers: a word for the subject that means nothing yet
//
// What it builds: the first half of DreamBooth's recipe. The subject is named in the prompt by
// an identifier [V], "a [V] ball", and fine-tuning binds the subject's look to it. Which word?
// One the models have a weak prior for, so that fine-tuning does not have to unlearn a meaning
// first and nothing of an old meaning leaks into the result. This chapter picks identifiers as
// the paper does (§4.1: rare tokens of at most three characters, decoded from the vocabulary),
// shows why a common word or a random string is worse, and measures it: three DreamBooth runs on
// the split-ball, identical except for the identifier.
// Paper: DreamBooth §4.1 ("Designing Prompts for Few-Shot Personalization", "Rare-token Identifiers").
// Run:   make chapter N=06        (or .build/release/chapter06 [--quick] [--seed N] [--out DIR])
//        Reads the three runs' shipped results (Results/experiments/: metrics and samples, not
//        weights) in seconds; with --from-scratch it trains them, 1–2 minutes each on 2 cores,
//        cached in .experiments/ (chapters 07 and 08 reuse the "sks" run).
// Writes: Figures/06-rare-identifiers/ — vocabulary-band, identifier-embeddings, prior-before,
//         identifier-metrics, identifier-grid, green-star (what fine-tuning did to the word "green").

import ChapterSupport
import DreamBooth
import Evaluation
import Experiments
import Foundation
import ImageIO
import Models
import Plotting
import Pretraining
import TensorCore
import ToyWorld

let options = ChapterOptions(
    chapter: "06-rare-identifiers", title: "rare-token identifiers",
    summary: "rare-token identifiers: picked from the vocabulary, compared with a common word and a random string")
let figures = FigureWriter(directory: options.outputDirectory)
let study = Study.forChapter(
    "06", quick: options.quick, fromScratch: options.fromScratch, quickWork: options.path("work"))
let base = try TextToImagePipeline(folder: study.runner.base)
let tokenizer = base.tokenizer
let check = ChapterChecks(chapter: "06")

// MARK: - 1. Where identifiers come from
//
// The pretraining captions use 34 of the vocabulary's 8,192 tokens (chapter 04); of the other 8,158,
// two are the special tokens, and 8,156 are the byte-level base tokens (single letters among them) and
// the words and pieces the merges learned from the English word list they were also trained on. A
// candidate identifier is a whole word (a token ending in </w>) of at most three lowercase letters
// that no caption uses and that the tokenizer keeps as one token when written alone. The paper takes
// them from a band of ids (T5's 5000–10000 of 32,000); here the band is simply the later 70 % of ids,
// the later merges. Our text encoder read nothing but captions, so to it every candidate is equally
// new — "use" as much as "sks": the band matters for a text encoder that had read the web, not for
// ours.
let world = World()
let captions = (0..<5000).map { i -> String in
    var rng = RNG(seed: 11).split("caption/\(i)")
    return Captions.caption(for: world.scene(.train, seed: 11, index: i), rng: &rng).text
}
let counts = Identifiers.tokenCounts(tokenizer, captions: captions)
let candidates = Identifiers.rareCandidates(tokenizer, captions: captions)
let band = Identifiers.rareBand(candidates, vocabularySize: tokenizer.vocabularySize)
print("Tokens used by 5,000 captions: \(counts.count) of \(tokenizer.vocabularySize)")
print("Candidates (≤ 3 letters, one token, never in a caption): \(candidates.count); in the rare band: \(band.count)")
print("  e.g. " + band.prefix(16).map(\.text).joined(separator: " "))
check(band.contains { $0.text == "sks" }, "\"sks\", the identifier diffusers' examples use, is a candidate here too")

// The figure: every vocabulary id, its count in the captions (log scale), the candidates marked.
let used = counts.sorted { $0.key < $1.key }
try figures.scatter(
    "vocabulary-band",
    [
        Series("caption tokens (count)", x: used.map { Double($0.key) }, y: used.map { Double($0.value) }),
        Series("candidates (count 0, at 0.5)", x: candidates.map { Double($0.id) }, y: candidates.map { _ in 0.5 }),
    ],
    style: PlotStyle(
        title: "Caption tokens are a handful of ids; identifiers come from the unused rest", xlabel: "token id",
        ylabel: "occurrences",
        logY: true,
        extra: [
            "set key top right inside", "set format y '%g'", "set yrange [0.3:1e5]",
            "set xrange [0:\(tokenizer.vocabularySize)]",
            "set arrow from \(Int(Double(tokenizer.vocabularySize) * 0.3)),0.3 to "
                + "\(Int(Double(tokenizer.vocabularySize) * 0.3)),1e5 nohead dt 2 lc rgb 'gray40'",
            "set label 'rare band →' at \(Int(Double(tokenizer.vocabularySize) * 0.31)),3e4 tc rgb 'gray30'",
        ]), pointSize: 0.8)

// MARK: - 2. Three kinds of identifier, through the frozen text encoder
//
//   rare token      "sks": one token the text encoder never saw in training
//   common word     "green": one token with a meaning, a color the split-ball does not have
//   random string   "xqzt": four tokens (x · q · z · t), single letters no caption uses either
// Γ("a [V] ball") — the text encoder's output the UNet reads — says how far each identifier moves
// the condition before any fine-tuning: a rare token barely moves it off "a ball", a color moves
// it as far as the color means, and a random string, four unseen tokens instead of one, moves it in a
// direction nobody chose (a longer sequence of tokens the encoder never learned).
let kinds: [(label: String, identifier: String)] = [
    ("rare token", "sks"), ("common word", "green"), ("random string", "xqzt"),
]
for k in kinds {
    let pieces = tokenizer.tokenize(k.identifier)
    print("  \(k.label): \"\(k.identifier)\" → \(pieces.count) token\(pieces.count == 1 ? "" : "s") \(pieces)")
}
func condition(_ prompt: String) -> [Float] {
    let h = Variable.withoutGradients { base.textEncoder(tokenizer([prompt])).lastHiddenState }.value  // (1, L, D)
    return h.scalars  // the whole sequence: what cross-attention reads
}
func distance(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
}
let plain = condition("a ball")
let rareSample = Array(band.prefix(12)).map(\.text)
let groups: [(String, [String])] = [
    ("rare tokens", rareSample),
    ("colors", ColorName.allCases.map(\.rawValue)),
    ("patterns", ["striped", "dotted", "checkered"]),
    ("random strings", ["xqzt", "vbnq", "zzrk", "qwpf", "jxlo", "kvtz"]),
]
var distanceRows: [String] = []
var projected: [Series] = []
// A 2-D projection: the two directions of largest variance (power iteration) over all conditions.
let allPrompts = groups.flatMap { g in g.1.map { "a \($0) ball" } }
let X = allPrompts.map(condition)
let mean = (0..<X[0].count).map { j in X.reduce(0.0) { $0 + Double($1[j]) } / Double(X.count) }
func principal(_ k: Int, orthogonalTo previous: [[Double]]) -> [Double] {
    var v = (0..<mean.count).map { Double(($0 * 7919 + k * 104_729) % 97) - 48 }
    for _ in 0..<100 {
        var w = [Double](repeating: 0, count: v.count)
        for x in X {
            let c = zip(x, mean).map { Double($0) - $1 }
            let dot = zip(c, v).reduce(0) { $0 + $1.0 * $1.1 }
            for j in w.indices { w[j] += dot * c[j] }
        }
        for p in previous {
            let d = zip(w, p).reduce(0) { $0 + $1.0 * $1.1 }
            for j in w.indices { w[j] -= d * p[j] }
        }
        let n = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        v = w.map { $0 / n }
    }
    return v
}
let pc1 = principal(1, orthogonalTo: [])
let pc2 = principal(2, orthogonalTo: [pc1])
func project(_ x: [Float]) -> (Double, Double) {
    let c = zip(x, mean).map { Double($0) - $1 }
    return (zip(c, pc1).reduce(0) { $0 + $1.0 * $1.1 }, zip(c, pc2).reduce(0) { $0 + $1.0 * $1.1 })
}
for (name, words) in groups {
    let d = words.map { distance(condition("a \($0) ball"), plain) }
    distanceRows.append(
        String(
            format: "  %-15@ mean ‖Γ(\"a [V] ball\") − Γ(\"a ball\")‖ = %.2f", name as NSString,
            d.reduce(0, +) / Double(d.count)))
    let pts = words.map { project(condition("a \($0) ball")) }
    projected.append(Series(name, x: pts.map(\.0), y: pts.map(\.1)))
}
let p0 = project(plain)
projected.append(Series("\"a ball\"", x: [p0.0], y: [p0.1], with: "points pt 6 ps 2.5 lw 2 lc rgb 'black'"))
print("\nHow far the identifier moves the condition the UNet reads (before fine-tuning):")
distanceRows.forEach { print($0) }
try figures.scatter(
    "identifier-embeddings", projected,
    style: PlotStyle(
        title: "Γ(\"a [V] ball\"), two principal directions: rare tokens sit by \"a ball\", colors spread out",
        xlabel: "first principal direction", ylabel: "second principal direction",
        extra: ["set key below", "set size ratio -1"]), pointSize: 1.2)
let meanDistance = { (words: [String]) in
    words.map { distance(condition("a \($0) ball"), plain) }.reduce(0, +) / Double(words.count)
}
check(
    meanDistance(rareSample) < meanDistance(ColorName.allCases.map(\.rawValue)),
    "rare tokens move the condition less than color words do")

// MARK: - 3. The prior each identifier brings, before fine-tuning
//
// What the base model draws for "a [V] ball" is the prior fine-tuning starts from. The judges say
// which color it shows: "green" makes the ball green every time; "sks" and "xqzt" leave the color to
// chance (the world has 8 colors, so about 1 sample in 8 is green by chance). One sample per context.
print("\nBefore fine-tuning, what the base model draws for \"a [V] ball\" (the judged colors of its samples):")
var beforeImages: [Tensor] = []
var beforeTitles: [String] = []
var greenBefore: [String: Double] = [:]
for k in kinds {
    var spec = RunSpec()
    spec.identifier = k.identifier
    let before = try study.baseline(spec)
    let recontext = before.prompts.indices.filter { before.prompts[$0].kind == .recontextualization }
    let n = study.evaluator.samplesPerPrompt
    let images = recontext.flatMap { p in before.images[(p * n)..<((p + 1) * n)] }
    let judged = study.judges.attributes.predict(World.batchTensor(images))
    let green =
        Double(judged.filter { $0[.color] == ColorName.allCases.firstIndex(of: .green) }.count) / Double(judged.count)
    greenBefore[k.identifier] = green
    print(
        String(
            format: "  %-8@ judged green %.0f %% of %d samples (recontextualization prompts)", k.identifier as NSString,
            100 * green, images.count))
    let onePerContext = recontext.map { before.images[$0 * n] }
    beforeImages += onePerContext
    beforeTitles += recontext.map { "a \(k.identifier) ball, \(before.prompts[$0].context!.rawValue)" }
}
try figures.imageGrid(
    "prior-before", enlarged(beforeImages), titles: beforeTitles, columns: 6,
    title: "Before fine-tuning, \"a [V] ball in …\" (rows: "
        + kinds.map {
            String(format: "%@ judged green %.0f %%", $0.identifier as NSString, 100 * greenBefore[$0.identifier]!)
        }.joined(separator: ", ")
        + "): a color word already paints the ball", cellSize: 150)

// MARK: - 4. The experiment: the same DreamBooth run with three identifiers
//
// Each run is the trainer's default (4 instance images, prior preservation with 100 class
// images, 600 steps, and pivotal tuning: the identifier's own embedding row trained with the UNet,
// at 5e-3, as in diffusers' advanced DreamBooth script): only the identifier differs. Measured on 12
// prompts × 4 samples each:
// subject fidelity (DINO, CLIP-I: mean cosine between generated and real photos in the two
// judges' embeddings), whether the look is kept (the look judge: a vote among rendered references
// of the subject and of ordinary balls), whether the context is the one asked for (the attribute
// judge), DIV (diversity among one prompt's samples), and in the table the leak: the share of
// samples judged green. Higher fidelity is not better on its own: a model that redraws the
// instance photos scores high on DINO and fails the context. (The split-ball's property prompts
// ask for "a green [V] ball", which for the "green" run reads "a green green ball".)
print("\nDreamBooth on the split-ball with each identifier:")
var rows: [(String, StudyResult)] = []
for k in kinds {
    var spec = RunSpec()
    spec.identifier = k.identifier
    let r = try study.result(spec)
    rows.append((k.label + " (" + k.identifier + ")", r))
}
func greenShare(_ r: StudyResult) -> Double {
    let n = study.evaluator.samplesPerPrompt
    let idx = r.prompts.indices.filter { r.prompts[$0].kind == .recontextualization }.flatMap { p in
        (p * n)..<((p + 1) * n)
    }
    let judged = study.judges.attributes.predict(World.batchTensor(idx.map { r.images[$0] }))
    return Double(judged.filter { $0[.color] == ColorName.allCases.firstIndex(of: .green) }.count)
        / Double(judged.count)
}
var table = [
    "| identifier | DINO | CLIP-I | look kept | context | DIV | judged green | train s |",
    "|---|---|---|---|---|---|---|---|",
]
for (label, r) in rows {
    let m = r.metrics
    table.append(
        String(
            format: "| %@ | %.3f | %.3f | %.2f | %.2f | %.3f | %.2f | %.0f |", label, m.dino, m.clipI, m.lookKept,
            m.contextMatch, m.div, greenShare(r), r.record.seconds))
}
print(table.joined(separator: "\n"))
try figures.bars(
    "identifier-metrics", labels: ["DINO", "CLIP-I", "look kept", "context as asked", "DIV"],
    series: rows.map { label, r in
        (label, [r.metrics.dino, r.metrics.clipI, r.metrics.lookKept, r.metrics.contextMatch, r.metrics.div])
    },
    style: PlotStyle(
        title: "Same run, three identifiers: look kept "
            + rows.map { String(format: "%@ %.2f", $0.1.spec.identifier as NSString, $0.1.metrics.lookKept) }.joined(
                separator: ", ") + "; DIV "
            + rows.map { String(format: "%@ %.2f", $0.1.spec.identifier as NSString, $0.1.metrics.div) }.joined(
                separator: ", "),
        ylabel: "score",
        extra: ["set yrange [0:1.05]", "set key below"]))
// The same prompts with the same seeds as prior-before: each cell is the base model's sample there,
// after fine-tuning.
var gridImages: [Tensor] = []
var gridTitles: [String] = []
for (label, r) in rows {
    let n = study.evaluator.samplesPerPrompt
    for (p, prompt) in r.prompts.enumerated() where prompt.kind == .recontextualization {
        gridImages.append(r.images[p * n])
        gridTitles.append(p == 0 ? "\(r.spec.identifier): \(prompt.context!.rawValue)" : prompt.context!.rawValue)
    }
}
try figures.imageGrid(
    "identifier-grid", enlarged(gridImages), titles: gridTitles, columns: Context.allCases.count,
    title: "\"a [V] ball in …\" after fine-tuning, the six contexts; the asked context drawn: "
        + rows.map { String(format: "%@ %.0f%%", $0.1.spec.identifier as NSString, 100 * $0.1.metrics.contextMatch) }
        .joined(separator: ", "), cellSize: 150)

// What the three runs say (identifier-metrics, identifier-grid). One run each: between seeds, look
// kept moves by about ±0.1 (README, "What limits the subject's look", item 6), so the gap between
// "sks" and "green" (0.61, 0.71) is within one seed's noise; "xqzt", at 0.46, keeps less. All three
// draw the contexts asked for (0.96–1.00). "sks" and "green" lose the look most on water and at night
// ("sks" 0.25 in both, "green" 0.50 in both), the two contexts none of the four training photos shows (a plain
// ball there, red or orange); "xqzt" loses it at night (0.00) and on grass (0.25), a photo's context.
// The rare token's samples are the least varied (DIV) and the closest to the photos (DINO): "sks"
// meant nothing, so all the subject's look goes into it. "green" keeps more variety. "xqzt" spreads
// the subject over four unseen tokens. The difference that is not noise is the next section's: what
// fine-tuning takes away from a word that meant something.

// MARK: - 5. What fine-tuning did to the word
//
// The other side of a common word: after fine-tuning, does "green" still mean green elsewhere?
// Each run's model is asked for "a green star" (a class the subject never was); the share judged
// green says how much of the word's meaning survived. The rare token had none to lose. Note how
// directly the common word is hit here: the trainer's pivotal tuning trains the identifier's own
// embedding row, so in the "green" run it is the row of "green" itself that is rewritten to mean the
// split-ball, and every prompt with the word reads the new row.
// (Sampled once from each run's weights, then cached and shipped with its results.)
print("\nAfter fine-tuning, \"a green star\" from each run's model (the share judged green):")
let probe = options.quick ? 2 : 16
var stillGreen: [Double] = []
for (k, (label, _)) in zip(kinds, rows) {
    var spec = RunSpec()
    spec.identifier = k.identifier
    let stars = try study.images("runs/\(study.runner.key(spec))/probe-a-green-star-\(probe)-seed99.png") {
        let (model, _) = try study.runner.pipeline(spec)
        return model.images(
            [String](repeating: "a green star", count: probe), steps: study.evaluator.steps,
            guidance: study.evaluator.guidance, sampler: study.evaluator.sampler, seed: 99)
    }
    let judged = study.judges.attributes.predict(World.batchTensor(stars))
    let share = Double(judged.filter { $0[.color] == ColorName.allCases.firstIndex(of: .green) }.count) / Double(probe)
    stillGreen.append(share)
    print(String(format: "  %-22@ %.2f", label as NSString, share))
}
let baseStars = base.images(
    [String](repeating: "a green star", count: probe), steps: study.evaluator.steps, guidance: study.evaluator.guidance,
    sampler: study.evaluator.sampler, seed: 99)
let baseGreen =
    Double(
        study.judges.attributes.predict(World.batchTensor(baseStars)).filter {
            $0[.color] == ColorName.allCases.firstIndex(of: .green)
        }.count) / Double(probe)
print(String(format: "  %-22@ %.2f", "base model" as NSString, baseGreen))
try figures.bars(
    "green-star", labels: ["base model"] + kinds.map { "after the \($0.identifier) run" },
    series: [("share of \(probe) samples of \"a green star\" judged green", [baseGreen] + stillGreen)],
    style: PlotStyle(
        title: String(
            format:
                "\"a green star\" after each run: green %.0f%% after the \"green\" run, %.0f%% after \"sks\" "
                + "(base %.0f%%)",
            100 * stillGreen[1], 100 * stillGreen[0], 100 * baseGreen),
        ylabel: "share judged green", extra: ["set yrange [0:1.05]", "set key below", "set xtics norotate"]))
if !options.quick {
    let rare = rows[0].1.metrics
    let common = rows[1].1.metrics
    print(
        String(
            format:
                "\nThe common word against the rare token: look kept %.2f vs %.2f, context as asked %.2f vs %.2f, "
                + "DIV %.3f vs %.3f;",
            common.lookKept, rare.lookKept, common.contextMatch, rare.contextMatch, common.div, rare.div))
    print(
        String(
            format:
                "\"a green star\" is still green %.0f %% of the time after the green run, %.0f %% after the sks run "
                + "(base model %.0f %%).",
            100 * stillGreen[1], 100 * stillGreen[0], 100 * baseGreen))
}
check.finish()
