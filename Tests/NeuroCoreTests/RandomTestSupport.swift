import Foundation
import Testing
@testable import NeuroCore

/// Fixed-seed moment checks shared by the sampler suites: every check allows 4 standard errors, where
/// the SE of a mean is σ/√n with the exact σ, and the SE of a variance or covariance comes from the
/// empirical fourth moment (Var(s²) ≈ (μ₄ − σ⁴)/n).
enum RandomCheck {
    /// Draws per checked case.
    static let draws = 100_000

    /// n draws of `body` from a generator seeded with `seed`.
    static func sample(seed: UInt64, count: Int = draws, _ body: (inout SeededGenerator) -> Double) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        var values = [Double]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(body(&generator)) }
        return values
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// Unbiased variance and the fourth central moment.
    static func centralMoments(_ x: [Double]) -> (mean: Double, variance: Double, fourth: Double) {
        let m = mean(x)
        var s2 = 0.0
        var s4 = 0.0
        for v in x {
            let d = (v - m) * (v - m)
            s2 += d
            s4 += d * d
        }
        let n = Double(x.count)
        return (m, s2 / (n - 1), s4 / n)
    }

    /// Sample mean within 4σ/√n of `mean` and sample variance within 4 SE of `variance`.
    static func expectMoments(
        _ x: [Double], mean expectedMean: Double, variance expectedVariance: Double, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (m, v, m4) = centralMoments(x)
        let n = Double(x.count)
        let meanSE = (expectedVariance / n).squareRoot()
        let varianceSE = (Swift.max(m4 - v * v, 0) / n).squareRoot()
        #expect(
            abs(m - expectedMean) <= 4 * meanSE,
            "\(label): mean \(m), expected \(expectedMean) (SE \(meanSE))", sourceLocation: sourceLocation)
        #expect(
            abs(v - expectedVariance) <= 4 * varianceSE,
            "\(label): variance \(v), expected \(expectedVariance) (SE \(varianceSE))", sourceLocation: sourceLocation)
    }

    /// Sample covariance within 4 SE (from the empirical variance of the centred products).
    static func expectCovariance(
        _ x: [Double], _ y: [Double], _ expected: Double, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let mx = mean(x)
        let my = mean(y)
        let products = zip(x, y).map { ($0 - mx) * ($1 - my) }
        let (c, v, _) = centralMoments(products)
        let se = (v / Double(x.count)).squareRoot()
        #expect(
            abs(c - expected) <= 4 * se, "\(label): covariance \(c), expected \(expected) (SE \(se))",
            sourceLocation: sourceLocation)
    }

    /// An observed frequency `hits / n` within 4 binomial SE of `probability`.
    static func expectFrequency(
        _ hits: Int, of n: Int, probability p: Double, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let se = (p * (1 - p) / Double(n)).squareRoot()
        let observed = Double(hits) / Double(n)
        #expect(
            abs(observed - p) <= 4 * se, "\(label): frequency \(observed), expected \(p) (SE \(se))",
            sourceLocation: sourceLocation)
    }

    /// Φ(x) and the upper tail Q(x) = 1 − Φ(x), accurate in both tails.
    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    static func normalTail(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }
    static func normalDensity(_ x: Double) -> Double {
        x.isInfinite ? 0 : exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }
}
