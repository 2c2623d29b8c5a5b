// A scene: everything the world knows about one image, its ground truth.

import TensorCore

/// How the object's surface looks: a fill, a pattern in a second color, and optionally a second
/// fill for the right half. An ordinary object has a palette color with its pattern in a lighter
/// tint of that color; a subject (Subjects.swift) has a look the ordinary world never draws.
public struct Look: Equatable, Codable, Sendable {
    public var fill: RGB
    public var pattern: Pattern
    public var patternColor: RGB
    /// The fill of the right half (u > 0), for looks split down the middle.
    public var rightFill: RGB?

    public init(fill: RGB, pattern: Pattern, patternColor: RGB, rightFill: RGB? = nil) {
        self.fill = fill
        self.pattern = pattern
        self.patternColor = patternColor
        self.rightFill = rightFill
    }

    /// The look of an ordinary object: a palette color, its pattern in a lighter tint.
    public static func ordinary(_ color: ColorName, _ pattern: Pattern) -> Look {
        Look(fill: color.rgb, pattern: pattern, patternColor: color.rgb.tint)
    }

    /// A look the world never draws: any fill and any pattern color, and one time in five a second
    /// fill for the right half. Each color is, with probability `paletteShare`, a palette color (one
    /// time in four its tint), else any color (uniform in RGB). Palette colors crossed (purple dots on
    /// yellow) are what the subjects draw (Subjects.swift); uniform ones (teal) are what no palette holds.
    public static func random(_ pattern: Pattern, paletteShare: Float = 0, rng: inout RNG) -> Look {
        func color() -> RGB {
            if paletteShare > 0, rng.uniform() < paletteShare {
                let palette = ColorName.allCases
                let picked = palette[min(Int(rng.uniform() * Float(palette.count)), palette.count - 1)].rgb
                return rng.uniform() < 0.25 ? picked.tint : picked
            }
            return RGB(rng.uniform(), rng.uniform(), rng.uniform())
        }
        let fill = color()
        let patternColor = color()
        return Look(
            fill: fill, pattern: pattern, patternColor: patternColor, rightFill: rng.uniform() < 0.2 ? color() : nil)
    }
}

/// One image's ground truth: what is drawn, where, and how.
public struct Scene: Equatable, Codable, Sendable {
    public var objectClass: ObjectClass
    /// The palette color; nil for a subject, whose look is its own.
    public var color: ColorName?
    public var pattern: Pattern
    public var context: Context
    public var style: Style
    public var look: Look
    /// Half the object's extent as a fraction of the frame side (0.25–0.32: the object spans 50–64% of it).
    public var scale: Float
    /// The object's center, fractions of the frame from the top left.
    public var centerX: Float, centerY: Float
    /// Rotation in radians, clockwise on screen.
    public var rotation: Float
    /// The horizon's height as a fraction of the frame from the top.
    public var horizon: Float
    /// Seeds the background's and the style's small variations (wave phase, brush texture).
    public var variation: UInt32
    /// The subject's name when this is an image of one.
    public var subject: String?

    public init(
        objectClass: ObjectClass, color: ColorName?, pattern: Pattern, context: Context, style: Style, look: Look,
        scale: Float = 0.26, centerX: Float = 0.5, centerY: Float = 0.5, rotation: Float = 0, horizon: Float = 0.58,
        variation: UInt32 = 0, subject: String? = nil
    ) {
        self.objectClass = objectClass
        self.color = color
        self.pattern = pattern
        self.context = context
        self.style = style
        self.look = look
        self.scale = scale
        self.centerX = centerX
        self.centerY = centerY
        self.rotation = rotation
        self.horizon = horizon
        self.variation = variation
        self.subject = subject
    }
}
