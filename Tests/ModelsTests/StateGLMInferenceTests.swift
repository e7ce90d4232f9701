import Foundation
import Models
import Testing

/// Forward–backward, Viterbi, the history basis and the Concrete density (notes §D.2, item 1).
@Suite struct StateGLMInferenceTests {
    static func randomProblem(bins: Int, states: Int, seed: UInt64) -> (Matrix<Double>, [Double], Matrix<Double>) {
        var rng = SeededGenerator(seed: seed)
        let e = Matrix<Double>(rows: bins, columns: states) { _, _ in rng.normal(mean: -20, standardDeviation: 8) }
        let initial = rng.dirichlet([Double](repeating: 1, count: states)).map { Double.log($0) }
        var transition = Matrix<Double>(rows: states, columns: states)
        for i in 0..<states {
            let row = rng.dirichlet([Double](repeating: 1, count: states))
            for j in 0..<states { transition[i, j] = Double.log(row[j]) }
        }
        return (e, initial, transition)
    }

    @Test func logSpaceAndScaledAgree() {
        for seed in UInt64(1)...5 {
            let (e, initial, transition) = Self.randomProblem(bins: 200, states: 4, seed: seed)
            let a = ForwardBackward.logSpace(logEmissions: e, logInitial: initial, logTransition: transition, keepPairwise: true)
            let b = ForwardBackward.scaled(logEmissions: e, logInitial: initial, logTransition: transition, keepPairwise: true)
            #expect(abs(a.logLikelihood - b.logLikelihood) <= 1e-9 * abs(a.logLikelihood))
            #expect(a.posteriors.maxAbsDifference(b.posteriors) < 1e-10)
            #expect(a.transitionCounts.maxAbsDifference(b.transitionCounts) < 1e-8)
            #expect(a.pairwise!.maxAbsDifference(b.pairwise!) < 1e-10)
        }
    }

    @Test func posteriorsAreNormalisedAndConsistent() {
        let (e, initial, transition) = Self.randomProblem(bins: 100, states: 3, seed: 9)
        let p = ForwardBackward.scaled(logEmissions: e, logInitial: initial, logTransition: transition, keepPairwise: true)
        for t in 0..<100 { #expect(abs(p.posteriors.row(t).reduce(0, +) - 1) < 1e-12) }
        let xi = p.pairwise!
        for t in 0..<99 {
            #expect(abs(xi.row(t).reduce(0, +) - 1) < 1e-12)
            // Marginalising ξ_t over the next state gives γ_t, over the previous state γ_{t+1}.
            for i in 0..<3 {
                #expect(abs((0..<3).reduce(0) { $0 + xi[t, i * 3 + $1] } - p.posteriors[t, i]) < 1e-10)
                #expect(abs((0..<3).reduce(0) { $0 + xi[t, $1 * 3 + i] } - p.posteriors[t + 1, i]) < 1e-10)
            }
        }
    }

    /// Brute force over all S^T paths: the marginal likelihood, γ, and the best path.
    @Test func viterbiAndLikelihoodEqualBruteForce() {
        for seed in UInt64(11)...14 {
            let (bins, states) = (6, 3)
            let (e, initial, transition) = Self.randomProblem(bins: bins, states: states, seed: seed)
            var best = -Double.infinity, bestPath: [Int] = []
            var joint: [Double] = [], gamma = Matrix<Double>(rows: bins, columns: states)
            var paths: [[Int]] = []
            var total = 1
            for _ in 0..<bins { total *= states }
            for code in 0..<total {
                var c = code, path = [Int]()
                for _ in 0..<bins { path.append(c % states); c /= states }
                var lp = initial[path[0]] + e[0, path[0]]
                for t in 1..<bins { lp += transition[path[t - 1], path[t]] + e[t, path[t]] }
                joint.append(lp)
                paths.append(path)
                if lp > best { best = lp; bestPath = path }
            }
            let m = joint.max()!
            let logZ = m + Double.log(joint.reduce(0) { $0 + Double.exp($1 - m) })
            for (path, lp) in zip(paths, joint) {
                for t in 0..<bins { gamma[t, path[t]] += Double.exp(lp - logZ) }
            }
            let v = ForwardBackward.viterbi(logEmissions: e, logInitial: initial, logTransition: transition)
            #expect(v.path == bestPath)
            #expect(abs(v.logProbability - best) < 1e-9)
            let p = ForwardBackward.logSpace(logEmissions: e, logInitial: initial, logTransition: transition)
            #expect(abs(p.logLikelihood - logZ) < 1e-9)
            #expect(p.posteriors.maxAbsDifference(gamma) < 1e-10)
        }
    }

    @Test func historyFeaturesMatchExplicitLoop() throws {
        let basis = try HistoryBasis.exponential(length: 5, decay: 1)
        let expected = [0.636, 0.234, 0.086, 0.032, 0.012]
        for (a, b) in zip(basis.weights, expected) { #expect(abs(a - b) < 1e-3) }
        var rng = SeededGenerator(seed: 3)
        let counts = Matrix<Double>(rows: 30, columns: 4) { _, _ in Double(rng.poisson(mean: 1)) }
        let design = basis.designMatrix(counts)
        #expect(design.rows == 30 && design.columns == 5)
        for t in 0..<30 {
            for n in 0..<4 {
                var h = 0.0
                for k in 1...5 where t - k >= 0 { h += basis.weights[k - 1] * counts[t - k, n] }
                #expect(abs(design[t, n] - h) < 1e-12)
            }
            #expect(design[t, 4] == 1)
        }
        #expect(design.row(0).prefix(4).allSatisfy { $0 == 0 })
    }

    /// ∫ p(a) da over the simplex, in softmax-logit coordinates (Jacobian a₁a₂a₃), on a fine grid.
    @Test(arguments: [(1.0, [0.2, 0.5, 0.3]), (0.5, [0.1, 0.8, 0.1]), (2.0, [0.6, 0.2, 0.2])])
    func concreteDensityIntegratesToOne(temperature: Double, probabilities: [Double]) {
        let half = 30 / temperature, step = 0.04 / temperature * 2
        var total = 0.0
        var y1 = -half
        let logAlpha = probabilities.map { Double.log($0) }
        while y1 <= half {
            var y2 = -half
            while y2 <= half {
                let m = max(0, max(y1, y2))
                let lse = m + Double.log(Double.exp(y1 - m) + Double.exp(y2 - m) + Double.exp(-m))
                let logA = [y1 - lse, y2 - lse, -lse]
                let logP = ConcreteDistribution.logDensity(logPoint: logA, logProbabilities: logAlpha, temperature: temperature)
                total += Double.exp(logP + logA[0] + logA[1] + logA[2]) * step * step
                y2 += step
            }
            y1 += step
        }
        #expect(abs(total - 1) < 2e-3, "τ = \(temperature): ∫p = \(total)")
        // Linear and log forms agree.
        let a = [0.2, 0.3, 0.5]
        let linear = ConcreteDistribution.logDensity(point: a, probabilities: probabilities, temperature: temperature)
        let k = 3.0
        let direct = Double.log(2) + (k - 1) * Double.log(temperature)
            + (0..<3).reduce(0) { $0 + Double.log(probabilities[$1] * Double.pow(a[$1], -temperature - 1)) }
            - k * Double.log((0..<3).reduce(0) { $0 + probabilities[$1] * Double.pow(a[$1], -temperature) })
        #expect(abs(linear - direct) < 1e-10)
    }

    @Test func basisRejectsBadParameters() {
        #expect(throws: ParameterError.self) { try HistoryBasis.exponential(length: 0) }
        #expect(throws: ParameterError.self) { try HistoryBasis.exponential(length: 3, decay: -1) }
        #expect(throws: ParameterError.self) { try HistoryBasis(weights: [1, .nan]) }
    }
}
