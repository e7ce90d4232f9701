import ArgumentParser
import Foundation

/// `neuroswift demo`: every pipeline that exists so far, run on the bundled `sample-data/`, with a
/// results table each. This is `make demo`, the first thing a new user runs.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run every pipeline on the bundled sample data and print a results table.")

    @Option(help: "Folder holding the sample data.", completion: .directory)
    var data = "sample-data"

    /// The pipelines, in the order they run. Each later issue adds its own.
    static let pipelines: [any DemoPipeline] = [
        SpectralPeaksDemo(), MotorImageryDemo(), BiclusterDemo(), ConnectomeDemo(), StateGLMDemo(), DuINDemo(), NeuroformerDemo(),
    ]

    func run() throws {
        let folder = URL(fileURLWithPath: data)
        var summaries = TextTable(["pipeline", "input", "result", "seconds"], alignments: [.left, .left, .left, .right])
        for pipeline in Self.pipelines {
            let input = folder.appendingPathComponent(pipeline.inputFile)
            guard FileManager.default.fileExists(atPath: input.path) else { throw CLIError.missingSampleData(path: input.path) }
            let start = Date()
            let outcome = try pipeline.run(input)
            let seconds = Date().timeIntervalSince(start)
            print("== \(pipeline.name): \(pipeline.summary)\n")
            print(outcome.table.render())
            print("")
            summaries.append([pipeline.name, pipeline.inputFile, outcome.headline, String(format: "%.2f", seconds)])
        }
        print("== Summary\n")
        print(summaries.render())
    }
}

/// One demonstration pipeline: reads one sample file and reports against its ground truth.
protocol DemoPipeline: Sendable {
    var name: String { get }
    var summary: String { get }
    /// Path relative to the sample-data folder.
    var inputFile: String { get }
    func run(_ input: URL) throws -> DemoOutcome
}

struct DemoOutcome {
    var table: TextTable
    /// One line for the summary table, e.g. "8/8 peaks within 0.25 Hz".
    var headline: String
}
