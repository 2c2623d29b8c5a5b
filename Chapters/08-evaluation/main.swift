// Chapter 08 — DreamBooth end to end: the paper's applications and its evaluation in miniature
//
// What it builds: nothing new — it uses everything. Each of the three built-in subjects is
// fine-tuned with the trainer's defaults (4 photos, "a sks <noun>", prior preservation with 100
// class images, 600 steps) and then asked for what the paper asks of it: recontextualization
// (every context), property modification (two other colors, two other patterns) and art
// renditions (a sketch, a painting), 4 samples per prompt. The paper's tables are then remade
// with judges that know the ground truth, which no published DreamBooth evaluation can do:
//   Table 1  real images / DreamBooth / textual inversion       (DINO, CLIP-I, CLIP-T)
//   Table 3  with and without prior preservation                (PRES, DIV)
//   Table 4  correct, wrong and no class noun                   (DINO, CLIP-I)
//   Fig. 20  one to five input images;  training the text encoder or not
// Paper: DreamBooth §4 (experiments), Tables 1, 3, 4, appendix Fig. 20; §5 (limitations).
// Run:   make chapter N=08        (or .build/release/chapter08 [--quick] [--seed N] [--out DIR])
//        Reads its runs' shipped results (Results/experiments/) in seconds. With --from-scratch
//        it trains them: 20 fine-tuning runs (two shared with chapters 06–07), 21 minutes on 2 cores,
//        cached in .experiments/ by a key of their inputs.
// Writes: Figures/08-evaluation/ — recontextualization, property-modification, art-renditions,
//         table1, table3, table4, input-images, text-encoder, limitations.

import ChapterSupport
import DreamBooth
import Evaluation
import Experiments
import Foundation
import ImageIO
import Models
import Plotting
import TensorCore
import ToyWorld

let options = ChapterOptions(
    chapter: "08-evaluation", title: "DreamBooth end to end, evaluated",
    summary: "DreamBooth on every subject, the paper's applications and tables measured with the judges")
let figures = FigureWriter(directory: options.outputDirectory)
let study = Study.forChapter(
    "08", quick: options.quick, fromScratch: options.fromScratch, quickWork: options.path("work"))
let t0 = Date()
let check = ChapterChecks(chapter: "08")
func mean(_ xs: [Double]) -> Double {
    let v = xs.filter { !$0.isNaN }
    return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
}
let n = study.evaluator.samplesPerPrompt
let subjects = options.quick ? [Subject.all[0], Subject.all[1]] : Subject.all
func spec(_ subject: Subject, _ change: (inout RunSpec) -> Void = { _ in }) -> RunSpec {
    var s = RunSpec()
    s.subject = subject.name
    change(&s)
    return s
}
/// A table as printed output; its figure is a plot (below each).
func printTable(_ lines: [String]) { print("\n" + lines.joined(separator: "\n")) }
/// A bar for one metric over the subjects' runs: the mean, the range from the lowest subject to the
/// highest (n = the number of subjects), and the paper's value as a mark where it has one.
func bar(_ runs: [StudyResult], _ metric: (RunMetrics) -> Double, paper: Double? = nil) -> FigureWriter.Bar {
    let values = runs.map { metric($0.metrics) }.filter { !$0.isNaN }
    guard let lo = values.min(), let hi = values.max() else { return FigureWriter.Bar(.nan, mark: paper) }
    return FigureWriter.Bar(mean(values), range: runs.count > 1 ? lo...hi : nil, mark: paper)
}
let rangeNote = "score (bars: mean of \(subjects.count) subjects; whiskers: lowest to highest)"
func f3(_ x: Double) -> String { x.isNaN ? "–" : String(format: "%.3f", x) }

// MARK: - 1. DreamBooth on each subject: the applications
//
// The default run per subject, and its samples laid out as the paper's figures: rows are
// subjects, columns prompts.
let dreambooth = try subjects.map { try study.result(spec($0)) }
func grid(_ name: String, kind: SubjectPrompt.Kind, title: String) throws {
    var images: [Tensor] = []
    var titles: [String] = []
    var columns = 0
    for (s, r) in zip(subjects, dreambooth) {
        let picked = r.prompts.indices.filter { r.prompts[$0].kind == kind }
        columns = picked.count + 1
        images.append(study.evaluator.realImages(s).slice(rows: 0..<1).reshaped([3, 32, 32]) * 0.5 + 0.5)
        titles.append(s.name + " (real)")
        for p in picked {
            images.append(r.images[p * n])
            titles.append(
                r.prompts[p].judgeText.replacingOccurrences(of: "a \(s.objectClass.rawValue) ", with: "")
                    .replacingOccurrences(of: " \(s.objectClass.rawValue)", with: "").replacingOccurrences(
                        of: " of a", with: ""))  // "a sketch of a ball" → "a sketch"
        }
    }
    try figures.imageGrid(
        name, enlarged(images), titles: titles, columns: columns, title: title, cellSize: columns <= 3 ? 200 : 130)
}
let contextShares = zip(subjects, dreambooth).map {
    String(format: "%@ %.0f %%", $0.name as NSString, 100 * $1.metrics.contextMatch)
}.joined(separator: ", ")
try grid(
    "recontextualization", kind: .recontextualization,
    title: "Recontextualization, \"a sks <noun> <context>\" (first column: a real photo); context as asked: "
        + contextShares)
try grid("property-modification", kind: .property, title: "\"a <color or pattern> sks <noun>\": the look should change")
try grid("art-renditions", kind: .art, title: "\"a sketch / painting of a sks <noun>\"")

// What the grids show. Every subject is drawn in nearly every context asked for (context as asked
// 1.00, 0.96, 0.83), and keeps its look in most samples (0.61, 0.89, 1.00). Two failures are
// worth a look. The split-ball loses its blue half on water and at night (look kept 0.25 in both):
// the base model draws blue balls on water and at night without trouble, so the fine-tuning lost
// it there, in the two contexts whose backgrounds are blue and which none of its four training photos
// shows. The
// dotted box "in snow" comes out as asked in only one sample of four; the others are drawn on its
// photos' backgrounds (section 6 shows one). The teal cup is now an ordinary case (an earlier,
// pixel-space base model collapsed it into one dark scene for every prompt; the README keeps that
// history).
// Property modification mostly fails (property changed 0.25, 0.00, 0.00): "a green sks ball" is
// usually the split-ball, red and blue. Fine-tuning has bound the subject's colors to the
// identifier more strongly than a color word can override; the paper's Imagen and Stable Diffusion
// runs change colors, ours rarely do. Art renditions keep their style for all three subjects.
var perSubject = [
    "| subject | DINO | CLIP-I | CLIP-T | look kept | class kept | context | property | style | train s |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
for (s, r) in zip(subjects, dreambooth) {
    let m = r.metrics
    perSubject.append(
        "| \(s.name) | \(f3(m.dino)) | \(f3(m.clipI)) | \(f3(m.clipT)) | \(f3(m.lookKept)) | \(f3(m.classKept)) | "
            + "\(f3(m.contextMatch)) | \(f3(m.propertyChanged)) | \(f3(m.styleMatch)) | \(Int(r.record.seconds)) |"
    )
}
print("DreamBooth, per subject (judged columns: the world's judges):")
print(perSubject.joined(separator: "\n"))

// MARK: - 2. Table 1: real images, DreamBooth, textual inversion
//
// Real images: each subject's five photos (its four training photos and the held-out fifth, chapter
// 04) against each other: the ceiling of DINO and CLIP-I.
// Textual inversion learns one token embedding ("a sks") and leaves the UNet alone. The paper's three
// measures: DINO and CLIP-I, the mean cosine between generated and real photos of the subject in the
// DINO and CLIP judges' image embeddings (subject fidelity); CLIP-T, the mean cosine between a sample
// and its prompt's text in the CLIP judge's embeddings, the identifier left out (prompt fidelity).
let inversion = try subjects.map {
    try study.result(
        spec($0) {
            $0.method = .textualInversion
            $0.priorPreservation = false
        })
}
let real = subjects.map { study.evaluator.realAgainstReal($0) }
let t1 = [
    ("real images", mean(real.map(\.dino)), mean(real.map(\.clipI)), Double.nan, Double.nan),
    (
        "DreamBooth", mean(dreambooth.map(\.metrics.dino)), mean(dreambooth.map(\.metrics.clipI)),
        mean(dreambooth.map(\.metrics.clipT)), mean(dreambooth.map(\.metrics.lookKept))
    ),
    (
        "textual inversion", mean(inversion.map(\.metrics.dino)), mean(inversion.map(\.metrics.clipI)),
        mean(inversion.map(\.metrics.clipT)), mean(inversion.map(\.metrics.lookKept))
    ),
]
let paper1: [String: (Double, Double, Double)] = [
    "real images": (0.774, 0.885, .nan), "DreamBooth": (0.668, 0.803, 0.305),
    "textual inversion": (0.569, 0.780, 0.255),
]
var lines1 = [
    "| method | DINO | CLIP-I | CLIP-T | look kept (judged) | paper DINO / CLIP-I / CLIP-T (SD) |",
    "|---|---|---|---|---|---|",
]
for (name, d, c, t, l) in t1 {
    let p = paper1[name]!
    lines1.append("| \(name) | \(f3(d)) | \(f3(c)) | \(f3(t)) | \(f3(l)) | \(f3(p.0)) / \(f3(p.1)) / \(f3(p.2)) |")
}
let order1 = t1[0].1 > t1[1].1 && t1[1].1 > t1[2].1
lines1.append(
    "ordering real > DreamBooth > textual inversion (DINO): \(order1 ? "matches" : "does not match") the paper's")
printTable(lines1)
// What it shows: the paper's ordering, real photos > DreamBooth > textual inversion, on DINO and
// CLIP-I, with our DINO higher for real photos (0.97 against the paper's 0.77: the world draws a
// subject exactly alike in every photo; CLIP-I 0.82 against 0.885) and far lower for textual
// inversion: one 64-number embedding read by a 3-layer text encoder keeps none of a look the base
// model cannot already draw (look kept 0.00). CLIP-T is
// reversed, as it was on the pixel base: textual inversion's samples follow the prompt's other words
// (context, style) and not the subject, which is what CLIP-T rewards.
let realBars = ["DINO": real.map(\.dino), "CLIP-I": real.map(\.clipI)]
try figures.groupedBars(
    "table1", labels: ["DINO", "CLIP-I", "CLIP-T", "look kept (judged)"],
    series: [
        (
            "real images",
            ["DINO", "CLIP-I"].map { k in
                FigureWriter.Bar(
                    mean(realBars[k]!), range: realBars[k]!.min()!...realBars[k]!.max()!,
                    mark: k == "DINO" ? paper1["real images"]!.0 : paper1["real images"]!.1)
            } + [FigureWriter.Bar(.nan), FigureWriter.Bar(.nan)]
        ),
        (
            "DreamBooth",
            [
                bar(dreambooth, \.dino, paper: 0.668), bar(dreambooth, \.clipI, paper: 0.803),
                bar(dreambooth, \.clipT, paper: 0.305), bar(dreambooth, \.lookKept),
            ]
        ),
        (
            "textual inversion",
            [
                bar(inversion, \.dino, paper: 0.569), bar(inversion, \.clipI, paper: 0.780),
                bar(inversion, \.clipT, paper: 0.255), bar(inversion, \.lookKept),
            ]
        ),
    ], markTitle: "the paper's Table 1 (Stable Diffusion)",
    style: PlotStyle(
        title: String(
            format: "Table 1 in miniature: DINO real %.2f, DreamBooth %.2f, textual inversion %.2f", t1[0].1,
            t1[1].1, t1[2].1),
        ylabel: rangeNote, extra: ["set yrange [0:1.1]"]))

// MARK: - 3. Table 3: prior preservation
// Without the prior the trainer would also drop pivotal tuning (it needs a class prompt); it is kept
// on here, so that with and without differ in the prior term alone (chapter 07).
let noPrior = try subjects.map {
    try study.result(
        spec($0) {
            $0.priorPreservation = false
            $0.pivotalTuning = true
        })
}
var lines3 = ["| run | PRES ↓ | drift (judged) ↓ | DIV ↑ | DINO | paper PRES / DIV |", "|---|---|---|---|---|---|"]
lines3.append(
    "| with prior preservation | \(f3(mean(dreambooth.map(\.metrics.pres)))) | "
        + "\(f3(mean(dreambooth.map(\.metrics.drift)))) | \(f3(mean(dreambooth.map(\.metrics.div)))) | "
        + "\(f3(mean(dreambooth.map(\.metrics.dino)))) | 0.493 / 0.391 |"
)
lines3.append(
    "| without | \(f3(mean(noPrior.map(\.metrics.pres)))) | \(f3(mean(noPrior.map(\.metrics.drift)))) | "
        + "\(f3(mean(noPrior.map(\.metrics.div)))) | \(f3(mean(noPrior.map(\.metrics.dino)))) | 0.664 / 0.371 |"
)
let presOrder = mean(dreambooth.map(\.metrics.pres)) < mean(noPrior.map(\.metrics.pres))
let divOrder = mean(dreambooth.map(\.metrics.div)) > mean(noPrior.map(\.metrics.div))
lines3.append(
    "PRES lower with the prior: \(presOrder ? "matches" : "does not match"); DIV higher with it: "
        + "\(divOrder ? "matches" : "does not match")"
)
printTable(lines3)
// The base model with the same prompts, before any fine-tuning: the level of no drift.
let baselines = try subjects.map { try study.baseline(spec($0)) }
try figures.groupedBars(
    "table3", labels: ["PRES", "drift (judged)", "DIV", "DINO"],
    series: [
        (
            "base model",
            [bar(baselines, \.pres), bar(baselines, \.drift), bar(baselines, \.div), bar(baselines, \.dino)]
        ),
        (
            "with prior preservation",
            [
                bar(dreambooth, \.pres, paper: 0.493), bar(dreambooth, \.drift), bar(dreambooth, \.div, paper: 0.391),
                bar(dreambooth, \.dino),
            ]
        ),
        (
            "without",
            [
                bar(noPrior, \.pres, paper: 0.664), bar(noPrior, \.drift), bar(noPrior, \.div, paper: 0.371),
                bar(noPrior, \.dino),
            ]
        ),
    ], markTitle: "the paper's Table 3 (Imagen)",
    style: PlotStyle(
        title: String(
            format: "Table 3 in miniature: the prior takes PRES from %.2f to %.2f (base %.2f), DIV from %.2f to %.2f",
            mean(noPrior.map(\.metrics.pres)), mean(dreambooth.map(\.metrics.pres)),
            mean(baselines.map(\.metrics.pres)),
            mean(noPrior.map(\.metrics.div)), mean(dreambooth.map(\.metrics.div))),
        ylabel: rangeNote, extra: ["set yrange [0:1.1]"]))

// What it shows: the paper's orderings (PRES lower with the prior, DIV higher), and one thing the
// paper's table cannot show: with the prior, PRES falls below the base model's own level — the
// fine-tuned model's "a NOUN" looks less like the subject than the base's did (chapter 07 says why).

// MARK: - 4. Table 4: the class noun
// A wrong noun is another class of the world (its prior is that class's). With no noun there is
// no class prompt, so that run cannot use the prior term: it trains on the four photos alone. The
// prior term itself moves DINO (Table 3), so "no noun" is compared with the correct noun *without*
// the prior (Table 3's runs) as well as with the default: only that pair differs in the noun alone.
let wrong = try subjects.map { s in try study.result(spec(s) { $0.noun = s.wrongNoun.rawValue }) }
let none = try subjects.map {
    try study.result(
        spec($0) {
            $0.noun = ""
            $0.pivotalTuning = true  // as the other rows: the identifier's row trained
        })
}
var lines4 = [
    "| class noun | prior term | DINO | CLIP-I | look kept | class kept | paper DINO / CLIP-I |",
    "|---|---|---|---|---|---|---|",
]
let table4: [(String, String, [StudyResult], (Double, Double)?)] = [
    ("correct", "yes", dreambooth, (0.744, 0.853)), ("correct", "no", noPrior, nil),
    ("wrong", "yes", wrong, (0.454, 0.728)),
    ("none", "no (no class prompt)", none, (0.303, 0.607)),
]
for (name, prior, rows, paper) in table4 {
    lines4.append(
        "| \(name) | \(prior) | \(f3(mean(rows.map(\.metrics.dino)))) | \(f3(mean(rows.map(\.metrics.clipI)))) | "
            + "\(f3(mean(rows.map(\.metrics.lookKept)))) | \(f3(mean(rows.map(\.metrics.classKept)))) | "
            + "\(paper.map { "\(f3($0.0)) / \(f3($0.1))" } ?? "–") |"
    )
}
let d4 = [dreambooth, wrong, none, noPrior].map { mean($0.map(\.metrics.dino)) }
lines4.append(
    "ordering correct > wrong > none (DINO): \(d4[0] > d4[1] && d4[1] > d4[2] ? "matches" : "does not match") the "
        + "paper's; none against correct without the prior: \(f3(d4[2])) against \(f3(d4[3]))"
)
printTable(lines4)
try figures.groupedBars(
    "table4", labels: ["DINO", "CLIP-I", "look kept (judged)", "class kept (judged)"],
    series: table4.map { name, prior, rows, paper in
        (
            "\(name == "none" ? "no" : name) noun, \(prior.hasPrefix("yes") ? "with" : "without") the prior",
            [
                bar(rows, \.dino, paper: paper?.0), bar(rows, \.clipI, paper: paper?.1), bar(rows, \.lookKept),
                bar(rows, \.classKept),
            ]
        )
    }, markTitle: "the paper's Table 4 (Imagen)",
    style: PlotStyle(
        title: String(
            format: "Table 4 in miniature: DINO correct %.2f, wrong %.2f, none %.2f; correct without the prior %.2f",
            d4[0], d4[1], d4[2], d4[3]),
        ylabel: rangeNote, extra: ["set yrange [0:1.1]"]))

// What it shows: the paper's ordering, correct > wrong > none (DINO 0.85, 0.82, 0.81), but with
// gaps a tenth of the paper's (0.74, 0.45, 0.30). The fair pair, correct noun and none, both without
// the prior: 0.84 against 0.81, and class kept 1.00 against 0.92. Every run trains the identifier's
// own embedding row (pivotal tuning), and 600 steps on four photos bind the look to that row
// whatever noun stands beside it, so the noun matters little to the look (look kept is in fact
// highest with no noun, 0.93, and with the correct noun without the prior, 0.89: the prior term
// costs some of the look, as chapter 07's λ sweep shows). What the noun still does is keep the class.

// MARK: - 5. How many input images; training the text encoder
let first = subjects[0]
let counts = options.quick ? [1, 4] : [1, 2, 3, 4, 5]
let byCount = try counts.map { c in c == 4 ? dreambooth[0] : try study.result(spec(first) { $0.images = c }) }
try figures.lines(
    "input-images",
    [
        Series("DINO", x: counts.map(Double.init), y: byCount.map(\.metrics.dino)),
        Series("CLIP-I", x: counts.map(Double.init), y: byCount.map(\.metrics.clipI)),
        Series("look kept (judged)", x: counts.map(Double.init), y: byCount.map(\.metrics.lookKept)),
        Series("context as asked (judged)", x: counts.map(Double.init), y: byCount.map(\.metrics.contextMatch)),
    ],
    style: PlotStyle(
        title: String(
            format: "%@, 1–%d instance photos (paper's Fig. 20): DINO %.2f–%.2f, context as asked %.2f–%.2f",
            first.name as NSString, counts.last!,
            byCount.map(\.metrics.dino).min()!, byCount.map(\.metrics.dino).max()!,
            byCount.map(\.metrics.contextMatch).min()!, byCount.map(\.metrics.contextMatch).max()!),
        xlabel: "instance images",
        ylabel: "score",
        extra: [
            "set key below", "set yrange [0:1.05]", "set xtics 1", "set xrange [0.8:\(Double(counts.last!) + 0.2)]",
        ]), points: true)
// What it shows: more photos, more of the look (look kept 0.43 with one photo, 0.61 with four) and
// a little more DINO, with the context drawn as asked throughout (0.96–1.00); the fifth photo (on water) adds
// nothing measurable (0.54: one seed moves look kept by about ±0.1). The paper's Fig. 20 shows the
// same rise.
let textEncoder = try study.result(spec(first) { $0.trainTextEncoder = true })
var linesTE = [
    "| \(first.name) | DINO | CLIP-I | CLIP-T | look kept | context | PRES | train s |",
    "|---|---|---|---|---|---|---|---|",
]
for (name, r) in [("UNet only (default)", dreambooth[0]), ("UNet + text encoder", textEncoder)] {
    let m = r.metrics
    linesTE.append(
        "| \(name) | \(f3(m.dino)) | \(f3(m.clipI)) | \(f3(m.clipT)) | \(f3(m.lookKept)) | \(f3(m.contextMatch)) | "
            + "\(f3(m.pres)) | \(Int(r.record.seconds)) |"
    )
}
printTable(linesTE)
func teBars(_ r: StudyResult) -> [FigureWriter.Bar] {
    let m = r.metrics
    return [m.dino, m.clipI, m.clipT, m.lookKept, m.contextMatch, m.pres].map { FigureWriter.Bar($0) }
}
try figures.groupedBars(
    "text-encoder", labels: ["DINO", "CLIP-I", "CLIP-T", "look kept", "context as asked", "PRES"],
    series: [("UNet only (the default)", teBars(dreambooth[0])), ("UNet + text encoder", teBars(textEncoder))],
    style: PlotStyle(
        title: String(
            format: "--train_text_encoder, %@ (one run each): DINO %.2f → %.2f, context as asked %.2f → %.2f",
            first.name as NSString, dreambooth[0].metrics.dino, textEncoder.metrics.dino,
            dreambooth[0].metrics.contextMatch, textEncoder.metrics.contextMatch),
        ylabel: "score", extra: ["set yrange [-0.1:1.1]"]))
// What a step costs, measured now on this machine (the runs' "train s" columns were timed on a shared
// machine, so they do not compare): 20 steps of each, without the prior term. Training the text
// encoder gives its weights gradients and AdamW moments and runs the backward pass through it.
func secondsPerStep(trainTextEncoder: Bool) throws -> Double {
    var c = TrainConfig()
    c.instanceDataDir = try study.runner.instanceFolder(first, count: 4, resolution: 32)
    c.instancePrompt = "a sks \(first.objectClass.rawValue)"
    c.outputDir = study.runner.work + "/timing/\(trainTextEncoder ? "text-encoder" : "unet")"
    c.maxTrainSteps = options.quick ? 2 : 20
    c.checkpointingSteps = 1_000_000
    c.trainTextEncoder = trainTextEncoder
    try? FileManager.default.removeItem(atPath: c.outputDir)
    let r = try DreamBoothTrainer.run(c, log: { _ in })
    return r.seconds / Double(r.steps)
}
let unetStep = try secondsPerStep(trainTextEncoder: false)
let textEncoderStep = try secondsPerStep(trainTextEncoder: true)
print(
    String(
        format: "A step (batch 4, no prior), measured now: UNet only %.0f ms, UNet + text encoder %.0f ms (%.2f×)",
        1000 * unetStep, 1000 * textEncoderStep, textEncoderStep / unetStep))
// What the run shows: training the whole text encoder keeps no more of the look (0.61 either way) and
// draws fewer contexts as asked (0.88 against 1.00): the encoder's words for the contexts moved too.
// It costs about nothing per step here: our text encoder is 3 layers of 64, a sliver of a step.

// MARK: - 6. Limitations, where they occur (§5)
//
// Three failure modes the paper names, looked for in the samples: a context the model does not
// produce, a look that changes with the context, and the instance photos' backgrounds leaking
// into prompts that ask for another (overfitting). The grid shows, per subject, its four training
// photos (their contexts are what it saw), its best-drawn context, and then its worst ones: a
// context that is also one of the photos' is the model redrawing a photo; one that is not is a
// context the identifier never met.
var limitations: [String] = []
var limitImages: [Tensor] = []
var limitTitles: [String] = []
let limitColumns = 8
for (s, r) in zip(subjects, dreambooth) {
    let recon = r.prompts.indices.filter { r.prompts[$0].kind == .recontextualization }
    let judged = study.judges.attributes.predict(
        World.batchTensor(recon.flatMap { p in r.images[(p * n)..<((p + 1) * n)] }))
    var worstLook = (prompt: "", kept: 2.0)
    var leaked = 0
    var asked = 0
    let photos = study.evaluator.realImages(s).unstacked().prefix(4).map { $0 * 0.5 + 0.5 }
    let instanceContexts = Set(s.instanceContexts.prefix(4))
    // Per context: its share as asked, its look kept, and the first sample judged in another context.
    var hits: [(prompt: Int, hit: Double, look: Double, shown: Int, wrong: Int?)] = []
    for (k, p) in recon.enumerated() {
        let prompt = r.prompts[p]
        let want = Context.allCases.firstIndex(of: prompt.context!)!
        let got = (0..<n).map { judged[k * n + $0][.context]! }
        let kept = r.metrics.perPrompt[prompt.text] ?? .nan
        hits.append(
            (
                p, Double(got.filter { $0 == want }.count) / Double(n), kept, got.filter { $0 == want }.count,
                got.firstIndex { $0 != want }
            ))
        if kept < worstLook.kept { worstLook = (prompt.text, kept) }
        for g in got where g != want {
            asked += 1
            if instanceContexts.contains(Context.allCases[g]) { leaked += 1 }
        }
    }
    // Best first: by the share as asked, then by the look kept.
    let byHit = hits.sorted { ($0.hit, $0.look, -$0.prompt) > ($1.hit, $1.look, -$1.prompt) }
    let worst = byHit.last!
    limitations.append(
        String(
            format:
                "%@: weakest context \"%@\" (%.0f %% as asked%@); look least kept in \"%@\" (%.0f %%); of %d samples "
                + "in a wrong context, %d show one of the instance photos' backgrounds",
            s.name, r.prompts[worst.prompt].text, 100 * worst.hit,
            instanceContexts.contains(r.prompts[worst.prompt].context!) ? ", a context of the photos" : "",
            worstLook.prompt, 100 * worstLook.kept, asked, leaked))
    limitImages += photos
    limitTitles += s.instanceContexts.prefix(4).enumerated().map {
        "\($0.offset == 0 ? s.name + ": " : "")photo, \($0.element.rawValue)"
    }
    // The best context, then the worst three, weakest last; for a context with a sample judged wrong,
    // that sample.
    for (i, h) in ([byHit[0]] + byHit.suffix(limitColumns - 5)).enumerated() {
        limitImages.append(r.images[h.prompt * n + (i == 0 ? 0 : h.wrong ?? 0)])
        limitTitles.append(
            "\(i == 0 ? "best " : "")\(r.prompts[h.prompt].context!.rawValue) \(h.shown)/\(n)"
                + String(format: ", look %.2f", h.look))
    }
}
// What it shows (limitations and the lines printed below): split-ball draws every context but
// loses its look on water and at night, two contexts none of its four training photos shows. Every
// sample judged
// in the wrong context (1 of teal-cup's, 4 of dotted-box's) is drawn on the background of one of the
// subject's own photos: teal-cup "at night" on its grass photo's, dotted-box "in snow" and "at night"
// on its city photo's — overfitting, as §5 of the paper names it, even where the context asked for
// is one the photos show (teal-cup and dotted-box each have a night photo).
print("\nLimitations, as measured:")
limitations.forEach { print("  " + $0) }
try figures.imageGrid(
    "limitations", enlarged(limitImages), titles: limitTitles, columns: limitColumns,
    title:
        "Per subject: four photos, the best context, the three weakest (n/4 drawn as asked, then look kept; "
        + "a sample judged wrong where there is one)", cellSize: 150)

let seconds = Date().timeIntervalSince(t0)
print(String(format: "\nchapter 08 took %.0f s (fine-tuning runs cached in %@)", seconds, study.runner.work))
check.finish()
