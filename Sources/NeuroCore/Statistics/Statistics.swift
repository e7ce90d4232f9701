import RealModule

/// Descriptive statistics on `[Double]` samples and `Matrix<Double>` data sets.
///
/// Conventions follow numpy/scipy so that results can be checked against them:
/// - `variance` and `standardDeviation` divide by `n − correction` with `correction = 0` by
///   default (numpy's `ddof=0`, the maximum-likelihood estimate); pass `correction: 1` for the
///   unbiased sample variance. `covariance(of:)` divides by `n − 1` like `numpy.cov`.
/// - Too few values (an empty sample, `n ≤ correction`) is a user-data error and throws
///   `StatisticsError.tooFewValues`; a statistic that is undefined for well-formed input (the
///   correlation or z-score of a constant sample) is NaN, as in numpy and scipy.
/// - NaN inputs propagate (no checks), as in numpy.
///
/// Statistics live in `Double` (see DESIGN.md: statistics are `[Double]`); convert `Float` signals
/// first, since accumulating in `Float` loses digits quickly.
public enum Statistics {}

// MARK: Moments

extension Statistics {
    /// The arithmetic mean, by the corrected two-pass algorithm: the first pass gives m = Σx/n, the
    /// second adds Σ(x − m)/n, which removes most of the rounding error of the first sum.
    public static func mean(_ x: [Double]) throws -> Double {
        try StatisticsError.checkCount("mean", x.count, atLeast: 1)
        return x.withUnsafeBufferPointer { xp in
            let m = splitMean(xp)
            return m.high + m.low
        }
    }

    /// Σ(x − x̄)² / (n − correction). `correction = 0` (the default, numpy's `ddof=0`) gives the
    /// maximum-likelihood variance; `correction = 1` the unbiased sample variance.
    ///
    /// Computed by the corrected two-pass algorithm (Chan, Golub & LeVeque 1983):
    /// Σ(x − m)² − (Σ(x − m))²/n, accurate even when the mean is large compared with the spread.
    /// - Throws: `StatisticsError.tooFewValues` unless `n > correction`.
    public static func variance(_ x: [Double], correction: Int = 0) throws -> Double {
        precondition(correction >= 0, "variance: correction must be ≥ 0, found \(correction)")
        try StatisticsError.checkCount("variance", x.count, atLeast: correction + 1)
        return x.withUnsafeBufferPointer { centredMoments($0).sumOfSquares } / Double(x.count - correction)
    }

    /// √variance, with the same `correction` convention as `variance(_:correction:)`.
    public static func standardDeviation(_ x: [Double], correction: Int = 0) throws -> Double {
        try variance(x, correction: correction).squareRoot()
    }

    /// (x − x̄)/s with s the standard deviation for `correction` (scipy's `zscore`, default `ddof=0`).
    /// The mean is subtracted in two parts (`splitMean`), so the scores are accurate even for data
    /// with a large offset, where scipy's are only good to ulp(x̄)/s. A constant sample (s = 0) gives
    /// NaN everywhere, as scipy does.
    public static func zScores(_ x: [Double], correction: Int = 0) throws -> [Double] {
        precondition(correction >= 0, "zScores: correction must be ≥ 0, found \(correction)")
        try StatisticsError.checkCount("zScores", x.count, atLeast: correction + 1)
        return x.withUnsafeBufferPointer { xp in
            let s = (centredMoments(xp).sumOfSquares / Double(x.count - correction)).squareRoot()
            guard s > 0 else { return [Double](repeating: .nan, count: x.count) }
            let m = splitMean(xp)
            return xp.map { (($0 - m.high) - m.low) / s }
        }
    }

    /// The mean and Σ(x − x̄)² by the corrected two-pass algorithm; `x` must not be empty.
    static func centredMoments(_ x: UnsafeBufferPointer<Double>) -> (mean: Double, sumOfSquares: Double) {
        let m = splitMean(x)
        var deviation = 0.0
        var squares = 0.0
        for v in x {
            let d = (v - m.high) - m.low
            deviation = Relaxed.sum(deviation, d)
            squares = Relaxed.multiplyAdd(d, d, squares)
        }
        return (m.high + m.low, max(0, squares - deviation * deviation / Double(x.count)))
    }

    /// The mean as an unevaluated sum high + low: high = Σx/n, low = Σ(x − high)/n.
    ///
    /// Deviations are then formed as (x − high) − low. For data far from zero (1e9 + noise) x − high
    /// is exact, so the deviations keep the digits that rounding the mean to one double would lose
    /// (ulp(1e9) ≈ 1.2e-7); and a constant sample gets exactly zero deviations, hence variance 0.
    static func splitMean(_ x: UnsafeBufferPointer<Double>) -> (high: Double, low: Double) {
        let n = Double(x.count)
        var sum = 0.0
        for v in x { sum = Relaxed.sum(sum, v) }
        let high = sum / n
        var residual = 0.0
        for v in x { residual = Relaxed.sum(residual, v - high) }
        return (high, residual / n)
    }
}
