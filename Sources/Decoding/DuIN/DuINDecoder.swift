import Foundation
import NeuralNet
import NeuroCore
import Recording

/// The Du-IN pipeline as an `EpochClassifier`: per-channel z-scoring (training statistics), optional
/// channel selection by contribution ranking, optional self-supervised pretraining (stage 1 VQ-VAE,
/// then stage 2 MAE) on the training trials plus any unlabelled recording, then the stage 3
/// classifier — fine-tuned from the pretrained encoder, trained from scratch, or on a frozen encoder.
///
/// Epochs are cut to whole 100 ms patches from their start. Model selection on a validation split is
/// left out (fixed step counts), so cross-validated accuracy stays unbiased.
public struct DuINDecoder: EpochClassifier {
    public enum Pretraining: String, Sendable, Codable, CaseIterable {
        /// Classifier from a random encoder ("Du-IN scratch").
        case none
        /// Encoder from the stage 1 VQ-VAE ("Du-IN (vqvae)").
        case vqvae
        /// Encoder from the stage 2 MAE, whose targets are the VQ-VAE's codes ("Du-IN (mae)").
        case mae
    }

    public var pretraining: Pretraining
    /// Train only the classifier head on top of the (pretrained) encoder.
    public var frozenEncoder: Bool
    /// Sizes; nil uses `DuINConfiguration.mini` for the data's channels and rate.
    public var configuration: DuINConfiguration?
    public var vqvae: DuINStageOptions
    public var mae: DuINStageOptions
    /// Stage 3; its `encoderLearningRateScale` / `frozenEncoderSteps` apply to pretrained encoders only.
    public var classifier: DuINStageOptions
    /// Keep only the `k` channels of largest contribution in a from-scratch model fitted first on the
    /// same training trials (the reference's screening, done inside the fold).
    public var selectTopChannels: Int?
    /// Extra unlabelled, z-scored signals for pretraining (same channels as the epochs).
    public var unlabelled: DuINSignalPool?
    /// Length of pretraining crops in patches (nil: the epoch length).
    public var pretrainingPatches: Int?
    /// A VQ-VAE or MAE checkpoint whose encoder initialises the classifier instead of pretraining
    /// inside `fit` (its configuration must fit the epochs' channels).
    public var pretrainedCheckpoint: URL?
    /// Labelled trials for stage 3 model selection (same channels and rate as the training epochs):
    /// the classifier state with the best validation accuracy is kept (`DuINValidationSet`). nil: fixed
    /// step counts, as before.
    public var validationEpochs: Epochs?
    /// Steps between validation evaluations (nil: once per pass over the training trials).
    public var validationInterval: Int?

    public init(
        pretraining: Pretraining = .mae, frozenEncoder: Bool = false, configuration: DuINConfiguration? = nil,
        vqvae: DuINStageOptions = .vqvae(steps: 200), mae: DuINStageOptions = .mae(steps: 200),
        classifier: DuINStageOptions = .classifier(steps: 200), selectTopChannels: Int? = nil, unlabelled: DuINSignalPool? = nil
    ) {
        self.pretraining = pretraining
        self.frozenEncoder = frozenEncoder
        self.configuration = configuration
        self.vqvae = vqvae
        self.mae = mae
        self.classifier = classifier
        self.selectTopChannels = selectTopChannels
        self.unlabelled = unlabelled
    }

    public func fit(_ epochs: Epochs, seed: UInt64, monitor: any FitMonitor) throws -> FittedDuIN {
        let classes = Array(Set(epochs.labels)).sorted()
        try ParameterError.check(classes.count >= 2, "labels", expected: "at least two classes", found: classes)
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let labels = epochs.labels.map { index[$0]! }
        let pretrainedEncoder = try pretrainedCheckpoint.map { try DuINCheckpoint.loadEncoder($0) }
        var config = pretrainedEncoder?.configuration ?? configuration
            ?? DuINConfiguration.mini(channels: epochs.channelCount, samplingRate: epochs.samplingRate)
        if let pretrainedEncoder {
            try ParameterError.check(pretrainedEncoder.configuration.channels == epochs.channelCount && selectTopChannels == nil,
                                     "pretrainedCheckpoint", expected: "an encoder for the epochs' \(epochs.channelCount) channels (and no channel selection)",
                                     found: pretrainedEncoder.configuration.channels)
        }
        let patches = epochs.sampleCount / config.patchLength
        try ParameterError.check(patches >= 2, "epochs", expected: "at least two \(config.patchLength)-sample patches", found: epochs.sampleCount)
        let samples = patches * config.patchLength
        var normalization = DuINNormalization(epochs: epochs, samples: samples)
        var data = normalization.apply(epochs, samples: samples)
        var channels = Array(0..<epochs.channelCount)
        var generator = SeededGenerator(seed: seed)
        var contributions: [Double]? = nil
        // The fine-tuning recipe (encoder rate scale, frozen warm-up) only concerns pretrained encoders.
        var fromScratch = classifier
        fromScratch.encoderLearningRateScale = 1
        fromScratch.frozenEncoderSteps = 0

        if let k = selectTopChannels, k < epochs.channelCount {
            try ParameterError.check(k > 0, "selectTopChannels", expected: "> 0", found: k)
            config.channels = epochs.channelCount
            let screen = DuINClassifierModel(configuration: config, tokens: patches, classes: classes.count, generator: &generator)
            var screening = fromScratch
            screening.linearProbeStrengths = nil  // the screen has no validation trials
            try DuINTraining.trainClassifier(screen, data: data, labels: labels, samples: samples, options: screening,
                                             seed: generator.next(), monitor: monitor)
            let scores = screen.encoder.spatial.channelContributions()
            contributions = scores
            channels = Array(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(k)).sorted()
            data = DuINNormalization.selectChannels(data, trials: labels.count, channels: epochs.channelCount, samples: samples, keep: channels)
            normalization = normalization.selecting(channels)
        }
        config.channels = channels.count
        try config.validate()

        let model = DuINClassifierModel(configuration: config, tokens: patches, classes: classes.count,
                                        head: classifier.linearProbeStrengths == nil ? .mlp : .linear, generator: &generator)
        var logs = [String: DuINStageLog]()
        if let pretrainedEncoder {
            try model.encoder.copyWeights(from: pretrainedEncoder)
        } else if pretraining != .none {
            var pool = DuINSignalPool(channels: config.channels)
            for t in 0..<labels.count {
                pool.append(Array(data[(t * config.channels * samples)..<((t + 1) * config.channels * samples)]), length: samples)
            }
            if let unlabelled {
                try ParameterError.check(unlabelled.channels == epochs.channelCount || unlabelled.channels == config.channels, "unlabelled",
                                         expected: "\(config.channels) channels", found: unlabelled.channels)
                for (segment, length) in zip(unlabelled.segments, unlabelled.lengths) {
                    let kept = unlabelled.channels == config.channels ? segment
                        : DuINNormalization.selectChannels(segment, trials: 1, channels: unlabelled.channels, samples: length, keep: channels)
                    pool.append(kept, length: length)
                }
            }
            let crop = Swift.min(pretrainingPatches ?? patches, pool.shortestSegment / config.patchLength) * config.patchLength
            let tokenizer = DuINVQVAE(configuration: config, generator: &generator)
            logs["vqvae"] = try DuINTraining.trainVQVAE(tokenizer, pool: pool, cropLength: crop, options: vqvae, seed: generator.next(), monitor: monitor)
            if pretraining == .vqvae {
                try model.encoder.copyWeights(from: tokenizer.encoder)
            } else {
                let masked = DuINMAE(configuration: config, generator: &generator)
                logs["mae"] = try DuINTraining.trainMAE(masked, tokenizer: tokenizer, pool: pool, cropLength: crop, options: mae,
                                                        seed: generator.next(), monitor: monitor)
                try model.encoder.copyWeights(from: masked.encoder)
            }
        }
        let pretrained = pretrainedEncoder != nil || pretraining != .none
        var validation: DuINValidationSet? = nil
        if let held = validationEpochs {
            try ParameterError.check(held.channelCount == epochs.channelCount && held.sampleCount >= samples, "validationEpochs",
                                     expected: "\(epochs.channelCount) channels of at least \(samples) samples", found: "\(held.channelCount) × \(held.sampleCount)")
            let heldLabels = try held.labels.map { label in
                guard let i = index[label] else { throw ParameterError("validationEpochs", expected: "labels among \(classes)", found: label) }
                return i
            }
            validation = DuINValidationSet(data: normalization.apply(held, samples: samples, channels: channels), labels: heldLabels,
                                           every: validationInterval)
        }
        logs["classifier"] = try DuINTraining.trainClassifier(
            model, data: data, labels: labels, samples: samples, options: pretrained ? classifier : fromScratch, frozenEncoder: frozenEncoder,
            validation: validation, seed: generator.next(), monitor: monitor)
        return FittedDuIN(classes: classes, model: model, normalization: normalization, channels: channels,
                          channelNames: channels.map { epochs.channels[$0].name }, samples: samples, logs: logs,
                          screeningContributions: contributions)
    }
}

/// A trained Du-IN classifier.
public struct FittedDuIN: FittedEpochClassifier, @unchecked Sendable {
    public let classes: [String]
    public let model: DuINClassifierModel
    public let normalization: DuINNormalization
    /// Indices (into the training epochs' channels) of the channels the model reads, and their names.
    public let channels: [Int]
    public let channelNames: [String]
    /// Samples per trial the model reads (whole patches from each epoch's start).
    public let samples: Int
    /// Per-stage training curves ("vqvae", "mae", "classifier").
    public let logs: [String: DuINStageLog]
    /// Contribution of every original channel in the screening model, when channels were selected.
    public let screeningContributions: [Double]?

    /// Contribution score of each channel the model reads (mean |W| of the fitted spatial mix).
    public var channelContributions: [Double] { model.encoder.spatial.channelContributions() }

    public func probabilities(_ epochs: Epochs) throws -> Matrix<Double> {
        try ParameterError.check(epochs.sampleCount >= samples, "epochs", expected: "at least \(samples) samples per trial", found: epochs.sampleCount)
        let names = epochs.channels.map(\.name)
        let indices = try channelNames.map { name in
            guard let i = names.firstIndex(of: name) else { throw ParameterError("epochs", expected: "channel \(name)", found: names) }
            return i
        }
        let data = normalization.apply(epochs, samples: samples, channels: indices)
        let p = DuINTraining.probabilities(model, data: data, samples: samples)
        var result = Matrix<Double>(rows: p.count, columns: classes.count)
        for (i, row) in p.enumerated() { for (j, v) in row.enumerated() { result[i, j] = v } }
        return result
    }
}

/// Per-channel z-scoring with statistics over all training trials and samples (the reference's
/// normalisation), kept so that test trials get the same transform.
public struct DuINNormalization: Sendable, Codable, Hashable {
    public var means: [Double]
    public var scales: [Double]

    public init(means: [Double], scales: [Double]) {
        self.means = means
        self.scales = scales
    }

    /// Statistics of the first `samples` samples of every trial.
    public init(epochs: Epochs, samples: Int) {
        let c = epochs.channelCount, n = epochs.trialCount, t = epochs.sampleCount
        var sums = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
        epochs.data.withUnsafeBufferPointer { d in
            for trial in 0..<n {
                for ch in 0..<c {
                    let base = (trial * c + ch) * t
                    for j in 0..<samples { let v = Double(d[base + j]); sums[ch] += v; squares[ch] += v * v }
                }
            }
        }
        let count = Double(n * samples)
        means = sums.map { $0 / count }
        scales = (0..<c).map { ch in
            let variance = Swift.max(0, squares[ch] / count - (sums[ch] / count) * (sums[ch] / count))
            return variance > 0 ? variance.squareRoot() : 1
        }
    }

    /// `[trials, channels, samples]` z-scored values of `channels` (all by default), first `samples`
    /// samples of each trial.
    public func apply(_ epochs: Epochs, samples: Int, channels: [Int]? = nil) -> [Float] {
        let c = epochs.channelCount, n = epochs.trialCount, t = epochs.sampleCount
        let keep = channels ?? Array(0..<c)
        var out = [Float](repeating: 0, count: n * keep.count * samples)
        epochs.data.withUnsafeBufferPointer { d in
            for trial in 0..<n {
                for (k, ch) in keep.enumerated() {
                    let src = (trial * c + ch) * t, dst = (trial * keep.count + k) * samples
                    let m = Float(means[k]), s = Float(1 / scales[k])
                    for j in 0..<samples { out[dst + j] = (d[src + j] - m) * s }
                }
            }
        }
        return out
    }

    /// Statistics of a subset of the channels.
    public func selecting(_ channels: [Int]) -> DuINNormalization {
        DuINNormalization(means: channels.map { means[$0] }, scales: channels.map { scales[$0] })
    }

    static func selectChannels(_ data: [Float], trials: Int, channels: Int, samples: Int, keep: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: trials * keep.count * samples)
        for t in 0..<trials {
            for (k, ch) in keep.enumerated() {
                let src = (t * channels + ch) * samples, dst = (t * keep.count + k) * samples
                for j in 0..<samples { out[dst + j] = data[src + j] }
            }
        }
        return out
    }
}
