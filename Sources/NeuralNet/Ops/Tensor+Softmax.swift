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
        var out = [Float](repeating: 0, count: count)
        storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                forEachGroup(axis: ax) { base, s, n in
                    var m = -Float.infinity
                    for k in 0..<n { m = Swift.max(m, x[base + k * s]) }
                    var total: Float = 0
                    for k in 0..<n {
                        let e = Float.exp(x[base + k * s] - m)
                        z[base + k * s] = e
                        total = Relaxed.sum(total, e)
                    }
                    let inv = 1 / total
                    for k in 0..<n { z[base + k * s] *= inv }
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                // dx = y ⊙ (g − Σ g⊙y)
                self.accumulateGrad { ga in
                    out.withUnsafeBufferPointer { y in
                        self.forEachGroup(axis: ax) { base, s, n in
                            var dot: Float = 0
                            for k in 0..<n { dot = Relaxed.multiplyAdd(g[base + k * s], y[base + k * s], dot) }
                            for k in 0..<n { ga[base + k * s] += y[base + k * s] * (g[base + k * s] - dot) }
                        }
                    }
                }
            }
        }
        return result
    }

    public func logSoftmax(axis: Int = -1) -> Tensor {
        let ax = self.axis(axis, "logSoftmax")
        var out = [Float](repeating: 0, count: count)
        storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                forEachGroup(axis: ax) { base, s, n in
                    var m = -Float.infinity
                    for k in 0..<n { m = Swift.max(m, x[base + k * s]) }
                    var total: Float = 0
                    for k in 0..<n { total = Relaxed.sum(total, Float.exp(x[base + k * s] - m)) }
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
                            for k in 0..<n { ga[base + k * s] += g[base + k * s] - Float.exp(y[base + k * s]) * total }
                        }
                    }
                }
            }
        }
        return result
    }
}
