// Where the time goes: an opt-in tally of wall time per kind of op, forward and backward.
// Ops pass their kind to `Variable.record`, which adds the time since the op started (forward) and
// the time its pullback takes (backward). Off by default: one branch per op when off.

import Dispatch

public enum Profiler {
    nonisolated(unsafe) public static var enabled = false
    /// Whether convolutions tally by shape ("conv2d 3×3 96→32 @16²", with "∂W" and "∂x" apart in
    /// backward) instead of as one kind: `bench unet --profile-shapes`.
    nonisolated(unsafe) public static var byShape = false
    nonisolated(unsafe) static var totals: [String: (seconds: Double, calls: Int)] = [:]

    @inline(__always) public static func now() -> UInt64 { enabled ? DispatchTime.now().uptimeNanoseconds : 0 }

    static func add(_ kind: String, since start: UInt64) {
        let dt = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let old = totals[kind] ?? (0, 0)
        totals[kind] = (old.seconds + dt, old.calls + 1)
    }

    /// Seconds and calls per kind ("conv2d", "conv2d backward", …), largest first.
    public static func report() -> [(kind: String, seconds: Double, calls: Int)] {
        totals.map { ($0.key, $0.value.seconds, $0.value.calls) }.sorted { $0.seconds > $1.seconds }
    }

    public static func reset() { totals = [:] }
}
