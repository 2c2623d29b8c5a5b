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
    /// Two palette colors far from the look's own, for property-modification prompts.
    public let propertyColors: [ColorName]
    /// Another class of the world, for Table 4's "wrong noun" runs (its prior is that class's).
    public let wrongNoun: ObjectClass

    /// A subject; property colors default to the two palette colors farthest from the look's
    /// colors, the wrong noun to the next class of the world.
    public init(
        name: String, objectClass: ObjectClass, look: Look, pattern: Pattern, summary: String,
        instanceContexts: [Context], propertyColors: [ColorName]? = nil, wrongNoun: ObjectClass? = nil
    ) {
        self.name = name
        self.objectClass = objectClass
        self.look = look
        self.pattern = pattern
        self.summary = summary
        self.instanceContexts = instanceContexts
        self.propertyColors = propertyColors ?? Self.farthestColors(from: look)
        let classes = ObjectClass.allCases
        self.wrongNoun = wrongNoun ?? classes[(classes.firstIndex(of: objectClass)! + 1) % classes.count]
    }

    /// The two palette colors whose nearest look color is farthest away (squared RGB distance).
    static func farthestColors(from look: Look) -> [ColorName] {
        let own = [look.fill, look.patternColor] + (look.rightFill.map { [$0] } ?? [])
        func distance(_ c: ColorName) -> Float {
            own.map { o in
                let (dr, dg, db) = (c.rgb.r - o.r, c.rgb.g - o.g, c.rgb.b - o.b)
                return dr * dr + dg * dg + db * db
            }.min()!
        }
        return Array(ColorName.allCases.sorted { distance($0) > distance($1) }.prefix(2))
    }

    public static let all: [Subject] = [
        Subject(
            name: "split-ball", objectClass: .ball,
            look: Look(
                fill: ColorName.red.rgb, pattern: .plain, patternColor: ColorName.red.rgb, rightFill: ColorName.blue.rgb
            ),
            pattern: .plain, summary: "a ball split down the middle, red on the left and blue on the right",
            instanceContexts: [.grass, .sand, .snow, .city, .water],
            propertyColors: [.green, .yellow], wrongNoun: .box),
        Subject(
            name: "teal-cup", objectClass: .cup,
            look: Look(fill: RGB(0.0, 0.58, 0.56), pattern: .striped, patternColor: .white),
            pattern: .striped, summary: "a teal cup with white stripes",
            instanceContexts: [.sand, .grass, .night, .snow, .city], propertyColors: [.red, .yellow], wrongNoun: .ball),
        Subject(
            name: "dotted-box", objectClass: .box,
            look: Look(fill: ColorName.yellow.rgb, pattern: .dotted, patternColor: ColorName.purple.rgb),
            pattern: .dotted, summary: "a yellow box with purple dots",
            instanceContexts: [.water, .city, .grass, .night, .sand], propertyColors: [.red, .blue], wrongNoun: .cup),
    ]

    /// Subjects the defaults are checked on and never shown in a chapter's tables: other classes,
    /// looks made the same ways (two fills, a color off the palette, a pattern in a color that is no
    /// tint), and four photos in four contexts, so two contexts of every probe are ones no photo shows.
    /// Chapter 08's sweep chooses the trainer's defaults on these and the built-in subjects together,
    /// so that the defaults are not fitted to the three subjects the tables report.
    public static let probes: [Subject] = [
        Subject(
            name: "checkered-heart", objectClass: .heart,
            look: Look(fill: ColorName.pink.rgb, pattern: .checkered, patternColor: ColorName.green.rgb),
            pattern: .checkered, summary: "a pink heart with green checks",
            instanceContexts: [.snow, .city, .sand, .water]),
        Subject(
            name: "split-star", objectClass: .star,
            look: Look(
                fill: ColorName.orange.rgb, pattern: .plain, patternColor: ColorName.orange.rgb,
                rightFill: ColorName.purple.rgb),
            pattern: .plain, summary: "a star, orange on the left and purple on the right",
            instanceContexts: [.grass, .night, .water, .sand]),
        Subject(
            name: "grey-fish", objectClass: .fish,
            look: Look(fill: RGB(0.55, 0.55, 0.58), pattern: .striped, patternColor: ColorName.yellow.rgb),
            pattern: .striped, summary: "a grey fish with yellow stripes",
            instanceContexts: [.city, .grass, .snow, .night]),
        Subject(
            name: "dotted-tree", objectClass: .tree,
            look: Look(fill: RGB(0.35, 0.85, 0.85), pattern: .dotted, patternColor: ColorName.red.rgb),
            pattern: .dotted, summary: "a pale cyan tree with red dots",
            instanceContexts: [.night, .water, .city, .grass]),
    ]

    /// A built-in subject or a probe, by name.
    public static func named(_ name: String) -> Subject? { (all + probes).first { $0.name == name } }

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
