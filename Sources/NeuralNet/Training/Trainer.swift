import RealModule

/// Settings of a `Trainer` run.
public struct TrainerConfiguration: Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// Reshuffle the samples every epoch (seeded by `seed` and the epoch number).
    public var shuffle: Bool
    /// Seed of the shuffles and of every step's dropout stream.
    public var seed: UInt64
    /// Skip a final mini-batch smaller than `batchSize`.
    public var dropLastPartialBatch: Bool
    /// Stop when the validation loss has not improved by more than `minimumImprovement` for this many
    /// epochs (needs a validation closure); nil disables early stopping.
    public var patience: Int?
    public var minimumImprovement: Double
    /// Clip gradients to this global norm before each step.
    public var maxGradientNorm: Float?
    /// Sets the optimiser's learning rate before each step (from the global step index).
    public var schedule: (any LearningRateSchedule)?
    /// Stop after this many optimiser steps in total (counting steps before a resume).
    public var maxSteps: Int?

    public init(
        epochs: Int, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLastPartialBatch: Bool = false,
        patience: Int? = nil, minimumImprovement: Double = 0, maxGradientNorm: Float? = nil,
        schedule: (any LearningRateSchedule)? = nil, maxSteps: Int? = nil
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLastPartialBatch = dropLastPartialBatch
        self.patience = patience
        self.minimumImprovement = minimumImprovement
        self.maxGradientNorm = maxGradientNorm
        self.schedule = schedule
        self.maxSteps = maxSteps
    }

    /// Throws a `ParameterError` for settings the trainer cannot run with.
    public func validate() throws {
        try ParameterError.check(epochs >= 0, "epochs", expected: "an integer ≥ 0", found: epochs)
        try ParameterError.check(batchSize >= 1, "batchSize", expected: "an integer ≥ 1", found: batchSize)
        if let patience { try ParameterError.check(patience >= 1, "patience", expected: "an integer ≥ 1", found: patience) }
        try ParameterError.check(minimumImprovement >= 0, "minimumImprovement", expected: "a value ≥ 0", found: minimumImprovement)
        if let m = maxGradientNorm { try ParameterError.check(m > 0, "maxGradientNorm", expected: "a value > 0", found: m) }
        if let s = maxSteps { try ParameterError.check(s >= 0, "maxSteps", expected: "an integer ≥ 0", found: s) }
    }
}

/// One finished epoch.
public struct EpochSummary: Sendable, Equatable {
    public var epoch: Int
    /// Sample-weighted mean of the mini-batch losses.
    public var trainingLoss: Double
    public var validationLoss: Double?
}

/// Why `fit` returned.
public enum TrainingOutcome: Sendable, Equatable {
    case completed
    case earlyStopped
    case stoppedByMonitor
    case reachedStepLimit
}

public struct TrainingReport: Sendable, Equatable {
    /// The epochs finished during this call (not those before a resume).
    public var epochs: [EpochSummary]
    public var outcome: TrainingOutcome
    public var progress: TrainingProgress
}

/// A small mini-batch training loop: epochs of seeded shuffles, a loss closure per mini-batch,
/// optional clipping and schedule, validation and early stopping after each epoch, and progress
/// through a `FitMonitor` (a `"step"` event per mini-batch, an `"epoch"` event per epoch, whose
/// objective is the validation loss when there is one, else the training loss).
///
/// Every random draw is derived from `configuration.seed` and the counters in `progress` (epoch for
/// the shuffle, global step for dropout), never from a generator carried along. So a trainer built
/// from a checkpoint's `progress`, with the restored model and optimiser, replays the rest of the
/// uninterrupted run bit for bit.
public final class Trainer {
    public let configuration: TrainerConfiguration
    public let optimizer: any Optimizer
    public private(set) var progress: TrainingProgress

    static let shuffleStream: UInt64 = 1
    static let dropoutStream: UInt64 = 2

    public init(configuration: TrainerConfiguration, optimizer: any Optimizer, progress: TrainingProgress = .init()) throws {
        try configuration.validate()
        self.configuration = configuration
        self.optimizer = optimizer
        self.progress = progress
    }

    /// The sample order of `epoch` for `sampleCount` samples.
    public func order(epoch: Int, sampleCount: Int) -> [Int] {
        guard configuration.shuffle else { return Array(0..<sampleCount) }
        var generator = SeededGenerator.derived(seed: configuration.seed, stream: Self.shuffleStream, index: UInt64(epoch))
        return generator.permutation(sampleCount)
    }

    /// Trains until `configuration.epochs` are done (or early stopping, the step limit or the
    /// monitor's `shouldStop`, checked before every mini-batch).
    ///
    /// - Parameters:
    ///   - sampleCount: number of training samples; mini-batches are lists of sample indices.
    ///   - validation: the validation loss, evaluated after each epoch with gradients off.
    ///   - loss: the mean loss of a mini-batch, computed with `training` as dropout context; the
    ///     trainer zeroes gradients, back-propagates and steps.
    public func fit(
        sampleCount: Int, monitor: any FitMonitor = SilentMonitor(), validation: (() -> Double)? = nil,
        loss: (_ batch: [Int], _ training: TrainingContext) -> Tensor
    ) -> TrainingReport {
        precondition(sampleCount >= 0, "Trainer.fit: negative sample count")
        let c = configuration
        let fullBatches = sampleCount / c.batchSize
        let batchCount = c.dropLastPartialBatch || sampleCount % c.batchSize == 0 ? fullBatches : fullBatches + 1
        var summaries: [EpochSummary] = []
        while progress.epoch < c.epochs {
            let order = self.order(epoch: progress.epoch, sampleCount: sampleCount)
            while progress.batchInEpoch < batchCount {
                if let limit = c.maxSteps, progress.step >= limit { return report(summaries, .reachedStepLimit) }
                if monitor.shouldStop { return report(summaries, .stoppedByMonitor) }
                let start = progress.batchInEpoch * c.batchSize
                let batch = Array(order[start..<Swift.min(start + c.batchSize, sampleCount)])
                if let schedule = c.schedule { optimizer.learningRate = schedule.learningRate(at: progress.step) }
                optimizer.zeroGrad()
                let context = TrainingContext(
                    generator: .derived(seed: c.seed, stream: Self.dropoutStream, index: UInt64(progress.step)))
                let value = loss(batch, context)
                value.backward()
                if let maxNorm = c.maxGradientNorm { clipGradientNorm(optimizer.parameters, maxNorm: maxNorm) }
                optimizer.step()
                progress.step += 1
                progress.batchInEpoch += 1
                progress.epochLossSum += Double(value.item) * Double(batch.count)
                progress.epochSamples += batch.count
                monitor.report(FitProgress(stage: "step", iteration: progress.step, total: c.maxSteps, objective: Double(value.item)))
            }
            let trainingLoss = progress.epochSamples > 0 ? progress.epochLossSum / Double(progress.epochSamples) : .nan
            let validationLoss = validation.map { v in withNoGrad { v() } }
            summaries.append(EpochSummary(epoch: progress.epoch, trainingLoss: trainingLoss, validationLoss: validationLoss))
            progress.epoch += 1
            progress.batchInEpoch = 0
            progress.epochLossSum = 0
            progress.epochSamples = 0
            monitor.report(FitProgress(stage: "epoch", iteration: progress.epoch, total: c.epochs,
                                       objective: validationLoss ?? trainingLoss))
            if let validationLoss, let patience = c.patience {
                if let best = progress.bestValidationLoss, !(validationLoss < best - c.minimumImprovement) {
                    progress.epochsWithoutImprovement += 1
                    if progress.epochsWithoutImprovement >= patience { return report(summaries, .earlyStopped) }
                } else {
                    progress.bestValidationLoss = validationLoss
                    progress.epochsWithoutImprovement = 0
                }
            } else if let validationLoss, progress.bestValidationLoss.map({ validationLoss < $0 }) ?? true {
                progress.bestValidationLoss = validationLoss
            }
        }
        return report(summaries, .completed)
    }

    private func report(_ epochs: [EpochSummary], _ outcome: TrainingOutcome) -> TrainingReport {
        TrainingReport(epochs: epochs, outcome: outcome, progress: progress)
    }
}
