import Foundation
import Models
import Testing

/// Generalised EM: monotone objective for deterministic priors, recovery on the reference simulator at
/// small sizes (fixed seeds), error paths.
@Suite struct StateGLMFitTests {
    /// A small version of the reference generator: 3 states, 10 neurons, denser coupling (α ~ Dir(1, 1, 1)),
    /// 8 sequences of 300 bins. The true model itself labels 99.2 % of held-out bins correctly.
    static func smallSimulation(seed: UInt64 = 21, sequences: Int = 8, bins: Int = 300) throws -> StateGLMSimulation.Result {
        try StateGLMSimulation(
            states: 3, neurons: 10, binsPerSequence: bins, sequences: sequences, typeConcentration: [1, 1, 1]
        ).simulate(seed: seed)
    }

    static func configuration(_ sim: StateGLMSimulation.Result) -> StateGLMConfiguration {
        StateGLMConfiguration(states: sim.simulation.states, basis: sim.simulation.basis, emission: sim.simulation.emission)
    }

    /// Only for naive and Gaussian: the one-hot MAP objective is unbounded above (the Concrete density
    /// diverges at the simplex vertices), and the reference's guard that halves saturated logits is
    /// what keeps it finite, so it cannot be monotone.
    @Test(arguments: ["naive-adam", "naive-lbfgs", "gaussian-adam", "gaussian-lbfgs"])
    func objectiveNeverDecreases(variant: String) throws {
        let sim = try Self.smallSimulation(sequences: 3, bins: 300)
        let prior: any InteractionPrior
        if variant.hasPrefix("naive") {
            prior = NaivePrior()
        } else {
            prior = GaussianPrior()
        }
        let optimizer: StateGLMFitOptions.Optimizer = variant.hasSuffix("adam") ? .adam(steps: 20, learningRate: 0.02) : .lbfgs(iterations: 15, memory: 8)
        let fit = try StateGLMFitter(
            configuration: Self.configuration(sim), prior: prior, options: StateGLMFitOptions(epochs: 6, optimizer: optimizer, seed: 3)
        ).fit(Array(sim.counts))
        #expect(fit.objectiveTrace.count == 7)
        for (a, b) in zip(fit.objectiveTrace, fit.objectiveTrace.dropFirst()) {
            #expect(b >= a - 1e-7 * abs(a), "\(variant): objective fell from \(a) to \(b)")
        }
        #expect(fit.objectiveTrace.last! > fit.objectiveTrace.first! + 1)
    }

    static func recovery(_ prior: any InteractionPrior, options: StateGLMFitOptions) throws -> StateGLMRecovery {
        let sim = try Self.smallSimulation()
        let training = Array(0..<6), heldOut = [6, 7]
        let fit = try StateGLMFitter(configuration: Self.configuration(sim), prior: prior, options: options)
            .fit(training.map { sim.counts[$0] })
        return try StateGLMRecovery(fit: fit.model, simulation: sim, training: training, heldOut: heldOut)
    }

    @Test func naiveRecoversStates() throws {
        let r = try Self.recovery(NaivePrior(), options: StateGLMFitOptions(epochs: 8, optimizer: .lbfgs(iterations: 30, memory: 10), restarts: 2, seed: 0))
        #expect(r.stateAccuracy >= 0.95, "state accuracy \(r.stateAccuracy)")
        #expect(abs(r.heldOutLogLikelihoodPerBin / r.trueHeldOutLogLikelihoodPerBin - 1) < 0.03)
        #expect(r.weightCorrelation > 0.8, "weight correlation \(r.weightCorrelation)")
        #expect(r.typeThreshold != nil)
    }

    @Test func gaussianRecoversStates() throws {
        // The prior counted once for all 6 sequences: at 300 bins × 10 neurons per sequence, the
        // reference's per-sequence weighting (σ = 1/3) would shrink these strong weights too much.
        let r = try Self.recovery(
            GaussianPrior(), options: StateGLMFitOptions(epochs: 6, optimizer: .lbfgs(iterations: 25, memory: 10), seed: 1, priorScale: 1))
        #expect(r.stateAccuracy >= 0.95, "state accuracy \(r.stateAccuracy)")
        #expect(abs(r.heldOutLogLikelihoodPerBin / r.trueHeldOutLogLikelihoodPerBin - 1) < 0.03)
    }

    @Test func oneHotRecoversStatesAndTypes() throws {
        let r = try Self.recovery(
            OneHotPrior(), options: StateGLMFitOptions(
                epochs: 6, optimizer: .adam(steps: 40, learningRate: 0.05), seed: 1,
                warmStart: .init(prior: GaussianPrior(), epochs: 4)))
        #expect(r.stateAccuracy >= 0.95, "state accuracy \(r.stateAccuracy)")
        #expect(abs(r.heldOutLogLikelihoodPerBin / r.trueHeldOutLogLikelihoodPerBin - 1) < 0.03)
        #expect(r.typeThreshold == nil)
        #expect(r.typeAccuracy > 0.55, "type accuracy \(r.typeAccuracy)")
        #expect(r.priorAgreement != nil)
    }

    @Test func rejectsBadSettingsAndData() throws {
        let sim = try Self.smallSimulation(sequences: 2, bins: 50)
        let configuration = Self.configuration(sim)
        var bad = configuration
        bad.states = 0
        #expect(throws: ParameterError.self) { try StateGLMFitter(configuration: bad, prior: NaivePrior()).fit(sim.counts) }
        #expect(throws: ParameterError.self) {
            try StateGLMFitter(configuration: configuration, prior: OneHotPrior(), options: StateGLMFitOptions(optimizer: .lbfgs(iterations: 5, memory: 3))).fit(sim.counts)
        }
        #expect(throws: ParameterError.self) {
            try StateGLMFitter(configuration: configuration, prior: NaivePrior(), options: StateGLMFitOptions(restarts: 0)).fit(sim.counts)
        }
        // Mismatched neuron counts between sequences.
        let other = Matrix<Double>(rows: 50, columns: 4)  // 4 neurons instead of 10
        #expect(throws: ParameterError.self) { try StateGLMFitter(configuration: configuration, prior: NaivePrior()).fit([sim.counts[0], other]) }
        // Negative or fractional counts; non-binary counts for Bernoulli.
        var negative = sim.counts[0]
        negative[3, 2] = -1
        #expect(throws: ParameterError.self) { try StateGLMFitter(configuration: configuration, prior: NaivePrior()).fit([negative]) }
        var bernoulli = configuration
        bernoulli.emission = StateGLMEmission(likelihood: .bernoulli, link: .sigmoid)
        var twos = sim.counts[0]
        twos[0, 0] = 2
        #expect(throws: ParameterError.self) { try StateGLMFitter(configuration: bernoulli, prior: NaivePrior()).fit([twos]) }
        #expect(throws: ParameterError.self) { try StateGLMSimulation(states: 0).simulate(seed: 1) }
        #expect(throws: ParameterError.self) {
            try StateGLMModel(configuration: configuration, prior: NaivePrior(), neurons: 10, bias: [0], priorParameters: [])
        }
        #expect(throws: ParameterError.self) {
            try StateGLMModel(
                configuration: configuration, prior: NaivePrior(), neurons: 10, bias: [Double](repeating: 0, count: 10),
                priorParameters: [Double](repeating: 0, count: 300), transition: Matrix(rows: 3, columns: 3, repeating: 0.5))
        }
    }

    @Test func simulatorMatchesTheReferenceSettings() throws {
        let sim = try StateGLMSimulation(binsPerSequence: 500, sequences: 4).simulate(seed: 2)
        let n = 20
        let offDiagonal = sim.truth.weights.enumerated().filter { ($0.offset % 400) / n != $0.offset % n }
        let density = Double(offDiagonal.filter { $0.element != 0 }.count) / Double(offDiagonal.count)
        #expect(density > 0.15 && density < 0.28, "density \(density)")
        let rate = sim.counts.reduce(0) { $0 + $1.elements.reduce(0, +) } / Double(4 * 500 * n)
        #expect(rate > 0.3 && rate < 0.7, "mean count \(rate)")
        #expect(sim.truth.states.count == 4 && sim.truth.states[0].count == 500)
        // Same seed, same data.
        let again = try StateGLMSimulation(binsPerSequence: 500, sequences: 4).simulate(seed: 2)
        #expect(again.counts == sim.counts)
    }
}
