import Foundation
import Models
import Testing

/// The Gaussian prior with a learned standard deviation (the reference's `update_weight_prior_std`).
@Suite struct StateGLMGaussianScaleTests {
    @Test func learnedScaleGradientsMatchFiniteDifferences() throws {
        let prior = GaussianPrior(learnsStandardDeviation: true)
        let (model, sequences, gammas) = try StateGLMGradientTests.problem(
            emission: StateGLMEmission(), perStateBias: false, prior: prior, seed: 11)
        #expect(model.parameterVector.count == model.bias.count + 3 * 9 + 1)
        StateGLMGradientTests.check(model, sequences, gammas, mode: .expected)
    }

    @Test func projectionSetsTheScaleToThePooledSpreadNeverBelowTheFloor() {
        let prior = GaussianPrior(standardDeviation: 1.0 / 3.0, learnsStandardDeviation: true)
        // Two states, two neurons: W_1 = +1, W_2 = −1 everywhere → W̄ = 0, pooled RMS 1.
        var p = [1.0, 1, 1, 1, -1, -1, -1, -1] + [Double](repeating: 0.7, count: 4) + [0.0]
        prior.project(&p, states: 2, neurons: 2)
        #expect(Array(p[8..<12]) == [0, 0, 0, 0])
        #expect(abs(prior.currentStandardDeviation(p, states: 2, neurons: 2) - 1) < 1e-12)
        // Identical states: the spread is 0 and σ stays at the floor (the fixed σ of the reference).
        var same = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5] + [Double](repeating: 0, count: 4) + [2.0]
        prior.project(&same, states: 2, neurons: 2)
        #expect(abs(prior.currentStandardDeviation(same, states: 2, neurons: 2) - 1.0 / 3.0) < 1e-12)
        #expect(prior.sharedStructure(same, states: 2, neurons: 2)["standard_deviation"]?.values.count == 1)
        // The fixed-σ prior keeps the reference's layout.
        #expect(GaussianPrior().parameterCount(states: 2, neurons: 2) == 12)
    }
}
