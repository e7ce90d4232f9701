import NeuralNet
import NeuroCore

/// Du-IN's per-subject spatial mix Z = W_s·X + b_s: a 1 × 1 convolution from the C recorded channels
/// to `spatialDimension` "region-level" signals, one map per subject (weights N(0, 0.02), bias 0, as in
/// the reference). Its weights give the channel-contribution scores that drive channel selection.
public struct DuINSpatialMix: Layer {
    /// One `[spatial, channels, 1]` convolution per subject.
    public let maps: [Conv1d]

    public init(channels: Int, spatial: Int, subjects: Int, generator: inout SeededGenerator) {
        maps = (0..<subjects).map { _ in
            Conv1d(weight: Tensor.randomNormal([spatial, channels, 1], mean: 0, std: 0.02, generator: &generator, requiresGrad: true),
                   bias: Tensor.zeros([spatial], requiresGrad: true))
        }
    }

    /// `[batch, channels, samples]` → `[batch, spatial, samples]`.
    public func callAsFunction(_ x: Tensor, subject: Int = 0) -> Tensor { maps[subject](x) }

    /// Contribution of each input channel: mean over the mixed signals j of |W_jc| (the reference's
    /// `get_weight_i` score).
    public func channelContributions(subject: Int = 0) -> [Double] {
        let w = maps[subject].weight
        let s = w.dimensions[0], c = w.dimensions[1]
        return (0..<c).map { ch in (0..<s).reduce(0.0) { $0 + Double(Swift.abs(w.storage[$1 * c + ch])) } / Double(s) }
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        maps.enumerated().flatMap { Self.prefixed("subject\($0.offset)", $0.element) }
    }
}

/// The patch tokenizer: each 100 ms patch of the mixed signal goes through three 1-D convolutions
/// with batch normalisation and — as in the reference code — no nonlinearity, and its output
/// (steps × spatial features) is flattened time-major into one token.
public struct DuINTokenizer: Layer {
    public let conv1: Conv1d, norm1: BatchNorm1d
    public let conv2: Conv1d, norm2: BatchNorm1d
    public let conv3: Conv1d, norm3: BatchNorm1d
    public let patchLength: Int

    public init(configuration c: DuINConfiguration, generator: inout SeededGenerator) {
        conv1 = Conv1d(inChannels: c.spatialDimension, outChannels: c.tokenizerChannels, kernelSize: c.tokenizerKernel,
                       stride: c.tokenizerStride, padding: c.tokenizerKernel / 2, generator: &generator)
        norm1 = BatchNorm1d(channels: c.tokenizerChannels)
        conv2 = Conv1d(inChannels: c.tokenizerChannels, outChannels: c.tokenizerChannels, kernelSize: 3, padding: 1, generator: &generator)
        norm2 = BatchNorm1d(channels: c.tokenizerChannels)
        conv3 = Conv1d(inChannels: c.tokenizerChannels, outChannels: c.spatialDimension, kernelSize: 3, padding: 1, generator: &generator)
        norm3 = BatchNorm1d(channels: c.spatialDimension)
        patchLength = c.patchLength
    }

    /// `[batch, spatial, M·patch]` → tokens `[batch, M, steps·spatial]`.
    public func callAsFunction(_ z: Tensor, training: TrainingContext? = nil) -> Tensor {
        let b = z.dimensions[0], s = z.dimensions[1], t = z.dimensions[2]
        let m = t / patchLength
        precondition(m * patchLength == t, "DuINTokenizer: \(t) samples are not whole patches of \(patchLength)")
        let patches = z.reshaped([b, s, m, patchLength]).permuted([0, 2, 1, 3]).reshaped([b * m, s, patchLength])
        var h = norm1(conv1(patches), training: training)
        h = norm2(conv2(h), training: training)
        h = norm3(conv3(h), training: training)  // [b·m, s, steps]
        let steps = h.dimensions[2]
        return h.permuted([0, 2, 1]).reshaped([b, m, steps * s])
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("conv1", conv1) + Self.prefixed("norm1", norm1) + Self.prefixed("conv2", conv2)
            + Self.prefixed("norm2", norm2) + Self.prefixed("conv3", conv3) + Self.prefixed("norm3", norm3)
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        Self.prefixedBuffers("norm1", norm1) + Self.prefixedBuffers("norm2", norm2) + Self.prefixedBuffers("norm3", norm3)
    }
}

/// A stack of post-LN QK-norm transformer blocks over sinusoidal positions (Du-IN's encoder and
/// regressor trunks; bidirectional, no CLS token).
public struct DuINTransformer: Layer {
    public let blocks: [PostNormTransformerBlock]
    public let positions: SinusoidalPositionalEncoding

    public init(configuration c: DuINConfiguration, layers: Int, maxTokens: Int, generator: inout SeededGenerator) {
        blocks = (0..<layers).map { _ in
            PostNormTransformerBlock(dimension: c.modelDimension, heads: c.heads, innerDimension: c.innerDimension,
                                     feedForwardDimension: c.feedForwardDimension, dropout: c.dropout,
                                     attentionDropout: c.attentionDropout, generator: &generator)
        }
        positions = SinusoidalPositionalEncoding(dimension: c.modelDimension, maxLength: maxTokens)
    }

    public func callAsFunction(_ tokens: Tensor, training: TrainingContext? = nil) -> Tensor {
        var x = positions(tokens)
        for block in blocks { x = block(x, training: training) }
        return x
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        blocks.enumerated().flatMap { Self.prefixed("block\($0.offset)", $0.element) }
    }
}

/// The Du-IN encoder: spatial mix → patch tokenizer → transformer. Shared by all three stages (the
/// classifier copies these weights from a pretrained VQ-VAE or MAE).
public struct DuINEncoder: Layer {
    public let configuration: DuINConfiguration
    public let spatial: DuINSpatialMix
    public let tokenizer: DuINTokenizer
    public let transformer: DuINTransformer

    /// Longest supported input in patches (positional table size).
    public static let maxTokens = 512

    public init(configuration c: DuINConfiguration, generator: inout SeededGenerator) {
        configuration = c
        spatial = DuINSpatialMix(channels: c.channels, spatial: c.spatialDimension, subjects: c.subjects, generator: &generator)
        tokenizer = DuINTokenizer(configuration: c, generator: &generator)
        transformer = DuINTransformer(configuration: c, layers: c.layers, maxTokens: Self.maxTokens, generator: &generator)
    }

    /// Tokens before the transformer, `[batch, M, d]`, from `[batch, channels, M·patch]`.
    public func tokens(_ x: Tensor, subject: Int = 0, training: TrainingContext? = nil) -> Tensor {
        tokenizer(spatial(x, subject: subject), training: training)
    }

    /// Encoded tokens `[batch, M, d]`.
    public func callAsFunction(_ x: Tensor, subject: Int = 0, training: TrainingContext? = nil) -> Tensor {
        transformer(tokens(x, subject: subject, training: training), training: training)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("spatial", spatial) + Self.prefixed("tokenizer", tokenizer) + Self.prefixed("transformer", transformer)
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] { Self.prefixedBuffers("tokenizer", tokenizer) }
}
