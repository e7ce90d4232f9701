import Foundation
import Testing
@testable import NeuroCore

/// Pólya–Gamma: closed-form cumulants against the defining series, and the sampler's mean, variance
/// and Laplace transform for b ∈ {1, 2.5, 37.3, 300} × c ∈ {0, 0.1, 5}.
@Suite struct RandomPolyaGammaTests {
    /// (Σw, Σw², Σw³) with wₖ = 1/(2π²(k − ½)² + c²/2): 10⁵ terms summed directly (smallest first)
    /// plus the remainder as an integral, exact for Σw (atan) and leading-order for the others (< 10⁻¹⁵).
    static func weightPowerSums(c: Double) -> (Double, Double, Double) {
        let terms = 100_000
        let twoPi2 = 2 * Double.pi * Double.pi
        var s1 = 0.0
        var s2 = 0.0
        var s3 = 0.0
        for k in stride(from: terms, through: 1, by: -1) {
            let h = Double(k) - 0.5
            let w = 1 / (twoPi2 * h * h + 0.5 * c * c)
            s1 += w
            s2 += w * w
            s3 += w * w * w
        }
        let k = Double(terms)
        let a = c / (2 * Double.pi)
        s1 += (a == 0 ? 1 / k : atan(a / k) / a) / twoPi2
        s2 += 1 / (3 * pow(k, 3) * twoPi2 * twoPi2)
        return (s1, s2, s3)
    }

    /// κ₁ = bΣw, κ₂ = bΣw², κ₃ = 2bΣw³, on both sides of the series/closed-form switch at |c| = 0.5.
    @Test(arguments: [0.0, 0.1, 0.3, 0.4999, 0.5, 0.5001, 2, 5, 30, 200])
    func cumulantsMatchDefiningSeries(c: Double) {
        let b = 1.7
        let mean = PolyaGamma.mean(b: b, c: c)
        let variance = PolyaGamma.variance(b: b, c: c)
        let third = PolyaGamma.thirdCumulant(b: b, c: c)
        let (s1, s2, s3) = Self.weightPowerSums(c: c)
        #expect(abs(mean / (b * s1) - 1) < 1e-12, "mean at c = \(c)")
        #expect(abs(variance / (b * s2) - 1) < 1e-12, "variance at c = \(c)")
        #expect(abs(third / (2 * b * s3) - 1) < 1e-11, "third cumulant at c = \(c)")
        // Symmetric in c.
        #expect(PolyaGamma.mean(b: b, c: -c) == mean)
        #expect(PolyaGamma.variance(b: b, c: -c) == variance)
    }

    @Test func cumulantsAtZeroAndLargeC() {
        #expect(PolyaGamma.mean(b: 3, c: 0) == 0.75)
        #expect(abs(PolyaGamma.variance(b: 3, c: 0) - 0.125) < 1e-16)
        #expect(abs(PolyaGamma.thirdCumulant(b: 3, c: 0) - 0.05) < 1e-16)
        // Far out, where sinh and cosh overflow: mean → b/(2c), variance → b/(2c³).
        #expect(abs(PolyaGamma.mean(b: 1, c: 2000) * 4000 - 1) < 1e-15)
        #expect(abs(PolyaGamma.variance(b: 1, c: 2000) * 2 * 8e9 - 1) < 1e-3)
        // Astronomical tilts stay finite and positive in every branch of the sampler.
        var g = SeededGenerator(seed: 970)
        for b in [0.3, 1, 80] {
            for c in [1e40, 1e70] {
                let x = g.polyaGamma(b: b, c: c)
                #expect(x > 0 && x.isFinite && abs(x / PolyaGamma.mean(b: b, c: c) - 1) < 1e-3, "PG(\(b), \(c)) = \(x)")
            }
        }
    }

    static let samplingCases: [(Double, Double)] = [1, 2.5, 37.3, 300].flatMap { b in [0, 0.1, 5].map { (b, $0) } }

    /// Mean and variance within 4 SE, and E[exp(−s(ω − μ)/σ)] for s = 0.5, 1.5 (which sees the shape
    /// beyond two moments) against the Laplace transform [cosh(c/2)/cosh(√(c²/4 + t/2))]^b.
    @Test(arguments: samplingCases)
    func samplerMatchesMomentsAndLaplaceTransform(b: Double, c: Double) {
        let x = RandomCheck.sample(seed: 900 &+ UInt64(b * 10) &* 7 &+ UInt64(c * 10)) { $0.polyaGamma(b: b, c: c) }
        #expect(x.allSatisfy { $0 > 0 && $0.isFinite })
        let mean = PolyaGamma.mean(b: b, c: c)
        let variance = PolyaGamma.variance(b: b, c: c)
        RandomCheck.expectMoments(x, mean: mean, variance: variance, "PG(\(b), \(c))")
        let sd = variance.squareRoot()
        func logCosh(_ y: Double) -> Double { abs(y) + log1p(exp(-2 * abs(y))) - log(2) }
        for s in [0.5, 1.5] {
            let t = s / sd
            let logLaplace = b * (logCosh(c / 2) - logCosh((c * c / 4 + t / 2).squareRoot()))
            let expected = exp(t * mean + logLaplace)
            let y = x.map { exp(-t * ($0 - mean)) }
            let (m, v, _) = RandomCheck.centralMoments(y)
            let se = (v / Double(y.count)).squareRoot()
            #expect(abs(m - expected) <= 4 * se, "PG(\(b), \(c)) Laplace s=\(s): \(m), expected \(expected) (SE \(se))")
        }
    }

    /// A fractional-only b (gamma series alone) at a large c, and the c ↦ −c symmetry of the stream.
    @Test func fractionalShapeAndSymmetry() {
        let x = RandomCheck.sample(seed: 950) { $0.polyaGamma(b: 0.4, c: 12) }
        RandomCheck.expectMoments(x, mean: PolyaGamma.mean(b: 0.4, c: 12), variance: PolyaGamma.variance(b: 0.4, c: 12), "PG(0.4, 12)")
        var a = SeededGenerator(seed: 951)
        var b = SeededGenerator(seed: 951)
        for _ in 0..<100 { #expect(a.polyaGamma(b: 3.3, c: 2.2) == b.polyaGamma(b: 3.3, c: -2.2)) }
    }

    /// Large tilts: the Devroye proposal is then almost always the inverse Gaussian with small μ, and
    /// its mixture weight involves e^{2z}·Φ(−…) terms that overflow and underflow if not kept in logs.
    @Test(arguments: [50.0, 2000.0])
    func largeTilt(c: Double) {
        let x = RandomCheck.sample(seed: 960 &+ UInt64(c)) { $0.polyaGamma(b: 2, c: c) }
        #expect(x.allSatisfy { $0 > 0 && $0.isFinite })
        RandomCheck.expectMoments(x, mean: PolyaGamma.mean(b: 2, c: c), variance: PolyaGamma.variance(b: 2, c: c), "PG(2, \(c))")
    }
}
