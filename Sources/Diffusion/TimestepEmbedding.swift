// Sinusoidal timestep embedding, as diffusers' `get_timestep_embedding` (models/embeddings.py):
//   half = dim/2,  freq_i = exp(−ln(10000) · i / (half − shift)),  i = 0..<half,
//   emb = [sin(t·freq), cos(t·freq)], swapped to [cos, sin] when flipSinToCos.
// Frequencies are computed in float32, as diffusers does.

import Foundation
import TensorCore

public func timestepEmbedding(_ timesteps: [Float], dim: Int, flipSinToCos: Bool, downscaleFreqShift: Float) -> Tensor {
    let half = dim / 2
    let freqs = (0..<half).map { i -> Float in
        let exponent = -Float(Foundation.log(10000.0)) * Float(i) / (Float(half) - downscaleFreqShift)
        return Foundation.exp(exponent)
    }
    var out = Tensor(zeros: [timesteps.count, dim])
    for (b, t) in timesteps.enumerated() {
        for i in 0..<half {
            let arg = t * freqs[i]
            let (first, second) =
                flipSinToCos ? (Foundation.cos(arg), Foundation.sin(arg)) : (Foundation.sin(arg), Foundation.cos(arg))
            out.scalars[b * dim + i] = first
            out.scalars[b * dim + half + i] = second
        }
    }
    return out
}
