import Foundation
import Testing
import TestSupport
@testable import NeuralNet

/// A fixed reversal data set and a small model with dropout, shared by the trainer and checkpoint tests.
struct ReversalSetup {
    static let length = 6, vocabulary = 5, samples = 40
    let inputs: [Int]
    let targets: [Int]

    init() {
        var g = SeededGenerator(seed: 300)
        (inputs, targets) = reversalBatch(Self.samples, length: Self.length, vocabulary: Self.vocabulary, generator: &g)
    }

    func model(seed: UInt64) -> TinyTransformer {
        var g = SeededGenerator(seed: seed)
        return TinyTransformer(vocabulary: Self.vocabulary, length: Self.length, dimension: 16, heads: 2, layers: 1,
                               dropout: 0.1, generator: &g)
    }

    func loss(_ model: TinyTransformer, _ batch: [Int], _ training: TrainingContext?) -> Tensor {
        let l = Self.length
        let x = batch.flatMap { inputs[($0 * l)..<($0 * l + l)] }
        let y = batch.flatMap { targets[($0 * l)..<($0 * l + l)] }
        return Tensor.crossEntropy(logits: model(x, batch: batch.count, training: training), targets: y)
    }

    func configuration(maxSteps: Int? = nil) -> TrainerConfiguration {
        TrainerConfiguration(epochs: 3, batchSize: 8, seed: 11, maxGradientNorm: 1,
                             schedule: WarmupCosineSchedule(base: 5e-3, warmupSteps: 3, totalSteps: 15), maxSteps: maxSteps)
    }

    func optimiser(_ model: TinyTransformer) -> Adam {
        Adam.adamW(parameters: model.parameters, learningRate: 5e-3, weightDecay: 0.01)
    }
}

@Suite struct CheckpointTests {
    @Test func roundTripRestoresParametersOptimiserStateAndProgress() throws {
        let setup = ReversalSetup()
        let model = setup.model(seed: 1)
        let adam = setup.optimiser(model)
        // Step all parameters twice, then only the first (so some moments exist and step counts differ).
        for step in 0..<3 {
            adam.zeroGrad()
            setup.loss(model, [0, 1, 2, 3], TrainingContext(seed: UInt64(step))).backward()
            if step == 2 { for p in adam.parameters.dropFirst() { p.zeroGrad() } }
            adam.step()
        }
        let progress = TrainingProgress(step: 3, epoch: 1, batchInEpoch: 2, epochLossSum: 1.25, epochSamples: 16,
                                        bestValidationLoss: 0.75, epochsWithoutImprovement: 1)
        let directory = try TemporaryDirectory()
        let url = directory.file("checkpoint.h5")
        try Checkpoint.save(to: url, model: model, optimizer: adam, progress: progress,
                            provenance: ExportProvenance(command: "test checkpoint", seed: 11))

        let file = try HDF5File.open(at: url)
        #expect(try file.root.attribute("command").string == "test checkpoint")
        #expect(try file.root.attribute("seed") == .unsignedIntegers([11]))
        #expect(try file.root.attribute("software").string != nil)
        #expect(try file.root.dataset("model/blocks.0.selfAttention.query.weight").shape == [16, 16])
        #expect(try file.root.group("optimizer").attribute("type").string == "Adam")
        try file.close()

        let restored = setup.model(seed: 2)
        let restoredAdam = setup.optimiser(restored)
        #expect(restored.parameters[0].storage != model.parameters[0].storage)
        let loaded = try Checkpoint.load(from: url, into: restored, optimizer: restoredAdam)
        #expect(loaded == progress)
        for (a, b) in zip(model.parameters, restored.parameters) { #expect(a.storage == b.storage) }
        #expect(restoredAdam.state == adam.state)
        #expect(restoredAdam.steps.first == 3 && restoredAdam.steps.last == 2)
    }

    @Test func mismatchesAreTypedErrorsAndLeaveEverythingUntouched() throws {
        let setup = ReversalSetup()
        let model = setup.model(seed: 1)
        let directory = try TemporaryDirectory()
        let url = directory.file("model.h5")
        try Checkpoint.save(to: url, model: model, provenance: ExportProvenance(command: "test"))

        // No optimiser state in the file.
        let other = setup.model(seed: 3)
        let before = other.parameters.map(\.storage)
        #expect(throws: CheckpointError.missingOptimizerState(file: url.path)) {
            try Checkpoint.load(from: url, into: other, optimizer: setup.optimiser(other))
        }
        #expect(other.parameters.map(\.storage) == before)  // nothing loaded on failure
        #expect(try Checkpoint.load(from: url, into: other) == nil)  // model only: fine, no progress
        #expect(other.parameters.map(\.storage) == model.parameters.map(\.storage))

        // A wider model does not fit.
        var g = SeededGenerator(seed: 4)
        let wider = TinyTransformer(vocabulary: 5, length: 6, dimension: 8, heads: 2, layers: 1, generator: &g)
        #expect(throws: CheckpointError.shapeMismatch(file: url.path, name: "embedding.weight", stored: [5, 16], expected: [5, 8])) {
            try Checkpoint.load(from: url, into: wider)
        }
        // A deeper one misses parameters.
        let deeper = TinyTransformer(vocabulary: 5, length: 6, dimension: 16, heads: 2, layers: 2, generator: &g)
        #expect(throws: CheckpointError.self) { try Checkpoint.load(from: url, into: deeper) }

        // An optimiser over a tensor the model does not name cannot be saved; the old file survives.
        let stray = Adam(parameters: [Tensor.zeros([2], requiresGrad: true)])
        #expect(throws: CheckpointError.unnamedOptimizerParameter(index: 0)) {
            try Checkpoint.save(to: url, model: model, optimizer: stray, provenance: ExportProvenance(command: "test"))
        }
        #expect(try Checkpoint.load(from: url, into: other) == nil)
    }

    /// Train N = 7 steps (stopping mid-epoch), checkpoint, load into a freshly initialised model and
    /// optimiser, train to the end; the result must equal the uninterrupted 15-step run bit for bit,
    /// with dropout, shuffling, clipping, a schedule and AdamW all active.
    @Test func resumingFromACheckpointReproducesTheUninterruptedRun() throws {
        let setup = ReversalSetup()
        let validation = Array(0..<8)

        let reference = setup.model(seed: 1)
        let referenceTrainer = try Trainer(configuration: setup.configuration(), optimizer: setup.optimiser(reference))
        let full = referenceTrainer.fit(sampleCount: ReversalSetup.samples, validation: { setup.loss(reference, validation, nil).item.double }) {
            setup.loss(reference, $0, $1)
        }
        #expect(full.outcome == .completed && full.progress.step == 15 && full.epochs.count == 3)

        let first = setup.model(seed: 1)
        let firstAdam = setup.optimiser(first)
        let partial = try Trainer(configuration: setup.configuration(maxSteps: 7), optimizer: firstAdam)
            .fit(sampleCount: ReversalSetup.samples, validation: { setup.loss(first, validation, nil).item.double }) {
                setup.loss(first, $0, $1)
            }
        #expect(partial.outcome == .reachedStepLimit && partial.progress.step == 7 && partial.progress.batchInEpoch == 2)
        let directory = try TemporaryDirectory()
        let url = directory.file("resume.h5")
        try Checkpoint.save(to: url, model: first, optimizer: firstAdam, progress: partial.progress,
                            provenance: ExportProvenance(command: "test resume", seed: 11))

        func resume(withOptimiserState: Bool) throws -> (TinyTransformer, TrainingReport) {
            let model = setup.model(seed: 99)  // different initialisation: everything must come from the file
            let adam = setup.optimiser(model)
            let progress = try Checkpoint.load(from: url, into: model, optimizer: withOptimiserState ? adam : nil)
            let trainer = try Trainer(configuration: setup.configuration(), optimizer: adam, progress: progress ?? .init())
            let report = trainer.fit(sampleCount: ReversalSetup.samples, validation: { setup.loss(model, validation, nil).item.double }) {
                setup.loss(model, $0, $1)
            }
            return (model, report)
        }
        let (resumed, rest) = try resume(withOptimiserState: true)
        #expect(rest.outcome == .completed && rest.progress == full.progress)
        #expect(rest.epochs == Array(full.epochs.dropFirst()))
        for (a, b) in zip(reference.namedParameters, resumed.namedParameters) {
            #expect(a.tensor.storage == b.tensor.storage, "\(a.name) differs after resuming")
        }
        // Control: without the Adam moments the continuation differs, so the comparison above has teeth.
        let (fresh, _) = try resume(withOptimiserState: false)
        #expect(zip(reference.parameters, fresh.parameters).contains { $0.storage != $1.storage })
    }
}

@Suite struct TrainerTests {
    /// A one-parameter least-squares problem: samples are targets, the loss is the batch MSE.
    func quadratic() -> (Tensor, SGD, (_ batch: [Int], _ training: TrainingContext) -> Tensor) {
        let w = Tensor([0], shape: [1], requiresGrad: true)
        let targets = (0..<10).map { Float($0) }
        let loss: (_ batch: [Int], _ training: TrainingContext) -> Tensor = { batch, _ in
            Tensor.meanSquaredError(w, Tensor(batch.map { targets[$0] }, shape: [batch.count]))
        }
        return (w, SGD(parameters: [w], learningRate: 0.1), loss)
    }

    @Test func batchesCoverEverySampleOncePerEpochInASeededOrder() throws {
        let (_, sgd, _) = quadratic()
        let trainer = try Trainer(configuration: TrainerConfiguration(epochs: 2, batchSize: 4, seed: 5), optimizer: sgd)
        let batches = LockedBox<[[Int]]>([])
        _ = trainer.fit(sampleCount: 10) { batch, _ in
            batches.value.append(batch)
            return Tensor.zeros([1], requiresGrad: true).sum()
        }
        let seen = batches.value
        #expect(seen.map(\.count) == [4, 4, 2, 4, 4, 2])
        #expect(Array(seen[0..<3].joined()).sorted() == Array(0..<10) && Array(seen[3...].joined()).sorted() == Array(0..<10))
        #expect(Array(seen[0..<3].joined()) != Array(seen[3...].joined()))  // reshuffled
        #expect(Array(seen[0..<3].joined()) == trainer.order(epoch: 0, sampleCount: 10))
        #expect(try Trainer(configuration: .init(epochs: 1, batchSize: 4, seed: 5), optimizer: sgd).order(epoch: 1, sampleCount: 10)
                == Array(seen[3...].joined()))

        let dropping = try Trainer(configuration: .init(epochs: 1, batchSize: 4, shuffle: false, dropLastPartialBatch: true), optimizer: sgd)
        let kept = LockedBox<[[Int]]>([])
        _ = dropping.fit(sampleCount: 10) { batch, _ in kept.value.append(batch); return Tensor.zeros([1], requiresGrad: true).sum() }
        #expect(kept.value == [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    @Test func trainsReportsProgressAndStopsEarly() throws {
        let (w, sgd, loss) = quadratic()
        // Validation losses are scripted: best at epoch 1, then two epochs without improvement.
        let scripted = [1.0, 0.9, 0.95, 0.9, 0.1, 0.1]
        let epoch = LockedBox(0)
        let monitor = RecordingMonitor()
        let trainer = try Trainer(configuration: .init(epochs: 6, batchSize: 5, seed: 1, patience: 2), optimizer: sgd)
        let report = trainer.fit(sampleCount: 10, monitor: monitor, validation: {
            defer { epoch.value += 1 }
            return scripted[epoch.value]
        }, loss: loss)
        #expect(report.outcome == .earlyStopped && report.epochs.count == 4)
        #expect(report.progress.bestValidationLoss == 0.9 && report.progress.epochsWithoutImprovement == 2)
        #expect(report.epochs.map(\.validationLoss) == [1.0, 0.9, 0.95, 0.9])
        let epochEvents = monitor.recorded.filter { $0.stage == "epoch" }
        #expect(epochEvents.map(\.iteration) == [1, 2, 3, 4] && epochEvents.allSatisfy { $0.total == 6 })
        #expect(epochEvents.map(\.objective) == [1.0, 0.9, 0.95, 0.9])
        #expect(monitor.recorded.filter { $0.stage == "step" }.map(\.iteration) == Array(1...8))
        // Eight SGD steps on the mean of the targets (4.5) with η = 0.1: w moves most of the way.
        #expect(w.storage[0] > 3 && w.storage[0] < 5)
        // Training loss of epoch 0 is the sample-weighted mean of its two batch losses.
        #expect(report.epochs[0].trainingLoss > report.epochs[3].trainingLoss)
    }

    @Test func honoursTheMonitorsStopRequest() throws {
        let (_, sgd, loss) = quadratic()
        let monitor = RecordingMonitor(stopAfter: 3)
        let report = try Trainer(configuration: .init(epochs: 10, batchSize: 2), optimizer: sgd)
            .fit(sampleCount: 10, monitor: monitor, loss: loss)
        #expect(report.outcome == .stoppedByMonitor && report.progress.step == 3 && report.epochs.isEmpty)
    }

    @Test func rejectsInvalidConfigurations() {
        let (_, sgd, _) = quadratic()
        #expect(throws: ParameterError("batchSize", expected: "an integer ≥ 1", found: "0")) {
            try Trainer(configuration: .init(epochs: 1, batchSize: 0), optimizer: sgd)
        }
        #expect(throws: ParameterError.self) { try Trainer(configuration: .init(epochs: 1, batchSize: 2, patience: 0), optimizer: sgd) }
    }
}

/// A mutable box for values captured by non-escaping closures in tests.
final class LockedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

extension Float {
    var double: Double { Double(self) }
}
