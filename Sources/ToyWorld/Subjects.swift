// Subjects: specific objects whose look the ordinary world never draws.
//
// An ordinary object is one palette color with its pattern in a lighter tint of the same color,
// all over. Each subject breaks that rule in its own way, so a base model has never seen it and
// DreamBooth must learn it from five photos:
//   split-ball   a ball, red on the left half and blue on the right (two fills: never drawn)
//   teal-cup     a cup in teal, a color outside the palette, with white stripes
//   dotted-box   a yellow box with purple dots (dots are otherwise a tint of the fill)
// The five instance images vary context, size and position, so that the identifier learns the
// object and not a background (the prototype's lesson: five photos on sand bind the sand).

import TensorCore

public struct Subject: Sendable {
    public let name: String
    public let objectClass: ObjectClass
    public let look: Look
    /// The pattern word that best describes the look (for prompts that name it).
    public let pattern: Pattern
    /// One line for people.
    public let summary: String
    /// The contexts of the five instance images, in order.
    public let instanceContexts: [Context]

    public static let all: [Subject] = [
        Subject(
            name: "split-ball", objectClass: .ball,
            look: Look(
                fill: ColorName.red.rgb, pattern: .plain, patternColor: ColorName.red.rgb, rightFill: ColorName.blue.rgb
            ),
            pattern: .plain, summary: "a ball split down the middle, red on the left and blue on the right",
            instanceContexts: [.grass, .sand, .snow, .city, .water]),
        Subject(
            name: "teal-cup", objectClass: .cup,
            look: Look(fill: RGB(0.0, 0.58, 0.56), pattern: .striped, patternColor: .white),
            pattern: .striped, summary: "a teal cup with white stripes",
            instanceContexts: [.sand, .grass, .night, .snow, .city]),
        Subject(
            name: "dotted-box", objectClass: .box,
            look: Look(fill: ColorName.yellow.rgb, pattern: .dotted, patternColor: ColorName.purple.rgb),
            pattern: .dotted, summary: "a yellow box with purple dots",
            instanceContexts: [.water, .city, .grass, .night, .sand]),
    ]

    public static func named(_ name: String) -> Subject? { all.first { $0.name == name } }

    /// The subject in a context and style, placed by `rng`.
    public func scene(_ context: Context, style: Style = .photo, rng: inout RNG) -> Scene {
        World.placed(
            Scene(
                objectClass: objectClass, color: nil, pattern: pattern, context: context, style: style, look: look,
                subject: name),
            rng: &rng)
    }

    /// The instance images' scenes: the first five are *the* instance images (contexts as listed);
    /// more cycle through every context. The same for every run.
    public func instanceScenes(count: Int = 5) -> [Scene] {
        (0..<count).map { i in
            var rng = RNG(seed: 5).split("subject/\(name)/\(i)")
            let context =
                i < instanceContexts.count ? instanceContexts[i] : Context.allCases[i % Context.allCases.count]
            return scene(context, rng: &rng)
        }
    }

    /// The caption of an instance image, as a user would write it: "a photo of a sks cup" style,
    /// here "a <identifier> <class>", optionally with its context.
    public func prompt(identifier: String, context: Context? = nil, style: Style = .photo) -> String {
        Captions.text(objectClass, context: context, style: style, identifier: identifier)
    }
}
