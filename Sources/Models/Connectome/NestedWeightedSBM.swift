import RealModule

/// A hierarchy of communities above the weighted SBM's blocks (after Peixoto's nested SBM, the model
/// graph-tool's `minimize_nested_blockmodel_dl` fits in the dynamic-connectome paper).
///
/// Level 0 is the `WeightedSBM` partition of the neurons (weights, degree correction and number of
/// blocks as there). Each higher level partitions the blocks of the level below, treating that
/// level's block edge counts as a multigraph and describing it with the nested microcanonical prior:
///
///     DL_l = ln N_l + ln C(N_l − 1, B_l − 1) + ln N_l! − Σ_r ln n_r!                (partition of N_l nodes)
///          + Σ_{r<s} ln multiset(n_r n_s, e_rs) + Σ_r ln multiset(n_r(n_r+1)/2, e_rr)  (edges given counts)
///          + ln multiset(B_l(B_l+1)/2, E)                                            (top-level counts)
///
/// where multiset(n, k) = C(n + k − 1, k). Each level is found by greedy merges of the level below
/// (the partition of least DL_l among those with fewer blocks, so the hierarchy always ends in one
/// block). Unlike graph-tool, level 0 is not re-optimised under the nested prior.
public struct NestedWeightedSBM: Sendable, Hashable {
    public struct Hierarchy: Sendable, Hashable {
        /// The level-0 fit.
        public let base: WeightedSBM.Fit
        /// `levels[l][i]`: the level-l block of neuron i (level 0 = base partition), up to one block.
        public let levels: [[Int]]
        /// DL_l of each level above 0 (nats; level 0's is `base.best.descriptionLength`).
        public let levelDescriptionLengths: [Double]
    }

    public var sbm: WeightedSBM
    public init(sbm: WeightedSBM = WeightedSBM()) { self.sbm = sbm }

    public func fit(_ graph: AffinityGraph, seed: UInt64 = 0) -> Hierarchy {
        let base = sbm.fit(graph, seed: seed)
        var levels = [base.best.labels]
        var dls: [Double] = []
        var nodeLabels = base.best.labels
        var b = base.best.blockCount
        var counts = [Int](repeating: 0, count: b * b)
        for e in graph.edges {
            let r = nodeLabels[e.i], s = nodeLabels[e.j]
            counts[r * b + s] += 1
            if r != s { counts[s * b + r] += 1 }
        }
        let total = graph.edges.count
        while b > 1 {
            let (partition, dl) = Self.coarsen(counts: counts, nodes: b, edges: total)
            let next = (partition.max() ?? 0) + 1
            var coarse = [Int](repeating: 0, count: next * next)
            for r in 0..<b {
                for s in r..<b where counts[r * b + s] > 0 {
                    let (u, v) = (partition[r], partition[s])
                    if u == v { coarse[u * next + u] += counts[r * b + s] } else {
                        coarse[u * next + v] += counts[r * b + s]
                        coarse[v * next + u] += counts[r * b + s]
                    }
                }
            }
            nodeLabels = nodeLabels.map { partition[$0] }
            levels.append(nodeLabels)
            dls.append(dl)
            counts = coarse
            b = next
        }
        return Hierarchy(base: base, levels: levels, levelDescriptionLengths: dls)
    }

    @inline(__always) static func logMultiset(_ n: Int, _ k: Int) -> Double {
        n <= 0 ? 0 : BlockState.logBinomial(n + k - 1, k)
    }

    /// DL_l of partition `labels` (0..<blocks) of a multigraph with `counts` (nodes × nodes, diagonal
    /// = self-loop counts).
    static func levelDL(counts: [Int], nodes: Int, labels: [Int], blocks: Int, edges: Int) -> Double {
        var size = [Int](repeating: 0, count: blocks)
        for l in labels { size[l] += 1 }
        var e = [Int](repeating: 0, count: blocks * blocks)
        for r in 0..<nodes {
            for s in r..<nodes where counts[r * nodes + s] > 0 {
                let (u, v) = (min(labels[r], labels[s]), max(labels[r], labels[s]))
                e[u * blocks + v] += counts[r * nodes + s]
            }
        }
        var dl = Double.log(Double(nodes)) + BlockState.logBinomial(nodes - 1, blocks - 1) + BlockState.logFactorial(nodes)
        for r in 0..<blocks {
            dl -= BlockState.logFactorial(size[r])
            dl += logMultiset(size[r] * (size[r] + 1) / 2, e[r * blocks + r])
            for s in (r + 1)..<max(r + 1, blocks) { dl += logMultiset(size[r] * size[s], e[r * blocks + s]) }
        }
        return dl + logMultiset(blocks * (blocks + 1) / 2, edges)
    }

    /// Greedy pairwise merges from the identity partition down to one block; the partition of least
    /// DL among those with fewer blocks than nodes.
    static func coarsen(counts: [Int], nodes: Int, edges: Int) -> (labels: [Int], dl: Double) {
        var labels = Array(0..<nodes)
        var blocks = nodes
        var best: (labels: [Int], dl: Double) = (Array(repeating: 0, count: nodes), levelDL(counts: counts, nodes: nodes, labels: Array(repeating: 0, count: nodes), blocks: 1, edges: edges))
        while blocks > 1 {
            var choice: (dl: Double, r: Int, s: Int) = (.infinity, 0, 1)
            for r in 0..<blocks {
                for s in (r + 1)..<blocks {
                    let merged = compactLabels(labels.map { $0 == s ? r : $0 })
                    let dl = levelDL(counts: counts, nodes: nodes, labels: merged, blocks: blocks - 1, edges: edges)
                    if dl < choice.dl { choice = (dl, r, s) }
                }
            }
            labels = compactLabels(labels.map { $0 == choice.s ? choice.r : $0 })
            blocks -= 1
            if choice.dl < best.dl { best = (labels, choice.dl) }
        }
        return best
    }
}
