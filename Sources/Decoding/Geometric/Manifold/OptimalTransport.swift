import Foundation
import NeuroCore
import RealModule

/// Discrete optimal transport between two small histograms, the W₁ inside Ollivier–Ricci curvature.
public enum OptimalTransport {
    /// Exact minimum transport cost Σ π_ij c_ij over plans with row sums `supply` and column sums
    /// `demand` (equal totals), by the transportation simplex (network simplex on the bipartite
    /// network) from a least-cost greedy start, with successive shortest paths as the fallback.
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
    private var basis: [Bool] = []
    private var order: [Int] = []
    private var tree: [Int] = []

    /// The exact W₁: the transportation simplex, or successive shortest paths if the simplex hits its
    /// pivot cap (degenerate cycling, never seen in practice but cheap to guard).
    mutating func exact(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, _ c: UnsafeBufferPointer<Double>) -> Double {
        if let cost = transportationSimplex(a, b, c) { return cost }
        return successiveShortestPaths(a, b, c)
    }

    /// Transportation simplex (Dantzig's u–v method, i.e. network simplex on the bipartite graph).
    ///
    /// Start: the least-cost rule (cells in increasing cost, each allocating min(remaining supply,
    /// remaining demand) and retiring exactly one line, so the n + m − 1 basic cells always form a
    /// spanning tree even when degenerate). Pivot: duals u_i + v_j = c_ij over the tree (one BFS),
    /// enter the cell of most negative reduced cost, push θ round the cycle it closes (the tree path
    /// found by climbing both ends to their common ancestor), drop the first blocking cell. Flows stay
    /// ≥ 0 exactly (f − θ with f ≥ θ never rounds below zero). On the small neighbourhood problems of
    /// Ollivier–Ricci curvature this needs a handful of O(nm) pivots, against n + m dense Dijkstra
    /// searches for successive shortest paths.
    mutating func transportationSimplex(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, _ c: UnsafeBufferPointer<Double>) -> Double? {
        let n = a.count, m = b.count, cells = n &* m, nodes = n &+ m
        if n == 1 || m == 1 {
            // A single row or column: the plan is forced.
            var cost = 0.0
            if n == 1 { for j in 0..<m { cost += b[j] * c[j] } } else { for i in 0..<n { cost += a[i] * c[i] } }
            return cost
        }
        if scratch.count < cells &+ 2 &* nodes { scratch = [Double](repeating: 0, count: cells &+ 2 &* nodes) }
        if basis.count < cells { basis = [Bool](repeating: false, count: cells) }
        if order.count < cells { order = [Int](repeating: 0, count: cells) }
        if tree.count < 9 &* nodes &+ 1 { tree = [Int](repeating: 0, count: 9 &* nodes &+ 1) }
        return scratch.withUnsafeMutableBufferPointer { buffer in
            basis.withUnsafeMutableBufferPointer { isBasic in
                order.withUnsafeMutableBufferPointer { sorted in
                    tree.withUnsafeMutableBufferPointer { t in
                        let flow = buffer.baseAddress!
                        let dual = flow + cells  // u_i at 0..<n, v_j at n..<n+m
                        let remaining = dual + nodes  // supplies then demands
                        let parent = t.baseAddress!, depth = parent + nodes, queue = depth + nodes, reached = queue + nodes
                        // The basis as a cell list, and its adjacency (CSR over rows then columns) rebuilt per pivot.
                        let basicCells = reached + nodes, adjacencyStart = basicCells + nodes, adjacent = adjacencyStart + (nodes &+ 1)
                        var scale = 0.0
                        for k in 0..<cells {
                            flow[k] = 0; isBasic[k] = false; sorted[k] = k
                            scale = Swift.max(scale, c[k])
                        }
                        // Least-cost start, taking cells cheapest first from a binary min-heap of cell
                        // indices (built in O(nm); usually only part of it is ever popped).
                        let heap = sorted.baseAddress!
                        @inline(__always) func siftDown(_ start: Int, _ size: Int) {
                            var i = start
                            let item = heap[i], key = c[item]
                            while true {
                                var child = 2 &* i &+ 1
                                if child >= size { break }
                                if child &+ 1 < size && c[heap[child &+ 1]] < c[heap[child]] { child &+= 1 }
                                if c[heap[child]] >= key { break }
                                heap[i] = heap[child]
                                i = child
                            }
                            heap[i] = item
                        }
                        var size = cells
                        var k = size / 2
                        while k > 0 { k &-= 1; siftDown(k, size) }
                        for i in 0..<n { remaining[i] = a[i] }
                        for j in 0..<m { remaining[n &+ j] = b[j] }
                        for k in 0..<nodes { reached[k] = 0 }  // reused here as "line retired"
                        var rowsLeft = n, columnsLeft = m, placed = 0
                        while placed < nodes &- 1 && size > 0 {
                            let cell = heap[0]
                            size &-= 1
                            if size > 0 { heap[0] = heap[size]; siftDown(0, size) }
                            let i = cell / m, j = cell &- i &* m
                            if reached[i] != 0 || reached[n &+ j] != 0 { continue }
                            let x = Swift.min(remaining[i], remaining[n &+ j])
                            flow[cell] = x; isBasic[cell] = true; basicCells[placed] = cell; placed &+= 1
                            remaining[i] -= x; remaining[n &+ j] -= x
                            let retireRow: Bool
                            if rowsLeft == 1 { retireRow = false } else if columnsLeft == 1 { retireRow = true } else { retireRow = remaining[i] <= remaining[n &+ j] }
                            if retireRow { reached[i] = 1; rowsLeft &-= 1 } else { reached[n &+ j] = 1; columnsLeft &-= 1 }
                        }
                        if placed != nodes &- 1 { return nil }
                        let tolerance = 1e-13 * Swift.max(scale, .leastNormalMagnitude)
                        let pivotCap = 50 &* nodes &+ 100
                        var pivots = 0
                        while true {
                            // Duals over the basis tree, rooted at row 0 (BFS; parents and depths for the cycle search).
                            let basicCount = nodes &- 1
                            for k in 0...nodes { adjacencyStart[k] = 0 }
                            for q in 0..<basicCount {
                                let cell = basicCells[q], i = cell / m
                                adjacencyStart[i &+ 1] &+= 1; adjacencyStart[n &+ (cell &- i &* m) &+ 1] &+= 1
                            }
                            for k in 0..<nodes { adjacencyStart[k &+ 1] &+= adjacencyStart[k]; reached[k] = adjacencyStart[k] }
                            for q in 0..<basicCount {
                                let cell = basicCells[q], i = cell / m, col = n &+ (cell &- i &* m)
                                adjacent[reached[i]] = cell; reached[i] &+= 1
                                adjacent[reached[col]] = cell; reached[col] &+= 1
                            }
                            for k in 0..<nodes { reached[k] = 0 }
                            dual[0] = 0; parent[0] = -1; depth[0] = 0; reached[0] = 1
                            queue[0] = 0
                            var head = 0, tail = 1
                            while head < tail {
                                let node = queue[head]; head &+= 1
                                for q in adjacencyStart[node]..<adjacencyStart[node &+ 1] {
                                    let cell = adjacent[q], i = cell / m
                                    let other = node < n ? n &+ (cell &- i &* m) : i
                                    if reached[other] != 0 { continue }
                                    dual[other] = c[cell] - dual[node]
                                    parent[other] = node; depth[other] = depth[node] &+ 1; reached[other] = 1
                                    queue[tail] = other; tail &+= 1
                                }
                            }
                            if tail != nodes { return nil }  // not a spanning tree: let the fallback solve it
                            // Entering cell: most negative reduced cost.
                            var entering = -1
                            var mostNegative = -tolerance
                            for i in 0..<n {
                                let row = i &* m, ui = dual[i]
                                for j in 0..<m {
                                    let r = c[row &+ j] - ui - dual[n &+ j]
                                    if r < mostNegative && !isBasic[row &+ j] { mostNegative = r; entering = row &+ j }
                                }
                            }
                            if entering < 0 { break }
                            pivots &+= 1
                            if pivots > pivotCap { return nil }
                            // The cycle: entering (i0, j0) is +; along the tree path from j0 and from i0 towards
                            // their common ancestor, the k-th cell from either end is − for even k.
                            let i0 = entering / m, j0 = entering &- i0 &* m
                            var theta = Double.infinity, leaving = -1
                            var x = n &+ j0, y = i0, kx = 0, ky = 0
                            while x != y {
                                let fromX = depth[x] >= depth[y]
                                let node = fromX ? x : y
                                let up = parent[node]
                                let cell = node < n ? node &* m &+ (up &- n) : up &* m &+ (node &- n)
                                let even = fromX ? (kx & 1) == 0 : (ky & 1) == 0
                                if even && flow[cell] < theta { theta = flow[cell]; leaving = cell }
                                if fromX { kx &+= 1; x = up } else { ky &+= 1; y = up }
                            }
                            if leaving < 0 { return nil }
                            x = n &+ j0; y = i0; kx = 0; ky = 0
                            while x != y {
                                let fromX = depth[x] >= depth[y]
                                let node = fromX ? x : y
                                let up = parent[node]
                                let cell = node < n ? node &* m &+ (up &- n) : up &* m &+ (node &- n)
                                let even = fromX ? (kx & 1) == 0 : (ky & 1) == 0
                                if even { flow[cell] -= theta } else { flow[cell] += theta }
                                if fromX { kx &+= 1; x = up } else { ky &+= 1; y = up }
                            }
                            flow[leaving] = 0; isBasic[leaving] = false
                            flow[entering] = theta; isBasic[entering] = true
                            for q in 0..<(nodes &- 1) where basicCells[q] == leaving { basicCells[q] = entering; break }
                        }
                        var cost = 0.0
                        for k in 0..<cells where isBasic[k] { cost += flow[k] * c[k] }
                        return cost
                    }
                }
            }
        }
    }

    /// Successive shortest paths (the fallback). Nodes: 0 = source, 1…n rows, n+1…n+m columns, n+m+1 = sink.
    /// Residual arcs: source→row (remaining supply), row→column (uncapacitated, cost c), column→row
    /// (capacity = flow, cost −c), column→sink (remaining demand). Potentials keep reduced costs ≥ 0,
    /// so each search is a dense Dijkstra; every augmentation saturates a supply, a demand or a
    /// reverse arc, which bounds their number by the support sizes in practice.
    mutating func successiveShortestPaths(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, _ c: UnsafeBufferPointer<Double>) -> Double {
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
