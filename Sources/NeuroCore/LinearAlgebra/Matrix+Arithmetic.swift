// MARK: Products (BLAS)

extension Matrix {
    /// op(A)·op(B) through `?gemm`, where op transposes when asked. Shapes must agree.
    public func multiplied(by other: Matrix, transposingSelf: Bool = false, transposingOther: Bool = false) -> Matrix {
        let (m, k) = transposingSelf ? (columns, rows) : (rows, columns)
        let (k2, n) = transposingOther ? (other.columns, other.rows) : (other.rows, other.columns)
        precondition(k == k2, "matrix product: inner dimensions \(k) and \(k2) differ")
        var result = Matrix(rows: m, columns: n)
        guard m > 0, n > 0 else { return result }
        if k == 0 { return result }
        elements.withUnsafeBufferPointer { a in
            other.elements.withUnsafeBufferPointer { b in
                result.storage.withUnsafeMutableBufferPointer { c in
                    Scalar.gemm(
                        transA: transposingSelf, transB: transposingOther, m: Int32(m), n: Int32(n), k: Int32(k),
                        alpha: 1, a: a.baseAddress!, lda: Int32(columns), b: b.baseAddress!, ldb: Int32(other.columns),
                        beta: 0, c: c.baseAddress!, ldc: Int32(n))
                }
            }
        }
        return result
    }

    /// A·x through `?gemv` (or Aᵀ·x when `transposed`).
    public func multiplied(by x: [Scalar], transposed: Bool = false) -> [Scalar] {
        let (inner, outer) = transposed ? (rows, columns) : (columns, rows)
        precondition(x.count == inner, "matrix-vector product: vector of \(x.count), expected \(inner)")
        var y = [Scalar](repeating: 0, count: outer)
        guard rows > 0, columns > 0 else { return y }
        elements.withUnsafeBufferPointer { a in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    Scalar.gemv(
                        trans: transposed, m: Int32(rows), n: Int32(columns), alpha: 1, a: a.baseAddress!,
                        lda: Int32(columns), x: xp.baseAddress!, beta: 0, y: yp.baseAddress!)
                }
            }
        }
        return y
    }

    /// A·Aᵀ (symmetric, through `?syrk`): the Gram matrix of the rows, e.g. an unnormalised covariance.
    public func gramOfRows() -> Matrix {
        var result = Matrix(rows: rows, columns: rows)
        guard rows > 0, columns > 0 else { return result }
        elements.withUnsafeBufferPointer { a in
            result.storage.withUnsafeMutableBufferPointer { c in
                Scalar.syrk(n: Int32(rows), k: Int32(columns), alpha: 1, a: a.baseAddress!, beta: 0, c: c.baseAddress!)
            }
        }
        // syrk fills the lower triangle only.
        for i in 0..<rows {
            for j in (i + 1)..<rows { result[i, j] = result[j, i] }
        }
        return result
    }

    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.multiplied(by: rhs) }
    public static func * (lhs: Matrix, rhs: [Scalar]) -> [Scalar] { lhs.multiplied(by: rhs) }
}

// MARK: Element-wise arithmetic

extension Matrix {
    @inlinable
    static func combine(_ lhs: Matrix, _ rhs: Matrix, _ op: (Scalar, Scalar) -> Scalar) -> Matrix {
        precondition(
            lhs.rows == rhs.rows && lhs.columns == rhs.columns,
            "element-wise operation on \(lhs.rows) × \(lhs.columns) and \(rhs.rows) × \(rhs.columns)")
        return Matrix(rows: lhs.rows, columns: lhs.columns, elements: zip(lhs.elements, rhs.elements).map(op))
    }

    @inlinable public static func + (lhs: Matrix, rhs: Matrix) -> Matrix { combine(lhs, rhs, +) }
    @inlinable public static func - (lhs: Matrix, rhs: Matrix) -> Matrix { combine(lhs, rhs, -) }
    @inlinable public static func * (lhs: Scalar, rhs: Matrix) -> Matrix { rhs.map { lhs * $0 } }
    @inlinable public static func * (lhs: Matrix, rhs: Scalar) -> Matrix { lhs.map { $0 * rhs } }
    @inlinable public static func / (lhs: Matrix, rhs: Scalar) -> Matrix { lhs.map { $0 / rhs } }
    @inlinable public static prefix func - (m: Matrix) -> Matrix { m.map { -$0 } }

    /// Element-wise (Hadamard) product.
    @inlinable public func hadamard(_ other: Matrix) -> Matrix { Matrix.combine(self, other, *) }

    /// self += alpha · other, through `?axpy`.
    public mutating func add(_ other: Matrix, scaledBy alpha: Scalar = 1) {
        precondition(rows == other.rows && columns == other.columns, "add: shapes differ")
        guard !elements.isEmpty else { return }
        let n = Int32(elements.count)
        other.elements.withUnsafeBufferPointer { x in
            storage.withUnsafeMutableBufferPointer { y in
                Scalar.axpy(n: n, alpha: alpha, x: x.baseAddress!, y: y.baseAddress!)
            }
        }
    }

    /// √(Σ aᵢⱼ²).
    public var frobeniusNorm: Scalar { dot(elements, elements).squareRoot() }

    /// The largest |aᵢⱼ − bᵢⱼ|, for comparing results in tests and validations.
    public func maxAbsDifference(_ other: Matrix) -> Scalar {
        precondition(rows == other.rows && columns == other.columns, "maxAbsDifference: shapes differ")
        return zip(elements, other.elements).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
    }
}

// MARK: Vectors

/// x·y through `?dot`.
public func dot<Scalar: BLASScalar>(_ x: [Scalar], _ y: [Scalar]) -> Scalar {
    precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count) differ")
    guard !x.isEmpty else { return 0 }
    return x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in Scalar.dot(n: Int32(x.count), x: xp.baseAddress!, y: yp.baseAddress!) }
    }
}

/// y += alpha · x through `?axpy`.
public func axpy<Scalar: BLASScalar>(_ alpha: Scalar, _ x: [Scalar], _ y: inout [Scalar]) {
    precondition(x.count == y.count, "axpy: lengths \(x.count) and \(y.count) differ")
    guard !x.isEmpty else { return }
    x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
            Scalar.axpy(n: Int32(x.count), alpha: alpha, x: xp.baseAddress!, y: yp.baseAddress!)
        }
    }
}
