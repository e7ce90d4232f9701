import Foundation
import NeuroCore

extension BiClusteringChain {
    /// The empirical part of the auxiliary prior G0 of a new cluster's trajectory: the trajectories of
    /// the k-means groups of `dataDrivenStart` for k = 2…`candidatePoolMaxGroups` (baseline row from
    /// the members' pooled counts, factor rows their leading principal components, unit norm).
    ///
    /// Why: a trajectory drawn from a generic AR(1) prior never fits a neuron at T = 500 (its baseline
    /// row alone costs ≈ 25 nats), so Algorithm 8 and the split proposals could not open a cluster from
    /// any start. G0 = w·Uniform(pool) + (1 − w)·AR(1) is still a fixed distribution (built once from
    /// the data with a fixed seed, an empirical-Bayes choice, and rebuilt identically on resume), and
    /// every label move draws the auxiliary from it, so the Algorithm-8 weights and the split–merge
    /// ratio stay exact for the declared target.
    static func buildCandidatePool(
        counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration
    ) -> [[Double]] {
        guard config.candidatePoolWeight > 0, config.candidatePoolMaxGroups >= 2 else { return [] }
        // Not the chain's generator: the pool is a function of the data and the settings only.
        var generator = SeededGenerator(seed: 0x5EED_B1C1)
        let p = config.latentDimension, b = p + 1
        let rootT = config.factorScale.rowNorm(bins: bins)
        var pool = [[Double]]()
        for k in 2...Swift.max(2, Swift.min(config.candidatePoolMaxGroups, neurons)) {
            let start = dataDrivenStart(counts: counts, neurons: neurons, bins: bins, clusters: k, p: p, config: config, generator: &generator)
            let groups = Set(start.labels).count, d = groups * b
            for j in 0..<groups {
                var rows = [Double](repeating: 0, count: b * bins)
                for t in 0..<bins {
                    rows[t] = start.latents[t * d + j * b]
                    for q in 0..<p { rows[(1 + q) * bins + t] = start.latents[t * d + j * b + 1 + q] / rootT }
                }
                if rows.allSatisfy({ $0.isFinite }) { pool.append(rows) }
            }
        }
        return pool
    }

    /// One draw from the auxiliary prior G0: with probability `candidatePoolWeight` a uniformly chosen
    /// pool trajectory, otherwise the declared AR(1) path (`autoregressiveTrajectory`). `out` is
    /// (p + 1) × T with unit-norm factor rows; `scales` gets the natural-scale row norms.
    func drawAuxiliaryTrajectory(into out: inout [Double], scales: inout [Double]) {
        if !candidatePool.isEmpty && generator.nextUnitInterval() < config.candidatePoolWeight {
            let entry = candidatePool[generator.uniformInt(below: candidatePool.count)]
            for k in out.indices { out[k] = entry[k] }
            for q in 0..<p { scales[q] = rowNorm }
        } else {
            BiClusteringChain.autoregressiveTrajectory(into: &out, scales: &scales, p: p, bins: bins, config: config, generator: &generator)
        }
    }
}
