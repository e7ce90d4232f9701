import NeuroCore

/// How to estimate a channels × channels covariance from a short epoch.
public enum CovarianceEstimator: Sendable, Hashable {
    /// The sample covariance of centred data, divided by the sample count (sklearn's
    /// `empirical_covariance`); singular when samples ≤ channels.
    case empirical
    /// Ledoit–Wolf shrinkage towards μ·I (μ the mean variance) with the optimal intensity of
    /// Ledoit & Wolf (2004), as sklearn's `ledoit_wolf`; always positive definite, which the
    /// Riemannian decoders need.
    case ledoitWolf
}

/// A covariance estimate and the shrinkage intensity used (0 for `.empirical`).
public struct CovarianceEstimate: Sendable, Hashable {
    public let matrix: Matrix<Double>
    public let shrinkage: Double
}

extension CovarianceEstimate {
    /// The covariance of the rows of `x` (channels × samples, samples as observations), after
    /// removing each channel's mean unless `assumeCentered`.
    public init(_ x: Matrix<Double>, estimator: CovarianceEstimator = .ledoitWolf, assumeCentered: Bool = false) throws {
        let (p, n) = (x.rows, x.columns)
        try ParameterError.check(p >= 1 && n >= 1, "data", expected: "at least one channel and one sample", found: "\(p) × \(n)")
        try ParameterError.check(x.isFinite, "data", expected: "finite values", found: "a non-finite sample")
        var centered = x
        if !assumeCentered {
            centered.withUnsafeMutableBufferPointer { e in
                for c in 0..<p {
                    let row = c &* n
                    var mean = 0.0
                    for t in 0..<n { mean += e[row &+ t] }
                    mean /= Double(n)
                    for t in 0..<n { e[row &+ t] -= mean }
                }
            }
        }
        let empirical = centered.multiplied(by: centered, transposingOther: true) * (1 / Double(n))
        guard estimator == .ledoitWolf, p > 1 else {
            self.init(matrix: empirical, shrinkage: 0)
            return
        }
        // sklearn's ledoit_wolf_shrinkage in channel-major form:
        //   β̃ = Σₜ (Σᵢ xᵢₜ²)² / n,  δ̃ = Σᵢⱼ Sᵢⱼ²,  μ = tr S / p,
        //   β = (β̃ − δ̃) / (p·n),  δ = (δ̃ − 2μ·tr S + p·μ²) / p,  shrinkage = min(β, δ) / δ.
        var betaSum = 0.0
        centered.withUnsafeBufferPointer { e in
            for t in 0..<n {
                var column = 0.0
                for c in 0..<p { column += e[c &* n &+ t] * e[c &* n &+ t] }
                betaSum += column * column
            }
        }
        let trace = empirical.trace
        let mu = trace / Double(p)
        let deltaTilde = empirical.elements.reduce(0) { $0 + $1 * $1 }
        let beta = (betaSum / Double(n) - deltaTilde) / Double(p * n)
        let delta = (deltaTilde - 2 * mu * trace + Double(p) * mu * mu) / Double(p)
        let clipped = min(beta, delta)
        let shrinkage = clipped == 0 ? 0 : clipped / delta
        var shrunk = empirical * (1 - shrinkage)
        shrunk.withUnsafeMutableBufferPointer { e in
            for i in 0..<p { e[i &* p &+ i] += shrinkage * mu }
        }
        self.init(matrix: shrunk, shrinkage: shrinkage)
    }
}

extension Epochs {
    /// The covariance of trial `t` (channels × channels, samples as observations).
    public func covariance(trial t: Int, estimator: CovarianceEstimator = .ledoitWolf) throws -> CovarianceEstimate {
        try CovarianceEstimate(
            Matrix(rows: channelCount, columns: sampleCount, elements: trial(t).map(Double.init)), estimator: estimator)
    }

    /// One covariance per trial, in trial order.
    public func covariances(estimator: CovarianceEstimator = .ledoitWolf) throws -> [CovarianceEstimate] {
        try (0..<trialCount).map { try covariance(trial: $0, estimator: estimator) }
    }
}
