import Foundation
import Testing
@testable import Decoding
import TestSupport

/// Du-IN at test size: a tiny configuration on a short-epoch simulator, so each test takes seconds in
/// a debug build. Full-size validation lives in scripts/validate_duin.py.
@Suite struct DuINTests {
    /// 6 channels (first 3 informative) at 200 Hz; 4 words.
    static func simulation(words: Int = 4, trialsPerWord: Int = 24, unlabelled: Double = 0) -> DuINSimulation {
        var s = DuINSimulation()
        s.words = words
        s.trialsPerWord = trialsPerWord
        s.channels = 6
        s.informativeChannels = 3
        s.samplingRate = 200
        s.highGammaGain = 4
        s.evokedGain = 2
        s.trialSpacing = 3
        s.unlabelledSeconds = unlabelled
        return s
    }

    static func tinyConfiguration(channels: Int = 6) -> DuINConfiguration {
        var c = DuINConfiguration.mini(channels: channels, samplingRate: 200)
        c.spatialDimension = 8
        c.tokenizerChannels = 8
        c.layers = 1
        c.decoderLayers = 1
        c.heads = 2
        c.innerDimension = 16
        c.feedForwardDimension = 32
        c.codes = 32
        c.codeDimension = 8
        c.classifierHidden = 32
        c.dropout = 0
        c.attentionDropout = 0
        return c
    }

    /// Epochs 0–1.6 s after each word (16 patches of 20 samples), where the planted bumps lie.
    static func epochs(_ s: DuINSimulation, seed: UInt64) throws -> (Epochs, DuINSimulation.Truth, TimeSeries) {
        let (series, truth) = try s.simulate(seed: seed)
        let result = try series.epochs(EpochingConfiguration(tmin: 0, tmax: 1.595, labels: Set(truth.wordLabels), baseline: nil))
        return (result.epochs!, truth, series)
    }

    @Test func configurationSizesFollowTheMethodsNote() throws {
        let mini = DuINConfiguration.mini(channels: 10, samplingRate: 250)
        #expect(mini.patchLength == 25 && mini.tokenSteps == 5 && mini.modelDimension == 80)
        let reference = DuINConfiguration.reference
        #expect(reference.tokenSteps == 10 && reference.modelDimension == 160)
        var g = SeededGenerator(seed: 1)
        // Reference encoder ≈ 3.56 M parameters (methods note §B3, without the positional table).
        let encoder = DuINEncoder(configuration: reference, generator: &g)
        #expect(abs(Double(encoder.parameterCount) / 3.56e6 - 1) < 0.03, "\(encoder.parameterCount)")
        var bad = mini
        bad.heads = 3
        #expect(throws: ParameterError.self) { try bad.validate() }
        bad = mini
        bad.maskRatio = 1
        #expect(throws: ParameterError.self) { try bad.validate() }
    }

    @Test func simulatorPlantsAnnotatedTrialsAndUnlabelledSpan() throws {
        let s = Self.simulation(words: 3, trialsPerWord: 4, unlabelled: 20)
        let (series, truth) = try s.simulate(seed: 9)
        #expect(series.channelCount == 6 && series.samplingRate == 200)
        let words = series.annotations.filter { $0.label.hasPrefix("word") }
        #expect(words.count == 12 && words.map(\.label) == truth.labels)
        #expect(series.annotations.contains { $0.label == "unlabelled" && $0.duration == 20 })
        #expect(truth.unlabelledEvents > 5)
        // Same seed, same recording.
        #expect(try s.simulate(seed: 9).series == series)
        var bad = s
        bad.informativeChannels = 7
        #expect(throws: ParameterError.self) { try bad.simulate(seed: 1) }
    }

    @Test func maskedPatchesAreInvisibleToTheirOwnPredictions() throws {
        var g = SeededGenerator(seed: 2)
        let config = Self.tinyConfiguration()
        let mae = DuINMAE(configuration: config, generator: &g)
        let m = 6, t = m * config.patchLength
        let mask = DuINMAE.randomMask(batch: 2, tokens: m, ratio: 0.5, generator: &g)
        for s in 0..<2 { #expect(mask[(s * m)..<(s * m + m)].filter { $0 }.count == 3) }
        var values = (0..<(2 * 6 * t)).map { _ in Float(g.standardNormal()) }
        let before = mae.logits(Tensor(values, shape: [2, 6, t]), mask: mask)
        // Perturb the raw samples of every masked patch: the masked positions' predictions come from
        // pass 1, which never sees them, so they must not change; the visible positions' must.
        for s in 0..<2 { for j in 0..<m where mask[s * m + j] {
            for c in 0..<6 { for k in 0..<config.patchLength { values[(s * 6 + c) * t + j * config.patchLength + k] += 3 } }
        } }
        let after = mae.logits(Tensor(values, shape: [2, 6, t]), mask: mask)
        var changedVisible = false
        for s in 0..<2 { for j in 0..<m {
            let range = ((s * m + j) * config.codes)..<((s * m + j + 1) * config.codes)
            let same = zip(before.storage[range], after.storage[range]).allSatisfy { $0 == $1 }
            if mask[s * m + j] { #expect(same, "masked position \(j) of sample \(s) saw its own patch") } else if !same { changedVisible = true }
        } }
        #expect(changedVisible)
    }

    /// Patches drawn from 8 smooth 6-channel prototypes plus noise: a signal a codebook can describe,
    /// so reconstruction must improve markedly and usage must spread over the prototypes.
    @Test func vqvaeReconstructionImprovesWithHealthyCodebook() throws {
        var g = SeededGenerator(seed: 4)
        let config = Self.tinyConfiguration()
        let p = config.patchLength, crop = 8 * p
        let prototypes = (0..<8).map { _ in
            (0..<6).map { _ in
                let f = 1 + 3 * g.nextUnitInterval(), phase = 6.28 * g.nextUnitInterval(), a = g.standardNormal()
                return (0..<p).map { Float(a * sin(6.28 * f * Double($0) / Double(p) + phase)) }
            }
        }
        var pool = DuINSignalPool(channels: 6)
        for _ in 0..<100 {
            var segment = [Float](repeating: 0, count: 6 * crop)
            for patch in 0..<8 {
                let k = g.uniformInt(below: 8)
                for c in 0..<6 { for j in 0..<p { segment[c * crop + patch * p + j] = prototypes[k][c][j] + Float(0.1 * g.standardNormal()) } }
            }
            pool.append(segment, length: crop)
        }
        var options = DuINStageOptions.vqvae(steps: 40)
        options.batchSize = 8
        options.learningRate = 3e-3
        // The reference loss (raw signal only), then the opt-in spectral target beside it.
        for weight in [nil, Float(1)] {
            var c = config
            c.spectralWeight = weight
            let model = DuINVQVAE(configuration: c, generator: &g)
            let log = try DuINTraining.trainVQVAE(model, pool: pool, cropLength: crop, options: options, seed: 6)
            // 64 patches per batch from 8 prototypes over 32 codes: usage must not collapse onto a few codes.
            #expect(DuINStageLog.tail(log.perplexity, 5) > 5, "weight \(String(describing: weight)): perplexity \(log.perplexity.suffix(5))")
            #expect((log.deadCodeFraction ?? 1) < 0.5)
            if weight == nil {
                let first = log.reconstruction.prefix(3).reduce(0, +) / 3, last = DuINStageLog.tail(log.reconstruction, 5)
                #expect(last < 0.6 * first, "reconstruction \(first) → \(last)")
                #expect(log.spectral.isEmpty)
            } else {
                // The prototypes have distinct spectra, so the spectral target is learned too: below 1,
                // the error of predicting every standardised (channel, bin) column's mean (noise-only
                // bins stay unpredictable, so not far below).
                #expect(log.spectral.count == 40)
                let first = log.spectral.prefix(3).reduce(0, +) / 3, last = DuINStageLog.tail(log.spectral, 5)
                #expect(last < 0.9 && last < 0.75 * first, "spectral \(first) → \(last)")
                let raw = log.reconstruction.prefix(3).reduce(0, +) / 3, rawLast = DuINStageLog.tail(log.reconstruction, 5)
                #expect(rawLast < 0.8 * raw, "reconstruction \(raw) → \(rawLast)")
            }
        }
    }

    /// The spectral target: a patch holding a sinusoid at DFT bin k has its largest standardised
    /// log amplitude at bin k, and every (channel, bin) column is standardised over the batch.
    @Test func patchSpectraPutEachSinusoidInItsBin() throws {
        let p = 20, m = 10, bins = p / 2 + 1
        var g = SeededGenerator(seed: 8)
        var values = [Float](repeating: 0, count: 2 * 1 * m * p)
        var planted = [Int]()
        for s in 0..<2 { for j in 0..<m {
            let k = 1 + (s * m + j) % (bins - 2), phase = 6.28 * g.nextUnitInterval()
            planted.append(k)
            for i in 0..<p { values[(s * m + j) * p + i] = Float(3 * cos(2 * Double.pi * Double(k * i) / Double(p) + phase) + 0.05 * g.standardNormal()) }
        } }
        let spectra = DuINVQVAE.patchSpectra(Tensor(values, shape: [2, 1, m * p]), patchLength: p)
        #expect(spectra.dimensions == [2, m, bins])
        for row in 0..<(2 * m) {
            // Bins 1 … bins−2 (where sinusoids were planted; DC and Nyquist hold only noise).
            let r = Array(spectra.storage[(row * bins + 1)..<((row + 1) * bins - 1)])
            #expect(r.indices.max { r[$0] < r[$1] }.map { $0 + 1 } == planted[row], "row \(row): \(r)")
        }
        for column in 0..<bins {
            let c = (0..<(2 * m)).map { Double(spectra.storage[$0 * bins + column]) }
            let mean = c.reduce(0, +) / Double(c.count), variance = c.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(c.count)
            #expect(abs(mean) < 1e-4 && (abs(variance - 1) < 1e-3 || variance < 1e-6), "bin \(column): mean \(mean) variance \(variance)")
        }
    }

    /// Trains a tiny from-scratch classifier on a 2/3 split and returns test accuracy and the fitted model.
    func scratchAccuracy(shuffle: Bool, seed: UInt64) throws -> (Double, FittedDuIN, DuINSimulation.Truth) {
        let (epochs, truth, _) = try Self.epochs(Self.simulation(), seed: seed)
        let split = try CrossValidation(scheme: .stratifiedKFold(folds: 3)).splits(labels: epochs.labels, groups: nil, seed: 1)[0]
        var train = try epochs.subset(trials: split.train)
        let test = try epochs.subset(trials: split.test)
        if shuffle {
            var g = SeededGenerator(seed: seed &+ 100)
            var labels = train.labels
            for i in stride(from: labels.count - 1, to: 0, by: -1) { labels.swapAt(i, g.uniformInt(below: i + 1)) }
            train = try Epochs(data: train.data, channels: train.channels, labels: labels, samplingRate: train.samplingRate, tmin: train.tmin)
        }
        var options = DuINStageOptions.classifier(steps: 60)
        options.batchSize = 16
        options.learningRate = 3e-3
        options.minimumLearningRate = 1e-4
        let decoder = DuINDecoder(pretraining: .none, configuration: Self.tinyConfiguration(), classifier: options)
        let fitted = try decoder.fit(train, seed: seed, monitor: SilentMonitor())
        let predicted = try fitted.predict(test)
        return (Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.trialCount), fitted, truth)
    }

    @Test func decodesWordsWellAboveChanceAndRanksInformativeChannels() throws {
        let (accuracy, fitted, truth) = try scratchAccuracy(shuffle: false, seed: 21)
        #expect(accuracy >= 0.75, "accuracy \(accuracy), chance 0.25")
        let scores = fitted.channelContributions
        let informative = truth.informative.map { scores[$0] }
        let noise = (truth.informative.count..<scores.count).map { scores[$0] }
        var wins = 0.0
        for a in informative { for b in noise { wins += a > b ? 1 : 0 } }
        #expect(wins / Double(informative.count * noise.count) >= 0.9, "contributions \(scores)")
    }

    @Test func shuffledLabelsStayAtChance() throws {
        // 32 test trials at chance 0.25: ≤ 0.5 excludes learning (p < 0.005 under the binomial null).
        let (accuracy, _, _) = try scratchAccuracy(shuffle: true, seed: 21)
        #expect(accuracy <= 0.5, "accuracy \(accuracy) with permuted labels")
    }

    @Test func checkpointsRoundTripEveryStage() throws {
        let folder = try TemporaryDirectory()
        var g = SeededGenerator(seed: 8)
        let config = Self.tinyConfiguration()
        let vq = DuINVQVAE(configuration: config, generator: &g)
        let x = Tensor((0..<(4 * 6 * 80)).map { _ in Float(g.standardNormal()) }, shape: [4, 6, 80])
        _ = vq(x, training: TrainingContext(seed: 1))  // k-means initialisation and batch-norm statistics
        let url = folder.file("vq.h5")
        try DuINCheckpoint.save(vq, stage: .vqvae, configuration: config, to: url, provenance: ExportProvenance(command: "test"))
        let loaded = try DuINCheckpoint.loadVQVAE(url)
        #expect(loaded.codeIndices(x) == vq.codeIndices(x))
        #expect(loaded.quantizer.codebook.storage == vq.quantizer.codebook.storage)
        #expect(withNoGrad { loaded(x).reconstruction.storage == vq(x).reconstruction.storage })

        let model = DuINClassifierModel(configuration: config, tokens: 4, classes: 3, generator: &g)
        let meta = DuINCheckpoint.ClassifierMeta(classes: ["a", "b", "c"], channelNames: (1...6).map { "c\($0)" },
                                                 normalization: DuINNormalization(means: Array(repeating: 0, count: 6), scales: Array(repeating: 1, count: 6)), tokens: 4)
        let classifierURL = folder.file("cls.h5")
        try DuINCheckpoint.save(model, stage: .classifier, configuration: config, meta: meta, to: classifierURL, provenance: ExportProvenance(command: "test"))
        let (reloaded, reloadedMeta) = try DuINCheckpoint.loadClassifier(classifierURL)
        #expect(reloadedMeta == meta)
        #expect(withNoGrad { reloaded(x).storage == model(x).storage })
        // Wrong stage, and a file that is no Du-IN checkpoint.
        #expect(throws: DuINCheckpointError.self) { try DuINCheckpoint.loadMAE(url) }
        let plain = folder.file("plain.h5")
        try Checkpoint.save(to: plain, model: model, provenance: ExportProvenance(command: "test"))
        #expect(throws: DuINCheckpointError.self) { try DuINCheckpoint.inspect(plain) }
    }

    @Test func errorPathsThrowTypedErrors() throws {
        var g = SeededGenerator(seed: 1)
        let config = Self.tinyConfiguration()
        let vq = DuINVQVAE(configuration: config, generator: &g)
        var pool = DuINSignalPool(channels: 6)
        pool.append([Float](repeating: 0, count: 6 * 100), length: 100)
        // Crop longer than any segment, crop not whole patches, wrong channel count.
        #expect(throws: ParameterError.self) { try DuINTraining.trainVQVAE(vq, pool: pool, cropLength: 200, options: .vqvae(steps: 1), seed: 1) }
        #expect(throws: ParameterError.self) { try DuINTraining.trainVQVAE(vq, pool: pool, cropLength: 50, options: .vqvae(steps: 1), seed: 1) }
        #expect(throws: ParameterError.self) { try DuINTraining.trainVQVAE(vq, pool: DuINSignalPool(channels: 3), cropLength: 40, options: .vqvae(steps: 1), seed: 1) }
        #expect(throws: ParameterError.self) { try DuINTraining.trainVQVAE(vq, pool: pool, cropLength: 40, options: .vqvae(steps: 0), seed: 1) }
        // One class only.
        let one = try Epochs(data: [Float](repeating: 0, count: 2 * 6 * 80), channels: (1...6).map { Channel(name: "c\($0)", kind: .seeg) },
                             labels: ["a", "a"], samplingRate: 200, tmin: 0)
        #expect(throws: ParameterError.self) { try DuINDecoder(pretraining: .none).fit(one, seed: 1, monitor: SilentMonitor()) }
    }
}
