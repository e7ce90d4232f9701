import Dispatch

/// Shared state and kernels of the non-negative CP solvers (HALS, BCD, multiplicative updates) for a
/// 3-way tensor laid out as in `ThreeWayTensor` (modes 0, 1, 2 = time, animal, pair; pair fastest).
///
/// The Khatri–Rao product is never formed; each iteration makes two passes over the tensor, read as
/// the (T·W) × P matrix X₍₀₁₎ in place (`CPKernels`):
/// - modes 0 and 1 share Y = X₍₀₁₎ · C; their MTTKRPs are then O(T·W·R) reductions of Y with B or A.
///   Y depends only on C (and on the imputed entries), so it is computed once per outer iteration;
/// - mode 2 is M₂ = X₍₀₁₎ᵀ · (A ⊙ B), each row A[t] ∘ B[w] made on the fly.
/// Both passes split the rows over `threads` workers (M₂ into per-worker partial sums added after).
/// Factors are row-major (rows × R) Double arrays and carry their scale; `KruskalTensor` normalises
/// them at the end. With `singlePrecision` the kernels read a Float copy of the tensor (see
/// `CPKernels`); the objective, Gram matrices and updates stay in Double.
///
/// Missing entries are imputed with the current model before each outer iteration (tensortools'
/// `mask` semantics, an EM scheme): at fixed imputation the filled objective majorises the masked one
/// and touches it at the current iterate, so any solver step that lowers the filled objective also
/// lowers the masked objective, and masked values never enter the fit.
final class CPEngine {
    typealias D4 = SIMD4<Double>
    typealias F4 = SIMD4<Float>

    let dims: [Int]
    let rank: Int
    var x: [Double]
    private var xSingle: [Float]
    let singlePrecision: Bool
    let missing: [Int]
    let observedSquaredNorm: Double
    var factors: [[Double]]
    var grams: [[Double]]
    let threads: Int
    /// ⌈R/4⌉: the rank padded to SIMD4 chunks in the kernels' buffers.
    private let chunks: Int
    private var y: [D4]
    private var padded: [[D4]]
    private var paddedSingle: [F4]
    private var partials: [D4]
    private var scratch: [F4]
    private let rowRanges: [Range<Int>]

    init(tensor: ThreeWayTensor, factors: [[Double]], rank: Int, singlePrecision: Bool = false, threads: Int = 1) {
        dims = tensor.shape
        self.rank = rank
        x = tensor.values
        self.singlePrecision = singlePrecision
        let single = singlePrecision ? tensor.values.map { Float($0) } : []
        xSingle = single
        missing = tensor.missing
        // Single precision: the norm of the Float copy the kernels see, so the SSE identity stays exact.
        observedSquaredNorm = singlePrecision ? single.reduce(0) { $0 + Double($1) * Double($1) } : tensor.squaredNorm
        self.factors = factors
        grams = dims.map { _ in [Double](repeating: 0, count: rank * rank) }
        let ch = (rank + 3) / 4
        chunks = ch
        let rows = tensor.shape[0] * tensor.shape[1]
        // Threads only pay off on tensors big enough to amortise the dispatch (≈ 10 µs).
        let workers = rows * tensor.shape[2] >= 1 << 16 ? max(1, min(threads, rows / 4)) : 1
        self.threads = workers
        rowRanges = CPKernels.split(rows: rows, parts: workers)
        let pairs = tensor.shape[2]
        y = [D4](repeating: D4(), count: rows * ch)
        padded = tensor.shape.map { [D4](repeating: D4(), count: $0 * ch) }
        paddedSingle = [F4](repeating: F4(), count: singlePrecision ? pairs * ch : 0)
        partials = [D4](repeating: D4(), count: workers * pairs * ch)
        scratch = [F4](repeating: F4(), count: singlePrecision ? workers * pairs * ch : 0)
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

    /// Copies factor `n` into its zero-padded SIMD4 buffer (and C's Float copy when single).
    private func pad(_ n: Int) {
        let (rows, r, ch) = (dims[n], rank, chunks)
        factors[n].withUnsafeBufferPointer { u in
            padded[n].withUnsafeMutableBufferPointer { out in
                out.withMemoryRebound(to: Double.self) { flat in
                    for i in 0..<rows {
                        for q in 0..<(ch &* 4) { flat[i &* ch &* 4 &+ q] = q < r ? u[i &* r &+ q] : 0 }
                    }
                }
            }
        }
        if n == 2 && singlePrecision {
            for k in 0..<(rows * ch) {
                let v = padded[2][k]
                paddedSingle[k] = F4(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]))
            }
        }
    }

    /// Runs `body` on each worker's row range, concurrently when there are several.
    private func forEachRowRange(_ body: @Sendable (Int, Range<Int>) -> Void) {
        let ranges = rowRanges
        if ranges.count == 1 { body(0, ranges[0]); return }
        DispatchQueue.concurrentPerform(iterations: ranges.count) { k in body(k, ranges[k]) }
    }

    /// Recomputes Y = X₍₀₁₎ · C. Call at the start of each outer iteration (after imputation).
    func refreshY() {
        pad(2)
        let (p, ch) = (dims[2], chunks)
        y.withUnsafeMutableBufferPointer { yb in
            let out = SharedPointer(yb.baseAddress!)
            if singlePrecision {
                xSingle.withUnsafeBufferPointer { xb in
                    paddedSingle.withUnsafeBufferPointer { cb in
                        let (xs, cs) = (SharedPointer(xb.baseAddress!), SharedPointer(cb.baseAddress!))
                        forEachRowRange { _, rows in
                            CPKernels.rowsTimesFactor(x: xs.base, pairs: p, c: cs.base, chunks: ch, y: out.base, rows: rows)
                        }
                    }
                }
            } else {
                x.withUnsafeBufferPointer { xb in
                    padded[2].withUnsafeBufferPointer { cb in
                        let (xs, cs) = (SharedPointer(xb.baseAddress!), SharedPointer(cb.baseAddress!))
                        forEachRowRange { _, rows in
                            CPKernels.rowsTimesFactor(x: xs.base, pairs: p, c: cs.base, chunks: ch, y: out.base, rows: rows)
                        }
                    }
                }
            }
        }
    }

    /// MTTKRP for mode `n` (rows × R) with the current factors of the other modes (modes 0 and 1
    /// use the Y from the last `refreshY`, valid as long as C has not changed since).
    func computeMTTKRP(_ n: Int) -> [Double] {
        let (t, w, p, r, ch) = (dims[0], dims[1], dims[2], rank, chunks)
        var out = [Double](repeating: 0, count: dims[n] * r)
        switch n {
        case 0, 1:
            pad(1 - n)
            let other = padded[1 - n]
            y.withUnsafeBufferPointer { yp in
                other.withUnsafeBufferPointer { u in
                    var acc = [D4](repeating: D4(), count: dims[n] * ch)
                    for ti in 0..<t {
                        for wi in 0..<w {
                            let row = (ti &* w &+ wi) &* ch
                            let (target, source) = n == 0 ? (ti, wi) : (wi, ti)
                            for j in 0..<ch { acc[target &* ch &+ j] += yp[row &+ j] * u[source &* ch &+ j] }
                        }
                    }
                    for i in 0..<dims[n] { for q in 0..<r { out[i &* r &+ q] = acc[i &* ch &+ q / 4][q % 4] } }
                }
            }
        default:
            pad(0); pad(1)
            let width = p * ch
            for k in partials.indices { partials[k] = D4() }
            padded[0].withUnsafeBufferPointer { ab in
                padded[1].withUnsafeBufferPointer { bb in
                    partials.withUnsafeMutableBufferPointer { mb in
                        let (a, b, m) = (SharedPointer(ab.baseAddress!), SharedPointer(bb.baseAddress!), SharedPointer(mb.baseAddress!))
                        if singlePrecision {
                            xSingle.withUnsafeBufferPointer { xb in
                                scratch.withUnsafeMutableBufferPointer { sb in
                                    let (xs, s) = (SharedPointer(xb.baseAddress!), SharedPointer(sb.baseAddress!))
                                    forEachRowRange { k, rows in
                                        CPKernels.transposeTimesKhatriRao(
                                            x: xs.base, pairs: p, animals: w, a: a.base, b: b.base, chunks: ch,
                                            m: m.base + k &* width, scratch: s.base + k &* width, rows: rows)
                                    }
                                }
                            }
                        } else {
                            x.withUnsafeBufferPointer { xb in
                                let xs = SharedPointer(xb.baseAddress!)
                                forEachRowRange { k, rows in
                                    CPKernels.transposeTimesKhatriRao(
                                        x: xs.base, pairs: p, animals: w, a: a.base, b: b.base, chunks: ch,
                                        m: m.base + k &* width, rows: rows)
                                }
                            }
                        }
                    }
                }
            }
            partials.withUnsafeBufferPointer { mb in
                mb.withMemoryRebound(to: Double.self) { flat in
                    for k in 0..<threads {
                        let base = k &* width &* 4
                        for i in 0..<p { for q in 0..<r { out[i &* r &+ q] += flat[base &+ i &* ch &* 4 &+ q] } }
                    }
                }
            }
        }
        return out
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
        if singlePrecision { for i in missing { xSingle[i] = Float(x[i]) } }
    }

    func relativeError(_ sse: Double) -> Double {
        observedSquaredNorm > 0 ? (sse / observedSquaredNorm).squareRoot() : sse.squareRoot()
    }
}
