// dreambooth — the package's command-line tool. For now it holds the model checks that let anyone
// compare this implementation with diffusers and transformers on any configuration:
//
//   dreambooth unet-forward --model DIR --input IN.safetensors --output OUT.safetensors [--gradients]
//     IN:  sample (B, C, H, W), timesteps (B,), encoder_hidden_states (B, S, D) [, target]
//     OUT: output [, loss = mean((output − target)²), grad.<parameter> for every parameter]
//   dreambooth text-encoder-forward --model DIR --input IN.safetensors --output OUT.safetensors [--gradients]
//     IN:  input_ids (B, L) [, target]
//     OUT: last_hidden_state, pooler_output [, loss, grad.<parameter>]
//
// Inputs may be float64 or float32; timesteps and ids may be floats or integers.
//
//   dreambooth init-unet --config CONFIG.json --output DIR [--seed N]
//   dreambooth init-text-encoder --config CONFIG.json --output DIR [--seed N]
//     write a freshly initialised model folder (diffusers / transformers layout) for a configuration.

import Foundation
import Models
import TensorCore

struct ToolError: Error, CustomStringConvertible { let description: String }

func usage() -> String {
    """
    usage: dreambooth COMMAND [options]

    commands:
      unet-forward          --model DIR --input IN.safetensors --output OUT.safetensors [--gradients]
      text-encoder-forward  --model DIR --input IN.safetensors --output OUT.safetensors [--gradients]
      init-unet             --config CONFIG.json --output DIR [--seed N]
      init-text-encoder     --config CONFIG.json --output DIR [--seed N]

    --model DIR       a diffusers UNet2DConditionModel folder / a transformers CLIPTextModel folder
    --input FILE      tensors in (see the header of Chapters/dreambooth/main.swift)
    --output FILE     tensors out, written atomically
    --gradients       also read `target`, write `loss` and `grad.<parameter name>` for every parameter
    """
}

struct Options {
    var model = "", input = "", output = "", gradients = false
    init(_ args: ArraySlice<String>) throws {
        var it = args.makeIterator()
        while let a = it.next() {
            switch a {
            case "--model": model = it.next() ?? ""
            case "--input": input = it.next() ?? ""
            case "--output": output = it.next() ?? ""
            case "--gradients": gradients = true
            default: throw ToolError(description: "unknown option '\(a)'\n\n" + usage())
            }
        }
        for (flag, v) in [("--model", model), ("--input", input), ("--output", output)] where v.isEmpty {
            throw ToolError(description: "missing \(flag) (or its value)\n\n" + usage())
        }
    }
}

func require(_ file: SafeTensorsFile, _ name: String) throws -> Tensor {
    guard file.contains(name) else { throw ToolError(description: "\(file.path): no tensor named '\(name)'") }
    return try file.tensor(name)
}

func unetForward(_ o: Options) throws {
    let model = try UNet2DConditionModel(folder: o.model)
    let input = try SafeTensorsFile(path: o.input)
    let sample = try require(input, "sample"), context = try require(input, "encoder_hidden_states")
    let timesteps = try require(input, "timesteps").scalars
    guard sample.rank == 4, sample.shape[1] == model.config.inChannels else {
        throw ToolError(description: "\(o.input): sample has shape \(shapeString(sample.shape)); the model needs (B, \(model.config.inChannels), H, W)")
    }
    guard context.rank == 3, context.shape[0] == sample.shape[0], context.shape[2] == model.config.crossAttentionDim else {
        throw ToolError(description: "\(o.input): encoder_hidden_states has shape \(shapeString(context.shape)); the model needs (\(sample.shape[0]), S, \(model.config.crossAttentionDim))")
    }
    guard timesteps.count == sample.shape[0] else { throw ToolError(description: "\(o.input): \(timesteps.count) timesteps for a batch of \(sample.shape[0])") }
    let levels = model.config.blockOutChannels.count
    guard sample.shape[2] % (1 << (levels - 1)) == 0, sample.shape[3] % (1 << (levels - 1)) == 0 else {
        throw ToolError(description: "\(o.input): sample height and width must be multiples of \(1 << (levels - 1)), got \(shapeString(sample.shape))")
    }
    var out: [String: Tensor] = [:]
    if o.gradients {
        let target = try require(input, "target")
        guard target.shape == sample.shape.enumerated().map({ $0.offset == 1 ? model.config.outChannels : $0.element }) else {
            throw ToolError(description: "\(o.input): target has shape \(shapeString(target.shape)), the output's shape differs")
        }
        let y = model(Variable(sample), timesteps: timesteps, encoderHiddenStates: Variable(context))
        let loss = Variable.mse(y, Variable(target))
        loss.backward()
        out["output"] = y.value
        out["loss"] = loss.value.reshaped([1])
        for p in model.parameters { out["grad." + p.name] = gradOrZeros(p) }
    } else {
        out["output"] = Variable.withoutGradients { model(Variable(sample), timesteps: timesteps, encoderHiddenStates: Variable(context)).value }
    }
    try SafeTensors.write(out, to: o.output)
}

func textEncoderForward(_ o: Options) throws {
    let model = try CLIPTextModel(folder: o.model)
    let input = try SafeTensorsFile(path: o.input)
    guard input.contains("input_ids") else { throw ToolError(description: "\(o.input): no tensor named 'input_ids'") }
    let ids = try input.integers("input_ids")
    guard ids.shape.count == 2 else { throw ToolError(description: "\(o.input): input_ids must be (B, L), got \(shapeString(ids.shape))") }
    guard ids.shape[1] <= model.config.maxPositions else {
        throw ToolError(description: "\(o.input): \(ids.shape[1]) tokens exceed max_position_embeddings \(model.config.maxPositions)")
    }
    if let bad = ids.values.first(where: { $0 < 0 || $0 >= model.config.vocabSize }) {
        throw ToolError(description: "\(o.input): token id \(bad) outside the vocabulary of \(model.config.vocabSize)")
    }
    let L = ids.shape[1]
    let rows = (0..<ids.shape[0]).map { Array(ids.values[$0 * L..<($0 + 1) * L]) }
    var out: [String: Tensor] = [:]
    if o.gradients {
        let target = try require(input, "target")
        let (last, pooled) = model(rows)
        guard target.shape == last.shape else { throw ToolError(description: "\(o.input): target has shape \(shapeString(target.shape)), last_hidden_state has \(shapeString(last.shape))") }
        let loss = Variable.mse(last, Variable(target))
        loss.backward()
        out["last_hidden_state"] = last.value; out["pooler_output"] = pooled.value; out["loss"] = loss.value.reshaped([1])
        for p in model.parameters { out["grad." + p.name] = gradOrZeros(p) }
    } else {
        let (last, pooled) = Variable.withoutGradients { model(rows) }
        out["last_hidden_state"] = last.value; out["pooler_output"] = pooled.value
    }
    try SafeTensors.write(out, to: o.output)
}

let args = CommandLine.arguments
do {
    guard args.count >= 2 else { throw ToolError(description: usage()) }
    switch args[1] {
    case "unet-forward": try unetForward(try Options(args.dropFirst(2)))
    case "text-encoder-forward": try textEncoderForward(try Options(args.dropFirst(2)))
    case "init-unet", "init-text-encoder":
        var config = "", output = "", seed: UInt64 = 0
        var it = args.dropFirst(2).makeIterator()
        while let a = it.next() {
            switch a {
            case "--config": config = it.next() ?? ""
            case "--output": output = it.next() ?? ""
            case "--seed":
                guard let v = it.next(), let n = UInt64(v) else { throw ToolError(description: "--seed needs a non-negative integer") }
                seed = n
            default: throw ToolError(description: "unknown option '\(a)'\n\n" + usage())
            }
        }
        guard !config.isEmpty, !output.isEmpty else { throw ToolError(description: "missing --config or --output\n\n" + usage()) }
        if args[1] == "init-unet" { try UNet2DConditionModel(try UNetConfig(contentsOf: config), seed: seed).save(folder: output) }
        else { try CLIPTextModel(try CLIPTextConfig(contentsOf: config), seed: seed).save(folder: output) }
    case "--help", "-h", "help": print(usage())
    default: throw ToolError(description: "unknown command '\(args[1])'\n\n" + usage())
    }
} catch {
    FileHandle.standardError.write(Data("dreambooth: \(error)\n".utf8))
    exit(1)
}
