import Foundation

/// One sequence (trial, session) of binned counts, with its history design computed once.
public struct StateGLMSequence: Sendable {
    /// T × N counts (bins × neurons).
    public let counts: Matrix<Double>
    /// T × (N + 1): history features, then a column of ones for the bias.
    let design: Matrix<Double>
    /// Per-bin sum of the count-only log-likelihood term (−Σ log x! for Poisson).
    let constants: [Double]

    public var binCount: Int { counts.rows }
    public var neuronCount: Int { counts.columns }

    /// Validates the counts for the emission family and precomputes the history features.
    public init(counts: Matrix<Double>, basis: HistoryBasis, emission: StateGLMEmission) throws {
        try ParameterError.check(counts.rows >= 2, "sequence", expected: "at least 2 bins", found: "\(counts.rows) bins")
        try ParameterError.check(counts.columns >= 1, "sequence", expected: "at least 1 neuron", found: "\(counts.columns) neurons")
        for (i, x) in counts.elements.enumerated() {
            let valid = x.isFinite && x >= 0 && x == x.rounded() && (emission.likelihood == .poisson || x <= 1)
            if !valid {
                throw ParameterError(
                    "counts", expected: emission.likelihood == .poisson ? "non-negative integers" : "0/1 spikes (Bernoulli)",
                    found: "\(x) at bin \(i / counts.columns), neuron \(i % counts.columns)")
            }
        }
        self.counts = counts
        self.design = basis.designMatrix(counts)
        self.constants = emission.countConstants(counts)
    }
}
