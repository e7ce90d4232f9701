/// A dense Float32 tensor in contiguous row-major storage, with an optional place on the autograd graph.
///
/// `Tensor` is a reference type, like a PyTorch tensor: layers share their parameter tensors with the
/// optimiser, which updates them in place. Every operation returns a new tensor with freshly computed
/// contiguous storage (reshape shares the buffer through copy-on-write), so kernels always see plain
/// row-major buffers and matmuls go straight to `sgemm`.
///
/// Autograd design: reference-counted nodes with parents. A result that needs a gradient holds a
/// `GradNode` with its inputs and a backward closure; `backward()` sorts the reachable nodes
/// topologically, runs each closure once (closures *accumulate* into their inputs' gradient buffers,
/// so no per-op gradient temporaries are allocated), then frees the graph. There is no global graph or
/// mutable global state, so independent models train on different tasks without locks. A single
/// tensor and its graph must not be used from two tasks at once (hence `@unchecked Sendable`: the
/// type is safe to hand over, not to share concurrently).
public final class Tensor: @unchecked Sendable {
    public let shape: TensorShape
    /// The elements in row-major order.
    public internal(set) var storage: [Float]
    /// Whether gradients flow to (leaf) or through (result) this tensor.
    public var requiresGrad: Bool {
        didSet { precondition(node == nil || requiresGrad, "Tensor: cannot detach a recorded result in place; use detached()") }
    }
    /// Accumulated gradient (leaves) or the gradient in flight during `backward()` (results).
    var gradStorage: [Float]?
    /// The op that produced this tensor, while the graph is alive.
    var node: GradNode?

    // MARK: Creation

    public init(shape: TensorShape, storage: [Float], requiresGrad: Bool = false) {
        precondition(storage.count == shape.count, "Tensor: \(storage.count) values for shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// Large buffers go back to the pool for the next step's activations and gradients.
    deinit {
        BufferPool.recycle(storage)
        if let g = gradStorage { BufferPool.recycle(g) }
    }

    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: TensorShape(shape), storage: values, requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor.
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: TensorShape([]), storage: [scalar], requiresGrad: requiresGrad)
    }

    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        let s = TensorShape(shape)
        self.init(shape: s, storage: [Float](repeating: value, count: s.count), requiresGrad: requiresGrad)
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 0, shape: shape, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 1, shape: shape, requiresGrad: requiresGrad)
    }

    /// Independent normal draws with the given mean and standard deviation.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout SeededGenerator,
        requiresGrad: Bool = false
    ) -> Tensor {
        let s = TensorShape(shape)
        var values = [Float](repeating: 0, count: s.count)
        for i in values.indices { values[i] = mean + std * Float(generator.standardNormal()) }
        return Tensor(shape: s, storage: values, requiresGrad: requiresGrad)
    }

    /// Independent uniform draws in [lower, upper).
    public static func randomUniform(
        _ shape: [Int], in range: Range<Float> = 0..<1, generator: inout SeededGenerator,
        requiresGrad: Bool = false
    ) -> Tensor {
        let s = TensorShape(shape)
        let width = Double(range.upperBound - range.lowerBound)
        var values = [Float](repeating: 0, count: s.count)
        for i in values.indices {
            values[i] = range.lowerBound + Float(generator.nextUnitInterval() * width)
            if values[i] >= range.upperBound { values[i] = range.lowerBound }  // rounding to Float
        }
        return Tensor(shape: s, storage: values, requiresGrad: requiresGrad)
    }

    // MARK: Access

    public var rank: Int { shape.rank }
    public var count: Int { shape.count }
    public var dimensions: [Int] { shape.dimensions }

    /// The value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "Tensor.item needs one element, shape is \(shape)")
        return storage[0]
    }

    /// The element at a multi-index.
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == rank, "Tensor: index \(index) for shape \(shape)")
        var offset = 0
        for axis in 0..<rank {
            precondition(index[axis] >= 0 && index[axis] < shape.dimensions[axis], "Tensor: index \(index) out of \(shape)")
            offset = offset * shape.dimensions[axis] + index[axis]
        }
        return storage[offset]
    }

    /// The accumulated gradient of a leaf (nil until a backward pass reaches it or after `zeroGrad()`).
    public var grad: Tensor? {
        gradStorage.map { Tensor(shape: shape, storage: $0) }
    }

    /// Forgets the accumulated gradient (PyTorch's `set_to_none` behaviour: no buffer is kept).
    public func zeroGrad() {
        if let g = gradStorage {
            gradStorage = nil
            BufferPool.recycle(g)
        }
    }

    /// A tensor with the same values and no graph.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Whether this tensor is a leaf (not the result of a recorded op).
    public var isLeaf: Bool { node == nil }

    /// Overwrites the values in place (e.g. an optimiser step or loading a checkpoint). Not recorded.
    public func update(_ body: (inout [Float]) -> Void) {
        body(&storage)
        precondition(storage.count == shape.count, "Tensor.update changed the element count")
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = storage.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor\(shape)[\(shown)\(count > 8 ? ", …" : "")]"
    }
}
