import Foundation
import NeuroCore
import RealModule

/// A cluster during the label update: its trajectory with unit-norm factor rows and the row norms.
struct ClusterSlot {
    /// (p + 1) × T: row 0 the baseline μ, rows 1…p orthonormal factor rows.
    var rows: [Double]
    var scales: [Double]
    var size: Int
    /// Index of the cluster before the update (nil for one opened in it).
    var origin: Int?
}

extension BiClusteringChain {
    /// Unpacks the stacked latents into per-cluster slots with orthonormal factor rows and puts the
    /// loadings on that scale (c_ik ← c_ik·s_jk); the inverse of `packSlots`.
    func unpackSlots() -> [ClusterSlot] {
        let d = stackedDimension, b = blockSize, p = self.p, bins = self.bins
        let scales = factorScales()
        var slots = [ClusterSlot]()
        for j in 0..<state.clusterCount {
            var rows = [Double](repeating: 0, count: b * bins)
            for t in 0..<bins {
                rows[t] = state.latents[t * d + j * b]
                for q in 0..<p { rows[(1 + q) * bins + t] = state.latents[t * d + j * b + 1 + q] / scales[j][q] }
            }
            slots.append(ClusterSlot(rows: rows, scales: scales[j], size: 0, origin: j))
        }
        for i in 0..<neurons {
            slots[state.labels[i]].size += 1
            for q in 0..<p { state.loadings[i * p + q] *= scales[state.labels[i]][q] }
        }
        return slots
    }

    /// Writes live slots back as the stacked latents (natural scale), compacts labels, maps loadings
    /// back (c_ik ← c_ik/s_jk) and rebuilds every state's dynamics: surviving clusters keep their
    /// blocks (cross terms included), new ones start at A = I, b = 0, Q = noise·I.
    func packSlots(_ slots: [ClusterSlot]) throws {
        let b = blockSize, p = self.p, bins = self.bins
        var newIndex = [Int](repeating: -1, count: slots.count)
        var live = [Int]()
        for (s, slot) in slots.enumerated() where slot.size > 0 { newIndex[s] = live.count; live.append(s) }
        let oldD = stackedDimension
        let k = live.count, d = k * b
        var latents = [Double](repeating: 0, count: bins * d)
        for (j, s) in live.enumerated() {
            let slot = slots[s]
            for t in 0..<bins {
                latents[t * d + j * b] = slot.rows[t]
                for q in 0..<p { latents[t * d + j * b + 1 + q] = slot.rows[(1 + q) * bins + t] * slot.scales[q] }
            }
        }
        for i in 0..<neurons {
            let s = state.labels[i]
            state.labels[i] = newIndex[s]
            for q in 0..<p { state.loadings[i * p + q] /= slots[s].scales[q] }
        }
        var keep = [Int]()
        var added = 0
        for s in live {
            if let o = slots[s].origin { for u in 0..<b { keep.append(o * b + u) } } else { added += 1 }
        }
        if keep.count != oldD || added > 0 {
            for l in state.dynamics.indices {
                state.dynamics[l] = state.dynamics[l].restricted(to: keep).extended(by: added * b, noise: config.newClusterNoiseVariance)
            }
        }
        state.clusterCount = k
        state.latents = latents
        try prepareBuffers()
    }

    /// The MFM collapsed Gibbs step over neuron labels (Miller & Harrison 2018, with Neal's
    /// Algorithm 8 and one auxiliary trajectory). For neuron i with the others' labels fixed:
    ///
    ///     P(z_i = c) ∝ (n_c + γ) m_c(y_i),   P(new) ∝ γ V_N(t + 1)/V_N(t) m_aux(y_i),
    ///
    /// t the number of other occupied clusters, m the Laplace marginal over c_i. When i was alone,
    /// its own trajectory is the auxiliary one; otherwise the auxiliary is a fresh draw from the declared
    /// AR(1) prior. The new c_i is drawn from the chosen cluster's Laplace approximation.
    func updateLabels() throws {
        var slots = unpackSlots()
        let p = self.p, bins = self.bins
        let poisson = config.likelihood == .poisson
        let gamma = config.mfmGamma
        var auxiliary = [Double](repeating: 0, count: (p + 1) * bins)
        var auxScales = [Double](repeating: 1, count: p)
        var weights = [Double]()
        var candidates = [Int]()
        // Each candidate's Laplace mode and factor, so the chosen one's loadings are drawn without a
        // second fit.
        var modes = [Double]()
        var factors = [Double]()
        var current = [Double](repeating: 0, count: p)
        func keepFit() {
            modes.append(contentsOf: laplace.beta)
            factors.append(contentsOf: laplace.hessian)
        }
        for i in 0..<neurons {
            let old = state.labels[i]
            slots[old].size -= 1
            let wasAlone = slots[old].size == 0
            if !wasAlone {
                drawAuxiliaryTrajectory(into: &auxiliary, scales: &auxScales)
            }
            let occupied = slots.reduce(0) { $0 + ($1.size > 0 ? 1 : 0) }
            weights.removeAll(keepingCapacity: true)
            candidates.removeAll(keepingCapacity: true)
            modes.removeAll(keepingCapacity: true)
            factors.removeAll(keepingCapacity: true)
            let r = state.dispersions[i]
            let di = state.baselines[i]
            // The neuron's loadings in its own cluster (orthonormal scale) warm-start that cluster's fit.
            for q in 0..<p { current[q] = state.loadings[i &* p &+ q] }
            for (s, slot) in slots.enumerated() where slot.size > 0 {
                let lm = marginal(i, rows: slot.rows, baseline: di, dispersion: r, poisson: poisson, start: s == old ? current : nil)
                keepFit()
                weights.append(Double.log(Double(slot.size) + gamma) + lm)
                candidates.append(s)
            }
            if occupied + 1 <= maxClusters {
                let rows = wasAlone ? slots[old].rows : auxiliary
                let lm = marginal(i, rows: rows, baseline: di, dispersion: r, poisson: poisson, start: wasAlone ? current : nil)
                keepFit()
                weights.append(Double.log(gamma) + mfm.log(blocks: occupied + 1) - mfm.log(blocks: occupied) + lm)
                candidates.append(-1)
            }
            var chosen: Int
            var pick = -1
            if weights.allSatisfy({ !$0.isFinite }) {
                chosen = wasAlone ? -1 : old
                if chosen == -1 && occupied + 1 > maxClusters { chosen = candidates.first ?? old }
            } else {
                pick = generator.categorical(logWeights: weights)
                chosen = candidates[pick]
            }
            if chosen == -1 {
                if wasAlone {
                    chosen = old
                } else {
                    slots.append(ClusterSlot(rows: auxiliary, scales: auxScales, size: 0, origin: nil))
                    chosen = slots.count - 1
                }
            }
            slots[chosen].size += 1
            state.labels[i] = chosen
            // Loadings from the chosen cluster's Laplace approximation (on the orthonormal scale). When
            // every weight is −∞ no fit succeeded and the loadings stay.
            if pick >= 0 && weights[pick].isFinite {
                for q in 0..<p { laplace.beta[q] = modes[pick &* p &+ q] }
                for q in 0..<(p &* p) { laplace.hessian[q] = factors[pick &* p &* p &+ q] }
                state.loadings.withUnsafeMutableBufferPointer { cb in
                    laplace.drawLoadings(into: cb.baseAddress! + i * p, generator: &generator)
                }
            }
        }
        try packSlots(slots)
    }

    /// Laplace log marginal of neuron i's counts in a cluster with trajectory `rows` ((p+1) × T, unit-norm
    /// factor rows). The model's prior c ~ N(0, σ²I) holds on the projection's scale (rows of norm ρ),
    /// i.e. N(0, ρ²σ²I) for the loadings of unit-norm rows.
    func marginal(_ i: Int, rows: [Double], baseline: Double, dispersion r: Double, poisson: Bool, start: [Double]? = nil) -> Double {
        let bins = self.bins
        for t in 0..<bins { offsetBuffer[t] = baseline + rows[t] }
        let priorVariance = config.loadingPriorVariance * rowNorm * rowNorm
        func fit(_ warm: UnsafePointer<Double>?) -> Double {
            counts.withUnsafeBufferPointer { yb in
                offsetBuffer.withUnsafeBufferPointer { ob in
                    rows.withUnsafeBufferPointer { rb in
                        laplace.logMarginal(
                            y: yb.baseAddress! + i * bins, offset: ob.baseAddress!, rows: rb.baseAddress! + bins, stride: bins,
                            dispersion: r, poisson: poisson, priorVariance: priorVariance, start: warm)
                    }
                }
            }
        }
        guard let start else { return fit(nil) }
        return start.withUnsafeBufferPointer { fit($0.baseAddress!) }
    }
}
