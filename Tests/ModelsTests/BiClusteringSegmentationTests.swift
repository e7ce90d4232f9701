import Foundation
import Testing
@testable import Models

/// The burn-in restart's segmentation (`SwitchingAutoregression`, a 2-state sticky AR-HMM fitted by EM):
/// it must recover a planted switching autoregression, be a deterministic function of its inputs and the
/// chain's seed, and reject bad settings with typed errors.
@Suite struct BiClusteringSegmentationTests {
    /// Planted: the paper's simulation latents (T = 500, D = 9; regime 0 near-white noise, regime 1 a slowly
    /// expanding rotation). From the excursion rule and 4 random run-length starts, the Viterbi path has
    /// ARI ≥ 0.85 with the true sequence (measured 0.984; the one-shot excursion rule on these latents: 0.732).
    @Test func recoversAPlantedSwitchingAutoregression() throws {
        let data = try BiClusteringSimulation().simulate(seed: 0)
        let bins = 500
        var g = SeededGenerator(seed: 3)
        let excursions = BiClusteringChain.excursionStates(latents: data.latents, bins: bins)
        var initial = [excursions]
        for _ in 0..<4 { initial.append(SwitchingAutoregression.randomRuns(bins: bins, states: 2, meanRun: 25, generator: &g)) }
        let fit = try SwitchingAutoregression().segment(latents: data.latents, bins: bins, initial: initial)
        let ari = try Metrics.adjustedRandIndex(data.states, fit.states)
        let baseline = try Metrics.adjustedRandIndex(data.states, excursions)
        #expect(ari >= 0.85, "AR-HMM state ARI \(ari) (excursion rule \(baseline))")
        #expect(ari > baseline + 0.1)
        #expect(fit.logLikelihood.isFinite)
        // Best of the candidates: no single start does better than the one chosen.
        for start in initial {
            let one = try SwitchingAutoregression().segment(latents: data.latents, bins: bins, initial: [start])
            #expect(one.logLikelihood <= fit.logLikelihood + 1e-9)
        }
    }

    /// A small planted 1-D switching AR in runs of 40 bins: regime 0 x_t = 0.8 x_{t−1} + 0.1 ε, regime 1
    /// x_t = −0.8 x_{t−1} + 0.1 ε (a one-step prediction differs by 1.6|x|, about 2.7 noise sd at the
    /// stationary spread; bins with x near 0 are ambiguous, so the recovered ARI is 0.85 rather than 1).
    @Test func segmentsAOneDimensionalPlantedSequence() throws {
        var g = SeededGenerator(seed: 5)
        let bins = 300
        var truth = [Int](), x = [Double]()
        var value = 0.0
        for t in 0..<bins {
            let s = (t / 40) % 2
            truth.append(s)
            value = (s == 0 ? 0.8 : -0.8) * value + 0.1 * g.standardNormal()
            x.append(value)
        }
        var initial = [[Int]]()
        for _ in 0..<3 { initial.append(SwitchingAutoregression.randomRuns(bins: bins, states: 2, meanRun: 25, generator: &g)) }
        let fit = try SwitchingAutoregression().segment(latents: x, bins: bins, initial: initial)
        let ari = try Metrics.adjustedRandIndex(truth, fit.states)
        #expect(ari >= 0.8, "ARI \(ari)")
        // A single random start that is EM-fitted does no better than the best of three.
        let single = try SwitchingAutoregression().segment(latents: x, bins: bins, initial: [initial[0]])
        #expect(single.logLikelihood <= fit.logLikelihood + 1e-9)
    }

    /// The restart with `.switchingAutoregression` is a deterministic function of the chain's seed, and
    /// it records the sequence it set.
    @Test func restartSegmentationIsDeterministicFromTheSeed() throws {
        var sim = BiClusteringSimulation()
        sim.bins = 120
        sim.neurons = 12
        let data = try sim.simulate(seed: 4)
        var config = BiClusteringConfiguration()
        config.sweeps = 4
        config.burnIn = 3
        config.initialStates = .excursions
        config.stateRestartSweep = 2
        config.restartSegmentation = .switchingAutoregression
        config.restartSegmentationStarts = 3
        config.restartScreeningSweeps = 2
        config.restartScreeningRange = 4
        config.restartScreeningStep = 2
        config.sharedDispersion = true
        func run(_ seed: UInt64) throws -> BiClusteringFit {
            try BiClustering(configuration: config).fit(data.counts, seed: seed)
        }
        let a = try run(9), b = try run(9)
        #expect(a.restartStates == b.restartStates)
        #expect(a.restartStates.count == 1 && a.restartStates[0].count == 120)
        #expect(Set(a.restartStates[0]).count <= 2)
        #expect(a.stateLabels == b.stateLabels)
        #expect(a.chainSummaries[0].logLikelihoodTrace == b.chainSummaries[0].logLikelihoodTrace)
        config.restartSegmentation = .excursions
        let c = try BiClustering(configuration: config).fit(data.counts, seed: 9)
        #expect(c.restartStates[0].count == 120)
    }

    /// The screening's sequence edits: short runs merge into their neighbour; a change point moves by δ
    /// but stays strictly inside its window.
    @Test func changePointEditsKeepTheirWindows() {
        #expect(BiClusteringChain.mergingShortRuns([0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], minimumRun: 3) == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(BiClusteringChain.mergingShortRuns([1, 0, 0, 0, 0], minimumRun: 2) == [0, 0, 0, 0, 0])
        let s = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
        let windows = [(lo: 1, hi: 7), (lo: 8, hi: 14)]
        #expect(BiClusteringChain.shiftingChangePoints(s, changes: [5, 10], windows: windows, delta: -2)
            == [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(BiClusteringChain.shiftingChangePoints(s, changes: [5, 10], windows: windows, delta: 9)
            == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0])
    }

    @Test func rejectsBadSettingsWithTypedErrors() throws {
        var config = BiClusteringConfiguration()
        config.restartSegmentationStarts = -1
        #expect(throws: ParameterError.self) { try config.validate() }
        for edit in [{ (c: inout BiClusteringConfiguration) in c.restartScreeningSweeps = -1 },
                     { $0.restartScreeningRange = -1 }, { $0.restartScreeningStep = 0 }, { $0.restartScreeningRounds = 0 }] {
            var c = BiClusteringConfiguration()
            edit(&c)
            #expect(throws: ParameterError.self) { try c.validate() }
        }
        var model = SwitchingAutoregression()
        model.states = 0
        #expect(throws: ParameterError.self) { try model.validate() }
        model = SwitchingAutoregression()
        model.scale = 0
        #expect(throws: ParameterError.self) { try model.segment(latents: [Double](repeating: 0, count: 20), bins: 10, initial: [[Int](repeating: 0, count: 10)]) }
        model = SwitchingAutoregression()
        // Sizes and labels of the data and of the initial sequences.
        #expect(throws: BiClusteringError.self) { try model.segment(latents: [Double](repeating: 0, count: 21), bins: 10, initial: [[Int](repeating: 0, count: 10)]) }
        #expect(throws: BiClusteringError.self) { try model.segment(latents: [Double](repeating: 0, count: 20), bins: 10, initial: []) }
        #expect(throws: BiClusteringError.self) { try model.segment(latents: [Double](repeating: 0, count: 20), bins: 10, initial: [[Int](repeating: 2, count: 10)]) }
        #expect(throws: BiClusteringError.self) { try model.segment(latents: [Double](repeating: 0, count: 20), bins: 10, initial: [[Int](repeating: 0, count: 9)]) }
        // The diagnostic start of the state sequence only.
        let data = try BiClusteringSimulation().simulate(seed: 1)
        var short = BiClusteringConfiguration()
        short.sweeps = 2
        short.burnIn = 1
        #expect(throws: BiClusteringError.self) {
            try BiClustering(configuration: short).fit(data.counts, seed: 1, startStates: [Int](repeating: 0, count: 499))
        }
        #expect(throws: BiClusteringError.self) {
            try BiClustering(configuration: short).fit(data.counts, seed: 1, startStates: [Int](repeating: 10, count: 500))
        }
    }
}
