// The paper's metrics on cases whose answer is known; the shipped judges measured on held-out images.

import Evaluation
import Foundation
import Models
import TensorCore
import TestSupport
import ToyWorld
import XCTest

final class MetricsTests: XCTestCase {
    func unitRows(_ rows: [[Float]]) -> Tensor {
        let normalized = rows.map { r -> [Float] in
            let n = r.map { $0 * $0 }.reduce(0, +).squareRoot()
            return r.map { $0 / n }
        }
        return Tensor(shape: [rows.count, rows[0].count], scalars: normalized.flatMap { $0 })
    }

    func testIdenticalSetsAreFullySimilarAndHaveNoDiversity() {
        let a = unitRows([[1, 0, 0], [1, 0, 0], [1, 0, 0]])
        XCTAssertEqual(Metrics.meanPairwiseCosine(a, a), 1, accuracy: 1e-9)
        XCTAssertEqual(Metrics.div(a), 0, accuracy: 1e-9)
        XCTAssertEqual(Metrics.pres(classPromptImages: a, subjectImages: a), 1, accuracy: 1e-9)
        XCTAssertEqual(Metrics.meanMatchedCosine(a, a), 1, accuracy: 1e-9)
    }

    func testDisjointSetsAreDissimilar() {
        let a = unitRows([[1, 0, 0, 0], [0, 1, 0, 0]])
        let b = unitRows([[0, 0, 1, 0], [0, 0, 0, 1]])
        XCTAssertEqual(Metrics.meanPairwiseCosine(a, b), 0, accuracy: 1e-9)
        XCTAssertEqual(Metrics.div(a), 1, accuracy: 1e-9)  // orthogonal pair: distance 1
        XCTAssertEqual(Metrics.div(unitRows([[1, 0], [-1, 0]])), 2, accuracy: 1e-9)
        XCTAssertEqual(Metrics.meanPairwiseCosine(a, unitRows([[1, 1, 0, 0]])), 0.5.squareRoot(), accuracy: 1e-6)
    }

    func testRetrievalAndNearestNeighbour() {
        let images = unitRows([[1, 0.1], [0.1, 1]])
        let texts = unitRows([[1, 0], [0, 1]])
        XCTAssertEqual(Metrics.retrievalTop1(images: images, texts: texts, captions: ["a", "b"]), 1)
        XCTAssertEqual(
            Metrics.retrievalTop1(images: images, texts: unitRows([[0, 1], [1, 0]]), captions: ["a", "b"]), 0)
        XCTAssertEqual(
            Metrics.nearestNeighbourAccuracy(images, labels: [0, 1], reference: texts, referenceLabels: [0, 1]), 1)
    }

    /// The shipped judges on held-out world images (seed 909, as `dreambooth evaluate-judges`).
    /// The bar for the classifier is 98% on every attribute; these are measured values.
    func testShippedJudgesOnHeldOutImages() throws {
        let root = Fixtures.inRepository("Checkpoints")
        let tokenizer = try CLIPTokenizer(folder: root + "/base/tokenizer")
        let judges = try Judges(folder: root + "/judges", tokenizer: tokenizer)
        let world = World()
        let ex = world.examples(.heldout, seed: 909, indices: Array(0..<300))
        let predictions = judges.attributes.predict(World.batchTensor(ex.map(\.image)))
        for a in Attribute.allCases {
            let pairs = zip(ex, predictions).compactMap { e, p in a.label(of: e.scene).map { ($0, p[a]!) } }
            let accuracy = Double(pairs.filter { $0.0 == $0.1 }.count) / Double(pairs.count)
            XCTAssertGreaterThanOrEqual(accuracy, 0.98, "\(a.rawValue) accuracy \(accuracy)")
        }
        // It reads the class of a subject whatever its look (it trained on looks the world never draws,
        // TextSidePlan.attributeRandomLooks): every built-in subject and probe, 8 placements a context.
        for (name, accuracy) in judges.attributes.subjectClassAccuracy(world: world, seed: 909) {
            XCTAssertGreaterThanOrEqual(accuracy, 0.9, "the judge reads \(name)'s class at \(accuracy)")
        }
        // And on looks drawn from uniform RGB (further from its training than its own random looks):
        // measured 0.991 on 2,000 held-out scenes (`dreambooth evaluate-judges --count 2000`).
        let unseen = judges.attributes.classAccuracyOnUnseenLooks(world: world, seed: 909, count: 300)
        XCTAssertGreaterThanOrEqual(unseen, 0.97, "class on unseen looks \(unseen)")
        // The CLIP judge puts an image nearer its own caption than a caption of another class.
        let e = world.example(.heldout, seed: 909, index: 0, fullCaption: true)
        let other = Captions.text(
            ObjectClass.allCases.first { $0 != e.scene.objectClass }!, color: e.scene.color, pattern: e.scene.pattern,
            context: e.scene.context)
        let image = judges.clip.imageEmbeddings(World.batchTensor([e.image]))
        let texts = judges.clip.textEmbeddings([e.caption.text, other], tokenizer: tokenizer)
        XCTAssertGreaterThan(
            Metrics.meanMatchedCosine(image, texts.slice(rows: 0..<1)),
            Metrics.meanMatchedCosine(image, texts.slice(rows: 1..<2)))
        // The DINO judge finds a subject's instance images more alike than images of other classes.
        let subject = Subject.named("split-ball")!
        let real = judges.dino.embed(World.batchTensor(subject.instanceScenes().map(world.render)))
        let others = judges.dino.embed(
            World.batchTensor(
                world.examples(.train, seed: 3, indices: Array(0..<20)).filter { $0.scene.objectClass != .ball }.map(
                    \.image)))
        XCTAssertGreaterThan(Metrics.meanPairwiseCosine(real, real), Metrics.meanPairwiseCosine(real, others))
    }
}

final class FrechetDistanceTests: XCTestCase {
    func testSameSetIsZeroAndAShiftCostsItsSquaredLength() {
        var rng = RNG(seed: 1)
        let a = rng.normal([400, 3])
        XCTAssertEqual(Metrics.frechetDistance(a, a), 0, accuracy: 1e-9)
        // Shifting every row by (1, 2, 2) moves the mean by a vector of squared length 9, covariance unchanged.
        let shifted = Tensor(
            shape: a.shape, scalars: a.scalars.enumerated().map { $0.element + [1, 2, 2][$0.offset % 3] })
        XCTAssertEqual(Metrics.frechetDistance(a, shifted), 9, accuracy: 1e-6)
        // Scaling by 2: covariances C and 4C give Tr(C + 4C − 2·(C^½ 4C C^½)^½) = Tr(5C − 4C) = Tr(C),
        // and the means (both ≈ 0, one twice the other) add ‖μ‖².
        let wide = Tensor(shape: a.shape, scalars: a.scalars.map { 2 * $0 })
        let mean = (0..<3).map { j in (0..<400).reduce(0.0) { $0 + Double(a.scalars[$1 * 3 + j]) } / 400 }
        XCTAssertEqual(
            Metrics.frechetDistance(a, wide), Metrics.meanAndCovarianceTrace(a) + mean.reduce(0) { $0 + $1 * $1 },
            accuracy: 1e-6)
    }
}

/// The look judge tells the subject from ordinary objects of its class on renders it never saw.
final class SubjectLookJudgeTests: XCTestCase {
    func testRecognisesTheSubjectAndNotOrdinaryObjects() throws {
        let dino = try DINOJudge(folder: Fixtures.inRepository("Checkpoints/judges/dino"))
        let world = World()
        for subject in Subject.all {
            let judge = SubjectLookJudge(subject: subject, dino: dino)
            var subjectImages: [Tensor] = []
            var ordinary: [Tensor] = []
            for i in 0..<30 {
                var rng = RNG(seed: 31_337).split("test/\(subject.name)/\(i)")
                let context = Context.allCases[rng.randint(Context.allCases.count)]
                subjectImages.append(world.render(subject.scene(context, rng: &rng)))
                let color = ColorName.allCases[rng.randint(ColorName.allCases.count)]
                let pattern = Pattern.allCases[rng.randint(Pattern.allCases.count)]
                ordinary.append(
                    world.render(
                        World.placed(
                            Scene(
                                objectClass: subject.objectClass, color: color, pattern: pattern, context: context,
                                style: .photo, look: .ordinary(color, pattern)), rng: &rng)))
            }
            let subjectBatch = World.batchTensor(subjectImages)
            let ordinaryBatch = World.batchTensor(ordinary)
            let hits = judge.isSubject(images: subjectBatch, embeddings: dino.embed(subjectBatch)).filter { $0 }.count
            let falseHits = judge.isSubject(images: ordinaryBatch, embeddings: dino.embed(ordinaryBatch)).filter {
                $0
            }.count
            // The same scenes with the fill a near color the look does not have (the teal cup in blue):
            // the vote alone took such images for the subject; the look's colors must be counted.
            let nearest = ColorName.allCases.map(\.rgb).filter { c in
                let f = subject.look.fill
                let d = ((c.r - f.r) * (c.r - f.r) + (c.g - f.g) * (c.g - f.g) + (c.b - f.b) * (c.b - f.b)).squareRoot()
                return d > 1.5 * SubjectLookJudge.colorRadius
            }.min { a, b in
                let f = subject.look.fill
                func d(_ c: RGB) -> Float {
                    (c.r - f.r) * (c.r - f.r) + (c.g - f.g) * (c.g - f.g) + (c.b - f.b) * (c.b - f.b)
                }
                return d(a) < d(b)
            }!
            var recolored: [Tensor] = []
            for i in 0..<30 {
                var rng = RNG(seed: 31_337).split("test/\(subject.name)/\(i)")
                let context = Context.allCases[rng.randint(Context.allCases.count)]
                var scene = subject.scene(context, rng: &rng)
                scene.look.fill = nearest
                recolored.append(world.render(scene))
            }
            let recoloredBatch = World.batchTensor(recolored)
            let recoloredHits = judge.isSubject(images: recoloredBatch, embeddings: dino.embed(recoloredBatch)).filter {
                $0
            }.count
            XCTAssertLessThanOrEqual(
                recoloredHits, 3, "\(subject.name): \(recoloredHits)/30 renders with another fill taken for the subject"
            )
            XCTAssertGreaterThanOrEqual(hits, 27, "\(subject.name): \(hits)/30 subject renders recognised")
            XCTAssertLessThanOrEqual(
                falseHits, 3, "\(subject.name): \(falseHits)/30 ordinary renders taken for the subject")
            print("\(subject.name): look judge \(hits)/30 subject, \(falseHits)/30 ordinary")
        }
    }

    /// DreamBooth's ceiling through the shipped autoencoder (the report's subject_look_kept_*): the
    /// look judge on reconstructions of each subject in every context. Trained with random looks and the
    /// object weighed (AutoencoderPlan), it keeps every built-in subject and probe (measured 0.92–1.00,
    /// their renders 0.96–1.00); before, it kept split-ball alone (teal came back blue, purple dots orange).
    func testTheShippedAutoencoderKeepsEverySubjectsLook() throws {
        let dino = try DINOJudge(folder: Fixtures.inRepository("Checkpoints/judges/dino"))
        let vae = try AutoencoderKL(folder: Fixtures.inRepository("Checkpoints/base/vae"))
        for subject in Subject.all + Subject.probes {
            let kept = AutoencoderQuality.subjectLookKept(
                subject, vae: vae, lookJudge: SubjectLookJudge(subject: subject, dino: dino), dino: dino)
            XCTAssertGreaterThanOrEqual(kept.original, 0.9, "\(subject.name): renders")
            XCTAssertGreaterThanOrEqual(kept.reconstructed, 0.85, "\(subject.name): reconstructions")
        }
    }
}
