/// A dense, row-major matrix of `Float` or `Double`, the shape-checked currency of NeuroCore.
///
/// Element (i, j) is `elements[i * columns + j]`, the layout numpy, HDF5 and C use, so data moves
/// between them without transposition. Products go through BLAS (`Matrix+Arithmetic.swift`),
/// factorisations through LAPACK (`Cholesky`, `SymmetricEigen`, `SingularValueDecomposition`,
/// `LUDecomposition`). Shape mismatches between operands are programming errors and trap with a
/// message; numerical failures (singular, not positive definite) are thrown.
///
/// The element accessors are `@inlinable` so that loops over `Matrix<Double>` in other modules are
/// specialised for the concrete type instead of going through generic witness tables (~100× slower).
public struct Matrix<Scalar: BLASScalar>: Sendable, Hashable, Codable {
    public let rows: Int
    public let columns: Int
    @usableFromInline var storage: [Scalar]

    /// Row-major storage, `rows * columns` elements. Write through the subscript or
    /// `withUnsafeMutableBufferPointer`, which keep the shape.
    @inlinable public var elements: [Scalar] { storage }

    /// A matrix from row-major elements; `elements.count` must be `rows * columns`.
    @inlinable
    public init(rows: Int, columns: Int, elements: [Scalar]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows) × \(columns)")
        precondition(
            elements.count == rows * columns,
            "Matrix: \(elements.count) elements do not fill \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = elements
    }

    @inlinable
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows) × \(columns)")
        self.init(rows: rows, columns: columns, elements: Array(repeating: value, count: rows * columns))
    }

    /// A matrix from nested rows, which must all have the same length.
    public init(_ rowArrays: [[Scalar]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "Matrix: rows of unequal length")
        self.init(rows: rowArrays.count, columns: columns, elements: rowArrays.flatMap { $0 })
    }

    /// A matrix whose element (i, j) is `value(i, j)`.
    @inlinable
    public init(rows: Int, columns: Int, _ value: (Int, Int) throws -> Scalar) rethrows {
        var elements = [Scalar]()
        elements.reserveCapacity(rows * columns)
        for i in 0..<rows {
            for j in 0..<columns { elements.append(try value(i, j)) }
        }
        self.init(rows: rows, columns: columns, elements: elements)
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i &* n &+ i] = 1 }
        return m
    }

    /// A square matrix with `values` on its diagonal.
    public static func diagonal(_ values: [Scalar]) -> Matrix {
        var m = Matrix(rows: values.count, columns: values.count)
        for (i, v) in values.enumerated() { m.storage[i &* values.count &+ i] = v }
        return m
    }

    public var isSquare: Bool { rows == columns }
    public var count: Int { elements.count }
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    @inlinable
    public subscript(row: Int, column: Int) -> Scalar {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return storage[row &* columns &+ column]
        }
        _modify {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            yield &storage[row &* columns &+ column]
        }
    }

    public func row(_ i: Int) -> [Scalar] {
        precondition(i >= 0 && i < rows, "Matrix row \(i) out of range 0..<\(rows)")
        return Array(elements[(i * columns)..<((i + 1) * columns)])
    }

    public func column(_ j: Int) -> [Scalar] {
        precondition(j >= 0 && j < columns, "Matrix column \(j) out of range 0..<\(columns)")
        return (0..<rows).map { elements[$0 &* columns &+ j] }
    }

    /// The main diagonal.
    public var diagonal: [Scalar] { (0..<Swift.min(rows, columns)).map { elements[$0 &* columns &+ $0] } }

    public var trace: Scalar {
        precondition(isSquare, "trace of a non-square \(rows) × \(columns) matrix")
        return diagonal.reduce(0, +)
    }

    @inlinable
    public func transposed() -> Matrix {
        var t = [Scalar](repeating: 0, count: elements.count)
        elements.withUnsafeBufferPointer { src in
            t.withUnsafeMutableBufferPointer { dst in
                for i in 0..<rows {
                    let base = i &* columns
                    for j in 0..<columns { dst[j &* rows &+ i] = src[base &+ j] }
                }
            }
        }
        return Matrix(rows: columns, columns: rows, elements: t)
    }

    /// The same elements in a different shape (row-major order is kept).
    public func reshaped(rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: elements)
    }

    /// Element-wise map, keeping the shape.
    @inlinable
    public func map(_ transform: (Scalar) throws -> Scalar) rethrows -> Matrix {
        Matrix(rows: rows, columns: columns, elements: try elements.map(transform))
    }

    /// True when every element is finite (no NaN or infinity).
    @inlinable public var isFinite: Bool { elements.allSatisfy { $0.isFinite } }

    /// The largest |aᵢⱼ − aⱼᵢ|; zero for an exactly symmetric matrix.
    public var asymmetry: Scalar {
        precondition(isSquare, "asymmetry of a non-square \(rows) × \(columns) matrix")
        var worst: Scalar = 0
        for i in 0..<rows {
            for j in (i + 1)..<columns { worst = Swift.max(worst, abs(self[i, j] - self[j, i])) }
        }
        return worst
    }

    /// (A + Aᵀ)/2: removes the rounding asymmetry that products such as XᵀX leave behind.
    public func symmetrized() -> Matrix {
        precondition(isSquare, "symmetrized() needs a square matrix, found \(rows) × \(columns)")
        return Matrix(rows: rows, columns: columns) { i, j in (self[i, j] + self[j, i]) / 2 }
    }

    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Direct access to the row-major storage; the buffer cannot change size, so the shape is kept.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// Row `i` as a buffer, without copying.
    @inlinable
    public func withRow<R>(_ i: Int, _ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < rows, "Matrix row \(i) out of range 0..<\(rows)")
        return try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[(i &* columns)..<((i &+ 1) &* columns)])) }
    }

    /// Converts between `Float` and `Double`.
    public func converted<Other: BLASScalar>(to: Other.Type = Other.self) -> Matrix<Other> {
        Matrix<Other>(rows: rows, columns: columns, elements: elements.map { Other($0) })
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = (0..<Swift.min(rows, 8)).map { i in
            "[" + (0..<Swift.min(columns, 8)).map { "\(self[i, $0])" }.joined(separator: ", ")
                + (columns > 8 ? ", …" : "") + "]"
        }
        return "Matrix<\(Scalar.self)> \(rows) × \(columns)\n" + shown.joined(separator: "\n") + (rows > 8 ? "\n…" : "")
    }
}
