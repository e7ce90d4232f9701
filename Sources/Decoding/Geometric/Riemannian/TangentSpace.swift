import Foundation
import NeuroCore

/// The tangent space of the SPD manifold at a reference point, flattened to vectors.
///
/// S ↦ upper(log(C^{-1/2} S C^{-1/2})) where `upper` keeps the upper triangle row by row with weight 1
/// on the diagonal and √2 off it (pyRiemann's convention), so Euclidean norms of the vectors equal
/// affine-invariant distances to the reference: ‖t(S)‖ = δ_R(C, S). Vectors have n(n+1)/2 entries.
public struct TangentSpace: Sendable {
    /// The reference point C (usually the Riemannian mean of the training matrices).
    public let reference: Matrix<Double>
    let whitener: Matrix<Double>
    let root: Matrix<Double>

    public init(reference: Matrix<Double>) throws {
        try SPD.validate(reference, context: "tangent-space reference")
        self.reference = reference
        (root, whitener) = try SPD.sqrtAndInverseSqrt(reference, context: "tangent-space reference")
    }

    /// Fits the reference as the mean of `matrices` under `metric` (pyRiemann `TangentSpace.fit`).
    public init(fitting matrices: [Matrix<Double>], metric: RiemannianMetric = .riemann,
                options: RiemannianMeanOptions = RiemannianMeanOptions()) throws {
        try self.init(reference: SPD.mean(matrices, metric: metric, options: options).matrix)
    }

    public var dimension: Int { reference.rows * (reference.rows + 1) / 2 }

    /// The tangent vector of one SPD matrix.
    public func vector(_ matrix: Matrix<Double>) throws -> [Double] {
        guard matrix.rows == reference.rows, matrix.columns == reference.rows else {
            throw RiemannianError.sizeMismatch(context: "tangent space", expected: reference.rows, found: matrix.rows)
        }
        return Self.upper(try SPD.whitenedLog(whitener, matrix))
    }

    /// Tangent vectors of many matrices as rows of a matrix (matrices run concurrently).
    public func vectors(_ matrices: [Matrix<Double>]) throws -> Matrix<Double> {
        let rows = try concurrentMap(count: matrices.count) { try vector(matrices[$0]) }
        return Matrix(rows: rows.count, columns: dimension, elements: Array(rows.joined()))
    }

    /// The SPD matrix of a tangent vector: C^{1/2} exp(unupper(v)) C^{1/2}.
    public func matrix(_ vector: [Double]) throws -> Matrix<Double> {
        try ParameterError.check(vector.count == dimension, "vector", expected: "\(dimension) entries", found: vector.count)
        return SPD.congruence(root, try SPD.exp(Self.unupper(vector)))
    }

    /// The upper triangle of a symmetric matrix, row by row, off-diagonal entries times √2.
    public static func upper(_ symmetric: Matrix<Double>) -> [Double] {
        precondition(symmetric.isSquare, "upper needs a square matrix")
        let n = symmetric.rows
        var out = [Double]()
        out.reserveCapacity(n * (n + 1) / 2)
        let r2 = 2.0.squareRoot()
        symmetric.withUnsafeBufferPointer { e in
            for i in 0..<n {
                out.append(e[i &* n &+ i])
                for j in (i &+ 1)..<n { out.append(r2 * e[i &* n &+ j]) }
            }
        }
        return out
    }

    /// The inverse of `upper`.
    public static func unupper(_ vector: [Double]) -> Matrix<Double> {
        let discriminant: Double = 1 + 8 * Double(vector.count)
        let n = Int((discriminant.squareRoot() - 1) / 2)
        precondition(n * (n + 1) / 2 == vector.count, "unupper: \(vector.count) is not a triangular number")
        var m = Matrix<Double>(rows: n, columns: n)
        let r2 = 2.0.squareRoot()
        var k = 0
        m.withUnsafeMutableBufferPointer { e in
            for i in 0..<n {
                e[i &* n &+ i] = vector[k]
                k += 1
                for j in (i &+ 1)..<n {
                    e[i &* n &+ j] = vector[k] / r2
                    e[j &* n &+ i] = vector[k] / r2
                    k += 1
                }
            }
        }
        return m
    }
}
