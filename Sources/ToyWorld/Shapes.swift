// The silhouettes, as signed distance functions in the object's own coordinates.
//
// A silhouette lives in the square [-1, 1]² (u to the right, v downward, as in the image). Its
// signed distance d(u, v) is negative inside, positive outside, and |d| is the distance to the
// edge, so the renderer draws the outline as the band -w < d < 0 with one width for every class:
// at 32×32 the classes must be told apart by their outlines alone.

import Foundation

/// A point or vector in the plane.
struct P2 { var x: Float, y: Float }

@inline(__always) func length(_ x: Float, _ y: Float) -> Float { (x * x + y * y).squareRoot() }

/// Distance to a disc of radius r at (cx, cy).
func circleSDF(_ u: Float, _ v: Float, cx: Float, cy: Float, r: Float) -> Float { length(u - cx, v - cy) - r }

/// Distance to an axis-aligned box with half-sizes (hx, hy) at (cx, cy), corners rounded by `round`.
func boxSDF(_ u: Float, _ v: Float, cx: Float, cy: Float, hx: Float, hy: Float, round: Float = 0) -> Float {
    let qx = abs(u - cx) - hx + round
    let qy = abs(v - cy) - hy + round
    return length(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - round
}

/// Distance to an ellipse (approximate: exact on the axes, within a few % elsewhere; enough for an outline).
func ellipseSDF(_ u: Float, _ v: Float, cx: Float, cy: Float, rx: Float, ry: Float) -> Float {
    (length((u - cx) / rx, (v - cy) / ry) - 1) * min(rx, ry)
}

/// Signed distance to a simple polygon: the nearest edge gives |d|, the crossing count its sign.
func polygonSDF(_ u: Float, _ v: Float, _ pts: [P2]) -> Float {
    var d = Float.infinity
    var inside = false
    var j = pts.count - 1
    for i in 0..<pts.count {
        let a = pts[i]
        let b = pts[j]
        let ex = b.x - a.x
        let ey = b.y - a.y
        let wx = u - a.x
        let wy = v - a.y
        let t = min(max((wx * ex + wy * ey) / (ex * ex + ey * ey), 0), 1)
        d = min(d, length(wx - ex * t, wy - ey * t))
        // Does the edge cross the horizontal ray from (u, v) to the right?
        if (a.y > v) != (b.y > v) && u < a.x + (v - a.y) * ex / ey { inside.toggle() }
        j = i
    }
    return inside ? -d : d
}

extension ObjectClass {
    /// The silhouette's signed distance at (u, v) in object coordinates.
    func distance(_ u: Float, _ v: Float) -> Float {
        switch self {
        case .ball: return circleSDF(u, v, cx: 0, cy: 0, r: 0.95)
        case .box: return boxSDF(u, v, cx: 0, cy: 0, hx: 0.82, hy: 0.82, round: 0.06)
        case .star: return polygonSDF(u, v, Silhouettes.star)
        case .tree:
            return min(polygonSDF(u, v, Silhouettes.treeCrown), boxSDF(u, v, cx: 0, cy: 0.72, hx: 0.2, hy: 0.28))
        case .house: return polygonSDF(u, v, Silhouettes.house)
        case .fish:
            return min(ellipseSDF(u, v, cx: -0.18, cy: 0, rx: 0.74, ry: 0.5), polygonSDF(u, v, Silhouettes.fishTail))
        case .cup:
            // A tapered body and a ring handle on the right.
            let handle = abs(length(u - 0.5, v + 0.02) - 0.32) - 0.1
            return min(polygonSDF(u, v, Silhouettes.cupBody), max(handle, -(u - 0.42)))
        case .heart: return polygonSDF(u, v, Silhouettes.heart)
        }
    }

    /// Details drawn in the outline color inside the silhouette (a fish's eye, a house's door),
    /// as a signed distance; nil for classes without one.
    func detail(_ u: Float, _ v: Float) -> Float? {
        switch self {
        case .fish: return circleSDF(u, v, cx: -0.55, cy: -0.1, r: 0.1)
        case .house: return boxSDF(u, v, cx: 0, cy: 0.68, hx: 0.16, hy: 0.3)
        default: return nil
        }
    }
}

/// Polygon outlines, computed once.
enum Silhouettes {
    static let star: [P2] = (0..<10).map { k in
        let r: Float = k % 2 == 0 ? 1.0 : 0.45
        let a = -Float.pi / 2 + Float(k) * Float.pi / 5
        return P2(x: r * cos(a), y: r * sin(a) + 0.08)
    }
    static let treeCrown = [P2(x: 0, y: -1), P2(x: 0.85, y: 0.46), P2(x: -0.85, y: 0.46)]
    static let house = [
        P2(x: -0.78, y: 0.98), P2(x: 0.78, y: 0.98), P2(x: 0.78, y: -0.12), P2(x: 0, y: -0.95), P2(x: -0.78, y: -0.12),
    ]
    static let fishTail = [P2(x: 0.4, y: 0), P2(x: 0.98, y: -0.52), P2(x: 0.98, y: 0.52)]
    static let cupBody = [P2(x: -0.78, y: -0.72), P2(x: 0.52, y: -0.72), P2(x: 0.4, y: 0.8), P2(x: -0.66, y: 0.8)]
    /// The classic parametric heart, x = 16 sin³t, y = 13 cos t − 5 cos 2t − 2 cos 3t − cos 4t, scaled into the square.
    static let heart: [P2] = (0..<40).map { k in
        let t = Float(k) / 40 * 2 * Float.pi
        let x = 16 * pow(sin(t), 3)
        let y = 13 * cos(t) - 5 * cos(2 * t) - 2 * cos(3 * t) - cos(4 * t)
        return P2(x: x / 17, y: -(y + 2.5) / 15.5)
    }
}
