/// The reference Neuroformer `Block(q, kv, mask)` (methods note §A4):
///
///     h = q + MHA(LN₁(q), kv, kv; mask);  h = h + MLP(LN₂(h));  out = LN_f(h).
///
/// Unlike a standard pre-norm block, keys and values are *not* layer-normed (for self-attention they
/// are the raw input), and every block ends with its own LayerNorm. Cross-attention has no mask, not
/// even for padding, as in the reference.
public struct NeuroformerBlock: Layer {
    public let norm1: LayerNorm
    public let attention: MultiHeadAttention
    public let norm2: LayerNorm
    public let feedForward: FeedForward
    public let finalNorm: LayerNorm
    public let dropout: Float

    public init(dimension: Int, heads: Int, dropout: Float, generator: inout SeededGenerator) {
        norm1 = LayerNorm(dimension: dimension)
        attention = MultiHeadAttention(dimension: dimension, heads: heads, dropout: dropout, generator: &generator)
        norm2 = LayerNorm(dimension: dimension)
        feedForward = FeedForward(dimension: dimension, hiddenDimension: 4 * dimension, dropout: dropout, generator: &generator)
        finalNorm = LayerNorm(dimension: dimension)
        self.dropout = dropout
    }

    /// `query` `[b, t, d]` attends to `keyValue` `[b, s, d]` (to itself, causally when `causal`, when nil).
    public func forward(
        _ query: Tensor, keyValue: Tensor? = nil, causal: Bool = false, training: TrainingContext?
    ) -> (output: Tensor, attention: Tensor) {
        let a = attention(norm1(query), keyValue: keyValue ?? query, causal: causal, training: training)
        let h = query + a.output.dropout(dropout, training: training)
        let y = h + feedForward(norm2(h), training: training).dropout(dropout, training: training)
        return (finalNorm(y), a.weights)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("norm1", norm1) + Self.prefixed("attention", attention) + Self.prefixed("norm2", norm2)
            + Self.prefixed("feedForward", feedForward) + Self.prefixed("finalNorm", finalNorm)
    }
}
