import Foundation
import NeuroCore

/// An undirected graph whose edge values are **lengths** (distances), not affinities.
///
/// GraphRicciCurvature reads its `weight` attribute as a length too, and users who pass similarities
/// there get underflowing neighbour measures (its issue #25); making the meaning part of the type keeps
/// that mistake out. Use `init(affinities:)` to convert similarities explicitly (ℓ = −log a).
/// Adjacency is kept in compressed rows so neighbourhood scans and Dijkstra need no hashing.
public struct WeightedGraph: Sendable, Hashable {
    public let nodeCount: Int
    /// Edge endpoints with `sources[e] < targets[e]`, in the order given (duplicates rejected).
    public let sources: [Int]
    public let targets: [Int]
    /// Positive, finite length of each edge.
    public private(set) var lengths: [Double]
    /// CSR adjacency: the neighbours of node i are `neighbours[rowStart[i]..<rowStart[i + 1]]`, and
    /// `incidentEdge` holds the edge index of each of those entries.
    public let rowStart: [Int]
    public let neighbours: [Int]
    public let incidentEdge: [Int]

    public var edgeCount: Int { sources.count }

    /// A graph from undirected edges `(i, j)`, i ≠ j, each listed once, with one length per edge
    /// (all 1 when `lengths` is nil).
    public init(nodeCount: Int, edges: [(Int, Int)], lengths: [Double]? = nil) throws {
        try ParameterError.check(nodeCount >= 1, "nodeCount", expected: "at least 1 node", found: nodeCount)
        let lengths = lengths ?? Array(repeating: 1, count: edges.count)
        try ParameterError.check(lengths.count == edges.count, "lengths", expected: "\(edges.count) values (one per edge)", found: lengths.count)
        var seen = Set<Int>()
        var sources: [Int] = [], targets: [Int] = []
        sources.reserveCapacity(edges.count); targets.reserveCapacity(edges.count)
        for (e, (a, b)) in edges.enumerated() {
            try ParameterError.check(a >= 0 && a < nodeCount && b >= 0 && b < nodeCount, "edges[\(e)]", expected: "node indices in 0..<\(nodeCount)", found: "(\(a), \(b))")
            try ParameterError.check(a != b, "edges[\(e)]", expected: "no self loops", found: "(\(a), \(b))")
            let (i, j) = (Swift.min(a, b), Swift.max(a, b))
            try ParameterError.check(seen.insert(i &* nodeCount &+ j).inserted, "edges[\(e)]", expected: "each edge once", found: "duplicate (\(a), \(b))")
            try ParameterError.check(lengths[e].isFinite && lengths[e] > 0, "lengths[\(e)]", expected: "a finite length > 0", found: lengths[e])
            sources.append(i); targets.append(j)
        }
        var degree = [Int](repeating: 0, count: nodeCount)
        for e in 0..<sources.count { degree[sources[e]] += 1; degree[targets[e]] += 1 }
        var rowStart = [Int](repeating: 0, count: nodeCount + 1)
        for i in 0..<nodeCount { rowStart[i + 1] = rowStart[i] + degree[i] }
        var fill = rowStart
        var neighbours = [Int](repeating: 0, count: 2 * sources.count)
        var incident = [Int](repeating: 0, count: 2 * sources.count)
        for e in 0..<sources.count {
            let (i, j) = (sources[e], targets[e])
            neighbours[fill[i]] = j; incident[fill[i]] = e; fill[i] += 1
            neighbours[fill[j]] = i; incident[fill[j]] = e; fill[j] += 1
        }
        self.nodeCount = nodeCount
        self.sources = sources
        self.targets = targets
        self.lengths = lengths
        self.rowStart = rowStart
        self.neighbours = neighbours
        self.incidentEdge = incident
    }

    /// A graph from similarity weights a ∈ (0, 1], converted to lengths ℓ = −log a (+ `offset`, so
    /// that a = 1 does not give a zero length).
    public init(nodeCount: Int, edges: [(Int, Int)], affinities: [Double], offset: Double = 1e-6) throws {
        try ParameterError.check(affinities.allSatisfy { $0 > 0 && $0 <= 1 }, "affinities", expected: "values in (0, 1]", found: affinities.first { !($0 > 0 && $0 <= 1) } ?? 0)
        try self.init(nodeCount: nodeCount, edges: edges, lengths: affinities.map { -Double.log($0) + offset })
    }

    /// The same topology with new edge lengths (positive and finite).
    public func withLengths(_ newLengths: [Double]) throws -> WeightedGraph {
        try ParameterError.check(newLengths.count == edgeCount, "lengths", expected: "\(edgeCount) values", found: newLengths.count)
        for (e, l) in newLengths.enumerated() {
            try ParameterError.check(l.isFinite && l > 0, "lengths[\(e)]", expected: "a finite length > 0", found: l)
        }
        var copy = self
        copy.lengths = newLengths
        return copy
    }

    /// Keeps only the edges where `keep[e]` is true (nodes are kept, possibly isolated).
    public func keepingEdges(_ keep: [Bool]) throws -> WeightedGraph {
        precondition(keep.count == edgeCount, "keepingEdges: one flag per edge")
        var edges: [(Int, Int)] = [], kept: [Double] = []
        for e in 0..<edgeCount where keep[e] { edges.append((sources[e], targets[e])); kept.append(lengths[e]) }
        return try WeightedGraph(nodeCount: nodeCount, edges: edges, lengths: kept)
    }

    /// The degree (number of neighbours) of node i.
    public func degree(_ i: Int) -> Int { rowStart[i + 1] - rowStart[i] }

    /// Index of edge (i, j) if present.
    public func edgeIndex(_ i: Int, _ j: Int) -> Int? {
        for k in rowStart[i]..<rowStart[i + 1] where neighbours[k] == j { return incidentEdge[k] }
        return nil
    }

    /// Dense symmetric matrix of edge values f(ℓ) (zero off the edges), e.g. affinities for a Laplacian.
    public func denseMatrix(_ f: (Double) -> Double) -> Matrix<Double> {
        var m = Matrix<Double>(rows: nodeCount, columns: nodeCount)
        for e in 0..<edgeCount {
            let v = f(lengths[e])
            m[sources[e], targets[e]] = v
            m[targets[e], sources[e]] = v
        }
        return m
    }
}

extension WeightedGraph {
    /// The complete graph K_n with unit lengths.
    public static func complete(_ n: Int) throws -> WeightedGraph {
        var edges: [(Int, Int)] = []
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { edges.append((i, j)) } }
        return try WeightedGraph(nodeCount: n, edges: edges)
    }

    /// The cycle C_n (n ≥ 3) with unit lengths.
    public static func cycle(_ n: Int) throws -> WeightedGraph {
        try ParameterError.check(n >= 3, "n", expected: "≥ 3 nodes for a cycle", found: n)
        return try WeightedGraph(nodeCount: n, edges: (0..<n).map { ($0, ($0 + 1) % n) })
    }

    /// The path P_n with unit lengths.
    public static func path(_ n: Int) throws -> WeightedGraph {
        try WeightedGraph(nodeCount: n, edges: (0..<Swift.max(n - 1, 0)).map { ($0, $0 + 1) })
    }

    /// The star with `leaves` leaves around node 0.
    public static func star(leaves: Int) throws -> WeightedGraph {
        try WeightedGraph(nodeCount: leaves + 1, edges: (1...Swift.max(leaves, 1)).prefix(leaves).map { (0, $0) })
    }

    /// The rows × columns grid, node r·columns + c (networkx `grid_2d_graph` order).
    public static func grid(rows: Int, columns: Int) throws -> WeightedGraph {
        var edges: [(Int, Int)] = []
        for r in 0..<rows {
            for c in 0..<columns {
                let v = r * columns + c
                if r + 1 < rows { edges.append((v, v + columns)) }
                if c + 1 < columns { edges.append((v, v + 1)) }
            }
        }
        return try WeightedGraph(nodeCount: rows * columns, edges: edges)
    }

    /// networkx `barbell_graph(m, 0)`: two K_m (nodes 0..<m and m..<2m) joined by the edge (m − 1, m).
    public static func barbell(clique m: Int) throws -> WeightedGraph {
        var edges: [(Int, Int)] = []
        for offset in [0, m] {
            for i in 0..<m { for j in (i + 1)..<Swift.max(i + 1, m) { edges.append((offset + i, offset + j)) } }
        }
        edges.append((m - 1, m))
        return try WeightedGraph(nodeCount: 2 * m, edges: edges)
    }
}
