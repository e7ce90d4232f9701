import ArgumentParser
import Foundation
import Recording

/// `neuroswift simulate …`: data with known ground truth, written in the formats real data comes in.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate recordings with planted ground truth.",
        subcommands: [
            SimulateOscillations.self, SimulateMotorImagery.self, SimulateBicluster.self, SimulateConnectome.self, SimulateStateGLM.self, SimulateDuIN.self,
            SimulateNeuroformer.self,
        ])
}

struct SimulateOscillations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oscillations",
        abstract: "Multichannel EEG-like signals: one planted oscillation per channel over 1/f background noise (HDF5).")

    @Option(help: "Output HDF5 file.") var output: String
    @Option(help: "Random seed; the same seed gives the same signals.") var seed: UInt64 = 7
    @Option(help: "Number of channels.") var channels = 8
    @Option(help: "Duration in seconds.") var duration = 60.0
    @Option(help: "Sampling rate in Hz.") var rate = 250.0
    @Option(help: "Lowest planted peak frequency, Hz.") var minFrequency = 8.0
    @Option(help: "Highest planted peak frequency, Hz.") var maxFrequency = 13.0

    func validate() throws {
        guard minFrequency > 0, maxFrequency >= minFrequency else {
            throw ValidationError("--min-frequency and --max-frequency must satisfy 0 < min ≤ max (got \(minFrequency), \(maxFrequency))")
        }
    }

    func run() throws {
        let simulation = OscillationSimulation(
            channels: channels, duration: duration, samplingRate: rate, peakRange: minFrequency...maxFrequency)
        let result = try simulation.simulate(seed: seed)
        let url = URL(fileURLWithPath: output)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try result.write(to: url, provenance: ExportProvenance(command: command, seed: seed))
        print("wrote \(output): \(channels) channels × \(simulation.samples) samples at \(rate) Hz")
    }
}
