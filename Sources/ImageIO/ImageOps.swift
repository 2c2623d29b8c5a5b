// Image operations on (3, H, W) tensors: grids for figures, and resize / crop so instance photos of
// any size can be brought to the model's resolution.

import TensorCore

public enum ImageOps {
    /// Lays images (each (3, h, w), all the same size) out in `rows` × `columns` cells separated by
    /// `gap` pixels of `background`, row by row; missing cells stay background.
    public static func grid(_ images: [Tensor], rows: Int, columns: Int, gap: Int = 2, background: Float = 1) -> Tensor
    {
        precondition(
            !images.isEmpty && images.count <= rows * columns,
            "grid: \(images.count) images do not fit \(rows)×\(columns)")
        let h = images[0].shape[1]
        let w = images[0].shape[2]
        for im in images {
            precondition(
                im.shape == [3, h, w],
                "grid: image of shape \(shapeString(im.shape)) differs from \(shapeString([3, h, w]))")
        }
        let H = rows * h + (rows + 1) * gap
        let W = columns * w + (columns + 1) * gap
        var out = Tensor(repeating: background, shape: [3, H, W])
        for (n, im) in images.enumerated() {
            let y0 = gap + (n / columns) * (h + gap)
            let x0 = gap + (n % columns) * (w + gap)
            for c in 0..<3 {
                for y in 0..<h {
                    for x in 0..<w { out.scalars[(c * H + y0 + y) * W + x0 + x] = im.scalars[(c * h + y) * w + x] }
                }
            }
        }
        return out
    }

    /// Bilinear resize to (3, height, width), sampling at pixel centres (PyTorch's
    /// `interpolate(mode="bilinear", align_corners=False)` without antialiasing).
    public static func resize(_ image: Tensor, height: Int, width: Int) -> Tensor {
        let C = image.shape[0]
        let h = image.shape[1]
        let w = image.shape[2]
        var out = Tensor(zeros: [C, height, width])
        let sy = Float(h) / Float(height)
        let sx = Float(w) / Float(width)
        for y in 0..<height {
            let fy = max(0, (Float(y) + 0.5) * sy - 0.5)
            let y0 = min(Int(fy), h - 1)
            let y1 = min(y0 + 1, h - 1)
            let ty = fy - Float(y0)
            for x in 0..<width {
                let fx = max(0, (Float(x) + 0.5) * sx - 0.5)
                let x0 = min(Int(fx), w - 1)
                let x1 = min(x0 + 1, w - 1)
                let tx = fx - Float(x0)
                for c in 0..<C {
                    let p = image.scalars
                    let b = c * h * w
                    let top = p[b + y0 * w + x0] * (1 - tx) + p[b + y0 * w + x1] * tx
                    let bottom = p[b + y1 * w + x0] * (1 - tx) + p[b + y1 * w + x1] * tx
                    out.scalars[(c * height + y) * width + x] = top * (1 - ty) + bottom * ty
                }
            }
        }
        return out
    }

    /// Every pixel repeated factor × factor times (nearest neighbour): small images made large enough to see.
    public static func upscaled(_ image: Tensor, by factor: Int) -> Tensor {
        let C = image.shape[0]
        let h = image.shape[1]
        let w = image.shape[2]
        let H = h * factor
        let W = w * factor
        var out = Tensor(zeros: [C, H, W])
        for c in 0..<C {
            for y in 0..<H {
                for x in 0..<W {
                    out.scalars[(c * H + y) * W + x] = image.scalars[(c * h + y / factor) * w + x / factor]
                }
            }
        }
        return out
    }

    /// The central (height, width) window of an image.
    public static func centerCrop(_ image: Tensor, height: Int, width: Int) -> Tensor {
        let C = image.shape[0]
        let h = image.shape[1]
        let w = image.shape[2]
        precondition(height <= h && width <= w, "centerCrop: \(height)×\(width) is larger than the image \(h)×\(w)")
        let y0 = (h - height) / 2
        let x0 = (w - width) / 2
        var out = Tensor(zeros: [C, height, width])
        for c in 0..<C {
            for y in 0..<height {
                for x in 0..<width {
                    out.scalars[(c * height + y) * width + x] = image.scalars[(c * h + y0 + y) * w + x0 + x]
                }
            }
        }
        return out
    }

    /// Scales the short side to `size`, then crops the centre square: any photo becomes size × size.
    public static func resizeAndCenterCrop(_ image: Tensor, size: Int) -> Tensor {
        let h = image.shape[1]
        let w = image.shape[2]
        let scale = Float(size) / Float(min(h, w))
        let nh = max(size, Int((Float(h) * scale).rounded()))
        let nw = max(size, Int((Float(w) * scale).rounded()))
        return centerCrop(resize(image, height: nh, width: nw), height: size, width: size)
    }
}
