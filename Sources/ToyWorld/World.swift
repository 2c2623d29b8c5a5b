// The procedural world: the distribution of scenes, its two splits, and drawing examples.
//
// A scene is drawn from its split, a seed and an index alone (RNG(seed).split(split/index)), so
// example 1234 of seed 7 is the same image in every run and every program, and a data loader needs
// no state but a counter. The *held-out* split draws only (class, color, context) triples that the
// training split never draws: a model is judged on compositions it never saw.

import Foundation
import TensorCore

/// One (class, color, context) composition.
public struct Composition: Hashable, Codable, Sendable, Comparable {
    public var objectClass: ObjectClass, color: ColorName, context: Context
    public init(_ objectClass: ObjectClass, _ color: ColorName, _ context: Context) {
        self.objectClass = objectClass
        self.color = color
        self.context = context
    }
    var key: (Int, Int, Int) {
        (
            ObjectClass.allCases.firstIndex(of: objectClass)!, ColorName.allCases.firstIndex(of: color)!,
            Context.allCases.firstIndex(of: context)!
        )
    }
    public static func < (a: Composition, b: Composition) -> Bool { a.key < b.key }
}

/// An image with its scene and caption.
public struct Example: Sendable {
    public var scene: Scene
    public var caption: Caption
    public var image: Tensor
    public init(scene: Scene, caption: Caption, image: Tensor) {
        self.scene = scene
        self.caption = caption
        self.image = image
    }
}

public struct World: Sendable {
    /// train: the compositions a generator learns from; heldout: only the 38 it never sees;
    /// all: every composition (what the judges learn from, so that they are not biased against
    /// the held-out ones they will measure a generator on).
    public enum Split: String, CaseIterable, Sendable { case train, heldout, all }

    /// Image side in pixels (32 by default; 64 works the same).
    public let size: Int
    public init(size: Int = 32) {
        precondition(size >= 8 && size <= 1024, "World: size \(size) outside 8…1024")
        self.size = size
    }

    /// How often each style is drawn.
    public static let sketchRate: Float = 0.1, paintingRate: Float = 0.1

    // MARK: - The held-out compositions

    /// 38 of the 384 (class, color, context) triples (≈ 10%), fixed for good: a seeded shuffle of
    /// all triples, taking each in turn unless that would leave some (class, color), (class,
    /// context) or (color, context) pair with fewer than 4 training triples.
    public static let heldOut: [Composition] = {
        var all: [Composition] = []
        for c in ObjectClass.allCases {
            for k in ColorName.allCases { for x in Context.allCases { all.append(Composition(c, k, x)) } }
        }
        var rng = RNG(seed: 2023).split("held-out compositions")
        for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, rng.randint(i + 1)) }
        var chosen: [Composition] = []
        var classColor: [String: Int] = [:]
        var classContext: [String: Int] = [:]
        var colorContext: [String: Int] = [:]
        for t in all where chosen.count < 38 {
            let a = "\(t.objectClass)\(t.color)"
            let b = "\(t.objectClass)\(t.context)"
            let c = "\(t.color)\(t.context)"
            // Training keeps 6 − n of a class–color pair's triples, 8 − n of the others'.
            guard classColor[a, default: 0] < 2, classContext[b, default: 0] < 4, colorContext[c, default: 0] < 4 else {
                continue
            }
            classColor[a, default: 0] += 1
            classContext[b, default: 0] += 1
            colorContext[c, default: 0] += 1
            chosen.append(t)
        }
        return chosen.sorted()
    }()
    static let heldOutSet = Set(heldOut)
    public static func isHeldOut(_ t: Composition) -> Bool { heldOutSet.contains(t) }

    /// Every composition of a split.
    public static func compositions(_ split: Split) -> [Composition] {
        var all: [Composition] = []
        for c in ObjectClass.allCases {
            for k in ColorName.allCases { for x in Context.allCases { all.append(Composition(c, k, x)) } }
        }
        switch split {
        case .all: return all
        case .train, .heldout: return all.filter { isHeldOut($0) == (split == .heldout) }
        }
    }
    static let trainCompositions = compositions(.train), heldOutCompositions = compositions(.heldout),
        allCompositions = compositions(.all)

    // MARK: - Drawing scenes

    /// Scene `index` of a split for a seed.
    public func scene(_ split: Split, seed: UInt64, index: Int) -> Scene {
        var rng = RNG(seed: seed).split("\(split.rawValue)/\(index)")
        let pool =
            split == .train
            ? Self.trainCompositions : split == .heldout ? Self.heldOutCompositions : Self.allCompositions
        let t = pool[rng.randint(pool.count)]
        let pattern = Pattern.allCases[rng.randint(Pattern.allCases.count)]
        let u = rng.uniform()
        let style: Style = u < Self.sketchRate ? .sketch : u < Self.sketchRate + Self.paintingRate ? .painting : .photo
        return Self.placed(
            Scene(
                objectClass: t.objectClass, color: t.color, pattern: pattern, context: t.context, style: style,
                look: .ordinary(t.color, pattern)), rng: &rng)
    }

    /// Size, position, rotation, horizon and variation, drawn for a scene.
    public static func placed(_ base: Scene, rng: inout RNG) -> Scene {
        var s = base
        s.scale = 0.25 + 0.07 * rng.uniform()
        let room = min(0.12, 0.5 - s.scale - 0.02)
        s.centerX = 0.5 + room * (2 * rng.uniform() - 1)
        s.centerY = 0.5 + room * (2 * rng.uniform() - 1)
        s.rotation = 0.26 * (2 * rng.uniform() - 1)  // ±15°
        s.horizon = 0.58 + 0.05 * (2 * rng.uniform() - 1)
        s.variation = UInt32(truncatingIfNeeded: rng.next())
        return s
    }

    /// The image of a scene at this world's size.
    public func render(_ scene: Scene) -> Tensor { Renderer.render(scene, size: size) }

    /// Example `index`: scene, caption (random omissions unless `fullCaption`) and image.
    public func example(_ split: Split, seed: UInt64, index: Int, fullCaption: Bool = false) -> Example {
        let s = scene(split, seed: seed, index: index)
        var rng = RNG(seed: seed).split("caption/\(split.rawValue)/\(index)")
        return Example(scene: s, caption: Captions.caption(for: s, rng: &rng, full: fullCaption), image: render(s))
    }

    /// The images of scenes, drawn in parallel (the same bytes as one at a time).
    /// With a sprite, the sprite is drawn in place of each scene's object.
    public func render(_ scenes: [Scene], sprite: Sprite? = nil) -> [Tensor] {
        var images = [Tensor?](repeating: nil, count: scenes.count)
        images.withUnsafeMutableBufferPointer { buf in
            let b = buf
            Parallel.forEach(scenes.count) { i in b[i] = Renderer.render(scenes[i], size: size, sprite: sprite) }
        }
        return images.map { $0! }
    }

    /// Examples for a run of indices, drawn in parallel (the same bytes as one at a time).
    public func examples(_ split: Split, seed: UInt64, indices: [Int], fullCaption: Bool = false) -> [Example] {
        renderAll(indices.map { ($0, scene(split, seed: seed, index: $0)) }) { index, s in
            var rng = RNG(seed: seed).split("caption/\(split.rawValue)/\(index)")
            return Captions.caption(for: s, rng: &rng, full: fullCaption)
        }
    }

    func renderAll(_ scenes: [(Int, Scene)], sprite: Sprite? = nil, caption: (Int, Scene) -> Caption) -> [Example] {
        let images = render(scenes.map(\.1), sprite: sprite)
        return scenes.indices.map {
            Example(scene: scenes[$0].1, caption: caption(scenes[$0].0, scenes[$0].1), image: images[$0])
        }
    }

    /// Images stacked into one (B, 3, H, W) tensor, scaled from [0, 1] to [-1, 1] as diffusers' training does.
    public static func batchTensor(_ images: [Tensor], signed: Bool = true) -> Tensor {
        guard let first = images.first else { return Tensor(zeros: [0, 3, 0, 0]) }
        var scalars: [Float] = []
        scalars.reserveCapacity(images.count * first.count)
        for im in images { scalars += signed ? im.scalars.map { 2 * $0 - 1 } : im.scalars }
        return Tensor(shape: [images.count] + first.shape, scalars: scalars)
    }
}
