// `dreambooth textual-inversion`: the paper's baseline, with textual_inversion.py's flags.

import ArgumentParser
import DreamBooth
import Foundation

struct TextualInversionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "textual-inversion",
        abstract:
            "Learn one token's embedding for a subject (textual inversion, DreamBooth's baseline), with "
            + "textual_inversion.py's flags."
    )

    @Option(
        name: .customLong("train_data_dir"), help: "A folder of the subject's PNG images (any size and color mode).")
    var trainDataDir: String
    @Option(
        name: .customLong("placeholder_token"),
        help: "The token whose embedding is learned: one rare token of the vocabulary, e.g. sks.")
    var placeholderToken: String
    @Option(
        name: .customLong("initializer_token"), help: "The word the embedding starts from, e.g. the class noun ball.")
    var initializerToken: String
    @Option(name: .customLong("learnable_property"), help: "object (the only one here; the reference also has style).")
    var learnableProperty = "object"
    @Option(
        name: .customLong("learning_rate"), parsing: .unconditional,
        help: "AdamW's learning rate, not scaled by batch size (default \(TrainConfig.textualInversionLearningRate)).",
        transform: parseNumber)
    var learningRate: Float = TrainConfig.textualInversionLearningRate
    @Option(
        name: .customLong("max_train_steps"), parsing: .unconditional,
        help: "Optimizer steps (default \(TrainConfig.textualInversionSteps)).",
        transform: parsePositive)
    var maxTrainSteps: Int?
    @Option(
        name: .customLong("output_dir"),
        help: "learned_embeds.safetensors, the pipeline with the learned token, checkpoints, validation grids.")
    var outputDir = "textual-inversion-output"

    @OptionGroup(title: "The run: base model, seed, checkpoints, validation, inputs")
    var runOptions: RunOptions
    @OptionGroup(title: "The optimizer (AdamW)")
    var optimizer: OptimizerOptions

    func validate() throws {
        guard learnableProperty == "object" else {
            throw ValidationError("--learnable_property must be object, got '\(learnableProperty)'")
        }
    }

    func run() throws {
        try reportingErrors {
            var c = runOptions.config(instance: trainDataDir, output: outputDir)
            optimizer.apply(to: &c)
            c.placeholderToken = placeholderToken
            c.initializerToken = initializerToken
            c.learningRate = learningRate
            c.maxTrainSteps = maxTrainSteps ?? TrainConfig.textualInversionSteps
            // textual_inversion.py's loss: plain MSE over every pixel.
            c.snrGamma = nil
            c.backgroundLossWeight = 1
            c.backgroundAugmentation = 0
            c.maxGradNorm = TrainConfig.noClipping  // the reference does not clip
            try runTrainer(c)
        }
    }
}
