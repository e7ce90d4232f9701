import Foundation
import RealModule

/// The mixture-of-finite-mixtures partition coefficients of Miller & Harrison (2018):
///
///     V_n(t) = Σ_{k ≥ t} k_(t) / (γk)^(n) · p_K(k),
///
/// with k_(t) the falling and (γk)^(n) the rising factorial, and p_K(k) = r(1 − r)^(k−1) on k ≥ 1.
/// The prior probability of a partition of n items into t blocks of sizes n_1…n_t is
/// V_n(t) Π_j Γ(γ + n_j)/Γ(γ), and the collapsed Gibbs step weighs a new block by
/// γ·V_n(t + 1)/V_n(t). Values are kept on the log scale: they underflow for n ≳ 100.
public struct MFMCoefficients: Sendable, Equatable {
    public let n: Int
    public let gamma: Double
    public let geometric: Double
    /// `logV[t - 1]` = log V_n(t) for t = 1…`maxBlocks`.
    public let logV: [Double]

    /// Sums the series term by term until a term is below `tolerance` of the running sum (in log space)
    /// and the terms are decreasing.
    public init(n: Int, maxBlocks: Int, gamma: Double = 1, geometric: Double, tolerance: Double = 1e-12) {
        precondition(n >= 1 && maxBlocks >= 1 && gamma > 0 && geometric > 0 && geometric < 1)
        self.n = n
        self.gamma = gamma
        self.geometric = geometric
        let logR = Double.log(geometric), log1mR = Double.log(1 - geometric)
        let logTol = Double.log(tolerance)
        var values = [Double]()
        values.reserveCapacity(maxBlocks)
        for t in 1...maxBlocks {
            var logSum = -Double.infinity
            var previous = -Double.infinity
            var k = t
            while true {
                let kd = Double(k)
                let term = Double.logGamma(kd + 1) - Double.logGamma(kd - Double(t) + 1)
                    - (Double.logGamma(gamma * kd + Double(n)) - Double.logGamma(gamma * kd))
                    + logR + (kd - 1) * log1mR
                logSum = MFMCoefficients.logAdd(logSum, term)
                if term < previous && term - logSum < logTol { break }
                previous = term
                k += 1
                if k > t + 100_000 { break }
            }
            values.append(logSum)
        }
        logV = values
    }

    /// log V_n(t); −∞ beyond the computed range is never returned (precondition).
    public func log(blocks t: Int) -> Double {
        precondition(t >= 1 && t <= logV.count, "MFMCoefficients: t = \(t) outside 1…\(logV.count)")
        return logV[t - 1]
    }

    @inline(__always) static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        return a > b ? a + Double.log(1 + Double.exp(b - a)) : b + Double.log(1 + Double.exp(a - b))
    }
}
