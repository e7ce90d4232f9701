/// Numerical failures of factorisations and solves. Shape errors are programming errors and trap.
public enum LinearAlgebraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Cholesky failed: the leading minor of this order is not positive definite.
    case notPositiveDefinite(order: Int)
    /// LU found the matrix singular (an exact zero pivot) or too ill-conditioned to solve with
    /// (reciprocal condition number below machine precision).
    case singular(reciprocalCondition: Double)
    /// An iterative LAPACK routine did not converge.
    case noConvergence(routine: String, info: Int)
    /// The input holds NaN or infinity, which LAPACK would silently propagate.
    case nonFinite(routine: String)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let order):
            return "matrix is not positive definite (leading minor of order \(order) is not)"
        case .singular(let rcond):
            return "matrix is singular to working precision (reciprocal condition number \(rcond))"
        case .noConvergence(let routine, let info):
            return "\(routine) did not converge (LAPACK info \(info))"
        case .nonFinite(let routine):
            return "\(routine): the matrix contains NaN or infinity"
        }
    }
}
