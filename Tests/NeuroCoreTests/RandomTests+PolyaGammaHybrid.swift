import Foundation
import Testing
@testable import NeuroCore

/// The hybrid Pólya–Gamma sampler (truncated gamma series for |c| ≤ 10, the reference library's
/// approximation region beyond): mean/variance z-tests over a grid of (b, c), two-sample KS against the
/// exact sampler, the documented truncation and approximation error bounds, and determinism.
@Suite struct RandomPolyaGammaHybridTests {
    static let grid: [(Double, Double)] = [1.3, 5.8, 8.5, 25.3, 60].flatMap { b in [0, 0.5, 1.9, 4, 9.5, 12].map { (b, $0) } }

    @Test(arguments: grid)
    func momentsMatchClosedForms(b: Double, c: Double) {
        let x = RandomCheck.sample(seed: 4100 &+ UInt64(b * 10) &* 13 &+ UInt64(c * 10), count: 40_000) {
            $0.polyaGammaHybrid(b: b, c: c)
        }
        #expect(x.allSatisfy { $0 > 0 && $0.isFinite })
        RandomCheck.expectMoments(x, mean: PolyaGamma.mean(b: b, c: c), variance: PolyaGamma.variance(b: b, c: c), "hybrid PG(\(b), \(c))")
    }

    /// Two-sample Kolmogorov–Smirnov distance between the hybrid and the exact sampler (Devroye terms
    /// plus the fractional series) at the shapes of the bi-clustering sweep and in the shifted-gamma
    /// region: below the 0.1 % critical value 1.95·√(2/n).
    @Test(arguments: [(5.8, 0.5, 60_000), (8.5, 1.5, 30_000), (12.3, 4.0, 20_000), (30.0, 12.0, 10_000)])
    func matchesExactSamplerInLaw(b: Double, c: Double, n: Int) {
        let hybrid = RandomCheck.sample(seed: 4200 &+ UInt64(b), count: n) { $0.polyaGammaHybrid(b: b, c: c) }.sorted()
        let exact = RandomCheck.sample(seed: 4300 &+ UInt64(b), count: n) { $0.polyaGamma(b: b, c: c) }.sorted()
        var i = 0, j = 0, distance = 0.0
        while i < n && j < n {
            if hybrid[i] <= exact[j] { i += 1 } else { j += 1 }
            distance = max(distance, abs(Double(i - j)) / Double(n))
        }
        let critical = 1.95 * (2 / Double(n)).squareRoot()
        #expect(distance < critical, "KS distance \(distance) ≥ \(critical) at PG(\(b), \(c))")
    }

    /// Where neither the series nor the approximation applies (|c| > 10, b < 25), the hybrid is the
    /// exact sampler itself: same generator stream, same draws.
    @Test func regionsAndExactFallback() {
        #expect(!PolyaGamma.usesApproximation(b: 300, absoluteC: 10))
        #expect(PolyaGamma.usesApproximation(b: 25, absoluteC: 10.5))
        #expect(!PolyaGamma.usesApproximation(b: 24.9, absoluteC: 50))
        for (b, c) in [(3.4, 10.7), (7.2, -15.0), (20.5, 12.0)] {
            var a = SeededGenerator(seed: 4400)
            var e = SeededGenerator(seed: 4400)
            for _ in 0..<50 { #expect(a.polyaGammaHybrid(b: b, c: c) == e.polyaGamma(b: b, c: c)) }
        }
    }

    /// (Σ_{k>K} wᵏ for j = 2…4, Σ_all wᵏ for j = 2…4) with wₖ = 1/(2π²(k − ½)² + c²/2), 2·10⁵ terms.
    static func powerSums(c: Double, from first: Int) -> (tail: [Double], all: [Double]) {
        var tail = [Double](repeating: 0, count: 5), all = tail
        let twoPi2 = 2 * Double.pi * Double.pi
        for k in stride(from: 200_000, through: 1, by: -1) {
            let h = Double(k) - 0.5
            let w = 1 / (twoPi2 * h * h + 0.5 * c * c)
            var wp = w * w
            for j in 2...4 { all[j] += wp; if k > first { tail[j] += wp }; wp *= w }
        }
        return (tail, all)
    }

    /// The documented bounds. Series: the tail's shifted gamma (exact κ₂, κ₃ of the tail) misses the
    /// tail's κ₄ = 6Σw⁴ by less than 5·10⁻⁹ (|c| ≤ 1), 5·10⁻⁸ (|c| ≤ 5), 10⁻⁶ (|c| ≤ 10) of the whole κ₄
    /// (independent of b). Shifted gamma for the whole draw (|c| > 10, b ≥ 25): standardised κ₄ error
    /// below 0.012.
    @Test func truncationAndApproximationErrorsAreWithinTheDocumentedBounds() {
        func seriesError(_ c: Double) -> Double {
            let terms = PolyaGamma.hybridSeriesTerms + Int((c / Double.pi).rounded(.up))
            let (t, all) = Self.powerSums(c: c, from: terms)
            let theta = t[3] / t[2], shape = 4 * pow(t[2], 3) / pow(2 * t[3], 2)
            return (6 * t[4] - 6 * shape * pow(theta, 4)) / (6 * all[4])
        }
        for (c, bound) in [(0.0, 5e-9), (0.9, 5e-9), (3.1, 5e-8), (5.0, 5e-8), (9.375, 1e-6), (10.0, 1e-6)] {
            let e = seriesError(c)
            #expect(e >= 0 && e < bound, "series κ₄ error \(e) at c = \(c)")
        }
        for c in [10.01, 15, 100] {
            let (_, all) = Self.powerSums(c: c, from: 0)
            let b = 25.0
            let k2 = b * all[2], k3 = 2 * b * all[3], k4 = 6 * b * all[4]
            #expect(abs(k2 / PolyaGamma.variance(b: b, c: c) - 1) < 1e-9)
            #expect(abs(k3 / PolyaGamma.thirdCumulant(b: b, c: c) - 1) < 1e-9)
            let theta = k3 / (2 * k2), shape = 4 * k2 * k2 * k2 / (k3 * k3)
            let e = (k4 - 6 * shape * pow(theta, 4)) / (k2 * k2)
            #expect(e > 0 && e < 0.012, "shifted-gamma standardised κ₄ error \(e) at c = \(c)")
        }
    }

    @Test func deterministicPerSeedAndSymmetricInC() {
        var a = SeededGenerator(seed: 4500)
        var b = SeededGenerator(seed: 4500)
        var other = SeededGenerator(seed: 4501)
        var differs = false
        for k in 0..<200 {
            let shape = 1.5 + Double(k % 40)
            let c = 0.07 * Double(k)
            let x = a.polyaGammaHybrid(b: shape, c: c)
            #expect(x == b.polyaGammaHybrid(b: shape, c: -c))
            if x != other.polyaGammaHybrid(b: shape, c: c) { differs = true }
        }
        #expect(differs)
    }
}
