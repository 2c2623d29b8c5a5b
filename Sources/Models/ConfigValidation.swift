// Range checks for model configurations, run before anything is allocated: on every read of a
// config.json and before every write of one. A config that parses can still ask for zero heads,
// negative channels or petabytes of weights; each such value is an error naming the file, the
// key, the value and what is allowed.

import Foundation

/// The largest model this package will build: 2^31 parameters (8 GB as float32) — far beyond
/// any model here, small enough that the arithmetic of sizes cannot overflow.
let maxParameterCount = 1 << 31

func require(_ ok: Bool, _ file: String, _ key: String, _ value: Any, _ allowed: String) throws {
    guard ok else { throw ModelError(file: file, message: "\(key) = \(value): must be \(allowed)") }
}

extension UNetConfig {
    /// Every field in range, the divisibility the layers need, and a parameter count that fits.
    public func validate(file: String) throws {
        try require((1...64).contains(inChannels), file, "in_channels", inChannels, "1…64")
        try require((1...64).contains(outChannels), file, "out_channels", outChannels, "1…64")
        try require((1...8192).contains(sampleSize), file, "sample_size", sampleSize, "1…8192")
        try require(
            (1...6).contains(blockOutChannels.count), file, "block_out_channels", blockOutChannels, "1 to 6 levels")
        for (i, c) in blockOutChannels.enumerated() {
            try require((1...8192).contains(c), file, "block_out_channels[\(i)]", c, "1…8192")
        }
        try require((1...16).contains(layersPerBlock), file, "layers_per_block", layersPerBlock, "1…16")
        try require((1...8192).contains(crossAttentionDim), file, "cross_attention_dim", crossAttentionDim, "1…8192")
        try require(
            attentionHeads.count == blockOutChannels.count, file, "attention_head_dim", attentionHeads,
            "one value per level (\(blockOutChannels.count))")
        for (i, h) in attentionHeads.enumerated() {
            try require((1...1024).contains(h), file, "attention_head_dim[\(i)]", h, "1…1024 heads")
        }
        try require((1...1024).contains(normNumGroups), file, "norm_num_groups", normNumGroups, "1…1024")
        try require(normEps.isFinite && normEps > 0 && normEps < 1, file, "norm_eps", normEps, "a number in (0, 1)")
        try require((0...1_000_000).contains(freqShift), file, "freq_shift", freqShift, "0…1000000")
        for (i, c) in blockOutChannels.enumerated() {
            try require(
                c % normNumGroups == 0, file, "block_out_channels[\(i)]", c,
                "a multiple of norm_num_groups (\(normNumGroups))")
            try require(
                c % attentionHeads[i] == 0, file, "block_out_channels[\(i)]", c,
                "a multiple of its heads (\(attentionHeads[i]))")
        }
        try require(
            timeEmbedDim % 2 == 0 || blockOutChannels[0] % 2 == 0, file, "block_out_channels[0]", blockOutChannels[0],
            "even (the sinusoidal embedding)")
        // A generous upper bound of the weights: per level, its ResNets, attention and sampling layers.
        var estimate = 0
        for c in blockOutChannels {
            estimate += (layersPerBlock * 2 + 2) * (9 * c * c * 3 + 4 * c * crossAttentionDim + 12 * c * c)
            try require(
                estimate <= maxParameterCount, file, "block_out_channels", blockOutChannels,
                "small enough for at most \(maxParameterCount) parameters")
        }
    }
}

extension CLIPTextConfig {
    public func validate(file: String) throws {
        try require((2...1_000_000).contains(vocabSize), file, "vocab_size", vocabSize, "2…1000000")
        try require((1...16384).contains(hiddenSize), file, "hidden_size", hiddenSize, "1…16384")
        try require((1...65536).contains(intermediateSize), file, "intermediate_size", intermediateSize, "1…65536")
        try require((1...128).contains(layers), file, "num_hidden_layers", layers, "1…128")
        try require((1...1024).contains(heads), file, "num_attention_heads", heads, "1…1024")
        try require(
            hiddenSize % heads == 0, file, "hidden_size", hiddenSize, "a multiple of num_attention_heads (\(heads))")
        try require((2...65536).contains(maxPositions), file, "max_position_embeddings", maxPositions, "2…65536")
        try require(
            layerNormEps.isFinite && layerNormEps > 0 && layerNormEps < 1, file, "layer_norm_eps", layerNormEps,
            "a number in (0, 1)")
        for (key, id) in [("bos_token_id", bosTokenId), ("eos_token_id", eosTokenId), ("pad_token_id", padTokenId)] {
            try require((0..<vocabSize).contains(id), file, key, id, "a token id in 0…\(vocabSize - 1)")
        }
        try require((1...16384).contains(projectionDim), file, "projection_dim", projectionDim, "1…16384")
        let estimate =
            vocabSize * hiddenSize + maxPositions * hiddenSize + layers
            * (4 * hiddenSize * hiddenSize + 2 * hiddenSize * intermediateSize)
        try require(
            estimate <= maxParameterCount, file, "hidden_size", hiddenSize,
            "small enough (with vocab_size and the layers) for at most \(maxParameterCount) parameters")
    }
}
