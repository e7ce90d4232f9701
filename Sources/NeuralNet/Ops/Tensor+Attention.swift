import NeuroCore

// The two halves of multi-head scaled dot-product attention as fused ops on the projections' own
// [batch, length, features] layout. Head h is the column block h·d_h..<(h+1)·d_h of every row, which sgemm
// reads in place through its leading dimension (lda = d), so no head split or merge is ever copied:
// the composed form (reshape → permute → scale → matmul → mask → softmax → matmul → permute → reshape)
// made five full copies of the activations forward and as many backward. The scale rides on gemm's
// alpha, and masking and softmax (and their backward) run row by row on the scores in place. Queries,
// keys and values may also be column blocks of one stacked projection (`columns` offsets, rows of any
// width), as self-attention computes them in one gemm.

/// Gradient of an operand read as the column block `column..<column + width` of its rows: the first
/// contribution may overwrite (gemm beta 0) only if the block is the whole row; otherwise the buffer is
/// zeroed first so that the other blocks start from 0.
@inline(__always)
private func blockBeta(_ grad: UnsafeMutablePointer<Float>, count: Int, overwrite: Bool, column: Int, width: Int, rowWidth: Int) -> Float {
    guard overwrite else { return 1 }
    if column == 0 && width == rowWidth { return 0 }
    grad.initialize(repeating: 0, count: count)
    return 1
}

extension Tensor {
    /// softmax(scale · Q_h·K_hᵀ with masked scores set to `maskValue`) for every batch element and head:
    /// queries are columns `queryColumn..<queryColumn + width` of `queries` `[b, tq, ·]`, keys the same of
    /// `keys` `[b, tk, ·]` → `[b, heads, tq, tk]`. Masked positions are key j > query i
    /// when `causal`, and keys whose `keyPadding` entry (`[b·tk]`) is non-zero. No gradient flows through
    /// masked scores (as with `maskedFill`), even in a row whose keys are all masked.
    static func attentionWeights(
        queries q: Tensor, queryColumn qc: Int = 0, keys k: Tensor, keyColumn kc: Int = 0, width: Int? = nil,
        heads: Int, scale: Float, causal: Bool, keyPadding: [Float]?, maskValue: Float
    ) -> Tensor {
        precondition(q.rank == 3 && k.rank == 3 && q.dimensions[0] == k.dimensions[0],
                     "attentionWeights: queries \(q.shape) and keys \(k.shape) do not fit")
        let b = q.dimensions[0], tq = q.dimensions[1], tk = k.dimensions[1]
        let ldq = q.dimensions[2], ldk = k.dimensions[2], d = width ?? ldq
        precondition(qc >= 0 && kc >= 0 && qc + d <= ldq && kc + d <= ldk, "attentionWeights: column blocks out of range")
        precondition(heads > 0 && d % heads == 0, "attentionWeights: \(heads) heads do not divide \(d)")
        if let keyPadding { precondition(keyPadding.count == b * tk, "attentionWeights: padding mask size") }
        let dh = d / heads
        let rows = b * heads * tq
        let block = tq * tk
        let rowGrain = Swift.max(1, Tensor.elementwiseGrain / Swift.max(tk, 1))
        let masked = causal || keyPadding != nil

        /// Calls `body(j)` for every masked key j of score row r.
        @inline(__always)
        func forEachMasked(row r: Int, _ pad: UnsafePointer<Float>?, _ body: (Int) -> Void) {
            let i = r % tq
            if causal && i + 1 < tk { for j in (i + 1)..<tk { body(j) } }
            if let pad {
                let keys = pad + (r / (heads * tq)) * tk
                for j in 0..<tk where keys[j] != 0 { body(j) }
            }
        }

        let out = Tensor.uninitializedStorage(rows * tk) { s in
            q.storage.withUnsafeBufferPointer { pq in
                k.storage.withUnsafeBufferPointer { pk in
                    for n in 0..<b {
                        for h in 0..<heads {
                            Float.gemm(
                                transA: false, transB: true, m: Int32(tq), n: Int32(tk), k: Int32(dh),
                                alpha: scale, a: pq.baseAddress! + n * tq * ldq + qc + h * dh, lda: Int32(ldq),
                                b: pk.baseAddress! + n * tk * ldk + kc + h * dh, ldb: Int32(ldk), beta: 0,
                                c: s + (n * heads + h) * block, ldc: Int32(tk))
                        }
                    }
                }
            }
            Tensor.withOptionalPointers(keyPadding, nil) { pad, _ in
                Parallel.forEachRange(rows, grain: rowGrain, work: rows * tk) { range in
                    for r in range {
                        let row = s + r * tk
                        if masked { forEachMasked(row: r, pad) { row[$0] = maskValue } }
                        Tensor.softmaxRow(row, row, tk)
                    }
                }
            }
        }
        let result = Tensor(shape: TensorShape([b, heads, tq, tk]), storage: out)
        guard shouldRecord(q, k) else { return result }

        let qData = q.storage, kData = k.storage
        result.record([q, k]) { g in
            // dS = softmax backward of g (zero at masked scores), then dQ_h = scale·dS·K_h, dK_h = scale·dSᵀ·Q_h.
            let scores = Tensor.uninitializedStorage(rows * tk) { ds in
                out.withUnsafeBufferPointer { yb in
                    Tensor.withOptionalPointers(keyPadding, nil) { pad, _ in
                        let y = yb.baseAddress!, gp = g.baseAddress!
                        Parallel.forEachRange(rows, grain: rowGrain, work: 2 * rows * tk) { range in
                            for r in range {
                                let o = r * tk
                                Tensor.softmaxBackwardRow(y + o, gp + o, ds + o, tk, overwrite: true)
                                if masked { forEachMasked(row: r, pad) { ds[o + $0] = 0 } }
                            }
                        }
                    }
                }
            }
            let saved = SavedBuffer(scores)
            saved.withUnsafeBufferPointer { dsb in
                let ds = dsb.baseAddress!
                // Every element of dQ and dK lies in exactly one head block: overwrite on first contribution.
                q.accumulateGrad(overwritingFirst: { gq, overwrite in
                    let beta = blockBeta(gq, count: q.count, overwrite: overwrite, column: qc, width: d, rowWidth: ldq)
                    kData.withUnsafeBufferPointer { pk in
                        for n in 0..<b {
                            for h in 0..<heads {
                                Float.gemm(
                                    transA: false, transB: false, m: Int32(tq), n: Int32(dh), k: Int32(tk),
                                    alpha: scale, a: ds + (n * heads + h) * block, lda: Int32(tk),
                                    b: pk.baseAddress! + n * tk * ldk + kc + h * dh, ldb: Int32(ldk), beta: beta,
                                    c: gq + n * tq * ldq + qc + h * dh, ldc: Int32(ldq))
                            }
                        }
                    }
                })
                k.accumulateGrad(overwritingFirst: { gk, overwrite in
                    let beta = blockBeta(gk, count: k.count, overwrite: overwrite, column: kc, width: d, rowWidth: ldk)
                    qData.withUnsafeBufferPointer { pq in
                        for n in 0..<b {
                            for h in 0..<heads {
                                Float.gemm(
                                    transA: true, transB: false, m: Int32(tk), n: Int32(dh), k: Int32(tq),
                                    alpha: scale, a: ds + (n * heads + h) * block, lda: Int32(tk),
                                    b: pq.baseAddress! + n * tq * ldq + qc + h * dh, ldb: Int32(ldq), beta: beta,
                                    c: gk + n * tk * ldk + kc + h * dh, ldc: Int32(ldk))
                            }
                        }
                    }
                })
            }
        }
        return result
    }

    /// Σ_j W[b, h, i, j]·V_h[b, j] for every head, written into the heads' column blocks: `weights`
    /// `[b, heads, tq, tk]`, values columns `valueColumn..<valueColumn + width` of `values` `[b, tk, ·]`
    /// → `[b, tq, width]` (heads already merged).
    static func attend(weights w: Tensor, values v: Tensor, valueColumn vc: Int = 0, width: Int? = nil) -> Tensor {
        precondition(w.rank == 4 && v.rank == 3 && w.dimensions[0] == v.dimensions[0] && w.dimensions[3] == v.dimensions[1],
                     "attend: weights \(w.shape) and values \(v.shape) do not fit")
        let b = w.dimensions[0], heads = w.dimensions[1], tq = w.dimensions[2], tk = w.dimensions[3]
        let ldv = v.dimensions[2], d = width ?? ldv
        precondition(vc >= 0 && vc + d <= ldv, "attend: value columns out of range")
        precondition(d % heads == 0, "attend: \(heads) heads do not divide \(d)")
        let dh = d / heads, block = tq * tk
        let out = Tensor.uninitializedStorage(b * tq * d) { o in
            w.storage.withUnsafeBufferPointer { pw in
                v.storage.withUnsafeBufferPointer { pv in
                    for n in 0..<b {
                        for h in 0..<heads {
                            Float.gemm(
                                transA: false, transB: false, m: Int32(tq), n: Int32(dh), k: Int32(tk),
                                alpha: 1, a: pw.baseAddress! + (n * heads + h) * block, lda: Int32(tk),
                                b: pv.baseAddress! + n * tk * ldv + vc + h * dh, ldb: Int32(ldv), beta: 0,
                                c: o + n * tq * d + h * dh, ldc: Int32(d))
                        }
                    }
                }
            }
        }
        let result = Tensor(shape: TensorShape([b, tq, d]), storage: out)
        guard shouldRecord(w, v) else { return result }
        let wData = w.storage, vData = v.storage
        result.record([w, v]) { g in
            let gp = g.baseAddress!
            // dW_h = G_h·V_hᵀ, dV_h = W_hᵀ·G_h; each output element belongs to exactly one head block.
            w.accumulateGrad(overwritingFirst: { gw, overwrite in
                vData.withUnsafeBufferPointer { pv in
                    for n in 0..<b {
                        for h in 0..<heads {
                            Float.gemm(
                                transA: false, transB: true, m: Int32(tq), n: Int32(tk), k: Int32(dh),
                                alpha: 1, a: gp + n * tq * d + h * dh, lda: Int32(d),
                                b: pv.baseAddress! + n * tk * ldv + vc + h * dh, ldb: Int32(ldv), beta: overwrite ? 0 : 1,
                                c: gw + (n * heads + h) * block, ldc: Int32(tk))
                        }
                    }
                }
            })
            v.accumulateGrad(overwritingFirst: { gv, overwrite in
                let beta = blockBeta(gv, count: v.count, overwrite: overwrite, column: vc, width: d, rowWidth: ldv)
                wData.withUnsafeBufferPointer { pw in
                    for n in 0..<b {
                        for h in 0..<heads {
                            Float.gemm(
                                transA: true, transB: false, m: Int32(tk), n: Int32(dh), k: Int32(tq),
                                alpha: 1, a: pw.baseAddress! + (n * heads + h) * block, lda: Int32(tk),
                                b: gp + n * tq * d + h * dh, ldb: Int32(d), beta: beta,
                                c: gv + n * tk * ldv + vc + h * dh, ldc: Int32(ldv))
                        }
                    }
                }
            })
        }
        return result
    }
}
