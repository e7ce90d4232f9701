import Foundation
import NeuroCore
import RealModule

/// State moves with the per-state dynamics θ_ℓ = (A, b, Q)_ℓ integrated out, given the latents X̃.
///
/// Why: the blocked Gibbs step and the latents-collapsed moves both condition on θ_ℓ, an MNIW draw
/// fitted to the ≈ 100 transitions the current sequence gives regime ℓ; with 135 numbers per regime
/// (D = 9) θ_ℓ over-fits its own bins and holds the change points where they are.
///
/// Target (X̃, π and the rest fixed): p(ξ | π) · Π_ℓ p₀(θ_ℓ) Π_{t ≥ 1: ξ_t = ℓ} N(x_t; A_ℓx_{t−1} + b_ℓ, Q_ℓ)
/// · f(θ_{ξ_0}), with f(θ) = N(x_0; b, AAᵀ + Q) the bin-0 term. Without f each regime's factor
/// integrates to the MNIW evidence M_ℓ(ξ) of its transitions and leaves the MNIW posterior P_ℓ(θ | ξ).
/// A proposal ξ → ξ′ (interval swap or change-point shift) changes the transitions of the regimes in
/// 𝒜 = {ξ_t, ξ′_t : t changed} (a set that is the same for the reverse move); θ′_ℓ ~ P_ℓ(· | ξ′) for
/// ℓ ∈ 𝒜, the other regimes keep θ. The Metropolis–Hastings ratio on (ξ, θ) is then
///
///     p(ξ′ | π) Π_{𝒜} M_ℓ(ξ′) · f(θ′_{ξ′_0}) · q(ξ | ξ′)  /  p(ξ | π) Π_{𝒜} M_ℓ(ξ) · f(θ_{ξ_0}) · q(ξ′ | ξ)
///
/// (p₀·likelihood = M·P for each regime, and the P factors cancel against the proposal densities).
/// Only θ′_{ξ′_0} enters the ratio, and only when ξ′_0 ∈ 𝒜; the other new θ′ are drawn after acceptance.
extension BiClusteringChain {
    /// Transition sufficient statistics of one regime: S_xx = Σ x_t x_tᵀ, S_xu = Σ x_t u_tᵀ,
    /// S_uu = Σ u_t u_tᵀ with u_t = (x_{t−1}ᵀ, 1)ᵀ, and the number of pairs.
    struct TransitionStatistics {
        var sxx: [Double]
        var sxu: [Double]
        var suu: [Double]
        var count = 0

        init(dimension d: Int) {
            sxx = [Double](repeating: 0, count: d * d)
            sxu = [Double](repeating: 0, count: d * (d + 1))
            suu = [Double](repeating: 0, count: (d + 1) * (d + 1))
        }

        /// Adds (sign +1) or removes (−1) the pair (x_{t−1}, x_t) of bin t ≥ 1.
        mutating func add(latents: UnsafePointer<Double>, bin t: Int, dimension d: Int, sign: Double) {
            let xt = latents + t &* d, xp = latents + (t &- 1) &* d, du = d &+ 1
            count += sign > 0 ? 1 : -1
            sxx.withUnsafeMutableBufferPointer { m in
                for i in 0..<d { let v = sign * xt[i]; for j in 0..<d { m[i &* d &+ j] += v * xt[j] } }
            }
            sxu.withUnsafeMutableBufferPointer { m in
                for i in 0..<d {
                    let v = sign * xt[i]
                    for j in 0..<d { m[i &* du &+ j] += v * xp[j] }
                    m[i &* du &+ d] += v
                }
            }
            suu.withUnsafeMutableBufferPointer { m in
                for i in 0..<d {
                    let v = sign * xp[i]
                    for j in 0..<d { m[i &* du &+ j] += v * xp[j] }
                    m[i &* du &+ d] += v
                    m[d &* du &+ i] += v
                }
                m[d &* du &+ d] += sign
            }
        }
    }

    /// The MNIW prior of every regime (methods note §3.3): Q ~ IW(D + offset, s0·I), [A | b] ~ MN([I | 0], Q, (k0·I)⁻¹).
    struct DynamicsPrior {
        var columnPrecision: Double
        var scale: Double
        var degreesOffset: Double

        /// The posterior given a regime's statistics.
        func posterior(_ s: TransitionStatistics, dimension d: Int) throws -> MNIWPosterior {
            try MNIWPosterior(
                sxx: Matrix(rows: d, columns: d, elements: s.sxx), sxu: Matrix(rows: d, columns: d + 1, elements: s.sxu),
                suu: Matrix(rows: d + 1, columns: d + 1, elements: s.suu), count: s.count,
                columnPrecision: columnPrecision, scale: scale, degreesOffset: degreesOffset)
        }

        /// log M = log ∫ p₀(θ) Π_t N(x_t; A x_{t−1} + b, Q) dθ
        ///       = −nD/2 log π + log Γ_D(ν_n/2) − log Γ_D(ν₀/2) + ν₀/2 log|S₀| − ν_n/2 log|S_n| + D/2 (log|K₀| − log|K_n|),
        /// with K_n, S_n, ν_n as in `MNIWPosterior`. `work` needs (D + 1)(2D + 2) + D² entries.
        func logEvidence(_ s: TransitionStatistics, dimension d: Int, work: inout [Double]) -> Double {
            let du = d + 1, k0 = columnPrecision, s0 = scale
            let nu0 = Double(d) + degreesOffset, nun = nu0 + Double(s.count)
            return work.withUnsafeMutableBufferPointer { wb -> Double in
                let kn = wb.baseAddress!, sn = kn + du * du, row = sn + d * d, w = row + du
                for k in 0..<(du * du) { kn[k] = s.suu[k] }
                for i in 0..<du { kn[i * du + i] += k0 }
                guard DenseKernels.cholesky(kn, du) else { return -.infinity }
                for k in 0..<(d * d) { sn[k] = s.sxx[k] }
                for i in 0..<d { sn[i * d + i] += s0 + k0 }
                // S_n −= R K_n⁻¹ Rᵀ with R = S_xu + M₀K₀: row-wise w_i = L⁻¹ r_i, S_n[i, j] −= w_i·w_j (lower part).
                for i in 0..<d {
                    for j in 0..<du { row[j] = s.sxu[i * du + j] }
                    row[i] += k0
                    DenseKernels.solveLower(kn, row, du)
                    for j in 0..<du { w[i * du + j] = row[j] }
                }
                for i in 0..<d { for j in 0...i {
                    var v = 0.0
                    for k in 0..<du { v += w[i * du + k] * w[j * du + k] }
                    sn[i * d + j] -= v
                    sn[j * d + i] = sn[i * d + j]
                } }
                guard DenseKernels.cholesky(sn, d) else { return -.infinity }
                let logDetKn = 2 * DenseKernels.halfLogDet(kn, du), logDetSn = 2 * DenseKernels.halfLogDet(sn, d)
                let dd = Double(d)
                return -0.5 * Double(s.count) * dd * Double.log(Double.pi)
                    + Self.logMultivariateGamma(0.5 * nun, d) - Self.logMultivariateGamma(0.5 * nu0, d)
                    + 0.5 * nu0 * dd * Double.log(s0) - 0.5 * nun * logDetSn
                    + 0.5 * dd * (Double(du) * Double.log(k0) - logDetKn)
            }
        }

        /// log Γ_D(a) = D(D − 1)/4 log π + Σ_{j=1…D} log Γ(a + (1 − j)/2).
        static func logMultivariateGamma(_ a: Double, _ d: Int) -> Double {
            var total = 0.25 * Double(d * (d - 1)) * Double.log(Double.pi)
            for j in 1...Swift.max(d, 1) where d > 0 { total += Double.logGamma(a + 0.5 * Double(1 - j)) }
            return total
        }
    }

    /// log N(x_0; b, AAᵀ + Q) for the first row of `latents` (x_{−1} ~ N(0, I)); −∞ if not positive definite.
    static func initialLogDensity(_ dyn: AffineDynamics, latents: [Double]) -> Double {
        let d = dyn.dimension
        var f = dyn.q, e = [Double](repeating: 0, count: d)
        for k in 0..<d { e[k] = latents[k] - dyn.b[k] }
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

    /// Runs `proposals` rounds of one interval swap and one change-point shift (by 1…`maxShift` bins)
    /// on (ξ, θ) given the latents (T × D row-major), as described on this extension. Returns the
    /// number of accepted proposals (out of 2·`proposals`).
    static func dynamicsCollapsedStateMoves(
        latents: [Double], dynamics: inout [AffineDynamics], hmm: StickyHDPHMM, states: inout [Int], prior: DynamicsPrior,
        proposals: Int, maxShift: Int, generator: inout SeededGenerator
    ) throws -> Int {
        let l = hmm.stateCount, bins = states.count
        guard l >= 2, bins >= 2, proposals > 0, let d = dynamics.first?.dimension, latents.count == bins * d else { return 0 }
        var work = [Double](repeating: 0, count: (d + 1) * (2 * d + 2) + d * d)
        var stats = (0..<l).map { _ in TransitionStatistics(dimension: d) }
        latents.withUnsafeBufferPointer { xb in
            for t in 1..<bins { stats[states[t]].add(latents: xb.baseAddress!, bin: t, dimension: d, sign: 1) }
        }
        var evidence = stats.map { prior.logEvidence($0, dimension: d, work: &work) }
        var logPrior = sequenceLogPrior(states, hmm: hmm)
        var candidate = states
        var accepted = 0
        var affected = [Int](), newStats = [TransitionStatistics](), newEvidence = [Double]()
        for round in 0..<(2 * proposals) {
            let lo: Int, hi: Int, logHastings: Double
            if round % 2 == 0 {
                let swap = proposeIntervalSwap(states: states, candidate: &candidate, stateCount: l, generator: &generator)
                (lo, hi, logHastings) = (swap.lo, swap.hi, swap.logHastings)
            } else {
                guard let shift = proposeChangePointShift(states: states, candidate: &candidate, maxShift: maxShift, generator: &generator)
                else { continue }
                (lo, hi, logHastings) = (shift.lo, shift.hi, 0)
            }
            // 𝒜 and the statistics of its regimes under ξ′.
            affected.removeAll(keepingCapacity: true)
            for t in lo..<hi where candidate[t] != states[t] {
                if !affected.contains(states[t]) { affected.append(states[t]) }
                if !affected.contains(candidate[t]) { affected.append(candidate[t]) }
            }
            if affected.isEmpty { continue }
            newStats.removeAll(keepingCapacity: true)
            for s in affected { newStats.append(stats[s]) }
            latents.withUnsafeBufferPointer { xb in
                for t in Swift.max(lo, 1)..<hi where candidate[t] != states[t] {
                    newStats[affected.firstIndex(of: states[t])!].add(latents: xb.baseAddress!, bin: t, dimension: d, sign: -1)
                    newStats[affected.firstIndex(of: candidate[t])!].add(latents: xb.baseAddress!, bin: t, dimension: d, sign: 1)
                }
            }
            newEvidence.removeAll(keepingCapacity: true)
            var logRatio = logHastings
            for (k, s) in affected.enumerated() {
                let e = prior.logEvidence(newStats[k], dimension: d, work: &work)
                newEvidence.append(e)
                logRatio += e - evidence[s]
            }
            let candidatePrior = sequenceLogPrior(candidate, hmm: hmm)
            logRatio += candidatePrior - logPrior
            // The bin-0 term: only when ξ′_0's regime gets a new θ′ (then ξ_0's regime is in 𝒜 too).
            var initialDraw: AffineDynamics? = nil
            let firstIndex = affected.firstIndex(of: candidate[0])
            if let k = firstIndex, logRatio.isFinite {
                let draw = try sampleDynamics(prior: prior, stats: newStats[k], dimension: d, generator: &generator)
                logRatio += initialLogDensity(draw, latents: latents) - initialLogDensity(dynamics[states[0]], latents: latents)
                initialDraw = draw
            }
            if Double.log(generator.nextOpenUnitInterval()) < logRatio {
                for t in lo..<hi { states[t] = candidate[t] }
                logPrior = candidatePrior
                for (k, s) in affected.enumerated() {
                    stats[s] = newStats[k]
                    evidence[s] = newEvidence[k]
                    if k == firstIndex, let initialDraw {
                        dynamics[s] = initialDraw
                    } else {
                        dynamics[s] = try sampleDynamics(prior: prior, stats: newStats[k], dimension: d, generator: &generator)
                    }
                }
                accepted += 1
            } else {
                for t in lo..<hi { candidate[t] = states[t] }
            }
        }
        return accepted
    }

    private static func sampleDynamics(
        prior: DynamicsPrior, stats: TransitionStatistics, dimension d: Int, generator: inout SeededGenerator
    ) throws -> AffineDynamics {
        do {
            return try prior.posterior(stats, dimension: d).sample(generator: &generator)
        } catch {
            throw BiClusteringError.numerical("MNIW draw in the dynamics-collapsed state move failed: \(error)")
        }
    }

    /// The chain's dynamics-collapsed move (`dynamicsCollapsedStateProposals` rounds), on its current latents.
    func updateStatesWithDynamicsIntegrated() throws {
        let prior = DynamicsPrior(
            columnPrecision: config.dynamicsColumnPrecision, scale: config.dynamicsScale, degreesOffset: config.dynamicsDegreesOffset)
        // Local copies: `state` may not be read and modified in the same call (exclusivity).
        var dynamics = state.dynamics, states = state.states
        acceptedDynamicsCollapsedMoves += try Self.dynamicsCollapsedStateMoves(
            latents: state.latents, dynamics: &dynamics, hmm: state.hmm, states: &states, prior: prior,
            proposals: config.dynamicsCollapsedStateProposals, maxShift: config.dynamicsCollapsedMaxShift, generator: &generator)
        state.dynamics = dynamics
        state.states = states
        proposedDynamicsCollapsedMoves += 2 * config.dynamicsCollapsedStateProposals
    }
}
