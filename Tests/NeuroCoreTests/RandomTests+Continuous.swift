import Foundation
import Testing
@testable import NeuroCore

/// Univariate continuous samplers: mean and variance of 100,000 fixed-seed draws against closed forms.
@Suite struct RandomContinuousTests {
    @Test func uniformMoments() {
        let x = RandomCheck.sample(seed: 1) { $0.uniform(in: -2.0..<5.0) }
        #expect(x.allSatisfy { $0 >= -2 && $0 < 5 })
        RandomCheck.expectMoments(x, mean: 1.5, variance: 49.0 / 12, "uniform[-2, 5)")
        let y = RandomCheck.sample(seed: 2) { $0.uniform(in: 10.0...10.5) }
        #expect(y.allSatisfy { $0 >= 10 && $0 <= 10.5 })
        RandomCheck.expectMoments(y, mean: 10.25, variance: 0.25 / 12, "uniform[10, 10.5]")
        var g = SeededGenerator(seed: 3)
        #expect(g.uniform(in: 4.0...4.0) == 4)
    }

    /// Moments plus tail frequencies, which exercise the ziggurat's wedges and its tail beyond r.
    @Test func standardNormalMomentsAndTails() {
        let x = RandomCheck.sample(seed: 4) { $0.standardNormal() }
        RandomCheck.expectMoments(x, mean: 0, variance: 1, "N(0, 1)")
        for threshold in [0.5, 1, 2, 3, NormalZiggurat.r] {
            let hits = x.filter { abs($0) > threshold }.count
            RandomCheck.expectFrequency(
                hits, of: x.count, probability: 2 * RandomCheck.normalTail(threshold), "P(|Z| > \(threshold))")
        }
        let positive = x.filter { $0 > 0 }.count
        RandomCheck.expectFrequency(positive, of: x.count, probability: 0.5, "P(Z > 0)")
        // Odd moment: E[Z³] = 0 with SE √(15/n).
        let third = x.reduce(0) { $0 + $1 * $1 * $1 } / Double(x.count)
        #expect(abs(third) <= 4 * (15.0 / Double(x.count)).squareRoot())
    }

    @Test func normalWithMeanAndDeviation() {
        let x = RandomCheck.sample(seed: 5) { $0.normal(mean: -3, standardDeviation: 2.5) }
        RandomCheck.expectMoments(x, mean: -3, variance: 6.25, "N(-3, 2.5²)")
        var g = SeededGenerator(seed: 6)
        #expect(g.normal(mean: 1.25, standardDeviation: 0) == 1.25)
    }

    @Test func exponentialAndChiSquaredMoments() {
        let e = RandomCheck.sample(seed: 7) { $0.exponential(rate: 2.5) }
        RandomCheck.expectMoments(e, mean: 0.4, variance: 0.16, "Exp(2.5)")
        let c = RandomCheck.sample(seed: 8) { $0.chiSquared(degreesOfFreedom: 3.5) }
        RandomCheck.expectMoments(c, mean: 3.5, variance: 7, "χ²(3.5)")
    }

    @Test(arguments: [0.1, 0.5, 1, 3.7, 50])
    func gammaMoments(shape: Double) {
        let x = RandomCheck.sample(seed: 10 &+ UInt64(shape * 10)) { $0.gamma(shape: shape, scale: 2) }
        #expect(x.allSatisfy { $0 >= 0 && $0.isFinite })
        RandomCheck.expectMoments(x, mean: 2 * shape, variance: 4 * shape, "Gamma(\(shape), 2)")
    }

    /// log G for tiny shapes: E[log G] = ψ(a) and Var = ψ′(a), with ψ(a) = ψ(1 + a) − 1/a,
    /// ψ′(a) = ψ′(1 + a) + 1/a² and ψ(1 + ε) = −γ + ζ(2)ε − ζ(3)ε², ψ′(1 + ε) = ζ(2) − 2ζ(3)ε + 3ζ(4)ε².
    @Test(arguments: [0.001, 0.02])
    func logGammaTinyShape(shape a: Double) {
        let zeta2 = Double.pi * Double.pi / 6
        let zeta3 = 1.202_056_903_159_594_3
        let zeta4 = pow(Double.pi, 4) / 90
        let eulerGamma = 0.577_215_664_901_532_9
        let digamma = -eulerGamma + zeta2 * a - zeta3 * a * a - 1 / a
        let trigamma = zeta2 - 2 * zeta3 * a + 3 * zeta4 * a * a + 1 / (a * a)
        let x = RandomCheck.sample(seed: 20) { $0.logGamma(shape: a) }
        #expect(x.allSatisfy { $0.isFinite })
        RandomCheck.expectMoments(x, mean: digamma, variance: trigamma, "log Gamma(\(a))")
    }

    @Test(arguments: [(0.5, 0.5), (2.0, 5.0), (0.05, 3.0), (30.0, 70.0), (0.3, 0.02)])
    func betaMoments(a: Double, b: Double) {
        let x = RandomCheck.sample(seed: 30 &+ UInt64(a * 100 + b)) { $0.beta(a, b) }
        #expect(x.allSatisfy { $0 >= 0 && $0 <= 1 })
        let s = a + b
        RandomCheck.expectMoments(x, mean: a / s, variance: a * b / (s * s * (s + 1)), "Beta(\(a), \(b))")
    }

    @Test func gumbelMoments() {
        let x = RandomCheck.sample(seed: 40) { $0.gumbel(location: 1.5, scale: 0.7) }
        let eulerGamma = 0.577_215_664_901_532_9
        RandomCheck.expectMoments(
            x, mean: 1.5 + 0.7 * eulerGamma, variance: Double.pi * Double.pi * 0.49 / 6, "Gumbel(1.5, 0.7)")
    }

    /// (mean, σ, lower, upper), one per branch of the sampler: far one-sided tail, narrow interval
    /// around the mean, interval far in the tail, mirrored lower tail, wide interval, narrow and wide
    /// intervals starting near 0, narrow interval starting in the tail.
    static let truncatedCases: [(Double, Double, Double, Double)] = [
        (0, 1, 3, .infinity),
        (1, 2, 0.5, 1.5),
        (0, 1, 6, 6.5),
        (-1, 0.5, -.infinity, -3.5),
        (2, 0.5, 1.9, 10),
        (0, 1, 0.2, 0.6),
        (0, 1, 0.1, 3),
        (0, 1, 0.7, 1.2),
    ]

    @Test(arguments: truncatedCases)
    func truncatedNormalMoments(mean: Double, sd: Double, lower: Double, upper: Double) {
        let seed = 50 &+ UInt64(abs(lower.isFinite ? lower : 33) * 100 + abs(upper.isFinite ? upper : 77) * 10)
        let x = RandomCheck.sample(seed: seed) {
            $0.truncatedNormal(mean: mean, standardDeviation: sd, lower: lower, upper: upper)
        }
        #expect(x.allSatisfy { $0 >= lower && $0 <= upper })
        // Standardised bounds; the mass Z from whichever tail keeps relative accuracy.
        let a = (lower - mean) / sd
        let b = (upper - mean) / sd
        let z = a > 0 ? RandomCheck.normalTail(a) - RandomCheck.normalTail(b)
            : RandomCheck.normalCDF(b) - RandomCheck.normalCDF(a)
        let pa = RandomCheck.normalDensity(a)
        let pb = RandomCheck.normalDensity(b)
        let apa = a.isInfinite ? 0 : a * pa
        let bpb = b.isInfinite ? 0 : b * pb
        let shift = (pa - pb) / z
        let expectedMean = mean + sd * shift
        let expectedVariance = sd * sd * (1 + (apa - bpb) / z - shift * shift)
        RandomCheck.expectMoments(
            x, mean: expectedMean, variance: expectedVariance, "TN(\(mean), \(sd); [\(lower), \(upper)])")
    }

    /// 40 standard deviations out, where Φ underflows: moments from the Mills-ratio expansion
    /// E[Z | Z > a] = a + 1/a − 2/a³ + 10/a⁵ − 74/a⁷, Var = 1 + a·E − E².
    @Test func truncatedNormalExtremeTail() {
        let a = 40.0
        let x = RandomCheck.sample(seed: 60) { $0.truncatedNormal(mean: 0, standardDeviation: 1, lower: a, upper: .infinity) }
        #expect(x.allSatisfy { $0 >= a && $0.isFinite })
        let m = a + 1 / a - 2 / pow(a, 3) + 10 / pow(a, 5) - 74 / pow(a, 7)
        RandomCheck.expectMoments(x, mean: m, variance: 1 + a * m - m * m, "TN(0, 1; [40, ∞))")
        let y = RandomCheck.sample(seed: 61, count: 1000) {
            $0.truncatedNormal(mean: 0, standardDeviation: 1, lower: -.infinity, upper: -a)
        }
        #expect(y.allSatisfy { $0 <= -a && $0 > -a - 1 })
        // An interval narrower than the rounding of (bound − mean)/σ is sampled as flat, not trapped.
        let (lower, upper, far) = (1.0, 1.5, 1e17)
        #expect(lower - far == upper - far)
        var g = SeededGenerator(seed: 62)
        let narrow = g.truncatedNormal(mean: far, standardDeviation: 1, lower: lower, upper: upper)
        #expect(narrow >= lower && narrow <= upper)
    }
}
