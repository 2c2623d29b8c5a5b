// Tensor: the value type every chapter computes with.
//
// Float32, contiguous, row-major; images are NCHW. Storage is a Swift array, so a tensor is a
// value: copying is cheap until one copy is written (copy-on-write).
//
// Shape legend used in comments across the package:
//   B batch, C channels, H×W pixels, L tokens, D width, K reduction length.

import Foundation

/// A dense Float32 tensor, contiguous and row-major.
public struct Tensor: Equatable, Sendable {
    /// The extent of each axis, outermost first: (B, C, H, W) for images.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.product`.
    public var scalars: [Float]

    /// A tensor with the given shape and elements (row-major).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shapeString(shape))")
        precondition(
            shape.product == scalars.count,
            "Tensor: shape \(shapeString(shape)) needs \(shape.product) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor filled with one value.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.product))
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A scalar (rank-0) tensor.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The same elements viewed with another shape of equal size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(
            newShape.product == count,
            "reshape: cannot view shape \(shapeString(shape)) as \(shapeString(newShape))")
        var t = self
        t.shape = newShape
        return t
    }

    /// The element at a multi-index.
    public subscript(index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    func flatIndex(_ index: [Int]) -> Int {
        precondition(
            index.count == rank, "index \(index) has \(index.count) axes; tensor has shape \(shapeString(shape))")
        var flat = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of range for shape \(shapeString(shape))")
            flat = flat * n + i
        }
        return flat
    }

    /// Row-major strides of `shape`.
    public var strides: [Int] { rowMajorStrides(shape) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = scalars.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor\(shapeString(shape)) [\(head)\(count > 8 ? ", …" : "")]"
    }
}

/// "(2, 3, 4)": how every shape is printed in messages.
public func shapeString(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
}

public func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        s[i] = acc
        acc *= shape[i]
    }
    return s
}

extension Array where Element == Float {
    /// An array whose elements the caller overwrites before reading (skips zero-filling).
    @inlinable public static func uninitialized(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
    }
}

extension Array where Element == Int {
    /// The product of the extents: the number of elements of a shape.
    public var product: Int { reduce(1, *) }
}
