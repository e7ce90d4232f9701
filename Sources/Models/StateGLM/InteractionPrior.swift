import Foundation

/// How a prior turns its parameters into coupling weights for one forward pass.
public enum WeightMode: Sendable, Equatable {
    /// Training pass of a stochastic prior: fresh relaxed samples at this temperature.
    case sample(temperature: Double)
    /// Deterministic relaxed pass (the one-hot model's "expected type": softmax without noise).
    case expected
    /// Evaluation pass: hard decisions (the one-hot model's argmax types).
    case hard
}

/// The weights of one forward pass, the log-prior of the current parameters, and the chain rule back
/// to those parameters.
public struct PriorEvaluation {
    /// W, S × N × N flattened: W_s[n ← n'] is at s·N² + n·N + n'.
    public var weights: [Double]
    /// log p(parameters) as the prior defines it (up to a parameter-free constant).
    public var logPrior: Double
    /// Maps ∂loss/∂W to ∂(loss − scale · logPrior)/∂parameters.
    let pullback: (_ weightGradient: [Double], _ priorScale: Double) -> [Double]

    public init(weights: [Double], logPrior: Double, pullback: @escaping ([Double], Double) -> [Double]) {
        self.weights = weights
        self.logPrior = logPrior
        self.pullback = pullback
    }

    public func gradient(weightGradient: [Double], priorScale: Double) -> [Double] {
        pullback(weightGradient, priorScale)
    }
}

/// A prior over the S per-state N × N coupling matrices of the HMM-GLM, owning their parametrisation.
///
/// The three implementations are the paper's three models: `NaivePrior` (no prior), `GaussianPrior`
/// (W_s ~ N(W̄, σ²) with a learnable shared mean W̄) and `OneHotPrior` (types {inh, none, exc} with a
/// learnable categorical prior shared across states). The fitter only sees a flat parameter vector.
public protocol InteractionPrior: Sendable {
    /// "naive", "gaussian" or "onehot": written into exports.
    var name: String { get }
    /// True when training passes draw random noise (the objective is then stochastic).
    var isStochastic: Bool { get }
    func parameterCount(states: Int, neurons: Int) -> Int
    func initialParameters(states: Int, neurons: Int, generator: inout SeededGenerator) -> [Double]
    func evaluate(
        _ parameters: [Double], states: Int, neurons: Int, mode: WeightMode, generator: inout SeededGenerator
    ) -> PriorEvaluation
    /// Closed-form updates and guards applied before every gradient step (the Gaussian mean, the
    /// one-hot saturation guard). Must not decrease the objective for deterministic priors.
    func project(_ parameters: inout [Double], states: Int, neurons: Int)
    /// The weight mode of training passes in epoch `epoch` (0-based) of `epochs`.
    func trainingMode(epoch: Int, epochs: Int) -> WeightMode
    /// The state-shared structure the prior learns (Gaussian backbone W̄, one-hot type probabilities),
    /// by name, each with its shape.
    func sharedStructure(_ parameters: [Double], states: Int, neurons: Int) -> [String: (shape: [Int], values: [Double])]
    /// Parameters that reproduce the given weights as closely as the parametrisation allows (warm starts).
    func parameters(approximating weights: [Double], states: Int, neurons: Int) -> [Double]
}

extension InteractionPrior {
    public var isStochastic: Bool { false }
    public func trainingMode(epoch: Int, epochs: Int) -> WeightMode { .expected }
    public func project(_ parameters: inout [Double], states: Int, neurons: Int) {}
    public func sharedStructure(_ parameters: [Double], states: Int, neurons: Int) -> [String: (shape: [Int], values: [Double])] { [:] }
}

/// The naive HMM-GLM: unconstrained per-state weights, no prior (Escola et al. 2011-style).
public struct NaivePrior: InteractionPrior {
    /// Standard deviation of the random initial weights (breaks the symmetry between states).
    public var initialScale: Double

    public init(initialScale: Double = 0.1) { self.initialScale = initialScale }

    public var name: String { "naive" }
    public func parameterCount(states: Int, neurons: Int) -> Int { states * neurons * neurons }

    public func initialParameters(states: Int, neurons: Int, generator: inout SeededGenerator) -> [Double] {
        (0..<parameterCount(states: states, neurons: neurons)).map { _ in generator.normal(mean: 0, standardDeviation: initialScale) }
    }

    public func evaluate(
        _ parameters: [Double], states: Int, neurons: Int, mode: WeightMode, generator: inout SeededGenerator
    ) -> PriorEvaluation {
        PriorEvaluation(weights: parameters, logPrior: 0) { gradient, _ in gradient }
    }

    public func parameters(approximating weights: [Double], states: Int, neurons: Int) -> [Double] { weights }
}

/// W_s ~ N(W̄, σ² I) independently per state, with a learnable shared mean W̄ (the state-invariant
/// backbone). Parameters: W (S·N²), W̄ (N²), and log σ when σ is learned. W̄ is set to the mean of the
/// W_s before every step, its closed-form maximiser, as the reference does; σ is fixed (1/3 in the
/// reference demo) unless `learnsStandardDeviation`, in which case it too is set to its closed-form
/// maximiser before every step (the pooled RMS of W_s − W̄; the reference has this update,
/// `update_weight_prior_std`, but its demo does not call it), never below `standardDeviation`:
/// the prior can only loosen when the states' couplings really differ, and cannot collapse.
public struct GaussianPrior: InteractionPrior {
    public var standardDeviation: Double
    public var initialScale: Double
    public var learnsStandardDeviation: Bool

    public init(standardDeviation: Double = 1.0 / 3.0, initialScale: Double = 0.1, learnsStandardDeviation: Bool = false) {
        self.standardDeviation = standardDeviation
        self.initialScale = initialScale
        self.learnsStandardDeviation = learnsStandardDeviation
    }

    public var name: String { "gaussian" }
    public func parameterCount(states: Int, neurons: Int) -> Int { (states + 1) * neurons * neurons + (learnsStandardDeviation ? 1 : 0) }

    public func initialParameters(states: Int, neurons: Int, generator: inout SeededGenerator) -> [Double] {
        var p = (0..<(states * neurons * neurons)).map { _ in generator.normal(mean: 0, standardDeviation: initialScale) }
        p += [Double](repeating: 0, count: neurons * neurons)
        if learnsStandardDeviation { p.append(Double.log(standardDeviation)) }
        project(&p, states: states, neurons: neurons)
        return p
    }

    /// σ in use for these parameters.
    public func currentStandardDeviation(_ parameters: [Double], states: Int, neurons: Int) -> Double {
        learnsStandardDeviation ? Double.exp(parameters[(states + 1) * neurons * neurons]) : standardDeviation
    }

    public func evaluate(
        _ parameters: [Double], states: Int, neurons: Int, mode: WeightMode, generator: inout SeededGenerator
    ) -> PriorEvaluation {
        let m = neurons * neurons, count = states * m
        precondition(parameters.count == parameterCount(states: states, neurons: neurons), "GaussianPrior: parameter vector of \(parameters.count), expected \(parameterCount(states: states, neurons: neurons))")
        let sigma = currentStandardDeviation(parameters, states: states, neurons: neurons)
        let precision = 1 / (sigma * sigma)
        var residual = [Double](repeating: 0, count: count)
        var squares = 0.0
        for s in 0..<states {
            for k in 0..<m {
                let r = parameters[s * m + k] - parameters[count + k]
                residual[s * m + k] = r
                squares += r * r
            }
        }
        let logPrior = -Double(count) * Double.log(sigma * (2 * Double.pi).squareRoot()) - 0.5 * precision * squares
        let weights = Array(parameters[0..<count])
        let learns = learnsStandardDeviation, total = parameters.count
        return PriorEvaluation(weights: weights, logPrior: logPrior) { gradient, scale in
            var out = [Double](repeating: 0, count: total)
            for k in 0..<count {
                out[k] = gradient[k] + scale * precision * residual[k]
                out[count + k % m] -= scale * precision * residual[k]
            }
            // ∂ log prior / ∂ log σ = −S·N² + Σ r²/σ².
            if learns { out[total - 1] = -scale * (-Double(count) + precision * squares) }
            return out
        }
    }

    public func project(_ parameters: inout [Double], states: Int, neurons: Int) {
        let m = neurons * neurons, count = states * m
        for k in 0..<m {
            var total = 0.0
            for s in 0..<states { total += parameters[s * m + k] }
            parameters[count + k] = total / Double(states)
        }
        if learnsStandardDeviation {
            var squares = 0.0
            for s in 0..<states {
                for k in 0..<m {
                    let r = parameters[s * m + k] - parameters[count + k]
                    squares += r * r
                }
            }
            let rms = (squares / Double(count)).squareRoot()
            parameters[count + m] = Double.log(Swift.max(rms, standardDeviation))
        }
    }

    public func sharedStructure(_ parameters: [Double], states: Int, neurons: Int) -> [String: (shape: [Int], values: [Double])] {
        let m = neurons * neurons
        var out: [String: (shape: [Int], values: [Double])] = ["backbone": ([neurons, neurons], Array(parameters[(states * m)..<((states + 1) * m)]))]
        if learnsStandardDeviation { out["standard_deviation"] = ([1], [currentStandardDeviation(parameters, states: states, neurons: neurons)]) }
        return out
    }

    public func parameters(approximating weights: [Double], states: Int, neurons: Int) -> [Double] {
        var p = weights + [Double](repeating: 0, count: neurons * neurons)
        if learnsStandardDeviation { p.append(Double.log(standardDeviation)) }
        project(&p, states: states, neurons: neurons)
        return p
    }
}
