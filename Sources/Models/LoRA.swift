// LoRA (Hu et al. 2021): a frozen weight W plus a trained low-rank update,
//
//   y = x·Wᵀ + b + (α/r)·(x·Aᵀ)·Bᵀ,     A: (r, in),  B: (out, r),  r ≪ min(in, out),
//
// as PEFT's LoraLayer computes it and diffusers' train_dreambooth_lora.py configures it: rank r
// (--rank, default 4), α = r unless given (--lora_alpha), A initialised "gaussian" (N(0, 1/r²)),
// B zero — so at step 0 the model is the base model exactly. Targets: the UNet's attention
// projections to_q, to_k, to_v, to_out.0 (the reference script's), any other UNet layer named by
// --lora_layers, convolutions included (PEFT's Conv2d LoRA: A a convolution with the layer's kernel,
// stride and padding to r channels, B a 1×1 convolution back), and with the text encoder its
// q_proj, k_proj, v_proj, out_proj. Only A and B are trained: the frozen weights need no gradient
// and no optimizer state.
//
// The file a run writes, pytorch_lora_weights.safetensors, has the keys diffusers' save_lora_weights
// writes (convert_state_dict_to_diffusers of the PEFT state dict):
//   unet.<module>.lora.down.weight / lora.up.weight               (A / B of a UNet layer)
//   text_encoder.<module>.lora_linear_layer.down.weight / .up.weight
// with the adapters' configuration (r, lora_alpha, target_modules) in the header's
// "lora_adapter_metadata", as diffusers records it, so load_lora_weights restores α/r.

import Foundation
import TensorCore

/// A Linear or Conv2d layer's socket for an adapter; the layer adds the adapter's term when one is set.
public final class AdapterSlot {
    public let inFeatures: Int, outFeatures: Int
    /// The convolution's kernel side; nil for a Linear layer.
    public let kernel: Int?
    public var lora: LoRAAdapter?
    init(inFeatures: Int, outFeatures: Int, kernel: Int? = nil) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.kernel = kernel
    }
    /// A's and B's shapes at rank r: (r, in) and (out, r) for a Linear layer; (r, in, k, k) and
    /// (out, r, 1, 1) for a convolution, as PEFT's Conv2d LoRA holds them.
    func shapes(rank r: Int) -> (down: [Int], up: [Int]) {
        guard let k = kernel else { return ([r, inFeatures], [outFeatures, r]) }
        return ([r, inFeatures, k, k], [outFeatures, r, 1, 1])
    }
}

/// The low-rank pair of one layer: `down` is A (r, in) or (r, in, k, k), `up` is B (out, r) or (out, r, 1, 1).
public final class LoRAAdapter {
    public let down: Variable, up: Variable
    /// α / r; `dreambooth sample --lora_scale s` multiplies it by s.
    public var scale: Float
    public init(down: Variable, up: Variable, scale: Float) {
        self.down = down
        self.up = up
        self.scale = scale
    }
}

public struct LoRAConfig: Equatable, Sendable {
    public var rank = 4
    public var alpha: Float? = nil
    public static let unetTargets = ["to_q", "to_k", "to_v", "to_out.0"]
    public static let textEncoderTargets = ["q_proj", "k_proj", "v_proj", "out_proj"]
    public init(rank: Int = 4, alpha: Float? = nil) {
        self.rank = rank
        self.alpha = alpha
    }
    public var scale: Float { (alpha ?? Float(rank)) / Float(rank) }
}

/// The adapters attached to one model, by the layer names they sit on.
public final class LoRASet {
    /// "unet" or "text_encoder": the prefix of this model's keys in the weights file.
    public let component: String
    public let config: LoRAConfig
    public let targets: [String]
    public private(set) var layers: [(name: String, adapter: LoRAAdapter)] = []

    /// Attaches fresh adapters (A gaussian, B zero) to every Linear of `store` whose name ends in
    /// one of `targets`; the model's own parameters are frozen.
    public init(_ store: ParameterStore, component: String, targets: [String], config: LoRAConfig, seed: UInt64) {
        self.component = component
        self.config = config
        self.targets = targets
        var rng = RNG(seed: seed).split("lora/\(component)")
        for p in store.parameters { p.requiresGrad = false }
        for (name, slot) in store.adapterSlots where targets.contains(where: { name.hasSuffix("." + $0) }) {
            let shapes = slot.shapes(rank: config.rank)
            let down = Variable(
                rng.normal(shapes.down) * (1 / Float(config.rank)), requiresGrad: true, name: name + ".lora_A")
            let up = Variable(Tensor(zeros: shapes.up), requiresGrad: true, name: name + ".lora_B")
            let adapter = LoRAAdapter(down: down, up: up, scale: config.scale)
            slot.lora = adapter
            layers.append((name, adapter))
        }
    }

    public var parameters: [Variable] { layers.flatMap { [$0.adapter.down, $0.adapter.up] } }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// The module name as the saved file spells it: our names are the diffusers / transformers
    /// module paths (transformers 5's CLIPTextModel has no "text_model." level; files of older
    /// versions that have it are read too).
    func moduleName(_ name: String) -> String { name }
    func keys(_ name: String) -> (down: String, up: String) {
        let m = component + "." + moduleName(name)
        return component == "text_encoder"
            ? (m + ".lora_linear_layer.down.weight", m + ".lora_linear_layer.up.weight")
            : (m + ".lora.down.weight", m + ".lora.up.weight")
    }

    /// This set's tensors under the file's keys.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, a) in layers {
            let k = keys(name)
            out[k.down] = a.down.value
            out[k.up] = a.up.value
        }
        return out
    }

    /// diffusers' adapter metadata for this set (packed under the component's prefix).
    func metadata() -> [(String, String)] {
        let modules = targets.map { jsonString($0) }.joined(separator: ", ")
        return [
            ("\(component).r", "\(config.rank)"),
            ("\(component).lora_alpha", String(format: "%g", config.alpha ?? Float(config.rank))),
            ("\(component).init_lora_weights", "\"gaussian\""), ("\(component).target_modules", "[\(modules)]"),
        ]
    }
}

public enum LoRAWeights {
    public static let fileName = "pytorch_lora_weights.safetensors"

    /// Writes the sets' adapters as diffusers writes pytorch_lora_weights.safetensors.
    public static func save(_ sets: [LoRASet], to file: String) throws {
        var tensors: [String: Tensor] = [:]
        for s in sets { tensors.merge(s.stateDict()) { a, _ in a } }
        let fields = sets.flatMap { $0.metadata() }.sorted { $0.0 < $1.0 }
        let json = "{" + fields.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        try SafeTensors.write(tensors, to: file, metadata: ["format": "pt", "lora_adapter_metadata": json])
    }

    /// Attaches the adapters of a weights file to a UNet and text encoder (`scale` multiplies α/r);
    /// a model given as nil has its keys skipped. Every other key must name a target layer of the
    /// models with the right shapes; errors name the key.
    @discardableResult
    public static func apply(_ file: String, unet: ParameterStore?, textEncoder: ParameterStore?, scale: Float = 1)
        throws -> Int
    {
        let f = try SafeTensorsFile(path: file)
        var alphaOver: [String: Float] = [:]
        if let meta = f.metadata["lora_adapter_metadata"], case .object(let m)? = try? StrictJSON.parse(meta) {
            for component in ["unet", "text_encoder"] {
                var r: Double? = nil
                var a: Double? = nil
                for (k, v) in m {
                    if k == component + ".r", case .integer(let i) = v { r = Double(i) }
                    if k == component + ".lora_alpha" {
                        if case .integer(let i) = v { a = Double(i) } else if case .number(let d) = v { a = d }
                    }
                }
                if let r, let a, r > 0 { alphaOver[component] = Float(a / r) }
            }
        }
        var attached = 0
        let components: [(String, ParameterStore?, String, String)] = [
            ("unet", unet, ".lora.down.weight", ".lora.up.weight"),
            ("text_encoder", textEncoder, ".lora_linear_layer.down.weight", ".lora_linear_layer.up.weight"),
        ]
        for (component, store, down, up) in components {
            guard let store else { continue }
            let slots = Dictionary(uniqueKeysWithValues: store.adapterSlots.map { ($0.name, $0.slot) })
            for key in f.names where key.hasPrefix(component + ".") && key.hasSuffix(down) {
                let module = String(key.dropFirst(component.count + 1).dropLast(down.count))
                let bare =
                    component == "text_encoder" && module.hasPrefix("text_model.")
                    ? String(module.dropFirst("text_model.".count)) : module
                guard let slot = slots[bare] else {
                    throw ModelError(file: file, message: "'\(key)': the model has no layer '\(module)'")
                }
                let upKey = component + "." + module + up
                guard f.contains(upKey) else {
                    throw ModelError(file: file, message: "'\(key)' has no partner '\(upKey)'")
                }
                let A = try f.tensor(key)
                let B = try f.tensor(upKey)
                let expected = slot.shapes(rank: A.shape.first ?? 0)
                guard A.shape.count >= 1, A.shape[0] >= 1, A.shape == expected.down, B.shape == expected.up else {
                    let layer =
                        "\(slot.inFeatures) → \(slot.outFeatures)"
                        + (slot.kernel.map { ", a \($0)×\($0) convolution" } ?? "")
                    throw ModelError(
                        file: file,
                        message:
                            "'\(key)' \(shapeString(A.shape)) and '\(upKey)' \(shapeString(B.shape)) do not fit "
                            + "layer '\(module)' (\(layer))"
                    )
                }
                if let bad = (A.scalars + B.scalars).first(where: { !$0.isFinite }) {
                    throw ModelError(file: file, message: "'\(key)' holds \(bad)")
                }
                slot.lora = LoRAAdapter(down: Variable(A), up: Variable(B), scale: (alphaOver[component] ?? 1) * scale)
                attached += 1
            }
        }
        let known = f.names.filter {
            $0.hasSuffix(".lora.down.weight") || $0.hasSuffix(".lora.up.weight")
                || $0.hasSuffix(".lora_linear_layer.down.weight") || $0.hasSuffix(".lora_linear_layer.up.weight")
        }
        if let stray = Set(f.names).subtracting(known).sorted().first {
            throw ModelError(file: file, message: "unexpected tensor '\(stray)' (not a LoRA weight)")
        }
        guard attached > 0 else { throw ModelError(file: file, message: "holds no LoRA weights") }
        return attached
    }
}
