// The whole state of a training run, as one value written atomically (nanoGPT's ckpt.pt).
//
//   folder/checkpoint-N/state.safetensors
//     param.<name>, adam_m.<name>, adam_v.<name>   the trained parameters and AdamW's moments
//     ema.<name>                                   the EMA's averages, when the run keeps one
//     loss_log                                     the loss of every step so far
//     metadata: step, and the run's identity (a plan's signature, a hash of the trained names)
// The random numbers of step n come from RNG(seed).split(…n…), so the seed and the step are the
// generator's whole state, and the data order is a function of them too: a run resumed from a
// checkpoint is the same run, bit for bit. A checkpoint is written into a temporary folder
// (.checkpoint-N.tmp) and renamed, so a run killed while writing keeps the previous one whole.
// The DreamBooth trainer and the base model's pretraining both keep their state this way.

import Foundation

public struct TrainingState {
    /// The trained parameters under the names the state file stores them by.
    public let parameters: [(name: String, parameter: Variable)]
    public let optimizer: AdamW
    public let ema: EMA?
    /// What the run is: a state whose identity differs is refused, with `mismatchHint` said.
    public let identity: (key: String, value: String)
    public let mismatchHint: String
    /// Optimizer steps done.
    public var step = 0
    /// The loss of every step done.
    public var losses: [Float] = []

    public init(
        parameters: [(name: String, parameter: Variable)], optimizer: AdamW, ema: EMA? = nil,
        identity: (key: String, value: String), mismatchHint: String
    ) {
        self.parameters = parameters
        self.optimizer = optimizer
        self.ema = ema
        self.identity = identity
        self.mismatchHint = mismatchHint
    }

    public static let fileName = "state.safetensors"

    /// Records step `step` done with `loss`: the step count and the loss log move on.
    public mutating func finish(step: Int, loss: Float) {
        losses.append(loss)
        self.step = step + 1
    }

    /// Writes folder/checkpoint-<step>/state.safetensors through a temporary folder, then removes
    /// all but the newest `keep` checkpoints (nil: keeps them all). Returns the checkpoint's folder.
    @discardableResult
    public func save(in folder: String, keep: Int? = nil) throws -> String {
        var tensors: [String: Tensor] = ["loss_log": Tensor(shape: [losses.count], scalars: losses)]
        for (i, (name, parameter)) in parameters.enumerated() {
            tensors["param." + name] = parameter.value
            tensors["adam_m." + name] = optimizer.m[i]
            tensors["adam_v." + name] = optimizer.v[i]
            if let ema { tensors["ema." + name] = ema.shadow[i] }
        }
        let final = joinedPath(folder, "checkpoint-\(step)")
        let temporary = joinedPath(folder, ".checkpoint-\(step).tmp")
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let metadata = ["step": "\(step)", identity.key: identity.value]
        try SafeTensors.write(tensors, to: joinedPath(temporary, Self.fileName), metadata: metadata)
        try? FileManager.default.removeItem(atPath: final)
        guard rename(temporary, final) == 0 else {
            throw FileError(path: final, problem: "could not rename the new checkpoint into place")
        }
        if let keep {
            for (_, old) in try Self.checkpoints(in: folder).dropLast(keep) {
                try FileManager.default.removeItem(atPath: old)
            }
        }
        return final
    }

    /// Reads checkpoint/state.safetensors into the parameters, the optimizer and the EMA.
    public mutating func restore(from checkpoint: String) throws {
        let file = joinedPath(checkpoint, Self.fileName)
        let state = try SafeTensorsFile(path: file)
        guard state.metadata[identity.key] == identity.value else {
            throw FileError(path: file, problem: mismatchHint)
        }
        step = Int(state.metadata["step"] ?? "") ?? 0
        for (name, parameter) in parameters { parameter.value = try state.tensor("param." + name) }
        let names = parameters.map(\.name)
        let m = try names.map { try state.tensor("adam_m." + $0) }
        let v = try names.map { try state.tensor("adam_v." + $0) }
        optimizer.restore(step: step, m: m, v: v)
        if let ema { ema.restore(try names.map { try state.tensor("ema." + $0) }) }
        losses = try state.tensor("loss_log").scalars
    }

    /// The checkpoint-N folders of `folder` that hold a state file, oldest first.
    public static func checkpoints(in folder: String) throws -> [(step: Int, path: String)] {
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        return names.compactMap { name -> (step: Int, path: String)? in
            let path = joinedPath(folder, name)
            guard name.hasPrefix("checkpoint-"), let n = Int(name.dropFirst("checkpoint-".count)),
                FileManager.default.fileExists(atPath: joinedPath(path, fileName))
            else { return nil }
            return (n, path)
        }
        .sorted { $0.step < $1.step }
    }
}
