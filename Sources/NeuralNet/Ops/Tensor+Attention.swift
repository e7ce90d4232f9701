import CKernels
import Foundation
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

/// Whether attention's per-head products use CKernels' small-matrix sgemm (`ck_nn_sgemm_small_avx2`)
/// instead of one BLAS call each: true on CPUs with AVX2+FMA unless `NEUROSWIFT_SMALL_GEMM=0`. A head's
/// product is ~1 MFLOP (128×128×32 in the reference transformer), too small for BLAS's per-call set-up
/// and operand packing to pay off; the small kernel packs only a 16-column panel of B and runs the
/// (batch, head) pairs on `KernelThreads.count` threads (each pair writes its own block of the result,
/// and each element is one in-order dot product, so the bits do not depend on the thread count).
enum AttentionGEMM {
    static let usesSmallKernel: Bool = {
        guard CPUFeatures.hasAVX2FMA else { return false }
        return ProcessInfo.processInfo.environment["NEUROSWIFT_SMALL_GEMM"] != "0"
    }()

    /// C_p = alpha·op(A_p)·op(B_p) + beta·C_p for every pair p in 0..<pairs (pointers from the closures).
    @inline(__always)
    static func run(
        pairs: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: (Int) -> UnsafePointer<Float>, lda: Int, b: (Int) -> UnsafePointer<Float>, ldb: Int, beta: Float,
        c: (Int) -> UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard usesSmallKernel && k <= 512 else {
            for p in 0..<pairs {
                Tensor.gemm(transA: transA, transB: transB, m: Int32(m), n: Int32(n), k: Int32(k), alpha: alpha,
                            a: a(p), lda: Int32(lda), b: b(p), ldb: Int32(ldb), beta: beta, c: c(p), ldc: Int32(ldc))
            }
            return
        }
        let counting = GEMMStatistics.isEnabled
        let start = counting ? GEMMStatistics.now() : (0, 0)
        Parallel.forEachChunk(pairs, work: pairs &* m &* n &* k / 8) { p in
            ck_nn_sgemm_small_avx2(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a(p), lda, b(p), ldb, beta, c(p), ldc)
        }
        if counting {
            GEMMStatistics.record(products: pairs, flops: 2 * Double(pairs) * Double(m) * Double(n) * Double(k), since: start)
        }
    }
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
                    let q0 = pq.baseAddress!, k0 = pk.baseAddress!
                    AttentionGEMM.run(
                        pairs: b * heads, transA: false, transB: true, m: tq, n: tk, k: dh, alpha: scale,
                        a: { q0 + ($0 / heads) * tq * ldq + qc + ($0 % heads) * dh }, lda: ldq,
                        b: { k0 + ($0 / heads) * tk * ldk + kc + ($0 % heads) * dh }, ldb: ldk, beta: 0,
                        c: { s + $0 * block }, ldc: tk)
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
                        let k0 = pk.baseAddress!
                        AttentionGEMM.run(
                            pairs: b * heads, transA: false, transB: false, m: tq, n: dh, k: tk, alpha: scale,
                            a: { UnsafePointer(ds + $0 * block) }, lda: tk,
                            b: { k0 + ($0 / heads) * tk * ldk + kc + ($0 % heads) * dh }, ldb: ldk, beta: beta,
                            c: { gq + ($0 / heads) * tq * ldq + qc + ($0 % heads) * dh }, ldc: ldq)
                    }
                })
                k.accumulateGrad(overwritingFirst: { gk, overwrite in
                    let beta = blockBeta(gk, count: k.count, overwrite: overwrite, column: kc, width: d, rowWidth: ldk)
                    qData.withUnsafeBufferPointer { pq in
                        let q0 = pq.baseAddress!
                        AttentionGEMM.run(
                            pairs: b * heads, transA: true, transB: false, m: tk, n: dh, k: tq, alpha: scale,
                            a: { UnsafePointer(ds + $0 * block) }, lda: tk,
                            b: { q0 + ($0 / heads) * tq * ldq + qc + ($0 % heads) * dh }, ldb: ldq, beta: beta,
                            c: { gk + ($0 / heads) * tk * ldk + kc + ($0 % heads) * dh }, ldc: ldk)
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
                    let w0 = pw.baseAddress!, v0 = pv.baseAddress!
                    AttentionGEMM.run(
                        pairs: b * heads, transA: false, transB: false, m: tq, n: dh, k: tk, alpha: 1,
                        a: { w0 + $0 * block }, lda: tk,
                        b: { v0 + ($0 / heads) * tk * ldv + vc + ($0 % heads) * dh }, ldb: ldv, beta: 0,
                        c: { o + ($0 / heads) * tq * d + ($0 % heads) * dh }, ldc: d)
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
                    let v0 = pv.baseAddress!
                    AttentionGEMM.run(
                        pairs: b * heads, transA: false, transB: true, m: tq, n: tk, k: dh, alpha: 1,
                        a: { UnsafePointer(gp + ($0 / heads) * tq * d + ($0 % heads) * dh) }, lda: d,
                        b: { v0 + ($0 / heads) * tk * ldv + vc + ($0 % heads) * dh }, ldb: ldv, beta: overwrite ? 0 : 1,
                        c: { gw + $0 * block }, ldc: tk)
                }
            })
            v.accumulateGrad(overwritingFirst: { gv, overwrite in
                let beta = blockBeta(gv, count: v.count, overwrite: overwrite, column: vc, width: d, rowWidth: ldv)
                wData.withUnsafeBufferPointer { pw in
                    let w0 = pw.baseAddress!
                    AttentionGEMM.run(
                        pairs: b * heads, transA: true, transB: false, m: tk, n: dh, k: tq, alpha: 1,
                        a: { w0 + $0 * block }, lda: tk,
                        b: { UnsafePointer(gp + ($0 / heads) * tq * d + ($0 % heads) * dh) }, ldb: d, beta: beta,
                        c: { gv + ($0 / heads) * tk * ldv + vc + ($0 % heads) * dh }, ldc: ldv)
                }
            })
        }
        return result
    }
}
