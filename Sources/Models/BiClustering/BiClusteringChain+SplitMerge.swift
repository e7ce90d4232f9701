import Foundation
import NeuroCore
import RealModule

extension BiClusteringChain {
    /// Split–merge Metropolis–Hastings moves over neuron labels (Jain & Neal 2004, with Dahl's
    /// sequentially-allocated proposal), on the same target as the Algorithm-8 step:
    ///
    ///     p(z) Π_c G0(φ_c) Π_i m(y_i | φ_{z_i}),   p(z) ∝ V_N(t) Π_c Γ(n_c + γ)/Γ(γ),
    ///
    /// φ_c a cluster's trajectory, G0 the declared auxiliary prior, m the Laplace marginal over c_i.
    /// An ordered pair (i, j) is drawn uniformly. If z_i = z_j the move proposes a split: j's side gets a
    /// fresh φ′ ~ G0 (so G0 cancels), i's side keeps φ_{z_i}, and the other members are allocated one by
    /// one in random order with P(side) ∝ (n_side + γ) m(y_k | φ_side). Otherwise it proposes merging
    /// z_j into z_i (φ_{z_j} is dropped); its reverse is that split, whose allocation probability of the
    /// current configuration enters the ratio. Loadings of moved neurons are redrawn from the Laplace
    /// approximation, as in the Gibbs step.
    func splitMerge(proposals: Int) throws {
        guard proposals > 0, neurons >= 2 else { return }
        var slots = unpackSlots()
        let p = self.p, bins = self.bins, gamma = config.mfmGamma
        let poisson = config.likelihood == .poisson
        var auxiliary = [Double](repeating: 0, count: (p + 1) * bins)
        var auxScales = [Double](repeating: 1, count: p)
        var order = [Int]()
        // Per-neuron marginals under the two trajectories in play.
        var logA = [Double](repeating: 0, count: neurons), logB = logA
        func logRising(_ n: Int) -> Double { Double.logGamma(Double(n) + gamma) - Double.logGamma(gamma) }
        for _ in 0..<proposals {
            let i = generator.uniformInt(below: neurons)
            var j = generator.uniformInt(below: neurons - 1)
            if j >= i { j += 1 }
            let ci = state.labels[i], cj = state.labels[j]
            let occupied = slots.reduce(0) { $0 + ($1.size > 0 ? 1 : 0) }
            if ci == cj {
                guard occupied + 1 <= maxClusters else { continue }
                drawAuxiliaryTrajectory(into: &auxiliary, scales: &auxScales)
                order = (0..<neurons).filter { state.labels[$0] == ci && $0 != i && $0 != j }
                shuffle(&order)
                var na = 1, nb = 1
                var logQ = 0.0, logLikelihoodRatio = 0.0
                var side = [Bool](repeating: false, count: neurons)   // true: j's (new) side
                side[j] = true
                logA[j] = marginal(j, rows: slots[ci].rows, baseline: state.baselines[j], dispersion: state.dispersions[j], poisson: poisson)
                logB[j] = marginal(j, rows: auxiliary, baseline: state.baselines[j], dispersion: state.dispersions[j], poisson: poisson)
                logLikelihoodRatio += logB[j] - logA[j]
                for k in order {
                    let a = marginal(k, rows: slots[ci].rows, baseline: state.baselines[k], dispersion: state.dispersions[k], poisson: poisson)
                    let b = marginal(k, rows: auxiliary, baseline: state.baselines[k], dispersion: state.dispersions[k], poisson: poisson)
                    logA[k] = a; logB[k] = b
                    let wa = Double.log(Double(na) + gamma) + a, wb = Double.log(Double(nb) + gamma) + b
                    let norm = MFMCoefficients.logAdd(wa, wb)
                    guard norm.isFinite else { logQ = .infinity; break }
                    if Double.log(generator.nextOpenUnitInterval()) < wb - norm {
                        side[k] = true; nb += 1; logQ += wb - norm; logLikelihoodRatio += b - a
                    } else {
                        na += 1; logQ += wa - norm
                    }
                }
                guard logQ.isFinite, logLikelihoodRatio.isFinite else { continue }
                let logPrior = mfm.log(blocks: occupied + 1) - mfm.log(blocks: occupied)
                    + logRising(na) + logRising(nb) - logRising(na + nb)
                if Double.log(generator.nextOpenUnitInterval()) < logPrior + logLikelihoodRatio - logQ {
                    slots.append(ClusterSlot(rows: auxiliary, scales: auxScales, size: nb, origin: nil))
                    let s = slots.count - 1
                    slots[ci].size = na
                    for k in 0..<neurons where side[k] {
                        state.labels[k] = s
                        redrawLoadings(k, rows: slots[s].rows, poisson: poisson)
                    }
                    acceptedSplits += 1
                }
            } else {
                // Merge z_j into z_i; the reverse split allocates the merged members given (φ_ci, φ_cj).
                order = (0..<neurons).filter { ($0 != i && $0 != j) && (state.labels[$0] == ci || state.labels[$0] == cj) }
                shuffle(&order)
                var na = 1, nb = 1
                var logQ = 0.0, logLikelihoodRatio = 0.0
                let mj = marginal(j, rows: slots[ci].rows, baseline: state.baselines[j], dispersion: state.dispersions[j], poisson: poisson)
                let mjOwn = marginal(j, rows: slots[cj].rows, baseline: state.baselines[j], dispersion: state.dispersions[j], poisson: poisson)
                logLikelihoodRatio += mj - mjOwn
                for k in order {
                    let a = marginal(k, rows: slots[ci].rows, baseline: state.baselines[k], dispersion: state.dispersions[k], poisson: poisson)
                    let b = marginal(k, rows: slots[cj].rows, baseline: state.baselines[k], dispersion: state.dispersions[k], poisson: poisson)
                    let wa = Double.log(Double(na) + gamma) + a, wb = Double.log(Double(nb) + gamma) + b
                    let norm = MFMCoefficients.logAdd(wa, wb)
                    if state.labels[k] == cj {
                        nb += 1; logQ += wb - norm; logLikelihoodRatio += a - b
                    } else {
                        na += 1; logQ += wa - norm
                    }
                }
                guard logQ.isFinite, logLikelihoodRatio.isFinite else { continue }
                let logPrior = mfm.log(blocks: occupied - 1) - mfm.log(blocks: occupied)
                    + logRising(na + nb) - logRising(na) - logRising(nb)
                if Double.log(generator.nextOpenUnitInterval()) < logPrior + logLikelihoodRatio + logQ {
                    for k in 0..<neurons where state.labels[k] == cj {
                        state.labels[k] = ci
                        redrawLoadings(k, rows: slots[ci].rows, poisson: poisson)
                    }
                    slots[ci].size += slots[cj].size
                    slots[cj].size = 0
                    acceptedMerges += 1
                }
            }
        }
        try packSlots(slots)
    }

    private func shuffle(_ a: inout [Int]) {
        guard a.count > 1 else { return }
        for k in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(k, generator.uniformInt(below: k + 1)) }
    }

    /// c_i from the Laplace approximation of its marginal in a cluster (orthonormal scale).
    private func redrawLoadings(_ k: Int, rows: [Double], poisson: Bool) {
        let lm = marginal(k, rows: rows, baseline: state.baselines[k], dispersion: state.dispersions[k], poisson: poisson)
        guard lm.isFinite else { return }
        state.loadings.withUnsafeMutableBufferPointer { cb in
            laplace.drawLoadings(into: cb.baseAddress! + k * p, generator: &generator)
        }
    }
}
