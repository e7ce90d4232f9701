import Foundation
import NeuroCore

/// Surgery applied during the flow (GraphRicciCurvature's `surgery=(function, every)`).
public enum RicciSurgery: Sendable, Hashable {
    /// No surgery (GraphRicciCurvature's default identity).
    case none
    /// Every `every` iterations (at i ≠ 0 with i % every == 0, as GraphRicciCurvature does), remove the
    /// edges longer than `threshold`; the renormalisation total becomes the new edge count.
    case cutEdges(longerThan: Double, every: Int)
}

/// Settings of the discrete Ricci flow (Ni et al. 2019), defaults as `OllivierRicci.compute_ricci_flow`.
public struct RicciFlowConfiguration: Sendable, Hashable {
    public var curvature: OllivierRicciConfiguration
    public var iterations: Int
    /// ℓ_e ← ℓ_e − step·κ_e·ℓ_e.
    public var step: Double
    /// Stop when max κ − min κ < delta.
    public var delta: Double
    public var surgery: RicciSurgery
    /// Lengths are clamped to [floor, ceiling] after each update, before renormalising: the guard
    /// against the metric collapse users hit with step 1 (GraphRicciCurvature issue #43). The defaults
    /// (1e-12, ∞) only prevent non-positive lengths, so results match GraphRicciCurvature.
    public var lengthFloor: Double
    public var lengthCeiling: Double

    public init(
        curvature: OllivierRicciConfiguration = .init(), iterations: Int = 10, step: Double = 1, delta: Double = 1e-4,
        surgery: RicciSurgery = .none, lengthFloor: Double = 1e-12, lengthCeiling: Double = .infinity
    ) {
        self.curvature = curvature
        self.iterations = iterations
        self.step = step
        self.delta = delta
        self.surgery = surgery
        self.lengthFloor = lengthFloor
        self.lengthCeiling = lengthCeiling
    }

    public func validate() throws {
        try curvature.validate()
        try ParameterError.check(iterations >= 0, "iterations", expected: "≥ 0", found: iterations)
        try ParameterError.check(step > 0 && step <= 1, "step", expected: "a step in (0, 1] (κ ≤ 1, so lengths stay ≥ 0)", found: step)
        try ParameterError.check(delta >= 0, "delta", expected: "≥ 0", found: delta)
        try ParameterError.check(lengthFloor > 0 && lengthCeiling > lengthFloor, "lengthFloor/lengthCeiling", expected: "0 < floor < ceiling", found: "\(lengthFloor), \(lengthCeiling)")
        if case .cutEdges(let t, let every) = surgery {
            try ParameterError.check(t > 0 && every >= 1, "surgery", expected: "threshold > 0 and every ≥ 1", found: "\(t), \(every)")
        }
    }
}

/// One completed flow iteration.
public struct RicciFlowIteration: Sendable, Hashable {
    /// Edge curvatures after this iteration's update (in the order of the graph at that point).
    public let curvature: [Double]
    public let minLength: Double
    public let maxLength: Double
    /// Edges removed by surgery at the end of this iteration.
    public let removedEdges: Int
}

/// The flowed graph and its history.
public struct RicciFlowResult: Sendable, Hashable {
    /// The graph after the flow (fewer edges if surgery cut some).
    public let graph: WeightedGraph
    /// Curvature of the input graph, before any update (GraphRicciCurvature's `original_RC`).
    public let initialCurvature: RicciCurvature
    /// Curvature of the final graph.
    public let curvature: RicciCurvature
    public let history: [RicciFlowIteration]
    /// Whether the spread of κ fell below `delta`.
    public let converged: Bool
}

extension WeightedGraph {
    /// Discrete Ricci flow with GraphRicciCurvature 0.6.1's update: ℓ_e ← ℓ_e(1 − step·κ_e), then
    /// rescale so Σℓ = |E|, recompute κ, stop when spread(κ) < delta, then surgery. (GraphRicciCurvature
    /// first restricts to the largest connected component; here every component flows, which gives the
    /// same lengths on a connected graph.)
    public func ricciFlow(_ configuration: RicciFlowConfiguration = .init(), monitor: any FitMonitor = SilentMonitor()) throws -> RicciFlowResult {
        try configuration.validate()
        try ParameterError.check(edgeCount > 0, "graph", expected: "at least one edge", found: 0)
        var graph = self
        var normalisedTotal = Double(edgeCount)
        let initial = graph.curvature(configuration.curvature, distances: graph.localShortestPaths())
        var kappa = initial
        var history: [RicciFlowIteration] = []
        var converged = false
        var iteration = 0
        while iteration < configuration.iterations {
            if monitor.shouldStop { break }
            var lengths = graph.lengths
            for e in 0..<lengths.count {
                let updated = lengths[e] - configuration.step * kappa.edges[e] * lengths[e]
                lengths[e] = Swift.min(Swift.max(updated, configuration.lengthFloor), configuration.lengthCeiling)
            }
            let sum = lengths.reduce(0, +)
            for e in 0..<lengths.count { lengths[e] *= normalisedTotal / sum }
            graph = try graph.withLengths(lengths)
            kappa = graph.curvature(configuration.curvature, distances: graph.localShortestPaths())
            let spread = (kappa.edges.max() ?? 0) - (kappa.edges.min() ?? 0)
            monitor.report(FitProgress(stage: "Ricci flow", iteration: iteration + 1, total: configuration.iterations, objective: spread))
            var removed = 0
            if spread < configuration.delta {
                history.append(RicciFlowIteration(curvature: kappa.edges, minLength: lengths.min() ?? 0, maxLength: lengths.max() ?? 0, removedEdges: 0))
                converged = true
                break
            }
            if case .cutEdges(let threshold, let every) = configuration.surgery, iteration != 0, iteration % every == 0 {
                let keep = graph.lengths.map { $0 <= threshold }
                removed = keep.filter { !$0 }.count
                if removed > 0 && removed < graph.edgeCount {
                    graph = try graph.keepingEdges(keep)
                    normalisedTotal = Double(graph.edgeCount)
                    // GraphRicciCurvature keeps the stored κ of the surviving edges for the next update.
                    kappa = RicciCurvature(edges: zip(kappa.edges, keep).filter(\.1).map(\.0), nodes: kappa.nodes)
                } else { removed = 0 }
            }
            history.append(RicciFlowIteration(curvature: kappa.edges, minLength: graph.lengths.min() ?? 0, maxLength: graph.lengths.max() ?? 0, removedEdges: removed))
            iteration += 1
        }
        let final = removedAny(history) ? graph.curvature(configuration.curvature, distances: graph.localShortestPaths()) : kappa
        return RicciFlowResult(graph: graph, initialCurvature: initial, curvature: final, history: history, converged: converged)
    }

    private func removedAny(_ history: [RicciFlowIteration]) -> Bool { history.contains { $0.removedEdges > 0 } }
}
