import Foundation
import Models
import Testing

/// The fast M-step path (bins gathered per state with γ ≥ 1e−10, vectorised element kernels, pieces
/// spread over the cores) against the plain dense sum, and the one-hot MAP type decision.
@Suite struct StateGLMSpeedPathTests {
    /// Posteriors of the true model on its own data: peaked, so some (bin, state) pairs fall below the cutoff.
    static func peakedProblem() throws -> (StateGLMModel, [StateGLMSequence], [Matrix<Double>], StateGLMSimulation.Result) {
        let sim = try StateGLMFitTests.smallSimulation()
        let truth = try sim.trueModel()
        let sequences = try sim.counts.map { try StateGLMSequence(counts: $0, basis: sim.simulation.basis, emission: sim.simulation.emission) }
        return (truth, sequences, sequences.map { truth.posterior($0).posteriors }, sim)
    }

    @Test func sparseAndParallelMStepEqualTheDenseSum() throws {
        let (truth, sequences, posteriors, sim) = try Self.peakedProblem()
        let below = posteriors.reduce(0) { $0 + $1.elements.filter { $0 < 1e-10 }.count }
        let total = posteriors.reduce(0) { $0 + $1.elements.count }
        #expect(below > 0 && below < total, "\(below) of \(total) posteriors below the cutoff")
        // A naive model with the true weights: its M-step loss is −Σ γ log p (no prior term).
        let naive = try StateGLMModel(
            configuration: truth.configuration, prior: NaivePrior(), neurons: truth.neurons, bias: truth.bias,
            priorParameters: sim.truth.weights)
        let serial = naive.mStepLoss(sequences: sequences, posteriors: posteriors, priorScale: 1, mode: .expected)
        let parallel = naive.mStepLoss(sequences: sequences, posteriors: posteriors, priorScale: 1, mode: .expected, parallel: true)
        #expect(abs(parallel.value - serial.value) <= 1e-11 * abs(serial.value))
        let gradientGap = zip(parallel.gradient, serial.gradient).map { abs($0 - $1) }.max()!
        #expect(gradientGap < 1e-9, "parallel and serial gradients differ by \(gradientGap)")
        // The dense sum over every bin and state, count constants (−log x!) removed.
        var dense = 0.0
        for (sequence, gamma) in zip(sequences, posteriors) {
            let logEmissions = naive.logEmissions(sequence)
            for t in 0..<sequence.binCount {
                let constant = (0..<sequence.neuronCount).reduce(0.0) { $0 - lgamma(sequence.counts[t, $1] + 1) }
                for s in 0..<naive.states { dense -= gamma[t, s] * (logEmissions[t, s] - constant) }
            }
        }
        #expect(abs(serial.value - dense) < 1e-6, "cutoff changed the loss by \(serial.value - dense)")
    }

    /// Spurious weak couplings typed "exc" on pairs the truth leaves empty are all dropped by the MAP
    /// decision; the true couplings of strength ≥ 1 stay (all but ≤ 5 %).
    @Test func mapTypeDecisionDropsSpuriousWeakCouplingsOnly() throws {
        let (truth, sequences, posteriors, sim) = try Self.peakedProblem()
        let s = truth.states, n = truth.neurons, m = n * n
        let prior = OneHotPrior()
        var parameters = prior.parameters(approximating: sim.truth.weights, states: s, neurons: n, threshold: 0)
        var spurious: [Int] = []
        // Pairs the truth leaves empty in every state (the learned-prior log-odds then favour "none").
        let emptyPairs = Set((0..<m).filter { pair in (0..<s).allSatisfy { sim.truth.weights[$0 * m + pair] == 0 } })
        for idx in 0..<(s * m) where emptyPairs.contains(idx % m) {
            parameters[idx * 3] = 0
            parameters[idx * 3 + 1] = 0
            parameters[idx * 3 + 2] = 4
            parameters[s * m * 3 + idx] = log(expm1(0.03))   // softplus⁻¹(0.03)
            spurious.append(idx)
        }
        #expect(spurious.count >= 10, "\(spurious.count) spurious couplings")
        let model = try StateGLMModel(
            configuration: truth.configuration, prior: prior, neurons: n, bias: truth.bias, priorParameters: parameters,
            transition: truth.transition)
        let decision = prior.pruningHardTypes(of: model, sequences: sequences, posteriors: posteriors)
        let types = prior.hardTypes(decision.parameters, states: s, neurons: n)
        let stillTyped = spurious.filter { types[$0] != 0 }
        #expect(stillTyped.isEmpty, "spurious couplings kept: \(stillTyped)")
        // A strong coupling can still be dropped when the data cannot see it (a saturated sigmoid, a
        // silent presynaptic neuron); the MAP decision may do so, but only rarely.
        let strong = (0..<(s * m)).filter { abs(sim.truth.weights[$0]) >= 1 }
        let strongLost = strong.filter { types[$0] == 0 }
        #expect(Double(strongLost.count) <= 0.05 * Double(strong.count), "\(strongLost.count) of \(strong.count) strong couplings dropped")
        #expect(decision.dropped >= spurious.count)
    }
}
