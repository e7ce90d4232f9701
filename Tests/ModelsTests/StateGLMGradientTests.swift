import Foundation
import Models
import Testing

/// The analytic M-step gradients against central finite differences, for every prior, weight mode,
/// likelihood and link (notes §5b: the gradients are written by hand, so they must be checked).
@Suite struct StateGLMGradientTests {
    static func problem(emission: StateGLMEmission, perStateBias: Bool, prior: any InteractionPrior, seed: UInt64, bins: Int = 40)
        throws -> (StateGLMModel, [StateGLMSequence], [Matrix<Double>]) {
        let (s, n, t) = (2, 3, bins)
        var rng = SeededGenerator(seed: seed)
        let configuration = StateGLMConfiguration(states: s, basis: try .exponential(length: 3), emission: emission, perStateBias: perStateBias)
        let counts = Matrix<Double>(rows: t, columns: n) { _, _ in
            emission.likelihood == .bernoulli ? (rng.bernoulli(probability: 0.3) ? 1 : 0) : Double(rng.poisson(mean: 0.8))
        }
        let sequence = try StateGLMSequence(counts: counts, basis: configuration.basis, emission: emission)
        var gamma = Matrix<Double>(rows: t, columns: s)
        for i in 0..<t {
            let p = rng.dirichlet([1, 1])
            for j in 0..<s { gamma[i, j] = p[j] }
        }
        var parameters = prior.initialParameters(states: s, neurons: n, generator: &rng)
        for i in parameters.indices { parameters[i] += rng.normal(mean: 0, standardDeviation: 0.5) }
        // Bernoulli with a softplus/exp link clamps p at 1 − 1e−8: keep drives well below that kink.
        let centre = emission.likelihood == .bernoulli && emission.link != .sigmoid ? -2.5 : -0.5
        let bias = (0..<(perStateBias ? s * n : n)).map { _ in rng.normal(mean: centre, standardDeviation: 0.3) }
        let model = try StateGLMModel(configuration: configuration, prior: prior, neurons: n, bias: bias, priorParameters: parameters)
        return (model, [sequence], [gamma])
    }

    static func check(_ model: StateGLMModel, _ sequences: [StateGLMSequence], _ gammas: [Matrix<Double>], mode: WeightMode, tolerance: Double = 1e-6) {
        let analytic = model.mStepLoss(sequences: sequences, posteriors: gammas, priorScale: 1.7, mode: mode, seed: 42)
        #expect(analytic.value.isFinite)
        let theta = model.parameterVector
        var worst = 0.0
        for i in theta.indices {
            let h = 1e-5 * max(1, abs(theta[i]))
            var plus = model, minus = model
            var tp = theta, tm = theta
            tp[i] += h
            tm[i] -= h
            plus.parameterVector = tp
            minus.parameterVector = tm
            let fp = plus.mStepLoss(sequences: sequences, posteriors: gammas, priorScale: 1.7, mode: mode, seed: 42).value
            let fm = minus.mStepLoss(sequences: sequences, posteriors: gammas, priorScale: 1.7, mode: mode, seed: 42).value
            let numeric = (fp - fm) / (2 * h)
            worst = max(worst, abs(numeric - analytic.gradient[i]) / max(1, abs(numeric)))
        }
        #expect(worst < tolerance, "\(model.prior.name) \(mode): worst relative gradient error \(worst)")
    }

    @Test(arguments: [
        StateGLMEmission(likelihood: .poisson, link: .sigmoid), StateGLMEmission(likelihood: .poisson, link: .softplus),
        StateGLMEmission(likelihood: .poisson, link: .exp), StateGLMEmission(likelihood: .bernoulli, link: .sigmoid),
        StateGLMEmission(likelihood: .bernoulli, link: .softplus), StateGLMEmission(likelihood: .bernoulli, link: .exp),
    ])
    func naiveGradientsForEveryEmission(emission: StateGLMEmission) throws {
        for perStateBias in [false, true] {
            let (model, seqs, gammas) = try Self.problem(emission: emission, perStateBias: perStateBias, prior: NaivePrior(initialScale: 0.2), seed: 5)
            Self.check(model, seqs, gammas, mode: .expected)
        }
    }

    @Test func gaussianGradients() throws {
        let (model, seqs, gammas) = try Self.problem(emission: StateGLMEmission(), perStateBias: false, prior: GaussianPrior(), seed: 6)
        Self.check(model, seqs, gammas, mode: .expected)
    }

    @Test(arguments: [WeightMode.expected, .sample(temperature: 0.5), .hard])
    func oneHotGradients(mode: WeightMode) throws {
        let (model, seqs, gammas) = try Self.problem(
            emission: StateGLMEmission(likelihood: .poisson, link: .softplus), perStateBias: true, prior: OneHotPrior(initialScale: 1), seed: 7)
        Self.check(model, seqs, gammas, mode: mode)
    }

    /// The one-hot prior term alone is the Concrete density summed over states and pairs.
    @Test func oneHotLogPriorIsTheConcreteDensity() throws {
        let prior = OneHotPrior(priorTemperature: 0.2)
        var rng = SeededGenerator(seed: 8)
        let (s, n) = (2, 2)
        var p = prior.initialParameters(states: s, neurons: n, generator: &rng)
        for i in p.indices { p[i] = rng.normal(mean: 0, standardDeviation: 1) }
        let evaluation = prior.evaluate(p, states: s, neurons: n, mode: .expected, generator: &rng)
        func softmax(_ x: ArraySlice<Double>) -> [Double] {
            let e = x.map { Double.exp($0) }
            let t = e.reduce(0, +)
            return e.map { $0 / t }
        }
        var expected = 0.0
        let m = n * n
        for state in 0..<s {
            for k in 0..<m {
                let idx = state * m + k
                expected += ConcreteDistribution.logDensity(
                    point: softmax(p[(idx * 3)..<(idx * 3 + 3)]), probabilities: softmax(p[(s * m * 4 + k * 3)..<(s * m * 4 + k * 3 + 3)]),
                    temperature: 0.2)
            }
        }
        #expect(abs(evaluation.logPrior - expected) < 1e-9 * max(1, abs(expected)))
        // Hard weights are ±softplus(ω) or 0 and follow argmax ψ.
        let hard = prior.evaluate(p, states: s, neurons: n, mode: .hard, generator: &rng).weights
        let types = prior.hardTypes(p, states: s, neurons: n)
        for idx in 0..<(s * m) {
            let omega = p[s * m * 3 + idx]
            #expect(abs(hard[idx] - Double(types[idx]) * Double.log(1 + Double.exp(omega))) < 1e-12)
        }
    }
}
