import Synchronization

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
    /// Changing them drops the derived values cached for the old ones.
    public var values: [Double] { didSet { cache = ThreeWayTensorCache() } }
    /// Flat indices of missing entries, increasing and without repeats.
    public let missing: [Int]
    /// Derived values (norm, Float copy) shared by every copy of this value and every fit of it.
    private var cache = ThreeWayTensorCache()

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

    /// ‖X‖² over the observed entries (missing entries are stored as 0); computed once per value.
    public var squaredNorm: Double {
        cache.squaredNorm {
            values.withUnsafeBufferPointer { Double.dot(n: Int32($0.count), x: $0.baseAddress!, y: $0.baseAddress!) }
        }
    }

    /// The values rounded to Float and the squared norm of that copy, made on first use and then
    /// shared: every restart, rank and repeated fit of this tensor reads the same copy (a fit that
    /// imputes missing entries writes into its own copy-on-write duplicate, never into this one).
    var singlePrecisionCopy: ThreeWayTensorCache.SingleCopy {
        cache.singleCopy {
            let single = values.map { Float($0) }
            return .init(values: single, squaredNorm: single.reduce(0) { $0 + Double($1) * Double($1) })
        }
    }
}

extension ThreeWayTensor {
    /// Equal shape, values and missing entries (the cache is derived from them).
    public static func == (lhs: ThreeWayTensor, rhs: ThreeWayTensor) -> Bool {
        lhs.shape == rhs.shape && lhs.missing == rhs.missing && lhs.values == rhs.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(shape)
        hasher.combine(values)
        hasher.combine(missing)
    }
}

/// Values derived from a tensor's entries that every fit needs, computed once on first use (under a
/// lock, so concurrent fits never compute them twice) and shared by all copies of the tensor value.
/// A Float copy of the benchmark tensor costs about as much as one outer NTF iteration.
final class ThreeWayTensorCache: Sendable {
    struct SingleCopy: Sendable {
        let values: [Float]
        /// ‖Float copy‖², summed in Double in index order.
        let squaredNorm: Double
    }

    private let norm = Mutex<Double?>(nil)
    private let single = Mutex<SingleCopy?>(nil)

    func squaredNorm(_ compute: () -> Double) -> Double {
        norm.withLock { stored in
            if let stored { return stored }
            let value = compute()
            stored = value
            return value
        }
    }

    func singleCopy(_ compute: () -> SingleCopy) -> SingleCopy {
        single.withLock { stored in
            if let stored { return stored }
            let value = compute()
            stored = value
            return value
        }
    }
}
