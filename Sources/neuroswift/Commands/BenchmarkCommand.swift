import ArgumentParser
import Decoding
import Foundation

/// `neuroswift benchmark`: every registered pipeline on every available data set, as one table.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Cross-validate every registered decoding pipeline on the benchmark data sets.",
        discussion: "Simulated sets always run; real sets run when their files are under --data (the shared data folder).")

    @Option(help: "Folder holding the shared data (eeg/eegmmidb-S001, eeg/muse-p300-subject1).", completion: .directory)
    var data = ProcessInfo.processInfo.environment["NEUROSWIFT_SHARED_DATA"] ?? "../shared/data"
    @Option(parsing: .upToNextOption, help: "Data sets to run (default all): \(BenchmarkRegistry.datasets.map(\.name).joined(separator: ", ")).")
    var datasets: [String] = []
    @Option(parsing: .upToNextOption, help: "Pipelines to run (default all): \(BenchmarkRegistry.pipelines.map(\.name).joined(separator: ", ")).")
    var pipelines: [String] = []
    @Option(help: "Seed for simulation and fold shuffles.") var seed: UInt64 = 42

    func validate() throws {
        for name in datasets where BenchmarkRegistry.dataset(named: name) == nil {
            throw ValidationError("unknown data set \(name); known: \(BenchmarkRegistry.datasets.map(\.name).joined(separator: ", "))")
        }
        for name in pipelines where BenchmarkRegistry.pipeline(named: name) == nil {
            throw ValidationError("unknown pipeline \(name); known: \(BenchmarkRegistry.pipelines.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        let chosenSets = datasets.isEmpty ? BenchmarkRegistry.datasets : datasets.compactMap(BenchmarkRegistry.dataset(named:))
        let chosenPipelines = pipelines.isEmpty ? BenchmarkRegistry.pipelines : pipelines.compactMap(BenchmarkRegistry.pipeline(named:))
        let root = URL(fileURLWithPath: data)
        var table = TextTable(
            ["data set", "score", "CV"] + chosenPipelines.map(\.name),
            alignments: [.left, .left, .left] + chosenPipelines.map { _ in .right })
        var skipped = [String]()
        for dataset in chosenSets {
            let progress = TerminalProgress()
            let results = try BenchmarkRegistry.run(dataset, pipelines: chosenPipelines, dataRoot: root, seed: seed, monitor: progress)
            progress.finish()
            guard let results else {
                skipped.append(dataset.name)
                continue
            }
            table.append([dataset.name, dataset.score.rawValue, dataset.scheme.description]
                         + results.map { String(format: "%.3f ± %.3f", $0.value, spread($0)) })
        }
        print(table.render())
        print("\nScores are means over folds ± their standard deviation.")
        if !skipped.isEmpty { print("Skipped (data not found under \(root.path)): \(skipped.joined(separator: ", "))") }
    }

    private func spread(_ result: BenchmarkResult) -> Double {
        let values = result.score == .accuracy ? result.report.folds.map(\.accuracy) : result.report.folds.compactMap(\.rocAUC)
        guard values.count > 1 else { return 0 }
        let m = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
    }
}
