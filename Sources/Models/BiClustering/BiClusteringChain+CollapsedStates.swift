import Foundation
import NeuroCore
import RealModule

/// State moves that do not condition on the exact latent trajectories.
///
/// Given the Pólya-Gamma draws ω, the pseudo-observations are linear-Gaussian in the stacked latents,
/// so p(ξ | ω, θ, π, …) ∝ p(ξ | π) · Z(ξ) with Z(ξ) = ∫ p(X̃ | ξ, θ) Π_t N(ŷ_t | X̃_t, ω) dX̃, one
/// information-filter pass (`InformationFFBS.logMarginal`). A Metropolis–Hastings kernel on ξ that
/// leaves this marginal invariant, followed by the FFBS draw X̃ | ξ, ω, is an exact update of the block
/// (ξ, X̃) given everything else. It lets the state sequence move without the latents having to move
/// with it in the same step, which is what locks the plain blocked Gibbs sweep (latents drawn under the
/// current states confirm those states).
///
/// The proposal is an *interval swap*: draw a start a uniformly in 0..<T and a length ℓ from a fixed
/// distribution (half the time 1…5, otherwise 1…⌈T/4⌉), take u = ξ_a and a partner v ≠ u, and exchange
/// u ↔ v on bins a..<min(a + ℓ, T). The partner is, with probability ½, uniform among the other
/// *occupied* states (when there are any) and otherwise uniform among all L − 1 other states, so
/// q(v | ξ, u) = ½·1[v ∈ occ(ξ)∖u]/|occ(ξ)∖u| + ½/(L − 1). The reverse move has the same (a, ℓ),
/// u′ = ξ′_a = v and v′ = u; the acceptance ratio is p(ξ′ | π)Z(ξ′)q(u | ξ′, v) / p(ξ | π)Z(ξ)q(v | ξ, u).
/// Swapping into an empty state opens it (its dynamics are the current draw from the MNIW prior);
/// short intervals next to a change point move the change point.
extension BiClusteringChain {
    /// Runs `proposals` interval-swap MH steps on `states` with the latents integrated out; the
    /// observation information must already be in `ffbs`. Returns the number accepted.
    /// With `edges`, the interval is instead a prefix 0..<k or a suffix T − k..<T (side by a fair coin,
    /// k uniform in 1…⌈T/4⌉, u the state of the edge bin): opening or closing a run at either end of the
    /// recording costs one transition in the sticky prior, not two, and the reverse move has the same
    /// side and k, so the Hastings term is the partner choice's as for an interval swap.
    static func collapsedStateMoves(
        ffbs: InformationFFBS, dynamics: [AffineDynamics], hmm: StickyHDPHMM, states: inout [Int], proposals: Int,
        edges: Bool = false, generator: inout SeededGenerator
    ) throws -> Int {
        let l = hmm.stateCount, bins = states.count
        guard l >= 2, bins >= 1, proposals > 0 else { return 0 }
        // The saved pass holds the filter of the current sequence, so a proposal that changes bins
        // a..<e only filters bins a… again.
        var current = try ffbs.logMarginal(dynamics: dynamics, states: states, from: 0, saving: true)
            + sequenceLogPrior(states, hmm: hmm)
        var candidate = states
        var accepted = 0
        for _ in 0..<proposals {
            let (start, end, logHastings) = edges
                ? proposeEdgeSwap(states: states, candidate: &candidate, stateCount: l, generator: &generator)
                : proposeIntervalSwap(states: states, candidate: &candidate, stateCount: l, generator: &generator)
            let proposed = try ffbs.logMarginal(dynamics: dynamics, states: candidate, from: start, saving: false)
                + sequenceLogPrior(candidate, hmm: hmm)
            if Double.log(generator.nextOpenUnitInterval()) < proposed - current + logHastings {
                for t in start..<end { states[t] = candidate[t] }
                current = try ffbs.logMarginal(dynamics: dynamics, states: states, from: start, saving: true)
                    + sequenceLogPrior(states, hmm: hmm)
                accepted += 1
            } else {
                for t in start..<end { candidate[t] = states[t] }
            }
        }
        return accepted
    }

    /// `proposals` change-point shifts with the latents integrated out: pick one of the C change points
    /// of ξ uniformly and move it by δ, |δ| ∈ 1…5 with a uniform sign, relabelling the bins it passes with
    /// the state of the run it grows. Shifts that would reach another change point (and so change C) are
    /// rejected outright, so the forward and reverse proposals both have probability 1/(10C) and the
    /// acceptance ratio is the ratio of p(ξ | π)·Z(ξ). Unlike an interval swap, a shift costs nothing in
    /// the transition prior, so it is the move that refines the boundaries. Returns the number accepted.
    static func collapsedChangePointShifts(
        ffbs: InformationFFBS, dynamics: [AffineDynamics], hmm: StickyHDPHMM, states: inout [Int], proposals: Int,
        generator: inout SeededGenerator
    ) throws -> Int {
        let bins = states.count
        guard bins >= 2, proposals > 0 else { return 0 }
        var current = try ffbs.logMarginal(dynamics: dynamics, states: states, from: 0, saving: true)
            + sequenceLogPrior(states, hmm: hmm)
        var candidate = states
        var accepted = 0
        for _ in 0..<proposals {
            guard let shift = proposeChangePointShift(states: states, candidate: &candidate, maxShift: 5, generator: &generator)
            else { continue }
            let (lo, hi) = shift
            let proposed = try ffbs.logMarginal(dynamics: dynamics, states: candidate, from: lo, saving: false)
                + sequenceLogPrior(candidate, hmm: hmm)
            if Double.log(generator.nextOpenUnitInterval()) < proposed - current {
                for t in lo..<hi { states[t] = candidate[t] }
                current = try ffbs.logMarginal(dynamics: dynamics, states: states, from: lo, saving: true)
                    + sequenceLogPrior(states, hmm: hmm)
                accepted += 1
            } else {
                for t in lo..<hi { candidate[t] = states[t] }
            }
        }
        return accepted
    }

    /// Draws an interval swap (see the type's comment) into `candidate` (equal to `states` on entry):
    /// bins lo..<hi may differ; returns them with log q(ξ | ξ′) − log q(ξ′ | ξ).
    static func proposeIntervalSwap(
        states: [Int], candidate: inout [Int], stateCount l: Int, generator: inout SeededGenerator
    ) -> (lo: Int, hi: Int, logHastings: Double) {
        let bins = states.count
        let longest = Swift.max(1, (bins + 3) / 4)
        let start = generator.uniformInt(below: bins)
        let length = generator.nextUnitInterval() < 0.5
            ? 1 + generator.uniformInt(below: Swift.min(5, bins)) : 1 + generator.uniformInt(below: longest)
        let end = Swift.min(start + length, bins)
        return swapInterval(start, end, edge: start, states: states, candidate: &candidate, stateCount: l, generator: &generator)
    }

    /// Draws an edge swap (prefix or suffix; see `collapsedStateMoves`) into `candidate`.
    static func proposeEdgeSwap(
        states: [Int], candidate: inout [Int], stateCount l: Int, generator: inout SeededGenerator
    ) -> (lo: Int, hi: Int, logHastings: Double) {
        let bins = states.count
        let length = 1 + generator.uniformInt(below: Swift.max(1, (bins + 3) / 4))
        let prefix = generator.nextUnitInterval() < 0.5
        let start = prefix ? 0 : bins - Swift.min(length, bins), end = prefix ? Swift.min(length, bins) : bins
        return swapInterval(
            start, end, edge: prefix ? 0 : bins - 1, states: states, candidate: &candidate, stateCount: l, generator: &generator)
    }

    /// u = ξ_edge, a partner v (see the type's comment), u ↔ v on start..<end.
    private static func swapInterval(
        _ start: Int, _ end: Int, edge: Int, states: [Int], candidate: inout [Int], stateCount l: Int, generator: inout SeededGenerator
    ) -> (lo: Int, hi: Int, logHastings: Double) {
        let u = states[edge]
        let occupied = occupiedStates(states, count: l)
        var v: Int
        if generator.nextUnitInterval() < 0.5 && occupied.count > 1 {
            v = occupied[generator.uniformInt(below: occupied.count - 1)]
            if v == u { v = occupied[occupied.count - 1] }
        } else {
            v = generator.uniformInt(below: l - 1)
            if v >= u { v += 1 }
        }
        for t in start..<end {
            if states[t] == u { candidate[t] = v } else if states[t] == v { candidate[t] = u }
        }
        let forward = partnerLogProbability(v, of: u, occupied: occupied, count: l)
        let reverse = partnerLogProbability(u, of: v, occupied: occupiedStates(candidate, count: l), count: l)
        return (start, end, reverse - forward)
    }

    /// Draws a change-point shift by δ, |δ| ∈ 1…`maxShift` with a uniform sign, of a uniformly chosen
    /// change point into `candidate` (equal to `states` on entry); nil (candidate untouched) when there
    /// is no change point or the shift would reach a neighbouring one. Symmetric: q(ξ′ | ξ) = q(ξ | ξ′).
    static func proposeChangePointShift(
        states: [Int], candidate: inout [Int], maxShift: Int, generator: inout SeededGenerator
    ) -> (lo: Int, hi: Int)? {
        let bins = states.count
        // Change points c: states[c − 1] ≠ states[c].
        let changes = (1..<Swift.max(bins, 1)).filter { states[$0 - 1] != states[$0] }
        guard !changes.isEmpty else { return nil }
        let c = changes[generator.uniformInt(below: changes.count)]
        let magnitude = 1 + generator.uniformInt(below: maxShift)
        let delta = generator.nextUnitInterval() < 0.5 ? -magnitude : magnitude
        let target = c + delta
        // The new change point must stay strictly inside the two runs around c.
        let previous = changes.last { $0 < c } ?? 0, next = changes.first { $0 > c } ?? bins
        guard target > previous && target < next else { return nil }
        let lo = Swift.min(c, target), hi = Swift.max(c, target)
        let fill = delta < 0 ? states[c] : states[c - 1]
        for t in lo..<hi { candidate[t] = fill }
        return (lo, hi)
    }

    /// The occupied states in increasing order.
    static func occupiedStates(_ states: [Int], count l: Int) -> [Int] {
        var seen = [Bool](repeating: false, count: l)
        for s in states { seen[s] = true }
        return (0..<l).filter { seen[$0] }
    }

    /// log q(v | ξ, u) of the partner choice (see the type's comment); `occupied` is occ(ξ), sorted.
    static func partnerLogProbability(_ v: Int, of u: Int, occupied: [Int], count l: Int) -> Double {
        let others = occupied.count - (occupied.contains(u) ? 1 : 0)
        var q = 0.5 / Double(l - 1)
        if others > 0 {
            if v != u && occupied.contains(v) { q += 0.5 / Double(others) }
        } else {
            q *= 2
        }
        return Double.log(q)
    }

    /// log p(ξ | π): uniform initial state, then the transition matrix.
    static func sequenceLogPrior(_ states: [Int], hmm: StickyHDPHMM) -> Double {
        let l = hmm.stateCount
        var total = -Double.log(Double(l))
        if states.count > 1 {
            for t in 1..<states.count { total += Double.log(hmm.transitions[states[t - 1] * l + states[t]]) }
        }
        return total
    }
}
