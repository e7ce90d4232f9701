import RealModule

/// A hierarchy of communities above the weighted SBM's blocks (after Peixoto's nested SBM, the model
/// graph-tool's `minimize_nested_blockmodel_dl` fits in the dynamic-connectome paper).
///
/// Level 0 is the `WeightedSBM` partition of the neurons (weights, degree correction and number of
/// blocks as there). Each higher level l partitions the B_{l−1} blocks of the level below, treating
/// that level's block edge counts as a multigraph and its block weight sums as edge covariates, and
/// describes it as graph-tool 2.45's `NestedBlockState.entropy()` does for real-exponential weights:
///
///     DL_l = ln N_l + ln C(N_l − 1, B_l − 1) + ln N_l! − Σ_r ln n_r!                 (partition of N_l nodes)
///          + Σ_{r<s} ln multiset(n_r n_s, e_rs) + Σ_r ln multiset(n_r(n_r+1)/2, e_rr)   (edge counts)
///          + Σ_{r≤s} [(p_rs − 1) ln X_rs − ln Γ(p_rs)]                               (weight sums)
///          + at the top level only: ln multiset(B(B+1)/2, E) + (p − 1) ln W − ln Γ(p)
///
/// where multiset(n, k) = C(n + k − 1, k), X_rs is the weight sum and p_rs the number of non-empty
/// lower-level block pairs inside group pair (r, s), p the number of non-empty top pairs and W the
/// total weight. The whole hierarchy's description length (`Hierarchy.descriptionLength`) is level 0's
/// (without its flat edge-count prior, which the levels above replace) plus Σ_l DL_l; it equals
/// graph-tool's `entropy()` of the same hierarchy (golden test), except for the degree-corrected
/// prior's partition counts (see `PartitionCounts`). Each level is found by greedy merges of the level
/// below (the partition of least DL_l among those with fewer blocks, so the hierarchy always ends in
/// one block); DC or NDC is chosen by the whole hierarchy's description length. Unlike graph-tool,
/// level 0 is searched under the flat prior, not re-optimised under the nested one.
public struct NestedWeightedSBM: Sendable, Hashable {
    public struct Hierarchy: Sendable, Hashable {
        /// The level-0 fits (`base.best` is the variant of shorter whole-hierarchy description).
        public let base: WeightedSBM.Fit
        /// `levels[l][i]`: the level-l block of neuron i (level 0 = base partition), up to one block.
        public let levels: [[Int]]
        /// DL_l of each level above 0 (nats).
        public let levelDescriptionLengths: [Double]
        /// Description length of the whole hierarchy in nats (graph-tool's nested `entropy()`).
        public let descriptionLength: Double
    }

    public var sbm: WeightedSBM
    public init(sbm: WeightedSBM = WeightedSBM()) { self.sbm = sbm }

    public func fit(_ graph: AffinityGraph, seed: UInt64 = 0) -> Hierarchy {
        let fit = sbm.fit(graph, seed: seed)
        let ndc = Self.hierarchy(graph, base: fit.nonDegreeCorrected)
        let dc = Self.hierarchy(graph, base: fit.degreeCorrected)
        let pick = dc.total < ndc.total ? (dc, fit.degreeCorrected) : (ndc, fit.nonDegreeCorrected)
        let base = WeightedSBM.Fit(best: pick.1, nonDegreeCorrected: fit.nonDegreeCorrected, degreeCorrected: fit.degreeCorrected)
        return Hierarchy(base: base, levels: pick.0.levels, levelDescriptionLengths: pick.0.dls, descriptionLength: pick.0.total)
    }

    /// The levels above a level-0 partition and the whole description length.
    static func hierarchy(_ graph: AffinityGraph, base: WeightedSBM.Partition) -> (levels: [[Int]], dls: [Double], total: Double) {
        var levels = [base.labels]
        var dls: [Double] = []
        var nodeLabels = base.labels
        var b = base.blockCount
        var block = BlockGraph(nodes: b)
        for e in graph.edges { block.add(nodeLabels[e.i], nodeLabels[e.j], count: 1, weight: e.weight) }
        let state = BlockState(graph: graph, labels: base.labels, degreeCorrected: base.degreeCorrected)
        var total = state.descriptionLength() - state.edgeCountPrior(blocks: b)
        let edges = graph.edges.count, weight = graph.totalWeight
        while b > 1 {
            let partition = coarsen(block, edges: edges, totalWeight: weight)
            let next = (partition.max() ?? 0) + 1
            let dl = levelDL(block, labels: partition, blocks: next, edges: edges, totalWeight: weight, top: next == 1)
            var coarse = BlockGraph(nodes: next)
            for r in 0..<b {
                for t in r..<b where block.count[r * b + t] > 0 {
                    coarse.add(partition[r], partition[t], count: block.count[r * b + t], weight: block.weight[r * b + t])
                }
            }
            nodeLabels = nodeLabels.map { partition[$0] }
            levels.append(nodeLabels)
            dls.append(dl)
            total += dl
            block = coarse
            b = next
        }
        return (levels, dls, total)
    }

    /// A level's multigraph: symmetric edge counts and weight sums; diagonal = self-loops. Each
    /// non-empty node pair is one edge (one weight covariate) of the level above.
    struct BlockGraph {
        let nodes: Int
        var count: [Int], weight: [Double]
        init(nodes: Int) {
            self.nodes = nodes
            count = [Int](repeating: 0, count: nodes * nodes)
            weight = [Double](repeating: 0, count: nodes * nodes)
        }
        mutating func add(_ r: Int, _ s: Int, count c: Int, weight w: Double) {
            count[r * nodes + s] += c; weight[r * nodes + s] += w
            if r != s { count[s * nodes + r] += c; weight[s * nodes + r] += w }
        }
    }

    @inline(__always) static func logMultiset(_ n: Int, _ k: Int) -> Double {
        n <= 0 ? 0 : BlockState.logBinomial(n + k - 1, k)
    }

    @inline(__always) static func logWeights(_ p: Int, _ x: Double) -> Double {
        p > 0 ? Double(p - 1) * Double.log(x) - BlockState.logFactorial(p - 1) : 0
    }

    /// DL_l of partition `labels` (0..<blocks) of a level's block graph; `top` adds the top-level terms.
    static func levelDL(_ g: BlockGraph, labels: [Int], blocks: Int, edges: Int, totalWeight: Double, top: Bool) -> Double {
        let nodes = g.nodes
        var size = [Int](repeating: 0, count: blocks)
        for l in labels { size[l] += 1 }
        var e = [Int](repeating: 0, count: blocks * blocks)
        var x = [Double](repeating: 0, count: blocks * blocks)
        var p = [Int](repeating: 0, count: blocks * blocks)
        for r in 0..<nodes {
            for s in r..<nodes where g.count[r * nodes + s] > 0 {
                let k = min(labels[r], labels[s]) * blocks + max(labels[r], labels[s])
                e[k] += g.count[r * nodes + s]; x[k] += g.weight[r * nodes + s]; p[k] += 1
            }
        }
        var dl = Double.log(Double(nodes)) + BlockState.logBinomial(nodes - 1, blocks - 1) + BlockState.logFactorial(nodes)
        var nonempty = 0
        for r in 0..<blocks {
            dl -= BlockState.logFactorial(size[r])
            for s in r..<blocks {
                let k = r * blocks + s
                dl += logMultiset(r == s ? size[r] * (size[r] + 1) / 2 : size[r] * size[s], e[k])
                dl += logWeights(p[k], x[k])
                if e[k] > 0 { nonempty += 1 }
            }
        }
        if top { dl += logMultiset(blocks * (blocks + 1) / 2, edges) + logWeights(nonempty, totalWeight) }
        return dl
    }

    /// Greedy pairwise merges from the identity partition down to one block; the partition of least
    /// DL (scored as if it were the top level) among those with fewer blocks than nodes.
    static func coarsen(_ g: BlockGraph, edges: Int, totalWeight: Double) -> [Int] {
        let nodes = g.nodes
        var labels = Array(0..<nodes)
        var blocks = nodes
        let single = [Int](repeating: 0, count: nodes)
        var best = (labels: single, dl: levelDL(g, labels: single, blocks: 1, edges: edges, totalWeight: totalWeight, top: true))
        while blocks > 1 {
            var choice: (dl: Double, r: Int, s: Int) = (.infinity, 0, 1)
            for r in 0..<blocks {
                for s in (r + 1)..<blocks {
                    let merged = compactLabels(labels.map { $0 == s ? r : $0 })
                    let dl = levelDL(g, labels: merged, blocks: blocks - 1, edges: edges, totalWeight: totalWeight, top: true)
                    if dl < choice.dl { choice = (dl, r, s) }
                }
            }
            labels = compactLabels(labels.map { $0 == choice.s ? choice.r : $0 })
            blocks -= 1
            if choice.dl < best.dl { best = (labels, choice.dl) }
        }
        return best.labels
    }

    /// graph-tool's nested description length of a given hierarchy: `levels[l][i]` the level-l block
    /// of node i, the last level one block (the golden-tested evaluation, no search).
    public static func descriptionLength(_ graph: AffinityGraph, levels: [[Int]], degreeCorrected: Bool) -> Double {
        precondition(!levels.isEmpty && levels.allSatisfy { $0.count == graph.nodeCount }, "one label per node and level")
        let base = compactLabels(levels[0])
        var b = (base.max() ?? -1) + 1
        let state = BlockState(graph: graph, labels: base, degreeCorrected: degreeCorrected)
        var total = state.descriptionLength() - state.edgeCountPrior(blocks: b)
        var block = BlockGraph(nodes: b)
        for e in graph.edges { block.add(base[e.i], base[e.j], count: 1, weight: e.weight) }
        var below = base
        for l in 1..<levels.count {
            let here = compactLabels(levels[l])
            var partition = [Int](repeating: 0, count: b)
            for i in 0..<graph.nodeCount { partition[below[i]] = here[i] }
            let next = (here.max() ?? -1) + 1
            total += levelDL(block, labels: partition, blocks: next, edges: graph.edges.count, totalWeight: graph.totalWeight,
                             top: l == levels.count - 1)
            var coarse = BlockGraph(nodes: next)
            for r in 0..<b {
                for t in r..<b where block.count[r * b + t] > 0 {
                    coarse.add(partition[r], partition[t], count: block.count[r * b + t], weight: block.weight[r * b + t])
                }
            }
            block = coarse; below = here; b = next
        }
        return total
    }
}
