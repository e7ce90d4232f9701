import Foundation
import Testing
@testable import Models

/// The NB dispersion update in isolation: the true rates are held fixed (state set to the simulation's
/// truth), only r moves. This separates "the r step is wrong" from "r is low because the rates are".
@Suite struct BiClusteringDispersionTests {
    /// A chain on the paper's simulation (N = 30, T = 500, r = 10) whose state is the ground truth.
    static func chainAtTruth(shared: Bool, seed: UInt64) throws -> (BiClusteringChain, BiClusteringSimulation.Result) {
        let data = try BiClusteringSimulation().simulate(seed: 0)
        var config = BiClusteringConfiguration()
        config.initialClusters = 3
        config.sharedDispersion = shared
        let chain = try BiClusteringChain(
            counts: data.counts.counts, neurons: 30, bins: 500, config: config, generator: SeededGenerator(seed: seed))
        chain.state.clusterCount = 3
        chain.state.labels = data.neuronLabels
        chain.state.latents = data.latents
        chain.state.baselines = data.baselines
        chain.state.loadings = data.loadings
        chain.state.dispersions = [Double](repeating: 1, count: 30)
        return (chain, data)
    }

    /// Posterior mean of r_i by quadrature on a log-r grid (Exp(1) prior, the chain's own likelihood).
    static func quadratureMean(_ chain: BiClusteringChain, neuron i: Int) -> Double {
        chain.computeLinearPredictor()
        let grid = (0..<240).map { Double.exp(Double.log(0.05) + Double($0) * (Double.log(2000) - Double.log(0.05)) / 239) }
        let logw = grid.map { chain.dispersionLogPosterior(i..<(i + 1), $0) + Double.log($0) }
        let top = logw.max()!
        var num = 0.0, den = 0.0
        for (r, lw) in zip(grid, logw) { let w = Double.exp(lw - top); num += w * r; den += w }
        return num / den
    }

    @Test func sharedDispersionRecoversTheTruthFromTheTrueRates() throws {
        let (chain, _) = try Self.chainAtTruth(shared: true, seed: 3)
        var sum = 0.0, kept = 0
        for sweep in 0..<120 {
            chain.updateDispersions()
            #expect(Set(chain.state.dispersions).count == 1)
            if sweep >= 20 { sum += chain.state.dispersions[0]; kept += 1 }
        }
        let mean = sum / Double(kept)
        // Quadrature of the shared posterior (Exp(1) prior) on a log-r grid: 10.5 on these data, posterior
        // sd of log r ≈ 0.08. The chain matches it, and it is within the 10 ± 3.
        chain.computeLinearPredictor()
        let grid = (0..<100).map { Double.exp(Double.log(3) + Double($0) * (Double.log(40) - Double.log(3)) / 99) }
        let logw = grid.map { chain.dispersionLogPosterior(0..<chain.neurons, $0) + Double.log($0) }
        let top = logw.max()!
        var num = 0.0, den = 0.0
        for (r, lw) in zip(grid, logw) { let w = Double.exp(lw - top); num += w * r; den += w }
        let exact = num / den
        #expect(abs(exact - 10) < 1.5, "quadrature shared r̄ \(exact)")
        #expect(abs(mean - exact) < 0.4, "chain shared r̄ \(mean), quadrature \(exact)")
    }

    @Test func perNeuronDispersionIsExactAndShrunkByTheExponentialPrior() throws {
        let (chain, _) = try Self.chainAtTruth(shared: false, seed: 4)
        let exact = (0..<30).map { Self.quadratureMean(chain, neuron: $0) }
        let exactMean = exact.reduce(0, +) / 30
        // The paper's Exp(1) prior, not the update, is what holds r̄ near 5.5: even with the true rates
        // the exact posterior means average well below r = 10.
        #expect(exactMean > 4.5 && exactMean < 7, "quadrature r̄ \(exactMean)")
        var sums = [Double](repeating: 0, count: 30), kept = 0
        for sweep in 0..<150 {
            chain.updateDispersions()
            if sweep >= 30 {
                for i in 0..<30 { sums[i] += chain.state.dispersions[i] }
                kept += 1
            }
        }
        let chainMean = sums.reduce(0, +) / Double(30 * kept)
        // The MH chain reproduces the quadrature posterior mean (averaged over neurons).
        #expect(abs(chainMean - exactMean) < 0.4, "chain r̄ \(chainMean), quadrature \(exactMean)")
    }
}
