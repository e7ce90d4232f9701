import RealModule

/// The result of an attention call: the layer output and the attention weights for interpretation.
public struct AttentionResult: Sendable {
    /// `[batch, queryLength, dimension]`.
    public let output: Tensor
    /// Softmax weights `[batch, heads, queryLength, keyLength]` before dropout (rows sum to 1; masked
    /// keys get exactly 0). Part of the graph, so they can also be regularised.
    public let weights: Tensor
}

/// Multi-head scaled dot-product attention (Vaswani et al. 2017), for self-attention (`keyValue` nil)
/// and cross-attention (keys and values from another sequence, possibly of another width).
///
/// softmax(Q·Kᵀ/√d_h + mask)·V per head, with Q, K, V and the output mixed by `[out, in]` linear maps
/// as PyTorch's `nn.MultiheadAttention`. Masked scores are set to −1e30 rather than −∞: the weight is
/// still exactly 0 (exp underflows), but a row whose keys are all masked gets uniform weights instead
/// of NaNs.
public struct MultiHeadAttention: Layer {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear
    public let heads: Int
    /// Dropout on the attention weights (training only).
    public let dropout: Float

    static let maskValue: Float = -1e30

    /// - Parameter keyValueDimension: width of the key/value sequence for cross-attention (default
    ///   `dimension`).
    public init(
        dimension: Int, heads: Int, keyValueDimension: Int? = nil, dropout: Float = 0, bias: Bool = true,
        generator: inout SeededGenerator
    ) {
        precondition(heads > 0 && dimension % heads == 0, "MultiHeadAttention: \(heads) heads do not divide \(dimension)")
        let source = keyValueDimension ?? dimension
        query = Linear(inFeatures: dimension, outFeatures: dimension, bias: bias, generator: &generator)
        key = Linear(inFeatures: source, outFeatures: dimension, bias: bias, generator: &generator)
        value = Linear(inFeatures: source, outFeatures: dimension, bias: bias, generator: &generator)
        output = Linear(inFeatures: dimension, outFeatures: dimension, bias: bias, generator: &generator)
        self.heads = heads
        self.dropout = dropout
    }

    public init(query: Linear, key: Linear, value: Linear, output: Linear, heads: Int, dropout: Float = 0) {
        let d = query.outFeatures
        precondition(heads > 0 && d % heads == 0, "MultiHeadAttention: \(heads) heads do not divide \(d)")
        precondition(key.outFeatures == d && value.outFeatures == d && output.inFeatures == d && key.inFeatures == value.inFeatures,
                     "MultiHeadAttention: projection sizes do not fit")
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.heads = heads
        self.dropout = dropout
    }

    public var dimension: Int { query.outFeatures }

    /// Attends from `queries` `[batch, tq, dimension]` to `keyValue` `[batch, tk, kvDimension]`
    /// (`queries` itself when nil).
    ///
    /// - Parameters:
    ///   - causal: query i sees only keys j ≤ i (top-left aligned, as PyTorch's `is_causal`).
    ///   - keyPaddingMask: `[batch, tk]`, non-zero where a key is padding and must be ignored
    ///     (PyTorch's `key_padding_mask` convention).
    public func callAsFunction(
        _ queries: Tensor, keyValue: Tensor? = nil, causal: Bool = false, keyPaddingMask: Tensor? = nil,
        training: TrainingContext? = nil
    ) -> AttentionResult {
        let source = keyValue ?? queries
        precondition(queries.rank == 3 && source.rank == 3, "MultiHeadAttention: inputs must be [batch, length, features]")
        let b = queries.dimensions[0], tk = source.dimensions[1]
        precondition(source.dimensions[0] == b, "MultiHeadAttention: batch sizes differ")
        let dh = dimension / heads
        if let padding = keyPaddingMask {
            precondition(padding.dimensions == [b, tk], "MultiHeadAttention: key padding mask \(padding.shape), expected [\(b), \(tk)]")
        }
        // Heads are read as column blocks of the projections in place (see Tensor+Attention.swift).
        let scale = 1 / Float(dh).squareRoot(), d = dimension
        let biases = [query.bias, key.bias, value.bias].compactMap { $0 }
        let weights: Tensor, merged: Tensor
        if keyValue == nil && (biases.isEmpty || biases.count == 3) {
            // Self-attention: Q, K and V of the same input as one gemm, [b, t, 3d] in column blocks.
            let qkv = queries.linear(stacking: [query.weight, key.weight, value.weight], biases: biases.isEmpty ? nil : biases)
            weights = Tensor.attentionWeights(
                queries: qkv, queryColumn: 0, keys: qkv, keyColumn: d, width: d, heads: heads, scale: scale,
                causal: causal, keyPadding: keyPaddingMask?.storage, maskValue: Self.maskValue)
            merged = Tensor.attend(weights: weights.dropout(dropout, training: training), values: qkv, valueColumn: 2 * d, width: d)
        } else {
            weights = Tensor.attentionWeights(
                queries: query(queries), keys: key(source), heads: heads, scale: scale,
                causal: causal, keyPadding: keyPaddingMask?.storage, maskValue: Self.maskValue)
            merged = Tensor.attend(weights: weights.dropout(dropout, training: training), values: value(source))
        }
        return AttentionResult(output: output(merged), weights: weights)
    }

    /// `[tq, tk]` with 1 where key j lies in the future of query i (j > i).
    public static func causalMask(queries: Int, keys: Int) -> Tensor {
        var mask = [Float](repeating: 0, count: queries * keys)
        for i in 0..<queries where i + 1 < keys {
            for j in (i + 1)..<keys { mask[i * keys + j] = 1 }
        }
        return Tensor(mask, shape: [queries, keys])
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("query", query) + Self.prefixed("key", key) + Self.prefixed("value", value)
            + Self.prefixed("output", output)
    }
}
