import NeuroCore

/// Multi-head self-attention whose per-head queries and keys are layer-normalised before the dot
/// product ("QK-norm", Dehghani et al. 2023), as Du-IN's and LaBraM's encoders use: it bounds the
/// attention logits, which keeps small-batch training of post-LN stacks from collapsing into one-hot
/// attention. Q, K and V come from one stacked gemm; the head split of the normalisation is a free
/// reshape (heads are contiguous column blocks), and the attention itself runs on NeuralNet's fused
/// column-block kernels, so no head is ever copied out.
public struct QKNormSelfAttention: Layer {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear
    /// LayerNorm over each head's `headDimension` features, shared by all heads (as in the reference).
    public let queryNorm: LayerNorm
    public let keyNorm: LayerNorm
    public let heads: Int
    /// Dropout on the attention weights (training only).
    public let dropout: Float

    /// - Parameters:
    ///   - dimension: model width (input and output).
    ///   - heads: number of heads; `innerDimension` must be a multiple.
    ///   - innerDimension: width of Q/K/V (`heads × head size`; default `dimension`).
    public init(dimension: Int, heads: Int, innerDimension: Int? = nil, dropout: Float = 0, generator: inout SeededGenerator) {
        let inner = innerDimension ?? dimension
        precondition(heads > 0 && inner % heads == 0, "QKNormSelfAttention: \(heads) heads do not divide \(inner)")
        query = Linear(inFeatures: dimension, outFeatures: inner, generator: &generator)
        key = Linear(inFeatures: dimension, outFeatures: inner, generator: &generator)
        value = Linear(inFeatures: dimension, outFeatures: inner, generator: &generator)
        output = Linear(inFeatures: inner, outFeatures: dimension, generator: &generator)
        queryNorm = LayerNorm(dimension: inner / heads)
        keyNorm = LayerNorm(dimension: inner / heads)
        self.heads = heads
        self.dropout = dropout
    }

    public var innerDimension: Int { query.outFeatures }

    /// `input` `[batch, length, dimension]` → output of the same shape and the attention weights
    /// `[batch, heads, length, length]`.
    public func callAsFunction(_ input: Tensor, training: TrainingContext? = nil) -> AttentionResult {
        precondition(input.rank == 3, "QKNormSelfAttention: input \(input.shape) must be [batch, length, features]")
        let b = input.dimensions[0], t = input.dimensions[1], d = innerDimension, dh = d / heads
        let qkv = input.linear(stacking: [query.weight, key.weight, value.weight], biases: [query.bias!, key.bias!, value.bias!])
        let q = queryNorm(qkv.slice(axis: 2, 0..<d).reshaped([b, t, heads, dh])).reshaped([b, t, d])
        let k = keyNorm(qkv.slice(axis: 2, d..<(2 * d)).reshaped([b, t, heads, dh])).reshaped([b, t, d])
        let weights = Tensor.attentionWeights(
            queries: q, keys: k, heads: heads, scale: 1 / Float(dh).squareRoot(), causal: false, keyPadding: nil,
            maskValue: MultiHeadAttention.maskValue)
        let merged = Tensor.attend(weights: weights.dropout(dropout, training: training), values: qkv, valueColumn: 2 * d, width: d)
        return AttentionResult(output: output(merged), weights: weights)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("query", query) + Self.prefixed("key", key) + Self.prefixed("value", value)
            + Self.prefixed("output", output) + Self.prefixed("queryNorm", queryNorm) + Self.prefixed("keyNorm", keyNorm)
    }
}

/// A post-LN transformer encoder block (Vaswani et al. 2017's arrangement, as Du-IN uses) with QK-norm
/// attention and a ReLU feed-forward:
///
///     x ← LN₁(x + dropout(Attn(x)));  x ← LN₂(x + dropout(W₂·dropout(ReLU(W₁x)))).
public struct PostNormTransformerBlock: Layer {
    public let attention: QKNormSelfAttention
    public let norm1: LayerNorm
    public let hidden: Linear
    public let projection: Linear
    public let norm2: LayerNorm
    public let dropout: Float

    public init(
        dimension: Int, heads: Int, innerDimension: Int? = nil, feedForwardDimension: Int, dropout: Float = 0,
        attentionDropout: Float = 0, generator: inout SeededGenerator
    ) {
        attention = QKNormSelfAttention(
            dimension: dimension, heads: heads, innerDimension: innerDimension, dropout: attentionDropout, generator: &generator)
        norm1 = LayerNorm(dimension: dimension)
        hidden = Linear(inFeatures: dimension, outFeatures: feedForwardDimension, generator: &generator)
        projection = Linear(inFeatures: feedForwardDimension, outFeatures: dimension, generator: &generator)
        norm2 = LayerNorm(dimension: dimension)
        self.dropout = dropout
    }

    public func callAsFunction(_ input: Tensor, training: TrainingContext? = nil) -> Tensor {
        let x = norm1(input + attention(input, training: training).output.dropout(dropout, training: training))
        let f = projection(hidden(x).relu().dropout(dropout, training: training))
        return norm2(x + f.dropout(dropout, training: training))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("attention", attention) + Self.prefixed("norm1", norm1) + Self.prefixed("hidden", hidden)
            + Self.prefixed("projection", projection) + Self.prefixed("norm2", norm2)
    }
}
