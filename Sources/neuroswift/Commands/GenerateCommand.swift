import ArgumentParser
import Decoding
import Foundation

/// `neuroswift generate …`: sample synthetic activity from a trained generative model.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample spike trains from a trained generative model.",
        subcommands: [GenerateNeuroformer.self])
}

struct GenerateNeuroformer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroformer",
        abstract: "Free-running autoregressive spike generation from a Neuroformer, compared with the recorded rates.",
        discussion: """
            Each chain starts from the recorded past at a held-out time and generates --windows consecutive
            windows (its own spikes become the past of later windows). Example:
              neuroswift generate neuroformer sample-data/neuroformer.h5 --model model.h5 --windows 100 --chains 8 -o generated.h5
            """)

    @OptionGroup var data: NeuroformerDataOptions
    @Option(help: "A model written by `neuroswift pretrain neuroformer`.", completion: .file()) var model: String
    @Option(help: "Windows generated per chain.") var windows = 100
    @Option(help: "Chains (started at evenly spaced held-out times).") var chains = 8
    @Option(help: "Sampling temperature.") var temperature: Float = 1
    @Option(help: "Top-k sampling: draw among the k most probable tokens only.") var topK: Int?
    @Option(help: "Nucleus sampling: draw among the most probable tokens covering this probability (0, 1].") var topP: Double?
    @Option(help: "How a spike's (ID, offset) pair is drawn: independent (the reference's separate draws) or ordered (the offset restricted to continuations of the tokeniser's time-then-neuron order; a diagnostic).")
    var tokenSampling: NeuroformerTokenSampling = .independent
    @Flag(help: "Condition every window on the recorded past instead of the generated one.") var truePast = false
    @Option(help: "Seed of the draws; the same seed gives the same spikes.") var seed: UInt64 = 0
    @Option(name: [.short, .long], help: "Write the generated counts here (HDF5: /generated/counts chains × bins × neurons).") var output: String?
    @Flag(help: "Print the results as JSON.") var json = false

    func validate() throws {
        guard windows >= 1, chains >= 1 else { throw ValidationError("--windows and --chains must be ≥ 1") }
        guard temperature > 0 else { throw ValidationError("--temperature must be > 0") }
        if let topK, topK < 1 { throw ValidationError("--top-k must be ≥ 1, got \(topK)") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1], got \(topP)") }
    }

    func run() throws {
        let input = try data.load()
        guard FileManager.default.fileExists(atPath: model) else { throw CLIError.missingFile(path: model) }
        let m = try NeuroformerCheckpoint.load(from: URL(fileURLWithPath: model))
        let c = m.configuration
        guard c.neurons == input.raster.neurons else { throw ValidationError("the model has \(c.neurons) neurons, the spikes \(input.raster.neurons)") }
        let mask = try data.split.testMask(bins: input.raster.bins, behaviour: input.behaviour, binWidth: input.raster.binWidth, testFraction: data.testFraction)
        let length = windows * c.currentBins
        guard let firstTest = mask.firstIndex(of: true) else { throw ValidationError("no held-out bins") }
        let first = max(firstTest, c.pastBins), last = input.raster.bins - length
        guard last >= first else { throw ValidationError("the held-out part is shorter than \(windows) windows") }
        let starts = (0..<chains).map { k in first + (chains > 1 ? (last - first) * k / (chains - 1) : 0) }
        let progressStart = Date()
        if c.hasModality && input.stimulus == nil { throw ValidationError("the model was pretrained with a stimulus stream; these spikes have none") }
        let frames = try data.framesPerBin(for: c, raster: input.raster)
        let generated = try m.generate(from: input.raster, starts: starts, windows: windows, modalityPerBin: c.hasModality ? input.stimulus : nil,
                                       framesPerBin: frames,
                                       options: .init(temperature: temperature, truePast: truePast, seed: seed, topK: topK, topP: topP,
                                                     tokenSampling: tokenSampling))
        let seconds = Date().timeIntervalSince(progressStart)
        var generatedRates = [Double](repeating: 0, count: c.neurons), realRates = [Double](repeating: 0, count: c.neurons)
        for (k, g) in generated.enumerated() {
            let gr = g.rates(), rr = input.raster.rates(bins: starts[k]..<(starts[k] + length))
            for n in 0..<c.neurons { generatedRates[n] += gr[n] / Double(chains); realRates[n] += rr[n] / Double(chains) }
        }
        // Calibration check on the held-out windows: the model's one-step expected spikes given the true prefixes.
        var tokensOnly = c
        tokensOnly.behaviourOutputs = 0  // the check needs no behaviour targets
        tokensOnly.behaviourIsClassification = false
        let dataset = try NeuroformerDataset(raster: input.raster, configuration: tokensOnly, modalityPerBin: c.hasModality ? input.stimulus : nil,
                                             framesPerBin: frames)
        let (_, test) = splitWindows(dataset, testMask: mask)
        let (expected, observed) = m.expectedSpikeCounts(on: dataset, samples: test)
        let within = zip(generatedRates, realRates).filter { $1 > 0 && abs($0 - $1) <= 0.2 * $1 }.count
        let summary = GenerateSummary(
            chains: chains, windows: windows, seconds: seconds, realRates: realRates, generatedRates: generatedRates,
            rateCorrelation: (try? Statistics.pearsonCorrelation(generatedRates, realRates)) ?? .nan,
            neuronsWithin20Percent: within, neurons: c.neurons,
            outside20Percent: (0..<c.neurons).filter { !(realRates[$0] > 0 && abs(generatedRates[$0] - realRates[$0]) <= 0.2 * realRates[$0]) },
            topK: topK, topP: topP, temperature: temperature, tokenSampling: tokenSampling.rawValue,
            teacherForcedExpectedSpikes: expected, teacherForcedObservedSpikes: observed)
        if let output {
            let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            try HDF5File.writeAtomically(to: URL(fileURLWithPath: output)) { file in
                try ExportProvenance(command: command, seed: seed, inputs: [URL(fileURLWithPath: model)]).write(to: file)
                let counts = try file.root.createDataset("generated/counts", shape: [chains, length, c.neurons],
                                                         values: generated.flatMap { $0.counts }, deflate: 6)
                try counts.setAttribute("bin_width", input.raster.binWidth)
                try file.root.createDataset("generated/start_bins", shape: [chains], values: starts.map { Int64($0) })
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        print(String(format: "%d chains × %d windows (%.2f s each) in %.1f s%@", chains, windows, Double(length) * input.raster.binWidth, seconds,
                     output.map { "; wrote \($0)" } ?? ""))
        var table = TextTable(["neuron", "recorded Hz", "generated Hz", "ratio"], alignments: [.right, .right, .right, .right])
        for n in 0..<c.neurons {
            table.append(["\(n)", String(format: "%.2f", realRates[n]), String(format: "%.2f", generatedRates[n]),
                          realRates[n] > 0 ? String(format: "%.2f", generatedRates[n] / realRates[n]) : "–"])
        }
        print(table.render())
        print(String(format: "rate correlation r = %.3f; %d / %d neurons within 20 %% of the recorded rate", summary.rateCorrelation, within, c.neurons))
    }
}

struct GenerateSummary: Codable {
    var chains: Int
    var windows: Int
    var seconds: Double
    var realRates: [Double]
    var generatedRates: [Double]
    var rateCorrelation: Double
    var neuronsWithin20Percent: Int
    var neurons: Int
    /// The neurons whose generated rate is more than 20 % off the recorded one.
    var outside20Percent: [Int]
    /// The sampling settings used.
    var topK: Int?
    var topP: Double?
    var temperature: Float
    var tokenSampling: String
    /// Held-out windows, per neuron: spikes expected from the one-step predictions given the true prefixes,
    /// and spikes in those windows' token sequences (a calibration check separate from generation).
    var teacherForcedExpectedSpikes: [Double]
    var teacherForcedObservedSpikes: [Double]
}
extension NeuroformerTokenSampling: ExpressibleByArgument {}
