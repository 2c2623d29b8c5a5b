// Drawing a scene: background, then the object (outline, fill, pattern), then the style.
//
// Each pixel averages k×k subsamples (k = 3 at 32×32, 2 from 64 up), so edges are anti-aliased
// and an image depends only on its scene and its size. Sizes are in fractions of the frame, line
// widths in pixels, so a 64×64 image is the same picture as a 32×32 one, only sharper.

import Foundation
import TensorCore

public enum Renderer {
    /// The scene as a (3, size, size) image in [0, 1]; with a sprite, the sprite is drawn where
    /// the scene's object would be (its class, look and pattern are then not drawn).
    public static func render(_ scene: Scene, size: Int, sprite: Sprite? = nil) -> Tensor {
        precondition(size >= 8, "Renderer: size \(size) is below 8 pixels")
        let k = size >= 64 ? 2 : 3
        let S = Float(size)
        let plane = size * size
        var out = [Float](repeating: 0, count: 3 * plane)
        let cosR = cos(scene.rotation)
        let sinR = sin(scene.rotation)
        let outlinePixels: Float = max(1.1, S / 28)
        let toPixels = scene.scale * S
        for y in 0..<size {
            for x in 0..<size {
                var acc = RGB(0, 0, 0)
                for sy in 0..<k {
                    for sx in 0..<k {
                        let px = (Float(x) + (Float(sx) + 0.5) / Float(k)) / S
                        let py = (Float(y) + (Float(sy) + 0.5) / Float(k)) / S
                        // Frame → object coordinates: translate, undo the rotation, undo the scale.
                        let dx = (px - scene.centerX) / scene.scale
                        let dy = (py - scene.centerY) / scene.scale
                        let u = cosR * dx + sinR * dy
                        let v = -sinR * dx + cosR * dy
                        let c: RGB
                        if let sprite {
                            // Premultiplied color over the background.
                            let (color, alpha) = sprite.sample(u, v)
                            let b = alpha < 1 ? background(scene, px, py) : RGB(0, 0, 0)
                            c = RGB(
                                color.r + (1 - alpha) * b.r, color.g + (1 - alpha) * b.g, color.b + (1 - alpha) * b.b)
                        } else {
                            c =
                                objectColor(scene, u, v, outlineWidth: outlinePixels / toPixels)
                                ?? background(scene, px, py)
                        }
                        acc.r += c.r
                        acc.g += c.g
                        acc.b += c.b
                    }
                }
                let n = Float(k * k)
                let i = y * size + x
                out[i] = acc.r / n
                out[plane + i] = acc.g / n
                out[2 * plane + i] = acc.b / n
            }
        }
        var image = Tensor(shape: [3, size, size], scalars: out)
        switch scene.style {
        case .photo: break
        case .sketch: sketch(&image)
        case .painting: paint(&image, variation: scene.variation)
        }
        return image
    }

    /// The share of each pixel's k×k subsamples inside the object's silhouette, (size · size) row by
    /// row: 1 on the object, 0 on the background, between on its anti-aliased edge. The same
    /// subsamples and transform as `render`, so it masks exactly what `render` draws as the object.
    /// With a sprite, the share is the sprite's alpha averaged over the subsamples.
    public static func objectCoverage(_ scene: Scene, size: Int, sprite: Sprite? = nil) -> [Float] {
        precondition(size >= 8, "Renderer: size \(size) is below 8 pixels")
        let k = size >= 64 ? 2 : 3
        let S = Float(size)
        let cosR = cos(scene.rotation)
        let sinR = sin(scene.rotation)
        var coverage = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                var inside: Float = 0
                for sy in 0..<k {
                    for sx in 0..<k {
                        let dx = ((Float(x) + (Float(sx) + 0.5) / Float(k)) / S - scene.centerX) / scene.scale
                        let dy = ((Float(y) + (Float(sy) + 0.5) / Float(k)) / S - scene.centerY) / scene.scale
                        let (u, v) = (cosR * dx + sinR * dy, -sinR * dx + cosR * dy)
                        if let sprite {
                            inside += sprite.sample(u, v).alpha
                        } else if scene.objectClass.distance(u, v) < 0 {
                            inside += 1
                        }
                    }
                }
                coverage[y * size + x] = inside / Float(k * k)
            }
        }
        return coverage
    }

    /// The object's color at (u, v), or nil outside its silhouette. The outline is the band of
    /// width `w` (object units) just inside the edge.
    static func objectColor(_ s: Scene, _ u: Float, _ v: Float, outlineWidth w: Float) -> RGB? {
        let d = s.objectClass.distance(u, v)
        guard d < 0 else { return nil }
        if d > -w { return .outline }
        if let detail = s.objectClass.detail(u, v), detail < 0 { return .outline }
        let look = s.look
        let fill = (look.rightFill != nil && u > 0) ? look.rightFill! : look.fill
        return patternCovers(look.pattern, u, v) ? look.patternColor : fill
    }

    /// Whether the pattern paints (u, v). Patterns live in object coordinates: they turn with it.
    static func patternCovers(_ p: Pattern, _ u: Float, _ v: Float) -> Bool {
        switch p {
        case .plain: return false
        case .striped:
            let t = (v + 1) * 2.2
            return t - t.rounded(.down) < 0.45
        case .dotted:
            let cell: Float = 0.5
            let fu = u / cell - (u / cell).rounded()
            let fv = v / cell - (v / cell).rounded()
            return length(fu, fv) * cell < 0.14
        case .checkered:
            let cell: Float = 0.42
            return (Int((u / cell + 10).rounded(.down)) + Int((v / cell + 10).rounded(.down))) % 2 == 0
        }
    }

    // MARK: - Backgrounds (px, py in [0, 1] from the top left)

    static func background(_ s: Scene, _ px: Float, _ py: Float) -> RGB {
        let h = s.horizon
        switch s.context {
        case .grass:
            return py < h ? RGB(0.55, 0.78, 0.98) : RGB(0.36, 0.74, 0.26)
        case .sand:
            if circleSDF(px, py, cx: 0.84, cy: 0.14, r: 0.09) < 0 { return RGB(1.0, 0.93, 0.45) }
            return py < h ? RGB(0.66, 0.88, 0.97) : RGB(0.93, 0.78, 0.45)
        case .snow:
            if py < h {
                for f in Backdrop.snowflakes where circleSDF(px, py, cx: f.x, cy: f.y * h, r: 0.022) < 0 {
                    return RGB(1, 1, 1)
                }
                return RGB(0.66, 0.71, 0.80)
            }
            return RGB(0.97, 0.98, 1.0)
        case .water:
            let phase = Float(s.variation % 628) / 100
            let t = py * 7 + 0.18 * sin(px * 11 + phase)
            return t - t.rounded(.down) < 0.2 ? RGB(0.40, 0.64, 0.90) : RGB(0.08, 0.34, 0.68)
        case .night:
            if circleSDF(px, py, cx: 0.17, cy: 0.17, r: 0.09) < 0 { return RGB(0.98, 0.95, 0.72) }
            for st in Backdrop.stars where abs(px - st.x) + abs(py - st.y) < 0.025 { return RGB(0.95, 0.95, 1) }
            return RGB(0.04, 0.05, 0.17)
        case .city:
            if py > 0.86 { return RGB(0.22, 0.22, 0.24) }  // the street
            for b in Backdrop.buildings where px >= b.x0 && px < b.x1 && py >= b.top {
                // Windows: a lit grid on every building.
                let wx = (px - b.x0) * 18
                let wy = (py - b.top) * 18
                if wx - wx.rounded(.down) > 0.45 && wy - wy.rounded(.down) > 0.5 { return RGB(0.98, 0.85, 0.35) }
                return RGB(0.30, 0.31, 0.37)
            }
            return RGB(0.93, 0.62, 0.50)  // a dusk sky
        }
    }

    // MARK: - Styles

    /// A pencil sketch: luminance only, on warm paper; the outline stays darkest.
    static func sketch(_ image: inout Tensor) {
        let plane = image.shape[1] * image.shape[2]
        let paper = RGB(0.97, 0.95, 0.89)
        for i in 0..<plane {
            let c = RGB(image.scalars[i], image.scalars[plane + i], image.scalars[2 * plane + i])
            let tone = 0.28 + 0.72 * c.luma
            image.scalars[i] = paper.r * tone
            image.scalars[plane + i] = paper.g * tone
            image.scalars[2 * plane + i] = paper.b * tone
        }
    }

    /// A painting: blocky brush strokes (each 2×2-pixel block brightened or darkened a little)
    /// and a wooden frame with a gold inner edge.
    static func paint(_ image: inout Tensor, variation: UInt32) {
        let size = image.shape[1]
        let plane = size * size
        let frame = max(2, size / 16)
        var rng = RNG(seed: UInt64(variation)).split("brush")
        let blocks = (size + 1) / 2
        let strokes = (0..<(blocks * blocks)).map { _ in 1 + 0.16 * (rng.uniform() - 0.5) }
        for y in 0..<size {
            for x in 0..<size {
                let i = y * size + x
                let edge = min(min(x, y), min(size - 1 - x, size - 1 - y))
                let c: RGB
                if edge < frame - 1 {
                    c = RGB(0.42, 0.25, 0.10)
                } else if edge == frame - 1 {
                    c = RGB(0.86, 0.70, 0.30)
                } else {
                    let f = strokes[(y / 2) * blocks + x / 2]
                    c = RGB(
                        min(1, image.scalars[i] * f), min(1, image.scalars[plane + i] * f),
                        min(1, image.scalars[2 * plane + i] * f))
                }
                image.scalars[i] = c.r
                image.scalars[plane + i] = c.g
                image.scalars[2 * plane + i] = c.b
            }
        }
    }
}

/// Fixed background furniture, the same in every image so contexts read at a glance.
enum Backdrop {
    static let snowflakes = [
        P2(x: 0.12, y: 0.2), P2(x: 0.3, y: 0.55), P2(x: 0.52, y: 0.15), P2(x: 0.7, y: 0.5), P2(x: 0.88, y: 0.25),
        P2(x: 0.2, y: 0.85), P2(x: 0.8, y: 0.8),
    ]
    static let stars = [
        P2(x: 0.42, y: 0.1), P2(x: 0.66, y: 0.2), P2(x: 0.88, y: 0.12), P2(x: 0.1, y: 0.5), P2(x: 0.9, y: 0.55),
        P2(x: 0.32, y: 0.32), P2(x: 0.75, y: 0.85), P2(x: 0.15, y: 0.88),
    ]
    static let buildings: [(x0: Float, x1: Float, top: Float)] = [
        (0.0, 0.2, 0.3), (0.2, 0.38, 0.5), (0.38, 0.6, 0.22), (0.6, 0.8, 0.42), (0.8, 1.0, 0.28),
    ]
}
