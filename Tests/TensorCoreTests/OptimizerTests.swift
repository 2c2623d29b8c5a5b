// AdamW, clipping and LR schedules against torch / diffusers
// (Tests/Fixtures/reference/optim.safetensors; see that folder's README for how it was made).

import TensorCore
import TestSupport
import XCTest

final class OptimizerTests: XCTestCase {
    static let file = try! SafeTensorsFile(path: Fixtures.reference("optim.safetensors"))

    func testAdamWWithClippingMatchesTorch() throws {
        let grads = try Self.file.tensor("adamw.grads")
        let trajectory = try Self.file.tensor("adamw.trajectory")
        let p = Variable(try Self.file.tensor("adamw.p0"), requiresGrad: true)
        let opt = AdamW([p], learningRate: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2)
        for i in 0..<20 {
            p.grad = Tensor(shape: [5, 4], scalars: Array(grads.scalars[i * 20..<(i + 1) * 20]))
            let norm = clipGradNorm([p], maxNorm: 1.0)
            XCTAssertEqual(
                Double(norm), Double(try Self.file.tensor("adamw.clip_total_norm.\(i)").scalars[0]), accuracy: 1e-5)
            opt.update()
            let expected = Tensor(shape: [5, 4], scalars: Array(trajectory.scalars[i * 20..<(i + 1) * 20]))
            XCTAssertLessThan(Double((p.value - expected).maxAbs()), 1e-6, "step \(i)")
        }
    }

    /// Parameter groups: a parameter at scale s moves as one whose optimizer has lr·s (the same bits,
    /// weight decay included), and a scale of 1 is the optimizer without scales.
    func testLearningRateScalesAreParameterGroups() throws {
        func run(_ lr: Float, scales: [Float]?) -> [[Float]] {
            let a = Variable(Tensor(shape: [9], scalars: (0..<9).map { Float($0) * 0.3 - 1 }), requiresGrad: true)
            let b = Variable(Tensor(shape: [3], scalars: [0.5, -2, 1]), requiresGrad: true)
            let opt = AdamW([a, b], learningRate: lr, weightDecay: 0.1)
            opt.learningRateScales = scales
            for i in 0..<5 {
                a.grad = Tensor(shape: [9], scalars: (0..<9).map { sin(Float($0 + i)) })
                b.grad = Tensor(shape: [3], scalars: [1, Float(i), -0.5])
                opt.update()
            }
            return [a.value.scalars, b.value.scalars]
        }
        XCTAssertEqual(run(1e-2, scales: nil), run(1e-2, scales: [1, 1]))
        XCTAssertEqual(run(1e-2, scales: [1, 4])[0], run(1e-2, scales: nil)[0])
        XCTAssertEqual(run(1e-2, scales: [1, 4])[1], run(4e-2, scales: nil)[1])
        XCTAssertNotEqual(run(1e-2, scales: [1, 4])[1], run(1e-2, scales: nil)[1])
    }

    func testLearningRateSchedulesMatchDiffusers() throws {
        for schedule in LRSchedule.allCases {
            let expected = try Self.file.tensor("lr.\(schedule.rawValue)")
            for step in 0..<100 {
                XCTAssertEqual(
                    schedule.factor(step: step, warmupSteps: 10, totalSteps: 100), expected.scalars[step],
                    accuracy: 1e-6, "\(schedule) step \(step)")
            }
        }
    }

    func testSGDAndEMA() {
        let p = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let ema = EMA([p], decay: 0.5)
        p.grad = Tensor(shape: [2], scalars: [1, -1])
        SGD([p], learningRate: 0.1).step()
        XCTAssertEqual(p.value.scalars, [0.9, 2.1])
        ema.update()
        XCTAssertEqual(ema.shadow[0].scalars[0], 0.95, accuracy: 1e-6)
        ema.copyToParameters()
        XCTAssertEqual(p.value.scalars[1], 2.05, accuracy: 1e-6)
    }
}
