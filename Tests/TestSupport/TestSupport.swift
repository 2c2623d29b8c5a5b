// Shared helpers for the test targets: where fixtures live, closeness checks, temporary folders.

import Foundation
import TensorCore

public enum Fixtures {
    /// Tests/Fixtures, found relative to this source file so tests run from any directory.
    public static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }()
    public static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }
    /// The repository itself (Checkpoints/, Data/ are read from here).
    public static let repository: String = URL(fileURLWithPath: root).deletingLastPathComponent()
        .deletingLastPathComponent().path
    public static func inRepository(_ relative: String) -> String {
        (repository as NSString).appendingPathComponent(relative)
    }
    /// The reference tensors made by diffusers and transformers (copied into the repository;
    /// its README.md says what each is and the tolerances).
    public static func reference(_ name: String) -> String { path("reference/" + name) }
}

/// ‖a − b‖ / ‖b‖ (0 when both are zero).
public func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "relativeError: shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) differ")
    var num = 0.0
    var den = 0.0
    for (x, y) in zip(a.scalars, b.scalars) {
        num += Double(x - y) * Double(x - y)
        den += Double(y) * Double(y)
    }
    return den == 0 ? num.squareRoot() : (num / den).squareRoot()
}

/// max |a − b| / max |b|: the scheduler tolerance of the reference README.
public func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(
        a.shape == b.shape, "maxRelativeError: shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) differ")
    var num = 0.0
    var den = 0.0
    for (x, y) in zip(a.scalars, b.scalars) {
        num = max(num, abs(Double(x) - Double(y)))
        den = max(den, abs(Double(y)))
    }
    return den == 0 ? num : num / den
}

/// A fresh temporary folder.
public func temporaryDirectory(_ label: String = "test") -> String {
    let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("dreambooth-\(label)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// The build folder holding the package's executables (beside the running test bundle).
public var productsDirectory: URL {
    #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
    #endif
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
}
