/// The shape of a dense, row-major tensor, with the strides and broadcasting rules numpy uses.
public struct TensorShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public let dimensions: [Int]

    public init(_ dimensions: [Int]) {
        precondition(dimensions.allSatisfy { $0 >= 0 }, "TensorShape: negative dimension in \(dimensions)")
        self.dimensions = dimensions
    }

    public var rank: Int { dimensions.count }
    /// Number of elements (1 for a scalar).
    public var count: Int { dimensions.reduce(1, *) }

    /// Row-major strides in elements: the last dimension is contiguous.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= dimensions[axis]
        }
        return strides
    }

    /// The shape two operands broadcast to (numpy rules: align right, sizes equal or 1), or nil when
    /// they are incompatible.
    public func broadcast(with other: TensorShape) -> TensorShape? {
        let rank = Swift.max(self.rank, other.rank)
        var result = [Int](repeating: 1, count: rank)
        for offset in 0..<rank {
            let a = offset < self.rank ? dimensions[self.rank - 1 - offset] : 1
            let b = offset < other.rank ? other.dimensions[other.rank - 1 - offset] : 1
            guard a == b || a == 1 || b == 1 else { return nil }
            result[rank - 1 - offset] = a == 1 ? b : a
        }
        return TensorShape(result)
    }

    public var description: String { "(" + dimensions.map(String.init).joined(separator: ", ") + ")" }
}
