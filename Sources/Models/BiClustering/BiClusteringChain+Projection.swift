import Foundation
import NeuroCore

extension BiClusteringChain {
    /// The identifiability projection (methods note §3.4), a deterministic reparametrisation that leaves
    /// the likelihood unchanged: for each cluster, (1) centre μ^(j) and the rows of X^(j) in time, moving
    /// the means into d_i and the intercepts b_ℓ; (2) rotate and scale X^(j) from X = V S Uᵀ to
    /// √T·Uᵀ, whose rows are orthogonal with unit mean square, so the loadings carry the scale:
    /// with R = √T·S⁻¹Vᵀ, c_i ← R⁻ᵀc_i and (A, b, Q) ← (R A R⁻¹, R b, R Q Rᵀ).
    ///
    /// Fixing the row scale matters: c_iᵀx_t is invariant under x → s·x, c → c/s, and without the
    /// constraint the chain drifts towards huge trajectories and vanishing loadings (the reference code
    /// fixes it the same way with orthonormal rows).
    func project() {
        let d = stackedDimension, b = blockSize, p = self.p, bins = self.bins, k = state.clusterCount
        var means = [Double](repeating: 0, count: d)
        for t in 0..<bins { for u in 0..<d { means[u] += state.latents[t * d + u] } }
        for u in 0..<d { means[u] /= Double(bins) }
        for t in 0..<bins { for u in 0..<d { state.latents[t * d + u] -= means[u] } }
        for i in 0..<neurons {
            let base = state.labels[i] * b
            var shift = means[base]
            for q in 0..<p { shift += state.loadings[i * p + q] * means[base + 1 + q] }
            state.baselines[i] += shift
        }
        // Rotation, block by block.
        var r = [Double](repeating: 0, count: d * d)
        for u in 0..<d { r[u * d + u] = 1 }
        var rInverse = r
        let rootT = rowNorm
        var rotation = [Double](repeating: 0, count: p * p)
        var scales = [Double](repeating: 0, count: p)
        var rows = [Double](repeating: 0, count: (p + 1) * bins)
        for j in 0..<k {
            let base = j * b
            for q in 0...p { for t in 0..<bins { rows[q * bins + t] = state.latents[t * d + base + q] } }
            rotation.withUnsafeMutableBufferPointer { rot in
                BiClusteringChain.orthonormaliseRows(&rows, rowOffset: 1, rows: p, bins: bins, scales: &scales, rotation: rot.baseAddress!)
            }
            for q in 0..<p { for t in 0..<bins { state.latents[t * d + base + 1 + q] = rows[(1 + q) * bins + t] * rootT } }
            for q in 0..<p {
                for s in 0..<p {
                    r[(base + 1 + q) * d + base + 1 + s] = rootT / scales[q] * rotation[q * p + s]
                    rInverse[(base + 1 + s) * d + base + 1 + q] = rotation[q * p + s] * scales[q] / rootT
                }
            }
            for i in 0..<neurons where state.labels[i] == j {
                var c = [Double](repeating: 0, count: p)
                for q in 0..<p { for s in 0..<p { c[q] += scales[q] / rootT * rotation[q * p + s] * state.loadings[i * p + s] } }
                for q in 0..<p { state.loadings[i * p + q] = c[q] }
            }
        }
        // x″ = R(x − m) = R x − R m.
        var shift = [Double](repeating: 0, count: d)
        for u in 0..<d { for v in 0..<d { shift[u] -= r[u * d + v] * means[v] } }
        for s in state.dynamics.indices {
            state.dynamics[s] = state.dynamics[s].transformed(r: r, rInverse: rInverse, shift: shift)
        }
    }

    /// Row norms of each cluster's factor rows (after `project`, the rows are orthogonal).
    func factorScales() -> [[Double]] {
        let d = stackedDimension, b = blockSize
        return (0..<state.clusterCount).map { j in
            (0..<p).map { q in
                var s = 0.0
                for t in 0..<bins { let v = state.latents[t * d + j * b + 1 + q]; s += v * v }
                return Swift.max(s.squareRoot(), 1e-12)
            }
        }
    }
}
