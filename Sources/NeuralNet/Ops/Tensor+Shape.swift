// Shape manipulation. Reshape shares storage (copy-on-write); permutations, slices and concatenation
// copy into fresh contiguous buffers so that every kernel sees plain row-major data.

extension Tensor {
    /// Normalises a possibly negative axis.
    @inline(__always)
    func axis(_ axis: Int, _ op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(op): axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// Same elements, new shape. One dimension may be -1 (inferred).
    public func reshaped(_ dimensions: [Int]) -> Tensor {
        var dims = dimensions
        if let unknown = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != unknown }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(dimensions) for \(shape)")
            dims[unknown] = count / known
        }
        let newShape = TensorShape(dims)
        precondition(newShape.count == count, "reshape: \(shape) has \(count) elements, \(newShape) needs \(newShape.count)")
        let result = Tensor(shape: newShape, storage: storage)
        if Tensor.shouldRecord(self) {
            result.record([self], handOff: self, rest: { _ in }) { g in self.accumulateGrad(adding: g) }
        }
        return result
    }

    /// Reorders the axes: result axis `i` is input axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank), "permute: \(order) is not a permutation of \(rank) axes")
        if order == Array(0..<rank) { return reshaped(dimensions) }
        let inStrides = shape.strides
        let outDims = order.map { dimensions[$0] }
        // Iterate the output contiguously (operand A) while reading the input through permuted strides (B).
        let plan = StridedPlan(extents: outDims, stridesA: TensorShape(outDims).strides, stridesB: order.map { inStrides[$0] })
        let out = Tensor.uninitializedStorage(count) { z in
            storage.withUnsafeBufferPointer { x in plan.forEach { o, _, j in z[o] = x[j] } }
        }
        let result = Tensor(shape: TensorShape(outDims), storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                // A permutation visits every input element once, so the first contribution is a store.
                self.accumulateGrad(overwritingFirst: { ga, overwrite in
                    if overwrite {
                        plan.forEach { o, _, j in ga[j] = g[o] }
                    } else {
                        plan.forEach { o, _, j in ga[j] += g[o] }
                    }
                })
            }
        }
        return result
    }

    /// Swaps two axes (default: the last two, a matrix transpose).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        let a0 = axis(axis0, "transpose"), a1 = axis(axis1, "transpose")
        var order = Array(0..<rank)
        order.swapAt(a0, a1)
        return permuted(order)
    }

    /// The elements with index in `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = self.axis(axis, "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= dimensions[ax], "slice: \(range) out of 0..<\(dimensions[ax])")
        let outer = dimensions[..<ax].reduce(1, *)
        let inner = dimensions[(ax + 1)...].reduce(1, *)
        let n = dimensions[ax], width = range.count
        var outDims = dimensions
        outDims[ax] = width
        let run = width * inner, start = range.lowerBound * inner, stride = n * inner
        var out = Tensor.zeroedStorage(outer * run)
        storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                for o in 0..<outer {
                    (z.baseAddress! + o * run).update(from: x.baseAddress! + o * stride + start, count: run)
                }
            }
        }
        let result = Tensor(shape: TensorShape(outDims), storage: out)
        if Tensor.shouldRecord(self) {
            result.record([self]) { g in
                self.accumulateGrad { ga in
                    for o in 0..<outer {
                        let src = g.baseAddress! + o * run, dst = ga + o * stride + start
                        for i in 0..<run { dst[i] += src[i] }
                    }
                }
            }
        }
        return result
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let ax = first.axis(axis, "concat")
        for t in tensors {
            precondition(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == ax || t.dimensions[$0] == first.dimensions[$0] },
                         "concat: \(t.shape) does not match \(first.shape) off axis \(ax)")
        }
        let outer = first.dimensions[..<ax].reduce(1, *)
        let inner = first.dimensions[(ax + 1)...].reduce(1, *)
        let runs = tensors.map { $0.dimensions[ax] * inner }
        let total = runs.reduce(0, +)
        var outDims = first.dimensions
        outDims[ax] = tensors.reduce(0) { $0 + $1.dimensions[ax] }
        var offsets: [Int] = []
        var running = 0
        for run in runs { offsets.append(running); running += run }
        var out = Tensor.zeroedStorage(outer * total)
        out.withUnsafeMutableBufferPointer { z in
            for (t, tensor) in tensors.enumerated() {
                let run = runs[t], offset = offsets[t]
                tensor.storage.withUnsafeBufferPointer { x in
                    for o in 0..<outer { (z.baseAddress! + o * total + offset).update(from: x.baseAddress! + o * run, count: run) }
                }
            }
        }
        let result = Tensor(shape: TensorShape(outDims), storage: out)
        if shouldRecord(tensors) {
            result.record(tensors) { g in
                for (t, tensor) in tensors.enumerated() {
                    let run = runs[t], offset = offsets[t]
                    tensor.accumulateGrad { ga in
                        for o in 0..<outer {
                            let src = g.baseAddress! + o * total + offset, dst = ga + o * run
                            for i in 0..<run { dst[i] += src[i] }
                        }
                    }
                }
            }
        }
        return result
    }
}
