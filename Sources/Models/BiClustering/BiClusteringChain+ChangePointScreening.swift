import Foundation
import NeuroCore
import RealModule

/// Screened change points: a burn-in-only search that places each change point of the restart's state
/// sequence where the model fits best.
///
/// Why: a chain keeps whatever change points it starts with. On the paper's simulation a sequence lagging
/// the truth by 5 bins at every change point (state ARI 0.70) stays at 0.69 over 200 sweeps, 10 bins
/// (0.46) stays at 0.47, while the true sequence alone (with the data-driven latents) holds 0.94: latents
/// drawn under a sequence confirm it, and the fitted dynamics of the pinned regime absorb the first bins
/// of each excursion. Since the change points are ~50 bins apart, their effects on the fit are nearly
/// separable: every candidate shifts *all* change points by the same δ, runs a few sweeps with the
/// sequence held (latents, dynamics, loadings, r move), and records per bin the log-likelihood of the
/// counts plus the log density of the latent transition under the bin's regime. The two change points
/// that bound one run then take the δ with the best score summed over their windows (half-way to the
/// neighbours): a run moves whole, because scored one boundary at a time the more flexible (wandering)
/// regime wins every boundary. Rounds alternate which runs are paired. Deterministic from the chain's
/// generator; the chain state is restored between candidates.
extension BiClusteringChain {
    /// Merges runs shorter than `minimumRun` bins into the preceding run (the first run into the next).
    static func mergingShortRuns(_ states: [Int], minimumRun: Int) -> [Int] {
        var s = states
        guard s.count > 1, minimumRun > 1 else { return s }
        var changed = true
        while changed {
            changed = false
            var start = 0
            while start < s.count {
                var end = start
                while end < s.count && s[end] == s[start] { end += 1 }
                let length = end - start
                if length < minimumRun && length < s.count {
                    let fill = start > 0 ? s[start - 1] : s[end]
                    for t in start..<end { s[t] = fill }
                    changed = true
                    break
                }
                start = end
            }
        }
        return s
    }

    /// `states` with every change point c_j moved by `delta`, kept strictly inside (lo_j, hi_j).
    static func shiftingChangePoints(_ states: [Int], changes: [Int], windows: [(lo: Int, hi: Int)], delta: Int) -> [Int] {
        var out = states
        for (j, c) in changes.enumerated() {
            let target = Swift.min(Swift.max(c + delta, windows[j].lo), windows[j].hi)
            if target < c { for t in target..<c { out[t] = states[c] } }
            if target > c { for t in c..<target { out[t] = states[c - 1] } }
        }
        return out
    }

    /// The search described on the extension; `offsets` are the candidate δ, `sweeps` the held sweeps per
    /// candidate (scores averaged over the second half). Leaves the chain at its pre-search state with the
    /// chosen sequence and dynamics drawn given it.
    func screenChangePoints(offsets: [Int], sweeps: Int, pairingFrom first: Int = 0) throws {
        let base = Self.mergingShortRuns(state.states, minimumRun: 5)
        let changes = (1..<bins).filter { base[$0 - 1] != base[$0] }
        guard !changes.isEmpty, sweeps > 0, !offsets.isEmpty else { return }
        // Windows: a change point may move to anywhere strictly between the midpoints to its neighbours
        // (to bin 1 / T − 1 at the ends); its score sums the bins of that window.
        var windows = [(lo: Int, hi: Int)]()
        for (j, c) in changes.enumerated() {
            let lo = j == 0 ? 1 : (changes[j - 1] + c) / 2 + 1
            let hi = j == changes.count - 1 ? bins - 1 : (c + changes[j + 1]) / 2
            windows.append((lo, hi))
        }
        let saved = state
        let l = config.statesTruncation
        var scores = [[Double]](repeating: [Double](repeating: 0, count: changes.count), count: offsets.count)
        var perBin = [Double](repeating: 0, count: bins)
        screeningStates = true
        defer { screeningStates = false }
        for (k, delta) in offsets.enumerated() {
            state = saved
            state.states = Self.shiftingChangePoints(base, changes: changes, windows: windows, delta: delta)
            state.hmm.resampleParameters(states: state.states, generator: &generator)
            try resampleDynamics()
            for t in 0..<bins { perBin[t] = 0 }
            let recordFrom = sweeps / 2
            for m in 0..<sweeps {
                try updateLatents()
                try updateStatesAndDynamics()
                updateLoadings()
                if config.likelihood == .negativeBinomial { updateDispersions() }
                project()
                if m >= recordFrom {
                    try computeStateLogLikelihoods()
                    computeLinearPredictor()
                    for t in 0..<bins { perBin[t] += hmmLogLikelihood[t * l + state.states[t]] + countLogLikelihood(bin: t) }
                }
            }
            for j in changes.indices {
                var s = 0.0
                for t in (windows[j].lo - 1)...windows[j].hi { s += perBin[t] }
                scores[k][j] = s
            }
        }
        state = saved
        // Change points are chosen in pairs (c_0, c_1), (c_2, c_3), …, the two ends of one run, scored
        // over both windows: shifting a run whole keeps its length, so the score cannot simply prefer the
        // more flexible regime at every boundary.
        // `first` = 1 pairs (c_1, c_2), (c_3, c_4), … (the runs of the other label), with c_0 alone.
        var best = [Int](repeating: 0, count: changes.count)
        var groups = first == 1 ? [[0]] : []
        for j in stride(from: first, to: changes.count, by: 2) { groups.append(j + 1 < changes.count ? [j, j + 1] : [j]) }
        for members in groups {
            let pick = offsets.indices.max { a, b in
                members.reduce(0.0) { $0 + scores[a][$1] } < members.reduce(0.0) { $0 + scores[b][$1] }
            }!
            for m in members { best[m] = pick }
        }
        var chosen = base
        for (j, c) in changes.enumerated() {
            let one = Self.shiftingChangePoints(base, changes: [c], windows: [windows[j]], delta: offsets[best[j]])
            for t in (windows[j].lo - 1)...windows[j].hi { chosen[t] = one[t] }
        }
        state.states = chosen
        state.hmm.resampleParameters(states: state.states, generator: &generator)
        try resampleDynamics()
    }

    /// Σ_i log p(y_it | η_it) of one bin from `eta` (NB or Poisson, as the chain's likelihood).
    func countLogLikelihood(bin t: Int) -> Double {
        var total = 0.0
        let poisson = config.likelihood == .poisson
        for i in 0..<neurons {
            let y = counts[i * bins + t]
            if y.isNaN { continue }
            let e = eta[i * bins + t]
            total += poisson ? CountLikelihood.poisson(y, logMean: e)
                : CountLikelihood.negativeBinomial(y, logMean: e, dispersion: state.dispersions[i])
        }
        return total
    }
}
