/// A lookup table of `count` learned vectors of size `dimension` (token → vector).
public struct Embedding: Layer {
    public let weight: Tensor

    /// Standard-normal initialisation, as PyTorch's `nn.Embedding`.
    public init(count: Int, dimension: Int, generator: inout SeededGenerator) {
        precondition(count > 0 && dimension > 0, "Embedding: sizes must be positive")
        weight = Tensor.randomNormal([count, dimension], generator: &generator, requiresGrad: true)
    }

    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding: weight must be [count, dimension]")
        self.weight = weight
    }

    /// Vectors for `tokens` laid out in `shape`: result `shape + [dimension]`.
    public func callAsFunction(_ tokens: [Int], shape: [Int]) -> Tensor {
        weight.embeddingLookup(tokens, shape: shape)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
}
