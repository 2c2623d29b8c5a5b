// The layers models are built from, each a thin holder of named parameters around a TensorCore op,
// initialised as PyTorch initialises them: weights and biases of Linear and Conv2d uniform in
// ±1/√fan_in (kaiming_uniform with a = √5), norms at γ = 1, β = 0.

import TensorCore

/// Named parameters of a model, in registration order; names are the checkpoint's (diffusers /
/// transformers) names.
public final class ParameterStore {
    public private(set) var names: [String] = []
    public private(set) var byName: [String: Variable] = [:]
    /// Every Linear and Conv2d layer's adapter slot by the layer's name ("…attn1.to_q", "…resnets.0.conv1").
    public private(set) var adapterSlots: [(name: String, slot: AdapterSlot)] = []
    public init() {}

    func registerAdapterSlot(_ name: String, _ slot: AdapterSlot) { adapterSlots.append((name, slot)) }

    /// Registers a trainable parameter.
    @discardableResult
    public func make(_ name: String, _ value: Tensor) -> Variable {
        precondition(byName[name] == nil, "parameter \(name) registered twice")
        let v = Variable(value, requiresGrad: true, name: name)
        names.append(name)
        byName[name] = v
        return v
    }

    public var parameters: [Variable] { names.map { byName[$0]! } }
    public var count: Int { names.reduce(0) { $0 + byName[$1]!.value.count } }

    /// Copies tensors into the parameters. Every parameter must be present with its shape, and
    /// every tensor must be a parameter; errors name the file, the tensor and the shapes.
    public func load(_ tensors: [String: Tensor], from file: String) throws {
        for name in names {
            guard let t = tensors[name] else { throw ModelError(file: file, message: "missing parameter '\(name)'") }
            let p = byName[name]!
            guard t.shape == p.shape else {
                throw ModelError(
                    file: file,
                    message:
                        "parameter '\(name)' has shape \(shapeString(t.shape)), the configuration needs "
                        + "\(shapeString(p.shape))"
                )
            }
            p.value = t
        }
        let extra = Set(tensors.keys).subtracting(names)
        if let first = extra.sorted().first {
            throw ModelError(
                file: file,
                message: "unexpected tensor '\(first)' (\(extra.count) tensors do not belong to this configuration)")
        }
    }

    /// Every parameter by name (what a checkpoint stores).
    public func stateDict() -> [String: Tensor] { byName.mapValues(\.value) }

    public func zeroGrad() { for v in byName.values { v.grad = nil } }
}

/// An error loading or configuring a model; names the file.
public struct ModelError: Error, CustomStringConvertible {
    public let file: String
    public let message: String
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}

func uniformInit(_ shape: [Int], fanIn: Int, rng: inout RNG) -> Tensor {
    let bound = 1 / Float(fanIn).squareRoot()
    return rng.uniform(shape, low: -bound, high: bound)
}

/// y = x·Wᵀ + b (nn.Linear; W is (out, in)).
public struct Linear {
    public let weight: Variable
    public let bias: Variable?
    /// Where a LoRA adapter plugs in (LoRA.swift); empty unless one is attached.
    public let adapter: AdapterSlot
    public init(
        _ store: ParameterStore, _ name: String, _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
        rng: inout RNG
    ) {
        weight = store.make(name + ".weight", uniformInit([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? store.make(name + ".bias", uniformInit([outFeatures], fanIn: inFeatures, rng: &rng)) : nil
        adapter = AdapterSlot(inFeatures: inFeatures, outFeatures: outFeatures)
        store.registerAdapterSlot(name, adapter)
    }
    /// x·Wᵀ + b (+ residual), plus (α/r)·(x·Aᵀ)·Bᵀ when a LoRA adapter is attached, as PEFT adds it.
    public func callAsFunction(_ x: Variable, residual: Variable? = nil) -> Variable {
        let y = Variable.linear(x, weight: weight, bias: bias, residual: residual)
        guard let lora = adapter.lora, lora.scale != 0 else { return y }
        return y + Variable.linear(Variable.linear(x, weight: lora.down, bias: nil), weight: lora.up, bias: nil)
            * lora.scale
    }
}

/// nn.Conv2d with square kernel, stride and padding.
public struct Conv2d {
    public let weight: Variable
    public let bias: Variable
    public let stride: Int, padding: Int
    /// Where a LoRA adapter plugs in (LoRA.swift); empty unless one is attached.
    public let adapter: AdapterSlot
    public init(
        _ store: ParameterStore, _ name: String, _ inChannels: Int, _ outChannels: Int, kernel: Int,
        stride: Int = 1, padding: Int = 0, rng: inout RNG
    ) {
        let fanIn = inChannels * kernel * kernel
        weight = store.make(
            name + ".weight", uniformInit([outChannels, inChannels, kernel, kernel], fanIn: fanIn, rng: &rng))
        bias = store.make(name + ".bias", uniformInit([outChannels], fanIn: fanIn, rng: &rng))
        self.stride = stride
        self.padding = padding
        adapter = AdapterSlot(inFeatures: inChannels, outFeatures: outChannels, kernel: kernel)
        store.registerAdapterSlot(name, adapter)
    }
    /// conv(x) + b (+ imageBias, + residual), plus (α/r)·B(A(x)) when a LoRA adapter is attached, as
    /// PEFT's Conv2d LoRA adds it: A a convolution like this one's (kernel, stride, padding) to r
    /// channels, B a 1×1 convolution back.
    public func callAsFunction(_ x: Variable, imageBias: Variable? = nil, residual: Variable? = nil) -> Variable {
        let y = Variable.conv2d(
            x, weight: weight, bias: bias, stride: stride, padding: padding, imageBias: imageBias, residual: residual)
        guard let lora = adapter.lora, lora.scale != 0 else { return y }
        let low = Variable.conv2d(x, weight: lora.down, bias: nil, stride: stride, padding: padding)
        return y + Variable.conv2d(low, weight: lora.up, bias: nil) * lora.scale
    }
    /// self(norm(x, silu: silu)): one pass when nothing is recorded (`Variable.groupNormConv2d`).
    public func callAsFunction(
        normalizing x: Variable, with norm: GroupNorm, silu: Bool,
        imageBias: Variable? = nil, residual: Variable? = nil
    ) -> Variable {
        guard stride == 1, adapter.lora == nil else {
            return self(norm(x, silu: silu), imageBias: imageBias, residual: residual)
        }
        return Variable.groupNormConv2d(
            x, groups: norm.groups, normWeight: norm.weight, normBias: norm.bias, eps: norm.eps, silu: silu,
            weight: weight, bias: bias, padding: padding, imageBias: imageBias, residual: residual)
    }
}

/// nn.GroupNorm with affine parameters.
public struct GroupNorm {
    public let weight: Variable, bias: Variable
    public let groups: Int, eps: Float
    public init(_ store: ParameterStore, _ name: String, groups: Int, channels: Int, eps: Float) {
        weight = store.make(name + ".weight", Tensor(repeating: 1, shape: [channels]))
        bias = store.make(name + ".bias", Tensor(zeros: [channels]))
        self.groups = groups
        self.eps = eps
    }
    public func callAsFunction(_ x: Variable, silu: Bool = false) -> Variable {
        x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps, silu: silu)
    }
}

/// nn.LayerNorm over the last axis.
public struct LayerNorm {
    public let weight: Variable, bias: Variable
    public let eps: Float
    public init(_ store: ParameterStore, _ name: String, _ features: Int, eps: Float) {
        weight = store.make(name + ".weight", Tensor(repeating: 1, shape: [features]))
        bias = store.make(name + ".bias", Tensor(zeros: [features]))
        self.eps = eps
    }
    public func callAsFunction(_ x: Variable) -> Variable { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}
