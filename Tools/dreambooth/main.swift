// dreambooth — the package's command-line tool (swift-argument-parser; every command answers --help).
//
//   dreambooth world      export the procedural world as an imagefolder (PNGs + metadata.jsonl)
//   dreambooth tokenize   print token ids for texts, as transformers' CLIPTokenizer does
//   dreambooth pretrain   train the tokenizer, text encoder and judges from scratch (make pretrain)
//   dreambooth sample     generate images with a pipeline folder (DDIM/DDPM, classifier-free guidance)
//   dreambooth train      DreamBooth fine-tuning, with train_dreambooth.py's flags
//   dreambooth textual-inversion  the paper's baseline, with textual_inversion.py's flags
//   dreambooth evaluate-judges  measure the shipped judges on held-out world images
//   dreambooth unet-forward / text-encoder-forward / init-unet / init-text-encoder
//                         the model checks that compare this implementation with diffusers/transformers

import ArgumentParser
import Foundation
import TensorCore

struct DreamBoothTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dreambooth",
        abstract: "DreamBooth from first principles: the world, the models, the trainer and the model checks.",
        subcommands: [
            WorldCommand.self, TokenizeCommand.self, PretrainCommand.self, SampleCommand.self, TrainCommand.self,
            TextualInversionCommand.self, EvaluateJudgesCommand.self, JudgeCommand.self, EvaluateBaseCommand.self,
            EvaluateSubjectCommand.self,
            UNetForward.self, TextEncoderForward.self, VAEForward.self, InitUNet.self, InitTextEncoder.self,
            InitVAE.self, InitPipeline.self,
        ])
}

/// An error a command reports as one line (the file and the problem), exit status 1.
struct ToolError: Error, CustomStringConvertible { let description: String }

_ = MicroKernels.current  // a bad DREAMBOOTH_MICROKERNELS is refused here, before any work
DreamBoothTool.main()
