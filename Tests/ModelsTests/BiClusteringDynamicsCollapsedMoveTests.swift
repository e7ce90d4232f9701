import Foundation
import Testing
@testable import Models

/// The dynamics-collapsed state move ((ξ, θ) given the latents, θ = (A, b, Q)_ℓ integrated out):
/// 1. the MNIW evidence equals p₀(θ)·L(θ)/P(θ | data) at any θ (closed-form densities);
/// 2. on T = 5 bins, L = 3 states, D = 2 with fixed latents, the chain's long-run frequencies of ξ
///    match the enumerated marginal p(ξ | π) Π_ℓ M_ℓ(ξ) · E_{P_{ξ_0}}[N(x_0; b, AAᵀ + Q)] over all 243
///    sequences (the bin-0 expectation by Monte Carlo), for the move alone and alternated with the
///    exact Gibbs update of θ.
@Suite struct BiClusteringDynamicsCollapsedMoveTests {
    static let d = 2, bins = 5, l = 3
    static let prior = BiClusteringChain.DynamicsPrior(columnPrecision: 1, scale: 0.1, degreesOffset: 2)
    /// x_0 far out, then quiet, two large jumps, quiet: sequences that group the jumps score higher,
    /// and the bin-0 term N(x_0; b, AAᵀ + Q) favours giving ξ_0 a regime with wide dynamics.
    static let latents: [Double] = [2.5, -2.0, 0.15, 0.3, 2.0, -1.0, -1.5, 0.8, 0.2, 0.1]

    static func statistics(_ states: [Int], regime: Int) -> BiClusteringChain.TransitionStatistics {
        var s = BiClusteringChain.TransitionStatistics(dimension: d)
        latents.withUnsafeBufferPointer { xb in
            for t in 1..<bins where states[t] == regime { s.add(latents: xb.baseAddress!, bin: t, dimension: d, sign: 1) }
        }
        return s
    }

    /// log IW(Q; ν, S) + log MN([A | b]; M, Q, K⁻¹).
    static func logMNIW(_ dyn: AffineDynamics, mean: Matrix<Double>, columnPrecision k: Matrix<Double>, scale s: Matrix<Double>, nu: Double) throws -> Double {
        let d = dyn.dimension, du = d + 1
        let q = Matrix(rows: d, columns: d, elements: dyn.q)
        let qc = try Cholesky(q), sc = try Cholesky(s), kc = try Cholesky(k)
        let qInv = qc.inverse()
        var trace = 0.0
        for i in 0..<d { for j in 0..<d { trace += s[i, j] * qInv[j, i] } }
        let logIW = 0.5 * nu * sc.logDeterminant - 0.5 * nu * Double(d) * Double.log(2)
            - BiClusteringChain.DynamicsPrior.logMultivariateGamma(0.5 * nu, d)
            - 0.5 * (nu + Double(d) + 1) * qc.logDeterminant - 0.5 * trace
        var e = Matrix<Double>(rows: d, columns: du)
        for i in 0..<d {
            for j in 0..<d { e[i, j] = dyn.a[i * d + j] - mean[i, j] }
            e[i, d] = dyn.b[i] - mean[i, d]
        }
        // tr(K Eᵀ Q⁻¹ E)
        let inner = (e.multiplied(by: qInv, transposingSelf: true) * e) * k
        var tr = 0.0
        for i in 0..<du { tr += inner[i, i] }
        let logMN = -0.5 * Double(d * du) * Double.log(2 * Double.pi) - 0.5 * Double(du) * qc.logDeterminant
            + 0.5 * Double(d) * kc.logDeterminant - 0.5 * tr
        return logIW + logMN
    }

    static func logTransitions(_ dyn: AffineDynamics, states: [Int], regime: Int) throws -> Double {
        let qc = try Cholesky(Matrix(rows: d, columns: d, elements: dyn.q))
        var total = 0.0
        for t in 1..<bins where states[t] == regime {
            var r = [Double](repeating: 0, count: d)
            for i in 0..<d {
                r[i] = latents[t * d + i] - dyn.b[i]
                for j in 0..<d { r[i] -= dyn.a[i * d + j] * latents[(t - 1) * d + j] }
            }
            let z = qc.solve(r)
            var quad = 0.0
            for i in 0..<d { quad += r[i] * z[i] }
            total += -0.5 * quad - 0.5 * qc.logDeterminant - 0.5 * Double(d) * Double.log(2 * Double.pi)
        }
        return total
    }

    @Test func evidenceEqualsPriorTimesLikelihoodOverPosterior() throws {
        let states = [0, 0, 1, 1, 0]
        var work = [Double](repeating: 0, count: (Self.d + 1) * (2 * Self.d + 2) + Self.d * Self.d)
        var g = SeededGenerator(seed: 3)
        for regime in 0..<2 {
            let s = Self.statistics(states, regime: regime)
            let evidence = Self.prior.logEvidence(s, dimension: Self.d, work: &work)
            let posterior = try Self.prior.posterior(s, dimension: Self.d)
            let empty = try Self.prior.posterior(BiClusteringChain.TransitionStatistics(dimension: Self.d), dimension: Self.d)
            for _ in 0..<3 {
                let theta = try posterior.sample(generator: &g)
                let logPrior = try Self.logMNIW(
                    theta, mean: empty.mean, columnPrecision: empty.columnPrecision, scale: empty.scale, nu: empty.degreesOfFreedom)
                let logPosterior = try Self.logMNIW(
                    theta, mean: posterior.mean, columnPrecision: posterior.columnPrecision, scale: posterior.scale,
                    nu: posterior.degreesOfFreedom)
                let identity = logPrior + (try Self.logTransitions(theta, states: states, regime: regime)) - logPosterior
                #expect(abs(identity - evidence) < 1e-9 * Swift.max(1, abs(evidence)), "regime \(regime): \(identity) vs \(evidence)")
            }
        }
        // No transitions: the evidence is exactly 1.
        let none = Self.prior.logEvidence(BiClusteringChain.TransitionStatistics(dimension: Self.d), dimension: Self.d, work: &work)
        #expect(abs(none) < 1e-12)
    }

    /// Exact Gibbs update of θ | ξ, X̃: MNIW posterior draws, the bin-0 regime's by independence MH.
    static func gibbsDynamics(_ dynamics: inout [AffineDynamics], states: [Int], _ g: inout SeededGenerator) throws {
        for s in 0..<l {
            let draw = try prior.posterior(statistics(states, regime: s), dimension: d).sample(generator: &g)
            if s == states[0] {
                let logAccept = BiClusteringChain.initialLogDensity(draw, latents: latents)
                    - BiClusteringChain.initialLogDensity(dynamics[s], latents: latents)
                if !(Double.log(g.nextOpenUnitInterval()) < logAccept) { continue }
            }
            dynamics[s] = draw
        }
    }

    @Test(arguments: [false, true])
    func moveLeavesTheDynamicsCollapsedStatePosteriorInvariant(withGibbs: Bool) throws {
        let (d, bins, l) = (Self.d, Self.bins, Self.l)
        var g = SeededGenerator(seed: 8)
        var hmm = StickyHDPHMM(stateCount: l, alpha: 1, gamma: 1, kappa: 0, generator: &g)
        hmm.transitions = [0.7, 0.2, 0.1, 0.25, 0.6, 0.15, 0.3, 0.3, 0.4]
        var work = [Double](repeating: 0, count: (d + 1) * (2 * d + 2) + d * d)
        // E_P[f] for each subset of the transitions 1…4 (the prior is the same for every regime).
        var initialTerm = [Double](repeating: 0, count: 16)
        var mc = SeededGenerator(seed: 99)
        for mask in 0..<16 {
            let pseudo = [0] + (1..<bins).map { (mask >> ($0 - 1)) & 1 == 1 ? 0 : 1 }
            let posterior = try Self.prior.posterior(Self.statistics(pseudo, regime: 0), dimension: d)
            var sum = 0.0
            let draws = 4_000
            for _ in 0..<draws { sum += Double.exp(BiClusteringChain.initialLogDensity(try posterior.sample(generator: &mc), latents: Self.latents)) }
            initialTerm[mask] = sum / Double(draws)
        }
        let sequences = (0..<243).map { code in (0..<bins).map { t in (code / Int(pow(3.0, Double(t)))) % 3 } }
        var logTarget = sequences.map { seq -> Double in
            var v = BiClusteringChain.sequenceLogPrior(seq, hmm: hmm)
            for s in 0..<l { v += Self.prior.logEvidence(Self.statistics(seq, regime: s), dimension: d, work: &work) }
            let mask = (1..<bins).reduce(0) { $0 | (seq[$1] == seq[0] ? 1 << ($1 - 1) : 0) }
            return v + Double.log(initialTerm[mask])
        }
        let top = logTarget.max()!
        logTarget = logTarget.map { Double.exp($0 - top) }
        let total = logTarget.reduce(0, +)
        let exact = logTarget.map { $0 / total }
        // Summaries: P(ξ_t = s) and P(ξ_t = ξ_{t+1}).
        func summaries(_ weights: (Int) -> Double) -> [Double] {
            var out = [Double](repeating: 0, count: bins * l + bins - 1)
            for (k, seq) in sequences.enumerated() {
                let w = weights(k)
                for t in 0..<bins { out[t * l + seq[t]] += w }
                for t in 0..<(bins - 1) where seq[t] == seq[t + 1] { out[bins * l + t] += w }
            }
            return out
        }
        let truth = summaries { exact[$0] }
        // Without the bin-0 term the target differs visibly, so a move that dropped it would fail below.
        var withoutInitial = sequences.map { seq -> Double in
            var v = BiClusteringChain.sequenceLogPrior(seq, hmm: hmm)
            for s in 0..<l { v += Self.prior.logEvidence(Self.statistics(seq, regime: s), dimension: d, work: &work) }
            return v
        }
        let top0 = withoutInitial.max()!
        withoutInitial = withoutInitial.map { Double.exp($0 - top0) }
        let total0 = withoutInitial.reduce(0, +)
        let other = summaries { withoutInitial[$0] / total0 }
        let gap = zip(truth, other).map { abs($0 - $1) }.max()!
        #expect(gap > 0.08, "bin-0 term changes the summaries by only \(gap)")
        #expect(truth.suffix(bins - 1).contains { abs($0 - truth.suffix(bins - 1).reduce(0, +) / 4) > 0.1 },
                "the evidence must make some adjacent pairs clearly more often equal than others")
        var dynamics = (0..<l).map { _ in AffineDynamics.randomWalk(dimension: d, noise: 0.5) }
        var states = [2, 2, 2, 2, 2]
        var visits = [Int](repeating: 0, count: sequences.count)
        let iterations = 30_000
        var accepted = 0
        for _ in 0..<iterations {
            accepted += try BiClusteringChain.dynamicsCollapsedStateMoves(
                latents: Self.latents, dynamics: &dynamics, hmm: hmm, states: &states, prior: Self.prior,
                proposals: 1, maxShift: 3, generator: &g)
            if withGibbs { try Self.gibbsDynamics(&dynamics, states: states, &g) }
            visits[states.enumerated().reduce(0) { $0 + $1.element * Int(pow(3.0, Double($1.offset))) }] += 1
        }
        let observed = summaries { Double(visits[$0]) / Double(iterations) }
        #expect(accepted > iterations / 10)
        for k in truth.indices {
            #expect(abs(observed[k] - truth[k]) < 0.025, "summary \(k): chain \(observed[k]), exact \(truth[k])")
        }
    }
}
