/// P·A = L·U with partial pivoting (LAPACK `?getrf`), for general square solves and inverses.
///
/// Construction throws `.singular` when a pivot is exactly zero or the 1-norm reciprocal condition
/// number (`?gecon`) is below machine precision, so a solve never returns silently meaningless numbers.
public struct LUDecomposition<Scalar: BLASScalar>: Sendable {
    /// L (unit lower, below the diagonal) and U (on and above it), packed as LAPACK returns them.
    public let factors: Matrix<Scalar>
    /// 1-based row interchanges, as LAPACK reports them.
    public let pivots: [Int32]
    /// Estimated reciprocal condition number in the 1-norm.
    public let reciprocalCondition: Scalar

    public init(_ a: Matrix<Scalar>) throws {
        precondition(a.isSquare, "LU needs a square matrix, found \(a.rows) × \(a.columns)")
        guard a.isFinite else { throw LinearAlgebraError.nonFinite(routine: "LU") }
        let n = a.rows
        var lu = a
        var ipiv = [Int32](repeating: 0, count: n)
        var rcond: Scalar = 1
        if n > 0 {
            var anorm: Scalar = 0
            for j in 0..<n {
                var sum: Scalar = 0
                for i in 0..<n { sum += abs(a[i, j]) }
                anorm = Swift.max(anorm, sum)
            }
            let info = lu.withUnsafeMutableBufferPointer { ap in
                ipiv.withUnsafeMutableBufferPointer { Scalar.getrf(n: Int32(n), a: ap.baseAddress!, ipiv: $0.baseAddress!) }
            }
            precondition(info >= 0, "getrf: invalid argument \(-info)")
            if info > 0 { throw LinearAlgebraError.singular(reciprocalCondition: 0) }
            let estimate = lu.withUnsafeBufferPointer { Scalar.gecon(n: Int32(n), a: $0.baseAddress!, anorm: anorm) }
            rcond = estimate.rcond
            if !(rcond >= Scalar.ulpOfOne) {
                throw LinearAlgebraError.singular(reciprocalCondition: Double(rcond))
            }
        }
        factors = lu
        pivots = ipiv
        reciprocalCondition = rcond
    }

    public var order: Int { factors.rows }

    /// X with A·X = B.
    public func solve(_ b: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(b.rows == order, "LU.solve: right-hand side has \(b.rows) rows, expected \(order)")
        var x = b
        guard order > 0, b.columns > 0 else { return x }
        factors.withUnsafeBufferPointer { f in
            pivots.withUnsafeBufferPointer { p in
                x.withUnsafeMutableBufferPointer { xb in
                    let info = Scalar.getrs(
                        n: Int32(order), nrhs: Int32(b.columns), a: f.baseAddress!, ipiv: p.baseAddress!, b: xb.baseAddress!)
                    precondition(info == 0, "getrs: invalid argument \(-info)")
                }
            }
        }
        return x
    }

    /// x with A·x = b.
    public func solve(_ b: [Scalar]) -> [Scalar] {
        solve(Matrix(rows: b.count, columns: 1, elements: b)).elements
    }

    /// det A, from the product of U's diagonal and the pivot signs.
    public var determinant: Scalar {
        var det: Scalar = 1
        for i in 0..<order {
            det *= factors[i, i]
            if pivots[i] != Int32(i + 1) { det = -det }
        }
        return det
    }

    /// A⁻¹ (LAPACK `?getri`).
    public func inverse() -> Matrix<Scalar> {
        var inv = factors
        guard order > 0 else { return inv }
        inv.withUnsafeMutableBufferPointer { ap in
            pivots.withUnsafeBufferPointer { p in
                let info = Scalar.getri(n: Int32(order), a: ap.baseAddress!, ipiv: p.baseAddress!)
                precondition(info == 0, "getri failed with info \(info) after a successful getrf")
            }
        }
        return inv
    }
}

extension Matrix {
    /// A⁻¹; throws `.singular` for a singular or numerically singular matrix.
    public func inverse() throws -> Matrix { try LUDecomposition(self).inverse() }

    /// X with self·X = B; throws `.singular` for a singular or numerically singular matrix.
    public func solve(_ b: Matrix) throws -> Matrix { try LUDecomposition(self).solve(b) }

    /// x with self·x = b.
    public func solve(_ b: [Scalar]) throws -> [Scalar] { try LUDecomposition(self).solve(b) }
}
