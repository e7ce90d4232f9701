import Foundation

/// The fixed spike-history filter of the HMM-GLM: h_{t,n} = Σ_{k=1..K} φ_k · x_{t−k,n}, zero before t = 1.
///
/// The reference code collapses the K lags with one fixed basis vector φ, so the history enters the
/// GLM as one feature per presynaptic neuron; the N × N weights then multiply these features.
public struct HistoryBasis: Sendable, Hashable, Codable {
    /// φ_1 … φ_K, the weight of lag k (φ_1 is the previous bin).
    public let weights: [Double]

    /// An explicit basis; it must be non-empty with finite weights.
    public init(weights: [Double]) throws {
        try ParameterError.check(!weights.isEmpty, "history basis", expected: "at least one lag", found: "none")
        try ParameterError.check(
            weights.allSatisfy(\.isFinite), "history basis", expected: "finite weights", found: weights)
        self.weights = weights
    }

    /// φ_k ∝ exp(−decay·(k−1)), normalised to sum to one (the paper-era demo: K = 5, decay 1 gives
    /// 0.636, 0.234, 0.086, 0.032, 0.012).
    public static func exponential(length: Int = 5, decay: Double = 1) throws -> HistoryBasis {
        try ParameterError.check(length >= 1, "history length", expected: "an integer ≥ 1", found: length)
        try ParameterError.check(decay.isFinite && decay >= 0, "history decay", expected: "a finite value ≥ 0", found: decay)
        let raw = (0..<length).map { Double.exp(-decay * Double($0)) }
        let total = raw.reduce(0, +)
        return try HistoryBasis(weights: raw.map { $0 / total })
    }

    public var length: Int { weights.count }

    /// History features of one sequence: `counts` is T × N (bins × neurons); the result is T × (N + 1),
    /// the last column all ones so that the bias rides in the same matrix product as the weights.
    public func designMatrix(_ counts: Matrix<Double>) -> Matrix<Double> {
        let t = counts.rows, n = counts.columns, width = n &+ 1
        var design = Matrix<Double>(rows: t, columns: width)
        let k = weights.count
        counts.withUnsafeBufferPointer { x in
            design.withUnsafeMutableBufferPointer { h in
                weights.withUnsafeBufferPointer { phi in
                    for row in 0..<t {
                        let out = row &* width
                        for lag in 1...k where row &- lag >= 0 {
                            let w = phi[lag &- 1], src = (row &- lag) &* n
                            for j in 0..<n { h[out &+ j] += w * x[src &+ j] }
                        }
                        h[out &+ n] = 1
                    }
                }
            }
        }
        return design
    }
}
