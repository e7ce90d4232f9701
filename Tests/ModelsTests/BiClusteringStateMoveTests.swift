import Foundation
import Testing
@testable import Models

/// The collapsed state move (ξ by Metropolis–Hastings with the latents integrated out):
/// 1. the information filter's log marginal equals the dense Gaussian integral
///    log ∫ N(X; μ_ξ, Σ_ξ) exp(hᵀX − ½XᵀJX) dX built from the stacked prior of the whole path;
/// 2. the interval-swap and change-point-shift kernels leave p(ξ | π)·Z(ξ) invariant: on T = 5 bins and L = 3 states all
///    243 sequences are enumerated and the chain's long-run frequencies match the exact marginals.
@Suite struct BiClusteringStateMoveTests {
    static let d = 2, bins = 5

    /// Three distinct regimes (a contraction, a rotation with drift, a near random walk) and fixed
    /// observation information J_t, h_t.
    static func instance() -> (ffbs: InformationFFBS, dynamics: [AffineDynamics], hmm: StickyHDPHMM) {
        let d = Self.d
        let dynamics = [
            AffineDynamics(dimension: d, a: [0.2, 0.0, 0.1, 0.3], b: [0.5, -0.2], q: [0.3, 0.05, 0.05, 0.2]),
            AffineDynamics(dimension: d, a: [0.9, -0.3, 0.3, 0.9], b: [-0.4, 0.1], q: [0.05, 0.0, 0.0, 0.08]),
            AffineDynamics(dimension: d, a: [1.0, 0.0, 0.0, 1.0], b: [0.0, 0.0], q: [0.01, 0.0, 0.0, 0.01]),
        ]
        let ffbs = InformationFFBS(dimension: d, length: bins)
        var g = SeededGenerator(seed: 5)
        for t in 0..<bins {
            // J_t = Σ of two rank-one observation terms; h_t arbitrary.
            for _ in 0..<2 {
                let c = [g.standardNormal(), g.standardNormal()], w = 0.5 + g.nextUnitInterval() * 2
                for i in 0..<d { for j in 0..<d { ffbs.observationPrecision[t * d * d + i * d + j] += w * c[i] * c[j] } }
            }
            for i in 0..<d { ffbs.observationInformation[t * d + i] = 1.5 * g.standardNormal() }
        }
        var hmm = StickyHDPHMM(stateCount: 3, alpha: 1, gamma: 1, kappa: 0, generator: &g)
        hmm.transitions = [0.7, 0.2, 0.1, 0.25, 0.6, 0.15, 0.3, 0.3, 0.4]
        return (ffbs, dynamics, hmm)
    }

    /// The dense reference: x_{−1} ~ N(0, I), x_t = A_t x_{t−1} + b_t + ε_t stacked into N(μ, Σ).
    static func denseLogMarginal(ffbs: InformationFFBS, dynamics: [AffineDynamics], states: [Int]) throws -> Double {
        let d = Self.d, n = bins * d
        var mean = [Double](repeating: 0, count: n)
        var cov = Matrix<Double>(rows: n, columns: n)
        var previousMean = [Double](repeating: 0, count: d)
        for t in 0..<bins {
            let dyn = dynamics[states[t]]
            for i in 0..<d {
                var v = dyn.b[i]
                for j in 0..<d { v += dyn.a[i * d + j] * previousMean[j] }
                mean[t * d + i] = v
            }
            previousMean = Array(mean[(t * d)..<((t + 1) * d)])
            // Cross-covariances with earlier bins: Cov(x_t, x_s) = A_t Cov(x_{t−1}, x_s).
            for s in 0..<t { for i in 0..<d { for j in 0..<d {
                var v = 0.0
                for k in 0..<d { v += dyn.a[i * d + k] * cov[(t - 1) * d + k, s * d + j] }
                cov[t * d + i, s * d + j] = v
                cov[s * d + j, t * d + i] = v
            } } }
            // Var(x_t) = A_t Var(x_{t−1}) A_tᵀ + Q_t, Var(x_{−1}) = I.
            for i in 0..<d { for j in 0..<d {
                var v = dyn.q[i * d + j]
                for k in 0..<d { for l in 0..<d {
                    let prev = t == 0 ? (k == l ? 1.0 : 0.0) : cov[(t - 1) * d + k, (t - 1) * d + l]
                    v += dyn.a[i * d + k] * prev * dyn.a[j * d + l]
                } }
                cov[t * d + i, t * d + j] = v
            } }
        }
        let sigma = try Cholesky(cov)
        var precision = sigma.inverse()
        let sigmaInvMu = sigma.solve(mean)
        var g = sigmaInvMu
        for k in 0..<n { g[k] += ffbs.observationInformation[k] }
        for t in 0..<bins { for i in 0..<d { for j in 0..<d {
            precision[t * d + i, t * d + j] += ffbs.observationPrecision[t * d * d + i * d + j]
        } } }
        let posterior = try Cholesky(precision)
        let solved = posterior.solve(g)
        var quadratic = 0.0, priorQuadratic = 0.0
        for k in 0..<n { quadratic += g[k] * solved[k]; priorQuadratic += mean[k] * sigmaInvMu[k] }
        return -0.5 * (sigma.logDeterminant + posterior.logDeterminant) + 0.5 * quadratic - 0.5 * priorQuadratic
    }

    static func allSequences() -> [[Int]] {
        (0..<243).map { code in (0..<bins).map { t in (code / Int(pow(3.0, Double(t)))) % 3 } }
    }

    @Test func informationFilterMarginalEqualsDenseGaussianIntegral() throws {
        let (ffbs, dynamics, _) = Self.instance()
        for states in [[0, 0, 0, 0, 0], [1, 1, 2, 2, 0], [2, 0, 1, 0, 2]] {
            let filter = try ffbs.logMarginal(dynamics: dynamics, states: states)
            let dense = try Self.denseLogMarginal(ffbs: ffbs, dynamics: dynamics, states: states)
            #expect(abs(filter - dense) < 1e-9 * Swift.max(1, abs(dense)), "\(states): filter \(filter), dense \(dense)")
        }
        // Resuming from a saved pass whose sequence agrees before bin 2 gives the full pass's value.
        _ = try ffbs.logMarginal(dynamics: dynamics, states: [1, 0, 0, 2, 2], from: 0, saving: true)
        let resumed = try ffbs.logMarginal(dynamics: dynamics, states: [1, 0, 2, 1, 0], from: 2, saving: false)
        let full = try Self.denseLogMarginal(ffbs: ffbs, dynamics: dynamics, states: [1, 0, 2, 1, 0])
        #expect(abs(resumed - full) < 1e-9 * Swift.max(1, abs(full)))
    }

    /// Interval swaps alone, interval swaps followed by change-point shifts, and interval swaps with edge swaps.
    @Test(arguments: [(false, false), (true, false), (false, true)])
    func collapsedStateMovesLeaveTheCollapsedStatePosteriorInvariant(shifts: Bool, edges: Bool) throws {
        let (ffbs, dynamics, hmm) = Self.instance()
        let sequences = Self.allSequences()
        var logTarget = try sequences.map {
            try ffbs.logMarginal(dynamics: dynamics, states: $0) + BiClusteringChain.sequenceLogPrior($0, hmm: hmm)
        }
        let top = logTarget.max()!
        logTarget = logTarget.map { Double.exp($0 - top) }
        let total = logTarget.reduce(0, +)
        let exact = logTarget.map { $0 / total }
        // Summaries: P(ξ_t = s) for every bin and state, and P(ξ_0 = ξ_4).
        func summaries(_ weights: (Int) -> Double) -> [Double] {
            var out = [Double](repeating: 0, count: Self.bins * 3 + 1)
            for (k, seq) in sequences.enumerated() {
                let w = weights(k)
                for t in 0..<Self.bins { out[t * 3 + seq[t]] += w }
                if seq[0] == seq[Self.bins - 1] { out[Self.bins * 3] += w }
            }
            return out
        }
        let truth = summaries { exact[$0] }
        // The target is far from uniform, so a kernel ignoring the marginal or the prior would show.
        #expect(truth.prefix(15).contains { abs($0 - 1.0 / 3) > 0.15 })
        var g = SeededGenerator(seed: 21)
        var states = [2, 2, 2, 2, 2]
        var visits = [Int](repeating: 0, count: sequences.count)
        let iterations = 40_000
        var accepted = 0
        for _ in 0..<iterations {
            accepted += try BiClusteringChain.collapsedStateMoves(
                ffbs: ffbs, dynamics: dynamics, hmm: hmm, states: &states, proposals: 1, generator: &g)
            if edges {
                accepted += try BiClusteringChain.collapsedStateMoves(
                    ffbs: ffbs, dynamics: dynamics, hmm: hmm, states: &states, proposals: 1, edges: true, generator: &g)
            }
            if shifts {
                accepted += try BiClusteringChain.collapsedChangePointShifts(
                    ffbs: ffbs, dynamics: dynamics, hmm: hmm, states: &states, proposals: 1, generator: &g)
            }
            visits[states.enumerated().reduce(0) { $0 + $1.element * Int(pow(3.0, Double($1.offset))) }] += 1
        }
        let observed = summaries { Double(visits[$0]) / Double(iterations) }
        #expect(accepted > iterations / 20)
        for k in truth.indices {
            #expect(abs(observed[k] - truth[k]) < 0.025, "summary \(k): chain \(observed[k]), exact \(truth[k])")
        }
    }
}
