// Index-based ops: selection along an axis (embedding lookup), its adjoint scatter-add, masking.

extension Tensor {
    /// The slices `indices[i]` along `axis`, stacked in order: result dimension `axis` becomes
    /// `indices.count`. On a `[vocabulary, d]` table with axis 0 this is an embedding lookup; the
    /// backward pass scatter-adds, so repeated indices accumulate.
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        let ax = self.axis(axis, "indexSelect")
        let n = dimensions[ax]
        for i in indices { precondition(i >= 0 && i < n, "indexSelect: index \(i) out of 0..<\(n)") }
        let outer = dimensions[..<ax].reduce(1, *)
        let inner = dimensions[(ax + 1)...].reduce(1, *)
        var outDims = dimensions
        outDims[ax] = indices.count
        let m = indices.count
        var out = Tensor.zeroedStorage(outer * m * inner)
        storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                for o in 0..<outer {
                    for (r, i) in indices.enumerated() {
                        (z.baseAddress! + (o * m + r) * inner).update(from: x.baseAddress! + (o * n + i) * inner, count: inner)
                    }
                }
            }
        }
        let result = Tensor(shape: TensorShape(outDims), storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                self.accumulateGrad { ga in
                    Tensor.scatterAddRuns(from: g.baseAddress!, into: ga, indices: indices, outer: outer, n: n, inner: inner)
                }
            }
        }
        return result
    }

    /// Embedding lookup: rows of a rank-2 table for integer tokens laid out in `shape`
    /// (result shape `shape + [d]`).
    public func embeddingLookup(_ indices: [Int], shape: [Int]) -> Tensor {
        precondition(rank == 2, "embeddingLookup: table must be [vocabulary, d], got \(shape)")
        precondition(shape.reduce(1, *) == indices.count, "embeddingLookup: \(indices.count) indices for shape \(shape)")
        return indexSelect(axis: 0, indices).reshaped(shape + [dimensions[1]])
    }

    /// The adjoint of `indexSelect`: a tensor with dimension `size` along `axis`, zero except that slice
    /// `i` of `self` is added into slice `indices[i]`.
    public func scatterAdd(axis: Int, _ indices: [Int], size: Int) -> Tensor {
        let ax = self.axis(axis, "scatterAdd")
        precondition(indices.count == dimensions[ax], "scatterAdd: \(indices.count) indices for dimension \(dimensions[ax])")
        for i in indices { precondition(i >= 0 && i < size, "scatterAdd: index \(i) out of 0..<\(size)") }
        let outer = dimensions[..<ax].reduce(1, *)
        let inner = dimensions[(ax + 1)...].reduce(1, *)
        var outDims = dimensions
        outDims[ax] = size
        let m = indices.count
        var out = Tensor.zeroedStorage(outer * size * inner)
        storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                Tensor.scatterAddRuns(from: x.baseAddress!, into: z.baseAddress!, indices: indices, outer: outer, n: size, inner: inner)
            }
        }
        let result = Tensor(shape: TensorShape(outDims), storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                self.accumulateGrad { ga in
                    for o in 0..<outer {
                        for (r, i) in indices.enumerated() {
                            let src = g.baseAddress! + (o * size + i) * inner, dst = ga + (o * m + r) * inner
                            for e in 0..<inner { dst[e] += src[e] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// `dst[o, indices[r], :] += src[o, r, :]` for a source with `indices.count` rows per outer block.
    static func scatterAddRuns(
        from src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, indices: [Int], outer: Int, n: Int, inner: Int
    ) {
        let m = indices.count
        for o in 0..<outer {
            for (r, i) in indices.enumerated() {
                let s = src + (o * m + r) * inner, d = dst + (o * n + i) * inner
                for e in 0..<inner { d[e] += s[e] }
            }
        }
    }

    /// `value` where `mask` is non-zero, `self` elsewhere; `mask` broadcasts to `self`'s shape (e.g. a
    /// `[t, t]` causal mask on `[batch, heads, t, t]` scores). No gradient flows through filled entries.
    public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
        guard let shape = self.shape.broadcast(with: mask.shape), shape == self.shape else {
            preconditionFailure("maskedFill: mask \(mask.shape) does not broadcast to \(self.shape)")
        }
        let plan = StridedPlan(out: shape, a: shape, b: mask.shape)
        var out = Tensor.zeroedStorage(count)
        storage.withUnsafeBufferPointer { x in
            mask.storage.withUnsafeBufferPointer { mk in
                out.withUnsafeMutableBufferPointer { z in
                    plan.forEach { o, i, j in z[o] = mk[j] != 0 ? value : x[i] }
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        if Tensor.shouldRecord(self) {
            let maskData = mask.storage
            result.record([self]) { g in
                self.accumulateGrad { ga in
                    maskData.withUnsafeBufferPointer { mk in
                        plan.forEach { o, i, j in if mk[j] == 0 { ga[i] += g[o] } }
                    }
                }
            }
        }
        return result
    }
}
