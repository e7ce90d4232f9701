import CKernels
import Dispatch

/// Shared state and kernels of the non-negative CP solvers (HALS, BCD, multiplicative updates) for a
/// 3-way tensor laid out as in `ThreeWayTensor` (modes 0, 1, 2 = time, animal, pair; pair fastest).
///
/// The Khatri–Rao product is never formed; each iteration makes two passes over the tensor, read as
/// the (T·W) × P matrix X₍₀₁₎ in place (C kernels `ck_cp_xc_*` / `ck_cp_xtk_*`, AVX2/FMA when the CPU
/// has it, else portable C; `CPKernels` is the Swift reference they are tested against):
/// - modes 0 and 1 share Y = X₍₀₁₎ · C; their MTTKRPs are then O(T·W·R) reductions of Y with B or A.
///   Y depends only on C (and on the imputed entries), so it is computed once per outer iteration;
/// - mode 2 is M₂ = X₍₀₁₎ᵀ · (A ⊙ B), each row A[t] ∘ B[w] made on the fly.
/// Y splits its rows over `threads` workers and M₂ its pairs, so every output entry is computed by
/// one worker in a fixed order: the results are bit-identical for any thread count.
/// HALS on the Float copy without missing entries fuses the two (`pairStepFusedWithY`): stripe by
/// stripe of pairs, M₂, the update of those rows of C and their share of the next Y, so an outer
/// iteration reads the tensor from memory once instead of twice.
/// Factors are row-major (rows × R) Double arrays and carry their scale; `KruskalTensor` normalises
/// them at the end. With `singlePrecision` the kernels read a Float copy of the tensor (Float sums
/// over short runs, Double across runs); the objective, Gram matrices and updates stay in Double.
///
/// Missing entries are imputed with the current model before each outer iteration (tensortools'
/// `mask` semantics, an EM scheme): at fixed imputation the filled objective majorises the masked one
/// and touches it at the current iterate, so any solver step that lowers the filled objective also
/// lowers the masked objective, and masked values never enter the fit.
final class CPEngine {
    let dims: [Int]
    let rank: Int
    var x: [Double]
    private var xSingle: [Float]
    let singlePrecision: Bool
    let missing: [Int]
    let observedSquaredNorm: Double
    /// Any change marks Y as out of date (`ensureY` then recomputes it).
    var factors: [[Double]] { didSet { yIsCurrent = false } }
    var grams: [[Double]]
    let threads: Int
    /// Whether the kernels take their AVX2/FMA path (tests switch it off to check the portable one).
    let useAVX2: Bool
    /// R rounded up to a multiple of 4: the columns of Cᵀ and Y (`ck_cp_xc_*` works in blocks of 4).
    private let paddedRank: Int
    private var y: [Double]
    /// Whether `y` is X₍₀₁₎ · C for the current factors and tensor values. Conservative: cleared by any
    /// change of any factor and by imputation.
    private(set) var yIsCurrent = false
    /// Passes over the tensor made for Y so far (tests check that none is wasted).
    private(set) var yPasses = 0
    /// Fused pair-mode passes made so far (`pairStepFusedWithY`).
    private(set) var fusedPasses = 0
    /// The C that the Y of the last fused pass belongs to (`adoptFusedY`).
    private(set) var fusedNext: [Double] = []
    /// Whether HALS may fuse its pair-mode step with the next Y (tests switch it off to compare).
    var allowFusion = true
    private var partials: [Double] = []
    private var ct: [Double]
    private var ctSingle: [Float]
    private var mt: [Double]
    private var scratch: [Float]
    private let rowRanges: [Range<Int>]
    private let pairRanges: [Range<Int>]

    init(
        tensor: ThreeWayTensor, factors: [[Double]], rank: Int, singlePrecision: Bool = false, threads: Int = 1,
        useAVX2: Bool = CPUFeatures.hasAVX2FMA
    ) {
        dims = tensor.shape
        self.rank = rank
        x = tensor.values
        self.singlePrecision = singlePrecision
        self.useAVX2 = useAVX2
        missing = tensor.missing
        if singlePrecision {
            // The tensor's shared Float copy (made once per tensor value), and its norm: the kernels
            // see the Float values, so the SSE identity stays exact.
            let copy = tensor.singlePrecisionCopy
            xSingle = copy.values
            observedSquaredNorm = copy.squaredNorm
        } else {
            xSingle = []
            observedSquaredNorm = tensor.squaredNorm
        }
        self.factors = factors
        grams = dims.map { _ in [Double](repeating: 0, count: rank * rank) }
        let rows = tensor.shape[0] * tensor.shape[1], pairs = tensor.shape[2]
        paddedRank = (rank + 3) / 4 * 4
        // Threads only pay off on tensors big enough to amortise the dispatch (≈ 10 µs).
        let workers = rows * pairs >= 1 << 16 ? max(1, min(threads, rows / 4, pairs / 8)) : 1
        self.threads = workers
        rowRanges = CPEngine.split(rows, parts: workers, multiple: 2)
        pairRanges = CPEngine.split(pairs, parts: workers, multiple: 8)
        y = [Double](repeating: 0, count: rows * paddedRank)
        ct = [Double](repeating: 0, count: paddedRank * pairs)
        ctSingle = [Float](repeating: 0, count: singlePrecision ? paddedRank * pairs : 0)
        mt = [Double](repeating: 0, count: rank * pairs)
        scratch = [Float](repeating: 0, count: singlePrecision ? rank * pairs : 0)
        for n in 0..<3 { updateGram(n) }
    }

    /// `parts` contiguous ranges covering 0..<count, boundaries at multiples of `multiple`.
    static func split(_ count: Int, parts: Int, multiple: Int) -> [Range<Int>] {
        guard parts > 1 else { return [0..<count] }
        let blocks = (count + multiple - 1) / multiple
        return (0..<parts).map { k in
            min(count, blocks * k / parts * multiple)..<min(count, blocks * (k + 1) / parts * multiple)
        }
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

    /// Runs `body` on each range, concurrently when there are several.
    private func forEach(_ ranges: [Range<Int>], _ body: @Sendable (Range<Int>) -> Void) {
        if ranges.count == 1 { body(ranges[0]); return }
        DispatchQueue.concurrentPerform(iterations: ranges.count) { k in body(ranges[k]) }
    }

    /// Recomputes Y unless it is current (e.g. the first sweep of a fit reuses the Y that gave the
    /// initial error).
    func ensureY() {
        if !yIsCurrent { refreshY() }
    }

    /// Recomputes Y = X₍₀₁₎ · C. Call at the start of each outer iteration (after imputation).
    func refreshY() {
        defer { yIsCurrent = true; yPasses += 1 }
        let (p, r, cols, avx) = (dims[2], rank, paddedRank, Int32(useAVX2 ? 1 : 0))
        // Cᵀ, zero-padded to `cols` rows.
        factors[2].withUnsafeBufferPointer { c in
            for q in 0..<r { for i in 0..<p { ct[q &* p &+ i] = c[i &* r &+ q] } }
        }
        if singlePrecision { for k in 0..<(r * p) { ctSingle[k] = Float(ct[k]) } }
        y.withUnsafeMutableBufferPointer { yb in
            let out = SharedPointer(yb.baseAddress!)
            if singlePrecision {
                xSingle.withUnsafeBufferPointer { xb in
                    ctSingle.withUnsafeBufferPointer { cb in
                        let (xs, cs) = (SharedPointer(xb.baseAddress!), SharedPointer(cb.baseAddress!))
                        forEach(rowRanges) { rows in
                            ck_cp_xc_f32(xs.base, p, cs.base, cols, out.base, rows.lowerBound, rows.upperBound, avx)
                        }
                    }
                }
            } else {
                x.withUnsafeBufferPointer { xb in
                    ct.withUnsafeBufferPointer { cb in
                        let (xs, cs) = (SharedPointer(xb.baseAddress!), SharedPointer(cb.baseAddress!))
                        forEach(rowRanges) { rows in
                            ck_cp_xc_f64(xs.base, p, cs.base, cols, out.base, rows.lowerBound, rows.upperBound, avx)
                        }
                    }
                }
            }
        }
    }

    /// MTTKRP for mode `n` (rows × R) with the current factors of the other modes (modes 0 and 1
    /// use the Y from the last `refreshY`, valid as long as C has not changed since).
    func computeMTTKRP(_ n: Int) -> [Double] {
        let (t, w, p, r, cols) = (dims[0], dims[1], dims[2], rank, paddedRank)
        var out = [Double](repeating: 0, count: dims[n] * r)
        switch n {
        case 0, 1:
            y.withUnsafeBufferPointer { yp in
                factors[1 - n].withUnsafeBufferPointer { u in
                    out.withUnsafeMutableBufferPointer { o in
                        for ti in 0..<t {
                            for wi in 0..<w {
                                let row = (ti &* w &+ wi) &* cols
                                let (target, source) = n == 0 ? (ti &* r, wi &* r) : (wi &* r, ti &* r)
                                for q in 0..<r { o[target &+ q] += yp[row &+ q] * u[source &+ q] }
                            }
                        }
                    }
                }
            }
        default:
            let avx = Int32(useAVX2 ? 1 : 0)
            factors[0].withUnsafeBufferPointer { ab in
                factors[1].withUnsafeBufferPointer { bb in
                    mt.withUnsafeMutableBufferPointer { mb in
                        let (a, b, m) = (SharedPointer(ab.baseAddress!), SharedPointer(bb.baseAddress!), SharedPointer(mb.baseAddress!))
                        if singlePrecision {
                            xSingle.withUnsafeBufferPointer { xb in
                                scratch.withUnsafeMutableBufferPointer { sb in
                                    let (xs, s) = (SharedPointer(xb.baseAddress!), SharedPointer(sb.baseAddress!))
                                    forEach(pairRanges) { range in
                                        ck_cp_xtk_f32(
                                            xs.base, t, w, p, a.base, b.base, r, m.base, s.base + r &* range.lowerBound,
                                            range.lowerBound, range.upperBound, avx)
                                    }
                                }
                            }
                        } else {
                            x.withUnsafeBufferPointer { xb in
                                let xs = SharedPointer(xb.baseAddress!)
                                forEach(pairRanges) { range in
                                    ck_cp_xtk_f64(
                                        xs.base, t, w, p, a.base, b.base, r, m.base, range.lowerBound, range.upperBound, avx)
                                }
                            }
                        }
                    }
                }
            }
            mt.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<p { for q in 0..<r { o[i &* r &+ q] = m[q &* p &+ i] } }
                }
            }
        }
        return out
    }

    // MARK: Pair-mode step fused with the next Y

    /// Pairs per stripe of the fused pass: a stripe of the Float tensor (T·W × 64 × 4 bytes, 614 KB on
    /// the benchmark tensor) is read from memory once and is still in the 1 MB L2 for its second use.
    static let stripeWidth = 64

    /// Whether `pairStepFusedWithY` applies: the Float copy and no missing entries (imputation changes
    /// X between sweeps, so Y must then be made after it anyway).
    var canFusePairStep: Bool { allowFusion && singlePrecision && missing.isEmpty }

    /// The pair-mode half of a HALS sweep and the next sweep's Y = X₍₀₁₎·C′ in one pass over the tensor
    /// instead of two. Given M₂ and G the rows of C are independent, so for each fixed stripe of
    /// `stripeWidth` pairs: M₂ for the stripe (`ck_cp_xtk_f32`), then `step(rows, m, c, next)` updates
    /// those rows of C = factors[2] from M₂ (row-major P × R) and writes the rows of the next sweep's
    /// start C′ into `next`, then the stripe's share of X·C′ is added to Y (`ck_cp_xc_f32_stripe`)
    /// while the stripe is still in cache. Shares are added to Y in stripe order (with several
    /// workers, each stripe's share goes to its own buffer and the buffers are added in order), so Y has
    /// the same bits for any worker count. Returns M₂ (P × R). Y then belongs to C′: `adoptFusedY` marks
    /// it current once factors[2] is set to C′ (`fusedNext`).
    func pairStepFusedWithY(
        _ step: @Sendable (Range<Int>, UnsafePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) -> [Double] {
        precondition(canFusePairStep)
        fusedPasses += 1
        let (t, w, p, r, cols, avx) = (dims[0], dims[1], dims[2], rank, paddedRank, Int32(useAVX2 ? 1 : 0))
        let rows = t &* w, width = CPEngine.stripeWidth
        let stripes = (p + width - 1) / width
        let workers = min(threads, stripes)
        let stripeRanges = CPEngine.split(stripes, parts: workers, multiple: 1)
        var m2 = [Double](repeating: 0, count: p * r)
        var next = factors[2]
        let shares = rows &* cols
        if workers > 1 {
            if partials.count != stripes * shares { partials = [Double](repeating: 0, count: stripes * shares) }
            partials.withUnsafeMutableBufferPointer { b in b.update(repeating: 0) }
        } else {
            y.withUnsafeMutableBufferPointer { b in b.update(repeating: 0) }
        }
        let perStripe = workers > 1 ? shares : 0
        y.withUnsafeMutableBufferPointer { yb in
        partials.withUnsafeMutableBufferPointer { pb in
        let yTarget = SharedPointer(workers > 1 ? pb.baseAddress! : yb.baseAddress!)
        xSingle.withUnsafeBufferPointer { xb in
            factors[0].withUnsafeBufferPointer { ab in
                factors[1].withUnsafeBufferPointer { bb in
                    factors[2].withUnsafeMutableBufferPointer { cb in
                        next.withUnsafeMutableBufferPointer { nb in
                            m2.withUnsafeMutableBufferPointer { mb in
                                mt.withUnsafeMutableBufferPointer { mtb in
                                    ctSingle.withUnsafeMutableBufferPointer { ctb in
                                        scratch.withUnsafeMutableBufferPointer { sb in
                                            let xs = SharedPointer(xb.baseAddress!), a = SharedPointer(ab.baseAddress!)
                                            let b = SharedPointer(bb.baseAddress!), c = SharedPointer(cb.baseAddress!)
                                            let n = SharedPointer(nb.baseAddress!), m = SharedPointer(mb.baseAddress!)
                                            let mtp = SharedPointer(mtb.baseAddress!), ct = SharedPointer(ctb.baseAddress!)
                                            let sc = SharedPointer(sb.baseAddress!)
                                            forEach(stripeRanges) { range in
                                                for stripe in range {
                                                    let p0 = stripe &* width, p1 = min(p, p0 &+ width)
                                                    ck_cp_xtk_f32(
                                                        xs.base, t, w, p, a.base, b.base, r, mtp.base, sc.base + r &* p0, p0, p1, avx)
                                                    for i in p0..<p1 { for q in 0..<r { m.base[i &* r &+ q] = mtp.base[q &* p &+ i] } }
                                                    step(p0..<p1, m.base, c.base, n.base)
                                                    for i in p0..<p1 { for q in 0..<r { ct.base[q &* p &+ i] = Float(n.base[i &* r &+ q]) } }
                                                    ck_cp_xc_f32_stripe(
                                                        xs.base, p, ct.base, cols, yTarget.base + stripe &* perStripe, 0, rows, p0, p1, 1, avx)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        }
        if workers > 1 {
            // Y = ((0 + share₀) + share₁) + …, the single-worker order.
            y.withUnsafeMutableBufferPointer { yb in
                partials.withUnsafeBufferPointer { pb in
                    yb.update(repeating: 0)
                    for stripe in 0..<stripes {
                        let base = stripe &* shares
                        for k in 0..<shares { yb[k] += pb[base &+ k] }
                    }
                }
            }
        }
        fusedNext = next
        return m2
    }

    /// Y without its padding columns (rows × R), for tests.
    var currentY: [Double] {
        (0..<(dims[0] * dims[1])).flatMap { i in (0..<rank).map { q in y[i * paddedRank + q] } }
    }

    /// Marks the Y of the last fused pass current; factors[2] must be that pass's C′.
    func adoptFusedY() {
        precondition(factors[2] == fusedNext, "factors[2] is not the fused pass's C′")
        yIsCurrent = true
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
    func maskedSSE(m2: [Double]) -> Double {
        var inner = 0.0
        factors[2].withUnsafeBufferPointer { c in
            for k in 0..<c.count { inner += c[k] * m2[k] }
        }
        return maskedSSE(inner: inner)
    }

    /// Masked SSE from the current Y (no pass over the tensor): ⟨X_fill, X̂⟩ = Σ_{t,w,q} Y[tw,q]·A[t,q]·B[w,q].
    func maskedSSEFromY() -> Double {
        precondition(yIsCurrent, "Y is out of date")
        let (t, w, r, cols) = (dims[0], dims[1], rank, paddedRank)
        var inner = 0.0
        y.withUnsafeBufferPointer { yp in
            factors[0].withUnsafeBufferPointer { a in
                factors[1].withUnsafeBufferPointer { b in
                    for ti in 0..<t {
                        for wi in 0..<w {
                            let row = (ti &* w &+ wi) &* cols
                            for q in 0..<r { inner += yp[row &+ q] * a[ti &* r &+ q] * b[wi &* r &+ q] }
                        }
                    }
                }
            }
        }
        return maskedSSE(inner: inner)
    }

    /// ‖X_fill − X̂‖² = ‖X_fill‖² − 2⟨X_fill, X̂⟩ + ‖X̂‖², minus the imputed entries' share.
    private func maskedSSE(inner: Double) -> Double {
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
        guard !missing.isEmpty else { return }
        yIsCurrent = false
        for i in missing { x[i] = model(at: i) }
        if singlePrecision { for i in missing { xSingle[i] = Float(x[i]) } }
    }

    func relativeError(_ sse: Double) -> Double {
        observedSquaredNorm > 0 ? (sse / observedSquaredNorm).squareRoot() : sse.squareRoot()
    }
}
