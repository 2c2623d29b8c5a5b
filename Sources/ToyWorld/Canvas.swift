// Drawing for the procedural world: filled shapes on an RGB canvas, anti-aliased by supersampling.
// (Chapter 01's first picture; the world of chapter 04 renders with Renderer.swift.)

import TensorCore

/// An RGB image (3, H, W) in [0, 1] that shapes are painted onto.
public struct Canvas {
    public private(set) var image: Tensor
    public let size: Int
    /// Samples per pixel side for anti-aliasing.
    let supersample = 4

    public init(size: Int, background: RGB) {
        self.size = size
        image = Tensor(zeros: [3, size, size])
        fill { _, _ in background }
    }

    /// Paints every pixel with `color(x, y)`, x and y in [0, 1] from the top left.
    public mutating func fill(_ color: (Float, Float) -> RGB) {
        for y in 0..<size {
            for x in 0..<size {
                let c = color((Float(x) + 0.5) / Float(size), (Float(y) + 0.5) / Float(size))
                set(x, y, c, coverage: 1)
            }
        }
    }

    /// Paints the region where `inside(x, y)` holds, blending by the fraction of subsamples inside.
    public mutating func paint(_ color: RGB, where inside: (Float, Float) -> Bool) {
        let s = supersample
        for y in 0..<size {
            for x in 0..<size {
                var hits = 0
                for sy in 0..<s {
                    for sx in 0..<s {
                        let px = (Float(x) + (Float(sx) + 0.5) / Float(s)) / Float(size)
                        let py = (Float(y) + (Float(sy) + 0.5) / Float(s)) / Float(size)
                        if inside(px, py) { hits += 1 }
                    }
                }
                if hits > 0 { set(x, y, color, coverage: Float(hits) / Float(s * s)) }
            }
        }
    }

    public mutating func disc(cx: Float, cy: Float, radius: Float, _ color: RGB) {
        paint(color) { x, y in (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius }
    }

    public mutating func rectangle(x0: Float, y0: Float, x1: Float, y1: Float, _ color: RGB) {
        paint(color) { x, y in x >= x0 && x <= x1 && y >= y0 && y <= y1 }
    }

    mutating func set(_ x: Int, _ y: Int, _ c: RGB, coverage a: Float) {
        let plane = size * size
        let i = y * size + x
        image.scalars[i] = (1 - a) * image.scalars[i] + a * c.r
        image.scalars[plane + i] = (1 - a) * image.scalars[plane + i] + a * c.g
        image.scalars[2 * plane + i] = (1 - a) * image.scalars[2 * plane + i] + a * c.b
    }
}

/// The chapters' first picture: a striped red ball on grass under a blue sky.
public func drawBallOnGrass(size: Int = 32) -> Tensor {
    var c = Canvas(size: size, background: RGB(0.55, 0.75, 0.95))
    c.rectangle(x0: 0, y0: 0.62, x1: 1, y1: 1, RGB(0.30, 0.62, 0.25))
    c.disc(cx: 0.5, cy: 0.52, radius: 0.25, RGB(0.10, 0.10, 0.10))  // outline
    c.paint(RGB(0.85, 0.15, 0.12)) { x, y in
        (x - 0.5) * (x - 0.5) + (y - 0.52) * (y - 0.52) <= 0.22 * 0.22
    }
    c.paint(RGB(0.98, 0.95, 0.90)) { x, y in  // a white stripe
        (x - 0.5) * (x - 0.5) + (y - 0.52) * (y - 0.52) <= 0.22 * 0.22 && abs((x - 0.5) + (y - 0.52)) < 0.05
    }
    return c.image
}
