import ArgumentParser
import Foundation
import Models

/// `neuroswift fit stateglm SPIKES`: an HMM whose states are population GLMs with N × N history
/// coupling (Li et al., ICLR 2024), with the naive, Gaussian or one-hot prior over the couplings.
struct FitStateGLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stateglm",
        abstract: "State-switching population GLM (HMM-GLM) with a naive, Gaussian or one-hot prior on the couplings.",
        discussion: """
            SPIKES is one of: a NeuroSwift HDF5 file with /spikes/counts (sequences × bins × neurons, as \
            written by `neuroswift simulate stateglm`); a CSV matrix of counts, units × bins (e.g. Allen Y.csv); \
            an NWB file with a units table (spike times, binned at --bin-width). Long recordings can be cut \
            into sequences with --sequence-length.
            """)

    enum PriorChoice: String, ExpressibleByArgument, CaseIterable { case naive, gaussian, onehot }
    enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable { case adam, lbfgs }
    enum ScheduleChoice: String, ExpressibleByArgument, CaseIterable { case batch, reference }

    @Argument(help: "Spike counts or spike times (HDF5, CSV, NWB).", completion: .file())
    var spikes: String
    @Option(name: [.short, .long], help: "Output HDF5 file.") var output: String
    @Option(help: "Number of hidden states.") var states = 5
    @Option(help: "Bin width in seconds (bins NWB spike times; recorded as metadata for count inputs).") var binWidth = 0.01
    @Option(help: "Prior over the coupling weights.") var prior: PriorChoice = .onehot
    @Option(help: "Random seed (initialisation, restarts, Gumbel noise).") var seed: UInt64 = 0
    @Option(help: "EM epochs.") var epochs = 10
    @Option(help: "M-step optimiser.") var optimizer: OptimizerChoice = .adam
    @Option(help: "Adam steps or L-BFGS iterations per M-step.") var steps = 50
    @Option(help: "Adam learning rate.") var learningRate = 0.01
    @Option(help: "batch: E-step on all sequences then one M-step; reference: E- and M-step per sequence, as the reference code.")
    var schedule: ScheduleChoice = .batch
    @Option(help: "Independent starts; the best final objective is kept.") var restarts = 1
    @Option(help: "Screened starts per restart: this many seeded starts run --screen-epochs on --screen-sequences sequences, the best by training objective is continued (0: one random start).")
    var screenStarts = 0
    @Option(help: "EM epochs of each screened start.") var screenEpochs = 1
    @Option(help: "Sequences (evenly spaced) each screened start is fitted on (0: all).") var screenSequences = 0
    @Option(help: "Emission likelihood (poisson or bernoulli).") var likelihood: String = "poisson"
    @Option(help: "Link function (sigmoid, softplus or exp).") var link: String = "sigmoid"
    @Option(help: "History length K in bins (exponential basis).") var history = 5
    @Option(help: "Decay of the exponential history basis per bin.") var historyDecay = 1.0
    @Option(help: "Cut each recording into sequences of this many bins (0: keep whole).") var sequenceLength = 0
    @Option(help: "Dirichlet pseudo-count added to self-transitions (sticky HMM).") var stickiness = 0.0
    @Flag(help: "One bias per state and neuron instead of one per neuron.") var perStateBias = false
    @Option(help: "One-hot only: epochs of a Gaussian fit used as a warm start (0: none).") var warmStart = 5
    @Flag(help: "Run the Adam M-step's likelihood terms in float64 instead of float32 (E-steps and exports are double either way).")
    var doublePrecision = false

    func validate() throws {
        guard StateGLMLikelihood(rawValue: likelihood) != nil else { throw ValidationError("--likelihood must be poisson or bernoulli, got \(likelihood)") }
        guard StateGLMLink(rawValue: link) != nil else { throw ValidationError("--link must be sigmoid, softplus or exp, got \(link)") }
        guard states >= 1 else { throw ValidationError("--states must be ≥ 1 (got \(states))") }
        guard binWidth > 0, binWidth.isFinite else { throw ValidationError("--bin-width must be > 0 s (got \(binWidth))") }
        guard screenStarts >= 0, screenEpochs >= 1, screenSequences >= 0 else {
            throw ValidationError("--screen-starts and --screen-sequences must be ≥ 0 and --screen-epochs ≥ 1")
        }
        guard sequenceLength == 0 || sequenceLength >= 2 else { throw ValidationError("--sequence-length must be 0 or ≥ 2 (got \(sequenceLength))") }
    }

    /// Sequences of T × N counts from the input file.
    static func loadCounts(_ url: URL, binWidth: Double) throws -> [Matrix<Double>] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError.missingFile(path: url.path) }
        switch url.pathExtension.lowercased() {
        case "csv", "txt":
            let m = try SpikeTextFiles.readMatrix(url)
            return [Matrix(rows: m.rows, columns: m.columns, elements: m.values).transposed()]
        case "nwb":
            return [try NWBFile.open(url).units().binned(width: binWidth).matrix().transposed()]
        case "h5", "hdf5":
            let file = try HDF5File.open(at: url)
            if file.root.contains("spikes/counts") {
                let set = try file.root.dataset("spikes/counts")
                let values = try set.readDoubles()
                switch set.shape.count {
                case 2: return [Matrix(rows: set.shape[0], columns: set.shape[1], elements: values)]
                case 3:
                    let (t, n) = (set.shape[1], set.shape[2])
                    return (0..<set.shape[0]).map { Matrix(rows: t, columns: n, elements: Array(values[($0 * t * n)..<(($0 + 1) * t * n)])) }
                default:
                    throw CLIError.unsupportedFormat(path: url.path, detail: "/spikes/counts must be bins × neurons or sequences × bins × neurons, found shape \(set.shape)")
                }
            }
            if file.root.contains("units") {
                return [try NWBFile.open(url).units().binned(width: binWidth).matrix().transposed()]
            }
            throw CLIError.unsupportedFormat(path: url.path, detail: "no /spikes/counts dataset and no NWB /units table")
        default:
            throw CLIError.unsupportedFormat(path: url.path, detail: "expected .h5/.hdf5 (counts or NWB), .nwb or .csv")
        }
    }

    static func split(_ counts: [Matrix<Double>], length: Int) -> [Matrix<Double>] {
        guard length > 0 else { return counts }
        return counts.flatMap { c -> [Matrix<Double>] in
            stride(from: 0, to: c.rows - length + 1, by: length).map { start in
                Matrix(rows: length, columns: c.columns, elements: Array(c.elements[(start * c.columns)..<((start + length) * c.columns)]))
            }
        }
    }

    func run() throws {
        let input = URL(fileURLWithPath: spikes)
        let counts = Self.split(try Self.loadCounts(input, binWidth: binWidth), length: sequenceLength)
        guard !counts.isEmpty else { throw ValidationError("--sequence-length \(sequenceLength) is longer than the recording") }
        let emission = StateGLMEmission(likelihood: StateGLMLikelihood(rawValue: likelihood)!, link: StateGLMLink(rawValue: link)!)
        let configuration = StateGLMConfiguration(
            states: states, basis: try .exponential(length: history, decay: historyDecay), emission: emission,
            perStateBias: perStateBias, stickiness: stickiness)
        let chosen: any InteractionPrior
        switch prior {
        case .naive: chosen = NaivePrior()
        case .gaussian: chosen = GaussianPrior()
        case .onehot: chosen = OneHotPrior()
        }
        var options = StateGLMFitOptions(
            epochs: epochs,
            optimizer: optimizer == .adam ? .adam(steps: steps, learningRate: learningRate) : .lbfgs(iterations: steps, memory: 10),
            schedule: schedule == .batch ? .batch : .perSequence, restarts: restarts, seed: seed,
            warmStart: prior == .onehot && warmStart > 0 ? .init(prior: GaussianPrior(), epochs: warmStart) : nil)
        options.singlePrecisionMStep = !doublePrecision
        if screenStarts > 0 { options.screening = .init(starts: screenStarts, epochs: screenEpochs, sequences: screenSequences > 0 ? screenSequences : nil) }
        let sequences = try counts.map { try StateGLMSequence(counts: $0, basis: configuration.basis, emission: emission) }
        let progress = TerminalProgress()
        let start = Date()
        let fit = try StateGLMFitter(configuration: configuration, prior: chosen, options: options).fit(sequences: sequences, monitor: progress)
        progress.finish()
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try fit.write(
            to: URL(fileURLWithPath: output), sequences: sequences,
            provenance: ExportProvenance(command: command, seed: seed, inputs: [input]), binWidth: binWidth)
        let bins = sequences.reduce(0) { $0 + $1.binCount }
        let perBin = fit.model.logLikelihoodPerBin(sequences)
        print("wrote \(output): \(prior.rawValue) HMM-GLM, \(states) states, \(sequences[0].neuronCount) neurons, \(sequences.count) sequences, \(bins) bins")
        print(String(format: "log-likelihood per bin %.4f, objective %.6g, %.1f s", perBin, fit.objectiveTrace.last ?? .nan, Date().timeIntervalSince(start)))
    }
}
