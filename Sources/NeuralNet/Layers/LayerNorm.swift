/// Layer normalisation over the last axis with a learned scale (init 1) and shift (init 0).
public struct LayerNorm: UnaryLayer {
    public let weight: Tensor?
    public let bias: Tensor?
    public let epsilon: Float

    public init(dimension: Int, epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        precondition(dimension > 0, "LayerNorm: dimension must be positive")
        weight = elementwiseAffine ? Tensor.ones([dimension], requiresGrad: true) : nil
        bias = elementwiseAffine ? Tensor.zeros([dimension], requiresGrad: true) : nil
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.layerNorm(weight: weight, bias: bias, epsilon: epsilon)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        if let weight { result.append(("weight", weight)) }
        if let bias { result.append(("bias", bias)) }
        return result
    }
}
