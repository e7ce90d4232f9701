import Foundation
import Testing
@testable import NeuroCore

/// Discrete samplers: moments, per-value frequencies against the exact pmf, category frequencies.
@Suite struct RandomDiscreteTests {
    /// Frequencies of every value whose expected count is at least 200 against the exact pmf.
    static func expectPmf(_ x: [Int], _ label: String, logPmf: (Int) -> Double, sourceLocation: SourceLocation = #_sourceLocation) {
        var counts = [Int: Int]()
        for v in x { counts[v, default: 0] += 1 }
        var checked = 0
        for (value, _) in counts {
            let p = exp(logPmf(value))
            guard p * Double(x.count) >= 200 else { continue }
            RandomCheck.expectFrequency(counts[value] ?? 0, of: x.count, probability: p, "\(label) = \(value)", sourceLocation: sourceLocation)
            checked += 1
        }
        #expect(checked >= 5, "\(label): too few values checked", sourceLocation: sourceLocation)
    }

    @Test(arguments: [0.5, 8, 40, 1000])
    func poissonMoments(mean: Double) {
        var g = SeededGenerator(seed: 100 &+ UInt64(mean))
        let x = (0..<RandomCheck.draws).map { _ in g.poisson(mean: mean) }
        #expect(x.allSatisfy { $0 >= 0 })
        RandomCheck.expectMoments(x.map(Double.init), mean: mean, variance: mean, "Poisson(\(mean))")
        if mean >= 8 {
            Self.expectPmf(x, "Poisson(\(mean))") { k in -mean + Double(k) * log(mean) - lgamma(Double(k) + 1) }
        }
    }

    /// Inversion (n·p < 10) and BTRS cases, including p > 1/2 through the symmetry.
    @Test(arguments: [(20, 0.1), (1000, 0.003), (100, 0.3), (100_000, 0.7), (50, 0.5), (7, 0.9), (2_000_000, 1e-4)])
    func binomialMoments(trials: Int, probability p: Double) {
        var g = SeededGenerator(seed: 200 &+ UInt64(trials))
        let x = (0..<RandomCheck.draws).map { _ in g.binomial(trials: trials, probability: p) }
        #expect(x.allSatisfy { $0 >= 0 && $0 <= trials })
        let n = Double(trials)
        RandomCheck.expectMoments(x.map(Double.init), mean: n * p, variance: n * p * (1 - p), "Bin(\(trials), \(p))")
        if trials >= 20 && trials <= 100_000 {
            Self.expectPmf(x, "Bin(\(trials), \(p))") { k in
                let k = Double(k)
                return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log1p(-p)
            }
        }
    }

    @Test func binomialEdgeCases() {
        var g = SeededGenerator(seed: 300)
        #expect(g.binomial(trials: 0, probability: 0.3) == 0)
        #expect(g.binomial(trials: 10, probability: 0) == 0)
        #expect(g.binomial(trials: 10, probability: 1) == 10)
    }

    /// numpy's parametrisation: failures before the r-th success, mean r(1 − p)/p, variance r(1 − p)/p².
    @Test(arguments: [(0.5, 0.3), (3.7, 0.6), (20.0, 0.05), (1.0, 0.9)])
    func negativeBinomialMoments(successes r: Double, probability p: Double) {
        var g = SeededGenerator(seed: 400 &+ UInt64(r * 10))
        let x = (0..<RandomCheck.draws).map { _ in Double(g.negativeBinomial(successes: r, probability: p)) }
        RandomCheck.expectMoments(x, mean: r * (1 - p) / p, variance: r * (1 - p) / (p * p), "NB(\(r), \(p))")
        #expect(g.negativeBinomial(successes: 2, probability: 1) == 0)
    }

    @Test func bernoulliFrequency() {
        var g = SeededGenerator(seed: 500)
        let hits = (0..<RandomCheck.draws).filter { _ in g.bernoulli(probability: 0.137) }.count
        RandomCheck.expectFrequency(hits, of: RandomCheck.draws, probability: 0.137, "Bernoulli(0.137)")
        let never = g.bernoulli(probability: 0)
        let always = g.bernoulli(probability: 1)
        #expect(!never && always)
    }

    @Test func categoricalFrequencies() {
        // Unnormalised weights with a zero category.
        let weights = [0.5, 2, 0, 1.25, 0.25]
        let total = weights.reduce(0, +)
        var g = SeededGenerator(seed: 600)
        var counts = [Int](repeating: 0, count: weights.count)
        for _ in 0..<RandomCheck.draws { counts[g.categorical(probabilities: weights)] += 1 }
        #expect(counts[2] == 0)
        for i in weights.indices {
            RandomCheck.expectFrequency(counts[i], of: RandomCheck.draws, probability: weights[i] / total, "categorical \(i)")
        }
    }

    /// Log-weights around +1000 (exp overflows) with an impossible −∞ category.
    @Test func categoricalLogWeightFrequencies() {
        let probabilities = [0.1, 0.6, 0, 0.3]
        let logWeights = probabilities.map { $0 > 0 ? log($0) + 1000 : -Double.infinity }
        var g = SeededGenerator(seed: 700)
        var counts = [Int](repeating: 0, count: probabilities.count)
        for _ in 0..<RandomCheck.draws { counts[g.categorical(logWeights: logWeights)] += 1 }
        #expect(counts[2] == 0)
        for i in probabilities.indices {
            RandomCheck.expectFrequency(counts[i], of: RandomCheck.draws, probability: probabilities[i], "categorical(logWeights:) \(i)")
        }
        // Very negative weights must not underflow to an all-zero vector.
        var h = SeededGenerator(seed: 701)
        let low = (0..<1000).map { _ in h.categorical(logWeights: [-2000, -2000 + log(3.0)]) }
        RandomCheck.expectFrequency(low.filter { $0 == 1 }.count, of: 1000, probability: 0.75, "categorical low weights")
    }

    /// Cells: mean n·pᵢ, variance n·pᵢ(1 − pᵢ), covariance −n·pᵢpⱼ; counts always sum to n.
    @Test(arguments: [50, 1_000_000])
    func multinomialCells(trials: Int) {
        let p = [0.1, 0.25, 0, 0.4, 0.25]
        var g = SeededGenerator(seed: 800 &+ UInt64(trials))
        var cells = [[Double]](repeating: [], count: p.count)
        for _ in 0..<RandomCheck.draws {
            let counts = g.multinomial(trials: trials, probabilities: p)
            #expect(counts.reduce(0, +) == trials)
            for i in p.indices { cells[i].append(Double(counts[i])) }
        }
        let n = Double(trials)
        #expect(cells[2].allSatisfy { $0 == 0 })
        for i in p.indices where p[i] > 0 {
            RandomCheck.expectMoments(cells[i], mean: n * p[i], variance: n * p[i] * (1 - p[i]), "multinomial cell \(i)")
        }
        RandomCheck.expectCovariance(cells[0], cells[3], -n * p[0] * p[3], "multinomial cov(0, 3)")
        #expect(g.multinomial(trials: 0, probabilities: p) == [0, 0, 0, 0, 0])
        #expect(g.multinomial(trials: 9, probabilities: [0, 3, 0]) == [0, 9, 0])
    }
}
