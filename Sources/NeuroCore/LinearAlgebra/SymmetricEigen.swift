/// A = V·diag(λ)·Vᵀ for a symmetric A (LAPACK `?syevd`, divide and conquer).
///
/// Eigenvalues ascend, as in `numpy.linalg.eigh`; column k of `vectors` belongs to `values[k]`.
/// Only the lower triangle of the input is read. The initialiser is inlinable so that callers in other
/// modules get a specialised copy: unspecialised, the finiteness check costs more than `syevd` itself
/// at EEG sizes (64 × 64).
public struct SymmetricEigen<Scalar: BLASScalar>: Sendable {
    public let values: [Scalar]
    /// Orthonormal eigenvectors, one per column.
    public let vectors: Matrix<Scalar>

    @inlinable
    public init(_ a: Matrix<Scalar>) throws {
        precondition(a.isSquare, "SymmetricEigen needs a square matrix, found \(a.rows) × \(a.columns)")
        guard a.isFinite else { throw LinearAlgebraError.nonFinite(routine: "SymmetricEigen") }
        let n = a.rows
        var v = a
        var w = [Scalar](repeating: 0, count: n)
        if n > 0 {
            let info = v.withUnsafeMutableBufferPointer { vp in
                w.withUnsafeMutableBufferPointer { Scalar.syevd(n: Int32(n), a: vp.baseAddress!, w: $0.baseAddress!) }
            }
            if info > 0 { throw LinearAlgebraError.noConvergence(routine: "syevd", info: Int(info)) }
            precondition(info == 0, "syevd: invalid argument \(-info)")
        }
        values = w
        vectors = v
    }

    /// V·diag(f(λ))·Vᵀ: matrix functions such as the logarithm or inverse square root of an SPD matrix.
    public func reconstructed(applying f: (Scalar) -> Scalar = { $0 }) -> Matrix<Scalar> {
        let n = values.count
        var scaled = vectors
        for j in 0..<n {
            let fj = f(values[j])
            for i in 0..<n { scaled[i, j] *= fj }
        }
        return scaled.multiplied(by: vectors, transposingOther: true).symmetrized()
    }
}

extension Matrix {
    public func symmetricEigen() throws -> SymmetricEigen<Scalar> { try SymmetricEigen(self) }
}
