/// The symmetric normalised adjacency Â = D^{-1/2}(A + I)D^{-1/2} of an undirected graph (Kipf &
/// Welling 2017), in compressed sparse rows, so propagation costs O(edges · features).
public struct NormalizedAdjacency: Sendable, Equatable {
    public let nodeCount: Int
    /// CSR: the non-zeros of row i are `columns[rowStart[i]..<rowStart[i + 1]]` with `values` alongside.
    public let rowStart: [Int]
    public let columns: [Int]
    public let values: [Float]

    /// From undirected edges (each pair once or both ways; duplicates and self loops in the list
    /// are merged), with optional positive edge weights. Self loops of weight 1 are added when
    /// `addSelfLoops` (the renormalisation trick), so isolated nodes keep their own features.
    public init(nodeCount: Int, edges: [(Int, Int)], weights: [Float]? = nil, addSelfLoops: Bool = true) {
        precondition(nodeCount > 0, "NormalizedAdjacency: needs at least one node")
        if let weights { precondition(weights.count == edges.count && weights.allSatisfy { $0 > 0 }, "NormalizedAdjacency: one positive weight per edge") }
        var rows = [[Int: Double]](repeating: [:], count: nodeCount)
        for (e, (i, j)) in edges.enumerated() {
            precondition(i >= 0 && i < nodeCount && j >= 0 && j < nodeCount, "NormalizedAdjacency: edge (\(i), \(j)) out of range")
            let w = Double(weights?[e] ?? 1)
            rows[i][j] = w
            rows[j][i] = w
        }
        if addSelfLoops { for i in 0..<nodeCount { rows[i][i] = 1 } }
        let degree = rows.map { $0.values.reduce(0, +) }
        var rowStart = [0], columns: [Int] = [], values: [Float] = []
        for i in 0..<nodeCount {
            for j in rows[i].keys.sorted() {
                columns.append(j)
                let d = degree[i] * degree[j]
                values.append(d > 0 ? Float(rows[i][j]! / d.squareRoot()) : 0)
            }
            rowStart.append(columns.count)
        }
        self.nodeCount = nodeCount
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }
}

extension Tensor {
    /// Â·X for node features `[nodes, features]` or `[batch, nodes, features]`. Â is symmetric, so the
    /// backward pass is the same sparse product applied to the gradient.
    public func propagated(by adjacency: NormalizedAdjacency) -> Tensor {
        precondition(rank >= 2 && dimensions[rank - 2] == adjacency.nodeCount,
                     "propagated: features \(shape) need \(adjacency.nodeCount) nodes on axis -2")
        let f = dimensions[rank - 1], block = adjacency.nodeCount * f, blocks = count / Swift.max(block, 1)
        func apply(_ x: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>) {
            adjacency.columns.withUnsafeBufferPointer { cols in
                adjacency.values.withUnsafeBufferPointer { vals in
                    for b in 0..<blocks {
                        for i in 0..<adjacency.nodeCount {
                            let out = z + b * block + i * f
                            for e in adjacency.rowStart[i]..<adjacency.rowStart[i + 1] {
                                let v = vals[e], src = x + b * block + cols[e] * f
                                for c in 0..<f { out[c] += v * src[c] }
                            }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: count)
        storage.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { z in apply(x.baseAddress!, z.baseAddress!) } }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in self.accumulateGrad { ga in apply(g.baseAddress!, ga) } }
        }
        return result
    }
}

/// Graph convolution H′ = Â·H·W + b (Kipf & Welling 2017) on a fixed normalised adjacency.
public struct GraphConvolution: Layer {
    public let linear: Linear

    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator) {
        linear = Linear(inFeatures: inFeatures, outFeatures: outFeatures, bias: bias, generator: &generator)
    }

    public init(linear: Linear) { self.linear = linear }

    /// Node features `[nodes, in]` or `[batch, nodes, in]` → `[..., nodes, out]`. The feature map is
    /// applied before propagation (cheaper when out < in) and the bias after, as in the paper.
    public func callAsFunction(_ input: Tensor, adjacency: NormalizedAdjacency) -> Tensor {
        let mixed = input.matmul(linear.weight, transposeB: true).propagated(by: adjacency)
        guard let bias = linear.bias else { return mixed }
        return mixed + bias
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { linear.namedParameters }
}
