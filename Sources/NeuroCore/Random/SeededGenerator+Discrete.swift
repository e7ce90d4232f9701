import RealModule

// Discrete distributions. Every sampler is exact (up to floating-point rounding in the acceptance
// tests) and uses only this generator, so streams are reproducible across platforms; in particular
// `uniformInt(below:)` and `permutation(_:)` do not depend on the standard library's
// `next(upperBound:)` or `shuffle(using:)`, whose algorithms are not part of Swift's guarantees.

extension SeededGenerator {
    // MARK: Integers and permutations

    /// A uniform integer in 0..<n, unbiased (Lemire 2019, multiply-and-reject).
    public mutating func uniformInt(below n: Int) -> Int {
        precondition(n > 0, "uniformInt(below:) needs n > 0, found \(n)")
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(truncatingIfNeeded: product.high)
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        precondition(n >= 0, "permutation needs n ≥ 0, found \(n)")
        var result = Array(0..<n)
        var i = n - 1
        while i > 0 {
            result.swapAt(i, uniformInt(below: i + 1))
            i -= 1
        }
        return result
    }

    /// True with the given probability.
    public mutating func bernoulli(probability p: Double) -> Bool {
        precondition(p >= 0 && p <= 1, "bernoulli: probability must be in [0, 1], found \(p)")
        return nextUnitInterval() < p
    }

    // MARK: Categorical

    /// An index drawn with probability proportional to `probabilities` (non-negative, finite, not all
    /// zero; they need not sum to 1). Linear search: O(k) per draw.
    public mutating func categorical(probabilities: [Double]) -> Int {
        precondition(!probabilities.isEmpty, "categorical: no categories")
        var total = 0.0
        for p in probabilities {
            precondition(p >= 0 && p.isFinite, "categorical: weights must be finite and ≥ 0, found \(p)")
            total += p
        }
        precondition(total > 0 && total.isFinite, "categorical: weights sum to \(total)")
        // Subnormal weights (e.g. Dirichlet's α → 0 limit) are scaled by an exact power of two first,
        // otherwise U·total would be quantised to a few multiples of the smallest Double.
        let scale = total < 0x1.0p-960 ? 0x1.0p1000 : 1.0
        let target = nextUnitInterval() * (total * scale)
        var cumulative = 0.0
        var lastPositive = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            cumulative += p * scale
            if target < cumulative { return i }
            lastPositive = i
        }
        // Only reachable through rounding in the running sum.
        return lastPositive
    }

    /// An index drawn with probability proportional to exp(logWeights[i]). The largest weight is
    /// subtracted first, so weights like −1000 or +1000 neither underflow nor overflow; −∞ marks an
    /// impossible category. Two passes of `exp`, no allocation.
    public mutating func categorical(logWeights: [Double]) -> Int {
        precondition(!logWeights.isEmpty, "categorical: no categories")
        var largest = -Double.infinity
        for w in logWeights {
            precondition(!w.isNaN && w != .infinity, "categorical: log-weights must be < +∞ and not NaN, found \(w)")
            if w > largest { largest = w }
        }
        precondition(largest > -.infinity, "categorical: every log-weight is −∞")
        var total = 0.0
        for w in logWeights { total += Double.exp(w - largest) }
        let target = nextUnitInterval() * total
        var cumulative = 0.0
        var lastPositive = 0
        for (i, w) in logWeights.enumerated() where w > -.infinity {
            cumulative += Double.exp(w - largest)
            if target < cumulative { return i }
            lastPositive = i
        }
        return lastPositive
    }

    // MARK: Poisson

    /// Poisson(mean), exact for every mean ≥ 0: sequential inversion for mean < 10, Hörmann's PTRS
    /// transformed rejection (1993, Insurance: Mathematics and Economics 12:39–45) above.
    public mutating func poisson(mean: Double) -> Int {
        precondition(
            mean >= 0 && mean < 0x1.0p62, "poisson: mean must be in [0, 2⁶²), found \(mean)")
        if mean == 0 { return 0 }
        if mean < 10 { return poissonInversion(mean) }
        return poissonPTRS(mean)
    }

    private mutating func poissonInversion(_ mean: Double) -> Int {
        let p0 = Double.exp(-mean)
        while true {
            var u = nextUnitInterval()
            var p = p0
            var k = 0
            while p > 0 {
                if u < p { return k }
                u -= p
                k += 1
                p *= mean / Double(k)
            }
            // The remaining mass underflowed before u was exhausted (rounding): start again.
        }
    }

    private mutating func poissonPTRS(_ mean: Double) -> Int {
        let sqrtMean = mean.squareRoot()
        let logMean = Double.log(mean)
        let b = 0.931 + 2.53 * sqrtMean
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextOpenUnitInterval() - 0.5
            let v = nextOpenUnitInterval()
            let us = 0.5 - u.magnitude
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            let logHat = Double.log(v * inverseAlpha / (a / (us * us) + b))
            if logHat <= -mean + k * logMean - Double.logGamma(k + 1) { return Int(k) }
        }
    }

    // MARK: Binomial

    /// Binomial(trials, probability), exact: inversion when min(p, 1 − p)·n < 10, otherwise Hörmann's
    /// BTRS transformed rejection (1993, J. Stat. Comput. Simul. 46:101–110) with the acceptance test
    /// on the exact log-pmf ratio. Uses the symmetry Bin(n, p) = n − Bin(n, 1 − p) for p > 1/2.
    public mutating func binomial(trials n: Int, probability p: Double) -> Int {
        precondition(n >= 0, "binomial: trials must be ≥ 0, found \(n)")
        precondition(p >= 0 && p <= 1, "binomial: probability must be in [0, 1], found \(p)")
        if n == 0 || p == 0 { return 0 }
        if p == 1 { return n }
        if p > 0.5 { return n - binomialLowProbability(n, 1 - p) }
        return binomialLowProbability(n, p)
    }

    /// Binomial draw for 0 < p ≤ 1/2.
    private mutating func binomialLowProbability(_ n: Int, _ p: Double) -> Int {
        let trials = Double(n)
        if trials * p < 10 { return binomialInversion(n, p) }
        return binomialBTRS(n, p)
    }

    private mutating func binomialInversion(_ n: Int, _ p: Double) -> Int {
        let ratio = p / (1 - p)
        let p0 = Double.exp(Double(n) * Double.log(onePlus: -p))
        while true {
            var u = nextUnitInterval()
            var f = p0
            var k = 0
            while k <= n && f > 0 {
                if u < f { return k }
                u -= f
                f *= ratio * Double(n - k) / Double(k + 1)
                k += 1
            }
            // Rounding left u above the accumulated mass: start again.
        }
    }

    private mutating func binomialBTRS(_ n: Int, _ p: Double) -> Int {
        let trials = Double(n)
        let q = 1 - p
        let spq = (trials * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = trials * p + 0.5
        let vr = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spq
        let logOdds = Double.log(p / q)
        let mode = ((trials + 1) * p).rounded(.down)
        let logPmfMode = -Double.logGamma(mode + 1) - Double.logGamma(trials - mode + 1)
        while true {
            let u = nextOpenUnitInterval() - 0.5
            let v = nextOpenUnitInterval()
            let us = 0.5 - u.magnitude
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > trials { continue }
            if us >= 0.07 && v <= vr { return Int(k) }
            // log f(k)/f(mode) from log-gammas; the common log n! cancels.
            let logRatio = -Double.logGamma(k + 1) - Double.logGamma(trials - k + 1) - logPmfMode
                + (k - mode) * logOdds
            if Double.log(v * alpha / (a / (us * us) + b)) <= logRatio { return Int(k) }
        }
    }

    // MARK: Negative binomial and multinomial

    /// The number of failures before the r-th success, success probability p (numpy's
    /// parametrisation: mean r(1 − p)/p, variance r(1 − p)/p²), for real r > 0 and 0 < p ≤ 1, as the
    /// gamma–Poisson mixture Poisson(λ), λ ~ Gamma(r, (1 − p)/p).
    public mutating func negativeBinomial(successes r: Double, probability p: Double) -> Int {
        precondition(r > 0 && r.isFinite, "negativeBinomial: successes must be finite and > 0, found \(r)")
        precondition(p > 0 && p <= 1, "negativeBinomial: probability must be in (0, 1], found \(p)")
        if p == 1 { return 0 }
        return poisson(mean: gamma(shape: r, scale: (1 - p) / p))
    }

    /// Counts over categories for `trials` independent categorical draws, by conditional binomials:
    /// x₁ ~ Bin(n, p₁), x₂ ~ Bin(n − x₁, p₂/(1 − p₁)), …; O(k) binomial draws whatever n is.
    /// `probabilities` are non-negative weights, normalised here.
    public mutating func multinomial(trials n: Int, probabilities: [Double]) -> [Int] {
        precondition(n >= 0, "multinomial: trials must be ≥ 0, found \(n)")
        precondition(!probabilities.isEmpty, "multinomial: no categories")
        let k = probabilities.count
        // Suffix sums give each conditional probability without cancellation.
        var remainingMass = [Double](repeating: 0, count: k + 1)
        for i in stride(from: k - 1, through: 0, by: -1) {
            let p = probabilities[i]
            precondition(p >= 0 && p.isFinite, "multinomial: weights must be finite and ≥ 0, found \(p)")
            remainingMass[i] = remainingMass[i + 1] + p
        }
        precondition(remainingMass[0] > 0 && remainingMass[0].isFinite, "multinomial: weights sum to \(remainingMass[0])")
        var counts = [Int](repeating: 0, count: k)
        var remaining = n
        for i in 0..<k where remaining > 0 && probabilities[i] > 0 {
            if remainingMass[i + 1] == 0 {
                counts[i] = remaining
                remaining = 0
                break
            }
            let x = binomial(trials: remaining, probability: Swift.min(probabilities[i] / remainingMass[i], 1))
            counts[i] = x
            remaining -= x
        }
        return counts
    }
}
