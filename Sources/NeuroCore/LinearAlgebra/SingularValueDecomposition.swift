/// Thin SVD A = U·diag(s)·Vᵀ (LAPACK `?gesdd`), singular values descending.
///
/// For an m × n matrix with k = min(m, n): `u` is m × k, `singularValues` has k entries, `vt` is k × n.
public struct SingularValueDecomposition<Scalar: BLASScalar>: Sendable {
    public let u: Matrix<Scalar>
    public let singularValues: [Scalar]
    public let vt: Matrix<Scalar>

    public init(_ a: Matrix<Scalar>) throws {
        guard a.isFinite else { throw LinearAlgebraError.nonFinite(routine: "SVD") }
        let (m, n) = (a.rows, a.columns)
        let k = Swift.min(m, n)
        var work = a
        var s = [Scalar](repeating: 0, count: k)
        var u = Matrix<Scalar>(rows: m, columns: k)
        var vt = Matrix<Scalar>(rows: k, columns: n)
        if k > 0 {
            let info = work.withUnsafeMutableBufferPointer { ap in
                s.withUnsafeMutableBufferPointer { sp in
                    u.withUnsafeMutableBufferPointer { up in
                        vt.withUnsafeMutableBufferPointer { vp in
                            Scalar.gesdd(
                                m: Int32(m), n: Int32(n), a: ap.baseAddress!, s: sp.baseAddress!,
                                u: up.baseAddress!, vt: vp.baseAddress!)
                        }
                    }
                }
            }
            if info > 0 { throw LinearAlgebraError.noConvergence(routine: "gesdd", info: Int(info)) }
            precondition(info == 0, "gesdd: invalid argument \(-info)")
        }
        self.u = u
        self.singularValues = s
        self.vt = vt
    }

    /// Numerical rank: singular values above max(m, n) · ε · s₀ (numpy's `matrix_rank` default).
    public var rank: Int {
        guard let largest = singularValues.first else { return 0 }
        let tolerance = Scalar(Swift.max(u.rows, vt.columns)) * Scalar.ulpOfOne * largest
        return singularValues.filter { $0 > tolerance }.count
    }
}

extension Matrix {
    public func svd() throws -> SingularValueDecomposition<Scalar> { try SingularValueDecomposition(self) }
}
