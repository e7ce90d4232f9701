/// Block-coordinate descent for non-negative CP (Xu & Yin 2013; tensortools `ncp_bcd`).
///
/// Each mode takes one projected-gradient step of size 1/Lₙ from an extrapolated point Ûₙ:
/// Uₙ ← max(0, Ûₙ − (ÛₙG − M)/Lₙ), Lₙ = ‖G‖₂. Extrapolation Ûₙ = Uₙ + ωₙ(Uₙ − Uₙ_prev) uses
/// ωₙ = min((t_prev − 1)/t, 0.9999·√(Lₙ_prev/Lₙ)) with the FISTA sequence t. When an iteration raises
/// the objective it is undone and the next step starts without extrapolation (Xu & Yin's restart), so
/// the accepted objective never increases.
struct BCDSolver: CPSolver {
    let engine: CPEngine
    private var extrapolated: [[Double]]
    private var previous: [[Double]]
    private var lipschitz: [Double] = [1, 1, 1]
    private var t = 1.0
    private var lastSSE = Double.infinity

    init(engine: CPEngine) {
        self.engine = engine
        extrapolated = engine.factors
        previous = engine.factors
    }

    mutating func iterate() -> Double {
        let before = engine.factors
        let previousLipschitz = lipschitz
        engine.refreshY()
        var m2: [Double] = []
        for n in 0..<3 {
            let m = engine.computeMTTKRP(n)
            let g = engine.otherGrams(n)
            lipschitz[n] = max(spectralNorm(g, engine.rank), 1e-12)
            step(mode: n, m: m, g: g)
            engine.updateGram(n)
            if n == 2 { m2 = m }
        }
        let sse = engine.maskedSSE(m2: m2)
        if sse > lastSSE {
            // Undo: restart from the last accepted point with no momentum.
            engine.factors = before
            for n in 0..<3 { engine.updateGram(n) }
            extrapolated = before
            previous = before
            lipschitz = previousLipschitz
            t = 1
            return lastSSE
        }
        let tNext = (1 + (1 + 4 * t * t).squareRoot()) / 2
        let omegaHat = (t - 1) / tNext
        for n in 0..<3 {
            let omega = min(omegaHat, 0.9999 * (previousLipschitz[n] / lipschitz[n]).squareRoot())
            let u = engine.factors[n]
            let old = previous[n]
            extrapolated[n] = zip(u, old).map { max(0, $0 + omega * ($0 - $1)) }
        }
        previous = engine.factors
        t = tNext
        lastSSE = sse
        return sse
    }

    private mutating func step(mode n: Int, m: [Double], g: [Double]) {
        let rows = engine.dims[n]
        let r = engine.rank
        let invL = 1 / lipschitz[n]
        let start = extrapolated[n]
        engine.factors[n].withUnsafeMutableBufferPointer { u in
            for i in 0..<rows {
                let row = i &* r
                for p in 0..<r {
                    var grad = -m[row &+ p]
                    for q in 0..<r { grad += start[row &+ q] * g[q &* r &+ p] }
                    u[row &+ p] = max(0, start[row &+ p] - grad * invL)
                }
            }
        }
    }
}

/// Largest eigenvalue of a symmetric positive semi-definite R × R matrix by power iteration.
func spectralNorm(_ g: [Double], _ r: Int) -> Double {
    var v = [Double](repeating: 1 / Double(r).squareRoot(), count: r)
    var lambda = 0.0
    for _ in 0..<100 {
        var w = [Double](repeating: 0, count: r)
        for i in 0..<r { for j in 0..<r { w[i] += g[i * r + j] * v[j] } }
        let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return 0 }
        for i in 0..<r { v[i] = w[i] / norm }
        if abs(norm - lambda) <= 1e-10 * norm { return norm }
        lambda = norm
    }
    return lambda
}
