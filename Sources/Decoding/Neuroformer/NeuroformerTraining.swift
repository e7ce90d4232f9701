import Foundation

/// Weights of the training objective (reference defaults, methods note §A5).
public struct NeuroformerLossWeights: Sendable, Equatable {
    /// Factor on 0.6·CE_id + 0.4·CE_dt (the reference always applies 1 − 1/4 = 0.75).
    public var generative: Float
    /// Weight of the neural↔modality contrastive term (1/4).
    public var contrastive: Float
    /// Weight of the behaviour head's MSE or cross-entropy.
    public var behaviour: Float

    public init(generative: Float = 0.75, contrastive: Float = 0.25, behaviour: Float = 1) {
        self.generative = generative
        self.contrastive = contrastive
        self.behaviour = behaviour
    }
}

/// The loss of one batch and its parts (the parts as plain numbers for logging).
public struct NeuroformerLoss {
    public let total: Tensor
    public let id: Float
    public let offset: Float
    public let contrastive: Float?
    public let behaviour: Float?
}

/// Settings of a pretraining or fine-tuning run (reference optimiser: AdamW β = (0.9, 0.95), decay on
/// Linear weights only, linear warm-up then cosine decay to 10 %, gradient clipping at norm 1).
public struct NeuroformerTrainingOptions: Sendable {
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Float
    public var warmupSteps: Int
    /// The cosine schedule ends at `learningRate × finalLearningRateFraction`.
    public var finalLearningRateFraction: Float
    public var weightDecay: Float
    public var maxGradientNorm: Float
    public var seed: UInt64
    public var weights: NeuroformerLossWeights

    public init(
        steps: Int = 1000, batchSize: Int = 64, learningRate: Float = 1e-3, warmupSteps: Int = 200,
        finalLearningRateFraction: Float = 0.1, weightDecay: Float = 0.1, maxGradientNorm: Float = 1, seed: UInt64 = 0,
        weights: NeuroformerLossWeights = .init()
    ) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.finalLearningRateFraction = finalLearningRateFraction
        self.weightDecay = weightDecay
        self.maxGradientNorm = maxGradientNorm
        self.seed = seed
        self.weights = weights
    }

    public func validate() throws {
        try ParameterError.check(steps >= 1, "steps", expected: "≥ 1", found: steps)
        try ParameterError.check(batchSize >= 2, "batchSize", expected: "≥ 2 (the contrastive term needs negatives)", found: batchSize)
        try ParameterError.check(learningRate > 0, "learningRate", expected: "> 0", found: learningRate)
        try ParameterError.check(warmupSteps >= 0 && warmupSteps < steps, "warmupSteps", expected: "in 0..<steps", found: warmupSteps)
        try ParameterError.check((0...1).contains(finalLearningRateFraction), "finalLearningRateFraction", expected: "in [0, 1]", found: finalLearningRateFraction)
        try ParameterError.check(weightDecay >= 0, "weightDecay", expected: "≥ 0", found: weightDecay)
        try ParameterError.check(maxGradientNorm > 0, "maxGradientNorm", expected: "> 0", found: maxGradientNorm)
    }
}

/// Pretraining, the loss, and few-shot fine-tuning of the behaviour head.
public enum NeuroformerTraining {
    /// L = w_g·(0.6·CE_id + 0.4·CE_dt) + w_c·InfoNCE(neural → modality) + w_b·behaviour, PAD ignored.
    ///
    /// The contrastive term is the reference's default one-direction loss mean_i[−S_ii + logsumexp_j S_ij]
    /// with S = ẑ_neural·ẑ_modalityᵀ / τ after one shared bias-free projection.
    public static func loss(
        _ model: NeuroformerModel, _ batch: NeuroformerBatch, weights: NeuroformerLossWeights = .init(),
        training: TrainingContext? = nil
    ) -> NeuroformerLoss {
        let c = model.configuration, tok = c.tokenizer
        let out = model.forward(batch, training: training)
        let ceID = Tensor.crossEntropy(logits: out.idLogits, targets: batch.targetIDs, options: .init(ignoreIndex: tok.pad))
        let ceDt = Tensor.crossEntropy(logits: out.offsetLogits, targets: batch.targetOffsets, options: .init(ignoreIndex: tok.offsetPAD))
        var total = (ceID * 0.6 + ceDt * 0.4) * weights.generative
        var contrastive: Float?
        if let projection = model.contrastiveProjection, let modality = out.modalityPooled, weights.contrastive > 0, batch.size > 1 {
            let zn = projection(out.pooled).l2Normalized(), zm = projection(modality).l2Normalized()
            let logits = zn.matmul(zm, transposeB: true) * (1 / c.contrastiveTemperature)
            let term = Tensor.crossEntropy(logits: logits, targets: Array(0..<batch.size))
            contrastive = term.item
            total = total + term * weights.contrastive
        }
        var behaviourLoss: Float?
        if let prediction = out.behaviour, let targets = batch.behaviour, weights.behaviour > 0 {
            let term = c.behaviourIsClassification
                ? Tensor.crossEntropy(logits: prediction, targets: targets.map { Int($0) })
                : Tensor.meanSquaredError(prediction, Tensor(targets, shape: [batch.size, 1]))
            behaviourLoss = term.item
            total = total + term * weights.behaviour
        }
        return NeuroformerLoss(total: total, id: ceID.item, offset: ceDt.item, contrastive: contrastive, behaviour: behaviourLoss)
    }

    /// AdamW over `parameters` with the reference's decay groups.
    static func optimizer(_ model: NeuroformerModel, parameters: [Tensor], options: NeuroformerTrainingOptions) -> Adam {
        let decayed = Set(model.decayedParameters.map(ObjectIdentifier.init))
        return Adam.adamW(
            parameters: parameters, learningRate: options.learningRate, beta1: 0.9, beta2: 0.95,
            weightDecay: options.weightDecay, excludedFromDecay: parameters.filter { !decayed.contains(ObjectIdentifier($0)) })
    }

    /// Trains every parameter on the windows `samples` of `dataset` for `options.steps` mini-batches
    /// (seeded shuffles; progress as `"step"` events).
    @discardableResult
    public static func pretrain(
        _ model: NeuroformerModel, on dataset: NeuroformerDataset, samples: [Int], options: NeuroformerTrainingOptions,
        monitor: any FitMonitor = SilentMonitor()
    ) throws -> TrainingReport {
        try options.validate()
        guard samples.count >= options.batchSize else { throw NeuroformerError.tooFewWindows(needed: options.batchSize, found: samples.count) }
        let adam = optimizer(model, parameters: model.parameters, options: options)
        let epochs = options.steps * options.batchSize / samples.count + 2
        let trainer = try Trainer(
            configuration: TrainerConfiguration(
                epochs: epochs, batchSize: options.batchSize, seed: options.seed, dropLastPartialBatch: true,
                maxGradientNorm: options.maxGradientNorm,
                schedule: WarmupCosineSchedule(
                    base: options.learningRate, warmupSteps: options.warmupSteps, totalSteps: options.steps,
                    minimum: options.learningRate * options.finalLearningRateFraction),
                maxSteps: options.steps),
            optimizer: adam)
        return trainer.fit(sampleCount: samples.count, monitor: monitor) { batch, context in
            loss(model, dataset.batch(batch.map { samples[$0] }), weights: options.weights, training: context).total
        }
    }

    /// Pooled final features `[n, d]` of the windows `samples` (evaluation mode, no gradients).
    public static func pooledFeatures(_ model: NeuroformerModel, _ dataset: NeuroformerDataset, samples: [Int], batchSize: Int = 256) -> [Float] {
        var result: [Float] = []
        withNoGrad {
            for start in stride(from: 0, to: samples.count, by: batchSize) {
                let chunk = Array(samples[start..<min(start + batchSize, samples.count)])
                result += model.forward(dataset.batch(chunk)).pooled.storage
            }
        }
        return result
    }

    /// Few-shot fine-tuning: trains only the behaviour head on the frozen pooled features of `samples`.
    @discardableResult
    public static func fineTuneBehaviour(
        _ model: NeuroformerModel, on dataset: NeuroformerDataset, samples: [Int], options: NeuroformerTrainingOptions,
        monitor: any FitMonitor = SilentMonitor()
    ) throws -> TrainingReport {
        try options.validate()
        guard let head = model.behaviourHead, let targets = dataset.behaviour else {
            throw NeuroformerError.shapeMismatch(what: "fine-tuning", expected: "a behaviour head and behaviour targets", found: "none")
        }
        let c = model.configuration, d = c.dimension
        let features = pooledFeatures(model, dataset, samples: samples)
        let batchSize = min(options.batchSize, samples.count)
        let adam = Adam.adamW(parameters: head.parameters, learningRate: options.learningRate, beta1: 0.9, beta2: 0.95, weightDecay: 0,
                              excludedFromDecay: [])
        let trainer = try Trainer(
            configuration: TrainerConfiguration(
                epochs: options.steps * batchSize / max(samples.count, 1) + 2, batchSize: batchSize, seed: options.seed,
                dropLastPartialBatch: true,
                schedule: WarmupCosineSchedule(base: options.learningRate, warmupSteps: options.warmupSteps, totalSteps: options.steps,
                                               minimum: options.learningRate * options.finalLearningRateFraction),
                maxSteps: options.steps),
            optimizer: adam)
        return trainer.fit(sampleCount: samples.count, monitor: monitor) { batch, _ in
            var x = [Float](); x.reserveCapacity(batch.count * d)
            for i in batch { x += features[(i * d)..<((i + 1) * d)] }
            let prediction = head(Tensor(x, shape: [batch.count, d]))
            if c.behaviourIsClassification {
                return Tensor.crossEntropy(logits: prediction, targets: batch.map { Int(targets[samples[$0]]) })
            }
            let y = batch.map { Float((targets[samples[$0]] - c.behaviourMean) / c.behaviourScale) }
            return Tensor.meanSquaredError(prediction, Tensor(y, shape: [batch.count, 1]))
        }
    }
}
