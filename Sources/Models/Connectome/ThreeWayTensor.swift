/// A dense 3-way tensor with optional missing entries: the input of non-negative CP.
///
/// Laid out row-major as (mode 0, mode 1, mode 2) with the last mode fastest, so that for the
/// affinity tensor (time × animal × pair) each (time, animal) fibre over pairs is contiguous and the
/// tensor is also a (T·W) × P row-major matrix: MTTKRPs then run as BLAS `gemm`s on it directly.
/// Missing entries are listed by flat index rather than by a dense mask, because in affinity tensors
/// they come from neurons absent in some animals (a small fraction of the tensor).
public struct ThreeWayTensor: Sendable, Hashable {
    /// Sizes of the three modes.
    public let shape: [Int]
    /// Values, row-major over `shape`. Entries listed in `missing` hold placeholders (0 when built here).
    public var values: [Double]
    /// Flat indices of missing entries, increasing and without repeats.
    public let missing: [Int]

    /// - Throws: `ParameterError` when the shape is not three positive sizes, the value count does
    ///   not match, a value is negative or not finite (outside `missing`), or a missing index is out
    ///   of range.
    public init(shape: [Int], values: [Double], missing: [Int] = []) throws {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw ParameterError("shape", expected: "three positive sizes", found: shape)
        }
        let count = shape[0] * shape[1] * shape[2]
        guard values.count == count else {
            throw ParameterError("values.count", expected: "\(count) (the product of \(shape))", found: values.count)
        }
        let sortedMissing = Array(Set(missing)).sorted()
        if let first = sortedMissing.first, first < 0 {
            throw ParameterError("missing", expected: "indices in 0..<\(count)", found: first)
        }
        if let last = sortedMissing.last, last >= count {
            throw ParameterError("missing", expected: "indices in 0..<\(count)", found: last)
        }
        var cleaned = values
        for i in sortedMissing { cleaned[i] = 0 }
        if let bad = cleaned.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw ParameterError("values[\(bad)]", expected: "a finite value ≥ 0 (non-negative CP)", found: cleaned[bad])
        }
        self.shape = shape
        self.values = cleaned
        self.missing = sortedMissing
    }

    public var count: Int { values.count }
    public var observedCount: Int { values.count - missing.count }

    public subscript(i: Int, j: Int, k: Int) -> Double {
        values[(i &* shape[1] &+ j) &* shape[2] &+ k]
    }

    /// ‖X‖² over the observed entries (missing entries are stored as 0).
    public var squaredNorm: Double { values.withUnsafeBufferPointer { Double.dot(n: Int32($0.count), x: $0.baseAddress!, y: $0.baseAddress!) } }
}
