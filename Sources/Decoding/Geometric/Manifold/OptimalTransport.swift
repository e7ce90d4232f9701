import Foundation
import NeuroCore
import RealModule

/// Discrete optimal transport between two small histograms, the W₁ inside Ollivier–Ricci curvature.
public enum OptimalTransport {
    /// Exact minimum transport cost Σ π_ij c_ij over plans with row sums `supply` and column sums
    /// `demand` (equal totals), by successive shortest paths on the transportation network with
    /// Johnson potentials (an exact min-cost flow; dense Dijkstra, O((n + m)²) per augmentation).
    /// `cost` is row-major n × m and must be non-negative.
    public static func exactCost(supply: [Double], demand: [Double], cost: [Double]) throws -> Double {
        try validate(supply: supply, demand: demand, cost: cost)
        var workspace = TransportWorkspace()
        return supply.withUnsafeBufferPointer { a in
            demand.withUnsafeBufferPointer { b in
                cost.withUnsafeBufferPointer { c in workspace.exact(a, b, c) }
            }
        }
    }

    /// Entropic OT cost Σ π_ij c_ij of the Sinkhorn plan at regularisation `regularization`, with POT's
    /// `sinkhorn_knopp` iteration and stopping rule (marginal error ≤ `tolerance`, checked every 10
    /// iterations, at most `maxIterations`). Biased upwards relative to `exactCost`.
    public static func sinkhornCost(
        supply: [Double], demand: [Double], cost: [Double], regularization: Double = 0.1,
        maxIterations: Int = 1000, tolerance: Double = 1e-9
    ) throws -> Double {
        try validate(supply: supply, demand: demand, cost: cost)
        try ParameterError.check(regularization > 0 && regularization.isFinite, "regularization", expected: "a finite value > 0", found: regularization)
        try ParameterError.check(maxIterations >= 1, "maxIterations", expected: "≥ 1", found: maxIterations)
        var workspace = TransportWorkspace()
        return supply.withUnsafeBufferPointer { a in
            demand.withUnsafeBufferPointer { b in
                cost.withUnsafeBufferPointer { c in
                    workspace.sinkhorn(a, b, c, regularization: regularization, maxIterations: maxIterations, tolerance: tolerance)
                }
            }
        }
    }

    static func validate(supply: [Double], demand: [Double], cost: [Double]) throws {
        try ParameterError.check(!supply.isEmpty && !demand.isEmpty, "supply/demand", expected: "non-empty histograms", found: "\(supply.count) × \(demand.count)")
        try ParameterError.check(cost.count == supply.count * demand.count, "cost", expected: "\(supply.count) × \(demand.count) = \(supply.count * demand.count) entries", found: cost.count)
        try ParameterError.check(supply.allSatisfy { $0 >= 0 && $0.isFinite } && demand.allSatisfy { $0 >= 0 && $0.isFinite }, "supply/demand", expected: "finite masses ≥ 0", found: "a negative or non-finite mass")
        try ParameterError.check(cost.allSatisfy { $0 >= 0 && $0.isFinite }, "cost", expected: "finite costs ≥ 0", found: cost.first { !($0 >= 0 && $0.isFinite) } ?? 0)
        let (sa, sb) = (supply.reduce(0, +), demand.reduce(0, +))
        try ParameterError.check(abs(sa - sb) <= 1e-9 * Swift.max(1, sa), "supply/demand", expected: "equal total mass", found: "\(sa) vs \(sb)")
    }
}

/// Reusable buffers for the transport solvers, so per-edge curvature work allocates only when a
/// neighbourhood is larger than any seen before on that thread.
struct TransportWorkspace {
    private var scratch: [Double] = []
    private var previous: [Int] = []
    private var kernel: [Double] = []
    private var u: [Double] = []
    private var v: [Double] = []

    /// Successive shortest paths. Nodes: 0 = source, 1…n rows, n+1…n+m columns, n+m+1 = sink.
    /// Residual arcs: source→row (remaining supply), row→column (uncapacitated, cost c), column→row
    /// (capacity = flow, cost −c), column→sink (remaining demand). Potentials keep reduced costs ≥ 0,
    /// so each search is a dense Dijkstra; every augmentation saturates a supply, a demand or a
    /// reverse arc, which bounds their number by the support sizes in practice.
    mutating func exact(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, _ c: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count, m = b.count, nodes = n &+ m &+ 2
        let needed = n &* m &+ n &+ m &+ 3 &* nodes
        if scratch.count < needed { scratch = [Double](repeating: 0, count: needed) }
        if previous.count < nodes { previous = [Int](repeating: 0, count: nodes) }
        return scratch.withUnsafeMutableBufferPointer { buffer in
            previous.withUnsafeMutableBufferPointer { prev in
                let flow = buffer.baseAddress!
                let supply = flow + n &* m
                let demand = supply + n
                let potential = demand + m
                let distance = potential + nodes
                let done = distance + nodes
                return Self.successiveShortestPaths(
                    a.baseAddress!, n, b.baseAddress!, m, c.baseAddress!, flow: flow, supply: supply, demand: demand,
                    potential: potential, distance: distance, done: done, previous: prev.baseAddress!)
            }
        }
    }

    private static func successiveShortestPaths(
        _ a: UnsafePointer<Double>, _ n: Int, _ b: UnsafePointer<Double>, _ m: Int, _ c: UnsafePointer<Double>,
        flow: UnsafeMutablePointer<Double>, supply remainingSupply: UnsafeMutablePointer<Double>,
        demand remainingDemand: UnsafeMutablePointer<Double>, potential: UnsafeMutablePointer<Double>,
        distance: UnsafeMutablePointer<Double>, done finalised: UnsafeMutablePointer<Double>, previous: UnsafeMutablePointer<Int>
    ) -> Double {
        let nodes = n &+ m &+ 2, sink = n &+ m &+ 1
        var total = 0.0
        for i in 0..<n { total += a[i] }
        let eps = 1e-15 * Swift.max(total, 1e-300)
        for k in 0..<(n &* m) { flow[k] = 0 }
        for i in 0..<n { remainingSupply[i] = a[i] }
        for j in 0..<m { remainingDemand[j] = b[j] }
        for k in 0..<nodes { potential[k] = 0 }
        var left = total
        var guardCount = 0
        let limit = 4 &* (n &+ 1) &* (m &+ 1) &+ 16
        while left > 1e-13 * Swift.max(total, 1e-300) && guardCount < limit {
            guardCount &+= 1
            for k in 0..<nodes { distance[k] = .infinity; finalised[k] = 0; previous[k] = -1 }
            distance[0] = 0
            while true {
                // Pick the closest unfinalised node (dense Dijkstra).
                var u = -1
                var best = Double.infinity
                for k in 0..<nodes where finalised[k] == 0 && distance[k] < best { best = distance[k]; u = k }
                if u < 0 { break }
                finalised[u] = 1
                if u == sink { break }
                let du = distance[u] + potential[u]
                if u == 0 {
                    for i in 0..<n where remainingSupply[i] > eps {
                        let node = 1 &+ i
                        let nd = du - potential[node]
                        if nd < distance[node] { distance[node] = Swift.max(nd, best); previous[node] = 0 }
                    }
                } else if u <= n {
                    let row = c + (u &- 1) &* m
                    for j in 0..<m {
                        let node = n &+ 1 &+ j
                        if finalised[node] != 0 { continue }
                        let nd = du + row[j] - potential[node]
                        if nd < distance[node] { distance[node] = Swift.max(nd, best); previous[node] = u }
                    }
                } else {
                    let j = u &- n &- 1
                    for i in 0..<n where flow[i &* m &+ j] > eps {
                        let node = 1 &+ i
                        if finalised[node] != 0 { continue }
                        let nd = du - c[i &* m &+ j] - potential[node]
                        if nd < distance[node] { distance[node] = Swift.max(nd, best); previous[node] = u }
                    }
                    if remainingDemand[j] > eps {
                        let nd = du - potential[sink]
                        if nd < distance[sink] { distance[sink] = Swift.max(nd, best); previous[sink] = u }
                    }
                }
            }
            guard distance[sink].isFinite else { break }
            let dSink = distance[sink]
            for k in 0..<nodes { potential[k] += Swift.min(distance[k], dSink) }
            // Bottleneck along the path sink ← column ← row ← … ← source.
            var bottleneck = Double.infinity
            var node = sink
            while node != 0 {
                let p = previous[node]
                if node == sink { bottleneck = Swift.min(bottleneck, remainingDemand[p &- n &- 1]) }
                else if p == 0 { bottleneck = Swift.min(bottleneck, remainingSupply[node &- 1]) }
                else if node <= n { bottleneck = Swift.min(bottleneck, flow[(node &- 1) &* m &+ (p &- n &- 1)]) }
                node = p
            }
            node = sink
            while node != 0 {
                let p = previous[node]
                if node == sink { remainingDemand[p &- n &- 1] -= bottleneck }
                else if p == 0 { remainingSupply[node &- 1] -= bottleneck }
                else if node <= n { flow[(node &- 1) &* m &+ (p &- n &- 1)] -= bottleneck }  // column → row: undo
                else { flow[(p &- 1) &* m &+ (node &- n &- 1)] += bottleneck }  // row → column
                node = p
            }
            left -= bottleneck
        }
        var cost = 0.0
        for k in 0..<(n &* m) { cost += flow[k] * c[k] }
        return cost
    }

    /// POT's `sinkhorn_knopp`: u = 1/n, v = 1/m; repeat v = b/(Kᵀu), u = 1/((K/a)v); stop when
    /// ‖diag(u)Kv … column marginal − b‖₂ < tolerance (checked every 10 iterations). Returns ⟨π, C⟩.
    mutating func sinkhorn(
        _ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, _ c: UnsafeBufferPointer<Double>,
        regularization: Double, maxIterations: Int, tolerance: Double
    ) -> Double {
        let n = a.count, m = b.count
        if kernel.count < n * m { kernel = [Double](repeating: 0, count: n * m) }
        if u.count < n { u = [Double](repeating: 0, count: n) }
        if v.count < m { v = [Double](repeating: 0, count: m) }
        for k in 0..<(n &* m) { kernel[k] = Double.exp(-c[k] / regularization) }
        for i in 0..<n { u[i] = 1 / Double(n) }
        for j in 0..<m { v[j] = 1 / Double(m) }
        var previousU = [Double](repeating: 0, count: n), previousV = [Double](repeating: 0, count: m)
        var iteration = 0
        var error = 1.0
        while error > tolerance && iteration < maxIterations {
            for i in 0..<n { previousU[i] = u[i] }
            for j in 0..<m { previousV[j] = v[j] }
            for j in 0..<m {
                var s = 0.0
                for i in 0..<n { s += kernel[i &* m &+ j] * u[i] }
                v[j] = b[j] / s
            }
            var bad = false
            for i in 0..<n {
                var s = 0.0
                let row = i &* m
                for j in 0..<m { s += kernel[row &+ j] * v[j] }
                u[i] = 1 / (s / a[i])
                if !u[i].isFinite || u[i] == 0 { bad = true }
            }
            for j in 0..<m where !v[j].isFinite || v[j] == 0 { bad = true }
            if bad {
                for i in 0..<n { u[i] = previousU[i] }
                for j in 0..<m { v[j] = previousV[j] }
                break
            }
            if iteration % 10 == 0 {
                var sq = 0.0
                for j in 0..<m {
                    var s = 0.0
                    for i in 0..<n { s += u[i] * kernel[i &* m &+ j] }
                    let d = s * v[j] - b[j]
                    sq += d * d
                }
                error = sq.squareRoot()
            }
            iteration &+= 1
        }
        var cost = 0.0
        for i in 0..<n {
            let row = i &* m
            for j in 0..<m { cost += u[i] * kernel[row &+ j] * v[j] * c[row &+ j] }
        }
        return cost
    }
}
