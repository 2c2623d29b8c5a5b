// A drawing of the user's own as a subject: an RGBA image whose transparent pixels are left out,
// placed into the world's contexts where a silhouette would be (World.placed's sizes, positions
// and turns), so that a workshop participant can draw an object in any paint program and see
// DreamBooth put it at night, in snow or in a sketch.
//
// The drawing is cut to the box of its visible pixels, reduced to at most `side` pixels on its
// longer side by averaging (alpha premultiplied, so transparent pixels add no color), and its
// longer side spans the object square [-0.95, 0.95] that a ball's outline fills. The renderer
// samples it bilinearly at each of its k×k subsamples and lays it over the background.

import TensorCore

/// Why a drawing cannot be a subject.
public struct SpriteError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public struct Sprite: Sendable {
    /// The reduced drawing's size in pixels.
    public let width: Int
    public let height: Int
    /// Premultiplied RGBA, planar (4, height, width), in [0, 1].
    let rgba: [Float]
    /// The longest side kept: more than a 32×32 or 64×64 render's subsamples can show.
    public static let side = 96

    /// A drawing from premultiplied RGBA (4, H, W) in [0, 1] (PNG.readRGBA's image).
    public init(rgba image: Tensor) throws {
        guard image.shape.count == 3, image.shape[0] == 4 else {
            throw SpriteError("a drawing is RGBA of shape (4, H, W), got \(image.shape)")
        }
        let (h, w) = (image.shape[1], image.shape[2])
        let plane = h * w
        let alpha = Array(image.scalars[(3 * plane)..<(4 * plane)])
        // The box of the visible pixels (alpha above half an 8-bit level).
        var (top, bottom, left, right) = (h, -1, w, -1)
        for y in 0..<h {
            for x in 0..<w where alpha[y * w + x] > 0.5 / 255 {
                top = min(top, y)
                bottom = max(bottom, y)
                left = min(left, x)
                right = max(right, x)
            }
        }
        guard bottom >= 0 else { throw SpriteError("every pixel is transparent: there is nothing to draw") }
        guard alpha.contains(where: { $0 < 1 - 0.5 / 255 }) else {
            throw SpriteError(
                "no pixel is transparent: draw the object on a transparent background (the whole rectangle would "
                    + "be the object)")
        }
        let (boxH, boxW) = (bottom - top + 1, right - left + 1)
        // Average s×s blocks so the longer side is at most `side` pixels.
        let s = max(1, (max(boxH, boxW) + Self.side - 1) / Self.side)
        let (outH, outW) = ((boxH + s - 1) / s, (boxW + s - 1) / s)
        var out = [Float](repeating: 0, count: 4 * outH * outW)
        for oy in 0..<outH {
            for ox in 0..<outW {
                var sum: (Float, Float, Float, Float) = (0, 0, 0, 0)
                var count: Float = 0
                for y in (top + oy * s)..<min(top + (oy + 1) * s, bottom + 1) {
                    for x in (left + ox * s)..<min(left + (ox + 1) * s, right + 1) {
                        let i = y * w + x
                        sum.0 += image.scalars[i]
                        sum.1 += image.scalars[plane + i]
                        sum.2 += image.scalars[2 * plane + i]
                        sum.3 += alpha[i]
                        count += 1
                    }
                }
                let o = oy * outW + ox
                let n = outH * outW
                out[o] = sum.0 / count
                out[n + o] = sum.1 / count
                out[2 * n + o] = sum.2 / count
                out[3 * n + o] = sum.3 / count
            }
        }
        width = outW
        height = outH
        rgba = out
    }

    /// The drawing's premultiplied color and alpha at object coordinates (u, v): bilinear between
    /// pixel centers, transparent outside.
    func sample(_ u: Float, _ v: Float) -> (color: RGB, alpha: Float) {
        let longer = Float(max(width, height))
        // Object units → sprite pixels: the longer side spans [-0.95, 0.95], centered.
        let px = u / 0.95 * longer / 2 + Float(width) / 2 - 0.5
        let py = v / 0.95 * longer / 2 + Float(height) / 2 - 0.5
        guard px > -1, py > -1, px < Float(width), py < Float(height) else { return (RGB(0, 0, 0), 0) }
        let x0 = Int(px.rounded(.down))
        let y0 = Int(py.rounded(.down))
        let fx = px - Float(x0)
        let fy = py - Float(y0)
        let n = width * height
        var c: (Float, Float, Float, Float) = (0, 0, 0, 0)
        for (dy, wy) in [(0, 1 - fy), (1, fy)] {
            for (dx, wx) in [(0, 1 - fx), (1, fx)] {
                let x = x0 + dx
                let y = y0 + dy
                guard x >= 0, y >= 0, x < width, y < height else { continue }
                let i = y * width + x
                let weight = wx * wy
                c.0 += weight * rgba[i]
                c.1 += weight * rgba[n + i]
                c.2 += weight * rgba[2 * n + i]
                c.3 += weight * rgba[3 * n + i]
            }
        }
        return (RGB(c.0, c.1, c.2), c.3)
    }

    /// The drawing as a subject's scenes: `count` photos, the contexts in the order given (cycled),
    /// placed as World.placed places an object; the same for every run.
    public static func scenes(noun: ObjectClass, contexts: [Context], count: Int, name: String) -> [Scene] {
        (0..<count).map { i in
            var rng = RNG(seed: 5).split("sprite/\(i)")
            return World.placed(
                Scene(
                    objectClass: noun, color: nil, pattern: .plain, context: contexts[i % contexts.count],
                    style: .photo, look: .ordinary(.red, .plain), subject: name),
                rng: &rng)
        }
    }
}
