/// Rank selection by an ensemble of restarts (tensortools `Ensemble`): for each rank, several seeded
/// fits; the reconstruction error of each and the similarity of every restart to the best one.
///
/// Read it as tensortools' `plot_objective` / `plot_similarity`: the right rank is where the error
/// stops falling steeply (the elbow) while the restarts still agree (mean similarity ≈ 1). Above it,
/// extra components fit noise and restarts disagree.
public struct NTFRankSweep: Sendable {
    /// Diagnostics for one rank.
    public struct Rank: Sendable, Hashable {
        public let rank: Int
        /// All restarts, best (lowest error) first.
        public let fits: [NTFResult]
        /// Similarity (`kruskalAlign`) of each restart to the best, best first (so the first is 1).
        public let similarities: [Double]

        public var best: NTFResult { fits[0] }
        public var errors: [Double] { fits.map(\.relativeError) }
        /// Mean similarity of the other restarts to the best (1 with a single restart).
        public var meanSimilarity: Double {
            similarities.count > 1 ? similarities.dropFirst().reduce(0, +) / Double(similarities.count - 1) : 1
        }
    }

    public let ranks: [Rank]

    /// Fits every rank in `ranks` with `restarts` seeded starts; `options.rank` is overridden.
    /// Rank r's restarts descend from `SeededGenerator(seed: seed).split()` taken r-th in order.
    /// - Throws: `ParameterError` for an empty rank list or a non-positive rank or restart count.
    public init(
        _ tensor: ThreeWayTensor, ranks: [Int], restarts: Int, options: NonNegativeCP, seed: UInt64,
        monitor: any FitMonitor = SilentMonitor()
    ) throws {
        try ParameterError.check(!ranks.isEmpty, "ranks", expected: "at least one rank", found: "none")
        var root = SeededGenerator(seed: seed)
        var out: [Rank] = []
        for r in ranks {
            var model = options
            try ParameterError.check(r >= 1, "ranks", expected: "ranks ≥ 1", found: r)
            model.rank = r
            let rankSeed = root.next()
            let fits = try model.fit(tensor, restarts: restarts, seed: rankSeed, monitor: monitor)
            let sims = try fits.map { try kruskalAlign(fits[0].factors, $0.factors).similarity }
            out.append(Rank(rank: r, fits: fits, similarities: sims))
            if monitor.shouldStop { break }
        }
        self.ranks = out
    }

    /// The rank picked by the two criteria together. With gain(k) the drop in best error from the
    /// rank below to rank k, rank k qualifies when
    /// - its restarts agree: mean similarity ≥ `stability`;
    /// - it is an elbow: gain(k) ≥ `elbow` × every gain above it in the sweep (those fit noise), and
    ///   gain(k) ≥ `floor` × the largest gain (so a flat noise tail cannot qualify).
    /// The largest qualifying rank is returned, else the smallest rank fitted. The largest rank of
    /// the sweep never qualifies (nothing above it shows the noise level), so sweep past the rank
    /// you expect. With a single rank fitted, that rank.
    public func selectedRank(stability: Double = 0.95, elbow: Double = 3, floor: Double = 0.1) -> Int {
        guard ranks.count > 1 else { return ranks[0].rank }
        let best = ranks.map { $0.best.relativeError }
        var gains = [Double](repeating: 0, count: ranks.count)
        for k in 1..<ranks.count { gains[k] = best[k - 1] - best[k] }
        let largest = gains.max() ?? 0
        var chosen = ranks[0].rank
        for k in 1..<(ranks.count - 1) {
            let later = gains[(k + 1)...].max() ?? 0
            if ranks[k].meanSimilarity >= stability && gains[k] >= elbow * later && gains[k] >= floor * largest {
                chosen = ranks[k].rank
            }
        }
        return chosen
    }
}
