import RealModule

// Univariate continuous distributions. All are exact (up to floating-point rounding); parameters
// outside their domain are programming errors and trap with a message.

extension SeededGenerator {
    // MARK: Uniform, normal, exponential

    /// A uniform double in `range` (the upper bound excluded).
    public mutating func uniform(in range: Range<Double>) -> Double {
        precondition(
            range.lowerBound.isFinite && range.upperBound.isFinite && !range.isEmpty,
            "uniform(in:) needs a finite, non-empty range, found \(range)")
        let span = range.upperBound - range.lowerBound
        precondition(span.isFinite, "uniform(in:) range \(range) is too wide for a Double")
        while true {
            // Rounding can land exactly on the excluded bound; redraw then (probability ≤ 2⁻⁵²).
            let x = range.lowerBound + span * nextUnitInterval()
            if x < range.upperBound { return x }
        }
    }

    /// A uniform double in `range` (both bounds included; a one-point range returns that point).
    public mutating func uniform(in range: ClosedRange<Double>) -> Double {
        precondition(
            range.lowerBound.isFinite && range.upperBound.isFinite,
            "uniform(in:) needs a finite range, found \(range)")
        let span = range.upperBound - range.lowerBound
        precondition(span.isFinite, "uniform(in:) range \(range) is too wide for a Double")
        return Swift.min(range.lowerBound + span * nextUnitInterval(), range.upperBound)
    }

    /// N(mean, standardDeviation²); a zero standard deviation returns `mean`.
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        precondition(mean.isFinite, "normal: mean must be finite, found \(mean)")
        precondition(
            standardDeviation >= 0 && standardDeviation.isFinite,
            "normal: standard deviation must be finite and ≥ 0, found \(standardDeviation)")
        return mean + standardDeviation * standardNormal()
    }

    /// Exp(1) by inversion, −log U with U in (0, 1).
    public mutating func standardExponential() -> Double {
        -Double.log(nextOpenUnitInterval())
    }

    /// The exponential distribution with the given rate (mean 1/rate).
    public mutating func exponential(rate: Double) -> Double {
        precondition(rate > 0 && rate.isFinite, "exponential: rate must be finite and > 0, found \(rate)")
        return standardExponential() / rate
    }

    // MARK: Gamma family

    /// Gamma(shape, scale) (mean shape·scale) for every shape > 0.
    ///
    /// Marsaglia & Tsang (2000) for shape ≥ 1; for shape < 1 the boost G(a) = G(a + 1)·U^{1/a}. For
    /// very small shapes (≲ 0.01) the result underflows to 0 with noticeable probability: work on the
    /// log scale with `logGamma(shape:)` there (as `dirichlet` and `beta` do).
    public mutating func gamma(shape: Double, scale: Double = 1) -> Double {
        precondition(shape > 0 && shape.isFinite, "gamma: shape must be finite and > 0, found \(shape)")
        precondition(scale > 0 && scale.isFinite, "gamma: scale must be finite and > 0, found \(scale)")
        if shape >= 1 { return scale * marsagliaTsang(shape: shape) }
        let boost = Double.exp(Double.log(nextOpenUnitInterval()) / shape)
        return scale * marsagliaTsang(shape: shape + 1) * boost
    }

    /// log G for G ~ Gamma(shape, 1), accurate for tiny shapes where G itself underflows:
    /// log G(a) = log G(a + 1) + (log U)/a for a < 1.
    public mutating func logGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "logGamma: shape must be finite and > 0, found \(shape)")
        if shape >= 1 { return Double.log(marsagliaTsang(shape: shape)) }
        return Double.log(marsagliaTsang(shape: shape + 1)) + Double.log(nextOpenUnitInterval()) / shape
    }

    /// χ²(k) = Gamma(k/2, 2), for real k > 0.
    public mutating func chiSquared(degreesOfFreedom k: Double) -> Double {
        precondition(k > 0 && k.isFinite, "chiSquared: degrees of freedom must be finite and > 0, found \(k)")
        return gamma(shape: k / 2, scale: 2)
    }

    /// Beta(a, b) as X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b); when a or b is below 1 the ratio is
    /// formed from log-gammas, 1/(1 + exp(log Y − log X)), so tiny parameters give 0 or 1, not NaN.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        precondition(a > 0 && a.isFinite && b > 0 && b.isFinite, "beta: parameters must be finite and > 0, found (\(a), \(b))")
        if a >= 1 && b >= 1 {
            let x = marsagliaTsang(shape: a)
            let y = marsagliaTsang(shape: b)
            return x / (x + y)
        }
        let logX = logGamma(shape: a)
        let logY = logGamma(shape: b)
        return 1 / (1 + Double.exp(logY - logX))
    }

    /// Marsaglia & Tsang's squeeze-and-reject sampler for Gamma(a, 1), a ≥ 1: d·(1 + c·Z)³ with
    /// d = a − 1/3, c = 1/√(9d), accepted by a cheap squeeze or the exact log test (≥ 95% first time).
    @usableFromInline
    mutating func marsagliaTsang(shape a: Double) -> Double {
        let d = a - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = standardNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenUnitInterval()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if Double.log(u) < 0.5 * x2 + d * (1 - v + Double.log(v)) { return d * v }
        }
    }

    // MARK: Extreme values

    /// Gumbel(location μ, scale β) by inversion, μ − β·log(−log U); mean μ + γβ, variance π²β²/6.
    public mutating func gumbel(location: Double, scale: Double) -> Double {
        precondition(location.isFinite, "gumbel: location must be finite, found \(location)")
        precondition(scale > 0 && scale.isFinite, "gumbel: scale must be finite and > 0, found \(scale)")
        return location - scale * Double.log(-Double.log(nextOpenUnitInterval()))
    }
}
