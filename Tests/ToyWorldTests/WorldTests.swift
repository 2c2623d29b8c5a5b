// The world: deterministic, the held-out compositions never drawn for training, subjects' looks
// never drawn by the ordinary world, captions true of their images, and an export another
// program can read.

import Foundation
import TensorCore
import TestSupport
import ToyWorld
import XCTest

final class WorldTests: XCTestCase {
    let world = World()

    func testSameSeedSameImage() {
        let a = world.example(.train, seed: 7, index: 1234)
        let b = world.example(.train, seed: 7, index: 1234)
        XCTAssertEqual(a.scene, b.scene)
        XCTAssertEqual(a.image, b.image)
        XCTAssertEqual(a.caption, b.caption)
        XCTAssertNotEqual(world.example(.train, seed: 8, index: 1234).image, a.image)
        // The parallel batch path gives the same bytes as one at a time.
        let batch = world.examples(.train, seed: 7, indices: [1233, 1234])
        XCTAssertEqual(batch[1].image, a.image)
        XCTAssertEqual(batch[1].caption, a.caption)
    }

    func testHeldOutCompositionsAreAboutTenPercentAndNeverDrawnForTraining() {
        XCTAssertEqual(World.heldOut.count, 38)  // of 8 × 8 × 6 = 384
        XCTAssertEqual(World.compositions(.train).count + World.compositions(.heldout).count, 384)
        // Every pair of attributes still appears in training.
        let train = World.compositions(.train)
        for c in ObjectClass.allCases {
            for k in ColorName.allCases { XCTAssertTrue(train.contains { $0.objectClass == c && $0.color == k }) }
        }
        for k in ColorName.allCases {
            for x in Context.allCases { XCTAssertTrue(train.contains { $0.color == k && $0.context == x }) }
        }
        for i in 0..<5000 {
            let s = world.scene(.train, seed: 1, index: i)
            XCTAssertFalse(
                World.isHeldOut(Composition(s.objectClass, s.color!, s.context)),
                "training scene \(i) drew a held-out composition")
        }
        for i in 0..<500 {
            let s = world.scene(.heldout, seed: 1, index: i)
            XCTAssertTrue(World.isHeldOut(Composition(s.objectClass, s.color!, s.context)))
        }
    }

    func testEveryAttributeValueIsDrawn() {
        let scenes = (0..<3000).map { world.scene(.train, seed: 2, index: $0) }
        XCTAssertEqual(Set(scenes.map(\.objectClass)).count, ObjectClass.allCases.count)
        XCTAssertEqual(Set(scenes.map(\.color)).count, ColorName.allCases.count)
        XCTAssertEqual(Set(scenes.map(\.pattern)).count, Pattern.allCases.count)
        XCTAssertEqual(Set(scenes.map(\.context)).count, Context.allCases.count)
        XCTAssertEqual(Set(scenes.map(\.style)).count, Style.allCases.count)
        // Objects span 50–64% of the frame side, rotations within ±15°.
        XCTAssertTrue(scenes.allSatisfy { $0.scale >= 0.25 && $0.scale <= 0.32 && abs($0.rotation) <= 0.27 })
    }

    func testSubjectsLooksAreNeverDrawnByTheWorld() {
        XCTAssertGreaterThanOrEqual(Subject.all.count, 3)
        XCTAssertEqual(Set(Subject.all.map(\.objectClass)).count, Subject.all.count, "subjects of different classes")
        var ordinary: [Look] = []
        for c in ColorName.allCases { for p in Pattern.allCases { ordinary.append(.ordinary(c, p)) } }
        for s in Subject.all { XCTAssertFalse(ordinary.contains(s.look), "\(s.name)'s look is an ordinary one") }
        for i in 0..<2000 { XCTAssertTrue(ordinary.contains(world.scene(.train, seed: 3, index: i).look)) }
        // Five instance images in five different contexts, the same every run.
        for s in Subject.all {
            let scenes = s.instanceScenes()
            XCTAssertEqual(scenes.count, 5)
            XCTAssertEqual(Set(scenes.map(\.context)).count, 5)
            XCTAssertEqual(scenes, s.instanceScenes())
            XCTAssertTrue(scenes.allSatisfy { $0.subject == s.name && $0.look == s.look })
        }
    }

    func testCaptionsAreTrueOfTheirImagesAndFullCaptionsNameEverything() {
        for i in 0..<400 {
            let e = world.example(.train, seed: 4, index: i)
            XCTAssertTrue(e.caption.fits(e.scene), e.caption.text)
            XCTAssertTrue(e.caption.text.contains(e.scene.objectClass.rawValue))
            if e.scene.style == .sketch { XCTAssertNil(e.caption.color, "a sketch shows no color: \(e.caption.text)") }
            let full = world.example(.train, seed: 4, index: i, fullCaption: true)
            XCTAssertEqual(full.caption.pattern, e.scene.pattern)
            XCTAssertEqual(full.caption.context, e.scene.context)
            XCTAssertTrue(full.caption.text.contains(e.scene.context.phrase), full.caption.text)
            if e.scene.style != .sketch {
                XCTAssertTrue(full.caption.text.contains(e.scene.color!.rawValue), full.caption.text)
            }
        }
        XCTAssertEqual(Captions.text(.cup, color: .red, pattern: .striped, context: .snow), "a red striped cup in snow")
        XCTAssertEqual(Captions.text(.ball, color: .orange, context: .night), "an orange ball at night")
        XCTAssertEqual(Captions.text(.star, style: .sketch), "a sketch of a star")
        XCTAssertEqual(
            Captions.text(.cup, context: .city, style: .painting, identifier: "sks"),
            "a painting of a sks cup in a city")
    }

    func testResolutionIsAParameter() {
        let big = World(size: 64).example(.train, seed: 5, index: 9)
        XCTAssertEqual(big.image.shape, [3, 64, 64])
        XCTAssertEqual(big.scene, world.example(.train, seed: 5, index: 9).scene)
        XCTAssertTrue(big.image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testExportIsAnImagefolderWithMetadata() throws {
        let dir = temporaryDirectory("world")
        try WorldExport.export(to: dir, world: world, split: .heldout, seed: 3, count: 12, fullCaptions: true)
        let lines = try String(contentsOfFile: dir + "/metadata.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 12)
        for line in lines {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let file = o["file_name"] as! String
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + file), file)
            for key in [
                "text", "class", "color", "pattern", "context", "style", "scale", "center_x", "center_y", "rotation",
                "split",
            ] {
                XCTAssertNotNil(o[key], "metadata lacks \(key)")
            }
            XCTAssertEqual(o["split"] as? String, "heldout")
        }
        let subjectDir = temporaryDirectory("subject")
        try WorldExport.export(
            to: subjectDir, world: world, split: .train, seed: 0, count: 5, subject: Subject.named("teal-cup"))
        let subjectLines = try String(contentsOfFile: subjectDir + "/metadata.jsonl", encoding: .utf8).split(
            separator: "\n")
        XCTAssertEqual(subjectLines.count, 5)
        XCTAssertTrue(subjectLines[0].contains("\"subject\": \"teal-cup\""))
    }
}

/// A subject carries its own world knowledge: a new one of another class gets property colors
/// away from its look and a wrong noun of another class, so chapter 08 needs no table of its own.
final class SubjectKnowledgeTests: XCTestCase {
    func testANewSubjectGetsPropertyColorsAndAWrongNoun() {
        let look = Look(fill: ColorName.green.rgb, pattern: .checkered, patternColor: .white)
        let star = Subject(
            name: "green-star", objectClass: .star, look: look, pattern: .checkered, summary: "a green checkered star",
            instanceContexts: [.grass, .sand, .snow, .city])
        XCTAssertEqual(star.propertyColors.count, 2)
        XCTAssertFalse(star.propertyColors.contains(.green), "\(star.propertyColors)")
        XCTAssertNotEqual(star.wrongNoun, .star)
        for s in Subject.all { XCTAssertNotEqual(s.wrongNoun, s.objectClass, s.name) }
        XCTAssertEqual(Subject.named("split-ball")?.propertyColors, [.green, .yellow])
    }
}

final class SpriteTests: XCTestCase {
    /// A drawing (4, h, w), premultiplied: a filled rectangle of `color` at rows/columns given, the rest transparent.
    func drawing(h: Int, w: Int, rows: Range<Int>, columns: Range<Int>, color: RGB) -> Tensor {
        var s = [Float](repeating: 0, count: 4 * h * w)
        for y in rows {
            for x in columns {
                let i = y * w + x
                (s[i], s[h * w + i], s[2 * h * w + i], s[3 * h * w + i]) = (color.r, color.g, color.b, 1)
            }
        }
        return Tensor(shape: [4, h, w], scalars: s)
    }

    func testTransparentMarginsAreTrimmedAndLargeDrawingsReduced() throws {
        let small = try Sprite(rgba: drawing(h: 40, w: 60, rows: 10..<20, columns: 5..<45, color: RGB(1, 0, 0)))
        XCTAssertEqual([small.width, small.height], [40, 10], "cut to the box of the visible pixels")
        let big = try Sprite(rgba: drawing(h: 500, w: 400, rows: 0..<480, columns: 0..<400, color: RGB(0, 0, 1)))
        XCTAssertLessThanOrEqual(max(big.width, big.height), Sprite.side)
        XCTAssertEqual(big.height, 96)  // 480 rows in blocks of 5
    }

    func testTheDrawingReplacesTheObjectAndTheBackgroundShowsThroughItsTransparentPixels() throws {
        // Opaque inside a transparent one-pixel border (a drawing with no transparent pixel is refused).
        let sprite = try Sprite(rgba: drawing(h: 30, w: 30, rows: 1..<29, columns: 1..<29, color: RGB(1, 0, 1)))
        let withHole = drawing(h: 30, w: 30, rows: 1..<29, columns: 1..<29, color: RGB(1, 0, 1))
        var holed = withHole.scalars
        for y in 10..<20 { for x in 10..<20 { for c in 0..<4 { holed[c * 900 + y * 30 + x] = 0 } } }
        let ring = try Sprite(rgba: Tensor(shape: [4, 30, 30], scalars: holed))
        let scenes = Sprite.scenes(noun: .box, contexts: [.night], count: 1, name: "magenta")
        let scene = scenes[0]
        let solid = Renderer.render(scene, size: 32, sprite: sprite)
        let hollow = Renderer.render(scene, size: 32, sprite: ring)
        let plain = Renderer.render(scene, size: 32)
        let cx = Int(scene.centerX * 32)
        let cy = Int(scene.centerY * 32)
        func pixel(_ t: Tensor, _ y: Int, _ x: Int) -> [Float] { (0..<3).map { t.scalars[$0 * 1024 + y * 32 + x] } }
        XCTAssertEqual(pixel(solid, cy, cx), [1, 0, 1], "the drawing's color at the object's center")
        XCTAssertNotEqual(pixel(hollow, cy, cx), [1, 0, 1], "its transparent middle shows the night sky")
        XCTAssertLessThan(pixel(hollow, cy, cx)[2], 0.3)
        XCTAssertEqual(pixel(solid, 0, 0), pixel(plain, 0, 0), "the background is the world's")
        XCTAssertEqual(scene.context, .night)
    }

    func testDrawingsWithNothingToPlaceAreRefused() {
        XCTAssertThrowsError(try Sprite(rgba: Tensor(zeros: [4, 8, 8]))) { e in
            XCTAssertTrue("\(e)".contains("transparent"), "\(e)")
        }
        XCTAssertThrowsError(
            try Sprite(rgba: drawing(h: 8, w: 8, rows: 0..<8, columns: 0..<8, color: RGB(1, 1, 1)))
        ) { e in XCTAssertTrue("\(e)".contains("no pixel is transparent"), "\(e)") }
        XCTAssertThrowsError(try Sprite(rgba: Tensor(zeros: [3, 8, 8])))
    }
}

/// The object's mask, as the autoencoder's object weighting reads it.
final class ObjectCoverageTests: XCTestCase {
    /// The object mask the autoencoder's --object_weight uses: full at the object's centre, empty in
    /// the frame's corners, and exactly the pixels `render` changes when the object is drawn.
    func testObjectCoverageMasksWhatTheRendererDrawsAsTheObject() {
        var rng = RNG(seed: 4)
        let scene = World.placed(
            Scene(
                objectClass: .box, color: .red, pattern: .plain, context: .grass, style: .photo,
                look: .ordinary(.red, .plain)), rng: &rng)
        let S = 32
        let coverage = Renderer.objectCoverage(scene, size: S)
        let cx = Int(scene.centerX * Float(S))
        let cy = Int(scene.centerY * Float(S))
        XCTAssertEqual(coverage[cy * S + cx], 1)
        XCTAssertEqual(coverage[0], 0)
        XCTAssertEqual(coverage[S * S - 1], 0)
        // A pixel of the render that differs from the same scene in another object color is covered.
        var recolored = scene
        recolored.look = .ordinary(.blue, .plain)
        let a = Renderer.render(scene, size: S)
        let b = Renderer.render(recolored, size: S)
        for i in 0..<(S * S) where a.scalars[i] != b.scalars[i] {
            XCTAssertGreaterThan(coverage[i], 0, "pixel \(i) changed with the object's color but is not covered")
        }
    }
}
