/// Shared state and kernels of the non-negative CP solvers (HALS, BCD, multiplicative updates) for a
/// 3-way tensor laid out as in `ThreeWayTensor` (modes 0, 1, 2 = time, animal, pair; pair fastest).
///
/// The Khatri–Rao product of two factors is never formed over the big pair mode:
/// - modes 0 and 1 share one `gemm`, Y = X₍₀₁₎ · C, where X₍₀₁₎ is the tensor read as a (T·W) × P
///   matrix in place; their MTTKRPs are then O(T·W·R) reductions of Y with B or A. Y depends only on
///   C (and on the imputed entries), so it is computed once per outer iteration;
/// - mode 2 streams over blocks of time slices: for each block the (block·W) × R rows of A ⊙ B are
///   written into a small reused buffer and M₂ += X_blockᵀ · that buffer (one `gemm` per block).
/// Factors are row-major (rows × R) Double arrays and carry their scale; `KruskalTensor` normalises
/// them at the end.
///
/// Missing entries are imputed with the current model before each outer iteration (tensortools'
/// `mask` semantics, an EM scheme): at fixed imputation the filled objective majorises the masked one
/// and touches it at the current iterate, so any solver step that lowers the filled objective also
/// lowers the masked objective, and masked values never enter the fit.
final class CPEngine {
    let dims: [Int]
    let rank: Int
    var x: [Double]
    let missing: [Int]
    let observedSquaredNorm: Double
    var factors: [[Double]]
    var grams: [[Double]]
    private var y: [Double]
    private var mttkrp: [[Double]]
    private var krBlock: [Double]
    private let blockSlices: Int

    init(tensor: ThreeWayTensor, factors: [[Double]], rank: Int) {
        dims = tensor.shape
        self.rank = rank
        x = tensor.values
        missing = tensor.missing
        observedSquaredNorm = tensor.squaredNorm
        self.factors = factors
        grams = dims.map { _ in [Double](repeating: 0, count: rank * rank) }
        mttkrp = dims.map { [Double](repeating: 0, count: $0 * rank) }
        y = [Double](repeating: 0, count: dims[0] * dims[1] * rank)
        // Keep the streamed Khatri–Rao block at ≤ 64k rows (≤ 0.5 MB per component).
        blockSlices = max(1, min(dims[0], 65_536 / max(1, dims[1])))
        krBlock = [Double](repeating: 0, count: blockSlices * dims[1] * rank)
        for n in 0..<3 { updateGram(n) }
    }

    // MARK: Gram matrices

    func updateGram(_ n: Int) {
        let rows = dims[n]
        let r = rank
        factors[n].withUnsafeBufferPointer { u in
            grams[n].withUnsafeMutableBufferPointer { g in
                Double.gemm(
                    transA: true, transB: false, m: Int32(r), n: Int32(r), k: Int32(rows), alpha: 1,
                    a: u.baseAddress!, lda: Int32(r), b: u.baseAddress!, ldb: Int32(r), beta: 0,
                    c: g.baseAddress!, ldc: Int32(r))
            }
        }
    }

    /// Hadamard product of the Gram matrices of every mode except `n`.
    func otherGrams(_ n: Int) -> [Double] {
        var g = [Double](repeating: 1, count: rank * rank)
        for m in 0..<3 where m != n {
            for k in 0..<g.count { g[k] *= grams[m][k] }
        }
        return g
    }

    // MARK: MTTKRP

    /// Recomputes Y = X₍₀₁₎ · C. Call at the start of each outer iteration (after imputation).
    func refreshY() {
        let tw = dims[0] * dims[1]
        let p = dims[2]
        let r = rank
        x.withUnsafeBufferPointer { xp in
            factors[2].withUnsafeBufferPointer { c in
                y.withUnsafeMutableBufferPointer { yp in
                    Double.gemm(
                        transA: false, transB: false, m: Int32(tw), n: Int32(r), k: Int32(p), alpha: 1,
                        a: xp.baseAddress!, lda: Int32(p), b: c.baseAddress!, ldb: Int32(r), beta: 0,
                        c: yp.baseAddress!, ldc: Int32(r))
                }
            }
        }
    }

    /// MTTKRP for mode `n` with the current factors of the other modes (modes 0 and 1 use the Y
    /// from the last `refreshY`, valid as long as C has not changed since).
    func computeMTTKRP(_ n: Int) -> [Double] {
        let (t, w, p, r) = (dims[0], dims[1], dims[2], rank)
        var m = mttkrp[n]
        m.withUnsafeMutableBufferPointer { out in
            for k in 0..<out.count { out[k] = 0 }
            switch n {
            case 0:
                y.withUnsafeBufferPointer { yp in
                    factors[1].withUnsafeBufferPointer { b in
                        for ti in 0..<t {
                            for wi in 0..<w {
                                let yRow = (ti &* w &+ wi) &* r
                                for q in 0..<r { out[ti &* r &+ q] += yp[yRow &+ q] * b[wi &* r &+ q] }
                            }
                        }
                    }
                }
            case 1:
                y.withUnsafeBufferPointer { yp in
                    factors[0].withUnsafeBufferPointer { a in
                        for ti in 0..<t {
                            for wi in 0..<w {
                                let yRow = (ti &* w &+ wi) &* r
                                for q in 0..<r { out[wi &* r &+ q] += yp[yRow &+ q] * a[ti &* r &+ q] }
                            }
                        }
                    }
                }
            default:
                x.withUnsafeBufferPointer { xp in
                    factors[0].withUnsafeBufferPointer { a in
                        factors[1].withUnsafeBufferPointer { b in
                            krBlock.withUnsafeMutableBufferPointer { kr in
                                var t0 = 0
                                while t0 < t {
                                    let slices = min(blockSlices, t &- t0)
                                    for s in 0..<slices {
                                        for wi in 0..<w {
                                            let row = (s &* w &+ wi) &* r
                                            for q in 0..<r { kr[row &+ q] = a[(t0 &+ s) &* r &+ q] * b[wi &* r &+ q] }
                                        }
                                    }
                                    Double.gemm(
                                        transA: true, transB: false, m: Int32(p), n: Int32(r), k: Int32(slices &* w),
                                        alpha: 1, a: xp.baseAddress! + t0 &* w &* p, lda: Int32(p),
                                        b: kr.baseAddress!, ldb: Int32(r), beta: 1, c: out.baseAddress!, ldc: Int32(r))
                                    t0 &+= slices
                                }
                            }
                        }
                    }
                }
            }
        }
        mttkrp[n] = m
        return m
    }

    // MARK: Objective and imputation

    /// Model value at a flat index.
    @inline(__always) func model(at flat: Int) -> Double {
        let p = flat % dims[2]
        let tw = flat / dims[2]
        let w = tw % dims[1]
        let t = tw / dims[1]
        let r = rank
        var v = 0.0
        for q in 0..<r { v += factors[0][t &* r &+ q] * factors[1][w &* r &+ q] * factors[2][p &* r &+ q] }
        return v
    }

    /// ‖X̂‖² from the Gram matrices.
    func modelSquaredNorm() -> Double {
        var s = 0.0
        for k in 0..<(rank * rank) { s += grams[0][k] * grams[1][k] * grams[2][k] }
        return s
    }

    /// Masked sum of squared residuals, given the mode-2 MTTKRP `m2` computed with the current A, B.
    /// Uses ‖X_fill − X̂‖² = ‖X_fill‖² − 2⟨M₂, C⟩ + ‖X̂‖², then removes the imputed entries' share.
    func maskedSSE(m2: [Double]) -> Double {
        var inner = 0.0
        factors[2].withUnsafeBufferPointer { c in
            for k in 0..<c.count { inner += c[k] * m2[k] }
        }
        var fillNorm = observedSquaredNorm
        var missingResidual = 0.0
        for i in missing {
            fillNorm += x[i] * x[i]
            let d = x[i] - model(at: i)
            missingResidual += d * d
        }
        return max(0, fillNorm - 2 * inner + modelSquaredNorm() - missingResidual)
    }

    /// Masked SSE computed directly (used after the factors change outside a sweep).
    func maskedSSE() -> Double { maskedSSE(m2: computeMTTKRP(2)) }

    /// Writes the current model into the missing entries.
    func impute() {
        for i in missing { x[i] = model(at: i) }
    }

    func relativeError(_ sse: Double) -> Double {
        observedSquaredNorm > 0 ? (sse / observedSquaredNorm).squareRoot() : sse.squareRoot()
    }
}
