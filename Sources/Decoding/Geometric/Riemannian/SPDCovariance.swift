import Foundation
import NeuroCore
import Recording

/// How each epoch's channels × channels covariance is estimated before any Riemannian step.
///
/// The shrinkage estimators shrink towards μ·I with μ = tr(S)/n, as scikit-learn does, so they are
/// positive definite even when an epoch has fewer samples than channels. OAS is the default of every
/// pipeline here (MOABB's choice): pyRiemann's most frequent user error is a singular sample covariance.
public enum SPDCovarianceEstimator: Sendable, Hashable, CustomStringConvertible {
    /// The sample covariance of centred data divided by the sample count (pyRiemann `scm`).
    case sample
    /// Ledoit–Wolf (pyRiemann `lwf`, scikit-learn `ledoit_wolf`); Recording's estimator.
    case ledoitWolf
    /// Oracle approximating shrinkage (pyRiemann `oas`, scikit-learn `oas`).
    case oas
    /// Fixed shrinkage γ: (1 − γ)·S + γ·μ·I (pyRiemann `Shrinkage`, scikit-learn `shrunk_covariance`).
    case shrinkage(Double)

    public var description: String {
        switch self {
        case .sample: return "scm"
        case .ledoitWolf: return "lwf"
        case .oas: return "oas"
        case .shrinkage(let g): return "shrinkage(\(g))"
        }
    }

    /// The covariance of `x` (channels × samples, samples as observations) and the shrinkage used.
    public func estimate(_ x: Matrix<Double>) throws -> (matrix: Matrix<Double>, shrinkage: Double) {
        switch self {
        case .sample:
            return (try Self.empirical(x), 0)
        case .ledoitWolf:
            let e = try CovarianceEstimate(x, estimator: .ledoitWolf)
            return (e.matrix, e.shrinkage)
        case .oas:
            let s = try Self.empirical(x)
            let p = s.rows
            if p == 1 { return (s, 0) }
            // scikit-learn's _oas: α = mean(S²), μ = tr S / p,
            // γ = min((α + μ²) / ((n + 1)(α − μ²/p)), 1).
            let alpha = s.elements.reduce(0) { $0 + $1 * $1 } / Double(p * p)
            let mu = s.trace / Double(p)
            let den = Double(x.columns + 1) * (alpha - mu * mu / Double(p))
            let gamma = den == 0 ? 1 : Swift.min((alpha + mu * mu) / den, 1)
            return (try SPD.shrunk(s, intensity: gamma), gamma)
        case .shrinkage(let gamma):
            let s = try Self.empirical(x)
            return (try SPD.shrunk(s, intensity: gamma), gamma)
        }
    }

    /// XXᵀ/n of the row-centred data (scikit-learn's `empirical_covariance`), with concrete Double
    /// loops and one BLAS product: this runs once per trial.
    static func empirical(_ x: Matrix<Double>) throws -> Matrix<Double> {
        let (p, n) = (x.rows, x.columns)
        try ParameterError.check(p >= 1 && n >= 1, "data", expected: "at least one channel and one sample", found: "\(p) × \(n)")
        var centred = x
        var finite = true
        centred.withUnsafeMutableBufferPointer { e in
            for c in 0..<p {
                let row = c &* n
                var mean = 0.0
                for t in 0..<n { mean += e[row &+ t] }
                if !mean.isFinite { finite = false }
                mean /= Double(n)
                for t in 0..<n { e[row &+ t] -= mean }
            }
        }
        try ParameterError.check(finite, "data", expected: "finite values", found: "a non-finite sample")
        let scale = 1 / Double(n)
        var c = SPD.product(centred, centred, transposingOther: true)
        c.withUnsafeMutableBufferPointer { e in for i in e.indices { e[i] *= scale } }
        return SPD.symmetrize(c)
    }

    /// One covariance per trial of `epochs`, in trial order (trials run concurrently).
    public func covariances(_ epochs: Epochs) throws -> [Matrix<Double>] {
        if case .shrinkage(let g) = self {
            try ParameterError.check(g >= 0 && g <= 1, "shrinkage", expected: "a value in [0, 1]", found: g)
        }
        let (c, s) = (epochs.channelCount, epochs.sampleCount)
        return try concurrentMap(count: epochs.trialCount) { t in
            let block = epochs.trial(t)
            var values = [Double](repeating: 0, count: c * s)
            block.withUnsafeBufferPointer { src in
                for i in 0..<(c &* s) { values[i] = Double(src[i]) }
            }
            return try estimate(Matrix(rows: c, columns: s, elements: values)).matrix
        }
    }
}
