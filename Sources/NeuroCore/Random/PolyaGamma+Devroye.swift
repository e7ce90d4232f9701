import RealModule

/// Devroye's exact sampler for PG(1, c) = J*(1, c/2)/4 (Polson, Scott & Windle 2013, §4 and
/// Algorithm 1): the constants that depend only on c, computed once per `polyaGamma(b:c:)` call and
/// shared by its ⌊b⌋ draws.
///
/// J*(1, z) has density cosh(z)·e^{−z²x/2}·Σₙ (−1)ⁿ aₙ(x) with two representations of aₙ, switched at
/// t = 0.64 so that the partial sums alternate monotonically:
///   aₙ(x) = π(n + ½)·exp(−(n + ½)²π²x/2)               for x > t,
///   aₙ(x) = π(n + ½)·(2/(πx))^{3/2}·exp(−2(n + ½)²/x)    for x ≤ t.
/// The proposal is the tilted first term: an exponential with rate π²/8 + z²/2 on (t, ∞), mixed with
/// an inverse Gaussian IG(1/z, 1) restricted to (0, t). Acceptance is above 99.9% for every z.
struct PolyaGammaDevroye: Sendable {
    static let t = 0.64
    /// The truncated Lévy proposal (z < 1/t) is 1/E² with E a standard normal beyond 1/√t = 1.25,
    /// drawn by Robert's exponential rejection with its optimal rate.
    static let levyEdge = 1.25
    static let levyRate = 0.5 * (levyEdge + (levyEdge * levyEdge + 4).squareRoot())

    /// z = |c|/2.
    let z: Double
    /// z²/2, the exponent of the tilt e^{−z²x/2}.
    let halfZ2: Double
    /// Rate of the exponential piece, π²/8 + z²/2.
    let rate: Double
    /// Probability that a proposal comes from the exponential piece.
    let exponentialProbability: Double

    init(c: Double) {
        let t = PolyaGammaDevroye.t
        z = 0.5 * Swift.abs(c)
        halfZ2 = 0.5 * z * z
        rate = Double.pi * Double.pi / 8 + halfZ2
        // Masses of the tilted a₀ (common factor cosh z dropped):
        //   p = π/(2·rate)·e^{−rate·t}      on (t, ∞),
        //   q = 2e^{−z}·F_IG(t; 1/z, 1)     on (0, t), F_IG(t) = Φ((tz − 1)/√t) + e^{2z}·Φ(−(tz + 1)/√t).
        // Logs throughout: e^{2z} overflows and Φ(−(tz + 1)/√t) underflows for large z.
        let rootT = t.squareRoot()
        let logP = Double.log(Double.pi / 2) - Double.log(rate) - rate * t
        let upper = PolyaGammaDevroye.logNormalCDF((t * z - 1) / rootT)
        let lower = 2 * z + PolyaGammaDevroye.logNormalCDF(-(t * z + 1) / rootT)
        let high = Swift.max(upper, lower)
        let logF = high + Double.log(onePlus: Double.exp(Swift.min(upper, lower) - high))
        let logQ = Double.log(2) - z + logF
        exponentialProbability = 1 / (1 + Double.exp(logQ - logP))
    }

    /// log Φ(x) through erfc, which keeps full relative accuracy in the lower tail; −∞ once it underflows.
    static func logNormalCDF(_ x: Double) -> Double {
        Double.log(0.5 * Double.erfc(-x / 2.0.squareRoot()))
    }
}

extension SeededGenerator {
    /// The sum of `count` independent PG(1, c) draws (so PG(count, c)) with the constants of `d`.
    ///
    /// Both representations share the form aₙ(x) = a₀(x)·(2n + 1)·E^{(2n+1)² − 1}, with
    /// E = exp(−π²x/8) above t and E = exp(−1/(2x)) below, so the alternating test runs on ratios to
    /// a₀: one `exp` per proposal, and the usual first two terms are E⁸ and E²⁴ by squaring. The draws
    /// share one loop rather than one call each, which matters in unoptimised builds.
    mutating func polyaGammaDevroye(_ d: PolyaGammaDevroye, count: Int) -> Double {
        let t = PolyaGammaDevroye.t
        let exponentialProbability = d.exponentialProbability
        let rate = d.rate
        var sum = 0.0
        var remaining = count
        proposal: while remaining > 0 {
            var x: Double
            var logE: Double
            if nextUnitInterval() < exponentialProbability {
                x = t - Double.log(nextOpenUnitInterval()) / rate
                logE = -Double.pi * Double.pi * x / 8
            } else {
                x = polyaGammaInverseGaussianProposal(d)
                logE = -0.5 / x
            }
            var e = Double.exp(logE)
            e *= e
            e *= e
            e *= e
            // U·a₀ against the partial sums S₁ = a₀ − a₁ ≤ f ≤ S₂ = S₁ + a₂ ≤ a₀, and so on; e is E⁸.
            let y = nextUnitInterval()
            var s = 1 - 3 * e
            if y > s {
                s += 5 * e * e * e
                if y > s { continue proposal }
                var n = 3
                while true {
                    let k = Double(2 &* n &+ 1)
                    let term = k * Double.exp((k * k - 1) * logE)
                    if n & 1 == 1 {
                        s -= term
                        if y <= s { break }
                    } else {
                        s += term
                        if y > s { continue proposal }
                    }
                    n &+= 1
                }
            }
            sum += 0.25 * x
            remaining &-= 1
        }
        return sum
    }

    /// IG(μ = 1/z, λ = 1) restricted to (0, t).
    private mutating func polyaGammaInverseGaussianProposal(_ d: PolyaGammaDevroye) -> Double {
        let t = PolyaGammaDevroye.t
        if d.z < 1 / t {
            // μ > t: X = 1/E² with E a standard normal beyond 1/√t is Lévy(1) on (0, t); the tilt
            // e^{−z²x/2} turns it into the inverse Gaussian and is accepted with exactly that probability.
            let edge = PolyaGammaDevroye.levyEdge
            let rate = PolyaGammaDevroye.levyRate
            while true {
                let e = edge - Double.log(nextOpenUnitInterval()) / rate
                let gap = e - rate
                if nextUnitInterval() >= Double.exp(-0.5 * gap * gap) { continue }
                let x = 1 / (e * e)
                if d.z == 0 || nextUnitInterval() < Double.exp(-d.halfZ2 * x) { return x }
            }
        }
        // μ ≤ t: Michael, Schucany & Haas (1976), retried until below t (probability ≥ ½ each time).
        let mu = 1 / d.z
        while true {
            let normal = standardNormal()
            let w = mu * normal * normal
            // μ(1 + w/2 − √(w + w²/4)), written without cancellation for large w.
            var x = mu / (1 + 0.5 * w + (w + 0.25 * w * w).squareRoot())
            if nextUnitInterval() * (mu + x) > mu { x = mu * mu / x }
            if x < t { return x }
        }
    }
}
