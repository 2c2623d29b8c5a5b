// Reverse-mode automatic differentiation.
//
// A `Variable` holds a tensor value, its gradient, and — when it was computed from other
// variables while gradients are recorded — its parents and a *pullback*: a closure that takes
// the gradient of the final scalar with respect to this variable (∂L/∂y) and adds (+=) each
// parent's share (∂L/∂x = ∂L/∂y · ∂y/∂x) to that parent's gradient. Each op writes its pullback
// right under its forward math.
//
// `backward()` orders the graph topologically and calls every pullback once, from the loss back
// to the leaves. Interior gradients, pullbacks and parent links are released as soon as they are
// used, so the buffers a pullback captured from the forward pass are freed during backward.
// Leaves keep `grad` until `zeroGrad()` or an optimizer step.
//
// Parameters are leaves with `requiresGrad = true`; freezing one is setting it to false.
// `withoutGradients { ... }` runs code (sampling, evaluation) that records nothing.

public final class Variable {
    /// The forward value.
    public var value: Tensor
    /// ∂L/∂value, accumulated by backward(); nil until something flows here.
    public var grad: Tensor?
    /// Whether gradients flow to this variable. For a leaf, whether it is trained.
    public var requiresGrad: Bool
    /// A name for checkpoints and messages (parameters carry their diffusers name).
    public var name: String

    var parents: [Variable]
    var pullback: ((Tensor) -> Void)?

    /// A leaf: a constant (requiresGrad false) or a parameter (true).
    public init(_ value: Tensor, requiresGrad: Bool = false, name: String = "") {
        self.value = value
        self.requiresGrad = requiresGrad
        self.name = name
        self.parents = []
        self.pullback = nil
    }

    private init(value: Tensor, parents: [Variable], pullback: @escaping (Tensor) -> Void) {
        self.value = value
        self.requiresGrad = true
        self.name = ""
        self.parents = parents
        self.pullback = pullback
    }

    public var shape: [Int] { value.shape }
    public var isLeaf: Bool { pullback == nil }

    // MARK: - Recording

    /// Whether ops record pullbacks (false inside `withoutGradients`, on the thread that called it only:
    /// a job of `Parallel.concurrently` that samples must not switch off the other job's training).
    public static var isRecording: Bool { !recordingOff }
    @TaskLocal static var recordingOff = false

    /// Runs `body` with recording off on this thread: results are constants and nothing is kept for backward.
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        try $recordingOff.withValue(true) { try body() }
    }

    /// The result of an op: records `pullback` when recording and some parent needs gradients,
    /// else returns a constant. `pullback` is built lazily so a no-grad forward allocates nothing for it.
    /// `kind` and `start` (Profiler.now() when the op began) feed the profiler when it is on.
    public static func record(
        _ value: Tensor, _ parents: [Variable], kind: String = "other", start: UInt64 = 0,
        _ pullback: () -> (Tensor) -> Void
    ) -> Variable {
        let profiling = Profiler.enabled
        defer { if profiling && start != 0 { Profiler.add(kind, since: start) } }
        if isRecording && parents.contains(where: { $0.requiresGrad }) {
            let pb = pullback()
            if profiling {
                return Variable(value: value, parents: parents) { g in
                    let t = Profiler.now()
                    pb(g)
                    Profiler.add(kind + " backward", since: t)
                }
            }
            return Variable(value: value, parents: parents, pullback: pb)
        }
        return Variable(value)
    }

    /// Adds `g` to this variable's gradient (if it takes gradients). `g` must have this shape.
    public func accumulate(_ g: Tensor) {
        guard requiresGrad else { return }
        precondition(
            g.shape == value.shape,
            "gradient of shape \(shapeString(g.shape)) for a variable of shape \(shapeString(value.shape))")
        if grad == nil { grad = g } else { grad!.add(g) }
    }

    // MARK: - Backward

    /// Back-propagates from this variable (a scalar, unless `seed` gives ∂L/∂self).
    public func backward(seed: Tensor? = nil) {
        if let seed {
            precondition(
                seed.shape == value.shape,
                "backward: seed of shape \(shapeString(seed.shape)) for a value of shape \(shapeString(value.shape))")
        } else {
            precondition(
                value.count == 1,
                "backward: without a seed the value must be a scalar, got shape \(shapeString(value.shape))")
        }
        guard requiresGrad else { return }
        // Iterative depth-first post-order: parents before children.
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let p = node.parents[next]
                if p.requiresGrad && !p.isLeaf && visited.insert(ObjectIdentifier(p)).inserted { stack.append((p, 0)) }
            } else {
                order.append(node)
            }
        }
        accumulate(seed ?? Tensor(repeating: 1, shape: value.shape))
        for node in order.reversed() {
            guard let pb = node.pullback else { continue }
            if let g = node.grad { pb(g) }
            // Release what the forward pass kept: the graph is used once.
            node.pullback = nil
            node.parents = []
            node.grad = nil
        }
    }

    /// Clears the gradient.
    public func zeroGrad() { grad = nil }
}

/// The gradient of a variable, or zeros of its shape when nothing flowed to it.
public func gradOrZeros(_ v: Variable) -> Tensor { v.grad ?? Tensor(zeros: v.shape) }
