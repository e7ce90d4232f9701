import Foundation
import Testing
import TestSupport
@testable import Decoding

/// A random raster with `rate` spikes per neuron and bin (occasional doubles).
private func randomRaster(neurons: Int, bins: Int, rate: Double, seed: UInt64) -> SpikeRaster {
    var g = SeededGenerator(seed: seed)
    var counts = [UInt16](repeating: 0, count: neurons * bins)
    for i in counts.indices where g.nextUnitInterval() < rate { counts[i] = g.nextUnitInterval() < 0.1 ? 2 : 1 }
    return SpikeRaster(neurons: neurons, bins: bins, binWidth: 0.01, counts: counts)
}

private let tinyConfiguration = NeuroformerConfiguration(
    neurons: 6, currentBins: 4, pastBins: 8, currentBlock: 12, pastBlock: 20, dimension: 32, heads: 2,
    stateLayers: 1, historyLayers: 1, dropout: 0)

@Suite struct NeuroformerTokenizerTests {
    @Test func tokensToSpikesToTokensRoundTrips() {
        let raster = randomRaster(neurons: 6, bins: 400, rate: 0.35, seed: 1)
        let tok = tinyConfiguration.tokenizer
        let ends = tok.windowEnds(bins: 0..<raster.bins)
        #expect(ends.first == 12 && ends.count == (400 - 12) / 4 + 1)
        var overflowed = 0
        for end in ends {
            let w = tok.window(endingAt: end, in: raster)
            #expect(w.inputIDs.count == 12 && w.pastIDs.count == 20 && w.inputIDs[0] == tok.sos)
            #expect(Array(w.inputIDs.dropFirst()) == Array(w.targetIDs.dropLast()))
            let spikes = tok.decode(ids: w.inputIDs + [w.targetIDs.last!], offsets: w.inputOffsets + [w.targetOffsets.last!])
            // Spikes → tokens gives the same sequence again.
            let again = tok.encode(spikes, block: 12)
            #expect(again.ids == w.inputIDs + [w.targetIDs.last!] && again.offsets == w.inputOffsets + [w.targetOffsets.last!])
            let truth = tok.spikes(in: raster, firstBin: end - 4, count: 4)
            if truth.count <= 10 {
                // Tokens → spikes reproduces the window's counts exactly, in (bin, neuron) order.
                #expect(spikes == truth)
                var counts = [Int](repeating: 0, count: 24)
                for s in spikes { counts[s.offset * 6 + s.neuron] += 1 }
                for b in 0..<4 { for n in 0..<6 { #expect(counts[b * 6 + n] == raster[end - 4 + b, n]) } }
            } else {
                overflowed += 1
                #expect(spikes == Array(truth.suffix(10)))  // the most recent T − 2 spikes are kept
            }
        }
        #expect(overflowed > 0 && overflowed < ends.count)
    }

    @Test func vocabulariesFollowTheReference() {
        let tok = NeuroformerConfiguration.mini(neurons: 32).tokenizer
        #expect(tok.idVocabulary == 35 && tok.offsetVocabulary == 18)
        #expect(tok.sos == 32 && tok.eos == 33 && tok.pad == 34 && tok.offsetEOS == 16 && tok.offsetPAD == 17)
        let encoded = tok.encode([SpikeToken(neuron: 3, offset: 2)], block: 5)
        #expect(encoded.ids == [32, 3, 33, 34, 34, 34] && encoded.offsets == [0, 2, 16, 17, 17, 17])
    }
}

@Suite struct NeuroformerModelTests {
    @Test func currentWindowAttentionIsCausal() throws {
        let raster = randomRaster(neurons: 6, bins: 200, rate: 0.1, seed: 2)
        let model = try NeuroformerModel(configuration: tinyConfiguration, seed: 3)
        let data = try NeuroformerDataset(raster: raster, configuration: tinyConfiguration)
        var batch = data.batch([5, 9])
        let before = model.forward(batch).idLogits.storage
        let k = 4, t = 12, v = tinyConfiguration.tokenizer.idVocabulary
        batch.inputIDs[k] = (batch.inputIDs[k] + 1) % 6
        batch.inputOffsets[k] = 1
        let after = model.forward(batch).idLogits.storage
        for position in 0..<t {
            let a = before[(position * v)..<((position + 1) * v)], b = after[(position * v)..<((position + 1) * v)]
            if position < k { #expect(Array(a) == Array(b), "position \(position) saw a later token") }
            else { #expect(zip(a, b).contains { abs($0 - $1) > 1e-6 }, "position \(position) ignored token \(k)") }
        }
        // The second sample is untouched.
        #expect(Array(before[(t * v)...]) == Array(after[(t * v)...]))
    }

    @Test func tinyModelOverfitsATinyDataset() throws {
        // A deterministic sequence: neuron (b mod 6) fires in bin b, so the next ID is predictable.
        var counts = [UInt16](repeating: 0, count: 6 * 120)
        for b in 0..<120 { counts[b * 6 + b % 6] = 1 }
        let raster = SpikeRaster(neurons: 6, bins: 120, binWidth: 0.01, counts: counts)
        let data = try NeuroformerDataset(raster: raster, configuration: tinyConfiguration)
        let model = try NeuroformerModel(configuration: tinyConfiguration, seed: 4)
        let samples = Array(0..<data.count)
        let initial = NeuroformerTraining.loss(model, data.batch(samples)).total.item
        try NeuroformerTraining.pretrain(model, on: data, samples: samples, options: .init(
            steps: 150, batchSize: 8, learningRate: 3e-3, warmupSteps: 10, weightDecay: 0))
        let final = NeuroformerTraining.loss(model, data.batch(samples)).total.item
        let metrics = model.tokenMetrics(on: data, samples: samples)
        #expect(final < 0.2 * initial, "loss \(initial) → \(final)")
        #expect(metrics.idAccuracy > 0.95 && metrics.offsetAccuracy > 0.95, "\(metrics)")
        #expect(metrics.mostFrequentIDAccuracy < 0.4)
    }

    @Test func generationIsReproducibleBySeed() throws {
        let raster = randomRaster(neurons: 6, bins: 200, rate: 0.1, seed: 5)
        let model = try NeuroformerModel(configuration: tinyConfiguration, seed: 6)
        let a = try model.generate(from: raster, starts: [20, 100], windows: 3, options: .init(seed: 7))
        let b = try model.generate(from: raster, starts: [20, 100], windows: 3, options: .init(seed: 7))
        let c = try model.generate(from: raster, starts: [20, 100], windows: 3, options: .init(seed: 8))
        #expect(a == b)
        #expect(a != c)
        #expect(a[0].bins == 12 && a[0].neurons == 6 && a[1].start == 1.0)
        #expect(a.map(\.spikeCount).reduce(0, +) > 0)
        #expect(throws: NeuroformerError.self) { try model.generate(from: raster, starts: [2], windows: 1) }
        #expect(throws: ParameterError.self) { try model.generate(from: raster, starts: [20], windows: 1, options: .init(temperature: 0)) }
    }

    @Test func checkpointRoundTripsTheModel() throws {
        let directory = try TemporaryDirectory()
        var configuration = tinyConfiguration
        configuration.modalityFeatures = 1
        configuration.modalityTokens = 12
        configuration.modalityLayers = 1
        configuration.behaviourOutputs = 1
        configuration.behaviourMean = 2
        let model = try NeuroformerModel(configuration: configuration, seed: 9)
        let url = directory.url.appendingPathComponent("model.h5")
        try NeuroformerCheckpoint.save(model, to: url, provenance: ExportProvenance(command: "test"))
        let loaded = try NeuroformerCheckpoint.load(from: url)
        #expect(loaded.configuration == configuration)
        #expect(loaded.namedParameters.map(\.name) == model.namedParameters.map(\.name))
        for (p, q) in zip(model.parameters, loaded.parameters) { #expect(p.storage == q.storage) }
        let raster = randomRaster(neurons: 6, bins: 100, rate: 0.1, seed: 10)
        let data = try NeuroformerDataset(raster: raster, configuration: configuration,
                                          modalityPerBin: (0..<100).map { Float($0) / 100 }, behaviourPerBin: (0..<100).map(Double.init))
        let batch = data.batch([0, 1, 2])
        #expect(model.forward(batch).idLogits.storage == loaded.forward(batch).idLogits.storage)
        #expect(try model.predictBehaviour(on: data, samples: [0, 1]) == loaded.predictBehaviour(on: data, samples: [0, 1]))
        // A file without the configuration attribute is refused.
        let other = directory.url.appendingPathComponent("other.h5")
        try Checkpoint.save(to: other, model: model, provenance: ExportProvenance(command: "test"))
        #expect(throws: NeuroformerError.self) { try NeuroformerCheckpoint.load(from: other) }
    }

    @Test func behaviourHeadFineTunesOnFrozenFeatures() throws {
        // Behaviour = spikes in the current window: readable from the pooled features (PAD share) alone.
        let raster = randomRaster(neurons: 6, bins: 1200, rate: 0.1, seed: 12)
        var configuration = tinyConfiguration
        configuration.behaviourOutputs = 1
        let perBin = (0..<raster.bins).map { b in Double((max(0, b - 3)...b).reduce(0) { s, k in s + (0..<6).reduce(0) { $0 + raster[k, $1] } }) }
        configuration.behaviourMean = perBin.reduce(0, +) / Double(perBin.count)
        configuration.behaviourScale = 2
        let data = try NeuroformerDataset(raster: raster, configuration: configuration, behaviourPerBin: perBin)
        let model = try NeuroformerModel(configuration: configuration, seed: 13)
        let frozen = model.idEmbedding.weight.storage
        let train = Array(0..<200), test = Array(200..<data.count)
        try NeuroformerTraining.fineTuneBehaviour(model, on: data, samples: train, options: .init(
            steps: 300, batchSize: 32, learningRate: 1e-2, warmupSteps: 10))
        #expect(model.idEmbedding.weight.storage == frozen)  // only the head moves
        let predicted = try model.predictBehaviour(on: data, samples: test)
        let r = try Statistics.pearsonCorrelation(predicted, test.map { data.behaviour![$0] })
        #expect(r > 0.7, "held-out r \(r)")
    }

    @Test func invalidSettingsAndDataAreRejected() throws {
        var bad = tinyConfiguration
        bad.heads = 5
        #expect(throws: ParameterError.self) { try NeuroformerModel(configuration: bad, seed: 0) }
        bad = tinyConfiguration
        bad.modalityFeatures = 2
        #expect(throws: ParameterError.self) { try bad.validate() }
        let raster = randomRaster(neurons: 5, bins: 100, rate: 0.1, seed: 1)
        #expect(throws: NeuroformerError.self) { try NeuroformerDataset(raster: raster, configuration: tinyConfiguration) }
        var withBehaviour = tinyConfiguration
        withBehaviour.behaviourOutputs = 1
        let six = randomRaster(neurons: 6, bins: 100, rate: 0.1, seed: 1)
        #expect(throws: NeuroformerError.self) { try NeuroformerDataset(raster: six, configuration: withBehaviour, behaviourPerBin: [1, 2]) }
        var classes = tinyConfiguration
        classes.behaviourOutputs = 3
        classes.behaviourIsClassification = true
        #expect(throws: NeuroformerError.self) {
            try NeuroformerDataset(raster: six, configuration: classes, behaviourPerBin: [Double](repeating: 5, count: 100))
        }
        #expect(throws: Never.self) {
            try NeuroformerDataset(raster: six, configuration: classes, behaviourPerBin: (0..<100).map { Double($0 % 3) })
        }
        let model = try NeuroformerModel(configuration: tinyConfiguration, seed: 0)
        let data = try NeuroformerDataset(raster: six, configuration: tinyConfiguration)
        #expect(throws: NeuroformerError.self) {
            try NeuroformerTraining.pretrain(model, on: data, samples: [0, 1], options: .init(steps: 2, batchSize: 4, warmupSteps: 0))
        }
        #expect(throws: ParameterError.self) {
            try NeuroformerTraining.pretrain(model, on: data, samples: Array(0..<data.count), options: .init(steps: 2, warmupSteps: 5))
        }
        #expect(throws: NeuroformerError.self) { try model.predictBehaviour(on: data, samples: [0]) }
    }
}

@Suite struct NeuroformerSimulationTests {
    @Test func simulatorPlantsHubsAndRoundTrips() throws {
        var sim = HubNetworkSimulation()
        sim.duration = 120
        let result = try sim.simulate(seed: 11)
        #expect(result.hubEdges.count == 24 && result.weakEdges.count == 12)
        #expect(result.nonEdges.count == 32 * 31 - 36)
        let rates = result.raster.rates()
        #expect(rates[0] > 6.5 && rates[0] < 9.5, "hub rate \(rates[0])")  // hubs get no input: 8 Hz
        // The lagged cross-correlation baseline finds the hub edges.
        let xcorr = SpikeConnectivity.laggedCrossCorrelation(result.raster)
        let auc = try SpikeConnectivity.auroc(xcorr, positive: result.hubEdges, negative: result.nonEdges)
        #expect(auc > 0.95, "cross-correlation hub AUROC \(auc)")
        // The behaviour tracks the stimulus-driven group.
        #expect(try Statistics.pearsonCorrelation(result.behaviour.map { $0 }, result.stimulus.map(Double.init)) > 0.3)
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("sim.h5")
        try result.write(to: url, provenance: ExportProvenance(command: "test", seed: 11))
        let back = try HubNetworkSimulation.Result(contentsOf: url)
        #expect(back.raster == result.raster && back.weights == result.weights && back.stimulus == result.stimulus)
        #expect(back.simulation == result.simulation)
    }
}
