import Foundation

extension WeightedGraph {
    /// All-pairs weighted shortest-path distances, row-major n × n (∞ between components).
    ///
    /// One binary-heap Dijkstra per source, sources spread over threads: O(n·m·log n), which on sparse
    /// EEG graphs beats Floyd–Warshall's n³ and needs no per-element allocation.
    public func allPairsShortestPaths() -> [Double] { shortestPaths(upTo: .infinity) }

    /// Exact distances up to `limit` (larger ones are ∞ or an upper bound): each search stops once the
    /// frontier passes `limit`. Curvature needs d(u, v) only for u ~ x, v ~ y on an edge (x, y), all
    /// within three edge lengths, so it asks for `limit` = 3·max ℓ and stays local on big graphs.
    func shortestPaths(upTo limit: Double) -> [Double] {
        shortestPaths(upTo: [Double](repeating: limit, count: nodeCount))
    }

    /// As `shortestPaths(upTo:)` with a separate limit for each source node. With `hops`, a search
    /// also stops once every node within that many edges of its source is settled: the distances
    /// asked for are exact when both ends are that close in hops or within the limit.
    func shortestPaths(upTo limits: [Double], hops: Int? = nil) -> [Double] {
        let n = nodeCount
        var result = [Double](repeating: .infinity, count: n * n)
        let chunks = Swift.min(n, ProcessInfo.processInfo.activeProcessorCount * 4)
        result.withUnsafeMutableBufferPointer { out in
            let output = DisjointWrites(base: out.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var heap = DistanceHeap(capacity: 2 * edgeCount + n)
                var done = [Bool](repeating: false, count: n)
                var ball = HopBall(nodeCount: n)
                var s = chunk
                while s < n {
                    if let hops { ball.mark(self, around: s, hops: hops) }
                    dijkstra(from: s, into: output.base + s * n, heap: &heap, done: &done, limit: limits[s], targets: hops == nil ? nil : ball)
                    s += chunks
                }
            }
        }
        return result
    }

    /// Single-source distances written into `dist` (n entries); stops past `limit` or once every
    /// node of `targets` is settled.
    func dijkstra(from source: Int, into dist: UnsafeMutablePointer<Double>, heap: inout DistanceHeap, done: inout [Bool], limit: Double, targets: HopBall? = nil) {
        let n = nodeCount
        for i in 0..<n { dist[i] = .infinity; done[i] = false }
        heap.removeAll()
        dist[source] = 0
        heap.push(0, source)
        var unsettled = targets?.count ?? Int.max
        rowStart.withUnsafeBufferPointer { start in
            neighbours.withUnsafeBufferPointer { nb in
                incidentEdge.withUnsafeBufferPointer { inc in
                    lengths.withUnsafeBufferPointer { len in
                        while let (d, u) = heap.pop() {
                            if d > limit { break }
                            if done[u] { continue }
                            done[u] = true
                            if let targets, targets.contains(u) {
                                unsettled &-= 1
                                if unsettled == 0 { break }
                            }
                            var k = start[u]
                            let end = start[u &+ 1]
                            while k < end {
                                let v = nb[k]
                                let nd = d + len[inc[k]]
                                if nd < dist[v] { dist[v] = nd; heap.push(nd, v) }
                                k &+= 1
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The nodes within a few hops of a source (breadth-first), marked with a stamp so that marking the
/// next source needs no clearing.
struct HopBall {
    private var stamp: [Int]
    private var current = 0
    private var frontier: [Int] = []
    private var next: [Int] = []
    private(set) var count = 0

    init(nodeCount: Int) { stamp = [Int](repeating: 0, count: nodeCount) }

    func contains(_ node: Int) -> Bool { stamp[node] == current }

    mutating func mark(_ graph: WeightedGraph, around source: Int, hops: Int) {
        current &+= 1
        stamp[source] = current
        count = 1
        frontier.removeAll(keepingCapacity: true)
        frontier.append(source)
        for _ in 0..<hops {
            next.removeAll(keepingCapacity: true)
            for u in frontier {
                for k in graph.rowStart[u]..<graph.rowStart[u &+ 1] {
                    let v = graph.neighbours[k]
                    if stamp[v] != current { stamp[v] = current; count &+= 1; next.append(v) }
                }
            }
            swap(&frontier, &next)
            if frontier.isEmpty { break }
        }
    }
}

/// A binary min-heap of (distance, node) with lazy deletion; storage is reused between runs.
struct DistanceHeap {
    private var keys: [Double]
    private var values: [Int]
    private var size = 0

    init(capacity: Int) {
        keys = [Double](repeating: 0, count: Swift.max(capacity, 1))
        values = [Int](repeating: 0, count: Swift.max(capacity, 1))
    }

    mutating func removeAll() { size = 0 }

    mutating func push(_ key: Double, _ value: Int) {
        if size == keys.count { keys.append(0); values.append(0) }
        var i = size
        size &+= 1
        while i > 0 {
            let parent = (i &- 1) >> 1
            if keys[parent] <= key { break }
            keys[i] = keys[parent]; values[i] = values[parent]
            i = parent
        }
        keys[i] = key; values[i] = value
    }

    mutating func pop() -> (Double, Int)? {
        guard size > 0 else { return nil }
        let top = (keys[0], values[0])
        size &-= 1
        if size > 0 {
            let key = keys[size], value = values[size]
            var i = 0
            while true {
                let l = 2 &* i &+ 1
                if l >= size { break }
                let r = l &+ 1
                let c = (r < size && keys[r] < keys[l]) ? r : l
                if keys[c] >= key { break }
                keys[i] = keys[c]; values[i] = values[c]
                i = c
            }
            keys[i] = key; values[i] = value
        }
        return top
    }
}
