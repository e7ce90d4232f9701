import NeuroCore

// Matrix products on `cblas_sgemm` (through NeuroCore's `Float.gemm`). Transposed operands are passed
// as gemm transpose flags, never copied, and the backward pass accumulates straight into the gradient
// buffers with beta = 1, which also sums gradients over broadcast batch dimensions for free.

extension Tensor {
    /// Matrix product over the last two axes, with numpy-style broadcasting of the leading (batch)
    /// axes: `[..., m, k] × [..., k, n] → [..., m, n]`. With `transposeA`/`transposeB` the operand's last
    /// two axes are read transposed (e.g. `x.matmul(w, transposeB: true)` is x·wᵀ for a `[out, in]` weight).
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: operands need rank ≥ 2, got \(a.shape) and \(b.shape)")
        let ad = a.dimensions, bd = b.dimensions
        let (ar, ac) = (ad[ad.count - 2], ad[ad.count - 1])
        let (br, bc) = (bd[bd.count - 2], bd[bd.count - 1])
        let m = transposeA ? ac : ar
        let k = transposeA ? ar : ac
        let kb = transposeB ? bc : br
        let n = transposeB ? br : bc
        precondition(k == kb, "matmul: inner dimensions differ in \(a.shape) × \(b.shape)")

        let aBatch = TensorShape(Array(ad.dropLast(2)))
        let bBatch = TensorShape(Array(bd.dropLast(2)))
        guard let batch = aBatch.broadcast(with: bBatch) else {
            preconditionFailure("matmul: batch shapes \(aBatch) and \(bBatch) do not broadcast")
        }
        let outShape = TensorShape(batch.dimensions + [m, n])
        // Every gemm writes its block with beta = 0, so the output needs no zero-fill.

        // A 2-D right operand with an untransposed left operand folds all batch rows into one gemm.
        let fold = b.rank == 2 && !transposeA
        let rows = aBatch.count * m
        let plan = StridedPlan(out: batch, a: aBatch, b: bBatch)
        let (sa, sb, sc) = (ar * ac, br * bc, m * n)
        let lda = Int32(ac), ldb = Int32(bc), ldc = Int32(n)

        let out = Tensor.uninitializedStorage(outShape.count) { c in
            a.storage.withUnsafeBufferPointer { pa in
                b.storage.withUnsafeBufferPointer { pb in
                    if fold {
                        Tensor.gemm(
                            transA: false, transB: transposeB, m: Int32(rows), n: Int32(n), k: Int32(k),
                            alpha: 1, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: 0,
                            c: c, ldc: ldc)
                    } else {
                        plan.forEach { o, i, j in
                            Tensor.gemm(
                                transA: transposeA, transB: transposeB, m: Int32(m), n: Int32(n), k: Int32(k),
                                alpha: 1, a: pa.baseAddress! + i * sa, lda: lda, b: pb.baseAddress! + j * sb, ldb: ldb,
                                beta: 0, c: c + o * sc, ldc: ldc)
                        }
                    }
                }
            }
        }
        let result = Tensor(shape: outShape, storage: out)
        guard Tensor.shouldRecord(a, b) else { return result }

        let aData = a.storage, bData = b.storage
        // Each batch block of an operand that is not broadcast gets exactly one gemm, so the first
        // contribution can overwrite (beta = 0); a broadcast operand's blocks are summed into zeros.
        let aBlocksOnce = aBatch.count == batch.count, bBlocksOnce = bBatch.count == batch.count
        result.record([a, b]) { g in
            let gp = g.baseAddress!
            // C = op(A)·op(B).  d op(A) = G·op(B)ᵀ,  d op(B) = op(A)ᵀ·G;  transposing back when op is ᵀ.
            a.accumulateGrad(overwritingFirst: { ga, overwrite in
                let beta: Float = overwrite && (fold || aBlocksOnce) ? 0 : 1
                if overwrite && beta == 1 { ga.initialize(repeating: 0, count: a.count) }
                bData.withUnsafeBufferPointer { pb in
                    if fold {
                        // dA[rows, k] += G[rows, n] · op(B)ᵀ
                        Tensor.gemm(
                            transA: false, transB: !transposeB, m: Int32(rows), n: Int32(k), k: Int32(n),
                            alpha: 1, a: gp, lda: ldc, b: pb.baseAddress!, ldb: ldb, beta: beta, c: ga, ldc: lda)
                    } else {
                        plan.forEach { o, i, j in
                            let gB = gp + o * sc, bB = pb.baseAddress! + j * sb, dA = ga + i * sa
                            if transposeA {
                                // dA[k, m] += op(B)[k, n] · Gᵀ[n, m]
                                Tensor.gemm(
                                    transA: transposeB, transB: true, m: Int32(k), n: Int32(m), k: Int32(n),
                                    alpha: 1, a: bB, lda: ldb, b: gB, ldb: ldc, beta: beta, c: dA, ldc: lda)
                            } else {
                                Tensor.gemm(
                                    transA: false, transB: !transposeB, m: Int32(m), n: Int32(k), k: Int32(n),
                                    alpha: 1, a: gB, lda: ldc, b: bB, ldb: ldb, beta: beta, c: dA, ldc: lda)
                            }
                        }
                    }
                }
            })
            b.accumulateGrad(overwritingFirst: { gb, overwrite in
                let beta: Float = overwrite && (fold || bBlocksOnce) ? 0 : 1
                if overwrite && beta == 1 { gb.initialize(repeating: 0, count: b.count) }
                aData.withUnsafeBufferPointer { pa in
                    if fold {
                        if transposeB {
                            // dB[n, k] += Gᵀ[n, rows] · A[rows, k]
                            Tensor.gemm(
                                transA: true, transB: false, m: Int32(n), n: Int32(k), k: Int32(rows),
                                alpha: 1, a: gp, lda: ldc, b: pa.baseAddress!, ldb: lda, beta: beta, c: gb, ldc: ldb)
                        } else {
                            // dB[k, n] += Aᵀ[k, rows] · G[rows, n]
                            Tensor.gemm(
                                transA: true, transB: false, m: Int32(k), n: Int32(n), k: Int32(rows),
                                alpha: 1, a: pa.baseAddress!, lda: lda, b: gp, ldb: ldc, beta: beta, c: gb, ldc: ldb)
                        }
                    } else {
                        plan.forEach { o, i, j in
                            let gB = gp + o * sc, aB = pa.baseAddress! + i * sa, dB = gb + j * sb
                            if transposeB {
                                // dB[n, k] += Gᵀ[n, m] · op(A)[m, k]
                                Tensor.gemm(
                                    transA: true, transB: transposeA, m: Int32(n), n: Int32(k), k: Int32(m),
                                    alpha: 1, a: gB, lda: ldc, b: aB, ldb: lda, beta: beta, c: dB, ldc: ldb)
                            } else {
                                // dB[k, n] += op(A)ᵀ[k, m] · G[m, n]
                                Tensor.gemm(
                                    transA: !transposeA, transB: false, m: Int32(k), n: Int32(n), k: Int32(m),
                                    alpha: 1, a: aB, lda: lda, b: gB, ldb: ldc, beta: beta, c: dB, ldc: ldb)
                            }
                        }
                    }
                }
            })
        }
        return result
    }
}
