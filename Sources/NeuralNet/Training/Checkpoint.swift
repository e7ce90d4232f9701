import Foundation

/// A checkpoint that does not fit the model or optimiser it is loaded into.
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingParameter(file: String, name: String)
    case unexpectedParameter(file: String, name: String)
    case shapeMismatch(file: String, name: String, stored: [Int], expected: [Int])
    /// An optimiser parameter that is not among the model's named parameters (so it has no name).
    case unnamedOptimizerParameter(index: Int)
    case missingOptimizerState(file: String)
    case optimizerStateMismatch(reason: String)
    case invalidTrainingState(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingParameter(let file, let name): return "\(file): no parameter '\(name)' in the checkpoint"
        case .unexpectedParameter(let file, let name): return "\(file): checkpoint parameter '\(name)' is not in the model"
        case .shapeMismatch(let file, let name, let stored, let expected):
            return "\(file): parameter '\(name)' has shape \(stored) in the checkpoint, the model expects \(expected)"
        case .unnamedOptimizerParameter(let index): return "optimiser parameter \(index) is not one of the model's named parameters"
        case .missingOptimizerState(let file): return "\(file): the checkpoint holds no optimiser state"
        case .optimizerStateMismatch(let reason): return "optimiser state does not fit: \(reason)"
        case .invalidTrainingState(let file, let reason): return "\(file): invalid training state: \(reason)"
        }
    }
}

/// Model parameters, optimiser state and training progress in one HDF5 file, written atomically with
/// the usual provenance attributes at the root.
///
/// Layout: `/model/<parameter name>` (float32, the tensor's shape); `/buffers/<buffer name>` likewise
/// when the model has buffers (`Layer.namedBuffers`); `/optimizer` (attributes `type`,
/// `learning_rate`) with `parameter_names` (the optimiser's order), `buffers/<buffer>/<parameter name>`
/// (only for parameters already stepped) and `counters/<counter>` (int64, one per parameter);
/// `/training` with the `TrainingProgress` fields as attributes. Values are stored exactly
/// (float32 as float32), so a resumed run continues bit-identically.
public enum Checkpoint {
    public static func save(
        to url: URL, model: some Layer, optimizer: (any StatefulOptimizer)? = nil, progress: TrainingProgress? = nil,
        provenance: ExportProvenance
    ) throws {
        let named = model.namedParameters
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let root = file.root
            try root.createGroup("model")
            for (name, tensor) in named {
                try root.createDataset("model/" + name, shape: tensor.dimensions, values: tensor.storage)
            }
            let buffers = model.namedBuffers
            if !buffers.isEmpty {
                try root.createGroup("buffers")
                for (name, tensor) in buffers {
                    try root.createDataset("buffers/" + name, shape: tensor.dimensions, values: tensor.storage)
                }
            }
            if let optimizer {
                let names = try optimizerNames(optimizer, model: named)
                let state = optimizer.state
                let group = try root.createGroup("optimizer")
                try group.setAttribute("type", String(describing: type(of: optimizer)))
                try group.setAttribute("learning_rate", state.learningRate)
                try group.createStringDataset("parameter_names", values: names)
                try group.createGroup("buffers")
                for (buffer, arrays) in state.buffers {
                    try group.createGroup("buffers/" + buffer)
                    for (k, values) in arrays.enumerated() where !values.isEmpty {
                        try group.createDataset("buffers/\(buffer)/\(names[k])", shape: [values.count], values: values)
                    }
                }
                try group.createGroup("counters")
                for (counter, values) in state.counters {
                    try group.createDataset("counters/" + counter, shape: [values.count], values: values)
                }
            }
            if let progress {
                let group = try root.createGroup("training")
                try group.setAttribute("step", progress.step)
                try group.setAttribute("epoch", progress.epoch)
                try group.setAttribute("batch_in_epoch", progress.batchInEpoch)
                try group.setAttribute("epoch_loss_sum", progress.epochLossSum)
                try group.setAttribute("epoch_samples", progress.epochSamples)
                try group.setAttribute("epochs_without_improvement", progress.epochsWithoutImprovement)
                if let best = progress.bestValidationLoss { try group.setAttribute("best_validation_loss", best) }
            }
        }
    }

    /// Loads parameters into `model` (every named parameter must be present with its shape, and the
    /// file may hold no others), the optimiser state into `optimizer` when given, and returns the
    /// training progress if the checkpoint has one. Nothing is modified unless everything fits.
    @discardableResult
    public static func load(
        from url: URL, into model: some Layer, optimizer: (any StatefulOptimizer)? = nil
    ) throws -> TrainingProgress? {
        let file = try HDF5File.open(at: url)
        defer { try? file.close() }
        let path = url.path
        let named = model.namedParameters
        let values = try readTensors(file.root.group("model"), named, path: path)
        let buffers = model.namedBuffers
        let bufferValues = buffers.isEmpty ? [] : try readTensors(file.root.group("buffers"), buffers, path: path)

        var optimizerState: OptimizerState?
        if let optimizer {
            guard file.root.contains("optimizer") else { throw CheckpointError.missingOptimizerState(file: path) }
            optimizerState = try readOptimizerState(file.root.group("optimizer"), for: optimizer, model: named, path: path)
        }
        let progress = file.root.contains("training") ? try readProgress(file.root.group("training"), path: path) : nil

        if let optimizer, let optimizerState { try optimizer.restore(optimizerState) }
        for (k, (_, tensor)) in named.enumerated() { tensor.update { $0 = values[k] } }
        for (k, (_, tensor)) in buffers.enumerated() { tensor.update { $0 = bufferValues[k] } }
        return progress
    }

    /// The values of `named` from `group`, which must hold exactly those names with those shapes.
    static func readTensors(_ group: HDF5Group, _ named: [(name: String, tensor: Tensor)], path: String) throws -> [[Float]] {
        let stored = Set(try group.children())
        for (name, _) in named where !stored.contains(name) { throw CheckpointError.missingParameter(file: path, name: name) }
        for name in stored.sorted() where !named.contains(where: { $0.name == name }) {
            throw CheckpointError.unexpectedParameter(file: path, name: name)
        }
        return try named.map { name, tensor in
            let dataset = try group.dataset(name)
            guard dataset.shape == tensor.dimensions else {
                throw CheckpointError.shapeMismatch(file: path, name: name, stored: dataset.shape, expected: tensor.dimensions)
            }
            return try dataset.read(as: Float.self)
        }
    }

    /// The model names of the optimiser's parameters, in the optimiser's order.
    static func optimizerNames(_ optimizer: any Optimizer, model named: [(name: String, tensor: Tensor)]) throws -> [String] {
        var byIdentity: [ObjectIdentifier: String] = [:]
        for (name, tensor) in named { byIdentity[ObjectIdentifier(tensor)] = name }
        return try optimizer.parameters.enumerated().map { k, p in
            guard let name = byIdentity[ObjectIdentifier(p)] else { throw CheckpointError.unnamedOptimizerParameter(index: k) }
            return name
        }
    }

    static func readOptimizerState(
        _ group: HDF5Group, for optimizer: any StatefulOptimizer, model named: [(name: String, tensor: Tensor)], path: String
    ) throws -> OptimizerState {
        let names = try optimizerNames(optimizer, model: named)
        let storedNames = try group.dataset("parameter_names").readStrings()
        guard Set(storedNames) == Set(names), storedNames.count == names.count else {
            throw CheckpointError.optimizerStateMismatch(reason: "the checkpoint's optimiser covers \(storedNames), this one \(names)")
        }
        let storedIndex = Dictionary(uniqueKeysWithValues: storedNames.enumerated().map { ($1, $0) })
        guard let rate = try group.attribute("learning_rate").double else {
            throw CheckpointError.invalidTrainingState(file: path, reason: "learning_rate is not a number")
        }
        var state = OptimizerState(learningRate: Float(rate))
        for buffer in try group.group("buffers").children() {
            let bufferGroup = try group.group("buffers/" + buffer)
            state.buffers[buffer] = try names.map { name in
                bufferGroup.contains(name) ? try bufferGroup.dataset(name).read(as: Float.self) : []
            }
        }
        for counter in try group.group("counters").children() {
            let stored = try group.dataset("counters/" + counter).read(as: Int.self)
            guard stored.count == names.count else {
                throw CheckpointError.optimizerStateMismatch(reason: "counter \(counter) has \(stored.count) values for \(names.count) parameters")
            }
            state.counters[counter] = names.map { stored[storedIndex[$0]!] }
        }
        return state
    }

    static func readProgress(_ group: HDF5Group, path: String) throws -> TrainingProgress {
        func integer(_ name: String) throws -> Int {
            guard case .integers(let v) = try group.attribute(name), v.count == 1, v[0] >= 0 else {
                throw CheckpointError.invalidTrainingState(file: path, reason: "\(name) is not a non-negative integer")
            }
            return Int(v[0])
        }
        func real(_ name: String) throws -> Double {
            guard case .reals(let v) = try group.attribute(name), v.count == 1 else {
                throw CheckpointError.invalidTrainingState(file: path, reason: "\(name) is not a number")
            }
            return v[0]
        }
        return TrainingProgress(
            step: try integer("step"), epoch: try integer("epoch"), batchInEpoch: try integer("batch_in_epoch"),
            epochLossSum: try real("epoch_loss_sum"), epochSamples: try integer("epoch_samples"),
            bestValidationLoss: group.hasAttribute("best_validation_loss") ? try real("best_validation_loss") : nil,
            epochsWithoutImprovement: try integer("epochs_without_improvement"))
    }
}
