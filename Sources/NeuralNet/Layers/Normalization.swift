/// Group normalisation (Wu & He 2018) over `[batch, channels, ...]`: channels are split into `groups`,
/// each (sample, group) is normalised over its channels and positions, then a per-channel scale (1)
/// and shift (0) apply. Independent of the batch size, so it behaves the same in training and
/// evaluation. Runs as the fused last-axis layer norm on a `[batch, groups, rest]` view.
public struct GroupNorm: UnaryLayer {
    public let groups: Int
    public let channels: Int
    public let weight: Tensor?
    public let bias: Tensor?
    public let epsilon: Float

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        precondition(groups > 0 && channels % groups == 0, "GroupNorm: \(groups) groups do not divide \(channels) channels")
        self.groups = groups
        self.channels = channels
        weight = affine ? Tensor.ones([channels], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([channels], requiresGrad: true) : nil
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2 && input.dimensions[1] == channels, "GroupNorm: input \(input.shape) needs \(channels) channels on axis 1")
        let batch = input.dimensions[0]
        let normalised = input.reshaped([batch, groups, -1]).layerNorm(weight: nil, bias: nil, epsilon: epsilon).reshaped(input.dimensions)
        guard let weight, let bias else { return normalised }
        let perChannel = [channels] + [Int](repeating: 1, count: input.rank - 2)
        return normalised * weight.reshaped(perChannel) + bias.reshaped(perChannel)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        if let weight { result.append(("weight", weight)) }
        if let bias { result.append(("bias", bias)) }
        return result
    }
}

/// Batch normalisation (Ioffe & Szegedy 2015) of `[batch, channels]` or `[batch, channels, length]`,
/// as PyTorch's `nn.BatchNorm1d`: in training (a non-nil `TrainingContext`) each channel is normalised
/// with the batch mean and biased variance over batch and length, and the running estimates move by
/// `momentum` towards the batch mean and the *unbiased* variance; in evaluation the running estimates
/// are used. The running statistics are buffers (saved in checkpoints, not trained).
public struct BatchNorm1d: UnaryLayer {
    public let channels: Int
    public let weight: Tensor?
    public let bias: Tensor?
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let momentum: Float
    public let epsilon: Float

    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
        precondition(channels > 0, "BatchNorm1d: channels must be positive")
        precondition(momentum >= 0 && momentum <= 1, "BatchNorm1d: momentum must be in [0, 1]")
        self.channels = channels
        weight = affine ? Tensor.ones([channels], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([channels], requiresGrad: true) : nil
        runningMean = Tensor.zeros([channels])
        runningVariance = Tensor.ones([channels])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// Evaluation mode (running statistics).
    public func callAsFunction(_ input: Tensor) -> Tensor { callAsFunction(input, training: nil) }

    public func callAsFunction(_ input: Tensor, training: TrainingContext?) -> Tensor {
        precondition((input.rank == 2 || input.rank == 3) && input.dimensions[1] == channels,
                     "BatchNorm1d: input \(input.shape) must be [batch, \(channels)] or [batch, \(channels), length]")
        let shape = input.rank == 2 ? [1, channels] : [1, channels, 1]
        let axes = input.rank == 2 ? [0] : [0, 2]
        let normalised: Tensor
        if training != nil {
            let n = input.count / channels
            precondition(n > 1, "BatchNorm1d: training needs more than one value per channel")
            let mean = input.mean(axes: axes, keepDims: true)
            let centred = input - mean
            let variance = centred.square().mean(axes: axes, keepDims: true)
            normalised = centred / (variance + epsilon).sqrt()
            let unbiased = Float(n) / Float(n - 1)
            let m = momentum
            runningMean.update { r in for c in 0..<channels { r[c] = (1 - m) * r[c] + m * mean.storage[c] } }
            runningVariance.update { r in for c in 0..<channels { r[c] = (1 - m) * r[c] + m * variance.storage[c] * unbiased } }
        } else {
            normalised = (input - runningMean.reshaped(shape)) / (runningVariance.reshaped(shape) + epsilon).sqrt()
        }
        guard let weight, let bias else { return normalised }
        return normalised * weight.reshaped(shape) + bias.reshaped(shape)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        if let weight { result.append(("weight", weight)) }
        if let bias { result.append(("bias", bias)) }
        return result
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        [("runningMean", runningMean), ("runningVariance", runningVariance)]
    }
}
