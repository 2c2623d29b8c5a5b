// The loop every pretraining stage shares (nanoGPT's train.py in miniature): AdamW with linear
// warmup and cosine decay, gradients clipped at global norm 1, a progress line, a loss log.

import Foundation
import TensorCore

public struct StageRecipe: Sendable {
    public var steps: Int
    public var batch: Int
    public var learningRate: Float
    public var warmup: Int
    public var weightDecay: Float = 0.01
    public init(steps: Int, batch: Int, learningRate: Float, warmup: Int) {
        self.steps = steps
        self.batch = batch
        self.learningRate = learningRate
        self.warmup = warmup
    }
}

/// One row of a training log.
public struct LogRow: Sendable {
    public var step: Int
    public var loss: Double
    public var extra: [Double] = []
}

/// Runs `recipe.steps` steps of `loss(step)` over `parameters`; returns the loss of every step.
/// A NaN or infinite loss stops the stage with the step named.
public func train(
    _ label: String, _ parameters: [Variable], _ recipe: StageRecipe,
    afterStep: (Int) -> Void = { _ in }, loss: (Int) -> Variable
) throws -> [LogRow] {
    let optimizer = AdamW(parameters, learningRate: recipe.learningRate, weightDecay: recipe.weightDecay)
    var progress = ProgressLine(label, total: recipe.steps)
    var log: [LogRow] = []
    var smoothed = 0.0
    for step in 0..<recipe.steps {
        optimizer.learningRate =
            recipe.learningRate
            * LRSchedule.cosine.factor(step: step, warmupSteps: recipe.warmup, totalSteps: recipe.steps)
        let l = loss(step)
        let value = Double(l.value.scalars[0])
        guard value.isFinite else { throw PretrainingError(message: "\(label): the loss is \(value) at step \(step)") }
        l.backward()
        clipGradNorm(parameters, maxNorm: 1)
        optimizer.update()
        for p in parameters { p.grad = nil }
        afterStep(step)
        smoothed = step == 0 ? value : 0.95 * smoothed + 0.05 * value
        log.append(LogRow(step: step, loss: value))
        progress.update(step + 1, String(format: "loss %.4f", smoothed))
    }
    return log
}

public struct PretrainingError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Writes a log as tab-separated columns (step, loss, extras), atomically.
func writeLog(_ rows: [LogRow], header: String, to path: String) throws {
    var text = "# " + header + "\n"
    for r in rows {
        text +=
            "\(r.step)\t" + String(format: "%.6f", r.loss) + r.extra.map { String(format: "\t%.6f", $0) }.joined()
            + "\n"
    }
    try writeAtomically(Data(text.utf8), to: path)
}
