import RealModule

/// ln q(m, n), the number of partitions of the integer m into at most n parts, for m ≤ `maxTotal` and
/// n ≤ `maxParts`: the count behind the degree-corrected SBM's "distributed" degree prior (Peixoto
/// 2017), where a block's degree sequence is described as a partition of its degree sum e_r into at
/// most n_r parts. Exact, from q(m, n) = q(m, n − 1) + q(m − n, n), q(0, n) = 1, q(m > 0, 0) = 0,
/// accumulated in log space (the counts overflow Double beyond m ≈ 10⁴). graph-tool 2.45's cached
/// table gives different (smaller) values, e.g. exp(log_q(44, 12)) = 29824 against the exact 42333,
/// so degree-corrected description lengths differ from its `entropy()` by that term only.
struct PartitionCounts: Sendable {
    let maxTotal: Int
    let maxParts: Int
    /// (maxTotal + 1) × (maxParts + 1), row m.
    private let table: [Double]

    init(maxTotal: Int, maxParts: Int) {
        self.maxTotal = max(maxTotal, 0)
        self.maxParts = max(maxParts, 0)
        let width = self.maxParts + 1
        var t = [Double](repeating: -.infinity, count: (self.maxTotal + 1) * width)
        for n in 0..<width { t[n] = 0 }  // q(0, n) = 1
        if self.maxParts > 0 && self.maxTotal > 0 {
            for m in 1...self.maxTotal {
                for n in 1..<width {
                    let a = t[m &* width &+ n &- 1]
                    let b = m >= n ? t[(m &- n) &* width &+ n] : -Double.infinity
                    let hi = max(a, b), lo = min(a, b)
                    t[m &* width &+ n] = lo == -.infinity ? hi : hi + Double.log(onePlus: Double.exp(lo - hi))
                }
            }
        }
        table = t
    }

    /// ln q(m, n) (q(m, n) = q(m, m) for n > m, so n beyond `maxParts` ≥ m is clamped).
    @inline(__always) func log(_ m: Int, _ n: Int) -> Double {
        precondition(m >= 0 && m <= maxTotal && n >= 0 && (n <= maxParts || m <= maxParts), "partition count out of range")
        return table[m &* (maxParts &+ 1) &+ min(n, maxParts)]
    }
}
