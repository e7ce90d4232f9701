import Foundation
import Testing
@testable import Decoding

@Suite struct ManifoldPipelineTests {
    @Test func eigenmapMatchesScipyGeneralisedEigh() throws {
        let g = OllivierRicciTests.goldens.eigenmap
        var w = Matrix<Double>(rows: g.nodes, columns: g.nodes)
        for (e, pair) in g.edges.enumerated() { w[pair[0], pair[1]] = g.affinities[e]; w[pair[1], pair[0]] = g.affinities[e] }
        let map = try LaplacianEigenmap(affinity: w, dimensions: 3)
        #expect(map.trivial == 1)
        for k in 0..<g.nodes {
            #expect(abs(map.eigenvalues[k] - g.eigenvalues[k]) < 1e-10)
            // Eigenvectors agree up to sign (all eigenvalues of this graph are simple).
            let reference = g.eigenvectors[k]
            let ours = map.eigenvectors.column(k)
            let sign: Double = zip(ours, reference).map { $0 * $1 }.reduce(0, +) < 0 ? -1 : 1
            for i in 0..<g.nodes { #expect(abs(sign * ours[i] - reference[i]) < 1e-8) }
        }
        #expect(map.embedding.columns == 3)
        #expect(map.embedding[0, 0] == map.eigenvectors[0, 1])
    }

    @Test func eigenmapClosedFormsOnCycleAndTwoCliques() throws {
        // C_n, unit weights: D = 2I, so generalised eigenvalues are (2 − 2cos(2πk/n))/2.
        let n = 8
        let cycle = try WeightedGraph.cycle(n).denseMatrix { _ in 1 }
        let map = try LaplacianEigenmap(affinity: cycle, dimensions: 2)
        let expected = (0..<n).map { (2 - 2 * Foundation.cos(2 * Double.pi * Double($0) / Double(n))) / 2 }.sorted()
        for k in 0..<n { #expect(abs(map.eigenvalues[k] - expected[k]) < 1e-12) }
        // Two disconnected cliques: two zero eigenvalues, skipped.
        var w = Matrix<Double>(rows: 6, columns: 6)
        for a in 0..<3 { for b in 0..<3 where a != b { w[a, b] = 1; w[a + 3, b + 3] = 1 } }
        let two = try LaplacianEigenmap(affinity: w, dimensions: 1)
        #expect(two.trivial == 2)
        #expect(throws: ParameterError.self) { try LaplacianEigenmap(affinity: Matrix<Double>(rows: 3, columns: 3), dimensions: 1) }
    }

    @Test func channelGraphIsSymmetrisedKnnWithMedianBandwidth() throws {
        // Points on a line 0, 1, 2, 10, 11: k = 1 links 0–1, 1–2 (2's nearest is 1), 3–4.
        let f = Matrix<Double>(rows: 5, columns: 1, elements: [0, 1, 2, 10, 11])
        let cg = try ChannelGraph(features: f, neighbours: 1)
        let pairs = (0..<cg.graph.edgeCount).map { [cg.graph.sources[$0], cg.graph.targets[$0]] }
        #expect(pairs == [[0, 1], [1, 2], [3, 4]])
        #expect(cg.bandwidth == 1)
        #expect(cg.affinities.allSatisfy { abs($0 - Foundation.exp(-1)) < 1e-12 })
        #expect(throws: ParameterError.self) { try ChannelGraph(features: f, neighbours: 5) }
    }

    /// Synthetic epochs: 8 channels, class "A" has a 10 Hz rhythm on channels 0–3, class "B" on 4–7.
    static func plantedEpochs(trials: Int, seed: UInt64) throws -> Epochs {
        var generator = SeededGenerator(seed: seed)
        let (c, t, fs) = (8, 128, 128.0)
        var data: [Float] = [], labels: [String] = []
        for trial in 0..<trials {
            let label = trial % 2 == 0 ? "A" : "B"
            labels.append(label)
            for ch in 0..<c {
                let planted = (label == "A") == (ch < 4)
                let phase = generator.uniform(in: 0..<(2 * Double.pi))
                for s in 0..<t {
                    let rhythm = planted ? 1.5 * Foundation.sin(2 * Double.pi * 10 * Double(s) / fs + phase) : 0
                    data.append(Float(1e-5 * (generator.normal(mean: 0, standardDeviation: 1) + rhythm)))
                }
            }
        }
        let channels = (0..<c).map { Channel(name: "C\($0)", kind: .eeg) }
        return try Epochs(data: data, channels: channels, labels: labels, samplingRate: fs, tmin: 0)
    }

    @Test func ricciGCNLearnsAPlantedGraphSignal() throws {
        let train = try Self.plantedEpochs(trials: 60, seed: 1)
        let test = try Self.plantedEpochs(trials: 40, seed: 2)
        let classifier = RicciGCNClassifier(neighbours: 3, eigenmapDimensions: 2, trainingSteps: 150)
        let fitted = try classifier.fit(train, seed: 3, monitor: SilentMonitor())
        let predicted = try fitted.predict(test)
        let accuracy = Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.trialCount)
        #expect(accuracy >= 0.9)
        let p = try fitted.probabilities(test)
        for r in 0..<p.rows { #expect(abs(p.row(r).reduce(0, +) - 1) < 1e-5) }
        #expect(try fitted.embeddings(test).columns == 8 * classifier.embeddingWidth)
        #expect(fitted.flow.graph.lengths.allSatisfy { $0 > 0 })
        #expect(fitted.classes == ["A", "B"])
    }

    @Test func ricciGCNStaysAtChanceWithoutSignal() throws {
        // Labels carry no information: shuffled planted labels → held-out accuracy near 0.5.
        let train = try Self.plantedEpochs(trials: 60, seed: 4)
        let relabelled = try Epochs(data: train.data, channels: train.channels, labels: train.labels.enumerated().map { $0.offset % 4 < 2 ? "A" : "B" },
                                    samplingRate: train.samplingRate, tmin: 0)
        let test = try Self.plantedEpochs(trials: 40, seed: 5)
        let fitted = try RicciGCNClassifier(neighbours: 3, eigenmapDimensions: 2, trainingSteps: 100).fit(relabelled, seed: 6, monitor: SilentMonitor())
        let predicted = try fitted.predict(test)
        let accuracy = Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.trialCount)
        #expect(accuracy > 0.2 && accuracy < 0.8)
    }

    @Test func ricciGCNRejectsBadInput() throws {
        let train = try Self.plantedEpochs(trials: 10, seed: 1)
        #expect(throws: ParameterError.self) { try RicciGCNClassifier(neighbours: 8).fit(train, seed: 0, monitor: SilentMonitor()) }
        #expect(throws: ParameterError.self) { try RicciGCNClassifier(trainingSteps: 0).fit(train, seed: 0, monitor: SilentMonitor()) }
        let oneClass = try Epochs(data: train.data, channels: train.channels, labels: Array(repeating: "A", count: 10), samplingRate: 128, tmin: 0)
        #expect(throws: ParameterError.self) { try RicciGCNClassifier().fit(oneClass, seed: 0, monitor: SilentMonitor()) }
        #expect(throws: ParameterError.self) { try BandFeatures(bands: [40...70]).transform(train) }
    }
}
