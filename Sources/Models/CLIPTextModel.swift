// transformers' CLIPTextModel (models/clip/modeling_clip.py): the text encoder.
//
//   ids (B, L) → token embedding + position embedding                           (B, L, D)
//   → N × [ x + self-attention(LayerNorm(x)) with a causal mask;
//           x + MLP(LayerNorm(x)) = fc2(act(fc1(·))) ]
//   → final LayerNorm → last_hidden_state; pooled = the state at the end-of-text token.
// Shape legend: B batch, L tokens, D hidden size, F MLP width.

import Foundation
import TensorCore

/// transformers' CLIPTextConfig.
public struct CLIPTextConfig: Equatable, Sendable, ConfigFile {
    public var vocabSize = 49408, hiddenSize = 512, intermediateSize = 2048
    public var layers = 12, heads = 8, maxPositions = 77
    /// "quick_gelu" (x·σ(1.702x), OpenAI CLIP) or "gelu" (exact).
    public var hiddenAct = "quick_gelu"
    public var layerNormEps: Float = 1e-5
    public var bosTokenId = 49406, eosTokenId = 49407, padTokenId = 1
    public var projectionDim = 512
    public init() {}

    static let defaults: [String: StrictJSON.Value] = [
        "attention_dropout": .number(0), "dropout": .number(0), "initializer_range": .number(0.02),
        "initializer_factor": .number(1), "model_type": .string("clip_text_model"),
        "architectures": .array([.string("CLIPTextModel")]),
        "dtype": .string("float32"), "torch_dtype": .string("float32"), "transformers_version": .string("5.24.0"),
        "output_attentions": .bool(false), "output_hidden_states": .bool(false), "use_return_dict": .bool(true),
    ]

    public init(reader: ConfigReader) throws {
        var r = reader
        let path = r.file
        vocabSize = try r.int("vocab_size", default: 49408)
        hiddenSize = try r.int("hidden_size", default: 512)
        intermediateSize = try r.int("intermediate_size", default: 2048)
        layers = try r.int("num_hidden_layers", default: 12)
        heads = try r.int("num_attention_heads", default: 8)
        maxPositions = try r.int("max_position_embeddings", default: 77)
        hiddenAct = try r.string("hidden_act", default: "quick_gelu")
        guard ["quick_gelu", "gelu"].contains(hiddenAct) else {
            throw ModelError(file: path, message: "hidden_act '\(hiddenAct)' is not supported (quick_gelu, gelu)")
        }
        layerNormEps = Float(try r.double("layer_norm_eps", default: 1e-5))
        bosTokenId = try r.int("bos_token_id", default: 49406)
        eosTokenId = try r.int("eos_token_id", default: 49407)
        padTokenId = try r.int("pad_token_id", default: 1)
        projectionDim = try r.int("projection_dim", default: 512)
        // Informational keys that change nothing in inference or training here.
        for key in ["attention_dropout", "dropout", "initializer_range", "initializer_factor"] {
            _ = try r.double(key, default: 0)
        }
        // The transformers release that wrote the file (train_dreambooth.py's output says 5.25.0): any.
        _ = try r.string("transformers_version", default: "")
        for key in ["dtype", "torch_dtype"] {
            let d = try r.string(key, default: "float32")
            guard ["float32", "float16", "bfloat16"].contains(d) else {
                throw ModelError(file: path, message: "\(key) '\(d)' is not float32, float16 or bfloat16")
            }
        }
        try r.requireDefaults(Self.defaults)
        try validate(file: path)
    }

    public func jsonText(dtype: String = "float32") -> String {
        jsonText([
            ("architectures", .array([.string("CLIPTextModel")])), ("attention_dropout", .number(0)),
            ("bos_token_id", .integer(bosTokenId)), ("dtype", .string(dtype)), ("eos_token_id", .integer(eosTokenId)),
            ("hidden_act", .string(hiddenAct)), ("hidden_size", .integer(hiddenSize)),
            ("initializer_factor", .number(1)),
            ("initializer_range", .number(0.02)), ("intermediate_size", .integer(intermediateSize)),
            ("layer_norm_eps", .number(Double(layerNormEps))), ("max_position_embeddings", .integer(maxPositions)),
            ("model_type", .string("clip_text_model")), ("num_attention_heads", .integer(heads)),
            ("num_hidden_layers", .integer(layers)), ("pad_token_id", .integer(padTokenId)),
            ("projection_dim", .integer(projectionDim)), ("transformers_version", .string("5.24.0")),
            ("vocab_size", .integer(vocabSize)),
        ])
    }
    private func jsonText(_ m: [(String, StrictJSON.Value)]) -> String { Models.jsonText(m) }
}

public final class CLIPTextModel {
    public let config: CLIPTextConfig
    public let store = ParameterStore()
    let tokenEmbedding: Variable, positionEmbedding: Variable
    struct Layer {
        let norm1: LayerNorm, q: Linear, k: Linear, v: Linear, out: Linear, norm2: LayerNorm, fc1: Linear, fc2: Linear
    }
    let layers: [Layer]
    let finalNorm: LayerNorm

    /// Fresh weights: embeddings N(0, 0.02²), linear layers as PyTorch initialises them.
    public init(_ config: CLIPTextConfig, seed: UInt64 = 0) {
        self.config = config
        var rng = RNG(seed: seed).split("clip-init")
        let s = store
        let D = config.hiddenSize
        let eps = config.layerNormEps
        tokenEmbedding = s.make("embeddings.token_embedding.weight", rng.normal([config.vocabSize, D]) * 0.02)
        positionEmbedding = s.make("embeddings.position_embedding.weight", rng.normal([config.maxPositions, D]) * 0.02)
        layers = (0..<config.layers).map { i in
            let p = "encoder.layers.\(i)"
            return Layer(
                norm1: LayerNorm(s, "\(p).layer_norm1", D, eps: eps),
                q: Linear(s, "\(p).self_attn.q_proj", D, D, rng: &rng),
                k: Linear(s, "\(p).self_attn.k_proj", D, D, rng: &rng),
                v: Linear(s, "\(p).self_attn.v_proj", D, D, rng: &rng),
                out: Linear(s, "\(p).self_attn.out_proj", D, D, rng: &rng),
                norm2: LayerNorm(s, "\(p).layer_norm2", D, eps: eps),
                fc1: Linear(s, "\(p).mlp.fc1", D, config.intermediateSize, rng: &rng),
                fc2: Linear(s, "\(p).mlp.fc2", config.intermediateSize, D, rng: &rng))
        }
        finalNorm = LayerNorm(s, "final_layer_norm", D, eps: eps)
    }

    public var parameters: [Variable] { store.parameters }

    /// last_hidden_state (B, L, D) and pooler_output (B, D) for token ids (B rows of L).
    public func callAsFunction(_ ids: [[Int]]) -> (lastHiddenState: Variable, pooled: Variable) {
        let B = ids.count
        let L = ids[0].count
        let D = config.hiddenSize
        precondition(ids.allSatisfy { $0.count == L }, "CLIP: every row of ids must have \(L) tokens")
        precondition(
            L <= config.maxPositions, "CLIP: \(L) tokens exceed max_position_embeddings \(config.maxPositions)")
        let flat = ids.flatMap { $0 }
        var h =
            Variable.embedding(tokenEmbedding, ids: flat, shape: [B, L])  // (B, L, D)
            + Variable.embedding(positionEmbedding, ids: Array(0..<L), shape: [L])  // (L, D), broadcast
        for layer in layers {
            let x = layer.norm1(h)
            h =
                h
                + layer.out(
                    Variable.multiHeadAttention(
                        query: layer.q(x), key: layer.k(x), value: layer.v(x), heads: config.heads, causal: true))
            let f = layer.fc1(layer.norm2(h))  // (B, L, F)
            h = h + layer.fc2(config.hiddenAct == "quick_gelu" ? f.quickGELU() : f.gelu())
        }
        let last = finalNorm(h)
        // transformers: with eos_token_id == 2 (old configs) the EOS is the largest id; otherwise
        // the first position holding eos_token_id (position 0 if there is none, as argmax gives).
        let positions = ids.map { row -> Int in
            if config.eosTokenId == 2 { return row.indices.max { row[$0] < row[$1] } ?? 0 }
            return row.firstIndex(of: config.eosTokenId) ?? 0
        }
        let rows = positions.enumerated().map { $0.offset * L + $0.element }
        let pooled = Variable.embedding(last.reshaped([B * L, D]), ids: rows, shape: [B])  // (B, D)
        return (last, pooled)
    }

    public static let weightsFile = "model.safetensors"

    /// Loads a transformers folder (config.json + model.safetensors); names with or without the
    /// "text_model." prefix are accepted.
    public convenience init(folder: String) throws {
        let config = try CLIPTextConfig(contentsOf: (folder as NSString).appendingPathComponent("config.json"))
        self.init(config)
        let path = (folder as NSString).appendingPathComponent(Self.weightsFile)
        var tensors = try SafeTensors.read(path)
        if tensors.keys.allSatisfy({ $0.hasPrefix("text_model.") }) {
            tensors = Dictionary(
                uniqueKeysWithValues: tensors.map { (String($0.key.dropFirst("text_model.".count)), $0.value) })
        }
        tensors["embeddings.position_ids"] = nil  // a buffer some versions save
        try store.load(tensors, from: path)
    }

    public func save(folder: String, as type: SafeTensors.OutputType = .f32) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try config.validate(file: (folder as NSString).appendingPathComponent("config.json"))
        try writeAtomically(
            Data(config.jsonText(dtype: type == .f16 ? "float16" : "float32").utf8),
            to: (folder as NSString).appendingPathComponent("config.json"))
        try SafeTensors.write(
            store.stateDict(), to: (folder as NSString).appendingPathComponent(Self.weightsFile), as: type,
            metadata: ["format": "pt"])
    }
}
