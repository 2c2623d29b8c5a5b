// The model checks: run our UNet / text encoder / autoencoder on tensors from a file and write what they give,
// so that scripts/compare_with_diffusers.py can hold them to diffusers and transformers.
//
//   unet-forward:          IN  sample (B, C, H, W), timesteps (B,), encoder_hidden_states (B, S, D) [, target]
//                          OUT output [, loss = mean((output − target)²), grad.<parameter> for every parameter]
//   text-encoder-forward:  IN  input_ids (B, L) [, target]
//                          OUT last_hidden_state, pooler_output [, loss, grad.<parameter>]
//   vae-forward:           IN  sample (B, C, H, W) in [−1, 1] [, target]
//                          OUT latent_mean, latent_logvar, decoded [, loss (+ 1e-3 · mean KL), grad.<parameter>]
// Inputs may be float64 or float32; timesteps and ids may be floats or integers.

import ArgumentParser
import Foundation
import Models
import TensorCore

struct ForwardOptions: ParsableArguments {
    @Option(help: "A diffusers UNet2DConditionModel folder / a transformers CLIPTextModel folder.")
    var model: String
    @Option(help: "Input tensors (safetensors).")
    var input: String
    @Option(help: "Output tensors (safetensors), written atomically.")
    var output: String
    @Flag(help: "Also read `target`; write `loss` and `grad.<parameter name>` for every parameter.")
    var gradients = false
    @Option(help: "LoRA weights (diffusers' pytorch_lora_weights.safetensors layout) to apply to the model first.")
    var lora: String?
}

/// A tensor of the input file, checked: present, no empty dimension, every value finite.
func require(_ file: SafeTensorsFile, _ name: String) throws -> Tensor {
    guard file.contains(name) else { throw ToolError(description: "\(file.path): no tensor named '\(name)'") }
    let t = try file.tensor(name)
    guard !t.shape.contains(0) else {
        throw ToolError(description: "\(file.path): '\(name)' has an empty dimension, shape \(shapeString(t.shape))")
    }
    if let i = t.scalars.firstIndex(where: { !$0.isFinite }) {
        throw ToolError(
            description: "\(file.path): '\(name)' holds \(t.scalars[i]) at flat index \(i); inputs must be finite")
    }
    return t
}

/// Runs a command body, printing errors as one line naming the file (exit status 1).
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
        FileHandle.standardError.write(Data("dreambooth: \(userMessage(error))\n".utf8))
        throw ExitCode(1)
    }
}

/// An error in the project's words: Foundation's file errors as "path: what went wrong", not
/// `Error Domain=NSCocoaErrorDomain Code=516 … UserInfo={…}`.
func userMessage(_ error: Error) -> String {
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
    let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    return (path.map { "\($0): " } ?? "") + ns.localizedDescription
}

struct UNetForward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet-forward",
        abstract: "Run the UNet on sample, timesteps and encoder_hidden_states from a safetensors file.")
    @OptionGroup var o: ForwardOptions

    func run() throws {
        try reportingErrors {
            let model = try UNet2DConditionModel(folder: o.model)
            if let lora = o.lora { try LoRAWeights.apply(lora, unet: model.store, textEncoder: nil) }
            let input = try SafeTensorsFile(path: o.input)
            let sample = try require(input, "sample")
            let context = try require(input, "encoder_hidden_states")
            let timesteps = try require(input, "timesteps").scalars
            guard sample.rank == 4, sample.shape[1] == model.config.inChannels else {
                throw ToolError(
                    description:
                        "\(o.input): sample has shape \(shapeString(sample.shape)); the model needs (B, "
                        + "\(model.config.inChannels), H, W)"
                )
            }
            guard context.rank == 3, context.shape[0] == sample.shape[0],
                context.shape[2] == model.config.crossAttentionDim
            else {
                throw ToolError(
                    description:
                        "\(o.input): encoder_hidden_states has shape \(shapeString(context.shape)); the model needs "
                        + "(\(sample.shape[0]), S, \(model.config.crossAttentionDim))"
                )
            }
            guard timesteps.count == sample.shape[0] else {
                throw ToolError(
                    description: "\(o.input): \(timesteps.count) timesteps for a batch of \(sample.shape[0])")
            }
            let levels = model.config.blockOutChannels.count
            guard sample.shape[2] % (1 << (levels - 1)) == 0, sample.shape[3] % (1 << (levels - 1)) == 0 else {
                throw ToolError(
                    description:
                        "\(o.input): sample height and width must be multiples of \(1 << (levels - 1)), got "
                        + "\(shapeString(sample.shape))"
                )
            }
            var out: [String: Tensor] = [:]
            if o.gradients {
                let target = try require(input, "target")
                guard
                    target.shape
                        == sample.shape.enumerated().map({ $0.offset == 1 ? model.config.outChannels : $0.element })
                else {
                    throw ToolError(
                        description:
                            "\(o.input): target has shape \(shapeString(target.shape)), the output's shape differs")
                }
                let y = model(Variable(sample), timesteps: timesteps, encoderHiddenStates: Variable(context))
                let loss = Variable.mse(y, Variable(target))
                loss.backward()
                out["output"] = y.value
                out["loss"] = loss.value.reshaped([1])
                for p in model.parameters { out["grad." + p.name] = gradOrZeros(p) }
            } else {
                out["output"] = Variable.withoutGradients {
                    model(Variable(sample), timesteps: timesteps, encoderHiddenStates: Variable(context)).value
                }
            }
            try SafeTensors.write(out, to: o.output)
        }
    }
}

struct TextEncoderForward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-encoder-forward",
        abstract: "Run the CLIP text encoder on input_ids from a safetensors file.")
    @OptionGroup var o: ForwardOptions

    func run() throws {
        try reportingErrors {
            let model = try CLIPTextModel(folder: o.model)
            if let lora = o.lora { try LoRAWeights.apply(lora, unet: nil, textEncoder: model.store) }
            let input = try SafeTensorsFile(path: o.input)
            guard input.contains("input_ids") else {
                throw ToolError(description: "\(o.input): no tensor named 'input_ids'")
            }
            let ids = try input.integers("input_ids")
            guard ids.shape.count == 2 else {
                throw ToolError(description: "\(o.input): input_ids must be (B, L), got \(shapeString(ids.shape))")
            }
            guard ids.shape[0] > 0 && ids.shape[1] > 0 else {
                throw ToolError(
                    description: "\(o.input): 'input_ids' has an empty dimension, shape \(shapeString(ids.shape))")
            }
            guard ids.shape[1] <= model.config.maxPositions else {
                throw ToolError(
                    description:
                        "\(o.input): \(ids.shape[1]) tokens exceed max_position_embeddings \(model.config.maxPositions)"
                )
            }
            if let bad = ids.values.first(where: { $0 < 0 || $0 >= model.config.vocabSize }) {
                throw ToolError(
                    description: "\(o.input): token id \(bad) outside the vocabulary of \(model.config.vocabSize)")
            }
            let L = ids.shape[1]
            let rows = (0..<ids.shape[0]).map { Array(ids.values[$0 * L..<($0 + 1) * L]) }
            var out: [String: Tensor] = [:]
            if o.gradients {
                let target = try require(input, "target")
                let (last, pooled) = model(rows)
                guard target.shape == last.shape else {
                    throw ToolError(
                        description:
                            "\(o.input): target has shape \(shapeString(target.shape)), last_hidden_state has "
                            + "\(shapeString(last.shape))"
                    )
                }
                let loss = Variable.mse(last, Variable(target))
                loss.backward()
                out["last_hidden_state"] = last.value
                out["pooler_output"] = pooled.value
                out["loss"] = loss.value.reshaped([1])
                for p in model.parameters { out["grad." + p.name] = gradOrZeros(p) }
            } else {
                let (last, pooled) = Variable.withoutGradients { model(rows) }
                out["last_hidden_state"] = last.value
                out["pooler_output"] = pooled.value
            }
            try SafeTensors.write(out, to: o.output)
        }
    }
}

struct VAEForward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae-forward",
        abstract: "Run the autoencoder (AutoencoderKL) on images `sample` in [−1, 1] from a safetensors file.",
        discussion: """
            Writes latent_mean and latent_logvar (vae.encode(sample).latent_dist's mean and clamped log-variance) \
            and decoded (vae.decode(latent_mean).sample). With --gradients it also reads `target` and writes \
            `loss` = mean((decoded − target)²) + 1e-3 · mean(KL), KL summed over each image's latent, and \
            grad.<parameter name> for every parameter.
            """)
    @OptionGroup var o: ForwardOptions

    func validate() throws {
        if o.lora != nil {
            throw ValidationError("--lora applies to the UNet and the text encoder, not the autoencoder")
        }
    }

    func run() throws {
        try reportingErrors {
            let vae = try AutoencoderKL(folder: o.model)
            let input = try SafeTensorsFile(path: o.input)
            let sample = try require(input, "sample")
            let c = vae.config
            let f = c.downsamplingFactor
            guard sample.rank == 4, sample.shape[1] == c.inChannels else {
                throw ToolError(
                    description:
                        "\(o.input): sample has shape \(shapeString(sample.shape)); the model needs (B, "
                        + "\(c.inChannels), H, W)")
            }
            guard sample.shape[2] % f == 0, sample.shape[3] % f == 0 else {
                throw ToolError(
                    description:
                        "\(o.input): sample height and width must be multiples of \(f) (2^(levels − 1)), got "
                        + "\(shapeString(sample.shape))")
            }
            var out: [String: Tensor] = [:]
            func run(_ x: Variable) -> (DiagonalGaussian, Variable) {
                let posterior = vae.encode(x)
                return (posterior, vae.decode(posterior.mean))
            }
            if o.gradients {
                let target = try require(input, "target")
                let outShape = [sample.shape[0], c.outChannels, sample.shape[2], sample.shape[3]]
                guard target.shape == outShape else {
                    throw ToolError(
                        description:
                            "\(o.input): target has shape \(shapeString(target.shape)), the output's is "
                            + "\(shapeString(outShape))")
                }
                let (posterior, decoded) = run(Variable(sample))
                let loss = Variable.mse(decoded, Variable(target)) + posterior.kl().mean() * 1e-3
                loss.backward()
                (out["latent_mean"], out["latent_logvar"], out["decoded"]) =
                    (posterior.mean.value, posterior.logvar.value, decoded.value)
                out["loss"] = loss.value.reshaped([1])
                for p in vae.parameters { out["grad." + p.name] = gradOrZeros(p) }
            } else {
                let (mean, logvar, decoded) = Variable.withoutGradients {
                    let (posterior, decoded) = run(Variable(sample))
                    return (posterior.mean.value, posterior.logvar.value, decoded.value)
                }
                (out["latent_mean"], out["latent_logvar"], out["decoded"]) = (mean, logvar, decoded)
            }
            try SafeTensors.write(out, to: o.output)
        }
    }
}

struct InitOptions: ParsableArguments {
    @Option(help: "A config.json (diffusers UNet2DConditionModel or AutoencoderKL / transformers CLIPTextConfig).")
    var config: String
    @Option(help: "The model folder to write.")
    var output: String
    @Option(help: "Seed of the initialisation.")
    var seed: UInt64 = 0
}

/// A model type that `init-…` writes: built from a config file and a seed, saved as a folder.
protocol InitialisedModel {
    static func initialised(configFile: String, seed: UInt64) throws -> Self
    func save(folder: String, as type: SafeTensors.OutputType) throws
}

extension UNet2DConditionModel: InitialisedModel {
    static func initialised(configFile: String, seed: UInt64) throws -> Self {
        Self(try UNetConfig(contentsOf: configFile), seed: seed)
    }
}

extension CLIPTextModel: InitialisedModel {
    static func initialised(configFile: String, seed: UInt64) throws -> Self {
        Self(try CLIPTextConfig(contentsOf: configFile), seed: seed)
    }
}

extension AutoencoderKL: InitialisedModel {
    static func initialised(configFile: String, seed: UInt64) throws -> Self {
        Self(try AutoencoderKLConfig(contentsOf: configFile), seed: seed)
    }
}

/// `init-unet`, `init-text-encoder`, `init-vae`: a freshly initialised `Model` written to --output.
protocol InitCommand: ParsableCommand {
    associatedtype Model: InitialisedModel
    var o: InitOptions { get }
}

extension InitCommand {
    func run() throws {
        try reportingErrors {
            try Model.initialised(configFile: o.config, seed: o.seed).save(folder: o.output, as: .f32)
        }
    }
}

struct InitUNet: InitCommand {
    typealias Model = UNet2DConditionModel
    static let configuration = CommandConfiguration(
        commandName: "init-unet", abstract: "Write a freshly initialised UNet folder (diffusers layout).")
    @OptionGroup var o: InitOptions
}

struct InitTextEncoder: InitCommand {
    typealias Model = CLIPTextModel
    static let configuration = CommandConfiguration(
        commandName: "init-text-encoder",
        abstract: "Write a freshly initialised CLIP text encoder folder (transformers layout).")
    @OptionGroup var o: InitOptions
}

struct InitVAE: InitCommand {
    typealias Model = AutoencoderKL
    static let configuration = CommandConfiguration(
        commandName: "init-vae", abstract: "Write a freshly initialised AutoencoderKL folder (diffusers layout).")
    @OptionGroup var o: InitOptions
}

struct InitPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-pipeline",
        abstract: "Write a Stable Diffusion pipeline folder from parts: a fresh UNet, an autoencoder, a text side.",
        discussion: """
            The folder is written by the pipeline's own save (model_index.json, unet/, vae/, text_encoder/, \
            tokenizer/, scheduler/), so that scripts/compare_sd_pipeline_with_diffusers.py can load it with \
            StableDiffusionPipeline.from_pretrained.
            """)
    @Option(name: .customLong("unet_config"), help: "A UNet2DConditionModel config.json (weights drawn from --seed).")
    var unetConfig: String
    @Option(help: "An AutoencoderKL folder.")
    var vae: String
    @Option(name: .customLong("text_side"), help: "A folder with text_encoder/ and tokenizer/ (a pipeline folder).")
    var textSide: String
    @Option(help: "A scheduler_config.json.")
    var scheduler: String
    @Option(help: "The pipeline folder to write.")
    var output: String
    @Option(help: "Seed of the UNet's initialisation.", transform: parseSeed)
    var seed: UInt64 = 0

    func run() throws {
        try reportingErrors {
            let pipeline = TextToImagePipeline(
                unet: UNet2DConditionModel(try UNetConfig(contentsOf: unetConfig), seed: seed),
                textEncoder: try CLIPTextModel(folder: joinedPath(textSide, "text_encoder")),
                tokenizer: try CLIPTokenizer(folder: joinedPath(textSide, "tokenizer")),
                scheduler: try SchedulerConfig(contentsOf: scheduler), vae: try AutoencoderKL(folder: vae))
            try pipeline.save(folder: output, as: .f32)
            _ = try TextToImagePipeline(folder: output)  // what it wrote loads back, with its checks
        }
    }
}
