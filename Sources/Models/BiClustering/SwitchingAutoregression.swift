import Foundation
import NeuroCore
import RealModule

/// A k-state switching affine autoregression (AR-HMM) x_t = A_s x_{t−1} + b_s + ε, ε ~ N(0, Q_s), with
/// sticky transitions, fitted by EM (Baum–Welch) with MAP M-steps under the sampler's MNIW prior and a
/// sticky Dirichlet prior on each transition row; the sequence is the Viterbi path of the best fit.
///
/// Why it exists: the bi-clustering sampler's blocked Gibbs over states and dynamics, once the latents
/// have been shaped by a wrong sequence, stays in a mode whose change points lag the truth. A point
/// estimate of the segmentation of the chain's own latents (several initialisations, best marginal
/// likelihood) is a better place to restart the burn-in from than a one-shot rule. Used only at the
/// burn-in restart (`BiClusteringConfiguration.restartSegmentation`), so recorded sweeps stay exact MCMC.
public struct SwitchingAutoregression: Sendable, Equatable {
    /// Number of regimes k.
    public var states = 2
    /// EM iterations per initialisation (stops earlier when the log-likelihood gains < `tolerance`).
    public var iterations = 60
    public var tolerance = 1e-6
    /// MNIW prior of each regime: Q ~ IW(D + `degreesOffset`, `scale`·I), [A | b] ~ MN([I | 0], Q, K0⁻¹),
    /// K0 = `columnPrecision`·I (the sampler's prior).
    public var columnPrecision = 1.0
    public var scale = 0.01
    public var degreesOffset = 2.0
    /// Dirichlet prior on transition row j: `alpha`/k on every entry plus `kappa` on the self-transition.
    public var alpha = 5.0
    public var kappa = 10.0

    public init() {}

    public struct Segmentation: Sendable, Equatable {
        /// One regime per bin (bin 0 takes the regime of bin 1; a regime governs x_{t−1} → x_t).
        public var states: [Int]
        /// log p(x_1…x_{T−1} | x_0, parameters) + log prior of the transitions, at the EM fixed point.
        public var logLikelihood: Double
        /// Index of the initialisation the result came from.
        public var initialisation: Int
    }

    /// Checks the settings; throws a `ParameterError` naming the first bad one.
    public func validate() throws {
        try ParameterError.check(states >= 1, "states", expected: "≥ 1", found: states)
        try ParameterError.check(iterations >= 1, "iterations", expected: "≥ 1", found: iterations)
        for (name, v) in [("columnPrecision", columnPrecision), ("scale", scale), ("alpha", alpha)] {
            try ParameterError.check(v > 0 && v.isFinite, name, expected: "a finite number > 0", found: v)
        }
        try ParameterError.check(kappa >= 0 && kappa.isFinite, "kappa", expected: "a finite number ≥ 0", found: kappa)
        try ParameterError.check(degreesOffset > 1, "degreesOffset", expected: "> 1", found: degreesOffset)
    }

    /// Fits from each initial sequence (labels 0..<k) and returns the fit with the highest log-likelihood
    /// (ties: the earliest). `latents` is T × D row-major.
    public func segment(latents: [Double], bins: Int, initial: [[Int]]) throws -> Segmentation {
        try validate()
        guard bins >= 3, !latents.isEmpty, latents.count % bins == 0 else {
            throw BiClusteringError.invalidCounts("segmentation: \(latents.count) latent values for \(bins) bins")
        }
        guard !initial.isEmpty else { throw BiClusteringError.invalidCounts("segmentation: no initial sequence") }
        var best: Segmentation?
        for (index, start) in initial.enumerated() {
            guard start.count == bins, start.allSatisfy({ $0 >= 0 && $0 < states }) else {
                throw BiClusteringError.invalidCounts("segmentation: initial sequence \(index) needs \(bins) labels in 0..<\(states)")
            }
            var fit = try fitOne(latents: latents, bins: bins, initial: start)
            fit.initialisation = index
            if best == nil || fit.logLikelihood > best!.logLikelihood + 1e-9 { best = fit }
        }
        return best!
    }

    /// Random initial sequences: alternating runs of 1 + Poisson(`meanRun`) bins over the k labels,
    /// each run's label drawn uniformly among the other labels.
    public static func randomRuns(bins: Int, states k: Int, meanRun: Double, generator: inout SeededGenerator) -> [Int] {
        var out = [Int]()
        out.reserveCapacity(bins)
        var label = generator.uniformInt(below: Swift.max(k, 1))
        while out.count < bins {
            let length = 1 + generator.poisson(mean: meanRun)
            for _ in 0..<length where out.count < bins { out.append(label) }
            if k > 1 { label = (label + 1 + generator.uniformInt(below: k - 1)) % k }
        }
        return out
    }

    // MARK: EM

    private struct Regime {
        var a: [Double]        // D × D
        var b: [Double]        // D
        var cholesky: [Double] // lower factor of Q
        var halfLogDet: Double
    }

    private func fitOne(latents x: [Double], bins: Int, initial: [Int]) throws -> Segmentation {
        let d = x.count / bins, k = states, n = bins - 1   // pairs t = 1…T−1
        // Responsibilities from the hard initial sequence.
        var gamma = [Double](repeating: 0, count: n * k)
        for t in 0..<n { gamma[t * k + initial[t + 1]] = 1 }
        var transitions = [Double](repeating: 0, count: k * k)
        for t in 1..<n { transitions[initial[t] * k + initial[t + 1]] += 1 }
        var logTransition = mStepTransitions(transitions)
        var logInitial = [Double](repeating: -Double.log(Double(k)), count: k)
        var regimes = try mStepDynamics(x, d: d, bins: bins, gamma: gamma)
        var logEmission = [Double](repeating: 0, count: n * k)
        var alphaBuffer = logEmission, betaBuffer = logEmission
        var previous = -Double.infinity
        var logLikelihood = -Double.infinity
        for _ in 0..<iterations {
            emissions(x, d: d, bins: bins, regimes: regimes, into: &logEmission)
            logLikelihood = forwardBackward(
                logEmission: logEmission, logTransition: logTransition, logInitial: logInitial, n: n,
                alpha: &alphaBuffer, beta: &betaBuffer, gamma: &gamma, transitions: &transitions)
            logLikelihood += transitionLogPrior(logTransition)
            logTransition = mStepTransitions(transitions)
            for s in 0..<k { logInitial[s] = Double.log(Swift.max(gamma[s], 1e-300)) }
            regimes = try mStepDynamics(x, d: d, bins: bins, gamma: gamma)
            if logLikelihood - previous < tolerance * Swift.max(1, abs(logLikelihood)) { break }
            previous = logLikelihood
        }
        emissions(x, d: d, bins: bins, regimes: regimes, into: &logEmission)
        var path = viterbi(logEmission: logEmission, logTransition: logTransition, logInitial: logInitial, n: n)
        path.insert(path.first ?? 0, at: 0)
        return Segmentation(states: path, logLikelihood: logLikelihood, initialisation: 0)
    }

    /// MAP rows under Dirichlet(α/k + κ δ_jj′) (the mode, with expected counts).
    private func mStepTransitions(_ counts: [Double]) -> [Double] {
        let k = states
        var out = [Double](repeating: 0, count: k * k)
        for j in 0..<k {
            var total = 0.0
            for m in 0..<k {
                let w = Swift.max(counts[j * k + m] + alpha / Double(k) + (j == m ? kappa : 0) - 1, 1e-3)
                out[j * k + m] = w; total += w
            }
            for m in 0..<k { out[j * k + m] = Double.log(out[j * k + m] / total) }
        }
        return out
    }

    private func transitionLogPrior(_ logTransition: [Double]) -> Double {
        let k = states
        var total = 0.0
        for j in 0..<k { for m in 0..<k { total += (alpha / Double(k) + (j == m ? kappa : 0) - 1) * logTransition[j * k + m] } }
        return total
    }

    /// Weighted MNIW posterior mode per regime: [A | b] = M_n, Q = S_n / (ν_n + 2D + 2).
    private func mStepDynamics(_ x: [Double], d: Int, bins: Int, gamma: [Double]) throws -> [Regime] {
        let k = states, du = d + 1
        var regimes = [Regime]()
        var u = [Double](repeating: 0, count: du)
        for s in 0..<k {
            var sxx = Matrix<Double>(rows: d, columns: d), sxu = Matrix<Double>(rows: d, columns: du)
            var suu = Matrix<Double>(rows: du, columns: du)
            var weight = 0.0
            for t in 1..<bins {
                let g = gamma[(t - 1) * k + s]
                if g < 1e-12 { continue }
                weight += g
                for j in 0..<d { u[j] = x[(t - 1) * d + j] }
                u[d] = 1
                for i in 0..<d {
                    let v = g * x[t * d + i]
                    for j in 0..<d { sxx[i, j] += v * x[t * d + j] }
                    for j in 0..<du { sxu[i, j] += v * u[j] }
                }
                for i in 0..<du { let v = g * u[i]; for j in 0..<du { suu[i, j] += v * u[j] } }
            }
            let posterior = try MNIWPosterior(
                sxx: sxx, sxu: sxu, suu: suu, count: 0, columnPrecision: columnPrecision, scale: scale, degreesOffset: degreesOffset)
            let nu = posterior.degreesOfFreedom + weight
            var q = posterior.scale.elements
            for i in q.indices { q[i] /= nu + Double(2 * d + 2) }
            var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
            for i in 0..<d {
                for j in 0..<d { a[i * d + j] = posterior.mean[i, j] }
                b[i] = posterior.mean[i, d]
            }
            let ok = q.withUnsafeMutableBufferPointer { DenseKernels.cholesky($0.baseAddress!, d) }
            guard ok else { throw BiClusteringError.numerical("segmentation: noise covariance of regime \(s)") }
            let hld = q.withUnsafeBufferPointer { DenseKernels.halfLogDet($0.baseAddress!, d) }
            regimes.append(Regime(a: a, b: b, cholesky: q, halfLogDet: hld))
        }
        return regimes
    }

    private func emissions(_ x: [Double], d: Int, bins: Int, regimes: [Regime], into out: inout [Double]) {
        let k = states
        let constant = -0.5 * Double(d) * Double.log(2 * Double.pi)
        var e = [Double](repeating: 0, count: d)
        for s in 0..<k {
            let r = regimes[s]
            r.a.withUnsafeBufferPointer { ab in
                r.cholesky.withUnsafeBufferPointer { lb in
                    x.withUnsafeBufferPointer { xb in
                        e.withUnsafeMutableBufferPointer { eb in
                            for t in 1..<bins {
                                DenseKernels.gemv(ab.baseAddress!, xb.baseAddress! + (t - 1) * d, eb.baseAddress!, d, d)
                                for i in 0..<d { eb[i] = xb[t * d + i] - eb[i] - r.b[i] }
                                DenseKernels.solveLower(lb.baseAddress!, eb.baseAddress!, d)
                                var q = 0.0
                                for i in 0..<d { q += eb[i] * eb[i] }
                                out[(t - 1) * k + s] = -0.5 * q - r.halfLogDet + constant
                            }
                        }
                    }
                }
            }
        }
    }

    /// Scaled forward–backward; fills the posteriors `gamma`, the expected transition counts and returns
    /// log p(x_1…x_{T−1} | x_0).
    private func forwardBackward(
        logEmission: [Double], logTransition: [Double], logInitial: [Double], n: Int,
        alpha: inout [Double], beta: inout [Double], gamma: inout [Double], transitions: inout [Double]
    ) -> Double {
        let k = states
        let p = logTransition.map { Double.exp($0) }
        var emissionMax = [Double](repeating: 0, count: n), normaliser = emissionMax
        var emission = [Double](repeating: 0, count: n * k)
        for t in 0..<n {
            let m = (0..<k).map { logEmission[t * k + $0] }.max()!
            emissionMax[t] = m
            for s in 0..<k { emission[t * k + s] = Double.exp(logEmission[t * k + s] - m) }
        }
        var logTotal = 0.0
        for t in 0..<n {
            var total = 0.0
            for s in 0..<k {
                var prior = 0.0
                if t == 0 { prior = Double.exp(logInitial[s]) } else { for j in 0..<k { prior += alpha[(t - 1) * k + j] * p[j * k + s] } }
                alpha[t * k + s] = prior * emission[t * k + s]
                total += alpha[t * k + s]
            }
            total = Swift.max(total, 1e-300)
            for s in 0..<k { alpha[t * k + s] /= total }
            logTotal += Double.log(total) + emissionMax[t]
            normaliser[t] = total
        }
        for s in 0..<k { beta[(n - 1) * k + s] = 1 }
        if n >= 2 {
            for t in stride(from: n - 2, through: 0, by: -1) {
                for j in 0..<k {
                    var v = 0.0
                    for s in 0..<k { v += p[j * k + s] * emission[(t + 1) * k + s] * beta[(t + 1) * k + s] }
                    beta[t * k + j] = v / normaliser[t + 1]
                }
            }
        }
        for i in transitions.indices { transitions[i] = 0 }
        for t in 0..<n {
            var total = 0.0
            for s in 0..<k { gamma[t * k + s] = alpha[t * k + s] * beta[t * k + s]; total += gamma[t * k + s] }
            for s in 0..<k { gamma[t * k + s] /= Swift.max(total, 1e-300) }
            if t >= 1 {
                var pairTotal = 0.0
                var pair = [Double](repeating: 0, count: k * k)
                for j in 0..<k { for s in 0..<k {
                    let v = alpha[(t - 1) * k + j] * p[j * k + s] * emission[t * k + s] * beta[t * k + s]
                    pair[j * k + s] = v; pairTotal += v
                } }
                if pairTotal > 0 { for i in 0..<(k * k) { transitions[i] += pair[i] / pairTotal } }
            }
        }
        return logTotal
    }

    private func viterbi(logEmission: [Double], logTransition: [Double], logInitial: [Double], n: Int) -> [Int] {
        let k = states
        var score = [Double](repeating: 0, count: k), next = score
        var back = [Int](repeating: 0, count: n * k)
        for s in 0..<k { score[s] = logInitial[s] + logEmission[s] }
        if n >= 2 {
            for t in 1..<n {
                for s in 0..<k {
                    var best = -Double.infinity, arg = 0
                    for j in 0..<k {
                        let v = score[j] + logTransition[j * k + s]
                        if v > best { best = v; arg = j }
                    }
                    next[s] = best + logEmission[t * k + s]
                    back[t * k + s] = arg
                }
                swap(&score, &next)
            }
        }
        var path = [Int](repeating: 0, count: n)
        path[n - 1] = (0..<k).max { score[$0] < score[$1] } ?? 0
        if n >= 2 { for t in stride(from: n - 1, to: 0, by: -1) { path[t - 1] = back[t * k + path[t]] } }
        return path
    }
}
