import Foundation
public func _convProbe(_ reps: Int, C: Int, Co: Int, H: Int) {
    var rng = RNG(seed: 1)
    let x = rng.normal([16, C, H, H]), w = rng.normal([Co, C, 3, 3]), g = rng.normal([16, Co, H, H])
    var out = [Float](repeating: 0, count: 16 * Co * H * H)
    var tp = [Double](), tc = [Double](), tw = [Double]()
    var junk = [Float](repeating: 1, count: 16 << 20)
    let cold = ProcessInfo.processInfo.environment["COLD"] != nil
    for _ in 0..<reps {
        if cold { junk.withUnsafeMutableBufferPointer { p in Parallel.chunks(p.count) { r in for i in r { p[i] += 1 } } } }
        let t0 = Date()
        let xp = x.scalars.withUnsafeBufferPointer { PaddedImages($0.baseAddress!, batch: 16, channels: C, height: H, width: H, padding: 1, kernel: 3) }
        let t1 = Date()
        w.scalars.withUnsafeBufferPointer { pw in out.withUnsafeMutableBufferPointer { po in
            conv2dDirect(xp, weight: pw.baseAddress!, outChannels: Co, kernelH: 3, kernelW: 3, bias: nil, out: po.baseAddress!) } }
        let t2 = Date()
        let dw = g.scalars.withUnsafeBufferPointer { conv2dDirectWeightGradient(xp, grad: $0.baseAddress!, outChannels: Co, kernel: 3) }
        let t3 = Date()
        if dw[0] == 42 { print("") }
        tp.append(t1.timeIntervalSince(t0)); tc.append(t2.timeIntervalSince(t1)); tw.append(t3.timeIntervalSince(t2))
    }
    let fl = 2.0 * 16 * Double(Co * C * 9 * H * H)
    let med = ProcessInfo.processInfo.environment["MED"] != nil
    let a = med ? tp.sorted()[reps / 2] : tp.min()!, b = med ? tc.sorted()[reps / 2] : tc.min()!, c = med ? tw.sorted()[reps / 2] : tw.min()!
    print(String(format: "min: pad %.3f ms  conv %.3f ms (%.1f GFLOP/s)  dW %.3f ms (%.1f GFLOP/s)", a * 1e3, b * 1e3, fl / b / 1e9, c * 1e3, fl / c / 1e9))
}
