/// Multiplicative updates for non-negative CP (Lee & Seung; tensorly `non_negative_parafac`):
/// U ← U ⊙ max(M, ε) / max(U·G, ε), ε = 1e−12. Monotone in exact arithmetic but slow to converge;
/// provided for parity with tensorly, not as a default.
struct MultiplicativeSolver: CPSolver {
    let engine: CPEngine
    let epsilon = 1e-12

    mutating func iterate() -> Double {
        engine.refreshY()
        var m2: [Double] = []
        let r = engine.rank
        for n in 0..<3 {
            let m = engine.computeMTTKRP(n)
            let g = engine.otherGrams(n)
            let rows = engine.dims[n]
            engine.factors[n].withUnsafeMutableBufferPointer { u in
                var denominator = [Double](repeating: 0, count: r)
                for i in 0..<rows {
                    let row = i &* r
                    for p in 0..<r {
                        var s = 0.0
                        for q in 0..<r { s += u[row &+ q] * g[q &* r &+ p] }
                        denominator[p] = max(s, epsilon)
                    }
                    for p in 0..<r { u[row &+ p] *= max(m[row &+ p], epsilon) / denominator[p] }
                }
            }
            engine.updateGram(n)
            if n == 2 { m2 = m }
        }
        return engine.maskedSSE(m2: m2)
    }
}
