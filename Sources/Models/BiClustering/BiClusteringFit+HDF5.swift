import Foundation
import NeuroCore

/// The HDF5 export of a fit (written atomically, with provenance at the root):
///
///     /clusters/neuron_labels             int32, N        maxPEAR of the pooled neuron PSM
///     /clusters/posterior_similarity      float64, N × N
///     /clusters/count_posterior           float64, index = K
///     /states/labels                      int32, T        maxPEAR of the pooled bin PSM
///     /states/posterior_similarity        float64, T × T
///     /states/count_posterior             float64, index = number of occupied states
///     /latents/chain_<c>/mean             float64, clusters × (p+1) × T (reference-aligned running mean)
///     /latents/chain_<c>/lower, upper     float64, same shape (±1.96 sd band)
///     /latents/chain_<c>/reference_labels int32, N (the reference partition the clusters refer to)
///     /traces/log_likelihood              float64, chains × sweeps
///     /traces/cluster_count, state_count  int32, chains × sweeps
///     /traces/mean_dispersion             float64, chains × sweeps
///     /neurons/mean_dispersion            float64, N
///     /diagnostics  attributes: rhat_log_likelihood, rhat_cluster_count, rhat_state_count,
///                   between_chain_neuron_ari, between_chain_state_ari, seconds_per_sweep, sweeps, burn_in
///     /diagnostics/chain_neuron_labels, chain_state_labels   int32, chains × N / chains × T
///     /diagnostics/restart_states   int32, chains × T (only when every chain ran the burn-in restart)
///     /samples/states, neuron_labels  int32, chains × S × T / chains × S × N: every `sampleInterval`-th
///                   post-burn-in sweep (only when kept; S = the fewest any chain kept)
extension BiClusteringFit {
    public func write(to url: URL, provenance: ExportProvenance) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let n = neurons, t = bins
            let clusters = try file.root.createGroup("clusters")
            try clusters.createDataset("neuron_labels", shape: [n], values: neuronLabels.map { Int32($0) })
            try clusters.createDataset("posterior_similarity", shape: [n, n], values: neuronSimilarity)
            try clusters.createDataset("count_posterior", shape: [clusterCountPosterior.count], values: clusterCountPosterior)
            let states = try file.root.createGroup("states")
            try states.createDataset("labels", shape: [t], values: stateLabels.map { Int32($0) })
            try states.createDataset("posterior_similarity", shape: [t, t], values: binSimilarity, deflate: 4)
            try states.createDataset("count_posterior", shape: [stateCountPosterior.count], values: stateCountPosterior)
            let latents = try file.root.createGroup("latents")
            let b = configuration.latentDimension + 1
            for (c, summary) in chainSummaries.enumerated() where !summary.latentMeans.isEmpty {
                let g = try latents.createGroup("chain_\(c)")
                let k = summary.latentMeans.count
                try g.createDataset("mean", shape: [k, b, t], values: summary.latentMeans.flatMap { $0 })
                let bands = summary.latentBands
                try g.createDataset("lower", shape: [k, b, t], values: bands.flatMap(\.lower))
                try g.createDataset("upper", shape: [k, b, t], values: bands.flatMap(\.upper))
                try g.createDataset("reference_labels", shape: [n], values: summary.referenceLabels.map { Int32($0) })
                try g.createDataset("sweeps_matched", shape: [k], values: summary.latentCounts.map { Int32($0) })
            }
            let traces = try file.root.createGroup("traces")
            let sweeps = chainSummaries.map(\.logLikelihoodTrace.count).min() ?? 0
            let chains = chainSummaries.count
            try traces.createDataset("log_likelihood", shape: [chains, sweeps], values: chainSummaries.flatMap { $0.logLikelihoodTrace.prefix(sweeps) })
            try traces.createDataset("cluster_count", shape: [chains, sweeps], values: chainSummaries.flatMap { $0.clusterCountTrace.prefix(sweeps).map { Int32($0) } })
            try traces.createDataset("state_count", shape: [chains, sweeps], values: chainSummaries.flatMap { $0.stateCountTrace.prefix(sweeps).map { Int32($0) } })
            try traces.createDataset("mean_dispersion", shape: [chains, sweeps], values: chainSummaries.flatMap { $0.meanDispersionTrace.prefix(sweeps) })
            let neuronGroup = try file.root.createGroup("neurons")
            try neuronGroup.createDataset("mean_dispersion", shape: [n], values: meanDispersions)
            let diagnostics = try file.root.createGroup("diagnostics")
            try diagnostics.setAttribute("rhat_log_likelihood", rHatLogLikelihood ?? .nan)
            try diagnostics.setAttribute("rhat_cluster_count", rHatClusterCount ?? .nan)
            try diagnostics.setAttribute("rhat_state_count", rHatStateCount ?? .nan)
            try diagnostics.setAttribute("between_chain_neuron_ari", betweenChainNeuronARI ?? .nan)
            try diagnostics.setAttribute("between_chain_state_ari", betweenChainStateARI ?? .nan)
            try diagnostics.setAttribute("seconds_per_sweep", secondsPerSweep)
            try diagnostics.setAttribute("cpu_seconds_per_sweep", cpuSecondsPerSweep)
            try diagnostics.setAttribute("dynamics_collapsed_acceptance", dynamicsCollapsedAcceptance)
            try diagnostics.setAttribute("sweeps", Int64(configuration.sweeps))
            try diagnostics.setAttribute("burn_in", Int64(configuration.burnIn))
            try diagnostics.setAttribute("likelihood", configuration.likelihood.rawValue)
            try diagnostics.createDataset("chain_neuron_labels", shape: [chains, n], values: chainNeuronLabels.flatMap { $0.map { Int32($0) } })
            try diagnostics.createDataset("chain_state_labels", shape: [chains, t], values: chainStateLabels.flatMap { $0.map { Int32($0) } })
            if !restartStates.isEmpty && restartStates.allSatisfy({ $0.count == t }) {
                try diagnostics.createDataset("restart_states", shape: [chains, t], values: restartStates.flatMap { $0.map { Int32($0) } })
            }
            let kept = chainSummaries.map { $0.sampledStates?.count ?? 0 }.min() ?? 0
            if kept > 0 {
                let samples = try file.root.createGroup("samples")
                try samples.setAttribute("interval", Int64(configuration.sampleInterval ?? 0))
                let states = chainSummaries.flatMap { $0.sampledStates!.prefix(kept).flatMap { $0.map { Int32($0) } } }
                let labels = chainSummaries.flatMap { $0.sampledLabels!.prefix(kept).flatMap { $0.map { Int32($0) } } }
                try samples.createDataset("states", shape: [chains, kept, t], values: states, deflate: 4)
                try samples.createDataset("neuron_labels", shape: [chains, kept, n], values: labels, deflate: 4)
            }
        }
    }
}
