/// The dynamic functional connectome (Dyballa et al. 2024): affinities → non-negative CP over
/// (time window × animal × neuron pair) → communities of each component's affinity matrix.
///
/// Each component says *when* a functional motif is active (temporal factor), *in which animals*
/// (animal factor) and *between which neurons* (pair factor, reshaped to an N × N affinity matrix),
/// and its communities are the weighted-SBM blocks (Louvain modularity alongside, as a baseline).
public struct DynamicConnectome: Sendable {
    public struct Options: Sendable {
        public var kernel: any PairAffinity
        public var window: SlidingWindow
        public var alignment: AffinityTensor.Alignment = .automatic
        /// Ranks to sweep; the fit kept is the one at `NTFRankSweep.selectedRank()` (or the single rank).
        public var ranks: [Int]
        public var restarts = 4
        public var ntf: NonNegativeCP
        /// Pair weights ≤ this fraction of a component's largest weight are not edges.
        public var edgeThreshold = 1e-6

        public init(kernel: any PairAffinity, window: SlidingWindow, ranks: [Int], restarts: Int = 4, algorithm: NonNegativeCP.Algorithm = .hals) throws {
            self.kernel = kernel
            self.window = window
            self.ranks = ranks
            self.restarts = restarts
            self.ntf = try NonNegativeCP(rank: ranks.first ?? 1, algorithm: algorithm, tolerance: 1e-6)
        }
    }

    public struct Component: Sendable {
        public let weight: Double
        /// Unit-norm temporal factor, one value per window.
        public let temporal: [Double]
        /// Unit-norm animal factor.
        public let animals: [Double]
        /// Unit-norm pair factor (pairs ordered as `NeuronPairs`).
        public let pairs: [Double]
        /// The pair factor as a symmetric N × N matrix.
        public let affinity: Matrix<Double>
        /// Weighted-SBM blocks of the neurons (both variants fitted; the shorter description kept).
        public let communities: WeightedSBM.Fit
        /// The nested hierarchy above those blocks: `hierarchy[l][i]` is neuron i's level-l block
        /// (level 0 = `communities.best.labels`, last level one block).
        public let hierarchy: [[Int]]
        /// Louvain communities of the same graph.
        public let louvain: Louvain.Result

        /// Windows where the temporal factor is at least `fraction` of its peak.
        public func activeWindows(fraction: Double = 0.5) -> [Int] {
            let peak = temporal.max() ?? 0
            return temporal.indices.filter { temporal[$0] >= fraction * peak && peak > 0 }
        }
        /// Animals whose loading is at least `fraction` of the largest.
        public func activeAnimals(fraction: Double = 0.5) -> [Int] {
            let peak = animals.max() ?? 0
            return animals.indices.filter { animals[$0] >= fraction * peak && peak > 0 }
        }
    }

    public let tensor: AffinityTensor
    public let sweep: NTFRankSweep
    public let rank: Int
    public let fit: NTFResult
    /// The NTF settings the fits used (`Options.ntf`; its rank is the first swept).
    public let ntf: NonNegativeCP
    public let components: [Component]

    /// Runs the pipeline on one `CalciumTraces` per animal.
    /// - Throws: `ParameterError` from the stages (windows, alignment, ranks).
    public init(animals: [CalciumTraces], options: Options, seed: UInt64, monitor: any FitMonitor = SilentMonitor()) throws {
        let tensor = try AffinityTensor(animals: animals, kernel: options.kernel, window: options.window, alignment: options.alignment)
        let sweep = try NTFRankSweep(tensor.tensor, ranks: options.ranks, restarts: options.restarts, options: options.ntf, seed: seed, monitor: monitor)
        let rank = sweep.selectedRank()
        let fit = sweep.ranks.first { $0.rank == rank }!.best
        let pairs = tensor.pairs
        var components: [Component] = []
        for r in 0..<fit.factors.rank {
            let p = fit.factors.factor(2, component: r)
            let matrix = pairs.matrix(from: p)
            let threshold = options.edgeThreshold * (p.max() ?? 0)
            let graph = try AffinityGraph(affinity: matrix, threshold: threshold)
            let nested = NestedWeightedSBM().fit(graph, seed: seed &+ UInt64(r))
            components.append(Component(
                weight: fit.factors.weights[r], temporal: fit.factors.factor(0, component: r),
                animals: fit.factors.factor(1, component: r), pairs: p, affinity: matrix,
                communities: nested.base, hierarchy: nested.levels,
                louvain: try Louvain().communities(graph, seed: seed &+ UInt64(r))))
            monitor.report(FitProgress(stage: "communities", iteration: r + 1, total: fit.factors.rank))
        }
        self.tensor = tensor
        self.sweep = sweep
        self.rank = rank
        self.fit = fit
        self.ntf = options.ntf
        self.components = components
    }
}
