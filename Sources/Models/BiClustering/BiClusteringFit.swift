import Foundation
import NeuroCore

/// The result of `BiClustering.fit`: per-chain summaries and final states, pooled posterior similarity
/// matrices, maxPEAR point estimates and convergence diagnostics.
public struct BiClusteringFit: Sendable {
    public let configuration: BiClusteringConfiguration
    public let neurons: Int
    public let bins: Int
    public let seed: UInt64
    public let chainSummaries: [BiClusteringChainSummary]
    public let finalStates: [BiClusteringState]
    /// Mean wall-clock seconds per sweep in each chain.
    public let secondsPerSweep: [Double]
    /// CPU seconds per sweep in each chain (its thread's CPU time over the sweeps run in this process,
    /// streaming summaries included): the load-independent cost of a sweep.
    public let cpuSecondsPerSweep: [Double]
    /// Fraction of the dynamics-collapsed state proposals accepted in each chain (sweeps run in this
    /// process; NaN when the move is off).
    public let dynamicsCollapsedAcceptance: [Double]
    public let elapsed: Double

    /// Pooled PSMs (average over chains of post-burn-in co-clustering frequencies).
    public let neuronSimilarity: [Double]
    public let binSimilarity: [Double]
    /// maxPEAR estimates from the pooled PSMs, and from each chain's own PSMs.
    public let neuronLabels: [Int]
    public let stateLabels: [Int]
    public let chainNeuronLabels: [[Int]]
    public let chainStateLabels: [[Int]]
    /// Posterior of the number of neuron clusters and of occupied states (index = count).
    public let clusterCountPosterior: [Double]
    public let stateCountPosterior: [Double]
    /// Split-R̂ over chains (post burn-in) of the log-likelihood, K and the number of occupied states.
    public let rHatLogLikelihood: Double?
    public let rHatClusterCount: Double?
    public let rHatStateCount: Double?
    /// Mean pairwise ARI between chains' maxPEAR estimates (nil with one chain).
    public let betweenChainNeuronARI: Double?
    public let betweenChainStateARI: Double?
    /// Per chain, the state sequence the burn-in restart set (`stateRestartSweep`; empty if none ran).
    public let restartStates: [[Int]]

    init(configuration: BiClusteringConfiguration, neurons: Int, bins: Int, seed: UInt64, outcomes: [BiClustering.ChainOutcome], elapsed: Double) {
        self.configuration = configuration
        self.neurons = neurons
        self.bins = bins
        self.seed = seed
        self.elapsed = elapsed
        chainSummaries = outcomes.map(\.summary)
        finalStates = outcomes.map(\.state)
        secondsPerSweep = outcomes.map(\.sweepSeconds)
        cpuSecondsPerSweep = outcomes.map(\.cpuSweepSeconds)
        dynamicsCollapsedAcceptance = outcomes.map(\.dynamicsCollapsedAcceptance)
        restartStates = outcomes.map(\.restartStates)
        let recordedChains = chainSummaries.filter { $0.recorded > 0 }
        func pooled(_ read: (BiClusteringChainSummary) -> [Double], count: Int) -> [Double] {
            var out = [Double](repeating: 0, count: count)
            for s in recordedChains { let v = read(s); for k in 0..<count { out[k] += v[k] } }
            let n = Double(Swift.max(recordedChains.count, 1))
            return out.map { $0 / n }
        }
        neuronSimilarity = pooled({ $0.neuronSimilarity }, count: neurons * neurons)
        binSimilarity = pooled({ $0.binSimilarity }, count: bins * bins)
        let neuronGroups = configuration.maxPEARNeuronGroups ?? PartitionEstimate.defaultMaxGroups(neurons)
        let binGroups = configuration.maxPEARBinGroups ?? PartitionEstimate.defaultMaxGroups(bins)
        neuronLabels = PartitionEstimate.maxPEAR(similarity: neuronSimilarity, count: neurons, maxGroups: neuronGroups).labels
        stateLabels = PartitionEstimate.maxPEAR(similarity: binSimilarity, count: bins, maxGroups: binGroups).labels
        if chainSummaries.count == 1 && recordedChains.count == 1 {
            // One chain: its PSMs are the pooled ones (divided by 1), so are its estimates.
            chainNeuronLabels = [neuronLabels]
            chainStateLabels = [stateLabels]
        } else {
            chainNeuronLabels = chainSummaries.map {
                PartitionEstimate.maxPEAR(similarity: $0.neuronSimilarity, count: neurons, maxGroups: neuronGroups).labels
            }
            chainStateLabels = chainSummaries.map {
                PartitionEstimate.maxPEAR(similarity: $0.binSimilarity, count: bins, maxGroups: binGroups).labels
            }
        }
        func posterior(_ histograms: [[Int]]) -> [Double] {
            let length = histograms.map(\.count).max() ?? 0
            var out = [Double](repeating: 0, count: length)
            for h in histograms { for (k, v) in h.enumerated() { out[k] += Double(v) } }
            let total = out.reduce(0, +)
            return total > 0 ? out.map { $0 / total } : out
        }
        clusterCountPosterior = posterior(chainSummaries.map(\.clusterCountHistogram))
        stateCountPosterior = posterior(chainSummaries.map(\.stateCountHistogram))
        let burn = configuration.burnIn
        func post<T>(_ trace: [T]) -> [T] { Array(trace.dropFirst(burn)) }
        rHatLogLikelihood = PartitionEstimate.splitRHat(chainSummaries.map { post($0.logLikelihoodTrace) })
        rHatClusterCount = PartitionEstimate.splitRHat(chainSummaries.map { post($0.clusterCountTrace).map(Double.init) })
        rHatStateCount = PartitionEstimate.splitRHat(chainSummaries.map { post($0.stateCountTrace).map(Double.init) })
        func meanPairwiseARI(_ labels: [[Int]]) -> Double? {
            guard labels.count > 1 else { return nil }
            var total = 0.0, pairs = 0.0
            for a in 0..<labels.count { for b in (a + 1)..<labels.count {
                total += (try? Metrics.adjustedRandIndex(labels[a], labels[b])) ?? 0
                pairs += 1
            } }
            return total / pairs
        }
        betweenChainNeuronARI = meanPairwiseARI(chainNeuronLabels)
        betweenChainStateARI = meanPairwiseARI(chainStateLabels)
    }

    /// Posterior mode of the number of neuron clusters.
    public var clusterCountMode: Int { clusterCountPosterior.indices.max { clusterCountPosterior[$0] < clusterCountPosterior[$1] } ?? 0 }
    /// Posterior mode of the number of occupied states.
    public var stateCountMode: Int { stateCountPosterior.indices.max { stateCountPosterior[$0] < stateCountPosterior[$1] } ?? 0 }
    /// Posterior mean dispersion per neuron, averaged over chains.
    public var meanDispersions: [Double] {
        var out = [Double](repeating: 0, count: neurons)
        let chains = chainSummaries.filter { $0.recorded > 0 }
        for s in chains { for (i, v) in s.meanDispersions.enumerated() { out[i] += v / Double(chains.count) } }
        return out
    }
}
