import NeuroCore

// x·Wᵀ + b as one sgemm: the output rows start as copies of the bias and gemm accumulates onto them
// (beta = 1). Compared with matmul followed by a broadcast add, this saves one output-sized array in the
// forward pass and one gradient-sized array in the backward pass per call — in a transformer step the
// MLP's [tokens, 4d] activations are the largest arrays, and fresh arrays cost page faults and zeroing.

extension Tensor {
    /// `self` `[..., k]` · `weight` `[n, k]`ᵀ + `bias` `[n]` → `[..., n]`, with gradients for all three.
    func linear(weight w: Tensor, bias: Tensor) -> Tensor {
        let x = self
        precondition(x.rank >= 2 && w.rank == 2, "linear: input \(x.shape) needs rank ≥ 2 and weight \(w.shape) rank 2")
        let k = x.dimensions[x.rank - 1], n = w.dimensions[0]
        precondition(w.dimensions[1] == k, "linear: input \(x.shape) does not fit weight \(w.shape)")
        precondition(bias.dimensions == [n], "linear: bias \(bias.shape) does not fit weight \(w.shape)")
        let rows = x.count / Swift.max(k, 1)
        let outShape = TensorShape(Array(x.dimensions.dropLast()) + [n])
        let out = Tensor.uninitializedStorage(rows * n) { c in
            bias.storage.withUnsafeBufferPointer { b in
                for r in 0..<rows { (c + r &* n).initialize(from: b.baseAddress!, count: n) }
            }
            x.storage.withUnsafeBufferPointer { px in
                w.storage.withUnsafeBufferPointer { pw in
                    Tensor.gemm(
                        transA: false, transB: true, m: Int32(rows), n: Int32(n), k: Int32(k),
                        alpha: 1, a: px.baseAddress!, lda: Int32(k), b: pw.baseAddress!, ldb: Int32(k), beta: 1,
                        c: c, ldc: Int32(n))
                }
            }
        }
        let result = Tensor(shape: outShape, storage: out)
        guard Tensor.shouldRecord([x, w, bias]) else { return result }
        let xData = x.storage, wData = w.storage
        result.record([x, w, bias]) { g in
            let gp = g.baseAddress!
            // dX[rows, k] += G[rows, n] · W[n, k]  (beta = 0 when this is the first contribution)
            x.accumulateGrad(overwritingFirst: { gx, overwrite in
                wData.withUnsafeBufferPointer { pw in
                    Tensor.gemm(
                        transA: false, transB: false, m: Int32(rows), n: Int32(k), k: Int32(n),
                        alpha: 1, a: gp, lda: Int32(n), b: pw.baseAddress!, ldb: Int32(k), beta: overwrite ? 0 : 1,
                        c: gx, ldc: Int32(k))
                }
            })
            // dW[n, k] += Gᵀ[n, rows] · X[rows, k]
            w.accumulateGrad(overwritingFirst: { gw, overwrite in
                xData.withUnsafeBufferPointer { px in
                    Tensor.gemm(
                        transA: true, transB: false, m: Int32(n), n: Int32(k), k: Int32(rows),
                        alpha: 1, a: gp, lda: Int32(n), b: px.baseAddress!, ldb: Int32(k), beta: overwrite ? 0 : 1,
                        c: gw, ldc: Int32(k))
                }
            })
            // db[n] += Σ_rows G[row, n]
            bias.accumulateGrad(overwritingFirst: { gb, overwrite in
                if overwrite { gb.initialize(repeating: 0, count: n) }
                for r in 0..<rows {
                    let row = gp + r &* n
                    for j in 0..<n { gb[j] += row[j] }
                }
            })
        }
        return result
    }
}

extension Tensor {
    /// `self` `[..., k]` through several `[nᵢ, k]` weights (and `[nᵢ]` biases, or none) side by side:
    /// `[..., Σnᵢ]` with the outputs in column blocks, as one gemm instead of one per weight. Attention
    /// projects the same input to queries, keys and values; stacking them packs the input once per
    /// pass instead of three times, and the input's gradient is one gemm with k = Σnᵢ instead of three
    /// read-modify-write passes.
    func linear(stacking weights: [Tensor], biases: [Tensor]?) -> Tensor {
        let x = self
        precondition(!weights.isEmpty && x.rank >= 2, "linear(stacking:): needs weights and an input of rank ≥ 2")
        let k = x.dimensions[x.rank - 1]
        let widths = weights.map { $0.dimensions[0] }
        for w in weights { precondition(w.rank == 2 && w.dimensions[1] == k, "linear(stacking:): weight \(w.shape) for input \(x.shape)") }
        if let biases {
            precondition(biases.count == weights.count && zip(biases, widths).allSatisfy { $0.dimensions == [$1] },
                         "linear(stacking:): biases do not fit the weights")
        }
        let n = widths.reduce(0, +)
        var offsets: [Int] = []
        var running = 0
        for width in widths { offsets.append(running); running += width }
        // The stacked weight [n, k] and bias [n]: small copies, remade every call (parameters change).
        let stacked = SavedBuffer(Tensor.uninitializedStorage(n * k) { s in
            for (i, w) in weights.enumerated() {
                w.storage.withUnsafeBufferPointer { (s + offsets[i] * k).initialize(from: $0.baseAddress!, count: $0.count) }
            }
        })
        var stackedBias = [Float](repeating: 0, count: n)
        for (i, b) in (biases ?? []).enumerated() { for j in 0..<widths[i] { stackedBias[offsets[i] + j] = b.storage[j] } }
        let rows = x.count / Swift.max(k, 1)
        let outShape = TensorShape(Array(x.dimensions.dropLast()) + [n])
        let out = Tensor.uninitializedStorage(rows * n) { c in
            stackedBias.withUnsafeBufferPointer { b in
                for r in 0..<rows { (c + r &* n).initialize(from: b.baseAddress!, count: n) }
            }
            x.storage.withUnsafeBufferPointer { px in
                stacked.withUnsafeBufferPointer { pw in
                    Tensor.gemm(
                        transA: false, transB: true, m: Int32(rows), n: Int32(n), k: Int32(k),
                        alpha: 1, a: px.baseAddress!, lda: Int32(k), b: pw.baseAddress!, ldb: Int32(k), beta: 1,
                        c: c, ldc: Int32(n))
                }
            }
        }
        let result = Tensor(shape: outShape, storage: out)
        let inputs = [x] + weights + (biases ?? [])
        guard Tensor.shouldRecord(inputs) else { return result }
        let xData = x.storage, wData = stacked
        result.record(inputs) { g in
            let gp = g.baseAddress!
            // dX[rows, k] += G[rows, n] · W[n, k]
            x.accumulateGrad(overwritingFirst: { gx, overwrite in
                wData.withUnsafeBufferPointer { pw in
                    Tensor.gemm(
                        transA: false, transB: false, m: Int32(rows), n: Int32(k), k: Int32(n),
                        alpha: 1, a: gp, lda: Int32(n), b: pw.baseAddress!, ldb: Int32(k), beta: overwrite ? 0 : 1,
                        c: gx, ldc: Int32(k))
                }
            })
            // dW[n, k] = Gᵀ[n, rows] · X[rows, k] for all weights at once, then added block by block.
            if weights.contains(where: { $0.requiresGrad }) {
                let dW = Tensor.uninitializedStorage(n * k) { dw in
                    xData.withUnsafeBufferPointer { px in
                        Tensor.gemm(
                            transA: true, transB: false, m: Int32(n), n: Int32(k), k: Int32(rows),
                            alpha: 1, a: gp, lda: Int32(n), b: px.baseAddress!, ldb: Int32(k), beta: 0, c: dw, ldc: Int32(k))
                    }
                }
                dW.withUnsafeBufferPointer { dwb in
                    for (i, w) in weights.enumerated() {
                        w.accumulateGrad(adding: UnsafeBufferPointer(rebasing: dwb[(offsets[i] * k)..<((offsets[i] + widths[i]) * k)]))
                    }
                }
                BufferPool.recycle(dW)
            }
            // db[n] = Σ_rows G[row, n], split the same way.
            if let biases, biases.contains(where: { $0.requiresGrad }) {
                var db = [Float](repeating: 0, count: n)
                db.withUnsafeMutableBufferPointer { sums in
                    let s = sums.baseAddress!
                    for r in 0..<rows {
                        let row = gp + r &* n
                        for j in 0..<n { s[j] += row[j] }
                    }
                    for (i, b) in biases.enumerated() {
                        b.accumulateGrad(adding: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(sums)[offsets[i]..<(offsets[i] + widths[i])]))
                    }
                }
            }
        }
        return result
    }
}
