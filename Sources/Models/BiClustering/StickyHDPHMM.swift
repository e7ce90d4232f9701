import Foundation
import NeuroCore
import RealModule

/// The weak-limit sticky HDP-HMM prior over the bin states (Fox et al. 2011), L states:
///
///     β ~ Dir(γ/L, …, γ/L),  π_ℓ ~ Dir(αβ + κ e_ℓ),  ξ_0 ~ uniform,  ξ_t | ξ_{t−1} ~ π_{ξ_{t−1}}.
///
/// Blocked Gibbs: transition rows and β from their conditionals given the state sequence (auxiliary
/// CRP table counts m with the sticky override thinning), then the whole sequence by forward filtering
/// and backward sampling given per-bin log-likelihoods.
public struct StickyHDPHMM: Sendable, Codable, Equatable {
    public let stateCount: Int
    public let alpha: Double
    public let gamma: Double
    public let kappa: Double
    /// Global state weights β.
    public var beta: [Double]
    /// Transition matrix, row-major L × L (row = from).
    public var transitions: [Double]

    public init(stateCount: Int, alpha: Double, gamma: Double, kappa: Double, generator: inout SeededGenerator) {
        self.stateCount = stateCount
        self.alpha = alpha
        self.gamma = gamma
        self.kappa = kappa
        let l = stateCount
        beta = generator.dirichlet([Double](repeating: gamma / Double(l), count: l))
        transitions = [Double](repeating: 0, count: l * l)
        for j in 0..<l { drawRow(j, counts: [Double](repeating: 0, count: l), generator: &generator) }
    }

    private mutating func drawRow(_ j: Int, counts: [Double], generator: inout SeededGenerator) {
        let l = stateCount
        var conc = [Double](repeating: 0, count: l)
        for k in 0..<l { conc[k] = Swift.max(alpha * beta[k] + (k == j ? kappa : 0) + counts[k], 1e-300) }
        let row = generator.dirichlet(conc)
        for k in 0..<l { transitions[j * l + k] = Swift.max(row[k], 1e-300) }
    }

    /// Transition counts n_jk over t = 1…T−1.
    public func transitionCounts(_ states: [Int]) -> [Double] {
        let l = stateCount
        var n = [Double](repeating: 0, count: l * l)
        if states.count > 1 { for t in 1..<states.count { n[states[t - 1] * l + states[t]] += 1 } }
        return n
    }

    /// Gibbs update of β and the transition rows given the state sequence.
    public mutating func resampleParameters(states: [Int], generator: inout SeededGenerator) {
        let l = stateCount
        let n = transitionCounts(states)
        // Auxiliary table counts m_jk ~ CRT(n_jk, αβ_k + κδ_jk), then the override thinning of m_jj.
        var mbar = [Double](repeating: 0, count: l)
        let rho = kappa / (alpha + kappa)
        for j in 0..<l {
            for k in 0..<l {
                let count = Int(n[j * l + k])
                if count == 0 { continue }
                let a = alpha * beta[k] + (j == k ? kappa : 0)
                var m = 0
                for s in 0..<count where generator.nextUnitInterval() < a / (a + Double(s)) { m += 1 }
                if j == k && m > 0 && kappa > 0 {
                    let overridden = generator.binomial(trials: m, probability: rho / (rho + beta[j] * (1 - rho)))
                    m -= overridden
                }
                mbar[k] += Double(m)
            }
        }
        beta = generator.dirichlet(mbar.map { Swift.max($0 + gamma / Double(l), 1e-300) })
        for j in 0..<l { drawRow(j, counts: Array(n[(j * l)..<((j + 1) * l)]), generator: &generator) }
    }

    /// Draws ξ_{0:T−1} given log-likelihoods (T × L, row-major) with a uniform initial distribution.
    /// `workspace` must hold T × L values. Returns log p(observations) under the current π.
    @discardableResult
    public func sampleStates(
        logLikelihoods ll: [Double], into states: inout [Int], workspace: inout [Double], generator: inout SeededGenerator
    ) -> Double {
        let l = stateCount, count = states.count
        precondition(ll.count == count * l && workspace.count >= count * l)
        var logEvidence = 0.0
        workspace.withUnsafeMutableBufferPointer { fw in
            ll.withUnsafeBufferPointer { llb in
                transitions.withUnsafeBufferPointer { pi in
                    let f = fw.baseAddress!
                    for t in 0..<count {
                        let row = llb.baseAddress! + t &* l
                        var mx = -Double.infinity
                        for k in 0..<l where row[k] > mx { mx = row[k] }
                        var total = 0.0
                        for k in 0..<l {
                            var prior: Double
                            if t == 0 {
                                prior = 1 / Double(l)
                            } else {
                                prior = 0
                                let prev = f + (t &- 1) &* l
                                for j in 0..<l { prior += prev[j] * pi[j &* l &+ k] }
                            }
                            let v = prior * Double.exp(row[k] - mx)
                            f[t &* l &+ k] = v
                            total += v
                        }
                        logEvidence += Double.log(total) + mx
                        for k in 0..<l { f[t &* l &+ k] /= total }
                    }
                    // Backward sampling.
                    var next = -1
                    var t = count &- 1
                    while t >= 0 {
                        var total = 0.0
                        for k in 0..<l {
                            let w = f[t &* l &+ k] * (next < 0 ? 1 : pi[k &* l &+ next])
                            total += w
                        }
                        var u = generator.nextUnitInterval() * total
                        var chosen = l &- 1
                        for k in 0..<l {
                            let w = f[t &* l &+ k] * (next < 0 ? 1 : pi[k &* l &+ next])
                            if u < w { chosen = k; break }
                            u -= w
                        }
                        states[t] = chosen
                        next = chosen
                        t &-= 1
                    }
                }
            }
        }
        return logEvidence
    }
}
