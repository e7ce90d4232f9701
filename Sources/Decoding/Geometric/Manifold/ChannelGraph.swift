import Foundation
import NeuroCore

/// Step 2 of the manifold pipeline: a k-nearest-neighbour heat-kernel graph over items (EEG channels)
/// described by feature vectors.
///
/// Choice (documented because the paper does not give one): an edge joins i and j when either is among
/// the other's k nearest in Euclidean feature distance (symmetrised kNN, so every node has degree ≥ k
/// and the graph is usually connected), with affinity exp(−d²/σ²) and σ the median of those kNN
/// distances (scale-free: multiplying features by a constant gives the same graph).
public struct ChannelGraph: Sendable, Hashable {
    /// The graph; its edge lengths are the feature-space distances d_ij.
    public let graph: WeightedGraph
    /// Heat-kernel affinity exp(−d²/σ²) of each edge, in edge order.
    public let affinities: [Double]
    public let bandwidth: Double

    /// `features` is nodes × features.
    public init(features: Matrix<Double>, neighbours k: Int, bandwidth: Double? = nil) throws {
        let n = features.rows
        try ParameterError.check(n >= 2, "features", expected: "≥ 2 nodes", found: n)
        try ParameterError.check(k >= 1 && k < n, "neighbours", expected: "1…\(n - 1)", found: k)
        try ParameterError.check(features.isFinite, "features", expected: "finite values", found: "NaN or ∞")
        if let bandwidth { try ParameterError.check(bandwidth > 0 && bandwidth.isFinite, "bandwidth", expected: "a finite value > 0", found: bandwidth) }
        var distance = Matrix<Double>(rows: n, columns: n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var s = 0.0
                for f in 0..<features.columns { let d = features[i, f] - features[j, f]; s += d * d }
                distance[i, j] = s.squareRoot(); distance[j, i] = s.squareRoot()
            }
        }
        var pairs = Set<Int>()
        var knnDistances: [Double] = []
        for i in 0..<n {
            let order = (0..<n).filter { $0 != i }.sorted { (distance[i, $0], $0) < (distance[i, $1], $1) }
            for j in order.prefix(k) {
                pairs.insert(Swift.min(i, j) * n + Swift.max(i, j))
                knnDistances.append(distance[i, j])
            }
        }
        let sorted = knnDistances.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : 0.5 * (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2])
        let sigma = bandwidth ?? (median > 0 ? median : 1)
        let edges = pairs.sorted().map { ($0 / n, $0 % n) }
        // Identical feature vectors have distance 0; give them a tiny positive length.
        let tiny = 1e-9 * Swift.max(sigma, 1e-300)
        let lengths = edges.map { Swift.max(distance[$0.0, $0.1], tiny) }
        graph = try WeightedGraph(nodeCount: n, edges: edges, lengths: lengths)
        affinities = lengths.map { Foundation.exp(-($0 * $0) / (sigma * sigma)) }
        self.bandwidth = sigma
    }

    /// The dense affinity matrix (zero off the edges).
    public var affinityMatrix: Matrix<Double> {
        var m = Matrix<Double>(rows: graph.nodeCount, columns: graph.nodeCount)
        for e in 0..<graph.edgeCount {
            m[graph.sources[e], graph.targets[e]] = affinities[e]
            m[graph.targets[e], graph.sources[e]] = affinities[e]
        }
        return m
    }
}
