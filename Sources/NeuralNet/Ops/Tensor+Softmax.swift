import CKernels
import RealModule

// Softmax and log-softmax along one axis, numerically stable (the group maximum is subtracted before
// exponentiating, so logits of ±1000 give finite results). The tensor is viewed as
// [outer, n, inner] with the softmax over n; for the last axis inner = 1 and rows are contiguous.

extension Tensor {
    /// Calls `body(base, stride)` for each softmax group: elements `base + k·stride`, k < n.
    @inline(__always)
    func forEachGroup(axis ax: Int, _ body: (_ base: Int, _ stride: Int, _ n: Int) -> Void) {
        let outer = dimensions[..<ax].reduce(1, *)
        let inner = dimensions[(ax + 1)...].reduce(1, *)
        let n = dimensions[ax]
        for o in 0..<outer {
            for i in 0..<inner { body(o * n * inner + i, inner, n) }
        }
    }

    public func softmax(axis: Int = -1) -> Tensor {
        let ax = self.axis(axis, "softmax")
        let n = dimensions[ax]
        let lastAxis = ax == rank - 1
        let rows = n == 0 ? 0 : count / n
        let rowGrain = Swift.max(1, Tensor.elementwiseGrain / Swift.max(n, 1))
        let out = Tensor.uninitializedStorage(count) { z in
            storage.withUnsafeBufferPointer { xb in
                if lastAxis {
                    // Contiguous rows: three vectorised passes per row, rows spread over threads.
                    let x = xb.baseAddress!
                    Parallel.forEachRange(rows, grain: rowGrain, work: count) { range in
                        for r in range { Tensor.softmaxRow(x + r &* n, z + r &* n, n) }
                    }
                } else {
                    forEachGroup(axis: ax) { base, s, n in
                        var m = -Float.infinity
                        for k in 0..<n { m = Swift.max(m, xb[base + k * s]) }
                        var total: Float = 0
                        for k in 0..<n {
                            let e = FastMath.expNonPositive(xb[base + k * s] - m)
                            z[base + k * s] = e
                            total = Relaxed.sum(total, e)
                        }
                        let inv = 1 / total
                        for k in 0..<n { z[base + k * s] *= inv }
                    }
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                // dx = y ⊙ (g − Σ g⊙y)
                self.accumulateGrad(overwritingFirst: { ga, overwrite in
                    out.withUnsafeBufferPointer { yb in
                        let y = yb.baseAddress!, gp = g.baseAddress!
                        if lastAxis {
                            Parallel.forEachRange(rows, grain: rowGrain, work: 2 &* yb.count) { range in
                                for r in range {
                                    Tensor.softmaxBackwardRow(y + r &* n, gp + r &* n, ga + r &* n, n, overwrite: overwrite)
                                }
                            }
                            return
                        }
                        self.forEachGroup(axis: ax) { base, s, n in
                            var dot: Float = 0
                            for k in 0..<n { dot = Relaxed.multiplyAdd(g[base + k * s], y[base + k * s], dot) }
                            if overwrite {
                                for k in 0..<n { ga[base + k * s] = y[base + k * s] * (g[base + k * s] - dot) }
                            } else {
                                for k in 0..<n { ga[base + k * s] += y[base + k * s] * (g[base + k * s] - dot) }
                            }
                        }
                    }
                })
            }
        }
        return result
    }

    /// z = softmax(x) over one contiguous row of n elements.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, _ n: Int) {
        ck_nn_softmax_rows(x, z, 1, n)
    }

    /// dx = y ⊙ (g − Σ g⊙y) over one contiguous row, stored or added.
    @inline(__always)
    static func softmaxBackwardRow(
        _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int, overwrite: Bool
    ) {
        ck_nn_softmax_backward_rows(y, g, dx, 1, n, overwrite ? 0 : 1)
    }

    public func logSoftmax(axis: Int = -1) -> Tensor {
        let ax = self.axis(axis, "logSoftmax")
        let out = Tensor.uninitializedStorage(count) { z in
            storage.withUnsafeBufferPointer { x in
                forEachGroup(axis: ax) { base, s, n in
                    var m = -Float.infinity
                    for k in 0..<n { m = Swift.max(m, x[base + k * s]) }
                    var total: Float = 0
                    for k in 0..<n { total = Relaxed.sum(total, FastMath.expNonPositive(x[base + k * s] - m)) }
                    let lse = m + Float.log(total)
                    for k in 0..<n { z[base + k * s] = x[base + k * s] - lse }
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                // dx = g − softmax · Σ g
                self.accumulateGrad { ga in
                    out.withUnsafeBufferPointer { y in
                        self.forEachGroup(axis: ax) { base, s, n in
                            var total: Float = 0
                            for k in 0..<n { total = Relaxed.sum(total, g[base + k * s]) }
                            for k in 0..<n { ga[base + k * s] += g[base + k * s] - FastMath.expNonPositive(y[base + k * s]) * total }
                        }
                    }
                }
            }
        }
        return result
    }
}
