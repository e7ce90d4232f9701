import ArgumentParser
import Decoding
import Foundation

/// `neuroswift graph`: graph-geometry tools that are useful on their own (Ollivier–Ricci curvature,
/// Ricci flow) on any weighted edge list.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Graph geometry: Ollivier–Ricci curvature and Ricci flow of a weighted edge list.",
        subcommands: [GraphCurvatureCommand.self])
}

/// `neuroswift graph curvature EDGES [--alpha A] [--flow N --step S]`.
struct GraphCurvatureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curvature",
        abstract: "Ollivier–Ricci curvature of every edge (GraphRicciCurvature's conventions), optionally after Ricci flow.",
        discussion: """
            EDGES is a text file with one edge per line, "i j length" (whitespace or comma separated; \
            length defaults to 1; lines starting with # are skipped); nodes are 0-based integers. Edge \
            values are lengths (distances), not similarities. Prints "i,j,length,curvature" CSV on \
            standard output. With --flow N, runs N Ricci-flow iterations first (ℓ ← ℓ(1 − step·κ), \
            renormalised to Σℓ = |E|) and prints the flowed lengths and their curvature.
            """)

    @Argument(help: "Edge list: \"i j [length]\" per line.", completion: .file()) var edges: String
    @Option(help: "Idleness α: the mass a node keeps.") var alpha = 0.5
    @Option(help: "Transport solver: exact or sinkhorn.") var solver = "exact"
    @Option(help: "Ricci-flow iterations before reporting (0: none).") var flow = 0
    @Option(help: "Ricci-flow step.") var step = 0.5

    func run() throws {
        let text = try String(contentsOfFile: edges, encoding: .utf8)
        var pairs: [(Int, Int)] = [], lengths: [Double] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
            guard fields.count >= 2, let i = Int(fields[0]), let j = Int(fields[1]), i >= 0, j >= 0 else {
                throw ValidationError("\(edges):\(number + 1): expected \"i j [length]\" with node indices ≥ 0, found \"\(trimmed)\"")
            }
            let length = fields.count >= 3 ? Double(fields[2]) : 1
            guard let length else { throw ValidationError("\(edges):\(number + 1): length \"\(fields[2])\" is not a number") }
            pairs.append((i, j)); lengths.append(length)
        }
        guard !pairs.isEmpty else { throw ValidationError("\(edges): no edges") }
        let nodeCount = pairs.map { Swift.max($0.0, $0.1) }.max()! + 1
        var graph = try WeightedGraph(nodeCount: nodeCount, edges: pairs, lengths: lengths)
        let transport: TransportSolver
        switch solver {
        case "exact": transport = .exact
        case "sinkhorn": transport = .sinkhorn(regularization: 0.1)
        default: throw ValidationError("--solver: expected exact or sinkhorn, found \(solver)")
        }
        let curvature = OllivierRicciConfiguration(alpha: alpha, solver: transport)
        let kappa: RicciCurvature
        if flow > 0 {
            let result = try graph.ricciFlow(RicciFlowConfiguration(curvature: curvature, iterations: flow, step: step))
            graph = result.graph
            kappa = result.curvature
        } else {
            kappa = try graph.ollivierRicciCurvature(curvature)
        }
        print("i,j,length,curvature")
        for e in 0..<graph.edgeCount {
            print("\(graph.sources[e]),\(graph.targets[e]),\(graph.lengths[e]),\(kappa.edges[e])")
        }
    }
}
