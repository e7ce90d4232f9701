/// HALS for non-negative CP (Cichocki & Phan 2009; tensortools `ncp_hals`).
///
/// For mode n with G = ⊛_{m≠n} UₘᵀUₘ and M = MTTKRP(n), each column is set to its exact minimiser
/// with the others fixed, uₚ ← max(0, (Mₚ − Σ_{q≠p} U_q G_qp) / G_pp), in `sweeps` passes over the
/// columns. Every column step solves its sub-problem exactly, so the objective never increases.
///
/// With `extrapolate`, each accepted iterate is followed by an extrapolated start
/// U ← max(0, Uₖ + β(Uₖ − Uₖ₋₁)) for the next sweep (Ang & Gillis 2019, "HER"): β grows by 5 % after
/// every sweep whose result beats the best error so far, up to a cap that itself creeps up by 1 %;
/// when a sweep ends worse, its result is discarded, the sweep restarts from the last accepted
/// iterate, β shrinks by 1.5 and the cap drops to the failed β. If that plain restart sweep is also
/// worse (possible only through rounding, e.g. with the Float tensor), it is discarded too and the fit
/// stops as converged. The reported error is that of the accepted iterates, so it never increases,
/// and the fit returns the last accepted iterate. No extra pass over the tensor is needed, because
/// the error of each sweep's result comes with its pair-mode MTTKRP.
///
/// With `cycles` > 1 a sweep updates modes 0 and 1 several times before mode 2. Both read the same
/// Y = X₍₀₁₎·C (only C changes it), so each extra alternation is O(T·W·R) work and no pass over the
/// tensor, and it is again an exact block minimisation: per pass over the tensor the fit gets closer.
struct HALSSolver: CPSolver {
    let engine: CPEngine
    let sweeps: Int
    var extrapolate = false
    /// Updates of modes 0 and 1 per sweep (≥ 1): both read Y = X₍₀₁₎·C, which stays valid until C
    /// changes, so alternating them again costs O(T·W·R) and no pass over the tensor.
    var cycles = 1
    private var accepted: [[Double]] = []
    private var previous: [[Double]] = []
    private var bestSSE = Double.infinity
    private var beta = 0.5
    private var betaCap = 1.0
    private(set) var lastIterationDiscarded = false
    private var restarted = false
    private(set) var reachedFloor = false

    init(engine: CPEngine, sweeps: Int, extrapolate: Bool = false, cycles: Int = 1) {
        precondition(cycles >= 1)
        self.engine = engine
        self.sweeps = sweeps
        self.extrapolate = extrapolate
        self.cycles = cycles
    }

    mutating func iterate() -> Double {
        let (sse, fused) = sweep()
        guard extrapolate else {
            if fused { engine.adoptFusedY() }
            return sse
        }
        // A sweep from the last accepted iterate (after a discarded one) is a plain HALS step, which
        // cannot increase the error in exact arithmetic: if it does, rounding (Float tensor) dominates
        // the change, the fit is at its floor, and the solver stops on the accepted iterate.
        lastIterationDiscarded = sse > bestSSE
        reachedFloor = lastIterationDiscarded && restarted
        restarted = lastIterationDiscarded
        if !lastIterationDiscarded {
            previous = accepted.isEmpty ? engine.factors : accepted
            accepted = engine.factors
            bestSSE = sse
            for n in 0..<3 {
                if n == 2 && fused {
                    // The fused pass already made this start (same formula) and its Y.
                    engine.factors[2] = engine.fusedNext
                    engine.updateGram(2)
                    engine.adoptFusedY()
                    continue
                }
                engine.factors[n].withUnsafeMutableBufferPointer { u in
                    accepted[n].withUnsafeBufferPointer { now in
                        previous[n].withUnsafeBufferPointer { before in
                            for k in 0..<u.count { u[k] = max(0, now[k] + beta * (now[k] - before[k])) }
                        }
                    }
                }
                engine.updateGram(n)
            }
            beta = min(betaCap, 1.05 * beta)
            betaCap = min(1, 1.01 * betaCap)
        } else {
            engine.factors = accepted
            for n in 0..<3 { engine.updateGram(n) }
            betaCap = beta
            beta /= 1.5
        }
        return bestSSE
    }

    /// Leaves the last accepted iterate (not the extrapolated start) in the engine.
    mutating func finish() {
        guard extrapolate, !accepted.isEmpty else { return }
        engine.factors = accepted
        for n in 0..<3 { engine.updateGram(n) }
    }

    /// One HALS sweep: modes 0 and 1 `cycles` times (both from the same Y), then mode 2; returns the
    /// masked SSE of its result and whether mode 2 went through the fused pass (which also made the
    /// next sweep's Y, for the start `nextStart` gives). Every step is an exact block minimisation, so
    /// the SSE never increases.
    private func sweep() -> (sse: Double, fused: Bool) {
        engine.ensureY()
        for _ in 0..<cycles {
            for n in 0..<2 {
                let m = engine.computeMTTKRP(n)
                update(mode: n, m: m, g: engine.otherGrams(n))
                engine.updateGram(n)
            }
        }
        let g = engine.otherGrams(2)
        if engine.canFusePairStep {
            // The start of the next sweep if this one is accepted (what `iterate` would make), so the
            // pass can also make its Y; after a discarded sweep that Y is dropped.
            let (r, sweeps, beta) = (engine.rank, sweeps, extrapolate ? beta : 0)
            let before: [Double]? = extrapolate && !accepted.isEmpty ? accepted[2] : nil
            let m2 = engine.pairStepFusedWithY { rows, m, c, next in
                g.withUnsafeBufferPointer { gb in
                    HALSSolver.updateRows(rows, u: c, m: m, g: gb.baseAddress!, rank: r, sweeps: sweeps)
                }
                let lo = rows.lowerBound &* r, hi = rows.upperBound &* r
                if let before {
                    before.withUnsafeBufferPointer { old in
                        for k in lo..<hi { next[k] = max(0, c[k] + beta * (c[k] - old[k])) }
                    }
                } else {
                    for k in lo..<hi { next[k] = max(0, c[k] + beta * (c[k] - c[k])) }
                }
            }
            engine.updateGram(2)
            return (engine.maskedSSE(m2: m2), true)
        }
        let m2 = engine.computeMTTKRP(2)
        update(mode: 2, m: m2, g: g)
        engine.updateGram(2)
        return (engine.maskedSSE(m2: m2), false)
    }

    private func update(mode n: Int, m: [Double], g: [Double]) {
        let rows = engine.dims[n]
        let (r, sweeps) = (engine.rank, sweeps)
        engine.factors[n].withUnsafeMutableBufferPointer { u in
            m.withUnsafeBufferPointer { m in
                g.withUnsafeBufferPointer { g in
                    HALSSolver.updateRows(0..<rows, u: u.baseAddress!, m: m.baseAddress!, g: g.baseAddress!, rank: r, sweeps: sweeps)
                }
            }
        }
    }

    /// `sweeps` passes of exact column updates over `rows` of U (row-major, `rank` columns) given the
    /// MTTKRP M (same layout) and Gram product G. Rows do not interact, so any split of the rows gives
    /// the same bits.
    static func updateRows(
        _ rows: Range<Int>, u: UnsafeMutablePointer<Double>, m: UnsafePointer<Double>, g: UnsafePointer<Double>, rank r: Int,
        sweeps: Int
    ) {
        for _ in 0..<sweeps {
            for p in 0..<r {
                let gpp = g[p &* r &+ p]
                // A zero Gram diagonal means another mode's column p is zero: the component is dead
                // and its column here is irrelevant; zero it.
                guard gpp > 1e-300 else {
                    for i in rows { u[i &* r &+ p] = 0 }
                    continue
                }
                let inv = 1 / gpp
                // Same arithmetic as Σ_{q≠p} in q order, without a branch per term.
                for i in rows {
                    let row = i &* r
                    var s = m[row &+ p]
                    for q in 0..<p { s -= u[row &+ q] * g[q &* r &+ p] }
                    for q in (p &+ 1)..<r { s -= u[row &+ q] * g[q &* r &+ p] }
                    u[row &+ p] = max(0, s * inv)
                }
            }
        }
    }

}

