import Foundation
import Models

/// Bayesian bi-clustering on the simulated spike counts: neuron clusters and time-bin states against
/// the planted ones (a short run; `make validate-bicluster` runs the paper's length).
struct BiclusterDemo: DemoPipeline {
    let name = "bicluster"
    let summary = "MCMC bi-clustering (MFM neuron clusters × sticky HDP-HMM states), 2 chains × 60 sweeps"
    let inputFile = "bicluster.h5"

    func run(_ input: URL) throws -> DemoOutcome {
        let counts = try BiClusteringSimulation.Result.readCounts(input)
        let truth = try BiClusteringSimulation.Result.readTruth(input)
        var config = BiClusteringConfiguration()
        config.sweeps = 60
        config.burnIn = 20
        config.chains = 2
        let fit = try BiClustering(configuration: config).fit(counts, seed: 1)
        let neuronARI = try Metrics.adjustedRandIndex(truth.neuronLabels, fit.neuronLabels)
        let stateARI = try Metrics.adjustedRandIndex(truth.states, fit.stateLabels)
        var table = TextTable(["quantity", "truth", "estimate"], alignments: [.left, .right, .right])
        table.append(["neuron clusters", "\(Set(truth.neuronLabels).count)", "\(Set(fit.neuronLabels).count) (mode of K: \(fit.clusterCountMode))"])
        table.append(["neuron ARI (maxPEAR)", "1", String(format: "%.2f", neuronARI)])
        table.append(["states", "\(Set(truth.states).count)", "\(Set(fit.stateLabels).count)"])
        table.append(["state ARI (maxPEAR)", "1", String(format: "%.2f", stateARI)])
        table.append(["mean dispersion r", "10", String(format: "%.1f", fit.meanDispersions.reduce(0, +) / Double(fit.neurons))])
        table.append(["split-R̂ log-likelihood", "1", fit.rHatLogLikelihood.map { String(format: "%.2f", $0) } ?? "–"])
        return DemoOutcome(
            table: table,
            headline: String(format: "neuron ARI %.2f, state ARI %.2f (%d sweeps × %d chains)", neuronARI, stateARI, config.sweeps, config.chains))
    }
}
