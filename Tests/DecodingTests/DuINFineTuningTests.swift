import Foundation
import Testing
@testable import Decoding
import TestSupport

/// Stage 3's fine-tuning recipe (encoder learning-rate scale, frozen-encoder warm-up), the MAE's
/// majority-code floor, and saving / reloading a fitted classifier.
@Suite struct DuINFineTuningTests {
    static func data(_ config: DuINConfiguration, trials: Int, tokens: Int, seed: UInt64) -> ([Float], [Int]) {
        var g = SeededGenerator(seed: seed)
        let samples = tokens * config.patchLength
        let x = (0..<(trials * config.channels * samples)).map { _ in Float(g.standardNormal()) }
        return (x, (0..<trials).map { $0 % 3 })
    }

    static func encoderSnapshot(_ model: DuINClassifierModel) -> [[Float]] { model.encoder.parameters.map(\.storage) }
    static func headSnapshot(_ model: DuINClassifierModel) -> [[Float]] { ((model.hidden?.parameters ?? []) + model.output.parameters).map(\.storage) }

    /// Trains 3 steps with `configure` applied to the options; returns whether encoder and head moved.
    static func moved(_ configure: (inout DuINStageOptions) -> Void) throws -> (encoder: Bool, head: Bool) {
        let config = DuINTests.tinyConfiguration()
        var g = SeededGenerator(seed: 5)
        let model = DuINClassifierModel(configuration: config, tokens: 4, classes: 3, generator: &g)
        let (x, y) = Self.data(config, trials: 12, tokens: 4, seed: 6)
        var options = DuINStageOptions.classifier(steps: 3)
        options.batchSize = 6
        options.learningRate = 1e-2
        options.warmupFraction = 0
        configure(&options)
        let encoder = encoderSnapshot(model), head = headSnapshot(model)
        try DuINTraining.trainClassifier(model, data: x, labels: y, samples: 4 * config.patchLength, options: options, seed: 7)
        return (encoderSnapshot(model) != encoder, headSnapshot(model) != head)
    }

    @Test func encoderLearningRateScaleAndFrozenWarmupControlTheEncoder() throws {
        let full = try Self.moved { _ in }
        #expect(full.encoder && full.head)
        let scaledToZero = try Self.moved { $0.encoderLearningRateScale = 0 }
        #expect(!scaledToZero.encoder && scaledToZero.head)
        let frozenThroughout = try Self.moved { $0.frozenEncoderSteps = 3 }
        #expect(!frozenThroughout.encoder && frozenThroughout.head)
        let frozenThenTuned = try Self.moved { $0.frozenEncoderSteps = 2 }
        #expect(frozenThenTuned.encoder)
        #expect(throws: ParameterError.self) { try Self.moved { $0.encoderLearningRateScale = -1 } }
    }

    @Test func maeLogsTheMajorityCodeFloor() throws {
        let config = DuINTests.tinyConfiguration()
        var g = SeededGenerator(seed: 9)
        let tokenizer = DuINVQVAE(configuration: config, generator: &g)
        let mae = DuINMAE(configuration: config, generator: &g)
        var pool = DuINSignalPool(channels: config.channels)
        pool.append((0..<(config.channels * 400)).map { _ in Float(g.standardNormal()) }, length: 400)
        _ = tokenizer(pool.batch(8, length: 80, generator: &g), training: TrainingContext(seed: 2))  // k-means initialisation
        var options = DuINStageOptions.mae(steps: 2)
        options.batchSize = 4
        let log = try DuINTraining.trainMAE(mae, tokenizer: tokenizer, pool: pool, cropLength: 80, options: options, seed: 3)
        #expect(log.majorityBaseline.count == 2)
        // 4 crops × 4 patches = 16 targets: the most frequent code holds between 1/16 and all of them.
        #expect(log.majorityBaseline.allSatisfy { $0 >= 1.0 / 16 && $0 <= 1 })
    }

    @Test func fittedClassifierSavesAndReloadsWithIdenticalPredictions() throws {
        let (epochs, _, _) = try DuINTests.epochs(DuINTests.simulation(words: 3, trialsPerWord: 4), seed: 4)
        var options = DuINStageOptions.classifier(steps: 3)
        options.batchSize = 6
        let fitted = try DuINDecoder(pretraining: .none, configuration: DuINTests.tinyConfiguration(), classifier: options)
            .fit(epochs, seed: 1, monitor: SilentMonitor())
        let folder = try TemporaryDirectory()
        let url = folder.file("words.h5")
        try fitted.save(to: url, provenance: ExportProvenance(command: "test"))
        let loaded = try FittedDuIN.load(url)
        #expect(loaded.classes == fitted.classes && loaded.channelNames == fitted.channelNames && loaded.samples == fitted.samples)
        #expect(try loaded.probabilities(epochs).elements == fitted.probabilities(epochs).elements)
        #expect(throws: (any Error).self) { try FittedDuIN.load(folder.file("missing.h5")) }
    }

    /// LP-FT: the linear head set from a probe's folded weights gives the probe's own class
    /// probabilities on the frozen features, and training starts by evaluating that state (step 0).
    @Test func linearHeadFromProbeReproducesTheProbeAndIsEvaluatedAtStepZero() throws {
        let config = DuINTests.tinyConfiguration()
        var g = SeededGenerator(seed: 11)
        let model = DuINClassifierModel(configuration: config, tokens: 4, classes: 3, head: .linear, generator: &g)
        #expect(model.hidden == nil && model.output.inFeatures == 4 * config.modelDimension)
        let samples = 4 * config.patchLength
        let (x, y) = Self.data(config, trials: 12, tokens: 4, seed: 12)
        let (v, vy) = Self.data(config, trials: 6, tokens: 4, seed: 13)
        let features = model.features(x, samples: samples), held = model.features(v, samples: samples)
        let probe = try DuINLinearProbe.fit(trainFeatures: features, trainLabels: y, validationFeatures: held, validationLabels: vy,
                                            classCount: 3, strengths: [0.01, 1])
        try model.setLinearHead(probe.foldedWeights(), bias: probe.foldedBias())
        let expected = probe.fitted.probabilities(DuINLinearProbe.standardised(held, mean: probe.mean, sd: probe.standardDeviation))
        let got = DuINTraining.probabilities(model, data: v, samples: samples)
        for i in 0..<6 { for k in 0..<3 { #expect(abs(got[i][k] - expected[i, k]) < 1e-4) } }

        var options = DuINStageOptions.classifier(steps: 2)
        options.batchSize = 6
        options.linearProbeStrengths = [0.01, 1]
        let fresh = DuINClassifierModel(configuration: config, tokens: 4, classes: 3, head: .linear, generator: &g)
        let freshProbe = try DuINLinearProbe.fit(trainFeatures: fresh.features(x, samples: samples), trainLabels: y,
                                                 validationFeatures: fresh.features(v, samples: samples), validationLabels: vy,
                                                 classCount: 3, strengths: [0.01, 1])
        let log = try DuINTraining.trainClassifier(fresh, data: x, labels: y, samples: samples, options: options,
                                                   validation: DuINValidationSet(data: v, labels: vy, every: 1), seed: 3)
        #expect(log.validationAccuracy.first == freshProbe.validationAccuracy)
        #expect(log.validationSteps == [0, 1, 2])
        #expect(log.selectedStep != nil)
    }

    /// LP-FT through the pipeline: the from-scratch recipe keeps the option (a linear head on a random
    /// encoder, the same recipe as for a pretrained one), the fit is a function of the seed, and the
    /// linear head survives saving and reloading; without validation trials the option is refused.
    @Test func pipelineLinearProbeHeadIsDeterministicAndReloads() throws {
        let (epochs, _, _) = try DuINTests.epochs(DuINTests.simulation(words: 3, trialsPerWord: 4), seed: 4)
        let (held, _, _) = try DuINTests.epochs(DuINTests.simulation(words: 3, trialsPerWord: 2), seed: 5)
        var options = DuINStageOptions.classifier(steps: 3)
        options.batchSize = 6
        options.linearProbeStrengths = [0.01, 1]
        var decoder = DuINDecoder(pretraining: .none, configuration: DuINTests.tinyConfiguration(), classifier: options)
        #expect(throws: ParameterError.self) { try decoder.fit(epochs, seed: 1, monitor: SilentMonitor()) }
        decoder.validationEpochs = held
        let fitted = try decoder.fit(epochs, seed: 1, monitor: SilentMonitor())
        let again = try decoder.fit(epochs, seed: 1, monitor: SilentMonitor())
        #expect(fitted.model.hidden == nil)
        #expect(fitted.logs["classifier"]?.validationSteps.first == 0)
        #expect(try again.probabilities(epochs).elements == fitted.probabilities(epochs).elements)
        let folder = try TemporaryDirectory()
        let url = folder.file("lpft.h5")
        try fitted.save(to: url, provenance: ExportProvenance(command: "test"))
        let loaded = try FittedDuIN.load(url)
        #expect(loaded.model.hidden == nil)
        #expect(try loaded.probabilities(held).elements == fitted.probabilities(held).elements)
    }

    @Test func linearProbeOptionIsValidated() throws {
        let config = DuINTests.tinyConfiguration()
        var g = SeededGenerator(seed: 14)
        let samples = 4 * config.patchLength
        let (x, y) = Self.data(config, trials: 12, tokens: 4, seed: 15)
        let validation = DuINValidationSet(data: Array(x.prefix(6 * config.channels * samples)), labels: Array(y.prefix(6)), every: 1)
        var options = DuINStageOptions.classifier(steps: 1)
        options.batchSize = 6
        let linear = DuINClassifierModel(configuration: config, tokens: 4, classes: 3, head: .linear, generator: &g)
        let mlp = DuINClassifierModel(configuration: config, tokens: 4, classes: 3, generator: &g)
        for bad in [[Double](), [0.1, -1]] {
            options.linearProbeStrengths = bad
            #expect(throws: ParameterError.self) { try options.validate() }
        }
        options.linearProbeStrengths = [0.1]
        // No validation trials to choose the strength; an MLP head; a weight matrix of the wrong shape.
        #expect(throws: ParameterError.self) { try DuINTraining.trainClassifier(linear, data: x, labels: y, samples: samples, options: options, seed: 1) }
        #expect(throws: ParameterError.self) {
            try DuINTraining.trainClassifier(mlp, data: x, labels: y, samples: samples, options: options, validation: validation, seed: 1)
        }
        #expect(throws: ParameterError.self) { try linear.setLinearHead([[0]], bias: [0, 0, 0]) }
        #expect(throws: ParameterError.self) { try mlp.setLinearHead([], bias: []) }
    }
}
