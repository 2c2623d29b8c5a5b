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
        let line = String(format: "%@ %d/%d  %@  %.1f it/s  ETA %.0fs ", label, step, total, extra, rate, eta)
        ProgressBoard.show(line, label: label, finished: step == total)
    }
}

/// The progress lines of the jobs running at once (`Parallel.concurrently`), drawn as one terminal line:
/// each job's latest report, joined by " │ ", so two jobs do not overwrite each other's line.
enum ProgressBoard {
    nonisolated(unsafe) static var active: [(label: String, line: String)] = []
    static let lock = NSLock()
    /// Characters the last drawing left on the line: a shorter one is padded to cover them.
    nonisolated(unsafe) static var drawnWidth = 0

    static func show(_ line: String, label: String, finished: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if let i = active.firstIndex(where: { $0.label == label }) {
            active[i].line = line
        } else {
            active.append((label, line))
        }
        var text = active.map(\.line).joined(separator: " │ ")
        if finished {
            // The finished job's last report keeps a line of its own; the others go on below it.
            text = line
            active.removeAll { $0.label == label }
        }
        let width = text.count
        text += String(repeating: " ", count: max(0, drawnWidth - width))
        drawnWidth = finished ? 0 : width
        FileHandle.standardError.write(Data(("\r" + text + (finished ? "\n" : "")).utf8))
    }
}
