/// A rank-R tensor in Kruskal (CP) form: Σᵣ λᵣ · a⁽¹⁾ᵣ ∘ a⁽²⁾ᵣ ∘ … ∘ a⁽ᴺ⁾ᵣ.
///
/// The output of non-negative tensor factorisation: factor matrix n has one row per index of mode n
/// and one column per component (tensortools' `KTensor`). Factors are held with unit-norm columns
/// and the scale in `weights`, which makes components comparable across fits and restarts.
public struct KruskalTensor: Sendable, Hashable {
    public let factors: [Matrix<Double>]
    public let weights: [Double]

    /// Builds the tensor; every factor must have `rank` columns. Columns are normalised to unit
    /// Euclidean norm and their norms multiplied into `weights`.
    public init(factors: [Matrix<Double>], weights: [Double]? = nil) throws {
        guard let rank = factors.first?.columns else {
            throw ParameterError("factors", expected: "at least one factor matrix", found: "none")
        }
        for (mode, factor) in factors.enumerated() where factor.columns != rank {
            throw ParameterError("factors[\(mode)].columns", expected: "\(rank) (the rank)", found: factor.columns)
        }
        var scale = weights ?? Array(repeating: 1, count: rank)
        guard scale.count == rank else {
            throw ParameterError("weights.count", expected: "\(rank) (the rank)", found: scale.count)
        }
        var normalised = factors
        for mode in normalised.indices {
            for r in 0..<rank {
                let norm = normalised[mode].column(r).reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0 else { continue }
                scale[r] *= norm
                for i in 0..<normalised[mode].rows { normalised[mode][i, r] /= norm }
            }
        }
        self.factors = normalised
        self.weights = scale
    }

    public var rank: Int { weights.count }
    public var shape: [Int] { factors.map(\.rows) }

    /// The dense tensor, row-major over `shape` (last mode fastest), as numpy would lay it out.
    public func full() -> [Double] {
        let shape = self.shape
        let count = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<count {
            var value = 0.0
            for r in 0..<rank {
                var term = weights[r]
                for mode in shape.indices { term *= factors[mode][index[mode], r] }
                value += term
            }
            out[flat] = value
            var mode = shape.count - 1
            while mode >= 0 {
                index[mode] += 1
                if index[mode] < shape[mode] { break }
                index[mode] = 0
                mode -= 1
            }
        }
        return out
    }
}
