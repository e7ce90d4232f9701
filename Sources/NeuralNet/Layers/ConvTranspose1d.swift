/// Transposed 1-D convolution over `[batch, channels, length]` with stride, zero padding, output
/// padding, dilation and groups; weight `[in, out/groups, kernel]` as PyTorch's `nn.ConvTranspose1d`,
/// initialised uniform in ±1/√(out/groups · kernel) like PyTorch's default (which takes the fan-in
/// from the weight's second dimension). The learned upsampling of decoders (Du-IN's `TimeRGSHead`).
public struct ConvTranspose1d: UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public let dilation: Int
    public let groups: Int

    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: inout SeededGenerator
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0, "ConvTranspose1d: sizes must be positive")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "ConvTranspose1d: groups must divide both channel counts")
        precondition(outputPadding >= 0 && outputPadding < Swift.max(stride, dilation), "ConvTranspose1d: output padding must be below stride or dilation")
        let fanIn = outChannels / groups * kernelSize
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Tensor.randomUniform([inChannels, outChannels / groups, kernelSize], in: -bound..<bound, generator: &generator,
                                      requiresGrad: true)
        self.bias = bias ? Tensor.randomUniform([outChannels], in: -bound..<bound, generator: &generator, requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
    }

    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
    }

    /// Output length for an input of `length` samples.
    public func outputLength(_ length: Int) -> Int? {
        Tensor.convTranspose1dOutputLength(inputLength: length, kernel: weight.dimensions[2], stride: stride, padding: padding,
                                           outputPadding: outputPadding, dilation: dilation)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.convTranspose1d(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                              dilation: dilation, groups: groups)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
