import Foundation
import Testing
@testable import Models

/// The state step in isolation: with the simulation's true latents held fixed, only ξ, β, π and the
/// per-state dynamics move (the blocked Gibbs of `updateStatesAndDynamics`). This is the best the state
/// sequence can do when the latents are known, and it checks the state-index convention: ξ_t governs
/// x_{t−1} → x_t in the simulator and in the sampler, so the estimated change points must sit on the
/// true ones with no systematic one-bin shift.
@Suite struct BiClusteringStatePosteriorTests {
    struct Oracle { var ari: Double; var meanSweepARI: Double; var signedShift: Double; var matchedChanges: Int; var changes: Int; var occupied: Double }

    /// Runs `iterations` state/dynamics updates from a single-state start on the true latents and returns
    /// the maxPEAR estimate's ARI, the mean per-iteration ARI (second half) and the mean signed offset of
    /// the estimate's change points from the nearest true change point (those within 3 bins).
    static func oracle(bins: Int, seed: UInt64, iterations: Int, fromTruth: Bool) throws -> Oracle {
        var sim = BiClusteringSimulation()
        sim.bins = bins
        let data = try sim.simulate(seed: seed)
        var config = BiClusteringConfiguration()
        config.initialClusters = 3
        let chain = try BiClusteringChain(
            counts: data.counts.counts, neurons: 30, bins: bins, config: config, generator: SeededGenerator(seed: seed &+ 100))
        try chain.adopt(BiClusteringStart(truth: data))
        if !fromTruth {
            // Forget the true sequence: start from one state.
            chain.state.states = [Int](repeating: 0, count: bins)
            try chain.resampleDynamics()
        }
        var psm = [Double](repeating: 0, count: bins * bins)
        var kept = 0, sweepARI = 0.0, occupied = 0.0
        for it in 0..<iterations {
            try chain.updateStatesAndDynamics()
            guard it >= iterations / 2 else { continue }
            kept += 1
            let s = chain.state.states
            for a in 0..<bins { for b in 0..<bins where s[a] == s[b] { psm[a * bins + b] += 1 } }
            sweepARI += try Metrics.adjustedRandIndex(data.states, s)
            occupied += Double(Set(s).count)
        }
        for k in psm.indices { psm[k] /= Double(kept) }
        let estimate = PartitionEstimate.maxPEAR(similarity: psm, count: bins, maxGroups: PartitionEstimate.defaultMaxGroups(bins)).labels
        let truthChanges = (1..<bins).filter { data.states[$0] != data.states[$0 - 1] }
        let estimateChanges = (1..<bins).filter { estimate[$0] != estimate[$0 - 1] }
        var shift = 0.0, matched = 0
        for c in truthChanges {
            guard let nearest = estimateChanges.min(by: { abs($0 - c) < abs($1 - c) }), abs(nearest - c) <= 3 else { continue }
            shift += Double(nearest - c); matched += 1
        }
        return Oracle(
            ari: try Metrics.adjustedRandIndex(data.states, estimate), meanSweepARI: sweepARI / Double(kept),
            signedShift: matched > 0 ? shift / Double(matched) : .nan, matchedChanges: matched, changes: truthChanges.count,
            occupied: occupied / Double(kept))
    }

    @Test func trueLatentsDetermineTheStatesWithoutAnIndexOffset() throws {
        // From the true sequence (T = 200, simulation seed 2, 60 updates): maxPEAR ARI 0.96, ≈ 2.9 occupied
        // states, every change point found with zero mean offset. A one-bin convention mismatch would
        // shift each change point by one and cost ARI.
        let t = try Self.oracle(bins: 200, seed: 2, iterations: 60, fromTruth: true)
        #expect(t.ari >= 0.9, "oracle maxPEAR state ARI \(t.ari) (per sweep \(t.meanSweepARI), occupied \(t.occupied))")
        #expect(t.matchedChanges == t.changes, "\(t.matchedChanges) of \(t.changes) change points found within 3 bins")
        #expect(abs(t.signedShift) < 0.5, "mean signed change-point offset \(t.signedShift)")
        // From one state the same blocked Gibbs opens ≈ 7 states in 60 updates and does not merge them
        // (ARI 0.73; docs/bicluster.md): the change points are still all found, without offset.
        let o = try Self.oracle(bins: 200, seed: 2, iterations: 60, fromTruth: false)
        #expect(o.matchedChanges == o.changes && abs(o.signedShift) < 0.5, "from one state: \(o.matchedChanges)/\(o.changes), offset \(o.signedShift)")
    }

    /// Paper size, printed only (run with BICLUSTER_DIAGNOSTICS=1; too slow for the debug suite).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BICLUSTER_DIAGNOSTICS"] != nil))
    func paperSizeOracle() throws {
        let o = try Self.oracle(bins: 500, seed: 0, iterations: 200, fromTruth: false)
        print("oracle T=500 seed 0: maxPEAR ARI \(o.ari), per-sweep \(o.meanSweepARI), shift \(o.signedShift), matched \(o.matchedChanges)/\(o.changes), occupied \(o.occupied)")
    }
}
