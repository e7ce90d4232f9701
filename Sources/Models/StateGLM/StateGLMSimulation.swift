import Foundation
import RealModule

/// The generator of the reference demo (`deprecated/demo.ipynb`): per pair a type distribution
/// α ~ Dirichlet(2·[0.1, 0.8, 0.1]) over {inh, none, exc}, per state and pair a type drawn from α (the
/// argmax of a Concrete sample is exactly a categorical draw) and a strength U(0, 3), bias
/// U(−0.05, 0.05), sigmoid link, Poisson counts, sticky transitions (0.98), uniform first state.
/// Defaults: S = 5, N = 20, K = 5 (decay 1), T = 2000 bins per sequence; ≈ 20 % of weights non-zero.
public struct StateGLMSimulation: Sendable {
    public var states: Int
    public var neurons: Int
    public var basis: HistoryBasis
    public var binsPerSequence: Int
    public var sequences: Int
    public var typeConcentration: [Double]
    public var maxStrength: Double
    public var biasHalfWidth: Double
    public var selfTransition: Double
    public var emission: StateGLMEmission

    public init(
        states: Int = 5, neurons: Int = 20, basis: HistoryBasis? = nil, binsPerSequence: Int = 2000, sequences: Int = 50,
        typeConcentration: [Double] = [0.2, 1.6, 0.2], maxStrength: Double = 3, biasHalfWidth: Double = 0.05,
        selfTransition: Double = 0.98, emission: StateGLMEmission = StateGLMEmission(likelihood: .poisson, link: .sigmoid)
    ) {
        self.states = states
        self.neurons = neurons
        self.basis = basis ?? (try! HistoryBasis.exponential(length: 5, decay: 1))
        self.binsPerSequence = binsPerSequence
        self.sequences = sequences
        self.typeConcentration = typeConcentration
        self.maxStrength = maxStrength
        self.biasHalfWidth = biasHalfWidth
        self.selfTransition = selfTransition
        self.emission = emission
    }

    public func validate() throws {
        try ParameterError.check(states >= 1, "states", expected: "an integer ≥ 1", found: states)
        try ParameterError.check(neurons >= 1, "neurons", expected: "an integer ≥ 1", found: neurons)
        try ParameterError.check(binsPerSequence >= 2, "bins per sequence", expected: "an integer ≥ 2", found: binsPerSequence)
        try ParameterError.check(sequences >= 1, "sequences", expected: "an integer ≥ 1", found: sequences)
        try ParameterError.check(
            typeConcentration.count == 3 && typeConcentration.allSatisfy { $0 > 0 }, "type concentration",
            expected: "three positive values (inh, none, exc)", found: typeConcentration)
        try ParameterError.check(maxStrength > 0, "max strength", expected: "a value > 0", found: maxStrength)
        try ParameterError.check(
            states == 1 || (selfTransition > 0 && selfTransition < 1), "self transition", expected: "a probability in (0, 1)", found: selfTransition)
    }

    /// Ground truth of one simulation.
    public struct Truth: Sendable {
        /// W, S × N × N flattened (W_s[n ← n'] at s·N² + n·N + n').
        public var weights: [Double]
        /// Types per state and pair, −1 inh, 0 none, +1 exc (same layout as `weights`).
        public var types: [Int]
        /// The generator's per-pair type distribution α, N × N × 3.
        public var typeProbabilities: [Double]
        public var bias: [Double]
        public var transition: Matrix<Double>
        /// The hidden state of every bin, per sequence.
        public var states: [[Int]]
    }

    public struct Result: Sendable {
        public var simulation: StateGLMSimulation
        /// T × N counts per sequence.
        public var counts: [Matrix<Double>]
        public var truth: Truth

        /// The generating model, as a naive HMM-GLM holding the true weights.
        public func trueModel() throws -> StateGLMModel {
            try StateGLMModel(
                configuration: StateGLMConfiguration(
                    states: simulation.states, basis: simulation.basis, emission: simulation.emission,
                    initialSelfTransition: simulation.states > 1 ? simulation.selfTransition : 0.5),
                prior: NaivePrior(), neurons: simulation.neurons, bias: truth.bias, priorParameters: truth.weights,
                transition: truth.transition)
        }
    }

    public func simulate(seed: UInt64) throws -> Result {
        try validate()
        var rng = SeededGenerator(seed: seed)
        let s = states, n = neurons, m = n * n
        var alpha = [Double](repeating: 0, count: m * 3)
        for k in 0..<m {
            let p = rng.dirichlet(typeConcentration)
            for c in 0..<3 { alpha[k * 3 + c] = p[c] }
        }
        var weights = [Double](repeating: 0, count: s * m), types = [Int](repeating: 0, count: s * m)
        for state in 0..<s {
            for k in 0..<m {
                let type = rng.categorical(probabilities: Array(alpha[(k * 3)..<(k * 3 + 3)])) - 1
                let strength = rng.uniform(in: 0..<maxStrength)
                types[state * m + k] = type
                weights[state * m + k] = Double(type) * strength
            }
        }
        let bias = (0..<n).map { _ in rng.uniform(in: -biasHalfWidth..<biasHalfWidth) }
        let off = s > 1 ? (1 - selfTransition) / Double(s - 1) : 0
        let transition = Matrix<Double>(rows: s, columns: s) { i, j in s == 1 ? 1 : (i == j ? selfTransition : off) }
        let phi = basis.weights
        var allCounts: [Matrix<Double>] = [], allStates: [[Int]] = []
        var history = [Double](repeating: 0, count: n), eta = [Double](repeating: 0, count: n)
        for _ in 0..<sequences {
            var x = Matrix<Double>(rows: binsPerSequence, columns: n)
            var z = [Int](repeating: 0, count: binsPerSequence)
            var state = rng.uniformInt(below: s)
            for t in 0..<binsPerSequence {
                if t > 0 { state = rng.categorical(probabilities: transition.row(state)) }
                z[t] = state
                for j in 0..<n { history[j] = 0 }
                for lag in 1...phi.count where t - lag >= 0 {
                    for j in 0..<n { history[j] += phi[lag - 1] * x[t - lag, j] }
                }
                for target in 0..<n {
                    var v = bias[target]
                    for source in 0..<n { v += weights[state * m + target * n + source] * history[source] }
                    eta[target] = v
                }
                for j in 0..<n {
                    let rate = Self.rate(eta[j], link: emission.link)
                    switch emission.likelihood {
                    case .poisson: x[t, j] = Double(rng.poisson(mean: rate))
                    case .bernoulli: x[t, j] = rng.bernoulli(probability: Swift.min(Swift.max(rate, 0), 1)) ? 1 : 0
                    }
                }
            }
            allCounts.append(x)
            allStates.append(z)
        }
        return Result(
            simulation: self, counts: allCounts,
            truth: Truth(weights: weights, types: types, typeProbabilities: alpha, bias: bias, transition: transition, states: allStates))
    }

    static func rate(_ eta: Double, link: StateGLMLink) -> Double {
        switch link {
        case .sigmoid: return 1 / (1 + Double.exp(-eta))
        case .softplus: return eta > 0 ? eta + Double.log(onePlus: Double.exp(-eta)) : Double.log(onePlus: Double.exp(eta))
        case .exp: return Double.exp(Swift.min(eta, 40))
        }
    }
}
