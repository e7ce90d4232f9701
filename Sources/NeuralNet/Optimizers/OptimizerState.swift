/// An optimiser's state in plain arrays, for checkpoints: named per-parameter buffers (moments,
/// momentum) and per-parameter integer counters (Adam's step), in the optimiser's parameter order.
public struct OptimizerState: Sendable, Equatable {
    /// Buffer name → one array per parameter; an empty array means "not created yet" (the parameter
    /// has not been stepped), which restores to the same lazy state.
    public var buffers: [String: [[Float]]]
    /// Counter name → one value per parameter.
    public var counters: [String: [Int]]
    public var learningRate: Float

    public init(buffers: [String: [[Float]]] = [:], counters: [String: [Int]] = [:], learningRate: Float) {
        self.buffers = buffers
        self.counters = counters
        self.learningRate = learningRate
    }
}

/// An optimiser whose state can be saved and restored, so that training resumes bit-identically.
public protocol StatefulOptimizer: Optimizer {
    var state: OptimizerState { get }
    /// Replaces the state; throws `CheckpointError.optimizerStateMismatch` when it does not fit.
    func restore(_ state: OptimizerState) throws
}

extension StatefulOptimizer {
    /// Checks that `state` has exactly `buffers` and `counters` with one entry per parameter, each
    /// buffer empty or of the parameter's size.
    func validate(_ state: OptimizerState, buffers: [String], counters: [String]) throws {
        func fail(_ reason: String) -> CheckpointError { .optimizerStateMismatch(reason: reason) }
        guard Set(state.buffers.keys) == Set(buffers) else { throw fail("buffers \(state.buffers.keys.sorted()), expected \(buffers.sorted())") }
        guard Set(state.counters.keys) == Set(counters) else { throw fail("counters \(state.counters.keys.sorted()), expected \(counters.sorted())") }
        for (name, arrays) in state.buffers {
            guard arrays.count == parameters.count else { throw fail("\(name): \(arrays.count) arrays for \(parameters.count) parameters") }
            for (k, array) in arrays.enumerated() where !array.isEmpty && array.count != parameters[k].count {
                throw fail("\(name)[\(k)]: \(array.count) values for a parameter of \(parameters[k].count)")
            }
        }
        for (name, values) in state.counters where values.count != parameters.count {
            throw fail("\(name): \(values.count) values for \(parameters.count) parameters")
        }
    }
}

extension Adam: StatefulOptimizer {
    /// PyTorch's names: `exp_avg`, `exp_avg_sq` and `step`.
    public var state: OptimizerState {
        OptimizerState(buffers: ["exp_avg": firstMoments, "exp_avg_sq": secondMoments], counters: ["step": steps],
                       learningRate: learningRate)
    }

    public func restore(_ state: OptimizerState) throws {
        try validate(state, buffers: ["exp_avg", "exp_avg_sq"], counters: ["step"])
        let m = state.buffers["exp_avg"]!, v = state.buffers["exp_avg_sq"]!
        for k in 0..<parameters.count where m[k].isEmpty != v[k].isEmpty {
            throw CheckpointError.optimizerStateMismatch(reason: "exp_avg[\(k)] and exp_avg_sq[\(k)] disagree on whether the parameter was stepped")
        }
        setState(first: m, second: v, steps: state.counters["step"]!, learningRate: state.learningRate)
    }
}

extension SGD: StatefulOptimizer {
    /// PyTorch's name: `momentum_buffer`.
    public var state: OptimizerState {
        OptimizerState(buffers: ["momentum_buffer": velocity], learningRate: learningRate)
    }

    public func restore(_ state: OptimizerState) throws {
        try validate(state, buffers: ["momentum_buffer"], counters: [])
        setState(velocity: state.buffers["momentum_buffer"]!, learningRate: state.learningRate)
    }
}
