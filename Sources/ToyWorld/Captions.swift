// Captions: a small grammar over the scene's ground truth.
//
//   caption  := [style "of "] article [color] [pattern] class [context]
//   e.g.        "a red striped cup in snow", "a cup", "a sketch of a star", "an orange ball at night"
//
// For training, attributes are left out at random (as real alt-texts leave things out); with
// `full` every caption names class, color, pattern and context. A sketch shows no color, so its
// caption never names one. The caption records what it mentions, so a judge or a contrastive loss
// can tell which images a caption fits (Caption.fits).

import TensorCore

public struct Caption: Equatable, Sendable {
    public var text: String
    public var objectClass: ObjectClass
    public var color: ColorName?
    public var pattern: Pattern?
    public var context: Context?
    public var style: Style

    /// Whether this caption is true of a scene: every attribute it names matches.
    public func fits(_ s: Scene) -> Bool {
        s.objectClass == objectClass && s.style == style
            && (color == nil || s.color == color) && (pattern == nil || s.pattern == pattern)
            && (context == nil || s.context == context)
    }
}

public enum Captions {
    /// How often a training caption names each attribute.
    public static let colorRate = 0.7, patternRate = 0.5, plainRate = 0.25, contextRate = 0.7

    /// A caption for `scene`; random omissions from `rng` unless `full`.
    public static func caption(for scene: Scene, rng: inout RNG, full: Bool = false) -> Caption {
        let visibleColor = scene.style == .sketch ? nil : scene.color
        let color = full || Double(rng.uniform()) < colorRate ? visibleColor : nil
        let patternKept = full || Double(rng.uniform()) < (scene.pattern == .plain ? plainRate : patternRate)
        let context = full || Double(rng.uniform()) < contextRate ? scene.context : nil
        let pattern = patternKept ? scene.pattern : nil
        return Caption(
            text: text(scene.objectClass, color: color, pattern: pattern, context: context, style: scene.style),
            objectClass: scene.objectClass, color: color, pattern: pattern, context: context, style: scene.style)
    }

    /// The words for a description: `identifier` (DreamBooth's rare token) goes right before the
    /// class's modifiers ("a sks red cup"), as the paper's "a [V] dog" puts it before the noun.
    public static func text(
        _ objectClass: ObjectClass?, color: ColorName? = nil, pattern: Pattern? = nil, context: Context? = nil,
        style: Style = .photo, identifier: String? = nil, noun: String? = nil
    ) -> String {
        var words: [String] = []
        if let identifier { words.append(identifier) }
        if let color { words.append(color.rawValue) }
        if let pattern { words.append(pattern.rawValue) }
        if let noun = noun ?? objectClass?.rawValue { words.append(noun) }
        var phrase = article(before: words.first ?? "") + " " + words.joined(separator: " ")
        if let context { phrase += " " + context.phrase }
        return style.prefix + phrase
    }

    /// "an" before a vowel sound's letter, "a" otherwise.
    public static func article(before word: String) -> String {
        guard let first = word.first else { return "a" }
        return "aeio".contains(first) ? "an" : "a"
    }
}
