import Testing
import Foundation
@testable import Models

@Suite struct DynamicConnectomeTests {
    static func run(motifs: Int, seed: UInt64) throws -> (ConnectomeSimulation.Result, DynamicConnectome) {
        var sim = ConnectomeSimulation()
        sim.animals = 4; sim.neurons = 30; sim.frames = 800; sim.motifCount = motifs; sim.groupSize = 8
        sim.intervalFraction = 0.25
        let data = try sim.simulate(seed: seed)
        let options = try DynamicConnectome.Options(
            kernel: DifferentialAffinity(smoothing: 1), window: SlidingWindow(length: 40, step: 20), ranks: [1, 2, 3, 4], restarts: 3)
        return (data, try DynamicConnectome(animals: data.traces, options: options, seed: 5))
    }

    /// Frames covered by a component's active windows, as a range.
    static func activeFrames(_ c: DynamicConnectome.Component, _ window: SlidingWindow) -> Range<Int> {
        let w = c.activeWindows()
        return window.start(w.first!)..<(window.start(w.last!) + window.length)
    }

    static func iou(_ a: Range<Int>, _ b: Range<Int>) -> Double {
        let inter = max(0, min(a.upperBound, b.upperBound) - max(a.lowerBound, b.lowerBound))
        return Double(inter) / Double(max(a.upperBound, b.upperBound) - min(a.lowerBound, b.lowerBound))
    }

    /// End to end on simulated traces: each planted motif is one component with the right interval
    /// (IoU > 0.5), the right animals, and a community that is its neuron group (NMI > 0.8).
    @Test func plantedMotifsBecomeComponents() throws {
        let (data, connectome) = try Self.run(motifs: 2, seed: 3)
        #expect(connectome.rank == 2)
        let pairs = connectome.tensor.pairs
        for motif in data.motifs {
            let group = Set(motif.neurons)
            let best = connectome.components.max { a, b in
                Set(pairs.topNeurons(a.pairs, count: group.count)).intersection(group).count
                    < Set(pairs.topNeurons(b.pairs, count: group.count)).intersection(group).count
            }!
            #expect(Self.iou(Self.activeFrames(best, connectome.tensor.window), motif.frames) > 0.5)
            #expect(best.activeAnimals() == motif.animals)
            let truth = (0..<data.neuronLabels.count).map { group.contains($0) ? 1 : 0 }
            #expect(try Metrics.normalizedMutualInformation(truth, best.communities.best.labels) > 0.8)
        }
    }

    /// Without planted motifs no component is stable above rank 1.
    @Test func nullHasNoStableComponent() throws {
        let (_, connectome) = try Self.run(motifs: 0, seed: 4)
        #expect(connectome.rank == 1)
    }

    @Test func simulationRoundTripsThroughHDF5() throws {
        var sim = ConnectomeSimulation()
        sim.animals = 3; sim.neurons = 8; sim.frames = 50; sim.motifCount = 2; sim.groupSize = 3; sim.dropout = 0.3
        let data = try sim.simulate(seed: 9)
        #expect(data.traces.contains { $0.neuronCount < 8 })  // dropout exercised
        for m in data.motifs { for a in m.animals { #expect(Set(m.neurons).isSubset(of: Set(data.traces[a].neurons.map(\.id)))) } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("connectome-sim-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("sim.h5")
        try data.write(to: url, provenance: ExportProvenance(command: "test", seed: 9))
        let back = try ConnectomeSimulation.Result(contentsOf: url)
        #expect(back.motifs == data.motifs && back.neuronLabels == data.neuronLabels)
        #expect(back.traces.map(\.signal) == data.traces.map(\.signal))
        #expect(back.traces.map { $0.neurons.map(\.label) } == data.traces.map { $0.neurons.map(\.label) })
    }
}

@Suite struct ConnectomeReadmeExampleTests {
    /// The README's connectome example, on a small simulation, so the documentation cannot rot.
    @Test func readmeExampleRuns() throws {
        var sim = ConnectomeSimulation()
        sim.animals = 3; sim.neurons = 12; sim.frames = 400; sim.motifCount = 1; sim.groupSize = 5
        let animals: [CalciumTraces] = try sim.simulate(seed: 2).traces
        // --- README example (keep in sync) ---
        let options = try DynamicConnectome.Options(
            kernel: DifferentialAffinity(smoothing: 1), window: SlidingWindow(length: 40, step: 20), ranks: Array(1...6))
        let connectome = try DynamicConnectome(animals: animals, options: options, seed: 1)
        for c in connectome.components { _ = (c.activeWindows(), c.activeAnimals(), c.communities.best.labels) }
        // --- end ---
        #expect(connectome.rank == 1 && connectome.components.count == 1)
    }
}
