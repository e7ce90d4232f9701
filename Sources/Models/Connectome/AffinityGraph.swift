/// An undirected weighted graph on N nodes, stored as adjacency lists: the input of community
/// detection. Built from a symmetric affinity matrix (e.g. an NTF pair factor reshaped by
/// `NeuronPairs.matrix(from:)`), keeping the pairs whose weight exceeds a threshold as edges.
///
/// Each undirected pair is one edge (graph-tool's benchmark notebook accidentally fits every edge
/// twice, see the methods note §5.3; this implementation does not copy that doubling).
public struct AffinityGraph: Sendable, Hashable {
    public struct Edge: Sendable, Hashable {
        public let i: Int
        public let j: Int
        public let weight: Double
    }

    public let nodeCount: Int
    /// Edges with i < j.
    public let edges: [Edge]
    /// `neighbours[i]`: (node, weight) of every edge at i.
    public let neighbours: [[(node: Int, weight: Double)]]

    public static func == (a: AffinityGraph, b: AffinityGraph) -> Bool { a.nodeCount == b.nodeCount && a.edges == b.edges }
    public func hash(into h: inout Hasher) { h.combine(nodeCount); h.combine(edges) }

    /// - Throws: `ParameterError` for a negative or non-finite weight or a self-loop index out of range.
    public init(nodeCount: Int, edges: [(Int, Int, Double)]) throws {
        var list: [Edge] = []
        var adj = [[(node: Int, weight: Double)]](repeating: [], count: nodeCount)
        for (a, b, w) in edges {
            guard a != b, a >= 0, b >= 0, a < nodeCount, b < nodeCount else {
                throw ParameterError("edges", expected: "pairs of distinct nodes in 0..<\(nodeCount)", found: "(\(a), \(b))")
            }
            guard w.isFinite, w > 0 else { throw ParameterError("edges weight", expected: "finite and > 0", found: w) }
            list.append(Edge(i: min(a, b), j: max(a, b), weight: w))
            adj[a].append((b, w))
            adj[b].append((a, w))
        }
        self.nodeCount = nodeCount
        self.edges = list
        self.neighbours = adj
    }

    /// The graph of a symmetric non-negative matrix: edge {i, j} when a[i, j] > `threshold`.
    /// - Throws: `ParameterError` when the matrix is not square, not symmetric or has negative entries.
    public init(affinity a: Matrix<Double>, threshold: Double = 0) throws {
        try ParameterError.check(a.isSquare, "affinity", expected: "a square matrix", found: "\(a.rows) × \(a.columns)")
        var edges: [(Int, Int, Double)] = []
        for i in 0..<a.rows {
            for j in (i + 1)..<a.rows {
                let w = a[i, j]
                guard w >= 0, w.isFinite, abs(w - a[j, i]) <= 1e-9 * max(1, abs(w)) else {
                    throw ParameterError("affinity[\(i), \(j)]", expected: "a symmetric, finite, non-negative value", found: w)
                }
                if w > threshold { edges.append((i, j, w)) }
            }
        }
        try self.init(nodeCount: a.rows, edges: edges)
    }

    /// Weighted degree of each node.
    public var strengths: [Double] { neighbours.map { $0.reduce(0) { $0 + $1.weight } } }
    public var totalWeight: Double { edges.reduce(0) { $0 + $1.weight } }
}

/// Relabels `labels` to 0, 1, … in order of first appearance.
func compactLabels(_ labels: [Int]) -> [Int] {
    var map: [Int: Int] = [:]
    return labels.map { l in
        if let k = map[l] { return k }
        let k = map.count
        map[l] = k
        return k
    }
}
