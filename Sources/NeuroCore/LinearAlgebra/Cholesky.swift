/// A = L·Lᵀ for a symmetric positive-definite A (LAPACK `?potrf`).
///
/// The workhorse of Gaussian models: solves, log-determinants and multivariate-normal sampling.
/// Only the lower triangle of the input is read.
public struct Cholesky<Scalar: BLASScalar>: Sendable {
    /// The lower-triangular factor L (upper triangle zero).
    public let lower: Matrix<Scalar>

    /// Factorises `a`; throws `.notPositiveDefinite` (never traps) when it is not SPD.
    public init(_ a: Matrix<Scalar>) throws {
        precondition(a.isSquare, "Cholesky needs a square matrix, found \(a.rows) × \(a.columns)")
        guard a.isFinite else { throw LinearAlgebraError.nonFinite(routine: "Cholesky") }
        var l = a
        let n = a.rows
        if n > 0 {
            let info = l.withUnsafeMutableBufferPointer { Scalar.potrf(n: Int32(n), a: $0.baseAddress!) }
            if info > 0 { throw LinearAlgebraError.notPositiveDefinite(order: Int(info)) }
            precondition(info == 0, "potrf: invalid argument \(-info)")
        }
        for i in 0..<n {
            for j in (i + 1)..<n { l[i, j] = 0 }
        }
        lower = l
    }

    public var order: Int { lower.rows }

    /// log det A = 2 Σ log Lᵢᵢ, without overflow for large or badly scaled A.
    public var logDeterminant: Scalar {
        var sum: Scalar = 0
        for i in 0..<order { sum += Scalar.log(lower[i, i]) }
        return 2 * sum
    }

    /// X with A·X = B (B is n × k).
    public func solve(_ b: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(b.rows == order, "Cholesky.solve: right-hand side has \(b.rows) rows, expected \(order)")
        var x = b
        guard order > 0, b.columns > 0 else { return x }
        lower.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { xb in
                let info = Scalar.potrs(n: Int32(order), nrhs: Int32(b.columns), a: l.baseAddress!, b: xb.baseAddress!)
                precondition(info == 0, "potrs: invalid argument \(-info)")
            }
        }
        return x
    }

    /// x with A·x = b.
    public func solve(_ b: [Scalar]) -> [Scalar] {
        solve(Matrix(rows: b.count, columns: 1, elements: b)).elements
    }

    /// A⁻¹, symmetric.
    public func inverse() -> Matrix<Scalar> { solve(Matrix.identity(order)).symmetrized() }

    /// L·z: turns a standard-normal vector z into a draw with covariance A.
    public func multiplyLower(_ z: [Scalar]) -> [Scalar] { lower.multiplied(by: z) }
}

extension Matrix {
    /// The Cholesky factorisation of this symmetric positive-definite matrix.
    public func cholesky() throws -> Cholesky<Scalar> { try Cholesky(self) }
}
