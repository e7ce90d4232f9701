import ArgumentParser
import Decoding
import Foundation

/// `neuroswift simulate mi-eeg`: a motor-imagery-like EDF+ recording whose classes differ only in
/// their spatial covariance, with the planted truth in a JSON sidecar.
struct SimulateMotorImagery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mi-eeg",
        abstract: "Motor-imagery-like EEG with class-dependent covariance (EDF+ with T1/T2 annotations, truth as JSON).")

    @Option(help: "Output EDF file; the truth goes to the same path with .truth.json.") var output: String
    @Option(help: "Random seed; the same seed gives the same recording.") var seed: UInt64 = 7
    @Option(help: "Number of channels.") var channels = 14
    @Option(help: "Trials per class.") var trialsPerClass = 30
    @Option(help: "Sampling rate in Hz.") var rate = 128.0
    @Option(help: "Effect: variance (δ: source-gain increase) or correlation (ρ: shared component).")
    var effect: EffectKind = .variance
    @Option(help: "Effect size: δ for variance, ρ for correlation.") var size = 1.0

    enum EffectKind: String, ExpressibleByArgument, CaseIterable { case variance, correlation, none }

    func run() throws {
        let planted: CovarianceScenario.Effect
        switch effect {
        case .variance: planted = .variance(size)
        case .correlation: planted = .correlation(size)
        case .none: planted = .none
        }
        let simulation = MotorImagerySimulation(effect: planted, channels: channels, samplingRate: rate, trialsPerClass: trialsPerClass)
        let (series, truth) = try simulation.simulate(seed: seed)
        let url = URL(fileURLWithPath: output)
        try EDFWriter.write(series, to: url, options: EDFWriter.Options(patient: "X X X simulated_mi_eeg"))
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let sidecar = MotorImageryTruthFile(
            truth: truth, command: command, software: "neuroswift", version: NeuroSwiftVersion.current,
            created: ISO8601DateFormatter().string(from: Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(try encoder.encode(sidecar), to: Self.truthURL(for: url))
        print("wrote \(output): \(channels) channels × \(series.sampleCount) samples at \(rate) Hz, \(truth.events.count) trials (\(truth.effect)); truth in \(Self.truthURL(for: url).lastPathComponent)")
    }

    static func truthURL(for url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("truth.json")
    }
}

/// The JSON sidecar: planted truth plus provenance.
struct MotorImageryTruthFile: Codable {
    var truth: MotorImagerySimulation.Truth
    var command: String
    var software: String
    var version: String
    var created: String
}
