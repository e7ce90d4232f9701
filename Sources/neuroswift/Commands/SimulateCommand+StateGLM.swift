import ArgumentParser
import Foundation
import Models

/// `neuroswift simulate stateglm`: the reference demo's HMM-GLM generator (notes B.4), with truth.
struct SimulateStateGLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stateglm",
        abstract: "Spike counts from a state-switching population GLM with planted couplings and states (HDF5).")

    @Option(name: [.short, .long], help: "Output HDF5 file.") var output: String
    @Option(help: "Random seed; the same seed gives the same data.") var seed: UInt64 = 0
    @Option(help: "Number of hidden states.") var states = 5
    @Option(help: "Number of neurons.") var neurons = 20
    @Option(help: "Bins per sequence.") var bins = 2000
    @Option(help: "Number of sequences.") var sequences = 50
    @Option(help: "Bin width in seconds (metadata).") var binWidth = 0.01
    @Option(help: "Dirichlet concentration of the per-pair type distribution over inh,none,exc (reference: 0.2,1.6,0.2, ≈ 20 % density).")
    var concentration = "0.2,1.6,0.2"

    func validate() throws {
        let values = concentration.split(separator: ",").compactMap { Double($0) }
        guard values.count == 3, values.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--concentration needs three positive numbers (inh,none,exc), got \(concentration)")
        }
    }

    func run() throws {
        let simulation = StateGLMSimulation(
            states: states, neurons: neurons, binsPerSequence: bins, sequences: sequences,
            typeConcentration: concentration.split(separator: ",").compactMap { Double($0) })
        let result = try simulation.simulate(seed: seed)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try result.write(to: URL(fileURLWithPath: output), provenance: ExportProvenance(command: command, seed: seed), binWidth: binWidth)
        let nonzero = result.truth.types.filter { $0 != 0 }.count
        print("wrote \(output): \(sequences) sequences × \(bins) bins × \(neurons) neurons, \(states) states, \(nonzero) non-zero couplings of \(result.truth.types.count)")
    }
}
