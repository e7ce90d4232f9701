import Foundation
import Testing
import RealModule
@testable import Models

/// The weighted SBM's description length against graph-tool 2.45's `entropy()` on a fixed graph
/// (goldens from scripts/goldens/sbm_graph_tool.py), flat and nested.
@Suite struct SBMDescriptionLengthTests {
    static func graph(scale: Double = 1) throws -> AffinityGraph {
        try AffinityGraph(nodeCount: SBMGraphToolGoldens.nodes, edges: SBMGraphToolGoldens.edges.map { ($0.0, $0.1, $0.2 * scale) })
    }

    /// The "distributed" degree prior Σ_r [ln q(e_r, n_r) + ln n_r! − Σ_k ln n_k^r!], recomputed here
    /// from the partition (the one degree-corrected term graph-tool evaluates with its own table).
    static func degreePrior(_ g: AffinityGraph, labels: [Int]) -> Double {
        let degrees = g.neighbours.map(\.count)
        let q = PartitionCounts(maxTotal: 2 * g.edges.count, maxParts: g.nodeCount)
        var total = 0.0
        for r in Set(labels) {
            let members = labels.indices.filter { labels[$0] == r }
            let e = members.reduce(0) { $0 + degrees[$1] }
            total += q.log(e, members.count) + Double.logGamma(Double(members.count) + 1)
            var histogram: [Int: Int] = [:]
            for i in members { histogram[degrees[i], default: 0] += 1 }
            for c in histogram.values { total -= Double.logGamma(Double(c) + 1) }
        }
        return total
    }

    @Test func flatDescriptionLengthMatchesGraphTool() throws {
        let g = try Self.graph()
        for (k, labels) in SBMGraphToolGoldens.partitions.enumerated() {
            let ndc = BlockState(graph: g, labels: labels, degreeCorrected: false).descriptionLength()
            #expect(abs(ndc - SBMGraphToolGoldens.flatNDC[k]) < 1e-9 * SBMGraphToolGoldens.flatNDC[k], "partition \(k)")
            let dc = BlockState(graph: g, labels: labels, degreeCorrected: true).descriptionLength() - Self.degreePrior(g, labels: labels)
            #expect(abs(dc - SBMGraphToolGoldens.flatDCWithoutDegreePrior[k]) < 1e-9 * dc, "partition \(k)")
        }
    }

    @Test func nestedDescriptionLengthMatchesGraphTool() throws {
        let g = try Self.graph()
        for (k, levels) in SBMGraphToolGoldens.hierarchies.enumerated() {
            let ndc = NestedWeightedSBM.descriptionLength(g, levels: levels, degreeCorrected: false)
            #expect(abs(ndc - SBMGraphToolGoldens.nestedNDC[k]) < 1e-9 * ndc, "hierarchy \(k)")
            let dc = NestedWeightedSBM.descriptionLength(g, levels: levels, degreeCorrected: true) - Self.degreePrior(g, labels: levels[0])
            #expect(abs(dc - SBMGraphToolGoldens.nestedDCWithoutDegreePrior[k]) < 1e-9 * dc, "hierarchy \(k)")
        }
    }

    @Test func partitionCountsAreExact() {
        let q = PartitionCounts(maxTotal: 50, maxParts: 14)
        for ((m, n), count) in zip(SBMGraphToolGoldens.partitionCases, SBMGraphToolGoldens.partitionCounts) {
            #expect(abs(q.log(m, n) - Double.log(count)) < 1e-12, "q(\(m), \(n))")
        }
        // More parts than m cannot be used; and the largest entry stays finite in log space.
        #expect(q.log(10, 14) == q.log(10, 10))
        #expect(PartitionCounts(maxTotal: 20_000, maxParts: 3).log(20_000, 3).isFinite)
    }

    /// Rescaling every weight by c shifts the microcanonical weight description by (E − 1) ln c for
    /// every partition, so partitions compare the same at any weight scale.
    @Test func weightScaleShiftsEveryPartitionEqually() throws {
        let g = try Self.graph(), scaled = try Self.graph(scale: 7.5)
        let shift = Double(g.edges.count - 1) * Double.log(7.5)
        for labels in SBMGraphToolGoldens.partitions {
            for dc in [false, true] {
                let a = BlockState(graph: g, labels: labels, degreeCorrected: dc).descriptionLength()
                let b = BlockState(graph: scaled, labels: labels, degreeCorrected: dc).descriptionLength()
                #expect(abs(b - a - shift) < 1e-9 * abs(a))
            }
        }
    }
}
