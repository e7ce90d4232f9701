import RealModule

/// Communities by maximising weighted modularity with the Louvain method (Blondel et al. 2008): the
/// fast baseline next to the block model.
///
/// Q = (1/2m) Σᵢⱼ [Aᵢⱼ − γ kᵢkⱼ/2m] δ(cᵢ, cⱼ). Local moves visit nodes in a seeded random order and
/// move each to the neighbouring community with the largest gain while any move gains more than
/// 1e−12·m; then communities are aggregated into nodes and the process repeats until nothing moves.
public struct Louvain: Sendable, Hashable {
    /// Resolution γ (1: standard modularity; larger gives smaller communities).
    public var resolution: Double

    public init(resolution: Double = 1) throws {
        try ParameterError.check(resolution > 0 && resolution.isFinite, "resolution", expected: "a finite value > 0", found: resolution)
        self.resolution = resolution
    }

    public struct Result: Sendable, Hashable {
        /// Community of each node, 0-based in order of first appearance.
        public let labels: [Int]
        public let modularity: Double
        public var communityCount: Int { (labels.max() ?? -1) + 1 }
    }

    public func communities(_ graph: AffinityGraph, seed: UInt64 = 0) -> Result {
        var rng = SeededGenerator(seed: seed)
        let n = graph.nodeCount
        let twoM = 2 * graph.totalWeight
        guard twoM > 0 else { return Result(labels: Array(0..<n), modularity: 0) }
        // Current level: nodes = super-nodes with weighted adjacency lists and self-loop weights.
        var adj: [[Int: Double]] = graph.neighbours.map { list in
            var d: [Int: Double] = [:]
            for (j, w) in list { d[j, default: 0] += w }
            return d
        }
        var selfLoops = [Double](repeating: 0, count: n)
        var membership = Array(0..<n)  // original node → current super-node
        while true {
            let count = adj.count
            let degree = (0..<count).map { i in adj[i].values.reduce(0, +) + 2 * selfLoops[i] }
            var community = Array(0..<count)
            var total = degree
            var moved = false
            var improved = true
            while improved {
                improved = false
                for i in rng.permutation(count) {
                    let ci = community[i]
                    var links: [Int: Double] = [:]
                    for (j, w) in adj[i] where j != i { links[community[j], default: 0] += w }
                    total[ci] -= degree[i]
                    let ki = degree[i]
                    var best = ci
                    var bestGain = (links[ci] ?? 0) - resolution * total[ci] * ki / twoM
                    for (c, w) in links.sorted(by: { $0.key < $1.key }) where c != ci {
                        let gain = w - resolution * total[c] * ki / twoM
                        if gain > bestGain + 1e-12 * twoM { best = c; bestGain = gain }
                    }
                    total[best] += ki
                    if best != ci { community[i] = best; improved = true; moved = true }
                }
            }
            let labels = compactLabels(community)
            membership = membership.map { labels[$0] }
            if !moved { break }
            let k = (labels.max() ?? -1) + 1
            var next = [[Int: Double]](repeating: [:], count: k)
            var nextLoops = [Double](repeating: 0, count: k)
            for i in 0..<count {
                nextLoops[labels[i]] += selfLoops[i]
                for (j, w) in adj[i] {
                    if labels[i] == labels[j] { nextLoops[labels[i]] += w / 2 } else { next[labels[i]][labels[j], default: 0] += w }
                }
            }
            adj = next
            selfLoops = nextLoops
            if k == 1 { break }
        }
        let labels = compactLabels(membership)
        return Result(labels: labels, modularity: Self.modularity(graph, labels: labels, resolution: resolution))
    }

    /// Weighted modularity of a labelling.
    public static func modularity(_ graph: AffinityGraph, labels: [Int], resolution: Double = 1) -> Double {
        let twoM = 2 * graph.totalWeight
        guard twoM > 0 else { return 0 }
        var inside: [Int: Double] = [:]
        var total: [Int: Double] = [:]
        for e in graph.edges where labels[e.i] == labels[e.j] { inside[labels[e.i], default: 0] += 2 * e.weight }
        for (i, s) in graph.strengths.enumerated() { total[labels[i], default: 0] += s }
        return total.keys.reduce(0) { $0 + (inside[$1] ?? 0) / twoM - resolution * Double.pow(total[$1]! / twoM, 2) }
    }
}
