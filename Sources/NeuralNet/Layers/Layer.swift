/// A differentiable building block with trainable parameters.
///
/// Parameters are `Tensor` references, so a layer value (usually a struct) and an optimiser holding
/// the same tensors see the same updates. `namedParameters` gives stable dotted names (for checkpoints
/// and per-parameter options such as weight-decay exclusion).
public protocol Layer {
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// State that is not trained by gradients but belongs to the model (batch-norm running
    /// statistics, EMA codebooks): saved in checkpoints, never handed to an optimiser. Default: none.
    var namedBuffers: [(name: String, tensor: Tensor)] { get }
}

extension Layer {
    public var namedBuffers: [(name: String, tensor: Tensor)] { [] }

    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// `child`'s parameters with names prefixed by `prefix.`, for composing layers.
    public static func prefixed(_ prefix: String, _ child: some Layer) -> [(name: String, tensor: Tensor)] {
        child.namedParameters.map { (prefix + "." + $0.name, $0.tensor) }
    }

    /// `child`'s buffers with names prefixed by `prefix.`.
    public static func prefixedBuffers(_ prefix: String, _ child: some Layer) -> [(name: String, tensor: Tensor)] {
        child.namedBuffers.map { (prefix + "." + $0.name, $0.tensor) }
    }
}

/// A layer that maps one tensor to one tensor.
public protocol UnaryLayer: Layer {
    func callAsFunction(_ input: Tensor) -> Tensor
}
