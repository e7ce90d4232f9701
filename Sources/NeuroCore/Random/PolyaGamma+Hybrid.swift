import RealModule

extension PolyaGamma {
    /// Exact gamma-series terms `polyaGammaHybrid` keeps before the three-cumulant tail: 4 plus one per
    /// π of |c|.
    public static let hybridSeriesTerms = 4
    /// Above this |c| the series needs many terms (one per π), so `polyaGammaHybrid` goes back to the
    /// Devroye route or, for large b, the shifted gamma.
    public static let hybridSeriesMaxTilt = 10.0

    /// Whether `polyaGammaHybrid(b:c:)` draws PG(b, c) from the O(1) three-cumulant shifted gamma: only
    /// for |c| > `hybridSeriesMaxTilt`, and there only where the `polyagamma` package's default
    /// "hybrid" method (v1.3.6, which the bi-clustering reference code calls through
    /// `random_polyagamma`) also approximates: b ≥ 25 (its saddle-point approximation; b > 50 its
    /// normal approximation). The shifted gamma has the exact κ₁, κ₂, κ₃; its standardised κ₄
    /// (κ₄/κ₂², the excess kurtosis) is off by at most 1.2·10⁻² there (b = 25, |c| = 10), falling like 1/b,
    /// which by the Edgeworth expansion moves the CDF by about Δκ₄/24·max|He₃φ| ≈ 3·10⁻⁴, below what 10⁶
    /// draws resolve; the normal approximation the reference uses above b = 50 misses the skewness.
    public static func usesApproximation(b: Double, absoluteC c: Double) -> Bool {
        c > hybridSeriesMaxTilt && b >= 25
    }
}

extension SeededGenerator {
    /// A draw from PG(b, c) at a cost that does not grow with b, for the shapes b = y + r of count
    /// models (the exact `polyaGamma(b:c:)` costs one Devroye draw per unit of b).
    ///
    /// - |c| ≤ 10 (almost every draw of a count model, c = log μ − log r): the gamma series
    ///   PG(b, c) = Σₖ wₖgₖ, gₖ ~ Gamma(b), wₖ = 1/(2π²(k − ½)² + c²/2), with its first K = 4 + ⌈|c|/π⌉
    ///   terms exact and the tail replaced by a shifted gamma with the tail's exact first three
    ///   cumulants (the construction `polyaGamma(b:c:)` uses for the fractional part of b, with fewer
    ///   exact terms). κ₁, κ₂, κ₃ of the draw are exact; the relative error of κ₄ does not depend on b
    ///   and is below 5·10⁻⁹ for |c| ≤ 1, 5·10⁻⁸ for |c| ≤ 5 and 10⁻⁶ for |c| ≤ 10 — the same
    ///   standard of "exact up to a documented truncation" as the exact sampler's fractional part, and
    ///   tighter than the reference library, whose hybrid approximates for b ≥ 8 (saddle point) and
    ///   b > 50 (normal).
    /// - |c| > 10: the exact sampler, except b ≥ 25, where the reference also approximates and the
    ///   shifted gamma of `PolyaGamma.usesApproximation` is used.
    ///
    /// Deterministic per seed, and a function of |c| only, like the exact sampler.
    public mutating func polyaGammaHybrid(b: Double, c: Double) -> Double {
        precondition(b > 0 && b.isFinite, "polyaGammaHybrid: b must be finite and > 0, found \(b)")
        precondition(c.isFinite, "polyaGammaHybrid: c must be finite, found \(c)")
        let c = Swift.abs(c)
        if c <= PolyaGamma.hybridSeriesMaxTilt {
            return polyaGammaSeries(b: b, c: c, terms: PolyaGamma.hybridSeriesTerms + Int((c / Double.pi).rounded(.up)))
        }
        if PolyaGamma.usesApproximation(b: b, absoluteC: c) { return polyaGammaShiftedGamma(b: b, c: c) }
        return polyaGamma(b: b, c: c)
    }
}
