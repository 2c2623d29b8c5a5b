// The typed choices of the command line: a wrong value is named by the parser with the allowed
// values (`--scheduler euler`: "The value 'euler' is invalid for '--scheduler <scheduler>'.
// Please provide one of 'ddim' and 'ddpm'.").

import ArgumentParser
import Diffusion
import DreamBooth
import TensorCore

extension SamplerKind: ExpressibleByArgument {}
extension LRSchedule: ExpressibleByArgument {}
extension PredictionType: ExpressibleByArgument {}
extension UNetTrainedPart: ExpressibleByArgument {}
