import NeuralNet
import NeuroCore

/// Optimisation settings of one Du-IN stage: AdamW with decoupled weight decay (none on biases,
/// norms and the mask vector), linear warm-up then half-cosine decay, gradient-norm clipping.
public struct DuINStageOptions: Sendable, Codable, Hashable {
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Float
    public var minimumLearningRate: Float
    public var warmupFraction: Double = 0.1
    public var weightDecay: Float
    public var gradientClip: Float? = 1
    /// Stage 3 fine-tuning of a pretrained encoder: its learning rate relative to the head's (1 as in
    /// the reference; below 1 keeps more of what pretraining learned when labels are few), and the
    /// number of first steps during which only the head learns on the frozen encoder (a linear-probe
    /// warm-up, so that a random head's gradients do not wash out the pretrained features).
    public var encoderLearningRateScale: Float = 1
    public var frozenEncoderSteps: Int = 0
    /// LP-FT (Kumar et al. 2022): when set, the classifier head is linear (flatten → classes) and starts
    /// as an L2 logistic regression fitted on the frozen encoder's features of the training trials, its
    /// inverse regularisation chosen among these on the validation trials (required); fine-tuning then
    /// starts from a head that already agrees with the features instead of distorting them.
    public var linearProbeStrengths: [Double]? = nil

    public init(steps: Int, batchSize: Int = 32, learningRate: Float = 3e-4, minimumLearningRate: Float = 5e-5, weightDecay: Float = 0.01) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.minimumLearningRate = minimumLearningRate
        self.weightDecay = weightDecay
    }

    /// The reference laws for each stage (methods note §B7) with `steps` optimiser steps.
    public static func vqvae(steps: Int) -> DuINStageOptions { DuINStageOptions(steps: steps, batchSize: 32, learningRate: 3e-4, minimumLearningRate: 5e-5, weightDecay: 0.01) }
    public static func mae(steps: Int) -> DuINStageOptions { DuINStageOptions(steps: steps, batchSize: 32, learningRate: 3e-4, minimumLearningRate: 5e-5, weightDecay: 0.05) }
    public static func classifier(steps: Int) -> DuINStageOptions { DuINStageOptions(steps: steps, batchSize: 32, learningRate: 2e-4, minimumLearningRate: 5e-6, weightDecay: 0.05) }

    public func validate() throws {
        try ParameterError.check(steps > 0, "steps", expected: "> 0", found: steps)
        try ParameterError.check(batchSize > 1, "batchSize", expected: "> 1 (batch normalisation)", found: batchSize)
        try ParameterError.check(learningRate > 0 && minimumLearningRate >= 0, "learningRate", expected: "> 0", found: learningRate)
        try ParameterError.check((0..<1).contains(warmupFraction), "warmupFraction", expected: "in [0, 1)", found: warmupFraction)
        try ParameterError.check(encoderLearningRateScale >= 0, "encoderLearningRateScale", expected: "≥ 0", found: encoderLearningRateScale)
        try ParameterError.check(frozenEncoderSteps >= 0, "frozenEncoderSteps", expected: "≥ 0", found: frozenEncoderSteps)
        if let strengths = linearProbeStrengths {
            try ParameterError.check(!strengths.isEmpty && strengths.allSatisfy { $0 > 0 && $0.isFinite }, "linearProbeStrengths",
                                     expected: "a non-empty list of positive strengths", found: strengths)
        }
    }

    func optimizer(for model: some Layer, trainable: [Tensor]? = nil) -> Adam {
        let parameters = trainable ?? model.parameters
        let named = model.namedParameters
        let noDecay = named.filter { $0.tensor.rank <= 1 }.map(\.tensor)
        return Adam.adamW(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay, excludedFromDecay: noDecay)
    }

    var schedule: WarmupCosineSchedule {
        WarmupCosineSchedule(base: learningRate, warmupSteps: Int(warmupFraction * Double(steps)), totalSteps: Swift.max(steps, 1),
                             minimum: minimumLearningRate)
    }
}

/// Per-step record of a stage.
public struct DuINStageLog: Sendable, Codable, Hashable {
    /// Training loss at each step.
    public var losses: [Double] = []
    /// Stage 1: reconstruction MSE and codebook perplexity per step. Stage 2/3: accuracy per step
    /// (masked-code or label top-1 on the batch).
    public var reconstruction: [Double] = []
    /// Stage 1 with a spectral target: its weighted MSE per step (standardised log amplitudes).
    public var spectral: [Double] = []
    public var perplexity: [Double] = []
    public var accuracy: [Double] = []
    /// Stage 2: the share of the batch's most frequent target code per step — the accuracy of always
    /// predicting it, the floor the masked-code accuracy has to beat.
    public var majorityBaseline: [Double] = []
    /// Stage 3 with a validation set: validation accuracy after the steps in `validationSteps`, and the
    /// step whose state was kept (optional so that older logs decode).
    public var validationAccuracy: [Double] = []
    public var validationSteps: [Int] = []
    public var selectedStep: Int?
    /// Stage 1: fraction of codes whose EMA usage is below 1 % of a uniform share at the end.
    public var deadCodeFraction: Double?

    public init() {}

    /// Mean of the last `k` values of `values` (the smoothed end of a curve).
    public static func tail(_ values: [Double], _ k: Int = 10) -> Double {
        let s = values.suffix(Swift.max(1, k))
        return s.isEmpty ? .nan : s.reduce(0, +) / Double(s.count)
    }
}

/// Continuous, z-scored multichannel segments (channel-major `[channels × length]` each) from which
/// pretraining draws random fixed-length crops: the unlabelled recording, or labelled epochs without
/// their labels.
public struct DuINSignalPool: Sendable {
    public let channels: Int
    public private(set) var segments: [[Float]]
    public private(set) var lengths: [Int]

    public init(channels: Int) {
        self.channels = channels
        segments = []
        lengths = []
    }

    /// Adds one segment, channel-major `[channels × length]`.
    public mutating func append(_ values: [Float], length: Int) {
        precondition(values.count == channels * length, "DuINSignalPool: segment has \(values.count) values, expected \(channels)×\(length)")
        segments.append(values)
        lengths.append(length)
    }

    /// Longest crop every segment supports.
    public var shortestSegment: Int { lengths.min() ?? 0 }

    /// A batch `[batch, channels, length]` of crops at uniform random positions (segments drawn in
    /// proportion to their usable length).
    public func batch(_ size: Int, length: Int, generator: inout SeededGenerator) -> Tensor {
        let usable = lengths.map { Swift.max(0, $0 - length + 1) }
        let total = usable.reduce(0, +)
        precondition(total > 0, "DuINSignalPool: no segment holds a crop of \(length) samples")
        var out = [Float](repeating: 0, count: size * channels * length)
        for b in 0..<size {
            var r = generator.uniformInt(below: total)
            var s = 0
            while r >= usable[s] { r -= usable[s]; s += 1 }
            let segment = segments[s], n = lengths[s]
            for c in 0..<channels {
                let src = c * n + r, dst = (b * channels + c) * length
                for j in 0..<length { out[dst + j] = segment[src + j] }
            }
        }
        return Tensor(out, shape: [size, channels, length])
    }
}

/// Stage 3 model selection on held-out labelled trials (the reference's per-epoch validation): the
/// classifier is evaluated every `every` steps and at the end, and the state with the best validation
/// accuracy (ties: lower validation cross-entropy, then the earlier step) is restored. Test trials never
/// enter the choice (the reference breaks ties with test accuracy; this port does not).
public struct DuINValidationSet: Sendable {
    /// `[n, channels, samples]` z-scored like the training trials.
    public var data: [Float]
    public var labels: [Int]
    /// Steps between evaluations (nil: once per pass over the training trials).
    public var every: Int?

    public init(data: [Float], labels: [Int], every: Int? = nil) {
        self.data = data
        self.labels = labels
        self.every = every
    }
}

/// The three Du-IN training stages. Every random choice (batches, masks, dropout, k-means) flows from
/// the seed; progress goes to the monitor once per step, and a stop request ends the stage early.
public enum DuINTraining {
    /// Stage 1: trains `model` to reconstruct crops of `cropLength` samples from `pool`.
    @discardableResult
    public static func trainVQVAE(
        _ model: DuINVQVAE, pool: DuINSignalPool, cropLength: Int, options: DuINStageOptions, seed: UInt64,
        monitor: any FitMonitor = SilentMonitor()
    ) throws -> DuINStageLog {
        try options.validate()
        try checkCrop(cropLength, model.configuration, pool)
        let context = TrainingContext(seed: seed)
        let optimizer = options.optimizer(for: model)
        let schedule = options.schedule
        var log = DuINStageLog()
        for step in 0..<options.steps {
            if monitor.shouldStop { break }
            let x = pool.batch(options.batchSize, length: cropLength, generator: &context.generator)
            optimizer.zeroGrad()
            let out = model(x, training: context)
            let loss = out.loss
            loss.backward()
            if let clip = options.gradientClip { clipGradientNorm(optimizer.parameters, maxNorm: clip) }
            optimizer.learningRate = schedule.learningRate(at: step)
            optimizer.step()
            log.losses.append(Double(loss.item))
            log.reconstruction.append(Double(out.reconstructionLoss.item))
            if let spectral = out.spectralLoss { log.spectral.append(Double(spectral.item)) }
            log.perplexity.append(out.quantizer.perplexity)
            monitor.report(FitProgress(stage: "Du-IN VQ-VAE", iteration: step + 1, total: options.steps, objective: Double(loss.item)))
        }
        let uniform = Float(options.batchSize * (cropLength / model.configuration.patchLength)) / Float(model.quantizer.codes)
        log.deadCodeFraction = Double(model.quantizer.usage.storage.filter { $0 < 0.01 * uniform }.count) / Double(model.quantizer.codes)
        return log
    }

    /// Stage 2: trains `model` to predict the frozen `tokenizer`'s code of every patch from context.
    @discardableResult
    public static func trainMAE(
        _ model: DuINMAE, tokenizer: DuINVQVAE, pool: DuINSignalPool, cropLength: Int, options: DuINStageOptions, seed: UInt64,
        monitor: any FitMonitor = SilentMonitor()
    ) throws -> DuINStageLog {
        try options.validate()
        try checkCrop(cropLength, model.configuration, pool)
        try ParameterError.check(tokenizer.configuration == model.configuration, "tokenizer", expected: "a VQ-VAE of the MAE's configuration", found: "another configuration")
        let context = TrainingContext(seed: seed)
        let optimizer = options.optimizer(for: model)
        let schedule = options.schedule
        let m = cropLength / model.configuration.patchLength
        var log = DuINStageLog()
        for step in 0..<options.steps {
            if monitor.shouldStop { break }
            let x = pool.batch(options.batchSize, length: cropLength, generator: &context.generator)
            let targets = tokenizer.codeIndices(x)
            let mask = DuINMAE.randomMask(batch: options.batchSize, tokens: m, ratio: model.configuration.maskRatio, generator: &context.generator)
            optimizer.zeroGrad()
            let logits = model.logits(x, mask: mask, training: context)
            let loss = Tensor.crossEntropy(logits: logits, targets: targets)
            loss.backward()
            if let clip = options.gradientClip { clipGradientNorm(optimizer.parameters, maxNorm: clip) }
            optimizer.learningRate = schedule.learningRate(at: step)
            optimizer.step()
            log.losses.append(Double(loss.item))
            log.accuracy.append(accuracy(logits, targets))
            var counts = [Int: Int]()
            for t in targets { counts[t, default: 0] += 1 }
            log.majorityBaseline.append(Double(counts.values.max() ?? 0) / Double(Swift.max(targets.count, 1)))
            monitor.report(FitProgress(stage: "Du-IN MAE", iteration: step + 1, total: options.steps, objective: Double(loss.item)))
        }
        return log
    }

    /// Stage 3: trains the classifier on trials `data` (`[n, channels, samples]`, channel-major per
    /// trial) with integer `labels`, with the reference's random time-shift augmentation (up to
    /// `shiftFraction` of the length, zero-filled).
    @discardableResult
    public static func trainClassifier(
        _ model: DuINClassifierModel, data: [Float], labels: [Int], samples: Int, options: DuINStageOptions,
        frozenEncoder: Bool = false, shiftFraction: Double = 0.1, validation: DuINValidationSet? = nil, seed: UInt64,
        monitor: any FitMonitor = SilentMonitor()
    ) throws -> DuINStageLog {
        try options.validate()
        let c = model.configuration.channels
        let n = labels.count
        if let validation {
            try ParameterError.check(!validation.labels.isEmpty && validation.data.count == validation.labels.count * c * samples, "validation",
                                     expected: "\(validation.labels.count) trials × \(c) channels × \(samples) samples", found: validation.data.count)
        }
        let state = model.namedParameters.map(\.tensor) + model.namedBuffers.map(\.tensor)
        var best: (accuracy: Double, loss: Double, step: Int, values: [[Float]])? = nil
        let evaluationInterval = validation.map { $0.every ?? Swift.max(1, (n + options.batchSize - 1) / options.batchSize) } ?? 0
        func evaluate(after step: Int, into log: inout DuINStageLog) {
            guard let validation else { return }
            let p = probabilities(model, data: validation.data, samples: samples)
            var hits = 0, loss = 0.0
            for (row, label) in zip(p, validation.labels) {
                if row.indices.max(by: { row[$0] < row[$1] }) == label { hits += 1 }
                loss -= Double.log(Swift.max(row[label], 1e-12))
            }
            let accuracy = Double(hits) / Double(validation.labels.count), meanLoss = loss / Double(validation.labels.count)
            log.validationAccuracy.append(accuracy)
            log.validationSteps.append(step)
            if best == nil || accuracy > best!.accuracy || (accuracy == best!.accuracy && meanLoss < best!.loss) {
                best = (accuracy, meanLoss, step, state.map(\.storage))
            }
        }
        try ParameterError.check(n >= 2 && data.count == n * c * samples, "data", expected: "\(n) trials × \(c) channels × \(samples) samples", found: data.count)
        try ParameterError.check(samples == model.tokens * model.configuration.patchLength, "samples", expected: "\(model.tokens) whole patches", found: samples)
        if let strengths = options.linearProbeStrengths {
            guard let validation else {
                throw ParameterError("validation", expected: "validation trials to choose the linear probe's strength", found: "none")
            }
            try ParameterError.check(model.hidden == nil, "model", expected: "a linear head (head: .linear) for linearProbeStrengths", found: "an MLP head")
            let probe = try DuINLinearProbe.fit(
                trainFeatures: model.features(data, samples: samples), trainLabels: labels,
                validationFeatures: model.features(validation.data, samples: samples), validationLabels: validation.labels,
                classCount: model.output.outFeatures, strengths: strengths)
            try model.setLinearHead(probe.foldedWeights(), bias: probe.foldedBias())
        }
        let context = TrainingContext(seed: seed)
        // The head and the encoder get separate AdamW states so that the encoder can run at a scaled
        // learning rate (or not at all during the frozen warm-up).
        let head = options.optimizer(for: model, trainable: model.trainableParameters(frozenEncoder: true))
        let encoderOptimizer = frozenEncoder ? nil : options.optimizer(for: model, trainable: model.encoder.parameters)
        let schedule = options.schedule
        let batch = Swift.min(options.batchSize, n)
        let maxShift = Int(shiftFraction * Double(samples))
        var order = [Int](), cursor = 0
        var log = DuINStageLog()
        // LP-FT keeps the probe itself when no fine-tuning step beats it on validation.
        if options.linearProbeStrengths != nil { evaluate(after: 0, into: &log) }
        for step in 0..<options.steps {
            if monitor.shouldStop { break }
            var x = [Float](repeating: 0, count: batch * c * samples), y = [Int]()
            for b in 0..<batch {
                if cursor == order.count {  // a fresh permutation per epoch
                    order = Array(0..<n)
                    for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, context.generator.uniformInt(below: i + 1)) }
                    cursor = 0
                }
                let t = order[cursor]; cursor += 1
                y.append(labels[t])
                let shift = maxShift > 0 ? context.generator.uniformInt(below: 2 * maxShift + 1) - maxShift : 0
                for ch in 0..<c {
                    let src = (t * c + ch) * samples, dst = (b * c + ch) * samples
                    for j in 0..<samples {
                        let k = j - shift
                        if k >= 0 && k < samples { x[dst + j] = data[src + k] }
                    }
                }
            }
            let frozenNow = frozenEncoder || step < options.frozenEncoderSteps
            head.zeroGrad()
            encoderOptimizer?.zeroGrad()
            let logits = model(Tensor(x, shape: [batch, c, samples]), frozenEncoder: frozenNow, training: context)
            let loss = Tensor.crossEntropy(logits: logits, targets: y)
            loss.backward()
            let rate = schedule.learningRate(at: step)
            if frozenNow || encoderOptimizer == nil {
                if let clip = options.gradientClip { clipGradientNorm(head.parameters, maxNorm: clip) }
            } else if let encoderOptimizer {
                if let clip = options.gradientClip { clipGradientNorm(head.parameters + encoderOptimizer.parameters, maxNorm: clip) }
                encoderOptimizer.learningRate = rate * options.encoderLearningRateScale
                encoderOptimizer.step()
            }
            head.learningRate = rate
            head.step()
            log.losses.append(Double(loss.item))
            log.accuracy.append(accuracy(logits, y))
            monitor.report(FitProgress(stage: frozenEncoder ? "Du-IN classifier (frozen encoder)" : "Du-IN classifier",
                                       iteration: step + 1, total: options.steps, objective: Double(loss.item)))
            if validation != nil && ((step + 1) % evaluationInterval == 0 || step + 1 == options.steps) { evaluate(after: step + 1, into: &log) }
        }
        if let best {
            for (tensor, values) in zip(state, best.values) { tensor.update { $0 = values } }
            log.selectedStep = best.step
        }
        return log
    }

    /// Class probabilities (softmax of the logits) of `data` in evaluation mode, in batches.
    public static func probabilities(_ model: DuINClassifierModel, data: [Float], samples: Int, batchSize: Int = 64) -> [[Double]] {
        let c = model.configuration.channels, n = data.count / (c * samples)
        var result = [[Double]]()
        withNoGrad {
            var start = 0
            while start < n {
                let end = Swift.min(n, start + batchSize)
                let x = Tensor(Array(data[(start * c * samples)..<(end * c * samples)]), shape: [end - start, c, samples])
                let p = model(x).softmax(axis: -1)
                let k = p.dimensions[1]
                for i in 0..<(end - start) { result.append((0..<k).map { Double(p.storage[i * k + $0]) }) }
                start = end
            }
        }
        return result
    }

    /// Top-1 accuracy of `logits` `[..., classes]` against `targets`.
    static func accuracy(_ logits: Tensor, _ targets: [Int]) -> Double {
        let k = logits.dimensions[logits.rank - 1]
        var hits = 0
        logits.storage.withUnsafeBufferPointer { s in
            for (i, t) in targets.enumerated() {
                var best = 0
                for j in 1..<k where s[i * k + j] > s[i * k + best] { best = j }
                if best == t { hits += 1 }
            }
        }
        return Double(hits) / Double(Swift.max(targets.count, 1))
    }

    static func checkCrop(_ length: Int, _ c: DuINConfiguration, _ pool: DuINSignalPool) throws {
        try ParameterError.check(pool.channels == c.channels, "pool", expected: "\(c.channels) channels", found: pool.channels)
        try ParameterError.check(length >= c.patchLength && length % c.patchLength == 0, "cropLength",
                                 expected: "a positive multiple of the patch length \(c.patchLength)", found: length)
        try ParameterError.check(pool.shortestSegment >= length || pool.lengths.contains { $0 >= length }, "pool",
                                 expected: "a segment of at least \(length) samples", found: pool.lengths.max() ?? 0)
    }
}
