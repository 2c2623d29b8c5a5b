// The world's vocabulary: what can be drawn and the words a caption uses for it.
//
// Every attribute is a small enum whose raw value is its caption word. The world draws
// 8 classes × 8 colors × 4 patterns × 6 contexts × 3 styles; a caption names them in the
// grammar of Captions.swift. Each word is one token of the tokenizer trained in chapter 04.

/// What the object is: a silhouette (Shapes.swift). Classes differ in outline at 32×32.
public enum ObjectClass: String, CaseIterable, Codable, Sendable {
    case ball, box, star, tree, house, fish, cup, heart
}

/// The object's fill color, from a palette of saturated hues that stay apart in RGB.
public enum ColorName: String, CaseIterable, Codable, Sendable {
    case red, orange, yellow, green, blue, purple, pink, brown

    public var rgb: RGB {
        switch self {
        case .red: return RGB(0.86, 0.10, 0.10)
        case .orange: return RGB(0.98, 0.52, 0.05)
        case .yellow: return RGB(0.98, 0.86, 0.08)
        case .green: return RGB(0.05, 0.52, 0.12)
        case .blue: return RGB(0.10, 0.28, 0.92)
        case .purple: return RGB(0.52, 0.16, 0.74)
        case .pink: return RGB(0.98, 0.50, 0.76)
        case .brown: return RGB(0.48, 0.28, 0.10)
        }
    }
}

/// A pattern painted on the object, in a lighter tint of its color.
public enum Pattern: String, CaseIterable, Codable, Sendable {
    case plain, striped, dotted, checkered
}

/// The background the object stands in, distinct at a glance (hue and layout).
public enum Context: String, CaseIterable, Codable, Sendable {
    case grass, sand, snow, water, night, city

    /// The words a caption uses ("a cup in snow", "a cup at night").
    public var phrase: String {
        switch self {
        case .grass: return "on grass"
        case .sand: return "on sand"
        case .snow: return "in snow"
        case .water: return "on water"
        case .night: return "at night"
        case .city: return "in a city"
        }
    }
}

/// How the scene is rendered: a photo (the default, unnamed in captions), a pencil sketch on
/// paper (colors gone), or a painting (brush texture in a wooden frame).
public enum Style: String, CaseIterable, Codable, Sendable {
    case photo, sketch, painting

    /// The caption's prefix ("a sketch of ..."); empty for a photo.
    public var prefix: String {
        switch self {
        case .photo: return ""
        case .sketch: return "a sketch of "
        case .painting: return "a painting of "
        }
    }
}

/// An RGB color in [0, 1].
public struct RGB: Equatable, Codable, Sendable {
    public var r: Float, g: Float, b: Float
    public init(_ r: Float, _ g: Float, _ b: Float) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// The color mixed toward `other` by t (0: self, 1: other).
    public func mixed(_ other: RGB, _ t: Float) -> RGB {
        RGB(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t)
    }
    /// A lighter tint: the pattern color of an ordinary object.
    public var tint: RGB { mixed(RGB(1, 1, 1), 0.6) }
    /// Rec. 601 luma.
    public var luma: Float { 0.299 * r + 0.587 * g + 0.114 * b }
    public static let white = RGB(1, 1, 1)
    public static let outline = RGB(0.07, 0.07, 0.08)
}
