import Foundation
import NeuroCore
import RealModule

extension BiClusteringChain {
    /// Blocked Gibbs for the bin states and the per-state dynamics (methods note §4.2, without the
    /// reference's per-sweep model rebuild): ξ | X̃, {A, b, Q}, π; then β, π | ξ; then (A, b, Q)_ℓ | X̃, ξ.
    /// `allowedStates` k > 0 restricts the sequence to states 0..<k (used by the start only).
    func updateStatesAndDynamics(allowedStates: Int = 0) throws {
        let l = config.statesTruncation
        if holdingStates {
            // Burn-in only (see `holdStatesBeforeRestart`): the sequence stays; β, π and the dynamics move.
        } else if state.sweep < config.randomStateRestarts {
            for t in 0..<bins { state.states[t] = generator.uniformInt(below: l) }
        } else {
            try computeStateLogLikelihoods()
            if allowedStates > 0 && allowedStates < l {
                for t in 0..<bins { for s in allowedStates..<l { hmmLogLikelihood[t * l + s] = -.infinity } }
            }
            state.hmm.sampleStates(
                logLikelihoods: hmmLogLikelihood, into: &state.states, workspace: &hmmWorkspace, generator: &generator)
        }
        state.hmm.resampleParameters(states: state.states, generator: &generator)
        try resampleDynamics()
    }

    /// True during the burn-in sweeps before `stateRestartSweep` when `holdStatesBeforeRestart` is set.
    var holdingStates: Bool {
        screeningStates || config.holdStatesBeforeRestart && config.stateRestartSweep > 0 && config.stateRestartSweep < config.burnIn
            && state.sweep < config.stateRestartSweep
    }

    /// log N(x_t; A_ℓ x_{t−1} + b_ℓ, Q_ℓ) for t ≥ 1 and log N(x_0; b_ℓ, A_ℓA_ℓᵀ + Q_ℓ) (x_{−1} ~ N(0, I)).
    func computeStateLogLikelihoods() throws {
        let d = stackedDimension, dd = d * d, l = config.statesTruncation, bins = self.bins
        let logTwoPi = Double.log(2 * Double.pi)
        var factor = [Double](repeating: 0, count: dd)
        var residual = [Double](repeating: 0, count: d)
        try state.latents.withUnsafeBufferPointer { xb in
            try hmmLogLikelihood.withUnsafeMutableBufferPointer { out in
                try factor.withUnsafeMutableBufferPointer { fb in
                    try residual.withUnsafeMutableBufferPointer { rb in
                        let f = fb.baseAddress!, e = rb.baseAddress!
                        for s in 0..<l {
                            let dyn = state.dynamics[s]
                            try dyn.a.withUnsafeBufferPointer { ab in
                                // t = 0
                                for k in 0..<dd { f[k] = dyn.q[k] }
                                DenseKernels.gemm(false, true, d, d, d, 1, ab.baseAddress!, ab.baseAddress!, 1, f)
                                guard DenseKernels.cholesky(f, d) else { throw BiClusteringError.numerical("initial covariance of state \(s)") }
                                for k in 0..<d { e[k] = xb[k] - dyn.b[k] }
                                DenseKernels.solveLower(f, e, d)
                                var q = 0.0
                                for k in 0..<d { q += e[k] * e[k] }
                                out[s] = -0.5 * q - DenseKernels.halfLogDet(f, d) - 0.5 * Double(d) * logTwoPi
                                for k in 0..<dd { f[k] = dyn.q[k] }
                                guard DenseKernels.cholesky(f, d) else { throw BiClusteringError.numerical("noise covariance of state \(s)") }
                                let constant = -DenseKernels.halfLogDet(f, d) - 0.5 * Double(d) * logTwoPi
                                for t in 1..<Swift.max(bins, 1) {
                                    let xt = xb.baseAddress! + t &* d, xp = xb.baseAddress! + ((t &- 1) &* d)
                                    DenseKernels.gemv(ab.baseAddress!, xp, e, d, d)
                                    for k in 0..<d { e[k] = xt[k] - e[k] - dyn.b[k] }
                                    DenseKernels.solveLower(f, e, d)
                                    var q = 0.0
                                    for k in 0..<d { q += e[k] * e[k] }
                                    out[t &* l &+ s] = -0.5 * q + constant
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// (A, b, Q)_ℓ from the MNIW posterior given the pairs (x_{t−1}, x_t) with ξ_t = ℓ (t ≥ 1).
    func resampleDynamics() throws {
        let d = stackedDimension, du = d + 1, l = config.statesTruncation
        var sxx = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: l)
        var sxu = [[Double]](repeating: [Double](repeating: 0, count: d * du), count: l)
        var suu = [[Double]](repeating: [Double](repeating: 0, count: du * du), count: l)
        var n = [Int](repeating: 0, count: l)
        var u = [Double](repeating: 0, count: du)
        state.latents.withUnsafeBufferPointer { xb in
            for t in 1..<Swift.max(bins, 1) {
                let s = state.states[t]
                n[s] += 1
                let xt = xb.baseAddress! + t &* d, xp = xb.baseAddress! + ((t &- 1) &* d)
                for k in 0..<d { u[k] = xp[k] }
                u[d] = 1
                sxx[s].withUnsafeMutableBufferPointer { m in
                    for i in 0..<d { let v = xt[i]; for j in 0..<d { m[i &* d &+ j] += v * xt[j] } }
                }
                sxu[s].withUnsafeMutableBufferPointer { m in
                    for i in 0..<d { let v = xt[i]; for j in 0..<du { m[i &* du &+ j] += v * u[j] } }
                }
                suu[s].withUnsafeMutableBufferPointer { m in
                    for i in 0..<du { let v = u[i]; for j in 0..<du { m[i &* du &+ j] += v * u[j] } }
                }
            }
        }
        for s in 0..<l {
            let posterior = try MNIWPosterior(
                sxx: Matrix(rows: d, columns: d, elements: sxx[s]), sxu: Matrix(rows: d, columns: du, elements: sxu[s]),
                suu: Matrix(rows: du, columns: du, elements: suu[s]), count: n[s],
                columnPrecision: config.dynamicsColumnPrecision, scale: config.dynamicsScale,
                degreesOffset: config.dynamicsDegreesOffset)
            let draw: AffineDynamics
            do {
                draw = try posterior.sample(generator: &generator)
            } catch {
                throw BiClusteringError.numerical("MNIW draw for state \(s) failed: \(error)")
            }
            // The regime of bin 0 also carries x_0 ~ N(b, AAᵀ + Q), which the conjugate statistics leave
            // out: the MNIW draw is an independence proposal from the pairs-only posterior, accepted with
            // the ratio of that term, so the update is exact for the full conditional.
            if s == state.states[0] && state.dynamics[s].dimension == d {
                let logAccept = initialLogDensity(draw) - initialLogDensity(state.dynamics[s])
                if !(Double.log(generator.nextOpenUnitInterval()) < logAccept) { continue }
            }
            state.dynamics[s] = draw
        }
    }

    /// log N(x_0; b, AAᵀ + Q) (x_{−1} ~ N(0, I)); −∞ if the covariance is not positive definite.
    func initialLogDensity(_ dyn: AffineDynamics) -> Double {
        let d = dyn.dimension
        var f = dyn.q, e = [Double](repeating: 0, count: d)
        for k in 0..<d { e[k] = state.latents[k] - dyn.b[k] }
        return f.withUnsafeMutableBufferPointer { fb in
            dyn.a.withUnsafeBufferPointer { ab in
                e.withUnsafeMutableBufferPointer { eb in
                    DenseKernels.gemm(false, true, d, d, d, 1, ab.baseAddress!, ab.baseAddress!, 1, fb.baseAddress!)
                    guard DenseKernels.cholesky(fb.baseAddress!, d) else { return -.infinity }
                    DenseKernels.solveLower(fb.baseAddress!, eb.baseAddress!, d)
                    var q = 0.0
                    for k in 0..<d { q += eb[k] * eb[k] }
                    return -0.5 * q - DenseKernels.halfLogDet(fb.baseAddress!, d) - 0.5 * Double(d) * Double.log(2 * Double.pi)
                }
            }
        }
    }
}
