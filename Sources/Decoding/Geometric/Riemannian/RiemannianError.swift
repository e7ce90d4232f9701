import NeuroCore

/// Why a matrix or a set of matrices cannot be used on the SPD manifold.
///
/// The messages name the usual cause, because the bare "not positive definite" that other tools give
/// is the most common complaint of their users: rank-deficient EEG (average reference, ICA removal,
/// fewer samples than channels) needs a shrinkage estimator, not a different classifier.
public enum RiemannianError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is not square; `context` says which input.
    case notSquare(context: String, rows: Int, columns: Int)
    /// The input differs from its transpose by more than rounding.
    case notSymmetric(context: String, asymmetry: Double)
    /// The smallest eigenvalue is ≤ 0 (or below the relative floor); `rank` is the numerical rank.
    case notPositiveDefinite(context: String, smallestEigenvalue: Double, rank: Int, size: Int)
    /// Nothing to work on.
    case empty(context: String)
    /// Matrices of different sizes were mixed.
    case sizeMismatch(context: String, expected: Int, found: Int)
    /// A classifier needs at least two classes (and each class needs members).
    case tooFewClasses(context: String, found: [String])

    public var description: String {
        switch self {
        case .notSquare(let context, let r, let c):
            return "\(context): expected a square matrix, found \(r) × \(c)"
        case .notSymmetric(let context, let a):
            return "\(context): expected a symmetric matrix, found an asymmetry of \(a)"
        case .notPositiveDefinite(let context, let smallest, let rank, let size):
            return "\(context): matrix is not positive definite (smallest eigenvalue \(smallest), numerical rank \(rank) of \(size)); "
                + "typical causes are fewer samples than channels, an average reference or removed ICA components: "
                + "use the OAS or Ledoit–Wolf estimator, or regularise"
        case .empty(let context):
            return "\(context): no matrices"
        case .sizeMismatch(let context, let expected, let found):
            return "\(context): expected \(expected) × \(expected) matrices, found \(found) × \(found)"
        case .tooFewClasses(let context, let found):
            return "\(context): need at least two classes with members, found \(found)"
        }
    }
}
