// A one-line progress report for long loops, below every library that trains or samples.

import Foundation

/// A one-line progress report for long loops: step, loss, it/s, ETA — at most every half second.
public struct ProgressLine {
    let label: String
    let total: Int
    /// The step this run began at (a resumed run's rate counts only its own steps).
    let first: Int
    let start = Date()
    var last = Date.distantPast

    public init(_ label: String, total: Int, from first: Int = 0) {
        self.label = label
        self.total = total
        self.first = first
    }

    public mutating func update(_ step: Int, _ extra: String = "") {
        let now = Date()
        guard step == total || now.timeIntervalSince(last) > 0.5 else { return }
        last = now
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(step - first) / max(elapsed, 1e-9)
        let eta = Double(total - step) / max(rate, 1e-9)
        let line = String(format: "\r%@ %d/%d  %@  %.1f it/s  ETA %.0fs ", label, step, total, extra, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
        if step == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
