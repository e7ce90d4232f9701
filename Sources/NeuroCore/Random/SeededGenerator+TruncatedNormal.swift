import RealModule

// The normal distribution restricted to an interval, exact and efficient everywhere, including
// intervals far in a tail where naive rejection would never accept (Robert 1995, "Simulation of
// truncated normal variables", Statistics and Computing 5:121–125).

extension SeededGenerator {
    /// N(mean, standardDeviation²) conditioned on lower ≤ x ≤ upper; either bound may be infinite.
    public mutating func truncatedNormal(
        mean: Double, standardDeviation: Double, lower: Double, upper: Double
    ) -> Double {
        precondition(mean.isFinite, "truncatedNormal: mean must be finite, found \(mean)")
        precondition(
            standardDeviation > 0 && standardDeviation.isFinite,
            "truncatedNormal: standard deviation must be finite and > 0, found \(standardDeviation)")
        precondition(lower < upper, "truncatedNormal: needs lower < upper, found [\(lower), \(upper)]")
        let a = (lower - mean) / standardDeviation
        let b = (upper - mean) / standardDeviation
        // An interval narrower than the rounding of its standardised bounds: the density is flat on it.
        if !(a < b) { return uniform(in: lower...upper) }
        let z = truncatedStandardNormal(lower: a, upper: b)
        // Rounding in mean + σz may step just outside the interval; the interval is the contract.
        return Swift.min(Swift.max(mean + standardDeviation * z, lower), upper)
    }

    /// N(0, 1) conditioned on a ≤ z ≤ b.
    ///
    /// Proposals, each with acceptance probability above about 0.4 whatever the interval:
    /// - 0 inside a wide interval (b − a ≥ √(2π)): plain normal draws until one falls inside;
    /// - 0 inside a narrow interval: uniform on [a, b] accepted w.p. exp(−z²/2);
    /// - interval on one side, starting near 0 (a < 0.5, mirrored if needed): |Z| rejection when
    ///   b − a ≥ 1, otherwise uniform accepted w.p. exp((a² − z²)/2);
    /// - interval starting in the tail (a ≥ 0.5): Robert's translated exponential with the optimal rate
    ///   λ = (a + √(a² + 4))/2, truncated to [a, b] by inversion, accepted w.p. exp(−(z − λ)²/2).
    public mutating func truncatedStandardNormal(lower a: Double, upper b: Double) -> Double {
        precondition(!a.isNaN && !b.isNaN && a < b, "truncatedStandardNormal: needs a < b, found [\(a), \(b)]")
        if a >= 0 { return positiveTruncatedNormal(a, b) }
        if b <= 0 { return -positiveTruncatedNormal(-b, -a) }
        if b - a >= (2 * Double.pi).squareRoot() {
            while true {
                let z = standardNormal()
                if z >= a && z <= b { return z }
            }
        }
        let width = b - a
        while true {
            let z = a + width * nextUnitInterval()
            if nextUnitInterval() < Double.exp(-0.5 * z * z) { return z }
        }
    }

    /// N(0, 1) conditioned on [a, b] with 0 ≤ a < b ≤ ∞.
    private mutating func positiveTruncatedNormal(_ a: Double, _ b: Double) -> Double {
        let width = b - a
        if a < 0.5 {
            if width >= 1 {
                while true {
                    let z = standardNormal().magnitude
                    if z >= a && z <= b { return z }
                }
            }
            while true {
                let z = a + width * nextUnitInterval()
                if nextUnitInterval() < Double.exp(0.5 * (a - z) * (a + z)) { return z }
            }
        }
        let rate = 0.5 * (a + (a * a + 4).squareRoot())
        // Mass of the Exp(rate) proposal on [a, b]; 1 for a one-sided tail.
        let mass = width.isInfinite ? 1 : -Double.expMinusOne(-rate * width)
        while true {
            let z = a - Double.log(onePlus: -mass * nextUnitInterval()) / rate
            let d = z - rate
            if z <= b && nextUnitInterval() < Double.exp(-0.5 * d * d) { return z }
        }
    }
}
