/// y = x·Wᵀ + b on the last axis, with W stored `[out, in]` like PyTorch (so weights exchange
/// without transposing). The product runs as one sgemm with a transpose flag over all leading axes.
public struct Linear: UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?

    /// PyTorch's default initialisation: weight and bias uniform in ±1/√inFeatures.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: feature counts must be positive")
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Tensor.randomUniform([outFeatures, inFeatures], in: -bound..<bound, generator: &generator, requiresGrad: true)
        self.bias = bias ? Tensor.randomUniform([outFeatures], in: -bound..<bound, generator: &generator, requiresGrad: true) : nil
    }

    /// Wraps existing tensors (`weight` `[out, in]`, `bias` `[out]`).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in]")
        if let b = bias { precondition(b.dimensions == [weight.dimensions[0]], "Linear: bias must be [out]") }
        self.weight = weight
        self.bias = bias
    }

    public var inFeatures: Int { weight.dimensions[1] }
    public var outFeatures: Int { weight.dimensions[0] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard let bias else { return input.matmul(weight, transposeB: true) }
        // One gemm onto bias-initialised rows instead of a product array plus a broadcast add.
        if input.rank >= 2 { return input.linear(weight: weight, bias: bias) }
        return input.matmul(weight, transposeB: true) + bias
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
