import Foundation
import NeuroCore
import RealModule

/// How W₁ between neighbour measures is computed.
public enum TransportSolver: Sendable, Hashable {
    /// Exact min-cost flow (GraphRicciCurvature's `"OTD"`).
    case exact
    /// Sinkhorn at the given entropic regularisation (GraphRicciCurvature's `"Sinkhorn"` uses 0.1).
    case sinkhorn(regularization: Double)
    /// Exact unless both supports exceed `threshold` points, then Sinkhorn at 0.1
    /// (GraphRicciCurvature's default `"OTDSinkhornMix"`, threshold 2000).
    case automatic(threshold: Int)
}

/// Settings of Ollivier–Ricci curvature, with GraphRicciCurvature 0.6.1's conventions as defaults.
public struct OllivierRicciConfiguration: Sendable, Hashable {
    /// Idleness: the mass α a node keeps; the rest, 1 − α, is spread over its neighbours.
    public var alpha: Double
    /// Neighbour z of x gets mass ∝ base^(−ℓ_xz^exponent) (GraphRicciCurvature: e and 2, i.e. exp(−ℓ²)).
    public var base: Double
    public var exponent: Double
    public var solver: TransportSolver

    public init(alpha: Double = 0.5, base: Double = Double.exp(1), exponent: Double = 2, solver: TransportSolver = .automatic(threshold: 2000)) {
        self.alpha = alpha
        self.base = base
        self.exponent = exponent
        self.solver = solver
    }

    public func validate() throws {
        try ParameterError.check(alpha >= 0 && alpha <= 1, "alpha", expected: "idleness in [0, 1]", found: alpha)
        try ParameterError.check(base > 1 && base.isFinite, "base", expected: "a finite base > 1", found: base)
        try ParameterError.check(exponent > 0 && exponent.isFinite, "exponent", expected: "a finite exponent > 0", found: exponent)
        switch solver {
        case .exact: break
        case .sinkhorn(let r): try ParameterError.check(r > 0 && r.isFinite, "solver", expected: "Sinkhorn regularisation > 0", found: r)
        case .automatic(let t): try ParameterError.check(t >= 1, "solver", expected: "automatic threshold ≥ 1", found: t)
        }
    }
}

/// Ollivier–Ricci curvature of every edge and node of a graph.
public struct RicciCurvature: Sendable, Hashable {
    /// κ(x, y) = 1 − W₁(m_x, m_y) / d(x, y), in the graph's edge order.
    public let edges: [Double]
    /// Mean curvature of each node's incident edges (0 for isolated nodes).
    public let nodes: [Double]
}

/// GraphRicciCurvature's threshold below which the neighbour-weight sum is treated as zero and the
/// neighbour mass is spread uniformly instead (its `EPSILON`).
let ricciEpsilon = 1e-7

extension WeightedGraph {
    /// Shortest-path distances among everything an edge's transport problem can touch. For an edge
    /// (x, y) the costs are d(u, v), u ∈ N[x], v ∈ N[y], each at most ℓ_ux + ℓ_xy + ℓ_yv; so from source
    /// u, the search may stop at B_u = max(r(u), max_{x∼u} ℓ_ux + r(x)) with r(x) = max_{y∼x} ℓ_xy +
    /// (longest edge at y). That keeps each Dijkstra local on large graphs (tiny margin for rounding).
    func localShortestPaths() -> [Double] {
        let n = nodeCount
        var longest = [Double](repeating: 0, count: n)
        for e in 0..<edgeCount {
            longest[sources[e]] = Swift.max(longest[sources[e]], lengths[e])
            longest[targets[e]] = Swift.max(longest[targets[e]], lengths[e])
        }
        var reach = [Double](repeating: 0, count: n)
        for x in 0..<n {
            for k in rowStart[x]..<rowStart[x + 1] {
                reach[x] = Swift.max(reach[x], lengths[incidentEdge[k]] + longest[neighbours[k]])
            }
        }
        var limits = reach
        for u in 0..<n {
            for k in rowStart[u]..<rowStart[u + 1] {
                limits[u] = Swift.max(limits[u], lengths[incidentEdge[k]] + reach[neighbours[k]])
            }
            limits[u] *= 1 + 1e-12
        }
        // Every cost is between u ∈ N[x] and v ∈ N[y] for an edge (x, y): at most three hops apart.
        return shortestPaths(upTo: limits, hops: 3)
    }

    /// Ollivier–Ricci curvature (Ollivier 2009; Lin–Lu–Yau idleness) with GraphRicciCurvature 0.6.1's
    /// conventions: m_x(x) = α, m_x(z) = (1 − α)·base^(−ℓ_xz^p)/Σ, ground cost = weighted shortest-path
    /// distance, d(x, y) the shortest-path distance (which may be shorter than the edge), κ = 0 when
    /// d < 1e-7. Edges are independent, so they run on all cores in-process (nothing to fork).
    public func ollivierRicciCurvature(_ configuration: OllivierRicciConfiguration = .init()) throws -> RicciCurvature {
        try configuration.validate()
        return curvature(configuration, distances: localShortestPaths())
    }

    func curvature(_ configuration: OllivierRicciConfiguration, distances: [Double]) -> RicciCurvature {
        let m = edgeCount, n = nodeCount
        var kappa = [Double](repeating: 0, count: m)
        // Each node's neighbour masses, once per pass rather than twice per incident edge.
        let masses = neighbourMasses(configuration)
        if m > 0 {
            let chunks = Swift.min(m, ProcessInfo.processInfo.activeProcessorCount * 8)
            kappa.withUnsafeMutableBufferPointer { out in
                let output = DisjointWrites(base: out.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    distances.withUnsafeBufferPointer { dist in
                        var scratch = CurvatureScratch()
                        var e = chunk
                        while e < m {
                            output.base[e] = edgeCurvature(e, configuration, masses, dist, &scratch)
                            e += chunks
                        }
                    }
                }
            }
        }
        var nodeSum = [Double](repeating: 0, count: n)
        for e in 0..<m { nodeSum[sources[e]] += kappa[e]; nodeSum[targets[e]] += kappa[e] }
        let nodes = (0..<n).map { degree($0) > 0 ? nodeSum[$0] / Double(degree($0)) : 0 }
        return RicciCurvature(edges: kappa, nodes: nodes)
    }

    /// The neighbour part of every node's measure, aligned with the CSR adjacency: entry k is the
    /// mass node i sends to `neighbours[k]` (the node itself keeps α).
    func neighbourMasses(_ configuration: OllivierRicciConfiguration) -> [Double] {
        var masses = [Double](repeating: 0, count: neighbours.count)
        let logBase = Double.log(configuration.base)
        let spread = 1 - configuration.alpha
        for x in 0..<nodeCount {
            let start = rowStart[x], end = rowStart[x + 1]
            if start == end { continue }
            var sum = 0.0
            for k in start..<end {
                let w = Double.exp(-logBase * Double.pow(lengths[incidentEdge[k]], configuration.exponent))
                masses[k] = w; sum += w
            }
            if sum > ricciEpsilon {
                for k in start..<end { masses[k] = spread * masses[k] / sum }
            } else {
                let uniform = spread / Double(end - start)
                for k in start..<end { masses[k] = uniform }
            }
        }
        return masses
    }

    /// The neighbour measure of node x: masses and support (neighbours, then x itself).
    func neighbourMeasure(_ x: Int, _ configuration: OllivierRicciConfiguration, _ neighbourMasses: [Double], masses: inout [Double], support: inout [Int]) {
        masses.removeAll(keepingCapacity: true)
        support.removeAll(keepingCapacity: true)
        let start = rowStart[x], end = rowStart[x + 1]
        if start == end { masses.append(1); support.append(x); return }
        for k in start..<end { masses.append(neighbourMasses[k]); support.append(neighbours[k]) }
        masses.append(configuration.alpha); support.append(x)
    }

    func edgeCurvature(_ e: Int, _ configuration: OllivierRicciConfiguration, _ neighbourMasses: [Double], _ dist: UnsafeBufferPointer<Double>, _ s: inout CurvatureScratch) -> Double {
        let x = sources[e], y = targets[e], n = nodeCount
        let dxy = dist[x &* n &+ y]
        if dxy < ricciEpsilon { return 0 }
        neighbourMeasure(x, configuration, neighbourMasses, masses: &s.supply, support: &s.sourceSupport)
        neighbourMeasure(y, configuration, neighbourMasses, masses: &s.demand, support: &s.targetSupport)
        let useSinkhorn: Double?
        switch configuration.solver {
        case .exact: useSinkhorn = nil
        case .sinkhorn(let r): useSinkhorn = r
        case .automatic(let t): useSinkhorn = (s.supply.count > t && s.demand.count > t) ? 0.1 : nil
        }
        if useSinkhorn == nil {
            // W₁ under a metric depends only on m_x − m_y (Kantorovich–Rubinstein), so mass present at a
            // node in both measures stays put: cancel it and transport the remainder between disjoint,
            // smaller supports. Same optimum, far fewer pivots. (`slot` maps a node to its demand index.)
            if s.slot.count < n { s.slot = [Int](repeating: -1, count: n) }
            for j in 0..<s.demand.count { s.slot[s.targetSupport[j]] = j }
            for i in 0..<s.supply.count {
                let j = s.slot[s.sourceSupport[i]]
                if j >= 0 {
                    let common = Swift.min(s.supply[i], s.demand[j])
                    s.supply[i] -= common; s.demand[j] -= common
                }
            }
            for j in 0..<s.demand.count { s.slot[s.targetSupport[j]] = -1 }
            var rowsKept = 0, columnsKept = 0
            for i in 0..<s.supply.count where s.supply[i] > 0 {
                s.supply[rowsKept] = s.supply[i]; s.sourceSupport[rowsKept] = s.sourceSupport[i]; rowsKept &+= 1
            }
            for j in 0..<s.demand.count where s.demand[j] > 0 {
                s.demand[columnsKept] = s.demand[j]; s.targetSupport[columnsKept] = s.targetSupport[j]; columnsKept &+= 1
            }
            s.supply.removeLast(s.supply.count - rowsKept)
            s.demand.removeLast(s.demand.count - columnsKept)
            if rowsKept == 0 || columnsKept == 0 { return 1 }
        }
        let rows = s.supply.count, columns = s.demand.count
        if s.cost.count < rows &* columns { s.cost = [Double](repeating: 0, count: rows &* columns) }
        s.cost.withUnsafeMutableBufferPointer { cost in
            s.sourceSupport.withUnsafeBufferPointer { from in
                s.targetSupport.withUnsafeBufferPointer { to in
                    for i in 0..<rows {
                        let rowBase = from[i] &* n, out = i &* columns
                        for j in 0..<columns { cost[out &+ j] = dist[rowBase &+ to[j]] }
                    }
                }
            }
        }
        let w1: Double = s.supply.withUnsafeBufferPointer { a in
            s.demand.withUnsafeBufferPointer { b in
                s.cost.withUnsafeBufferPointer { whole in
                    let c = UnsafeBufferPointer(rebasing: whole[0..<(rows &* columns)])
                    if let r = useSinkhorn {
                        return s.transport.sinkhorn(a, b, c, regularization: r, maxIterations: 1000, tolerance: 1e-9)
                    }
                    return s.transport.exact(a, b, c)
                }
            }
        }
        return 1 - w1 / dxy
    }
}

/// Per-thread buffers for edge curvature.
struct CurvatureScratch {
    var supply: [Double] = []
    var demand: [Double] = []
    var sourceSupport: [Int] = []
    var targetSupport: [Int] = []
    var cost: [Double] = []
    var slot: [Int] = []
    var transport = TransportWorkspace()
}
