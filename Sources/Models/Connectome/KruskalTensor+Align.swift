extension KruskalTensor {
    /// The same tensor with components reordered: component k of the result is `order[k]` of self.
    public func permuted(_ order: [Int]) -> KruskalTensor {
        precondition(order.count <= rank && Set(order).count == order.count, "order must list distinct components")
        let factors = self.factors.map { f in Matrix<Double>(rows: f.rows, columns: order.count) { i, k in f[i, order[k]] } }
        return try! KruskalTensor(factors: factors, weights: order.map { weights[$0] })
    }

    /// Components ordered by decreasing weight (ties keep their order).
    public func sortedByWeight() -> KruskalTensor {
        permuted(weights.indices.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 < $1) })
    }

    /// Column `component` of factor `mode`.
    public func factor(_ mode: Int, component: Int) -> [Double] { factors[mode].column(component) }
}

/// The result of matching the components of two Kruskal tensors.
public struct KruskalAlignment: Sendable, Hashable {
    /// tensortools' similarity score: the mean, over matched pairs, of the mean over modes of
    /// |cosine| between their factor columns. 1 for identical components up to order and scale.
    public let similarity: Double
    /// `match[k]` is the component of the second tensor matched to component k of the first
    /// (nil when the second has fewer components).
    public let match: [Int?]
    /// Similarity of each matched pair, per component of the first tensor (0 when unmatched).
    public let componentSimilarity: [Double]
}

/// Matches the components of `a` and `b` (tensortools `kruskal_align`): the cost of pairing
/// component i of `a` with j of `b` is 1 − mean over modes of |⟨aᵢ⁽ⁿ⁾, bⱼ⁽ⁿ⁾⟩| on unit-norm columns,
/// minimised by the Hungarian algorithm. With unequal ranks the smaller set is matched completely and
/// the score averages over the min(rank) matched pairs, as tensortools does.
/// - Throws: `ParameterError` when the shapes differ.
public func kruskalAlign(_ a: KruskalTensor, _ b: KruskalTensor) throws -> KruskalAlignment {
    guard a.shape == b.shape else {
        throw ParameterError("b.shape", expected: "\(a.shape) (the shape of a)", found: b.shape)
    }
    let modes = Double(a.factors.count)
    var similarity = Matrix<Double>(rows: a.rank, columns: b.rank)
    for (fa, fb) in zip(a.factors, b.factors) {
        let cross = fa.multiplied(by: fb, transposingSelf: true)
        for i in 0..<a.rank { for j in 0..<b.rank { similarity[i, j] += abs(cross[i, j]) / modes } }
    }
    let assignment = try LinearAssignment(cost: similarity.map { 1 - $0 })
    var match = [Int?](repeating: nil, count: a.rank)
    var per = [Double](repeating: 0, count: a.rank)
    for (i, j) in assignment.pairs {
        match[i] = j
        per[i] = similarity[i, j]
    }
    let matched = assignment.rows.count
    let score = matched > 0 ? assignment.rows.reduce(0) { $0 + per[$1] } / Double(matched) : 0
    return KruskalAlignment(similarity: score, match: match, componentSimilarity: per)
}
