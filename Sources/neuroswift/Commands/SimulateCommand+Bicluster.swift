import ArgumentParser
import Foundation
import Models

/// `neuroswift simulate bicluster`: the bi-clustering paper's simulation (3 clusters × 10 neurons,
/// 500 bins, two alternating regimes, NB counts with r = 10), with its ground truth.
struct SimulateBicluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bicluster",
        abstract: "Spike counts with planted neuron clusters and alternating latent regimes (HDF5, with ground truth).")

    @Option(help: "Output HDF5 file.") var output: String
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Number of neurons.") var neurons = 30
    @Option(help: "Number of neuron clusters (equal sizes).") var clusters = 3
    @Option(help: "Number of time bins.") var bins = 500
    @Option(help: "Latent factors per cluster (p).") var factors = 2
    @Option(help: "Negative-binomial dispersion r.") var dispersion = 10.0
    @Option(help: "Bin width in seconds (recorded in the file).") var binWidth = 0.1

    func run() throws {
        var simulation = BiClusteringSimulation()
        simulation.neurons = neurons
        simulation.clusters = clusters
        simulation.bins = bins
        simulation.latentDimension = factors
        simulation.dispersion = dispersion
        simulation.binWidth = binWidth
        let result = try simulation.simulate(seed: seed)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try result.write(to: URL(fileURLWithPath: output), provenance: ExportProvenance(command: command, seed: seed))
        let occupancy = Double(result.states.filter { $0 == 1 }.count) / Double(bins)
        print(String(format: "wrote %@: %d neurons × %d bins, %d clusters, mean count %.2f, regime-1 occupancy %.1f%%",
                     output, neurons, bins, clusters, result.counts.counts.reduce(0, +) / Double(neurons * bins), 100 * occupancy))
    }
}
