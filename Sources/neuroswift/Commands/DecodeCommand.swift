import ArgumentParser
import Decoding
import Foundation

/// `neuroswift decode …`: cross-validated decoding of labelled trials.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Cross-validate decoders on labelled recordings.",
        subcommands: [DecodeEEG.self, DecodeDuIN.self, DecodeNeuroformer.self])
}

/// The pipelines `decode eeg --pipeline` accepts; each raw value is a `BenchmarkRegistry` name.
enum DecodePipelineChoice: String, CaseIterable, ExpressibleByArgument {
    case tsLR = "ts-lr"
    case mdm
    case cspLDA = "csp-lda"
    case ricciGCN = "ricci-gcn"

    var pipeline: BenchmarkPipeline {
        guard let p = BenchmarkRegistry.pipeline(named: rawValue) else { preconditionFailure("pipeline \(rawValue) is not registered") }
        return p
    }
}

struct DecodeEEG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eeg",
        abstract: "Band-pass, epoch and cross-validate an EEG decoder (Riemannian TS+LR, MDM, CSP+LDA or Ricci-GCN).",
        discussion: """
            Every file is one run: with --leave-one-run-out each fold holds out one file. Example:
              neuroswift decode eeg S001R04.edf S001R08.edf S001R12.edf --pipeline ts-lr --events T1,T2 --band 8 30 --window 0.5 2.5
            """)

    @Argument(help: "Recordings with event annotations (EDF/BDF/BrainVision/EEGLAB/CSV…).", completion: .file())
    var files: [String]
    @Option(help: "Decoder: \(DecodePipelineChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
    var pipeline: DecodePipelineChoice = .tsLR
    @Option(help: "Comma-separated annotation labels, one class each.")
    var events = "T1,T2"
    @Option(parsing: .upToNextOption, help: "Pass band in Hz (low high); 0 0 disables filtering.")
    var band: [Double] = [8, 30]
    @Option(parsing: .upToNextOption, help: "Epoch window in seconds after each event (start end).")
    var window: [Double] = [0.5, 2.5]
    @Option(help: "Stratified folds.") var folds = 5
    @Option(help: "Seed for the fold shuffle and any random step.") var seed: UInt64 = 42
    @Flag(help: "One fold per file instead of stratified k-fold.") var leaveOneRunOut = false
    @Flag(help: "Prepend training ERP prototypes to each trial (evoked paradigms such as P300).") var erpPrototypes = false
    @Option(parsing: .upToNextOption, help: "Channels to use (default: every EEG channel).") var channels: [String] = []
    @Option(help: "Write the epochs (epochs.npy, float32 trials × channels × samples) and decode.json (labels, groups, folds) here.")
    var export: String?
    @Flag(help: "Print the results as JSON.") var json = false

    func validate() throws {
        guard band.count == 2 else { throw ValidationError("--band takes two values (low high), got \(band.count)") }
        guard window.count == 2, window[0] < window[1] else { throw ValidationError("--window takes two increasing values (start end), got \(window)") }
        guard folds >= 2 else { throw ValidationError("--folds must be ≥ 2, got \(folds)") }
        guard Set(eventList).count >= 2 else { throw ValidationError("--events needs at least two distinct labels, got \(events)") }
    }

    var eventList: [String] { events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func run() throws {
        let urls = files.map { URL(fileURLWithPath: $0) }
        for url in urls where !FileManager.default.fileExists(atPath: url.path) { throw CLIError.missingFile(path: url.path) }
        let extraction = EpochExtraction(
            events: eventList, band: band == [0, 0] ? nil : band[0]...band[1], window: window[0]...window[1],
            channels: channels.isEmpty ? nil : channels)
        let data = try extraction.epochs(from: urls)
        let base = pipeline.pipeline.make()
        let classifier: any EpochClassifier = erpPrototypes ? ERPPrototypeAugmentation(base) : base
        let cv = CrossValidation(scheme: leaveOneRunOut ? .leaveOneGroupOut : .stratifiedKFold(folds: folds))
        let progress = TerminalProgress()
        let report = try cv.run(classifier, on: data.epochs, groups: data.groups, seed: seed, monitor: progress)
        progress.finish()
        if let export { try exportData(data, report: report, to: URL(fileURLWithPath: export)) }
        if json {
            print(try DecodeSummary(pipeline: pipeline.rawValue, data: data, report: report).json())
            return
        }
        let e = data.epochs
        print("\(pipeline.pipeline.name): \(pipeline.pipeline.summary)")
        print("\(e.trialCount) trials (\(report.classes.map { c in "\(c): \(e.labels.filter { $0 == c }.count)" }.joined(separator: ", "))), "
              + "\(e.channelCount) channels, \(e.sampleCount) samples at \(e.samplingRate) Hz; \(cv.scheme)\n")
        var table = TextTable(["fold", "train", "test", "accuracy", "balanced", "ROC-AUC"])
        for (f, fold) in report.folds.enumerated() {
            table.append(["\(f + 1)", "\(fold.trainCount)", "\(fold.testCount)", fmt(fold.accuracy), fmt(fold.balancedAccuracy), fold.rocAUC.map(fmt) ?? "–"])
        }
        table.append(["mean", "", "", fmt(report.meanAccuracy) + " ± " + fmt(report.accuracyStandardDeviation),
                      fmt(report.meanBalancedAccuracy), report.meanROCAUC.map(fmt) ?? "–"])
        print(table.render())
        let confusion = try report.confusion()
        var matrix = TextTable(["truth \\ predicted"] + report.classes)
        for (i, c) in report.classes.enumerated() { matrix.append([c] + confusion.rows[i].map(String.init)) }
        print("\nOut-of-fold confusion matrix:\n" + matrix.render())
    }

    private func exportData(_ data: GroupedEpochs, report: CrossValidationReport, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let e = data.epochs
        let bytes = e.data.withUnsafeBytes { Array($0) }
        try NPYFile.write(NumericArray(shape: [e.trialCount, e.channelCount, e.sampleCount], elementType: .float32, bytes: bytes),
                          to: folder.appendingPathComponent("epochs.npy"))
        let meta = DecodeExport(
            labels: e.labels, groups: data.groups, groupNames: data.groupNames, testSets: report.testSets,
            channels: e.channels.map(\.name), samplingRate: e.samplingRate, tmin: e.tmin)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(meta), to: folder.appendingPathComponent("decode.json"))
    }
}

private func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

/// The sidecar that lets a reference tool replay identical trials and folds.
struct DecodeExport: Codable {
    var labels: [String]
    var groups: [Int]
    var groupNames: [String]
    var testSets: [[Int]]
    var channels: [String]
    var samplingRate: Double
    var tmin: Double
}

/// `decode eeg --json` output.
struct DecodeSummary: Codable {
    var pipeline: String
    var trials: Int
    var channels: Int
    var classes: [String]
    var foldAccuracy: [Double]
    var foldBalancedAccuracy: [Double]
    var foldROCAUC: [Double?]
    var meanAccuracy: Double
    var meanBalancedAccuracy: Double
    var meanROCAUC: Double?
    var seconds: Double
    var confusion: [[Int]]

    init(pipeline: String, data: GroupedEpochs, report: CrossValidationReport) throws {
        self.pipeline = pipeline
        trials = data.epochs.trialCount
        channels = data.epochs.channelCount
        classes = report.classes
        foldAccuracy = report.folds.map(\.accuracy)
        foldBalancedAccuracy = report.folds.map(\.balancedAccuracy)
        foldROCAUC = report.folds.map(\.rocAUC)
        meanAccuracy = report.meanAccuracy
        meanBalancedAccuracy = report.meanBalancedAccuracy
        meanROCAUC = report.meanROCAUC
        seconds = report.seconds
        confusion = try report.confusion().rows
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
