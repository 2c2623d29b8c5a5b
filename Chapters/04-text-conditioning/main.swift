// Chapter 04 — Text conditioning: the world, a tokenizer and text encoder trained here, the judges
//
// What it builds: everything on the text side of a text-to-image model, and the instruments the
// later chapters measure with. There is no model hub, so the package draws its own world
// (Sources/ToyWorld), learns CLIP's byte-pair tokenizer on its captions plus an English word list
// (Sources/Models/BPETrainer.swift, CLIPTokenizer.swift), and trains a CLIPTextModel contrastively
// against a small image tower (Sources/Models/ContrastivePair.swift) — then freezes it, as Stable
// Diffusion freezes CLIP. The judges (Sources/Evaluation) are trained apart from all of that.
// Paper: DreamBooth §3 (the frozen text encoder Γ and the prompt c = Γ(P)); §4.1 (DINO, CLIP-I,
// CLIP-T); Radford et al. 2021 (CLIP's symmetric InfoNCE); Sennrich et al. 2016 (BPE).
// The models this chapter reads are shipped in Checkpoints/ and reproduced by `make pretrain` (the judges
// by `make judges`).
// Run:   make chapter N=04        (or .build/release/chapter04 [--quick] [--seed N] [--out DIR])
// Writes: Figures/04-text-conditioning/ — world-gallery, subjects, tokenization, token-frequencies,
//         contrastive-training, similarity-heatmap, judges-accuracy.

import ChapterSupport
import Evaluation
import Foundation
import ImageIO
import Models
import Plotting
import Pretraining
import TensorCore
import ToyWorld

let options = ChapterOptions(
    chapter: "04-text-conditioning", title: "text conditioning",
    summary: "the world, the tokenizer, the frozen text encoder and the judges")
let figures = FigureWriter(directory: options.outputDirectory)
let evaluationCount = options.quick ? 100 : 1000

let checkpoints = "Checkpoints"
let tokenizer: CLIPTokenizer
let pair: ContrastivePair
let judges: Judges
do {
    tokenizer = try CLIPTokenizer(folder: checkpoints + "/base/tokenizer")
    pair = try ContrastivePair.load(
        folder: checkpoints + "/contrastive", textTowerFolder: checkpoints + "/base/text_encoder")
    judges = try Judges(folder: checkpoints + "/judges", tokenizer: tokenizer)
} catch {
    print(
        "chapter 04 reads the shipped models in \(checkpoints)/ (run from the repository root; `make pretrain` "
            + "remakes the model, `make judges` the judges): \(error)"
    )
    exit(1)
}
let check = ChapterChecks(chapter: "04")

// MARK: - 1. The world
//
// Every image is drawn from a scene: a class (8 silhouettes), a color (8), a pattern (4), a context
// (6 backgrounds), a style (photo, sketch, painting), and a size, place and small rotation. The
// caption is a sentence about the scene with attributes left out at random. 38 of the 384
// (class, color, context) compositions are held out: training never draws them, and chapter 05
// measures the base model on exactly those.

let world = World()
let gallery = world.examples(.train, seed: options.seed, indices: Array(0..<24))
try figures.imageGrid(
    "world-gallery", gallery.map { ImageOps.upscaled($0.image, by: 4) }, titles: gallery.map(\.caption.text),
    columns: 6,
    title: "The world: 24 training images and their captions (attributes left out at random)", cellSize: 215)
print(
    "World: \(ObjectClass.allCases.count) classes × \(ColorName.allCases.count) colors × \(Pattern.allCases.count) "
        + "patterns × \(Context.allCases.count) contexts × \(Style.allCases.count) styles; "
        + "\(World.heldOut.count) of 384 (class, color, context) compositions held out, e.g. "
        + World.heldOut.prefix(3).map { Captions.text($0.objectClass, color: $0.color, context: $0.context) }.joined(
            separator: ", "))

// A subject is one object whose look the world never draws: the DreamBooth input of chapters 06–08.
// Each has five photos: DreamBooth trains on the first four, and the fifth (the last column) is held
// out, a real photo in a context the training photos do not show, for the evaluation's real images.
let subjectImages = Subject.all.flatMap { s in s.instanceScenes().map(world.render) }
try figures.imageGrid(
    "subjects", subjectImages.map { ImageOps.upscaled($0, by: 4) },
    titles: Subject.all.flatMap { s in s.instanceScenes().map { "\(s.name) \($0.context.phrase)" } }, columns: 5,
    title: "Built-in subjects: five photos each; DreamBooth trains on the first four", cellSize: 150)
for s in Subject.all { print("  subject \(s.name): \(s.summary)") }

// MARK: - 2. The tokenizer
//
// CLIP's tokenizer is byte-pair encoding: start from bytes, merge the most frequent adjacent pair
// into a new token, repeat. Ours learned 7,678 merges on 20,000 captions plus 63,875 English words,
// so the 8,192 tokens hold the world's words whole and thousands of words no caption uses: the
// pool chapter 06 draws DreamBooth's rare identifiers from. A string nobody wrote splits into pieces.
// How to read the figure below: "</w>" ends a word. "sks" is the identifier diffusers' DreamBooth
// examples use; here it is one of those unused whole words, one token. "photo" is not a caption word
// (the world's captions say "a ball", not "a photo of a ball"), and the English word list did not
// make it one token either, so it comes out in pieces, "phot" · "o</w>". The first and last ids of
// every line, 8190 and 8191, are the two special tokens <|startoftext|> and <|endoftext|>, the last
// ids of the vocabulary. The text encoder reads 24 positions (model_max_length; the longest caption is
// about 12 tokens), so every prompt is padded to 24 with <|endoftext|>, as CLIP's tokenizer pads.

let examples = [
    "a painting of an orange checkered heart in a city", "a sks cup in snow", "a photo of xqzt",
    "A Purple DOTTED fish, at night!",
]
var tokenLines: [String] = []
var strips: [(text: String, tokens: [String], ids: [Int])] = []
for text in examples {
    let tokens = tokenizer.tokenize(text)
    let ids = tokenizer.encode(text)
    tokenLines.append("\"\(text)\"")
    tokenLines.append("   tokens: " + tokens.joined(separator: " · "))
    tokenLines.append("   ids:    " + ids.map(String.init).joined(separator: " "))
    // The figure shows the special tokens too, as the text encoder reads them.
    strips.append((text, ["<|startoftext|>"] + tokens + ["<|endoftext|>"], ids))
}
try figures.tokenStrips(
    "tokenization", rows: strips,
    title: "Tokens as the text encoder reads them (then padded with <|endoftext|> to 24): whole words green, "
        + "pieces orange, special tokens grey")
print("\nTokenization (\(tokenizer.vocabularySize) tokens, model_max_length \(tokenizer.modelMaxLength)):")
for l in tokenLines { print("  " + l) }
check(tokenizer.tokenize("xqzt").count > 1, "a random string splits into several tokens")

// Token frequencies in the captions: the world's captions use a few dozen words, each of them often
// (a caption names a class, and maybe a color, a pattern, a context and a style, so the counts fall in
// steps, not along a Zipf line as a language's do), and the rest of the vocabulary never occurs in a
// caption at all — the rare band. (Counted without the two special tokens, which every caption has.)
var captionCounts = [Int](repeating: 0, count: tokenizer.vocabularySize)
for i in 0..<(options.quick ? 2000 : 20000) {
    var rng = RNG(seed: 11).split("caption/\(i)")
    let text = Captions.caption(for: world.scene(.train, seed: 11, index: i), rng: &rng).text
    for id in tokenizer.encode(text).dropFirst().dropLast() { captionCounts[id] += 1 }
}
let ranked = captionCounts.enumerated().filter { $0.element > 0 }.sorted { $0.element > $1.element }
let unused = captionCounts.count - ranked.count - 2
try figures.lines(
    "token-frequencies",
    [
        Series(
            "caption tokens (count in 20,000 captions)", x: ranked.indices.map { Double($0 + 1) },
            y: ranked.map { Double($0.element) })
    ],
    style: PlotStyle(
        title:
            "\(ranked.count) tokens make every caption, each \(ranked.last!.element)–\(ranked.first!.element) times; "
            + "\(unused) of the \(tokenizer.vocabularySize) (special tokens aside) never occur",
        xlabel: "rank of token", ylabel: "occurrences", logX: true, logY: true,
        extra: [
            "set key top right inside", "set format y '%g'", "set xrange [1:\(tokenizer.vocabularySize)]",
            "set object 1 rect from \(ranked.count + 1),graph 0 to \(tokenizer.vocabularySize),graph 1 fc rgb "
                + "'#ffe0b0' fs solid 0.6 behind",
            "set label 1 'rare band: \(unused) tokens never in a caption' at \(ranked.count + 3),graph 0.5",
        ]), points: true)
print(
    String(
        format: "\n%d tokens occur in captions; %d never do (and 2 are the special tokens)", ranked.count, unused))

// MARK: - 3. The text encoder, trained contrastively, then frozen
//
// A CLIPTextModel (3 layers, 64 wide = the UNet's cross_attention_dim) and a small image tower are
// trained so that an image and its caption have the largest cosine in the batch (symmetric
// InfoNCE with a learned temperature). The world knows which captions are true of which images,
// so "a cup" counts as a positive for every cup in the batch, not a negative.

func readLog(_ path: String) -> [Double] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").filter { !$0.hasPrefix("#") }
        .compactMap { $0.split(separator: "\t").dropFirst().first.flatMap { Double($0) } }
}
func smoothed(_ v: [Double], _ k: Int = 25) -> Series {
    let s = v.indices.map { i -> Double in
        let lo = max(0, i - k + 1)
        return v[lo...i].reduce(0, +) / Double(i - lo + 1)
    }
    return Series("", x: s.indices.map(Double.init), y: s)
}
var curves: [Series] = []
for (name, file) in [
    ("text encoder + plain image tower (the generator's)", "contrastive/loss.tsv"),
    ("CLIP judge (its own towers)", "judges/clip/loss.tsv"),
    ("DINO judge (two views of one object)", "judges/dino/loss.tsv"),
] {
    var s = smoothed(readLog(checkpoints + "/" + file))
    s.title = name
    curves.append(s)
}
// Reading the curves: each loss is a cross-entropy over the candidates of a batch of 64, so guessing
// scores the log of their number, ln 64 ≈ 4.2. The text encoder's pair starts near it (4.4); the
// judges start above it (CLIP 4.6, DINO 5.4: an untrained network is not yet even a fair guesser),
// and all fall as they learn to pick the match. The
// text encoder's pair (captions against images) trained longest; the two judges stop earlier, at the
// steps their own plans set. The DINO judge's pairs are two views of one object, image against image,
// not captions.
try figures.lines(
    "contrastive-training", curves,
    style: PlotStyle(
        title: "Contrastive losses fall as each pair finds its match among 64 (mean of 25 steps)",
        xlabel: "step (batch 64)", ylabel: "loss", extra: ["set key top right inside"]))

// The similarity of every caption to every image: one held-out image per class, each with its
// full caption. The diagonal should stand out — and it is measured on compositions never trained on.
var perClass: [Example] = []
var index = 0
while perClass.count < ObjectClass.allCases.count && index < 5000 {
    let e = world.example(.heldout, seed: 909, index: index, fullCaption: true)
    if e.scene.style == .photo && e.scene.objectClass == ObjectClass.allCases[perClass.count] { perClass.append(e) }
    index += 1
}
let imageEmbeddings = pair.imageEmbeddings(World.batchTensor(perClass.map(\.image)))
let textEmbeddings = pair.textEmbeddings(perClass.map(\.caption.text), tokenizer: tokenizer)
let E = imageEmbeddings.shape[1]
let similarity = perClass.indices.map { i in
    perClass.indices.map { j in
        (0..<E).reduce(0.0) {
            $0 + Double(imageEmbeddings.scalars[i * E + $1]) * Double(textEmbeddings.scalars[j * E + $1])
        }
    }
}
try figures.heatmap(
    "similarity-heatmap", similarity,
    style: PlotStyle(
        title: "Cosine of held-out images (rows) and captions (columns): the diagonal is each image's own caption",
        width: 900, height: 700,
        extra: [
            "set cblabel 'cosine'", "set key off",
            // Square cells: the plot area is 432 × 432 pixels, margins placed by hand
            // (gnuplot's own square sizing ignores the long tick labels).
            "set lmargin at screen 0.36; set rmargin at screen 0.84; set tmargin at screen 0.9; set bmargin at "
                + "screen 0.283",
        ]),
    rowLabels: perClass.map { "image: " + $0.caption.text }, columnLabels: perClass.map(\.caption.text))
let diagonalWins = perClass.indices.filter { i in
    similarity[i].indices.max { similarity[i][$0] < similarity[i][$1] } == i
}.count
check(diagonalWins >= perClass.count - 1, "\(diagonalWins) of \(perClass.count) images are nearest their own caption")

// MARK: - 4. The judges, measured on held-out compositions
//
// The judges learn from every composition (another seed each): a judge that never saw a pink house
// in snow learns that such a thing does not exist, and would be biased against exactly the
// compositions chapter 05 asks the base model for. They are measured on fresh images (seed 909) of
// the held-out compositions: (a) the attribute classifier, (b) retrieval top-1 among 100 for the
// CLIP judge (and for the generator's own pair, which never saw these compositions), (c) the DINO
// judge's nearest-neighbour class accuracy. The DINO judge's two views of an object are the world
// drawing the same object twice, in two contexts and framings: it learns what the object is.
// The target of 0.98 is the attribute classifier's, set when it was trained: chapters 05–08 count
// with it (context as asked, class kept), so its own errors must stay small beside the differences
// they measure. The retrieval and DINO bars have no target; they are read as they are. The CLIP
// judge retrieves a little worse (0.90) than the generator's own pair (1.00): it is a separate pair,
// trained on other seeds with a residual image tower, and top-1 among 100 counts a near-tie as a miss;
// what it is used for later is cosines (CLIP-I, CLIP-T), not retrieval. The DINO judge
// names the class of a held-out image from its nearest neighbour 86 % of the time; its job later is
// not to name classes but to compare one image with a subject's photos (DINO, and the look judge's
// vote), where a class mix-up of a neighbour matters less than it does here.
//
// One more judge is built on these, for chapters 06–08: the subject-look judge
// (Sources/Evaluation/SubjectLookJudge.swift). Does an image show *the* subject, or just an object
// of its class? It is a vote among the image's nearest rendered references in the DINO judge's
// embedding — renders of the subject in every context against renders of ordinary objects of the
// same class — and a count of the look's own colors in its pixels. "Look kept" in chapters 06–08 is
// the share of samples it calls the subject.

let attributeAccuracy = TextSide.attributeAccuracy(judges.attributes, world: world, count: evaluationCount)
let generatorTop1 = TextSide.retrieval(pair, tokenizer: tokenizer, world: world, count: 100)
let judgeTop1 = TextSide.retrieval(judges.clip, tokenizer: tokenizer, world: world, count: 100)
let dinoAccuracy = TextSide.nearestNeighbourClassAccuracy(judges.dino, world: world, count: evaluationCount)
let labels =
    Attribute.allCases.map { "classifier: " + $0.rawValue } + [
        "CLIP judge: top-1 of 100", "text encoder pair: top-1 of 100", "DINO judge: 1-NN class",
    ]
let values = Attribute.allCases.map { attributeAccuracy[$0]! } + [judgeTop1, generatorTop1, dinoAccuracy]
try figures.bars(
    "judges-accuracy", labels: labels,
    series: [("measured on \(evaluationCount) held-out images (100 for retrieval)", values)],
    style: PlotStyle(
        title: "The judges on fresh images of the held-out compositions (the classifier's target: 0.98)",
        ylabel: "accuracy", width: 900,
        extra: [
            "set yrange [0:1.12]", "set key below",
            // The target is the attribute classifier's only: the line spans its bars.
            "set arrow from first -0.5, first 0.98 to first \(Double(Attribute.allCases.count) - 0.5), first 0.98 "
                + "nohead dt 2 lc rgb 'red'",
            "set label \"the classifier's target, 0.98\" at first -0.4, first 1.05 left tc rgb 'red'",
        ]))
print("\nJudges on held-out images:")
for (l, v) in zip(labels, values) {
    print("  " + l.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%.3f", v))
}
for a in Attribute.allCases {
    check(
        attributeAccuracy[a]! >= (options.quick ? 0.9 : 0.98),
        "classifier \(a.rawValue) accuracy \(String(format: "%.3f", attributeAccuracy[a]!)) ≥ "
            + "\(options.quick ? 0.9 : 0.98)"
    )
}

check.finish()
