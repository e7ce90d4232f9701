/// The position-wise MLP of a transformer block: Linear → GELU → dropout → Linear.
public struct FeedForward: Layer {
    public let hidden: Linear
    public let output: Linear
    public let dropout: Float

    public init(dimension: Int, hiddenDimension: Int, dropout: Float = 0, generator: inout SeededGenerator) {
        hidden = Linear(inFeatures: dimension, outFeatures: hiddenDimension, generator: &generator)
        output = Linear(inFeatures: hiddenDimension, outFeatures: dimension, generator: &generator)
        self.dropout = dropout
    }

    public func callAsFunction(_ input: Tensor, training: TrainingContext? = nil) -> Tensor {
        output(hidden(input).gelu().dropout(dropout, training: training))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("hidden", hidden) + Self.prefixed("output", output)
    }
}

/// A pre-norm transformer encoder block (Xiong et al. 2020; GPT-2's arrangement):
///
///     x ← x + dropout(SelfAttention(LN₁(x)));  x ← x + dropout(MLP(LN₂(x))).
///
/// Pre-norm keeps an identity path from input to output, so deep stacks train without warm-up tricks.
/// With `causal` it is also the block of a decoder-only (GPT-style) model.
public struct TransformerEncoderBlock: Layer {
    public let norm1: LayerNorm
    public let selfAttention: MultiHeadAttention
    public let norm2: LayerNorm
    public let feedForward: FeedForward
    /// Dropout on each residual branch (training only).
    public let dropout: Float

    public init(
        dimension: Int, heads: Int, feedForwardDimension: Int, dropout: Float = 0, attentionDropout: Float = 0,
        generator: inout SeededGenerator
    ) {
        norm1 = LayerNorm(dimension: dimension)
        selfAttention = MultiHeadAttention(dimension: dimension, heads: heads, dropout: attentionDropout, generator: &generator)
        norm2 = LayerNorm(dimension: dimension)
        feedForward = FeedForward(dimension: dimension, hiddenDimension: feedForwardDimension, dropout: dropout, generator: &generator)
        self.dropout = dropout
    }

    /// The block output and the self-attention weights.
    public func forward(
        _ input: Tensor, causal: Bool = false, keyPaddingMask: Tensor? = nil, training: TrainingContext? = nil
    ) -> (output: Tensor, attention: Tensor) {
        let attention = selfAttention(norm1(input), causal: causal, keyPaddingMask: keyPaddingMask, training: training)
        let x = input + attention.output.dropout(dropout, training: training)
        let y = x + feedForward(norm2(x), training: training).dropout(dropout, training: training)
        return (y, attention.weights)
    }

    public func callAsFunction(
        _ input: Tensor, causal: Bool = false, keyPaddingMask: Tensor? = nil, training: TrainingContext? = nil
    ) -> Tensor {
        forward(input, causal: causal, keyPaddingMask: keyPaddingMask, training: training).output
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("norm1", norm1) + Self.prefixed("selfAttention", selfAttention) + Self.prefixed("norm2", norm2)
            + Self.prefixed("feedForward", feedForward)
    }
}

/// A pre-norm transformer decoder block: causal self-attention, cross-attention to an encoder's
/// output (`memory`), then the MLP, each as a residual branch behind its own LayerNorm.
public struct TransformerDecoderBlock: Layer {
    public let norm1: LayerNorm
    public let selfAttention: MultiHeadAttention
    public let norm2: LayerNorm
    public let crossAttention: MultiHeadAttention
    public let norm3: LayerNorm
    public let feedForward: FeedForward
    public let dropout: Float

    /// - Parameter memoryDimension: width of the encoder output (default `dimension`).
    public init(
        dimension: Int, heads: Int, feedForwardDimension: Int, memoryDimension: Int? = nil, dropout: Float = 0,
        attentionDropout: Float = 0, generator: inout SeededGenerator
    ) {
        norm1 = LayerNorm(dimension: dimension)
        selfAttention = MultiHeadAttention(dimension: dimension, heads: heads, dropout: attentionDropout, generator: &generator)
        norm2 = LayerNorm(dimension: dimension)
        crossAttention = MultiHeadAttention(
            dimension: dimension, heads: heads, keyValueDimension: memoryDimension, dropout: attentionDropout, generator: &generator)
        norm3 = LayerNorm(dimension: dimension)
        feedForward = FeedForward(dimension: dimension, hiddenDimension: feedForwardDimension, dropout: dropout, generator: &generator)
        self.dropout = dropout
    }

    /// The block output with the self- and cross-attention weights.
    public func forward(
        _ input: Tensor, memory: Tensor, causal: Bool = true, selfPaddingMask: Tensor? = nil,
        memoryPaddingMask: Tensor? = nil, training: TrainingContext? = nil
    ) -> (output: Tensor, selfAttention: Tensor, crossAttention: Tensor) {
        let s = selfAttention(norm1(input), causal: causal, keyPaddingMask: selfPaddingMask, training: training)
        let x = input + s.output.dropout(dropout, training: training)
        let c = crossAttention(norm2(x), keyValue: memory, keyPaddingMask: memoryPaddingMask, training: training)
        let y = x + c.output.dropout(dropout, training: training)
        let z = y + feedForward(norm3(y), training: training).dropout(dropout, training: training)
        return (z, s.weights, c.weights)
    }

    public func callAsFunction(
        _ input: Tensor, memory: Tensor, causal: Bool = true, selfPaddingMask: Tensor? = nil,
        memoryPaddingMask: Tensor? = nil, training: TrainingContext? = nil
    ) -> Tensor {
        forward(input, memory: memory, causal: causal, selfPaddingMask: selfPaddingMask,
                memoryPaddingMask: memoryPaddingMask, training: training).output
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("norm1", norm1) + Self.prefixed("selfAttention", selfAttention) + Self.prefixed("norm2", norm2)
            + Self.prefixed("crossAttention", crossAttention) + Self.prefixed("norm3", norm3)
            + Self.prefixed("feedForward", feedForward)
    }
}
