import Foundation
import NeuroCore

/// Forward-filtering backward-sampling of a switching linear-Gaussian state x_0…x_{T−1} ∈ R^D in
/// information form (Carter & Kohn 1994; Frühwirth-Schnatter 1994).
///
/// Observations enter only through their information per bin: J_t = Σ_i ω_it h_i h_iᵀ and
/// h_t = Σ_i ω_it ŷ_it h_i. That costs O(N·D²) per bin instead of the O(N³) innovation inverse of the
/// covariance form, and a missing observation is simply ω = 0. The state index is defined once:
/// `states[t]` is the regime governing x_{t−1} → x_t, and x_{−1} ~ N(0, I) (the reference's start),
/// so x_0 ~ N(b, A Aᵀ + Q) under regime `states[0]`.
public final class InformationFFBS {
    public let dimension: Int
    public let length: Int
    /// J_t, row-major, T blocks of D × D (fill before `sample`).
    public var observationPrecision: [Double]
    /// h_t, T blocks of D.
    public var observationInformation: [Double]

    // Filtered information Λ_t = P_{t|t−1}⁻¹ + J_t and η_t = P_{t|t−1}⁻¹ m_{t|t−1} + h_t.
    private var filteredPrecision: [Double]
    private var filteredInformation: [Double]
    // Per-regime precomputations: Q⁻¹A (for η), AᵀQ⁻¹A.
    private var qInvA: [Double] = []
    private var aTqInvA: [Double] = []
    private var qInv: [Double] = []
    // Filtered means, covariances and running log evidence per bin of the last saving evidence pass.
    private var savedMean: [Double] = [], savedCovariance: [Double] = [], savedEvidence: [Double] = []
    private var work1: [Double], work2: [Double], work3: [Double]
    private var vec1: [Double], vec2: [Double], vec3: [Double]

    public init(dimension: Int, length: Int) {
        precondition(dimension >= 1 && length >= 1)
        self.dimension = dimension
        self.length = length
        let dd = dimension * dimension
        observationPrecision = [Double](repeating: 0, count: length * dd)
        observationInformation = [Double](repeating: 0, count: length * dimension)
        filteredPrecision = observationPrecision
        filteredInformation = observationInformation
        work1 = [Double](repeating: 0, count: dd)
        work2 = work1
        work3 = work1
        vec1 = [Double](repeating: 0, count: dimension)
        vec2 = vec1
        vec3 = vec1
    }

    /// Precomputes Q⁻¹, Q⁻¹A and AᵀQ⁻¹A for each regime; throws if some Q is not positive definite.
    private func prepare(_ dynamics: [AffineDynamics]) throws {
        let d = dimension, dd = d * d, count = dynamics.count
        if qInv.count != count * dd {
            qInv = [Double](repeating: 0, count: count * dd)
            qInvA = qInv
            aTqInvA = qInv
        }
        for (l, dyn) in dynamics.enumerated() {
            precondition(dyn.dimension == d, "InformationFFBS: dynamics of dimension \(dyn.dimension), expected \(d)")
            try work1.withUnsafeMutableBufferPointer { w in
                for i in 0..<dd { w[i] = dyn.q[i] }
                guard DenseKernels.cholesky(w.baseAddress!, d) else { throw BiClusteringError.numerical("regime \(l) noise covariance is not positive definite") }
                qInv.withUnsafeMutableBufferPointer { qi in
                    DenseKernels.inverseFromCholesky(w.baseAddress!, qi.baseAddress! + l * dd, d)
                    qInvA.withUnsafeMutableBufferPointer { qa in
                        dyn.a.withUnsafeBufferPointer { a in
                            DenseKernels.gemm(false, false, d, d, d, 1, qi.baseAddress! + l * dd, a.baseAddress!, 0, qa.baseAddress! + l * dd)
                            aTqInvA.withUnsafeMutableBufferPointer { out in
                                DenseKernels.gemm(true, false, d, d, d, 1, a.baseAddress!, qa.baseAddress! + l * dd, 0, out.baseAddress! + l * dd)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Runs the forward information filter; stores Λ_t, η_t. With `evidence`, returns
    /// log ∫ p(x | regimes) Π_t exp(h_tᵀx_t − ½ x_tᵀJ_t x_t) dx, the log marginal likelihood of the
    /// observations given the regimes up to a constant that does not depend on the regimes or the
    /// dynamics: per bin, with predicted N(m, P), Λ = P⁻¹ + J and η = P⁻¹m + h,
    /// −½ log|P| − ½ log|Λ| + ½ ηᵀΛ⁻¹η − ½ mᵀP⁻¹m. Otherwise returns 0.
    ///
    /// `start` > 0 resumes from the filtered moments and evidence of bin `start − 1` saved by an earlier
    /// evidence pass with `saving` (whose regimes before `start` must equal these); `saving` stores the
    /// filtered moments and the running evidence of every bin this pass reaches.
    @discardableResult
    private func filter(_ dynamics: [AffineDynamics], _ states: [Int], evidence: Bool = false, from start: Int = 0, saving: Bool = false) throws -> Double {
        let d = dimension, dd = d * d
        if saving && savedEvidence.count != length {
            savedEvidence = [Double](repeating: 0, count: length)
            savedMean = [Double](repeating: 0, count: length * d)
            savedCovariance = [Double](repeating: 0, count: length * dd)
        }
        precondition(start == 0 || (evidence && savedEvidence.count == length && start < length))
        var logEvidence = start > 0 ? savedEvidence[start - 1] : 0.0
        // Predicted moments for bin `start`: from x_{−1} ~ N(0, I) (mean b, covariance AAᵀ + Q) or from
        // the saved filtered moments of bin start − 1.
        let first = dynamics[states[start]]
        var mp = first.b
        var pp = first.q
        if start == 0 {
            first.a.withUnsafeBufferPointer { a in
                pp.withUnsafeMutableBufferPointer { p in
                    DenseKernels.gemm(false, true, d, d, d, 1, a.baseAddress!, a.baseAddress!, 1, p.baseAddress!)
                }
            }
        } else {
            first.a.withUnsafeBufferPointer { a in
                pp.withUnsafeMutableBufferPointer { p in
                    mp.withUnsafeMutableBufferPointer { m in
                        savedMean.withUnsafeBufferPointer { sm in
                            DenseKernels.gemv(a.baseAddress!, sm.baseAddress! + (start - 1) * d, m.baseAddress!, d, d, accumulate: true)
                        }
                        work3.withUnsafeMutableBufferPointer { w3 in
                            savedCovariance.withUnsafeBufferPointer { sc in
                                DenseKernels.gemm(false, false, d, d, d, 1, a.baseAddress!, sc.baseAddress! + (start - 1) * dd, 0, w3.baseAddress!)
                            }
                            DenseKernels.gemm(false, true, d, d, d, 1, w3.baseAddress!, a.baseAddress!, 1, p.baseAddress!)
                        }
                        DenseKernels.symmetrize(p.baseAddress!, d)
                    }
                }
            }
        }
        try pp.withUnsafeMutableBufferPointer { ppb in
            try mp.withUnsafeMutableBufferPointer { mpb in
                try work1.withUnsafeMutableBufferPointer { w1b in
                    try work2.withUnsafeMutableBufferPointer { w2b in
                        try work3.withUnsafeMutableBufferPointer { w3b in
                            try vec1.withUnsafeMutableBufferPointer { v1b in
                                try filteredPrecision.withUnsafeMutableBufferPointer { fpb in
                                    try filteredInformation.withUnsafeMutableBufferPointer { fib in
                                        try observationPrecision.withUnsafeBufferPointer { opb in
                                            try observationInformation.withUnsafeBufferPointer { oib in
            let p = ppb.baseAddress!, m = mpb.baseAddress!, w1 = w1b.baseAddress!, w2 = w2b.baseAddress!, w3 = w3b.baseAddress!
            let v1 = v1b.baseAddress!
            for t in start..<length {
                // Λ_t = P⁻¹ + J_t, η_t = P⁻¹ m + h_t.
                for i in 0..<dd { w1[i] = p[i] }
                guard DenseKernels.cholesky(w1, d) else { throw BiClusteringError.numerical("predicted covariance at bin \(t) is not positive definite") }
                let lam = fpb.baseAddress! + t &* dd, eta = fib.baseAddress! + t &* d
                DenseKernels.inverseFromCholesky(w1, lam, d)
                DenseKernels.gemv(lam, m, eta, d, d)
                if evidence {
                    var quadratic = 0.0
                    for i in 0..<d { quadratic += m[i] * eta[i] }
                    logEvidence -= DenseKernels.halfLogDet(w1, d) + 0.5 * quadratic
                }
                let jt = opb.baseAddress! + t &* dd, ht = oib.baseAddress! + t &* d
                for i in 0..<dd { lam[i] += jt[i] }
                for i in 0..<d { eta[i] += ht[i] }
                if t == length &- 1 && !evidence { break }
                // Filtered P_f = Λ⁻¹, m_f = P_f η; predict with the regime of bin t + 1.
                for i in 0..<dd { w1[i] = lam[i] }
                guard DenseKernels.cholesky(w1, d) else { throw BiClusteringError.numerical("filtered precision at bin \(t) is not positive definite") }
                if evidence {
                    // ½ ηᵀΛ⁻¹η = ½ ‖L⁻¹η‖² with Λ = LLᵀ.
                    for i in 0..<d { v1[i] = eta[i] }
                    DenseKernels.solveLower(w1, v1, d)
                    var quadratic = 0.0
                    for i in 0..<d { quadratic += v1[i] * v1[i] }
                    logEvidence += 0.5 * quadratic - DenseKernels.halfLogDet(w1, d)
                    if t == length &- 1 { break }
                }
                DenseKernels.inverseFromCholesky(w1, w2, d)            // w2 = P_f
                DenseKernels.gemv(w2, eta, v1, d, d)                    // v1 = m_f
                if saving {
                    savedEvidence[t] = logEvidence
                    for i in 0..<d { savedMean[t &* d &+ i] = v1[i] }
                    for i in 0..<dd { savedCovariance[t &* dd &+ i] = w2[i] }
                }
                let dyn = dynamics[states[t &+ 1]]
                dyn.a.withUnsafeBufferPointer { a in
                    DenseKernels.gemv(a.baseAddress!, v1, m, d, d)
                    DenseKernels.gemm(false, false, d, d, d, 1, a.baseAddress!, w2, 0, w3)   // A P_f
                    for i in 0..<dd { p[i] = dyn.q[i] }
                    DenseKernels.gemm(false, true, d, d, d, 1, w3, a.baseAddress!, 1, p)    // + A P_f Aᵀ
                }
                for i in 0..<d { m[i] += dyn.b[i] }
                DenseKernels.symmetrize(p, d)
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
        return logEvidence
    }

    /// Draws x_{0:T−1} from p(x | observations, regimes) into `x` (T × D, row-major).
    public func sample(
        dynamics: [AffineDynamics], states: [Int], into x: inout [Double], generator: inout SeededGenerator
    ) throws {
        precondition(states.count == length && x.count == length * dimension)
        try prepare(dynamics)
        try filter(dynamics, states)
        try backward(dynamics, states, x: &x, generator: &generator, smoothing: nil)
    }

    /// log p(observations | regimes, dynamics) with the latents integrated out, up to a constant that
    /// depends only on the observations (see `filter`). Uses the current `observationPrecision` and
    /// `observationInformation`; overwrites the filtered moments.
    public func logMarginal(dynamics: [AffineDynamics], states: [Int]) throws -> Double {
        precondition(states.count == length)
        return try filter(dynamics, states, evidence: true)
    }

    /// `logMarginal` for regimes that agree with those of the last `saving` pass before bin `start`:
    /// only bins start… are filtered again. With `saving`, this pass becomes the saved one.
    func logMarginal(dynamics: [AffineDynamics], states: [Int], from start: Int, saving: Bool) throws -> Double {
        precondition(states.count == length)
        return try filter(dynamics, states, evidence: true, from: start, saving: saving)
    }

    /// Smoothed means (T × D) and covariances (T × D × D) from the same backward recursion the sampler
    /// uses (E and Cov of x_t | x_{t+1} composed with the smoothed x_{t+1}); equals an RTS smoother.
    public func smoothedMoments(dynamics: [AffineDynamics], states: [Int]) throws -> (means: [Double], covariances: [Double]) {
        precondition(states.count == length)
        try prepare(dynamics)
        try filter(dynamics, states)
        var x = [Double](repeating: 0, count: length * dimension)
        var cov = [Double](repeating: 0, count: length * dimension * dimension)
        var generator = SeededGenerator(seed: 0)
        try backward(dynamics, states, x: &x, generator: &generator, smoothing: &cov)
        return (x, cov)
    }

    private func backward(
        _ dynamics: [AffineDynamics], _ states: [Int], x: inout [Double], generator: inout SeededGenerator,
        smoothing: UnsafeMutablePointer<[Double]>?
    ) throws {
        let d = dimension, dd = d * d
        let smooth = smoothing != nil
        var cov = smoothing?.pointee ?? []
        try x.withUnsafeMutableBufferPointer { xb in
            try work1.withUnsafeMutableBufferPointer { w1b in
                try work2.withUnsafeMutableBufferPointer { w2b in
                    try work3.withUnsafeMutableBufferPointer { w3b in
                        try vec1.withUnsafeMutableBufferPointer { v1b in
                            try vec2.withUnsafeMutableBufferPointer { v2b in
                                try cov.withUnsafeMutableBufferPointer { cb in
            let w1 = w1b.baseAddress!, w2 = w2b.baseAddress!, w3 = w3b.baseAddress!, v1 = v1b.baseAddress!, v2 = v2b.baseAddress!
            var t = length &- 1
            while t >= 0 {
                let xt = xb.baseAddress! + t &* d
                try filteredPrecision.withUnsafeBufferPointer { fpb in
                    try filteredInformation.withUnsafeBufferPointer { fib in
                        let lam = fpb.baseAddress! + t &* dd, eta = fib.baseAddress! + t &* d
                        for i in 0..<dd { w1[i] = lam[i] }
                        for i in 0..<d { v1[i] = eta[i] }
                        if t < length &- 1 {
                            let l = states[t &+ 1]
                            let dyn = dynamics[l]
                            let xn = xb.baseAddress! + ((t &+ 1) &* d)
                            aTqInvA.withUnsafeBufferPointer { m in for i in 0..<dd { w1[i] += m[l &* dd &+ i] } }
                            for i in 0..<d { v2[i] = xn[i] - dyn.b[i] }
                            qInvA.withUnsafeBufferPointer { m in
                                DenseKernels.gemv(m.baseAddress! + l &* dd, v2, v1, d, d, accumulate: true, transposed: true)
                            }
                        }
                        guard DenseKernels.cholesky(w1, d) else { throw BiClusteringError.numerical("backward precision at bin \(t) is not positive definite") }
                        // mean = Λ⁻¹ v1
                        DenseKernels.solveLower(w1, v1, d)
                        if smooth {
                            DenseKernels.solveLowerTransposed(w1, v1, d)
                            for i in 0..<d { xt[i] = v1[i] }
                            // S_t = Λ'⁻¹ + G S_{t+1} Gᵀ with G = Λ'⁻¹ AᵀQ⁻¹.
                            let st = cb.baseAddress! + t &* dd
                            DenseKernels.inverseFromCholesky(w1, st, d)
                            if t < length &- 1 {
                                let l = states[t &+ 1]
                                qInvA.withUnsafeBufferPointer { m in
                                    // w2 = G = Λ'⁻¹ (Q⁻¹A)ᵀ
                                    DenseKernels.gemm(false, true, d, d, d, 1, st, m.baseAddress! + l &* dd, 0, w2)
                                }
                                DenseKernels.gemm(false, false, d, d, d, 1, w2, cb.baseAddress! + ((t &+ 1) &* dd), 0, w3)
                                DenseKernels.gemm(false, true, d, d, d, 1, w3, w2, 1, st)
                                DenseKernels.symmetrize(st, d)
                            }
                        } else {
                            // x = L⁻ᵀ(L⁻¹ v1 + z)
                            for i in 0..<d { v1[i] += generator.standardNormal() }
                            DenseKernels.solveLowerTransposed(w1, v1, d)
                            for i in 0..<d { xt[i] = v1[i] }
                        }
                    }
                }
                t &-= 1
            }
                                }
                            }
                        }
                    }
                }
            }
        }
        if smooth { smoothing!.pointee = cov }
    }
}
