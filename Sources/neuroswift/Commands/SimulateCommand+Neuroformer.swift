import ArgumentParser
import Decoding
import Foundation

/// `neuroswift simulate neuroformer`: the hub network of the Neuroformer methods note, with truth.
struct SimulateNeuroformer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroformer",
        abstract: "Spikes of a Hawkes/GLM network with hub neurons, a shared stimulus and a behavioural variable (HDF5, with true weights).")

    @Option(name: [.short, .long], help: "Output HDF5 file.") var output: String
    @Option(help: "Random seed; the same seed gives the same data.") var seed: UInt64 = 0
    @Option(help: "Duration in seconds.") var duration = 1200.0
    @Option(help: "Number of neurons (≥ 27 with the default 3 hubs × 8 targets).") var neurons = 32

    func run() throws {
        var sim = HubNetworkSimulation()
        sim.duration = duration
        sim.neurons = neurons
        let result = try sim.simulate(seed: seed)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try result.write(to: URL(fileURLWithPath: output), provenance: ExportProvenance(command: command, seed: seed))
        print("wrote \(output): \(neurons) neurons × \(result.raster.bins) bins of \(sim.binWidth) s, \(result.raster.spikeCount) spikes; "
              + "\(result.hubEdges.count) hub edges, \(result.weakEdges.count) weak edges")
    }
}
