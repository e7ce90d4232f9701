import Testing
import RealModule
@testable import Models

@Suite struct CommunityTests {
    /// Planted weighted SBM: `blocks` equal blocks, every pair an edge with probability 0.5 whatever
    /// the blocks (so only the weights carry the structure), weights exponential with mean `ratio`
    /// within blocks and 1 between.
    static func planted(nodes: Int, blocks: Int, ratio: Double, seed: UInt64) throws -> (AffinityGraph, [Int]) {
        var rng = SeededGenerator(seed: seed)
        let truth = (0..<nodes).map { $0 * blocks / nodes }
        var edges: [(Int, Int, Double)] = []
        for i in 0..<nodes {
            for j in (i + 1)..<nodes where rng.bernoulli(probability: 0.5) {
                edges.append((i, j, rng.exponential(rate: truth[i] == truth[j] ? 1 / ratio : 1)))
            }
        }
        return (try AffinityGraph(nodeCount: nodes, edges: edges), truth)
    }

    /// Two 5-cliques joined by one light edge: Louvain splits them and Q matches the closed form.
    @Test func louvainSplitsTwoCliques() throws {
        var edges: [(Int, Int, Double)] = []
        for base in [0, 5] { for i in 0..<5 { for j in (i + 1)..<5 { edges.append((base + i, base + j, 1)) } } }
        edges.append((4, 5, 0.5))
        let g = try AffinityGraph(nodeCount: 10, edges: edges)
        let result = try Louvain().communities(g, seed: 3)
        #expect(result.labels == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        // m = 20.5; each community: inside 2·10, total degree 20 + 0.5.
        let m = 20.5
        let expected = 2 * (20 / (2 * m) - (20.5 / (2 * m)) * (20.5 / (2 * m)))
        #expect(abs(result.modularity - expected) < 1e-12)
        #expect(abs(Louvain.modularity(g, labels: Array(repeating: 0, count: 10))) < 1e-12)
    }

    @Test func louvainRecoversStrongPlantedBlocks() throws {
        let (g, truth) = try Self.planted(nodes: 60, blocks: 3, ratio: 8, seed: 4)
        let result = try Louvain().communities(g, seed: 1)
        #expect(try Metrics.normalizedMutualInformation(truth, result.labels) > 0.9)
    }

    /// The description length computed incrementally (merges, node moves) equals the full sum.
    @Test func incrementalDescriptionLengthIsExact() throws {
        let (g, _) = try Self.planted(nodes: 24, blocks: 3, ratio: 3, seed: 5)
        for dc in [false, true] {
            var rng = SeededGenerator(seed: 6)
            var state = BlockState(graph: g, labels: (0..<24).map { _ in rng.uniformInt(below: 5) }, degreeCorrected: dc)
            let before = state.descriptionLength()
            let delta = state.mergeDelta(1, 3)
            var merged = state
            merged.labels = merged.labels.map { $0 == 3 ? 1 : $0 }
            merged.rebuild()
            #expect(abs(merged.descriptionLength() - (before + delta)) < 1e-8)
            let i = state.labels.firstIndex { state.size[$0] > 1 }!
            let r = state.labels[i], s = (r + 1) % state.blockCount
            var links = [Int](repeating: 0, count: state.blockCount), lw = [Double](repeating: 0, count: state.blockCount)
            for (j, w) in g.neighbours[i] { links[state.labels[j]] += 1; lw[state.labels[j]] += w }
            let moveDelta = state.moveDelta(i, from: r, to: s, links: links, linkWeight: lw)
            #expect(abs(state.descriptionLength() - before) < 1e-8)  // undone
            var moved = state
            moved.labels[i] = s
            moved.rebuild()
            #expect(abs(moved.descriptionLength() - (before + moveDelta)) < 1e-8)
            // The O(degree) delta the search uses equals the full recomputation, for every node and target.
            var touched: [Int] = []
            for node in 0..<24 where state.size[state.labels[node]] > 1 {
                links = [Int](repeating: 0, count: state.blockCount); lw = [Double](repeating: 0, count: state.blockCount)
                state.gatherLinks(node, links: &links, linkWeight: &lw, touched: &touched)
                for target in 0..<state.blockCount where target != state.labels[node] {
                    var full = state
                    full.labels[node] = target
                    full.rebuild()
                    let fast = state.moveDelta(node, from: state.labels[node], to: target, links: links, linkWeight: lw, touched: touched)
                    #expect(abs(full.descriptionLength() - (before + fast)) < 1e-8)
                }
            }
        }
    }

    /// NMI rises to 1 as the in/out weight ratio grows, and is ≈ 0 when the ratio is 1 (the model
    /// then prefers a single block).
    @Test func plantedWeightedSBMRecovery() throws {
        var nmi: [Double] = []
        for ratio in [1.0, 2.0, 4.0, 10.0] {
            let (g, truth) = try Self.planted(nodes: 45, blocks: 3, ratio: ratio, seed: 7)
            let fit = WeightedSBM().fit(g, seed: 1)
            nmi.append(try Metrics.normalizedMutualInformation(truth, fit.best.labels))
            if ratio == 1 { #expect(fit.best.blockCount <= 2) }
            if ratio == 10 { #expect(fit.best.blockCount == 3) }
        }
        #expect(nmi[0] < 0.1)
        #expect(nmi[3] > 0.99)
        #expect(nmi[2] >= nmi[1] - 0.05 && nmi[3] >= nmi[2])
    }

    /// Degree heterogeneity without blocks (edge probability θᵢθⱼ, θ log-uniform over 1.5 decades):
    /// the degree-corrected model is shorter; on the homogeneous planted graph the plain one is.
    @Test func degreeCorrectionChosenByDescriptionLength() throws {
        var rng = SeededGenerator(seed: 8)
        let n = 120
        let theta = (0..<n).map { _ in Double.exp(rng.uniform(in: Double.log(0.03)..<0)) }
        var edges: [(Int, Int, Double)] = []
        for i in 0..<n { for j in (i + 1)..<n where rng.bernoulli(probability: theta[i] * theta[j]) {
            edges.append((i, j, rng.exponential(rate: 1)))
        } }
        let hubs = WeightedSBM().fit(try AffinityGraph(nodeCount: n, edges: edges), seed: 2)
        #expect(hubs.best.degreeCorrected, "DC \(hubs.degreeCorrected.descriptionLength) vs NDC \(hubs.nonDegreeCorrected.descriptionLength) nats")
        #expect(hubs.degreeCorrected.descriptionLength < hubs.nonDegreeCorrected.descriptionLength)
        let (g, _) = try Self.planted(nodes: 45, blocks: 3, ratio: 10, seed: 7)
        let plain = WeightedSBM().fit(g, seed: 1)
        #expect(!plain.best.degreeCorrected && plain.logPosteriorOdds > 0)
    }
}

@Suite struct NestedSBMTests {
    /// Two groups of two blocks each: weights strong within blocks and medium between the blocks of
    /// a group; edges denser within groups. Level 0 finds the four blocks, level 1 the two groups,
    /// and the hierarchy ends in one block.
    @Test func hierarchyRecoversPlantedGroupsOfBlocks() throws {
        var rng = SeededGenerator(seed: 3)
        let n = 48
        let block = (0..<n).map { $0 / 12 }, group = block.map { $0 / 2 }
        var edges: [(Int, Int, Double)] = []
        for i in 0..<n {
            for j in (i + 1)..<n {
                let p = block[i] == block[j] ? 0.9 : (group[i] == group[j] ? 0.5 : 0.01)
                guard rng.bernoulli(probability: p) else { continue }
                let mean = block[i] == block[j] ? 20.0 : (group[i] == group[j] ? 3.0 : 1.0)
                edges.append((i, j, rng.exponential(rate: 1 / mean)))
            }
        }
        let h = NestedWeightedSBM().fit(try AffinityGraph(nodeCount: n, edges: edges), seed: 1)
        #expect(try Metrics.normalizedMutualInformation(block, h.levels[0]) > 0.99)
        #expect(h.levels.count >= 3)
        #expect(try Metrics.normalizedMutualInformation(group, h.levels[1]) > 0.99)
        #expect(Set(h.levels.last!).count == 1)
        #expect(h.levelDescriptionLengths.count == h.levels.count - 1)
    }
}
