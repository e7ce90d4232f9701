import RealModule

// Reductions over sets of axes. The reduced output is addressed through a strided plan with stride 0
// along reduced axes, so one loop serves every axis combination; the backward pass walks the same plan.

extension Tensor {
    /// Output shapes of a reduction: with the reduced axes kept as 1 (for the plan) and as requested.
    func reducedShapes(_ axes: [Int], keepDims: Bool, _ op: String) -> (kept: TensorShape, result: TensorShape) {
        let set = Set(axes.map { axis($0, op) })
        let kept = dimensions.enumerated().map { set.contains($0.offset) ? 1 : $0.element }
        let result = keepDims ? kept : dimensions.enumerated().filter { !set.contains($0.offset) }.map(\.element)
        return (TensorShape(kept), TensorShape(result))
    }

    /// Sum over `axes` (all axes when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let (kept, resultShape) = reducedShapes(axes ?? Array(0..<rank), keepDims: keepDims, "sum")
        let plan = StridedPlan(input: shape, reduced: kept)
        var out = [Float](repeating: 0, count: kept.count)
        storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                if kept.count == 1 {
                    var s: Float = 0
                    for i in 0..<x.count { s = Relaxed.sum(s, x[i]) }
                    z[0] = s
                } else {
                    plan.forEach { _, i, j in z[j] += x[i] }
                }
            }
        }
        let result = Tensor(shape: resultShape, storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                self.accumulateGrad { ga in plan.forEach { _, i, j in ga[i] += g[j] } }
            }
        }
        return result
    }

    /// Sum along one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let all = axes ?? Array(0..<rank)
        let n = Set(all.map { axis($0, "mean") }).reduce(1) { $0 * dimensions[$1] }
        return sum(axes: all, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Maximum over `axes` (all when nil). The gradient goes to the first maximal element of each group
    /// (PyTorch's `amax` splits ties evenly; with continuous data ties have probability 0).
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        precondition(count > 0, "max: empty tensor")
        let (kept, resultShape) = reducedShapes(axes ?? Array(0..<rank), keepDims: keepDims, "max")
        let plan = StridedPlan(input: shape, reduced: kept)
        var out = [Float](repeating: -.infinity, count: kept.count)
        var argmax = [Int](repeating: -1, count: kept.count)
        storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                argmax.withUnsafeMutableBufferPointer { am in
                    plan.forEach { _, i, j in
                        if am[j] < 0 || x[i] > z[j] || x[i].isNaN { z[j] = x[i]; am[j] = i }
                    }
                }
            }
        }
        let result = Tensor(shape: resultShape, storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                self.accumulateGrad { ga in for j in 0..<argmax.count { ga[argmax[j]] += g[j] } }
            }
        }
        return result
    }

    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }
}
