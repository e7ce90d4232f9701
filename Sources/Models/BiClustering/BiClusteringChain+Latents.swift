import Foundation
import NeuroCore
import RealModule

extension BiClusteringChain {
    /// Pólya-Gamma augmentation + FFBS of the stacked latents.
    ///
    /// With ψ = η − log r, NB(y | r, e^η) ∝ e^{ψy}/(1 + e^ψ)^{y+r}; given ω ~ PG(y + r, ψ) the bin's
    /// contribution is Gaussian in x̃ with precision ω c̃c̃ᵀ and information c̃·[(y − r)/2 + ω(log r − d)].
    /// Each neuron touches only its own cluster's block, so J_t is block-diagonal.
    /// In the Poisson variant the draw uses r = proxy and is accepted by the independence-sampler ratio
    /// [ℓ_Pois(new) − ℓ_Pois(old)] + [ℓ_NB(old) − ℓ_NB(new)] (methods note §4.5).
    func updateLatents() throws {
        try prepareBuffers()
        computeLinearPredictor()
        let d = stackedDimension, b = blockSize, p = self.p, bins = self.bins, dd = d * d
        let poisson = config.likelihood == .poisson
        var oldPois = 0.0, oldNB = 0.0
        let exact = config.exactPolyaGamma ?? false
        ffbs.observationPrecision.withUnsafeMutableBufferPointer { jb in
            ffbs.observationInformation.withUnsafeMutableBufferPointer { hb in
                for k in jb.indices { jb[k] = 0 }
                for k in hb.indices { hb[k] = 0 }
                var ct = [Double](repeating: 0, count: b)
                for i in 0..<neurons {
                    let r = state.dispersions[i]
                    let logR = Double.log(r)
                    let base = state.labels[i] &* b
                    ct[0] = 1
                    for k in 0..<p { ct[1 &+ k] = state.loadings[i &* p &+ k] }
                    let di = state.baselines[i]
                    for t in 0..<bins {
                        let y = counts[i &* bins &+ t]
                        if y.isNaN { continue }
                        let e = eta[i &* bins &+ t]
                        if poisson {
                            oldPois += CountLikelihood.poisson(y, logMean: e)
                            oldNB += CountLikelihood.negativeBinomial(y, logMean: e, dispersion: r)
                        }
                        let w = exact ? generator.polyaGamma(b: y + r, c: e - logR) : generator.polyaGammaHybrid(b: y + r, c: e - logR)
                        omega[i &* bins &+ t] = w
                        let kappa = 0.5 * (y - r) + w * (logR - di)
                        let jt = jb.baseAddress! + t &* dd
                        let ht = hb.baseAddress! + (t &* d &+ base)
                        for u in 0..<b {
                            ht[u] += kappa * ct[u]
                            let wu = w * ct[u]
                            let row = jt + ((base &+ u) &* d &+ base)
                            for v in 0..<b { row[v] += wu * ct[v] }
                        }
                    }
                }
            }
        }
        // (ξ, X̃) | ω as a block: ξ by interval-swap MH with X̃ integrated out, then X̃ | ξ by FFBS. NB
        // only: the Poisson variant's latent draw is an MH proposal, not the exact conditional.
        if !poisson && config.collapsedStateProposals > 0 && state.sweep >= config.randomStateRestarts && !holdingStates {
            acceptedStateMoves += try Self.collapsedStateMoves(
                ffbs: ffbs, dynamics: state.dynamics, hmm: state.hmm, states: &state.states,
                proposals: config.collapsedStateProposals, generator: &generator)
            acceptedStateMoves += try Self.collapsedChangePointShifts(
                ffbs: ffbs, dynamics: state.dynamics, hmm: state.hmm, states: &state.states,
                proposals: config.collapsedStateProposals, generator: &generator)
        }
        if !poisson && config.collapsedEdgeProposals > 0 && state.sweep >= config.randomStateRestarts && !holdingStates {
            acceptedStateMoves += try Self.collapsedStateMoves(
                ffbs: ffbs, dynamics: state.dynamics, hmm: state.hmm, states: &state.states,
                proposals: config.collapsedEdgeProposals, edges: true, generator: &generator)
        }
        try ffbs.sample(dynamics: state.dynamics, states: state.states, into: &proposal, generator: &generator)
        if poisson {
            computeLinearPredictor(latents: proposal)
            var newPois = 0.0, newNB = 0.0
            for i in 0..<neurons {
                let r = state.dispersions[i]
                for t in 0..<bins {
                    let y = counts[i * bins + t]
                    if y.isNaN { continue }
                    newPois += CountLikelihood.poisson(y, logMean: eta[i * bins + t])
                    newNB += CountLikelihood.negativeBinomial(y, logMean: eta[i * bins + t], dispersion: r)
                }
            }
            let logAccept = (newPois - oldPois) + (oldNB - newNB)
            if Double.log(generator.nextOpenUnitInterval()) >= logAccept { return }
        }
        swap(&state.latents, &proposal)
        acceptedLatentMoves += 1
    }

    /// (d_i, c_i) | ω, X̃ ~ N(m, V) with V⁻¹ = Σ_t ω u uᵀ + B⁻¹, m = V Σ_t u κ_t, u = (1, x_t^(z_i)),
    /// κ_t = (y − r)/2 + ω(log r − μ_t).
    ///
    /// In the NB model the ω drawn for the latent step are reused: (ω, X̃, d, c) is one augmented joint,
    /// and ω | X̃_old → X̃ | ω → (d, c) | ω, X̃ are each exact full conditionals of it, so a second PG draw
    /// per count (half the cost of a sweep) is not needed. The Poisson variant redraws ω at the current
    /// state because its latent step may reject.
    func updateLoadings() {
        computeLinearPredictor()
        let reuseOmega = config.likelihood == .negativeBinomial
        let exact = config.exactPolyaGamma ?? false
        let d = stackedDimension, b = blockSize, p = self.p, bins = self.bins
        let poisson = config.likelihood == .poisson
        var precision = [Double](repeating: 0, count: b * b)
        var info = [Double](repeating: 0, count: b)
        var u = [Double](repeating: 0, count: b)
        var draw = [Double](repeating: 0, count: b)
        for i in 0..<neurons {
            let r = state.dispersions[i]
            let logR = Double.log(r)
            let base = state.labels[i] * b
            for k in 0..<(b * b) { precision[k] = 0 }
            precision[0] = 1 / config.baselinePriorVariance
            for k in 1..<b { precision[k * b + k] = 1 / config.loadingPriorVariance }
            for k in 0..<b { info[k] = 0 }
            state.latents.withUnsafeBufferPointer { xb in
                for t in 0..<bins {
                    let y = counts[i &* bins &+ t]
                    if y.isNaN { continue }
                    let w = reuseOmega ? omega[i &* bins &+ t]
                        : exact ? generator.polyaGamma(b: y + r, c: eta[i &* bins &+ t] - logR)
                        : generator.polyaGammaHybrid(b: y + r, c: eta[i &* bins &+ t] - logR)
                    let xt = xb.baseAddress! + (t &* d &+ base)
                    u[0] = 1
                    for k in 0..<p { u[1 &+ k] = xt[1 &+ k] }
                    let kappa = 0.5 * (y - r) + w * (logR - xt[0])
                    for k in 0..<b {
                        info[k] += u[k] * kappa
                        let wu = w * u[k]
                        for l in 0...k { precision[k &* b &+ l] += wu * u[l] }
                    }
                }
            }
            for k in 0..<b { for l in 0..<k { precision[l * b + k] = precision[k * b + l] } }
            let ok = precision.withUnsafeMutableBufferPointer { DenseKernels.cholesky($0.baseAddress!, b) }
            if !ok { continue }
            precision.withUnsafeBufferPointer { lb in
                draw.withUnsafeMutableBufferPointer { db in
                    for k in 0..<b { db[k] = info[k] }
                    DenseKernels.solveLower(lb.baseAddress!, db.baseAddress!, b)
                    for k in 0..<b { db[k] += generator.standardNormal() }
                    DenseKernels.solveLowerTransposed(lb.baseAddress!, db.baseAddress!, b)
                }
            }
            if poisson {
                // Independence MH correction of the NB(r = proxy) Gibbs draw towards the Poisson target.
                var logAccept = 0.0
                state.latents.withUnsafeBufferPointer { xb in
                    for t in 0..<bins {
                        let y = counts[i &* bins &+ t]
                        if y.isNaN { continue }
                        let xt = xb.baseAddress! + (t &* d &+ base)
                        var newEta = draw[0] + xt[0]
                        for k in 0..<p { newEta += draw[1 &+ k] * xt[1 &+ k] }
                        let oldEta = eta[i &* bins &+ t]
                        logAccept += CountLikelihood.poisson(y, logMean: newEta) - CountLikelihood.poisson(y, logMean: oldEta)
                            + CountLikelihood.negativeBinomial(y, logMean: oldEta, dispersion: r)
                            - CountLikelihood.negativeBinomial(y, logMean: newEta, dispersion: r)
                    }
                }
                if Double.log(generator.nextOpenUnitInterval()) >= logAccept { continue }
            }
            state.baselines[i] = draw[0]
            for k in 0..<p { state.loadings[i * p + k] = draw[1 + k] }
        }
    }

    /// r_i: exact random-walk MH on log r under Gamma(a0, h) (default), or the reference's CRT–Gamma step;
    /// with `sharedDispersion` one r for all neurons, the same updates with every neuron's counts pooled.
    func updateDispersions() {
        computeLinearPredictor()
        if config.sharedDispersion {
            // Pooled over N·T counts the posterior of log r is narrow (sd ≈ 0.08 on the paper's simulation),
            // so the step is ≈ 3 of those sds; six steps per sweep let r climb from its start (r = 1) to
            // the data's value (log 10 ≈ 2.3 away) within two or three sweeps.
            updateDispersion(of: 0..<neurons, steps: 6, stepSize: 0.25)
        } else {
            for i in 0..<neurons { updateDispersion(of: i..<(i + 1), steps: 3, stepSize: dispersionStep) }
        }
    }

    /// One update of the r the neurons in `members` share. Expects `eta` to hold the linear predictor.
    func updateDispersion(of members: Range<Int>, steps: Int, stepSize: Double) {
        let r = state.dispersions[members.lowerBound]
        var draw = r
        switch config.dispersionUpdate {
        case .metropolis:
            var currentLog = dispersionLogPosterior(members, r)
            for _ in 0..<steps {
                let proposed = draw * Double.exp(stepSize * generator.standardNormal())
                let proposedLog = dispersionLogPosterior(members, proposed)
                // Target density in log r: p(r)·r (Jacobian).
                if Double.log(generator.nextOpenUnitInterval()) < proposedLog + Double.log(proposed) - currentLog - Double.log(draw) {
                    draw = proposed
                    currentLog = proposedLog
                }
            }
        case .crtGamma:
            var tables = 0
            var rate = config.dispersionRate
            for i in members {
                for t in 0..<bins {
                    let y = counts[i * bins + t]
                    if y.isNaN { continue }
                    for j in 0..<Int(y) where generator.nextUnitInterval() < r / (r + Double(j)) { tables += 1 }
                    // −log(r/(r + μ)) = log(1 + μ/r)
                    rate += Double.log(onePlus: Double.exp(eta[i * bins + t]) / r)
                }
            }
            let gamma = generator.gamma(shape: config.dispersionShape + Double(tables), scale: 1 / rate)
            if gamma.isFinite && gamma > 1e-8 { draw = gamma }
        }
        for i in members { state.dispersions[i] = draw }
    }

    /// Log posterior (up to a constant) of the r shared by `members`, under the Gamma(a0, h) prior.
    func dispersionLogPosterior(_ members: Range<Int>, _ r: Double) -> Double {
        guard r > 0 && r.isFinite else { return -.infinity }
        var total = (config.dispersionShape - 1) * Double.log(r) - config.dispersionRate * r
        for i in members { total += negativeBinomialLogLikelihood(i, dispersion: r) }
        return total
    }
}
