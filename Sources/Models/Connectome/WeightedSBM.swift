import RealModule

/// Weighted stochastic block model fitted by minimising its description length (Peixoto's
/// microcanonical SBM with edge covariates, as graph-tool's `minimize_blockmodel_dl` with
/// `rec_types=["real-exponential"]`, the model the dynamic-connectome paper uses; see the methods
/// note §A.4). The number of blocks is chosen by the model: it is the one with the shortest
/// description, and degree correction is decided the same way (`fit` tries both).
///
/// Description length, in nats, for a partition b into B non-empty blocks (n_r nodes, m_rs edges
/// between blocks r ≠ s, m_rr within r, e_r = Σ_s m_rs + m_rr the degree sum, E edges, W the total
/// weight), term by term graph-tool 2.45's `BlockState.entropy()` with real-exponential weights and
/// its default microcanonical weight model (golden-tested against it):
/// - partition: ln N + ln C(N−1, B−1) + ln N! − Σ_r ln n_r!
/// - block edge counts: ln C(B(B+1)/2 + E − 1, E)
/// - edges given counts, microcanonical: non-degree-corrected Σ_r e_r ln n_r − Σ_{r<s} ln m_rs! −
///   Σ_r (m_rr ln 2 + ln m_rr!); degree-corrected replaces Σ_r e_r ln n_r by Σ_r ln e_r! − Σ_i ln k_i!
///   plus the "distributed" degree prior Σ_r [ln q(e_r, n_r) + ln n_r! − Σ_k ln n_k^r!] (q: partitions
///   into at most n_r parts, `PartitionCounts`; n_k^r: nodes of degree k in r)
/// - weights, microcanonical: given its sum S_rs, a block pair's weights are uniform on the simplex,
///   Σ_{r≤s, m_rs>0} [(m_rs − 1) ln S_rs − ln Γ(m_rs)], and the p non-empty sums given W likewise,
///   (p − 1) ln W − ln Γ(p). Rescaling all weights by c shifts this by (E − 1) ln c, the same for
///   every partition.
/// Edges are counted once (the notebook doubles them; pass both copies to get its multigraph).

/// Search: agglomerative, as graph-tool's multilevel heuristic. From singletons, blocks are merged
/// (each to its best partner by ΔDL, a third of the blocks per level while there are more than 20,
/// then one best merge at a time), and after every level single
/// nodes move greedily to the block that lowers the DL most; the partition of least DL over all
/// levels is then polished by merge–split moves (each block split in two from random halves refined
/// by greedy moves between them, kept when the DL drops; pairs of blocks merged while that lowers the
/// DL; greedy node moves) until nothing improves. `restarts` repeats the whole search, restarts after
/// the first choosing merge partners at random in proportion to exp(−ΔDL) instead of the best one,
/// and keeps the partition of least DL. Deterministic given the seed.
public struct WeightedSBM: Sendable, Hashable {
    public struct Partition: Sendable, Hashable {
        /// Block of each node, 0-based.
        public let labels: [Int]
        public let blockCount: Int
        public let degreeCorrected: Bool
        /// Description length in nats.
        public let descriptionLength: Double
        /// (blocks, description length) at each agglomeration level, from N blocks down to 1.
        public let levels: [LevelSummary]
    }

    public struct LevelSummary: Sendable, Hashable {
        public let blockCount: Int
        public let descriptionLength: Double
    }

    public struct Fit: Sendable, Hashable {
        /// The model of shorter description.
        public let best: Partition
        public let nonDegreeCorrected: Partition
        public let degreeCorrected: Partition
        /// ln Λ = DL(rejected) − DL(best) ≥ 0: the log posterior odds for the chosen variant.
        public var logPosteriorOdds: Double {
            abs(nonDegreeCorrected.descriptionLength - degreeCorrected.descriptionLength)
        }
    }

    /// Largest number of node-move sweeps after each merge level.
    public var sweeps: Int
    /// Independent searches per variant; the one of least description length is kept.
    public var restarts: Int

    public init(sweeps: Int = 10, restarts: Int = 1) {
        self.sweeps = sweeps
        self.restarts = max(1, restarts)
    }

    /// Fits both variants and keeps the one of shorter description length.
    public func fit(_ graph: AffinityGraph, seed: UInt64 = 0) -> Fit {
        let ndc = fit(graph, degreeCorrected: false, seed: seed)
        let dc = fit(graph, degreeCorrected: true, seed: seed)
        return Fit(best: dc.descriptionLength < ndc.descriptionLength ? dc : ndc, nonDegreeCorrected: ndc, degreeCorrected: dc)
    }

    public func fit(_ graph: AffinityGraph, degreeCorrected: Bool, seed: UInt64 = 0) -> Partition {
        var root = SeededGenerator(seed: seed)
        let n = graph.nodeCount
        guard n > 1 else {
            let state = BlockState(graph: graph, labels: Array(repeating: 0, count: n), degreeCorrected: degreeCorrected)
            return Partition(labels: Array(repeating: 0, count: n), blockCount: min(1, n), degreeCorrected: degreeCorrected,
                             descriptionLength: state.descriptionLength(), levels: [])
        }
        var best: Partition?
        for restart in 0..<restarts {
            var rng = restart == 0 ? SeededGenerator(seed: seed) : root.split()
            let found = search(graph, degreeCorrected: degreeCorrected, randomMerges: restart > 0, rng: &rng)
            if best == nil || found.descriptionLength < best!.descriptionLength - 1e-9 { best = found }
        }
        return best!
    }

    /// One agglomerative search followed by merge–split polishing.
    private func search(_ graph: AffinityGraph, degreeCorrected: Bool, randomMerges: Bool, rng: inout SeededGenerator) -> Partition {
        let n = graph.nodeCount
        var state = BlockState(graph: graph, labels: Array(0..<n), degreeCorrected: degreeCorrected)
        var levels: [LevelSummary] = []
        var best = (dl: Double.infinity, labels: state.labels)
        while true {
            state.refine(sweeps: sweeps, rng: &rng)
            let dl = state.descriptionLength()
            levels.append(LevelSummary(blockCount: state.blockCount, descriptionLength: dl))
            if dl < best.dl { best = (dl, state.labels) }
            if state.blockCount == 1 { break }
            state.mergeLevel(
                target: state.blockCount > 20 ? state.blockCount - state.blockCount / 3 : state.blockCount - 1,
                random: randomMerges, rng: &rng)
        }
        state = BlockState(graph: graph, labels: best.labels, degreeCorrected: degreeCorrected)
        var dl = best.dl
        for _ in 0..<20 {
            state.splitBlocks(attempts: 3, rng: &rng)
            state.mergeWhileImproving()
            state.refine(sweeps: sweeps, rng: &rng)
            let polished = state.descriptionLength()
            guard polished < dl - 1e-9 else { break }
            dl = polished
        }
        if dl < best.dl { best = (dl, state.labels) }
        let labels = compactLabels(best.labels)
        return Partition(labels: labels, blockCount: (labels.max() ?? -1) + 1, degreeCorrected: degreeCorrected,
                         descriptionLength: best.dl, levels: levels)
    }
}

/// Block statistics and description-length terms of a partition (see `WeightedSBM`).
struct BlockState {
    let graph: AffinityGraph
    let degreeCorrected: Bool
    let degrees: [Int]
    let sumLogDegreeFactorials: Double
    private let lnFactorial: [Double]
    private let lnInteger: [Double]
    /// ln W, W the total edge weight (the microcanonical weight description's scale).
    private let logTotalWeight: Double
    let maxDegree: Int
    /// ln q(m, n), partitions of m into at most n parts (degree-corrected only; see `PartitionCounts`).
    private let partitions: PartitionCounts?
    var labels: [Int]
    var blockCount: Int
    /// Per block (dense indices 0..<blockCount).
    var size: [Int]
    var degreeSum: [Int]
    /// blockCount × blockCount, symmetric; diagonal = edges within the block.
    var edgeCount: [Int]
    var weightSum: [Double]
    /// blockCount × (maxDegree + 1): nodes of each degree in each block (degree-corrected prior).
    var histogram: [Int]
    /// Block pairs r ≤ s with at least one edge (the weight sums described by `recsTerm`).
    var nonemptyPairs: Int

    init(graph: AffinityGraph, labels: [Int], degreeCorrected: Bool) {
        self.graph = graph
        self.degreeCorrected = degreeCorrected
        degrees = graph.neighbours.map(\.count)
        let e = graph.edges.count
        maxDegree = degrees.max() ?? 0
        logTotalWeight = graph.totalWeight > 0 ? Double.log(graph.totalWeight) : 0
        partitions = degreeCorrected ? PartitionCounts(maxTotal: 2 * e, maxParts: graph.nodeCount) : nil
        sumLogDegreeFactorials = degrees.reduce(0) { $0 + Double.logGamma(Double($1) + 1) }
        // ln k! for every k the terms can ask for (the largest is the block-count prior's
        // B(B+1)/2 + E − 1 at B = N): the search evaluates these millions of times.
        let n = graph.nodeCount
        let largest = min(n * (n + 1) / 2 + 2 * e + n + 2, 1 << 22)
        lnFactorial = (0...largest).map { Double.logGamma(Double($0) + 1) }
        lnInteger = (0...max(n, maxDegree + 1)).map { $0 > 0 ? Double.log(Double($0)) : 0 }
        self.labels = compactLabels(labels)
        blockCount = 0
        size = []; degreeSum = []; edgeCount = []; weightSum = []; histogram = []; nonemptyPairs = 0
        rebuild()
    }

    mutating func rebuild() {
        labels = compactLabels(labels)
        let b = (labels.max() ?? -1) + 1
        blockCount = b
        size = [Int](repeating: 0, count: b)
        degreeSum = [Int](repeating: 0, count: b)
        edgeCount = [Int](repeating: 0, count: b * b)
        weightSum = [Double](repeating: 0, count: b * b)
        histogram = [Int](repeating: 0, count: b * (maxDegree + 1))
        for (i, l) in labels.enumerated() {
            size[l] += 1; degreeSum[l] += degrees[i]
            histogram[l * (maxDegree + 1) + degrees[i]] += 1
        }
        for edge in graph.edges {
            let r = labels[edge.i], s = labels[edge.j]
            edgeCount[r * b + s] += 1
            weightSum[r * b + s] += edge.weight
            if r != s { edgeCount[s * b + r] += 1; weightSum[s * b + r] += edge.weight }
        }
        nonemptyPairs = 0
        for r in 0..<b { for s in r..<b where edgeCount[r * b + s] > 0 { nonemptyPairs += 1 } }
    }

    // MARK: Terms

    @inline(__always) static func logFactorial(_ k: Int) -> Double { Double.logGamma(Double(k) + 1) }
    @inline(__always) func lnFact(_ k: Int) -> Double { k < lnFactorial.count ? lnFactorial[k] : Self.logFactorial(k) }
    @inline(__always) func lnBinomial(_ n: Int, _ k: Int) -> Double {
        k < 0 || k > n ? 0 : lnFact(n) - lnFact(k) - lnFact(n - k)
    }
    @inline(__always) static func logBinomial(_ n: Int, _ k: Int) -> Double {
        k < 0 || k > n ? 0 : logFactorial(n) - logFactorial(k) - logFactorial(n - k)
    }

    /// Terms of block pair (r, s) (r == s for within-block): the microcanonical edge count term and
    /// the weights' microcanonical description given their sum S (uniform on the simplex, graph-tool's
    /// real-exponential default): (m − 1) ln S − ln Γ(m).
    @inline(__always) func pairTerm(edges m: Int, weight s: Double, diagonal: Bool) -> Double {
        var t = -lnFact(m)
        if diagonal { t -= Double(m) * 0.6931471805599453 }
        if m > 0 { t += Double(m - 1) * Double.log(s) - lnFact(m - 1) }
        return t
    }

    /// Description of the nonzero block-pair weight sums given the total weight W (graph-tool's
    /// `recs_dl`): the same simplex term over the p non-empty pairs, (p − 1) ln W − ln Γ(p).
    @inline(__always) func recsTerm(pairs p: Int) -> Double {
        p > 0 ? Double(p - 1) * logTotalWeight - lnFact(p - 1) : 0
    }

    /// Terms of block r that depend only on its size and degree sum. Degree-corrected: the degree
    /// sequence's "distributed" prior ln q(e_r, n_r) + ln n_r! − Σ_k ln n_k^r! (the last sum is
    /// `histogramTerm`), whose ln n_r! cancels the partition prior's −ln n_r!.
    @inline(__always) func blockTerm(size n: Int, degreeSum e: Int) -> Double {
        guard n > 0 else { return 0 }
        if degreeCorrected {
            return lnFact(e) + partitions!.log(e, n)
        }
        return -lnFact(n) + Double(e) * (n < lnInteger.count ? lnInteger[n] : Double.log(Double(n)))
    }

    /// −Σ_r Σ_k ln n_k^r! (degree-corrected only).
    func histogramTerm() -> Double {
        guard degreeCorrected else { return 0 }
        return histogram.reduce(0) { $0 - lnFact($1) }
    }

    /// Terms that depend only on the number of blocks.
    func globalTerm(blocks b: Int) -> Double {
        let n = graph.nodeCount, e = graph.edges.count
        var t = Double.log(Double(n)) + lnBinomial(n - 1, b - 1) + lnFact(n)
        t += lnBinomial(b * (b + 1) / 2 + e - 1, e)
        if degreeCorrected { t -= sumLogDegreeFactorials }
        return t
    }

    /// ln multiset(B(B+1)/2, E): the flat prior on the block edge counts, which the nested model
    /// replaces by the levels above.
    func edgeCountPrior(blocks b: Int) -> Double {
        let e = graph.edges.count
        return lnBinomial(b * (b + 1) / 2 + e - 1, e)
    }

    func descriptionLength() -> Double {
        let b = blockCount
        var dl = globalTerm(blocks: b) + recsTerm(pairs: nonemptyPairs) + histogramTerm()
        for r in 0..<b {
            dl += blockTerm(size: size[r], degreeSum: degreeSum[r])
            for s in r..<b { dl += pairTerm(edges: edgeCount[r * b + s], weight: weightSum[r * b + s], diagonal: r == s) }
        }
        return dl
    }

    // MARK: Merges

    /// ΔDL of merging blocks r and s (r ≠ s).
    func mergeDelta(_ r: Int, _ s: Int) -> Double {
        let b = blockCount
        var delta = globalTerm(blocks: b - 1) - globalTerm(blocks: b)
        delta += blockTerm(size: size[r] + size[s], degreeSum: degreeSum[r] + degreeSum[s])
            - blockTerm(size: size[r], degreeSum: degreeSum[r]) - blockTerm(size: size[s], degreeSum: degreeSum[s])
        for t in 0..<b where t != r && t != s {
            let mr = edgeCount[r * b + t], ms = edgeCount[s * b + t]
            guard mr > 0 || ms > 0 else { continue }
            let wr = weightSum[r * b + t], ws = weightSum[s * b + t]
            delta += pairTerm(edges: mr + ms, weight: wr + ws, diagonal: false)
                - pairTerm(edges: mr, weight: wr, diagonal: false) - pairTerm(edges: ms, weight: ws, diagonal: false)
        }
        let within = edgeCount[r * b + r] + edgeCount[s * b + s] + edgeCount[r * b + s]
        let withinW = weightSum[r * b + r] + weightSum[s * b + s] + weightSum[r * b + s]
        delta += pairTerm(edges: within, weight: withinW, diagonal: true)
            - pairTerm(edges: edgeCount[r * b + r], weight: weightSum[r * b + r], diagonal: true)
            - pairTerm(edges: edgeCount[s * b + s], weight: weightSum[s * b + s], diagonal: true)
            - pairTerm(edges: edgeCount[r * b + s], weight: weightSum[r * b + s], diagonal: false)
        // Non-empty pairs lost: (r, t) and (s, t) become one pair, and rr, ss, rs become one.
        var lost = 0
        for t in 0..<b where t != r && t != s {
            if edgeCount[r * b + t] > 0 && edgeCount[s * b + t] > 0 { lost += 1 }
        }
        let inside = (edgeCount[r * b + r] > 0 ? 1 : 0) + (edgeCount[s * b + s] > 0 ? 1 : 0) + (edgeCount[r * b + s] > 0 ? 1 : 0)
        lost += max(inside - 1, 0)
        delta += recsTerm(pairs: nonemptyPairs - lost) - recsTerm(pairs: nonemptyPairs)
        if degreeCorrected {
            let k1 = maxDegree + 1
            for k in 0..<k1 {
                let hr = histogram[r * k1 + k], hs = histogram[s * k1 + k]
                if hr > 0 && hs > 0 { delta -= lnFact(hr + hs) - lnFact(hr) - lnFact(hs) }
            }
        }
        return delta
    }

    /// Merges blocks pairwise, each with its best partner by ΔDL (best merges first, each block in at
    /// most one merge), until `target` blocks remain or no disjoint merge is left. With `random`, each
    /// block's partner is drawn with probability ∝ exp(−ΔDL) (Gumbel-max) instead.
    mutating func mergeLevel(target: Int, random: Bool, rng: inout SeededGenerator) {
        let b = blockCount
        var candidates: [(delta: Double, r: Int, s: Int)] = []
        for r in 0..<b {
            var best = (score: Double.infinity, delta: Double.infinity, s: -1)
            for s in 0..<b where s != r {
                let d = mergeDelta(r, s)
                var score = d
                if random { score += Double.log(-Double.log(rng.nextOpenUnitInterval())) }
                if score < best.score { best = (score, d, s) }
            }
            if best.s >= 0 { candidates.append((best.delta, min(r, best.s), max(r, best.s))) }
        }
        candidates.sort { ($0.delta, $0.r, $0.s) < ($1.delta, $1.r, $1.s) }
        var parent = Array(0..<b)
        var used = [Bool](repeating: false, count: b)
        var blocks = b
        for c in candidates where blocks > target && !used[c.r] && !used[c.s] {
            used[c.r] = true; used[c.s] = true
            parent[c.s] = c.r
            blocks -= 1
        }
        labels = labels.map { parent[$0] }
        rebuild()
    }

    // MARK: Merge–split polishing

    /// Merges the pair of blocks with the most negative ΔDL while one exists.
    mutating func mergeWhileImproving() {
        while blockCount > 1 {
            var best = (delta: -1e-9, r: -1, s: -1)
            for r in 0..<blockCount {
                for s in (r + 1)..<blockCount {
                    let d = mergeDelta(r, s)
                    if d < best.delta { best = (d, r, s) }
                }
            }
            guard best.r >= 0 else { return }
            labels = labels.map { $0 == best.s ? best.r : $0 }
            rebuild()
        }
    }

    /// Tries to split each block of ≥ 4 nodes in two: `attempts` random halvings, each refined by
    /// greedy moves between the two halves; the best is kept when it lowers the DL.
    mutating func splitBlocks(attempts: Int, rng: inout SeededGenerator) {
        var groups = [[Int]](repeating: [], count: blockCount)
        for i in 0..<graph.nodeCount { groups[labels[i]].append(i) }
        // Splitting one group never moves the nodes of another, so each group is still one block
        // (under whatever number `rebuild` gave it) when its turn comes.
        for members in groups where members.count >= 4 {
            let saved = labels
            let r = saved[members[0]]
            let before = descriptionLength()
            var best: (dl: Double, labels: [Int])?
            for _ in 0..<attempts {
                labels = saved
                let fresh = saved.max()! + 1
                var moved = 0
                for i in members where rng.nextUnitInterval() < 0.5 { labels[i] = fresh; moved += 1 }
                if moved == 0 { labels[members[0]] = fresh }
                if moved == members.count { labels[members[0]] = r }
                rebuild()
                polishSplit(members: members, rng: &rng)
                let dl = descriptionLength()
                if dl < before - 1e-9 && (best == nil || dl < best!.dl) { best = (dl, labels) }
            }
            labels = best?.labels ?? saved
            rebuild()
        }
    }

    /// Greedy moves of `members` between the two blocks they occupy until none lowers the DL.
    private mutating func polishSplit(members: [Int], rng: inout SeededGenerator) {
        let pair = Array(Set(members.map { labels[$0] }))
        guard pair.count == 2 else { return }
        let b = blockCount
        var links = [Int](repeating: 0, count: b)
        var linkWeight = [Double](repeating: 0, count: b)
        var touched: [Int] = []
        for _ in 0..<10 {
            var moved = false
            for k in rng.permutation(members.count) {
                let i = members[k]
                let r = labels[i], s = r == pair[0] ? pair[1] : pair[0]
                guard size[r] > 1 else { continue }
                gatherLinks(i, links: &links, linkWeight: &linkWeight, touched: &touched)
                if moveDelta(i, from: r, to: s, links: links, linkWeight: linkWeight, touched: touched) < -1e-9 {
                    apply(i, from: r, to: s, links: links, linkWeight: linkWeight)
                    moved = true
                }
                for u in touched { links[u] = 0; linkWeight[u] = 0 }
            }
            if !moved { break }
        }
    }

    // MARK: Node moves

    /// Greedy single-node moves: each node (seeded random order) goes to the block that lowers the DL
    /// most, never emptying its block (merges handle block removal). Stops after a sweep with no move.
    mutating func refine(sweeps: Int, rng: inout SeededGenerator) {
        guard blockCount > 1 else { return }
        let b = blockCount
        var links = [Int](repeating: 0, count: b)
        var linkWeight = [Double](repeating: 0, count: b)
        var touched: [Int] = []
        for _ in 0..<sweeps {
            var moved = false
            for i in rng.permutation(graph.nodeCount) {
                let r = labels[i]
                guard size[r] > 1 else { continue }
                gatherLinks(i, links: &links, linkWeight: &linkWeight, touched: &touched)
                var best = (delta: -1e-9, s: r)
                for s in 0..<b where s != r {
                    let d = moveDelta(i, from: r, to: s, links: links, linkWeight: linkWeight, touched: touched)
                    if d < best.delta { best = (d, s) }
                }
                if best.s != r {
                    apply(i, from: r, to: best.s, links: links, linkWeight: linkWeight)
                    moved = true
                }
                for u in touched { links[u] = 0; linkWeight[u] = 0 }
            }
            if !moved { break }
        }
    }

    /// Edge counts and weights from node i to each block (`links`, `linkWeight`, zero on entry), and
    /// the blocks that got any (`touched`).
    @inline(__always) func gatherLinks(_ i: Int, links: inout [Int], linkWeight: inout [Double], touched: inout [Int]) {
        touched.removeAll(keepingCapacity: true)
        for (j, w) in graph.neighbours[i] {
            let u = labels[j]
            if links[u] == 0 { touched.append(u) }
            links[u] += 1
            linkWeight[u] += w
        }
    }

    /// ΔDL of moving node i from r to s from the terms that change: both blocks' own terms, their pair
    /// terms with the blocks holding a neighbour of i (`touched`), and the r–r, s–s and r–s terms.
    /// O(degree) per candidate, against the O(B) of applying and undoing the move (which it equals).
    func moveDelta(_ i: Int, from r: Int, to s: Int, links: [Int], linkWeight: [Double], touched: [Int]) -> Double {
        let b = blockCount
        let k = degrees[i]
        var d = blockTerm(size: size[r] - 1, degreeSum: degreeSum[r] - k) + blockTerm(size: size[s] + 1, degreeSum: degreeSum[s] + k)
            - blockTerm(size: size[r], degreeSum: degreeSum[r]) - blockTerm(size: size[s], degreeSum: degreeSum[s])
        var pairChange = 0
        @inline(__always) func change(_ before: Int, _ after: Int) { pairChange += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0) }
        for u in touched where u != r && u != s {
            let mr = edgeCount[r &* b &+ u], ms = edgeCount[s &* b &+ u]
            let wr = weightSum[r &* b &+ u], ws = weightSum[s &* b &+ u]
            d += pairTerm(edges: mr - links[u], weight: wr - linkWeight[u], diagonal: false)
                + pairTerm(edges: ms + links[u], weight: ws + linkWeight[u], diagonal: false)
                - pairTerm(edges: mr, weight: wr, diagonal: false) - pairTerm(edges: ms, weight: ws, diagonal: false)
            change(mr, mr - links[u]); change(ms, ms + links[u])
        }
        let (lr, ls, wlr, wls) = (links[r], links[s], linkWeight[r], linkWeight[s])
        let (rr, ss, rs) = (r &* b &+ r, s &* b &+ s, r &* b &+ s)
        d += pairTerm(edges: edgeCount[rr] - lr, weight: weightSum[rr] - wlr, diagonal: true)
            - pairTerm(edges: edgeCount[rr], weight: weightSum[rr], diagonal: true)
        d += pairTerm(edges: edgeCount[ss] + ls, weight: weightSum[ss] + wls, diagonal: true)
            - pairTerm(edges: edgeCount[ss], weight: weightSum[ss], diagonal: true)
        d += pairTerm(edges: edgeCount[rs] - ls + lr, weight: weightSum[rs] - wls + wlr, diagonal: false)
            - pairTerm(edges: edgeCount[rs], weight: weightSum[rs], diagonal: false)
        change(edgeCount[rr], edgeCount[rr] - lr); change(edgeCount[ss], edgeCount[ss] + ls)
        change(edgeCount[rs], edgeCount[rs] - ls + lr)
        if pairChange != 0 { d += recsTerm(pairs: nonemptyPairs + pairChange) - recsTerm(pairs: nonemptyPairs) }
        if degreeCorrected {
            let k1 = maxDegree + 1
            // −ln n_k^r! loses a factor n_k^r; −ln n_k^s! gains n_k^s + 1.
            d += lnInteger[histogram[r &* k1 &+ k]] - lnInteger[histogram[s &* k1 &+ k] + 1]
        }
        return d
    }

    /// Non-empty pairs (r, u) or (s, u), each counted once.
    private func pairsTouching(_ r: Int, _ s: Int) -> Int {
        let b = blockCount
        var count = 0
        for u in 0..<b {
            if edgeCount[r * b + u] > 0 { count += 1 }
            if u != r && edgeCount[s * b + u] > 0 { count += 1 }
        }
        return count
    }

    /// ΔDL of moving node i from r to s: applied, measured in full, and undone (i is not its own
    /// neighbour, so `links` is the same in both directions). The reference for the fast delta.
    mutating func moveDelta(_ i: Int, from r: Int, to s: Int, links: [Int], linkWeight: [Double]) -> Double {
        let before = descriptionLength()
        apply(i, from: r, to: s, links: links, linkWeight: linkWeight)
        let after = descriptionLength()
        apply(i, from: s, to: r, links: links, linkWeight: linkWeight)
        return after - before
    }

    mutating func apply(_ i: Int, from r: Int, to s: Int, links: [Int], linkWeight: [Double]) {
        let b = blockCount
        nonemptyPairs -= pairsTouching(r, s)
        defer { nonemptyPairs += pairsTouching(r, s) }
        // Remove i from r.
        for u in 0..<b where links[u] > 0 || linkWeight[u] != 0 {
            edgeCount[r * b + u] -= links[u]; weightSum[r * b + u] -= linkWeight[u]
            if u != r { edgeCount[u * b + r] -= links[u]; weightSum[u * b + r] -= linkWeight[u] }
        }
        // Add i to s (its neighbours in r stay in r).
        for u in 0..<b where links[u] > 0 || linkWeight[u] != 0 {
            edgeCount[s * b + u] += links[u]; weightSum[s * b + u] += linkWeight[u]
            if u != s { edgeCount[u * b + s] += links[u]; weightSum[u * b + s] += linkWeight[u] }
        }
        size[r] -= 1; size[s] += 1
        degreeSum[r] -= degrees[i]; degreeSum[s] += degrees[i]
        let k1 = maxDegree + 1
        histogram[r * k1 + degrees[i]] -= 1; histogram[s * k1 + degrees[i]] += 1
        labels[i] = s
    }
}
