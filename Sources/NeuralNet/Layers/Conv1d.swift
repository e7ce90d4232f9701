/// 1-D convolution over `[batch, channels, length]` with stride, zero padding, dilation and groups;
/// weight `[out, in/groups, kernel]` as PyTorch's `nn.Conv1d`, initialised uniform in ±1/√(in/groups · kernel)
/// like PyTorch's default.
public struct Conv1d: UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let dilation: Int
    public let groups: Int

    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
        groups: Int = 1, bias: Bool = true, generator: inout SeededGenerator
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0, "Conv1d: sizes must be positive")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "Conv1d: groups must divide both channel counts")
        let fanIn = inChannels / groups * kernelSize
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Tensor.randomUniform([outChannels, inChannels / groups, kernelSize], in: -bound..<bound, generator: &generator,
                                      requiresGrad: true)
        self.bias = bias ? Tensor.randomUniform([outChannels], in: -bound..<bound, generator: &generator, requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.conv1d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
