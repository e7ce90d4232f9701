/// Where a training run stands: everything the `Trainer` needs, besides the model, the optimiser and
/// the configuration, to continue exactly where it stopped. Checkpoints store it.
public struct TrainingProgress: Sendable, Equatable {
    /// Optimiser steps taken (also the index of the next step's dropout stream and schedule value).
    public var step: Int
    /// Completed epochs.
    public var epoch: Int
    /// Mini-batches completed in the current (incomplete) epoch.
    public var batchInEpoch: Int
    /// Sample-weighted sum of the training losses and the number of samples seen in the current epoch.
    public var epochLossSum: Double
    public var epochSamples: Int
    /// Best validation loss so far and the number of epochs since it last improved (early stopping).
    public var bestValidationLoss: Double?
    public var epochsWithoutImprovement: Int

    public init(
        step: Int = 0, epoch: Int = 0, batchInEpoch: Int = 0, epochLossSum: Double = 0, epochSamples: Int = 0,
        bestValidationLoss: Double? = nil, epochsWithoutImprovement: Int = 0
    ) {
        self.step = step
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
        self.epochLossSum = epochLossSum
        self.epochSamples = epochSamples
        self.bestValidationLoss = bestValidationLoss
        self.epochsWithoutImprovement = epochsWithoutImprovement
    }
}
