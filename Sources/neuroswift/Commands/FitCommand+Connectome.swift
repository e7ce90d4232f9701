import ArgumentParser
import Foundation
import Models

/// `neuroswift fit connectome TRACES… -o out.h5`: the dynamic functional connectome (affinities →
/// non-negative tensor factorisation → communities per component). See `DynamicConnectome+HDF5`
/// for the output layout.
struct FitConnectome: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectome",
        abstract: "Dynamic functional connectome of calcium traces: NTF of windowed pairwise affinities, then weighted-SBM communities per component.",
        discussion: """
            Each TRACES file is one of: an HDF5 file with /animals/<k>/traces (as written by \
            `neuroswift simulate connectome`; all its animals are used); an HDF5 file with the traces at \
            --dataset (one animal, e.g. gcamp/trace_array for Flavell-lab files, with --timestamps); a \
            CSV matrix of neurons × frames without header (one animal, needs --frame-rate). Neurons are \
            aligned across animals by label when every neuron has one, else by index.
            """)

    @Argument(help: "Calcium trace files (see below).", completion: .file())
    var traces: [String]

    @Option(name: [.short, .long], help: "Output HDF5 file.") var output: String
    @Option(help: "Window length in seconds.") var window = 10.0
    @Option(help: "Step between windows in seconds (default: half the window).") var step: Double?
    @Option(help: "Affinity kernel: differential or correlation.") var kernel = "differential"
    @Option(help: "Gaussian smoothing of the traces before differentiating, in frames (differential kernel).") var smoothing = 1.0
    @Option(help: "A single NTF rank (no sweep).") var rank: Int?
    @Option(help: "Ranks to sweep, e.g. 1-6 or 2,3,4; the rank is picked by error elbow and restart similarity.") var ranks = "1-6"
    @Option(help: "Seeded restarts per rank.") var restarts = 4
    @Option(help: "NTF algorithm: hals, bcd or multiplicative.") var algorithm = "hals"
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "NTF worker threads (results are identical for any count).") var threads = NonNegativeCP.defaultThreads
    @Option(help: "Precision of the tensor copy NTF reads: float32 (faster; factors and objective stay float64) or float64.")
    var precision = NonNegativeCP.defaultPrecision == .single ? "float32" : "float64"
    @Flag(inversion: .prefixedNo, help: "HALS: extrapolate between accepted iterates (worse sweeps are discarded, so the error never rises).")
    var extrapolate = NonNegativeCP.defaultExtrapolation
    @Option(help: "HDF5 dataset holding the traces in plain HDF5 inputs.") var dataset: String?
    @Option(help: "HDF5 dataset of frame times in seconds (plain HDF5 inputs).") var timestamps: String?
    @Flag(help: "Plain HDF5 inputs (--dataset) are neurons × frames rather than frames × neurons. CSV inputs are always neurons × frames.")
    var neuronsByFrames = false
    @Option(help: "Frame rate in Hz when the input has no timestamps.") var frameRate: Double?

    func validate() throws {
        guard !traces.isEmpty else { throw ValidationError("give at least one traces file") }
        guard window > 0 else { throw ValidationError("--window must be > 0 s") }
        guard NonNegativeCP.Algorithm(rawValue: algorithm) != nil else { throw ValidationError("--algorithm must be hals, bcd or multiplicative") }
        guard ["differential", "correlation"].contains(kernel) else { throw ValidationError("--kernel must be differential or correlation") }
        guard restarts >= 1 else { throw ValidationError("--restarts must be ≥ 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        guard ["float32", "float64"].contains(precision) else { throw ValidationError("--precision must be float32 or float64") }
        _ = try rankList()
    }

    func rankList() throws -> [Int] {
        if let rank { guard rank >= 1 else { throw ValidationError("--rank must be ≥ 1") }; return [rank] }
        var out: [Int] = []
        for part in ranks.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !bounds.isEmpty, bounds.count <= 2, bounds.allSatisfy({ ($0 ?? 0) >= 1 }), bounds.first!! <= bounds.last!! else {
                throw ValidationError("--ranks: expected ranks ≥ 1 like 1-6 or 2,3,4, found \(ranks)")
            }
            out.append(contentsOf: bounds.first!!...bounds.last!!)
        }
        return Array(Set(out)).sorted()
    }

    func run() throws {
        var animals: [CalciumTraces] = []
        for path in traces { animals.append(contentsOf: try loadAnimals(path)) }
        let rate = animals[0].frameRate
        let length = max(2, Int((window * rate).rounded()))
        let stepFrames = max(1, Int(((step ?? window / 2) * rate).rounded()))
        let pairKernel: any PairAffinity = kernel == "differential" ? try DifferentialAffinity(smoothing: smoothing) : WindowedCorrelation()
        var options = try DynamicConnectome.Options(
            kernel: pairKernel, window: SlidingWindow(length: length, step: stepFrames), ranks: try rankList(),
            restarts: restarts, algorithm: NonNegativeCP.Algorithm(rawValue: algorithm)!)
        options.ntf.tolerance = 1e-6
        options.ntf.threads = threads
        options.ntf.precision = precision == "float32" ? .single : .double
        options.ntf.extrapolation = extrapolate
        let progress = TerminalProgress()
        let connectome = try DynamicConnectome(animals: animals, options: options, seed: seed, monitor: progress)
        progress.finish()
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try connectome.write(
            to: URL(fileURLWithPath: output),
            provenance: ExportProvenance(command: command, seed: seed, inputs: traces.map { URL(fileURLWithPath: $0) }))

        let shape = connectome.tensor.tensor.shape
        print("affinity tensor: \(shape[0]) windows × \(shape[1]) animals × \(shape[2]) pairs (\(connectome.tensor.neuronNames.count) neurons, \(connectome.tensor.tensor.missing.count) missing entries)")
        var sweepTable = TextTable(["rank", "best error", "restart similarity"])
        for r in connectome.sweep.ranks {
            sweepTable.append(["\(r.rank)", String(format: "%.4f", r.best.relativeError), String(format: "%.3f", r.meanSimilarity)])
        }
        print(sweepTable.render())
        print("selected rank \(connectome.rank)")
        var table = TextTable(["component", "weight", "active (s)", "animals", "blocks (SBM)", "model", "Louvain"])
        for (k, c) in connectome.components.enumerated() {
            let active = c.activeWindows()
            let span = active.isEmpty ? "-" : String(
                format: "%.0f–%.0f", Double(options.window.start(active.first!)) / rate,
                Double(options.window.start(active.last!) + options.window.length) / rate)
            table.append([
                "\(k)", String(format: "%.3g", c.weight), span, c.activeAnimals().map(String.init).joined(separator: ","),
                "\(c.communities.best.blockCount)", c.communities.best.degreeCorrected ? "DC" : "NDC", "\(c.louvain.communityCount)",
            ])
        }
        print(table.render())
        print("wrote \(output)")
    }

    func loadAnimals(_ path: String) throws -> [CalciumTraces] {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError.missingFile(path: path) }
        if url.pathExtension.lowercased() == "csv" {
            guard let rate = frameRate else { throw ValidationError("\(path): CSV traces need --frame-rate") }
            let text = try String(contentsOf: url, encoding: .utf8)
            let rows = text.split(whereSeparator: \.isNewline).map { line in line.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) } }
            guard let width = rows.first?.count, width > 0, rows.allSatisfy({ $0.count == width && $0.allSatisfy { $0 != nil } }) else {
                throw CLIError.unsupportedFormat(path: path, detail: "expected a numeric CSV matrix with rows of equal length")
            }
            let byNeuron = rows.map { $0.map { $0! } }  // neurons × frames
            return [try CalciumTraces(
                signal: byNeuron.flatMap { $0 }, neurons: (0..<byNeuron.count).map { CalciumNeuron(id: $0) }, frameRate: rate, kind: .normalized)]
        }
        if let dataset {
            let t = try HDF5Matrix.calciumTraces(
                url, path: dataset, orientation: neuronsByFrames ? .neuronsByFrames : .framesByNeurons,
                timestampsPath: timestamps, frameRate: frameRate)
            return [t.traces]
        }
        let file = try HDF5File.open(at: url)
        defer { try? file.close() }
        return try ConnectomeSimulation.Result.readAnimals(file, url: url)
    }
}
