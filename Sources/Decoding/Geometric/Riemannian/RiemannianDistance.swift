import Foundation
import NeuroCore

/// The metric used for distances and means on the SPD manifold.
public enum RiemannianMetric: String, Sendable, Hashable, CaseIterable, Codable {
    /// The affine-invariant metric: δ(A, B) = ‖log(A^{-1/2} B A^{-1/2})‖_F (pyRiemann `riemann`).
    case riemann
    /// The log-Euclidean metric: δ(A, B) = ‖log A − log B‖_F (pyRiemann `logeuclid`).
    case logEuclidean
}

extension SPD {
    /// The distance between two SPD matrices under `metric`.
    public static func distance(_ a: Matrix<Double>, _ b: Matrix<Double>, metric: RiemannianMetric = .riemann) throws -> Double {
        let n = try commonSize([a, b], context: "distance")
        _ = n
        switch metric {
        case .riemann:
            return try affineInvariantDistance(a, whitener: inverseSqrt(b))
        case .logEuclidean:
            return try (log(a) - log(b)).frobeniusNorm
        }
    }

    /// δ_R(A, B) where `whitener` = B^{-1/2}: the eigenvalues of B^{-1/2} A B^{-1/2} are the
    /// generalised eigenvalues of (A, B), and δ_R = (Σ log² λ)^{1/2}. Precomputing the whitener lets
    /// MDM measure many trials against one centroid with one decomposition each.
    static func affineInvariantDistance(_ a: Matrix<Double>, whitener: Matrix<Double>) throws -> Double {
        let values = try Eigen(congruence(whitener, a)).values
        var sum = 0.0
        for v in values {
            guard v > 0 else {
                throw RiemannianError.notPositiveDefinite(context: "distance", smallestEigenvalue: v, rank: 0, size: values.count)
            }
            let l = Foundation.log(v)
            sum += l * l
        }
        return sum.squareRoot()
    }
}
