/// HALS for non-negative CP (Cichocki & Phan 2009; tensortools `ncp_hals`).
///
/// For mode n with G = ⊛_{m≠n} UₘᵀUₘ and M = MTTKRP(n), each column is set to its exact minimiser
/// with the others fixed, uₚ ← max(0, (Mₚ − Σ_{q≠p} U_q G_qp) / G_pp), in `sweeps` passes over the
/// columns. Every column step solves its sub-problem exactly, so the objective never increases.
struct HALSSolver: CPSolver {
    let engine: CPEngine
    let sweeps: Int

    mutating func iterate() -> Double {
        engine.refreshY()
        var m2: [Double] = []
        for n in 0..<3 {
            let m = engine.computeMTTKRP(n)
            let g = engine.otherGrams(n)
            update(mode: n, m: m, g: g)
            engine.updateGram(n)
            if n == 2 { m2 = m }
        }
        return engine.maskedSSE(m2: m2)
    }

    private func update(mode n: Int, m: [Double], g: [Double]) {
        let rows = engine.dims[n]
        let r = engine.rank
        engine.factors[n].withUnsafeMutableBufferPointer { u in
            m.withUnsafeBufferPointer { m in
                g.withUnsafeBufferPointer { g in
                    for _ in 0..<sweeps {
                        for p in 0..<r {
                            let gpp = g[p &* r &+ p]
                            // A zero Gram diagonal means another mode's column p is zero: the
                            // component is dead and its column here is irrelevant; zero it.
                            guard gpp > 1e-300 else {
                                for i in 0..<rows { u[i &* r &+ p] = 0 }
                                continue
                            }
                            let inv = 1 / gpp
                            for i in 0..<rows {
                                let row = i &* r
                                var s = m[row &+ p]
                                for q in 0..<r where q != p { s -= u[row &+ q] * g[q &* r &+ p] }
                                u[row &+ p] = max(0, s * inv)
                            }
                        }
                    }
                }
            }
        }
    }
}
