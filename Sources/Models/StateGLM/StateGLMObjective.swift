import Foundation

/// The M-step objective of generalised EM and its analytic gradient:
/// loss(θ) = −Σ_m Σ_t Σ_s γ_ts log p(x_t | z = s, θ) − scale · log prior(θ), over flat θ = (bias, prior
/// parameters). The drives of all states come from one BLAS product per sequence, design · C, and the
/// gradient from one more, designᵀ · D with D_t,(s,n) = γ_ts ∂ℓ/∂η.
final class StateGLMObjective {
    let sequences: [StateGLMSequence]
    var posteriors: [Matrix<Double>]
    /// Which sequences enter the current objective (all in batch EM, one in the reference schedule).
    var active: [Int]
    var priorScale: Double
    private var template: StateGLMModel
    private var drives: [Int: Matrix<Double>] = [:]
    private var gradientMatrix: Matrix<Double>
    private var logLikelihood: [Double] = []

    init(template: StateGLMModel, sequences: [StateGLMSequence], priorScale: Double) {
        self.template = template
        self.sequences = sequences
        self.posteriors = sequences.map { Matrix(rows: $0.binCount, columns: template.states) }
        self.active = Array(sequences.indices)
        self.priorScale = priorScale
        self.gradientMatrix = Matrix(rows: template.neurons + 1, columns: template.states * template.neurons)
    }

    /// Loss and gradient at θ. `generator` supplies the noise of stochastic weight modes.
    func evaluate(_ theta: [Double], mode: WeightMode, generator: inout SeededGenerator) -> (value: Double, gradient: [Double]) {
        template.flatParameters = theta
        let s = template.states, n = template.neurons, width = s * n, k = n + 1
        let prior = template.prior.evaluate(template.priorParameters, states: s, neurons: n, mode: mode, generator: &generator)
        let coupling = StateGLMCoupling(model: template, weights: prior.weights)
        var loss = -priorScale * prior.logPrior
        gradientMatrix.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] = 0 }
        }
        for index in active {
            let sequence = sequences[index]
            let t = sequence.binCount
            var buffer = drives[t] ?? Matrix(rows: t, columns: width)
            drives[t] = nil
            coupling.drives(sequence, into: &buffer)
            posteriors[index].withUnsafeBufferPointer { gamma in
                template.configuration.emission.evaluate(
                    counts: sequence.counts, drives: &buffer, states: s, logLikelihood: &logLikelihood, weights: gamma.baseAddress!)
                for i in 0..<(t * s) { loss -= gamma[i] * logLikelihood[i] }
            }
            sequence.design.withUnsafeBufferPointer { a in
                buffer.withUnsafeBufferPointer { d in
                    gradientMatrix.withUnsafeMutableBufferPointer { c in
                        Double.gemm(
                            transA: true, transB: false, m: Int32(k), n: Int32(width), k: Int32(t), alpha: 1,
                            a: a.baseAddress!, lda: Int32(k), b: d.baseAddress!, ldb: Int32(width), beta: 1,
                            c: c.baseAddress!, ldc: Int32(width))
                    }
                }
            }
            drives[t] = buffer
        }
        // ∂loss/∂W_s[n ← n'] = −G[n', s·N + n]; the bias row is G[N, ·].
        var weightGradient = [Double](repeating: 0, count: s * n * n)
        var biasGradient = [Double](repeating: 0, count: template.bias.count)
        gradientMatrix.withUnsafeBufferPointer { g in
            for state in 0..<s {
                for target in 0..<n {
                    let column = state * n + target
                    for source in 0..<n { weightGradient[state * n * n + target * n + source] = -g[source * width + column] }
                    if template.configuration.perStateBias {
                        biasGradient[column] = -g[n * width + column]
                    } else {
                        biasGradient[target] -= g[n * width + column]
                    }
                }
            }
        }
        return (loss, biasGradient + prior.gradient(weightGradient: weightGradient, priorScale: priorScale))
    }
}

extension StateGLMModel {
    /// The flat parameter vector the M-step optimises: bias, then the prior's parameters.
    public var parameterVector: [Double] {
        get { flatParameters }
        set {
            precondition(newValue.count == flatParameters.count, "parameterVector: \(newValue.count) values, expected \(flatParameters.count)")
            flatParameters = newValue
        }
    }

    /// The M-step loss −Σ γ log p(x | z, θ) − priorScale · log prior(θ) at this model's parameters and
    /// its analytic gradient with respect to `parameterVector`. Stochastic weight modes draw their noise
    /// from `seed`, so the same seed gives the same loss (for finite-difference checks).
    public func mStepLoss(
        sequences: [StateGLMSequence], posteriors: [Matrix<Double>], priorScale: Double, mode: WeightMode, seed: UInt64 = 0
    ) -> (value: Double, gradient: [Double]) {
        precondition(sequences.count == posteriors.count, "mStepLoss: one posterior per sequence")
        let objective = StateGLMObjective(template: self, sequences: sequences, priorScale: priorScale)
        objective.posteriors = posteriors
        var generator = SeededGenerator(seed: seed)
        return objective.evaluate(flatParameters, mode: mode, generator: &generator)
    }
}
