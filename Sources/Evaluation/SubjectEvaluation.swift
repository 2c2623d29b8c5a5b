// Chapter 08's evaluation of one run, as the paper's §4.1 measures it, plus what only a world with
// ground truth can measure: judges trained on the world's labelled renders (the attribute
// classifier; the look judge, a nearest-neighbour vote among renders of the subject and of
// ordinary objects of its class) say what each sample shows. Judged, not exact: the judges are
// models too, measured on held-out renders (chapter 04; SubjectLookJudgeTests).
//
//   prompts      recontextualization (every context), property modification (two other colors,
//                two other patterns) and art renditions (a sketch, a painting): 4 samples each
//   DINO, CLIP-I mean cosine between every generated image and every real image of the subject
//   CLIP-T       mean cosine between each generated image and its prompt, the identifier left out
//   look kept    the share of recontextualized and painted samples the look judge calls the subject
//   context, property, style   the share whose judged attribute is the one the prompt asked for
//   PRES         DINO cosine between the class prompt's samples ("a ball") and the real subject
//   drift        the share of the class prompt's samples the look judge calls the subject
//   DIV          mean pairwise DINO distance among one prompt's 4 samples, averaged over prompts
//   context drift, context DIV   drift and DIV of the class noun in every context, without the
//                identifier ("a ball at night"): does the fine-tuned model still draw ordinary,
//                varied balls where the prompt asks for one?

import Diffusion
import Foundation
import Models
import TensorCore
import ToyWorld

public struct SubjectPrompt: Codable, Sendable {
    public enum Kind: String, Codable, Sendable { case recontextualization, property, art }
    public var kind: Kind
    /// The prompt given to the model ("a sks ball in snow").
    public var text: String
    /// The same prompt without the identifier, for CLIP-T ("a ball in snow").
    public var judgeText: String
    public var context: Context?
    public var color: ColorName?
    public var pattern: Pattern?
    public var style: Style

    /// Words joined without the empty noun's gap.
    static func words(_ s: String) -> String { s.split(separator: " ").joined(separator: " ") }

    /// The prompt list of a run: its identifier and noun in every prompt.
    public static func list(subject: Subject, identifier: String?, noun: String) -> [SubjectPrompt] {
        func make(
            _ kind: Kind, color: ColorName? = nil, pattern: Pattern? = nil, context: Context? = nil,
            style: Style = .photo
        ) -> SubjectPrompt {
            let text = words(
                Captions.text(
                    subject.objectClass, color: color, pattern: pattern, context: context, style: style,
                    identifier: identifier, noun: noun))
            let judge = words(
                Captions.text(subject.objectClass, color: color, pattern: pattern, context: context, style: style))
            return SubjectPrompt(
                kind: kind, text: text, judgeText: judge, context: context, color: color, pattern: pattern, style: style
            )
        }
        var list = Context.allCases.map { make(.recontextualization, context: $0) }
        list += subject.propertyColors.map { make(.property, color: $0) }
        list += Pattern.allCases.filter { $0 != .plain && $0 != subject.pattern }.prefix(2).map {
            make(.property, pattern: $0)
        }
        list += [make(.art, style: .sketch), make(.art, style: .painting)]
        return list
    }

}

public struct RunMetrics: Codable, Sendable {
    public var dino: Double, clipI: Double, clipT: Double
    public var lookKept: Double, classKept: Double, contextMatch: Double, propertyChanged: Double, styleMatch: Double
    public var pres: Double, drift: Double, div: Double
    /// The class prompt's samples: the share of each judged color (for the before/after statistics of chapter 07).
    public var classPromptColors: [String: Double]
    /// Per prompt: its text and the share of its samples that kept the look.
    public var perPrompt: [String: Double]
    /// Per recontextualization prompt: the share of its samples in the context asked for.
    public var perPromptContext: [String: Double]? = nil
    /// Per prompt: the share of its samples judged the subject's class.
    public var perPromptClass: [String: Double]? = nil
    /// "a <noun> <context>" for every context: the share the look judge calls the subject, and DIV.
    public var contextDrift: Double? = nil
    public var contextDIV: Double? = nil
}

public final class SubjectEvaluator {
    public let judges: Judges
    public let samplesPerPrompt: Int
    public let classSamples: Int
    public let steps: Int
    public let guidance: Float = 3
    /// DDPM, the sampler chapter 05 measured as the most accurate at 25 steps.
    public let sampler = SamplerKind.ddpm
    var lookJudges: [String: SubjectLookJudge] = [:]
    /// v4 (2026-12-08): the attribute judge retrained to read samples (TextSidePlan.attributeDistorted).
    public static let version = "eval-v4"

    public init(judges: Judges, quick: Bool) {
        self.judges = judges
        samplesPerPrompt = quick ? 2 : 4
        classSamples = quick ? 2 : 16
        steps = quick ? 3 : 25
    }

    public func lookJudge(_ subject: Subject) -> SubjectLookJudge {
        if let j = lookJudges[subject.name] { return j }
        let j = SubjectLookJudge(subject: subject, dino: judges.dino)
        lookJudges[subject.name] = j
        return j
    }

    /// The subject's five real photos.
    public func realImages(_ subject: Subject, resolution: Int = 32) -> Tensor {
        let world = World(size: resolution)
        return World.batchTensor(subject.instanceScenes(count: 5).map(world.render))
    }

    /// Table 1's first row: the real photos against each other (every pair of different photos).
    public func realAgainstReal(_ subject: Subject) -> (dino: Double, clipI: Double) {
        let x = realImages(subject)
        func offDiagonal(_ e: Tensor) -> Double {
            let n = e.shape[0]
            let E = e.shape[1]
            var s = 0.0
            var c = 0
            for i in 0..<n {
                for j in 0..<n where i != j {
                    for d in 0..<E { s += Double(e.scalars[i * E + d] * e.scalars[j * E + d]) }
                    c += 1
                }
            }
            return s / Double(c)
        }
        return (offDiagonal(judges.dino.embed(x)), offDiagonal(judges.clip.imageEmbeddings(x)))
    }

    /// The class prompt in every context ("a ball at night"), sampled after the class prompt itself.
    public static func classInContexts(_ classPrompt: String) -> [String] {
        Context.allCases.map { "\(classPrompt) \($0.phrase)" }
    }

    /// The samples of a prompt list (the prompt's samples adjacent), and of the class prompt:
    /// `classSamples` of it alone, then `samplesPerPrompt` of it in each context.
    public func samples(
        _ pipeline: TextToImagePipeline, prompts: [SubjectPrompt], classPrompt: String, seed: UInt64 = 4242
    ) -> (prompts: [Tensor], classPrompt: [Tensor]) {
        let texts = prompts.flatMap { [String](repeating: $0.text, count: samplesPerPrompt) }
        let images = pipeline.images(texts, steps: steps, guidance: guidance, sampler: sampler, seed: seed)
        let classImages = pipeline.images(
            [String](repeating: classPrompt, count: classSamples), steps: steps, guidance: guidance, sampler: sampler,
            seed: seed &+ 77)
        let inContexts = pipeline.images(
            Self.classInContexts(classPrompt).flatMap { [String](repeating: $0, count: samplesPerPrompt) },
            steps: steps, guidance: guidance, sampler: sampler, seed: seed &+ 78)
        return (images, classImages + inContexts)
    }

    /// Every metric of one run from its samples.
    public func measure(subject: Subject, prompts: [SubjectPrompt], images: [Tensor], classImages: [Tensor])
        -> RunMetrics
    {
        let real = realImages(subject)
        let x = World.batchTensor(images)
        // The class prompt's own samples, then (when present) the class prompt in every context.
        let inContexts = Array(classImages.dropFirst(min(classSamples, classImages.count)))
        let classImages = Array(classImages.prefix(classSamples))
        let xc = World.batchTensor(classImages)
        let dinoGen = judges.dino.embed(x)
        let dinoReal = judges.dino.embed(real)
        let dinoClass = judges.dino.embed(xc)
        let clipGen = judges.clip.imageEmbeddings(x)
        let clipReal = judges.clip.imageEmbeddings(real)
        let texts = judges.clip.textEmbeddings(
            prompts.flatMap { [String](repeating: $0.judgeText, count: samplesPerPrompt) }, tokenizer: judges.tokenizer)
        let judged = judges.attributes.predict(x)
        let look = lookJudge(subject).isSubject(images: x, embeddings: dinoGen)
        let n = samplesPerPrompt

        func share(_ kinds: Set<SubjectPrompt.Kind>, _ test: (SubjectPrompt, Int) -> Bool?) -> Double {
            var hit = 0
            var all = 0
            for (p, prompt) in prompts.enumerated() where kinds.contains(prompt.kind) {
                for s in 0..<n {
                    if let ok = test(prompt, p * n + s) {
                        all += 1
                        hit += ok ? 1 : 0
                    }
                }
            }
            return all == 0 ? .nan : Double(hit) / Double(all)
        }
        let classIndex = ObjectClass.allCases.firstIndex(of: subject.objectClass)!
        let lookKept = share([.recontextualization, .art]) { p, i in p.style == .sketch ? nil : look[i] }
        let classKept = share([.recontextualization, .property, .art]) { _, i in judged[i][.objectClass] == classIndex }
        let contextMatch = share([.recontextualization]) { p, i in
            judged[i][.context] == Context.allCases.firstIndex(of: p.context!)
        }
        let propertyChanged = share([.property]) { p, i in
            if let c = p.color { return judged[i][.color] == ColorName.allCases.firstIndex(of: c) }
            return judged[i][.pattern] == Pattern.allCases.firstIndex(of: p.pattern!)
        }
        let styleMatch = share([.art]) { p, i in judged[i][.style] == Style.allCases.firstIndex(of: p.style) }
        var perPrompt: [String: Double] = [:]
        var perPromptContext: [String: Double] = [:]
        var perPromptClass: [String: Double] = [:]
        for (p, prompt) in prompts.enumerated() {
            func shareOf(_ test: (Int) -> Bool) -> Double {
                Double((0..<n).filter { test(p * n + $0) }.count) / Double(n)
            }
            perPrompt[prompt.text] = shareOf { look[$0] }
            perPromptClass[prompt.text] = shareOf { judged[$0][.objectClass] == classIndex }
            if let context = prompt.context {
                perPromptContext[prompt.text] = shareOf {
                    judged[$0][.context] == Context.allCases.firstIndex(of: context)
                }
            }
        }

        let classLook = lookJudge(subject).isSubject(images: xc, embeddings: dinoClass)
        var colors: [String: Double] = [:]
        for row in judges.attributes.predict(xc) {
            colors[ColorName.allCases[row[.color]!].rawValue, default: 0] += 1 / Double(classImages.count)
        }
        var divs: [Double] = []
        if n > 1 {
            for p in prompts.indices { divs.append(Metrics.div(dinoGen.slice(rows: (p * n)..<((p + 1) * n)))) }
        }
        var contextDrift: Double? = nil
        var contextDIV: Double? = nil
        if !inContexts.isEmpty && n > 1 {
            let xi = World.batchTensor(inContexts)
            let e = judges.dino.embed(xi)
            contextDrift =
                Double(lookJudge(subject).isSubject(images: xi, embeddings: e).filter { $0 }.count)
                / Double(inContexts.count)
            let groups = inContexts.count / n
            contextDIV =
                (0..<groups).map { Metrics.div(e.slice(rows: ($0 * n)..<(($0 + 1) * n))) }.reduce(0, +) / Double(groups)
        }
        return RunMetrics(
            dino: Metrics.meanPairwiseCosine(dinoGen, dinoReal), clipI: Metrics.meanPairwiseCosine(clipGen, clipReal),
            clipT: Metrics.meanMatchedCosine(clipGen, texts), lookKept: lookKept, classKept: classKept,
            contextMatch: contextMatch,
            propertyChanged: propertyChanged, styleMatch: styleMatch,
            pres: Metrics.pres(classPromptImages: dinoClass, subjectImages: dinoReal),
            drift: Double(classLook.filter { $0 }.count) / Double(max(1, classLook.count)),
            div: divs.isEmpty ? .nan : divs.reduce(0, +) / Double(divs.count),
            classPromptColors: colors, perPrompt: perPrompt, perPromptContext: perPromptContext,
            perPromptClass: perPromptClass, contextDrift: contextDrift, contextDIV: contextDIV)
    }
}
