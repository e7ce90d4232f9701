import Foundation
import Testing
@testable import Decoding

@Suite struct OllivierRicciTests {
    static let goldens = try! RicciGoldens.load()

    func graph(_ nodes: Int, _ edges: [[Int]], _ lengths: [Double]) throws -> WeightedGraph {
        try WeightedGraph(nodeCount: nodes, edges: edges.map { ($0[0], $0[1]) }, lengths: lengths)
    }

    @Test(arguments: Array(0..<goldens.graphs.count))
    func exactCurvatureMatchesGraphRicciCurvature(_ index: Int) throws {
        let g = Self.goldens.graphs[index]
        let kappa = try graph(g.nodes, g.edges, g.lengths).ollivierRicciCurvature(.init(alpha: g.alpha, solver: .exact))
        for e in g.curvature.indices {
            #expect(abs(kappa.edges[e] - g.curvature[e]) < 1e-9, "\(g.name) α=\(g.alpha) edge \(g.edges[e])")
        }
        for v in g.nodeCurvature.indices { #expect(abs(kappa.nodes[v] - g.nodeCurvature[v]) < 1e-9) }
    }

    @Test func closedFormsOnNamedGraphs() throws {
        // K_n at α = 0: (n − 2)/(n − 1); barbell bridge −0.6 at α = 0.5; cycles C_n ≥ 6 flat.
        #expect(try WeightedGraph.complete(5).ollivierRicciCurvature(.init(alpha: 0)).edges.allSatisfy { abs($0 - 0.75) < 1e-12 })
        #expect(try WeightedGraph.complete(7).ollivierRicciCurvature(.init(alpha: 0)).edges.allSatisfy { abs($0 - 5.0 / 6) < 1e-12 })
        let barbell = try WeightedGraph.barbell(clique: 5)
        let k = try barbell.ollivierRicciCurvature()
        #expect(abs(k.edges[barbell.edgeIndex(4, 5)!] + 0.6) < 1e-12)
        #expect(try WeightedGraph.cycle(8).ollivierRicciCurvature().edges.allSatisfy { abs($0) < 1e-12 })
        let grid = try WeightedGraph.grid(rows: 5, columns: 5).ollivierRicciCurvature()
        #expect(grid.edges.filter { abs($0 - 1.0 / 6) < 1e-12 }.count == 8)
        #expect(grid.edges.filter { abs($0 - 1.0 / 12) < 1e-12 }.count == 12)
    }

    @Test(arguments: Array(0..<goldens.sinkhorn.count))
    func sinkhornCurvatureMatchesGraphRicciCurvature(_ index: Int) throws {
        let g = Self.goldens.sinkhorn[index]
        let graph = try graph(g.nodes, g.edges, g.lengths)
        let sinkhorn = try graph.ollivierRicciCurvature(.init(alpha: g.alpha, solver: .sinkhorn(regularization: 0.1)))
        let exact = try graph.ollivierRicciCurvature(.init(alpha: g.alpha, solver: .exact))
        for e in g.curvature.indices {
            #expect(abs(sinkhorn.edges[e] - g.curvature[e]) < 1e-6, "\(g.name) edge \(g.edges[e])")
            // Entropic bias: Sinkhorn's plan costs more, so its curvature is lower, but close.
            #expect(sinkhorn.edges[e] <= exact.edges[e] + 1e-9)
            // The note's bar: within 0.01 of exact on the barbell (unit lengths ≫ the 0.1 regularisation).
            if g.name == "barbell5" { #expect(abs(sinkhorn.edges[e] - exact.edges[e]) < 0.01) }
        }
    }

    @Test func transportMatchesPOT() throws {
        for t in Self.goldens.transport {
            let exact = try OptimalTransport.exactCost(supply: t.supply, demand: t.demand, cost: t.cost)
            let sinkhorn = try OptimalTransport.sinkhornCost(supply: t.supply, demand: t.demand, cost: t.cost)
            #expect(abs(exact - t.exact) < 1e-12)
            #expect(abs(sinkhorn - t.sinkhorn) < 1e-8)
            #expect(sinkhorn >= exact - 1e-12)
        }
    }

    @Test func exactTransportOnAssignmentAndIdentity() throws {
        // Uniform masses on a permutation-structured cost: the optimum is the cheapest permutation.
        let cost: [Double] = [4, 1, 3, 2, 0, 5, 3, 2, 2]
        let w = try OptimalTransport.exactCost(supply: [1, 1, 1].map { $0 / 3 }, demand: [1, 1, 1].map { $0 / 3 }, cost: cost)
        #expect(abs(w - 5.0 / 3) < 1e-12)  // cheapest permutation (0→1, 1→0, 2→2): 1 + 2 + 2 = 5
        // Same histogram on both sides with zero diagonal cost: nothing to move.
        let c2: [Double] = [0, 1, 2, 1, 0, 1, 2, 1, 0]
        #expect(try OptimalTransport.exactCost(supply: [0.2, 0.5, 0.3], demand: [0.2, 0.5, 0.3], cost: c2) == 0)
    }

    @Test func flowMatchesGraphRicciCurvature() throws {
        for f in Self.goldens.flows {
            let g = try graph(f.nodes, f.edges, f.lengths)
            let result = try g.ricciFlow(.init(curvature: .init(alpha: f.alpha, solver: .exact), iterations: f.iterations, step: f.step, delta: f.delta))
            for e in f.flowedLengths.indices {
                #expect(abs(result.graph.lengths[e] - f.flowedLengths[e]) < 1e-8 * max(1, f.flowedLengths[e]), "\(f.name) step \(f.step) edge \(f.edges[e])")
                #expect(abs(result.curvature.edges[e] - f.curvature[e]) < 1e-8)
            }
        }
    }

    @Test func flowInvariants() throws {
        let barbell = try WeightedGraph.barbell(clique: 5)
        let bridge = barbell.edgeIndex(4, 5)!, far = barbell.edgeIndex(0, 1)!
        var previous = barbell
        for _ in 0..<5 {
            let next = try previous.ricciFlow(.init(iterations: 1, step: 0.2)).graph
            #expect(next.lengths.allSatisfy { $0 > 0 })
            #expect(abs(next.lengths.reduce(0, +) - Double(barbell.edgeCount)) < 1e-9)
            #expect(next.lengths[bridge] > previous.lengths[bridge])  // bridge stretches
            #expect(next.lengths[far] < previous.lengths[far])  // clique edges shrink
            previous = next
        }
        // Step 1 for many iterations collapses the cliques; lengths still stay positive and renormalised.
        let collapsed = try barbell.ricciFlow(.init(iterations: 20, step: 1))
        #expect(collapsed.graph.lengths.allSatisfy { $0 > 0 })
        #expect(abs(collapsed.graph.lengths.reduce(0, +) - 21) < 1e-9)
        // The floor bounds the collapse.
        let floored = try barbell.ricciFlow(.init(iterations: 20, step: 1, lengthFloor: 0.05))
        #expect(floored.graph.lengths.min()! > 0.01)
        #expect(floored.graph.lengths.min()! > 100 * collapsed.graph.lengths.min()!)
        #expect(abs(floored.graph.lengths.reduce(0, +) - 21) < 1e-9)
    }

    @Test func surgeryCutsTheBridge() throws {
        let barbell = try WeightedGraph.barbell(clique: 5)
        let result = try barbell.ricciFlow(.init(iterations: 4, step: 0.5, surgery: .cutEdges(longerThan: 3, every: 1)))
        #expect(result.graph.edgeCount == 20)
        #expect(result.graph.edgeIndex(4, 5) == nil)
        #expect(abs(result.graph.lengths.reduce(0, +) - 20) < 1e-9 || result.history.last!.removedEdges > 0)
    }

    @Test func rejectsBadGraphsAndSettings() throws {
        #expect(throws: ParameterError.self) { try WeightedGraph(nodeCount: 3, edges: [(0, 0)]) }
        #expect(throws: ParameterError.self) { try WeightedGraph(nodeCount: 3, edges: [(0, 1), (1, 0)]) }
        #expect(throws: ParameterError.self) { try WeightedGraph(nodeCount: 3, edges: [(0, 3)]) }
        #expect(throws: ParameterError.self) { try WeightedGraph(nodeCount: 3, edges: [(0, 1)], lengths: [-1]) }
        #expect(throws: ParameterError.self) { try WeightedGraph(nodeCount: 3, edges: [(0, 1)], lengths: [.nan]) }
        #expect(throws: ParameterError.self) { try WeightedGraph.cycle(4).ollivierRicciCurvature(.init(alpha: 1.5)) }
        #expect(throws: ParameterError.self) { try WeightedGraph.cycle(4).ricciFlow(.init(step: 1.5)) }
        #expect(throws: ParameterError.self) { try WeightedGraph(nodeCount: 2, edges: []).ricciFlow() }
        #expect(throws: ParameterError.self) { try OptimalTransport.exactCost(supply: [0.5, 0.5], demand: [1], cost: [1]) }
        #expect(throws: ParameterError.self) { try OptimalTransport.exactCost(supply: [0.5, 0.5], demand: [0.9], cost: [1, 1]) }
        #expect(throws: ParameterError.self) { try OptimalTransport.sinkhornCost(supply: [1], demand: [1], cost: [1], regularization: 0) }
    }
}
