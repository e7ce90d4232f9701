import ArgumentParser
import Decoding
import Foundation

/// `neuroswift simulate duin`: word-reading sEEG with word-specific high-gamma bursts and evoked
/// potentials on a subset of channels (EDF+ or NWB by the output's extension, with one annotation per
/// trial, then an unlabelled block).
struct SimulateDuIN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duin",
        abstract: "Word-reading sEEG for Du-IN (EDF+ or NWB with word annotations and an 'unlabelled' span; truth as JSON).")

    @Option(help: "Output file: .edf (EDF+) or .nwb (an ElectricalSeries with the annotations in /intervals/epochs); the truth goes to the same path with .truth.json.")
    var output: String
    @Option(help: "Random seed; the same seed gives the same recording.") var seed: UInt64 = 7
    @Option(help: "Number of words (classes).") var words = 10
    @Option(help: "Trials per word.") var trialsPerWord = 40
    @Option(help: "Channels; the first --informative carry the word-specific sources.") var channels = 10
    @Option(help: "Informative channels.") var informative = 6
    @Option(help: "Sampling rate in Hz (≥ 200).") var rate = 250.0
    @Option(help: "High-gamma modulation gain g.") var gain = DuINSimulation().highGammaGain
    @Option(help: "Evoked-potential gain e.") var evokedGain = DuINSimulation().evokedGain
    @Option(help: "Trial onset jitter (standard deviation, s).") var jitter = DuINSimulation().jitter
    @Option(help: "Seconds of unlabelled recording after the trials (pretraining data).") var unlabelledSeconds = 120.0

    func validate() throws {
        guard ["edf", "nwb"].contains(URL(fileURLWithPath: output).pathExtension.lowercased()) else {
            throw ValidationError("--output must end in .edf (EDF+) or .nwb, got \"\(output)\"")
        }
    }

    func run() throws {
        var simulation = DuINSimulation()
        simulation.words = words
        simulation.trialsPerWord = trialsPerWord
        simulation.channels = channels
        simulation.informativeChannels = informative
        simulation.samplingRate = rate
        simulation.highGammaGain = gain
        simulation.evokedGain = evokedGain
        simulation.jitter = jitter
        simulation.unlabelledSeconds = unlabelledSeconds
        let (series, truth) = try simulation.simulate(seed: seed)
        let url = URL(fileURLWithPath: output)
        switch url.pathExtension.lowercased() {
        case "edf": try EDFWriter.write(series, to: url, options: EDFWriter.Options(patient: "X X X simulated_duin_seeg"))
        case "nwb":
            let session = NWBSession(sessionDescription: "simulated word-reading sEEG (neuroswift simulate duin, seed \(seed))",
                                     sessionStartTime: Date(timeIntervalSince1970: 0))
            try NWBWriter.write(to: url, session: session, signals: series,
                                locations: (0..<channels).map { $0 < informative ? "sensorimotor (informative)" : "hippocampus (uninformative)" },
                                description: "simulated sEEG, volts")
        default: throw ValidationError("--output must end in .edf or .nwb, got \"\(url.lastPathComponent)\"")
        }
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let sidecar = DuINTruthFile(truth: truth, command: command, software: "neuroswift", version: NeuroSwiftVersion.current,
                                    created: ISO8601DateFormatter().string(from: Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(try encoder.encode(sidecar), to: Self.truthURL(for: url))
        print(String(format: "wrote %@: %d channels (%d informative) × %.0f s at %.0f Hz, %d words × %d trials, %.0f s unlabelled; truth in %@",
                     output, channels, informative, series.duration, rate, words, trialsPerWord, unlabelledSeconds,
                     Self.truthURL(for: url).lastPathComponent))
    }

    static func truthURL(for url: URL) -> URL { url.deletingPathExtension().appendingPathExtension("truth.json") }
}

/// The JSON sidecar: planted truth plus provenance.
struct DuINTruthFile: Codable {
    var truth: DuINSimulation.Truth
    var command: String
    var software: String
    var version: String
    var created: String
}
