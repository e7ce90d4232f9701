import ArgumentParser
import Foundation
import Models

/// `neuroswift simulate connectome`: calcium traces of several animals with planted functional motifs.
struct SimulateConnectome: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectome",
        abstract: "Calcium traces (ΔF/F) of several animals with planted (neuron group × interval × animal subset) motifs (HDF5).")

    @Option(help: "Output HDF5 file.") var output: String
    @Option(help: "Random seed; the same seed gives the same traces.") var seed: UInt64 = 7
    @Option(help: "Number of animals.") var animals = 6
    @Option(help: "Number of neurons (identities shared across animals).") var neurons = 30
    @Option(help: "Frames per animal.") var frames = 1200
    @Option(help: "Frame rate in Hz.") var frameRate = 4.0
    @Option(help: "Number of planted motifs.") var motifs = 3
    @Option(help: "Neurons per motif.") var groupSize = 8
    @Option(help: "Probability that an animal lacks a given (non-motif) neuron.") var dropout = 0.05
    @Option(help: "White-noise sd (ΔF/F units; a spike adds about 1).") var noise = 0.1

    func run() throws {
        var sim = ConnectomeSimulation()
        sim.animals = animals; sim.neurons = neurons; sim.frames = frames; sim.frameRate = frameRate
        sim.motifCount = motifs; sim.groupSize = groupSize; sim.dropout = dropout; sim.noise = noise
        let result = try sim.simulate(seed: seed)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try result.write(to: URL(fileURLWithPath: output), provenance: ExportProvenance(command: command, seed: seed))
        print("wrote \(output): \(animals) animals × \(neurons) neurons × \(frames) frames at \(frameRate) Hz, \(motifs) motifs")
    }
}
