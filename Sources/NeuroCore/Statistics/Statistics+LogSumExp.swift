import RealModule

extension Statistics {
    /// log Σᵢ exp(xᵢ) without overflow or underflow: with m = max xᵢ attained at k,
    /// m + log1p(Σ_{i≠k} exp(xᵢ − m)). Every term of the sum is ≤ 1, so nothing overflows, and
    /// `log1p` keeps the digits when the maximum dominates.
    ///
    /// Edge cases, as in `scipy.special.logsumexp`: −∞ entries contribute nothing; all −∞ gives −∞;
    /// any +∞ gives +∞; any NaN gives NaN. An empty array gives −∞ (the log of an empty sum; scipy
    /// raises instead).
    public static func logSumExp(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { logSumExp($0) }
    }

    /// log softmax: xᵢ − logSumExp(x), the log-probabilities of a categorical distribution with
    /// logits x. Entries of −∞ stay −∞ (probability 0). Degenerate logits (all −∞, any +∞, any NaN)
    /// give NaN entries, exactly as `scipy.special.log_softmax`: no distribution is defined.
    ///
    /// Computed as (xᵢ − m) − log1p(Σ_{j≠k} exp(xⱼ − m)) rather than xᵢ − logSumExp(x): adding m and
    /// subtracting it again would cost ulp(m), 10⁻¹³ for logits near 1000.
    public static func logSoftmax(_ x: [Double]) -> [Double] {
        x.withUnsafeBufferPointer { xp in
            let (m, logRest) = shiftedLogSumExp(xp)
            guard m.isFinite else {
                // Degenerate: all −∞, +∞ or NaN present, where x − logSumExp(x) is NaN or ±∞ as in scipy.
                return xp.map { $0 - m }
            }
            return xp.map { ($0 - m) - logRest }
        }
    }

    static func logSumExp(_ x: UnsafeBufferPointer<Double>) -> Double {
        let (m, logRest) = shiftedLogSumExp(x)
        return m.isFinite ? m + logRest : m
    }

    /// The maximum m and log1p(Σ_{i≠k} exp(xᵢ − m)), with logSumExp = m + that. When m is not finite
    /// it is the whole answer: NaN if any entry is NaN, +∞ if any is +∞, −∞ if all are −∞ or x is empty.
    static func shiftedLogSumExp(_ x: UnsafeBufferPointer<Double>) -> (max: Double, logRest: Double) {
        guard !x.isEmpty else { return (-.infinity, 0) }
        var maxIndex = 0
        for i in 0..<x.count {
            let v = x[i]
            if v.isNaN { return (.nan, 0) }
            if v > x[maxIndex] { maxIndex = i }
        }
        let m = x[maxIndex]
        // All −∞ (the sum is 0) or some +∞ (the sum is ∞): exp(x − m) would meet ∞ − ∞.
        if m.isInfinite { return (m, 0) }
        var rest = 0.0
        for i in 0..<x.count where i != maxIndex {
            rest = Relaxed.sum(rest, Double.exp(x[i] - m))
        }
        return (m, Double.log(onePlus: rest))
    }
}
