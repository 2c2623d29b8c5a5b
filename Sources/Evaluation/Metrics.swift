// The paper's metrics (Ruiz et al. 2023, §4.1), as functions of embeddings.
//
//   DINO, CLIP-I  subject fidelity: mean cosine over all (generated, real) pairs of image embeddings
//   CLIP-T        prompt fidelity: mean cosine between each generated image and its prompt's text embedding
//   PRES          prior preservation (language drift): mean DINO cosine between real subject images and
//                 images generated from the class prompt alone ("a cup"); high means the class drifted
//                 toward the subject
//   DIV           diversity: mean pairwise distance (1 − cosine; the paper uses LPIPS) among images
//                 generated from one prompt; 0 when all are the same
// Embeddings are rows of unit length (B, E).

import TensorCore

public enum Metrics {
    /// ⟨a_i, b_j⟩ for rows of unit length.
    static func dot(_ a: Tensor, _ i: Int, _ b: Tensor, _ j: Int) -> Double {
        let E = a.shape[1]
        var s = 0.0
        for k in 0..<E { s += Double(a.scalars[i * E + k]) * Double(b.scalars[j * E + k]) }
        return s
    }

    /// Mean cosine over every pair (row of `a`, row of `b`): DINO and CLIP-I with a = generated, b = real.
    public static func meanPairwiseCosine(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(
            a.shape.count == 2 && b.shape.count == 2 && a.shape[1] == b.shape[1],
            "meanPairwiseCosine: \(shapeString(a.shape)) and \(shapeString(b.shape))")
        guard a.shape[0] > 0 && b.shape[0] > 0 else { return .nan }
        var s = 0.0
        for i in 0..<a.shape[0] { for j in 0..<b.shape[0] { s += dot(a, i, b, j) } }
        return s / Double(a.shape[0] * b.shape[0])
    }

    /// Mean cosine between row i of `images` and row i of `texts` (CLIP-T: each image against its prompt).
    public static func meanMatchedCosine(_ images: Tensor, _ texts: Tensor) -> Double {
        precondition(
            images.shape == texts.shape,
            "meanMatchedCosine: \(shapeString(images.shape)) and \(shapeString(texts.shape))")
        guard images.shape[0] > 0 else { return .nan }
        return (0..<images.shape[0]).reduce(0.0) { $0 + dot(images, $1, texts, $1) } / Double(images.shape[0])
    }

    /// PRES: mean pairwise cosine between the real subject images and the class-prompt generations.
    public static func pres(classPromptImages: Tensor, subjectImages: Tensor) -> Double {
        meanPairwiseCosine(classPromptImages, subjectImages)
    }

    /// DIV: mean 1 − cosine over distinct pairs of images from one prompt.
    public static func div(_ images: Tensor) -> Double {
        let n = images.shape[0]
        guard n >= 2 else { return .nan }
        var s = 0.0
        for i in 0..<n { for j in (i + 1)..<n { s += 1 - dot(images, i, images, j) } }
        return s / Double(n * (n - 1) / 2)
    }

    /// Fraction of rows whose nearest row of `reference` (by cosine) has the same label.
    public static func nearestNeighbourAccuracy(
        _ queries: Tensor, labels: [Int], reference: Tensor, referenceLabels: [Int]
    ) -> Double {
        guard queries.shape[0] > 0 else { return .nan }
        let hits = (0..<queries.shape[0]).filter {
            let j = nearest(queries, $0, in: reference)  // −1 when no row compares (empty, NaN): a miss
            return j >= 0 && referenceLabels[j] == labels[$0]
        }.count
        return Double(hits) / Double(queries.shape[0])
    }

    /// The row of `reference` most similar (largest dot product) to row i of `queries`, the first on ties;
    /// −1 when none compares (no rows, or NaN).
    static func nearest(_ queries: Tensor, _ i: Int, in reference: Tensor) -> Int {
        var best = -Double.infinity
        var at = -1
        for j in 0..<reference.shape[0] {
            let c = dot(queries, i, reference, j)
            if c > best {
                best = c
                at = j
            }
        }
        return at
    }

    /// Image → text retrieval: the fraction of images whose most similar text is their own
    /// (texts equal as strings count as the same caption).
    public static func retrievalTop1(images: Tensor, texts: Tensor, captions: [String]) -> Double {
        let n = images.shape[0]
        guard n > 0 else { return .nan }
        let hits = (0..<n).filter { captions[nearest(images, $0, in: texts)] == captions[$0] }.count
        return Double(hits) / Double(n)
    }
}

// MARK: - Fréchet distance (an FID in miniature)

extension Metrics {
    /// The Fréchet distance between Gaussians fitted to two sets of feature rows (Heusel et al.
    /// 2017, FID): ‖μ₁ − μ₂‖² + Tr(C₁ + C₂ − 2 (C₁^½ C₂ C₁^½)^½). The square roots are taken by
    /// symmetric eigendecomposition (Jacobi rotations), in Double.
    public static func frechetDistance(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(
            a.shape.count == 2 && b.shape.count == 2 && a.shape[1] == b.shape[1],
            "frechetDistance: \(shapeString(a.shape)) and \(shapeString(b.shape))")
        let (m1, c1) = meanAndCovariance(a)
        let (m2, c2) = meanAndCovariance(b)
        let d = m1.count
        var meanTerm = 0.0
        for i in 0..<d { meanTerm += (m1[i] - m2[i]) * (m1[i] - m2[i]) }
        let s1 = symmetricFunction(c1, d) { Swift.max($0, 0).squareRoot() }
        let inner = multiply(multiply(s1, c2, d), s1, d)
        let root = symmetricFunction(inner, d) { Swift.max($0, 0).squareRoot() }
        var trace = 0.0
        for i in 0..<d { trace += c1[i * d + i] + c2[i * d + i] - 2 * root[i * d + i] }
        return meanTerm + trace
    }

    /// Tr of the sample covariance (for tests and reports).
    public static func meanAndCovarianceTrace(_ x: Tensor) -> Double {
        let (_, c) = meanAndCovariance(x)
        let d = x.shape[1]
        return (0..<d).reduce(0.0) { $0 + c[$1 * d + $1] }
    }

    static func meanAndCovariance(_ x: Tensor) -> ([Double], [Double]) {
        let n = x.shape[0]
        let d = x.shape[1]
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(x.scalars[r * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var cov = [Double](repeating: 0, count: d * d)
        for r in 0..<n {
            for i in 0..<d {
                let xi = Double(x.scalars[r * d + i]) - mean[i]
                for j in i..<d { cov[i * d + j] += xi * (Double(x.scalars[r * d + j]) - mean[j]) }
            }
        }
        for i in 0..<d {
            for j in i..<d {
                cov[i * d + j] /= Double(Swift.max(1, n - 1))
                cov[j * d + i] = cov[i * d + j]
            }
        }
        return (mean, cov)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for k in 0..<d {
                let aik = a[i * d + k]
                if aik == 0 { continue }
                for j in 0..<d { c[i * d + j] += aik * b[k * d + j] }
            }
        }
        return c
    }

    /// f(S) = V f(Λ) Vᵀ for a symmetric S = V Λ Vᵀ (cyclic Jacobi until the off-diagonal vanishes).
    static func symmetricFunction(_ s: [Double], _ d: Int, _ f: (Double) -> Double) -> [Double] {
        var a = s
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in (p + 1)..<d { off += a[p * d + q] * a[p * d + q] } }
            if off < 1e-22 { break }
            for p in 0..<d {
                for q in (p + 1)..<d where abs(a[p * d + q]) > 1e-300 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let sn = t * c
                    for k in 0..<d {  // rotate columns p, q
                        let akp = a[k * d + p]
                        let akq = a[k * d + q]
                        a[k * d + p] = c * akp - sn * akq
                        a[k * d + q] = sn * akp + c * akq
                    }
                    for k in 0..<d {  // rotate rows p, q
                        let apk = a[p * d + k]
                        let aqk = a[q * d + k]
                        a[p * d + k] = c * apk - sn * aqk
                        a[q * d + k] = sn * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p]
                        let vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - sn * vkq
                        v[k * d + q] = sn * vkp + c * vkq
                    }
                }
            }
        }
        var out = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let fk = f(a[k * d + k])
            for i in 0..<d {
                let vik = v[i * d + k] * fk
                for j in 0..<d { out[i * d + j] += vik * v[j * d + k] }
            }
        }
        return out
    }
}
