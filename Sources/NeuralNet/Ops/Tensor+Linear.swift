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
                    Float.gemm(
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
                    Float.gemm(
                        transA: false, transB: false, m: Int32(rows), n: Int32(k), k: Int32(n),
                        alpha: 1, a: gp, lda: Int32(n), b: pw.baseAddress!, ldb: Int32(k), beta: overwrite ? 0 : 1,
                        c: gx, ldc: Int32(k))
                }
            })
            // dW[n, k] += Gᵀ[n, rows] · X[rows, k]
            w.accumulateGrad(overwritingFirst: { gw, overwrite in
                xData.withUnsafeBufferPointer { px in
                    Float.gemm(
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
