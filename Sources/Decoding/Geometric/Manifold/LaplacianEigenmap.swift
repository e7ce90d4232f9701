import Foundation
import NeuroCore

/// Laplacian eigenmap (Belkin & Niyogi 2003): the generalised problem L y = λ D y with L = D − W.
///
/// Solved through the symmetric normalised Laplacian D^{-1/2} L D^{-1/2} = U Λ Uᵀ (one LAPACK
/// `syevd`), y = D^{-1/2} u, so yᵀ D y = 1 as in `scipy.linalg.eigh(L, D)` (signs are arbitrary).
public struct LaplacianEigenmap: Sendable, Hashable {
    /// All generalised eigenvalues, ascending (in [0, 2]).
    public let eigenvalues: [Double]
    /// All generalised eigenvectors as columns, nodes × nodes, in eigenvalue order.
    public let eigenvectors: Matrix<Double>
    /// The embedding: nodes × `dimensions`, the eigenvectors after the `trivial` (zero-eigenvalue) ones.
    public let embedding: Matrix<Double>
    /// Number of (numerically) zero eigenvalues skipped = number of connected components.
    public let trivial: Int

    /// From a symmetric non-negative affinity matrix with zero diagonal; every node needs an edge.
    public init(affinity w: Matrix<Double>, dimensions: Int) throws {
        let n = w.rows
        try ParameterError.check(w.isSquare && n >= 2, "affinity", expected: "a square matrix of ≥ 2 nodes", found: "\(w.rows) × \(w.columns)")
        try ParameterError.check(w.elements.allSatisfy { $0 >= 0 && $0.isFinite }, "affinity", expected: "finite values ≥ 0", found: "a negative or non-finite entry")
        try ParameterError.check(w.asymmetry <= 1e-12 * Swift.max(1, w.elements.max() ?? 1), "affinity", expected: "a symmetric matrix", found: "asymmetry \(w.asymmetry)")
        let degree = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + (i == $1 ? 0 : w[i, $1]) } }
        if let isolated = degree.firstIndex(where: { $0 <= 0 }) {
            throw ParameterError("affinity", expected: "every node connected to another", found: "node \(isolated) has no edge")
        }
        let scale = degree.map { 1 / $0.squareRoot() }
        let normalised = Matrix<Double>(rows: n, columns: n) { i, j in
            i == j ? 1 : -w[i, j] * scale[i] * scale[j]
        }
        let eigen = try SymmetricEigen(normalised)
        let vectors = Matrix<Double>(rows: n, columns: n) { i, k in eigen.vectors[i, k] * scale[i] }
        let values = eigen.values.map { Swift.max($0, 0) }
        let trivial = values.filter { $0 <= 1e-9 }.count
        try ParameterError.check(dimensions >= 1 && trivial + dimensions <= n, "dimensions", expected: "1…\(n - trivial) (nodes minus components)", found: dimensions)
        eigenvalues = values
        eigenvectors = vectors
        self.trivial = trivial
        embedding = Matrix(rows: n, columns: dimensions) { i, k in vectors[i, trivial + k] }
    }

    /// Euclidean distance between nodes i and j in the embedding.
    public func distance(_ i: Int, _ j: Int) -> Double {
        var s = 0.0
        for k in 0..<embedding.columns { let d = embedding[i, k] - embedding[j, k]; s += d * d }
        return s.squareRoot()
    }
}
