import RealModule

/// Fixed sinusoidal position codes added to `[batch, length, dimension]` inputs (Vaswani et al. 2017):
/// PE[p, 2i] = sin(p / 10000^{2i/d}), PE[p, 2i+1] = cos(p / 10000^{2i/d}). No parameters; the table is
/// computed in Double once and rounded to Float.
public struct SinusoidalPositionalEncoding: UnaryLayer {
    /// `[maxLength, dimension]`.
    public let table: Tensor

    public init(dimension: Int, maxLength: Int) {
        precondition(dimension > 0 && maxLength > 0, "SinusoidalPositionalEncoding: sizes must be positive")
        var values = [Float](repeating: 0, count: maxLength * dimension)
        for p in 0..<maxLength {
            for j in 0..<dimension {
                let frequency = Double.pow(10_000, -Double(j - j % 2) / Double(dimension))
                let angle = Double(p) * frequency
                values[p * dimension + j] = Float(j % 2 == 0 ? Double.sin(angle) : Double.cos(angle))
            }
        }
        table = Tensor(values, shape: [maxLength, dimension])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input + Self.rows(table, for: input, "SinusoidalPositionalEncoding")
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [] }

    /// The first `length` rows of a `[maxLength, d]` table for a `[..., length, d]` input.
    static func rows(_ table: Tensor, for input: Tensor, _ name: String) -> Tensor {
        precondition(input.rank >= 2, "\(name): input must be [..., length, dimension]")
        let length = input.dimensions[input.rank - 2], d = input.dimensions[input.rank - 1]
        precondition(d == table.dimensions[1], "\(name): input width \(d), table width \(table.dimensions[1])")
        precondition(length <= table.dimensions[0], "\(name): length \(length) exceeds maxLength \(table.dimensions[0])")
        return length == table.dimensions[0] ? table : table.slice(axis: 0, 0..<length)
    }
}

/// A learned position embedding added to `[batch, length, dimension]` inputs (BERT/GPT style),
/// initialised N(0, 0.02²) as in GPT-2.
public struct LearnedPositionalEncoding: UnaryLayer {
    /// `[maxLength, dimension]`.
    public let weight: Tensor

    public init(dimension: Int, maxLength: Int, generator: inout SeededGenerator) {
        precondition(dimension > 0 && maxLength > 0, "LearnedPositionalEncoding: sizes must be positive")
        weight = Tensor.randomNormal([maxLength, dimension], std: 0.02, generator: &generator, requiresGrad: true)
    }

    public init(weight: Tensor) {
        precondition(weight.rank == 2, "LearnedPositionalEncoding: weight must be [maxLength, dimension]")
        self.weight = weight
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input + SinusoidalPositionalEncoding.rows(weight, for: input, "LearnedPositionalEncoding")
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
}
