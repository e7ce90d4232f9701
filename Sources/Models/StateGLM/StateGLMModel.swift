import CKernels
import Foundation
import RealModule

/// Structural settings of an HMM-GLM: number of states, history basis, emission family, bias and
/// transition options. The prior over the coupling weights is chosen separately (`InteractionPrior`).
public struct StateGLMConfiguration: Sendable, Codable, Hashable {
    public var states: Int
    public var basis: HistoryBasis
    public var emission: StateGLMEmission
    /// One bias per state and neuron (v0.1.0 option) instead of one per neuron shared by all states.
    public var perStateBias: Bool
    /// Dirichlet pseudo-count κ ≥ 0 added to the diagonal of the expected transition counts ("sticky"
    /// transitions); 0 gives the plain closed-form update.
    public var stickiness: Double
    /// Transition log-probabilities are clamped below at this value before renormalising, as the
    /// reference does (−8), so that no transition becomes impossible; nil disables the guard.
    public var transitionLogFloor: Double?
    /// Initial p(z_{t+1} = z_t); the rest is spread evenly.
    public var initialSelfTransition: Double

    public init(
        states: Int, basis: HistoryBasis, emission: StateGLMEmission = StateGLMEmission(),
        perStateBias: Bool = false, stickiness: Double = 0, transitionLogFloor: Double? = -8,
        initialSelfTransition: Double = 0.98
    ) {
        self.states = states
        self.basis = basis
        self.emission = emission
        self.perStateBias = perStateBias
        self.stickiness = stickiness
        self.transitionLogFloor = transitionLogFloor
        self.initialSelfTransition = initialSelfTransition
    }

    public func validate() throws {
        try ParameterError.check(states >= 1, "states", expected: "an integer ≥ 1", found: states)
        try ParameterError.check(stickiness.isFinite && stickiness >= 0, "stickiness", expected: "a finite value ≥ 0", found: stickiness)
        try ParameterError.check(
            initialSelfTransition > 0 && initialSelfTransition < 1 || (states == 1), "initial self-transition",
            expected: "a probability in (0, 1)", found: initialSelfTransition)
        if let floor = transitionLogFloor {
            try ParameterError.check(floor < 0 && floor.isFinite, "transition log floor", expected: "a finite negative value", found: floor)
        }
    }

    func biasCount(neurons: Int) -> Int { perStateBias ? states * neurons : neurons }
}

/// A fitted (or true) HMM-GLM: z_t ~ Markov(π), x_{t,n} | z_t = s ~ p(x | f(b_n + Σ_{n'} W_s[n←n'] h_{t,n'})).
public struct StateGLMModel: Sendable {
    public let configuration: StateGLMConfiguration
    public let prior: any InteractionPrior
    public let neurons: Int
    /// Bias, N (shared) or S × N (per state) flattened.
    public var bias: [Double]
    /// The prior's parameter vector (see the prior's documentation for the layout).
    public var priorParameters: [Double]
    /// log π, S × S.
    public var logTransition: Matrix<Double>
    /// log p(z_1), uniform and fixed as in the reference.
    public var logInitial: [Double]

    public init(
        configuration: StateGLMConfiguration, prior: any InteractionPrior, neurons: Int, bias: [Double],
        priorParameters: [Double], transition: Matrix<Double>? = nil
    ) throws {
        try configuration.validate()
        try ParameterError.check(neurons >= 1, "neurons", expected: "an integer ≥ 1", found: neurons)
        let s = configuration.states
        try ParameterError.check(
            bias.count == configuration.biasCount(neurons: neurons), "bias",
            expected: "\(configuration.biasCount(neurons: neurons)) values", found: "\(bias.count)")
        try ParameterError.check(
            priorParameters.count == prior.parameterCount(states: s, neurons: neurons), "prior parameters",
            expected: "\(prior.parameterCount(states: s, neurons: neurons)) values", found: "\(priorParameters.count)")
        self.configuration = configuration
        self.prior = prior
        self.neurons = neurons
        self.bias = bias
        self.priorParameters = priorParameters
        if let transition {
            try ParameterError.check(transition.rows == s && transition.columns == s, "transition matrix", expected: "\(s) × \(s)", found: "\(transition.rows) × \(transition.columns)")
            for i in 0..<s {
                let row = transition.row(i)
                try ParameterError.check(
                    row.allSatisfy { $0 >= 0 && $0.isFinite } && Swift.abs(row.reduce(0, +) - 1) < 1e-6,
                    "transition matrix", expected: "rows of probabilities summing to 1", found: "row \(i): \(row)")
            }
            self.logTransition = transition.map { Double.log($0) }
        } else {
            let p = configuration.initialSelfTransition
            let off = s > 1 ? (1 - p) / Double(s - 1) : 0
            self.logTransition = Matrix(rows: s, columns: s) { i, j in s == 1 ? 0 : Double.log(i == j ? p : off) }
        }
        self.logInitial = [Double](repeating: -Double.log(Double(s)), count: s)
    }

    public var states: Int { configuration.states }
    public var transition: Matrix<Double> { logTransition.map { Double.exp($0) } }

    /// Flat parameters seen by the optimisers: bias, then the prior's parameters.
    var flatParameters: [Double] {
        get { bias + priorParameters }
        set {
            bias = Array(newValue[0..<bias.count])
            priorParameters = Array(newValue[bias.count...])
        }
    }

    /// Per-state coupling weights, S × N × N flattened (W_s[n ← n'] at s·N² + n·N + n').
    public func weights(mode: WeightMode = .hard) -> [Double] {
        var generator = SeededGenerator(seed: 0)
        return prior.evaluate(priorParameters, states: states, neurons: neurons, mode: mode, generator: &generator).weights
    }

    /// Bias of state s, neuron n.
    public func bias(state s: Int, neuron n: Int) -> Double { configuration.perStateBias ? bias[s * neurons + n] : bias[n] }

    /// log p(x_t | z_t = s, history), T × S, including the count constants.
    public func logEmissions(_ sequence: StateGLMSequence, mode: WeightMode = .hard) -> Matrix<Double> {
        precondition(sequence.neuronCount == neurons, "StateGLMModel: sequence has \(sequence.neuronCount) neurons, model \(neurons)")
        let coupling = StateGLMCoupling(model: self, weights: weights(mode: mode))
        var drives = Matrix<Double>(rows: sequence.binCount, columns: states * neurons)
        var ll = [Double]()
        coupling.drives(sequence, into: &drives)
        if let code = configuration.emission.fusedKernelCode {
            // The CKernels element pass (AVX2 + FMA when available) over the drives of all states.
            ll = [Double](repeating: 0, count: sequence.binCount * states)
            sequence.counts.withUnsafeBufferPointer { x in
                drives.withUnsafeBufferPointer { d in
                    ll.withUnsafeMutableBufferPointer { out in
                        _ = ck_glm_loglik(code, x.baseAddress!, d.baseAddress!, Int64(sequence.binCount), Int64(neurons), Int64(states), out.baseAddress!)
                    }
                }
            }
        } else {
            configuration.emission.evaluate(counts: sequence.counts, drives: &drives, states: states, logLikelihood: &ll)
        }
        for t in 0..<sequence.binCount {
            for s in 0..<states { ll[t * states + s] += sequence.constants[t] }
        }
        return Matrix(rows: sequence.binCount, columns: states, elements: ll)
    }

    public func posterior(
        _ sequence: StateGLMSequence, mode: WeightMode = .hard, method: ForwardBackward.Method = .scaled
    ) -> HMMPosterior {
        ForwardBackward.run(logEmissions: logEmissions(sequence, mode: mode), logInitial: logInitial, logTransition: logTransition, method: method)
    }

    public func viterbi(_ sequence: StateGLMSequence, mode: WeightMode = .hard) -> [Int] {
        ForwardBackward.viterbi(logEmissions: logEmissions(sequence, mode: mode), logInitial: logInitial, logTransition: logTransition).path
    }

    /// Σ over sequences of log p(x_{1:T}) (marginal over states).
    public func logLikelihood(_ sequences: [StateGLMSequence], mode: WeightMode = .hard) -> Double {
        sequences.reduce(0) { $0 + posterior($1, mode: mode).logLikelihood }
    }

    /// Marginal log-likelihood per bin (summed over neurons), the held-out metric of the reference.
    public func logLikelihoodPerBin(_ sequences: [StateGLMSequence], mode: WeightMode = .hard) -> Double {
        logLikelihood(sequences, mode: mode) / Double(sequences.reduce(0) { $0 + $1.binCount })
    }

    /// κ Σ_i log π_ii: the sticky Dirichlet log-prior on the transitions (zero when κ = 0).
    var transitionLogPrior: Double {
        let kappa = configuration.stickiness
        guard kappa > 0 else { return 0 }
        return (0..<states).reduce(0) { $0 + kappa * logTransition[$1, $1] }
    }

    /// Closed-form transition update from expected counts: π_i ∝ Σ_t ξ_t(i, ·) + κ e_i, then the log
    /// floor and renormalisation.
    mutating func updateTransitions(counts: Matrix<Double>) {
        let s = states
        guard s > 1 else { return }
        for i in 0..<s {
            var row = (0..<s).map { counts[i, $0] + (i == $0 ? configuration.stickiness : 0) }
            let total = row.reduce(0, +)
            guard total > 0 else { continue }
            row = row.map { Double.log(Swift.max($0 / total, .leastNormalMagnitude)) }
            if let floor = configuration.transitionLogFloor { row = row.map { Swift.max($0, floor) } }
            let lse = logSumExp(row)
            for j in 0..<s { logTransition[i, j] = row[j] - lse }
        }
    }
}

/// The weights and bias laid out for one BLAS product: drives (T × S·N) = design (T × (N+1)) · C,
/// with C[n', s·N + n] = W_s[n ← n'] and C[N, s·N + n] = bias.
struct StateGLMCoupling {
    var matrix: Matrix<Double>
    let states: Int, neurons: Int

    init(model: StateGLMModel, weights: [Double]) {
        self.init(states: model.states, neurons: model.neurons, weights: weights, bias: model.bias, perStateBias: model.configuration.perStateBias)
    }

    init(states: Int, neurons: Int, weights: [Double], bias: [Double], perStateBias: Bool) {
        self.states = states
        self.neurons = neurons
        let n = neurons, width = states * n
        var c = Matrix<Double>(rows: n + 1, columns: width)
        c.withUnsafeMutableBufferPointer { cp in
            for s in 0..<states {
                for target in 0..<n {
                    let column = s &* n &+ target
                    for source in 0..<n { cp[source &* width &+ column] = weights[s &* n &* n &+ target &* n &+ source] }
                    cp[n &* width &+ column] = perStateBias ? bias[column] : bias[target]
                }
            }
        }
        self.matrix = c
    }

    func drives(_ sequence: StateGLMSequence, into drives: inout Matrix<Double>) {
        let t = sequence.binCount, k = neurons + 1, width = states * neurons
        precondition(drives.rows >= t && drives.columns == width, "coupling: drive buffer too small")
        sequence.design.withUnsafeBufferPointer { a in
            matrix.withUnsafeBufferPointer { b in
                drives.withUnsafeMutableBufferPointer { c in
                    Double.gemm(
                        transA: false, transB: false, m: Int32(t), n: Int32(width), k: Int32(k), alpha: 1,
                        a: a.baseAddress!, lda: Int32(k), b: b.baseAddress!, ldb: Int32(width), beta: 0,
                        c: c.baseAddress!, ldc: Int32(width))
                }
            }
        }
    }
}
