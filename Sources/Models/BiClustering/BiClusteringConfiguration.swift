import Foundation

/// Settings of the Bayesian bi-clustering sampler (Wei 2023, "Bayesian Bi-clustering of Neural Spiking
/// Activity with Latent Structures"). Defaults are the paper's simulation settings (methods note §3.5);
/// the real-data settings differ only in `statesTruncation` (20) and `clusterCountGeometric` (0.415).
public struct BiClusteringConfiguration: Sendable, Codable, Equatable {
    /// Observation model. `.poisson` uses the NB(r = `poissonProxyDispersion`) Pólya-Gamma machinery as a
    /// proposal and corrects it with an independence Metropolis–Hastings step (methods note §4.5).
    public enum Likelihood: String, Sendable, Codable, CaseIterable { case negativeBinomial, poisson }

    /// How r_i is updated. `.metropolis` is exact (random walk on log r with the NB(mean, r) likelihood);
    /// `.crtGamma` is the reference code's CRT + Gamma step, which holds p = μ/(μ + r) fixed and is
    /// therefore only approximate under the mean parameterisation (methods note §4.4).
    public enum DispersionUpdate: String, Sendable, Codable, CaseIterable { case metropolis, crtGamma }

    /// The scale the identifiability projection gives each factor row of X^(j) (the loadings carry the
    /// rest): `.unitNorm` (‖row‖ = 1, the reference code's orthonormal rows) or `.unitMeanSquare`
    /// (‖row‖ = √T, so latents are O(1) whatever T is).
    public enum FactorScale: String, Sendable, Codable, CaseIterable {
        case unitNorm, unitMeanSquare
        public func rowNorm(bins: Int) -> Double { self == .unitNorm ? 1 : Double(bins).squareRoot() }
    }

    public var likelihood: Likelihood = .negativeBinomial
    public var factorScale: FactorScale = .unitMeanSquare
    /// Latent factors per neuron cluster (p); each cluster also has a baseline row with loading 1.
    public var latentDimension = 2
    /// Upper bound on occupied neuron clusters (the reference's t_max = N/2); nil means ⌊N/2⌋.
    public var maxClusters: Int? = nil
    /// Weak-limit truncation L of the sticky HDP-HMM.
    public var statesTruncation = 10
    /// Sticky HDP-HMM concentration α, top-level γ and self-transition bias κ.
    public var stickyAlpha = 5.0
    public var stickyGamma = 5.0
    public var stickyKappa = 10.0
    /// MFM prior on the number of clusters: K ~ Geometric(success probability r_K) on {1, 2, …}.
    public var clusterCountGeometric = 0.2
    /// MFM Dirichlet parameter γ.
    public var mfmGamma = 1.0
    /// Prior variances of the neuron baseline d_i and of each loading in c_i.
    public var baselinePriorVariance = 1.0
    public var loadingPriorVariance = 1.0
    /// MNIW prior of each state's (A, b, Q): Q ~ IW(D + `dynamicsDegreesOffset`, `dynamicsScale`·I),
    /// [A | b] ~ MN([I | 0], Q, K0⁻¹) with K0 = `dynamicsColumnPrecision`·I.
    public var dynamicsDegreesOffset = 2.0
    public var dynamicsScale = 0.01
    public var dynamicsColumnPrecision = 1.0
    /// Dispersion prior r_i ~ Gamma(shape, rate) (Exp(1) by default) and its update.
    public var dispersionShape = 1.0
    public var dispersionRate = 1.0
    public var dispersionUpdate: DispersionUpdate = .metropolis
    /// One dispersion r shared by all neurons instead of one r_i per neuron (the paper's model).
    /// Why it exists: a neuron's own 500 bins say little about a large r (the NB likelihood is flat in
    /// r once r ≫ μ), so under the paper's Exp(1) prior the exact posterior mean of each r_i sits far
    /// below the truth even when the rates are known (5.8 against r = 10 on the paper's simulation;
    /// `BiClusteringDispersionTests`). A shared r pools every count and is identified by the data.
    public var sharedDispersion = false
    /// The chain starts with one neuron cluster and all bins in one state (`.single`), or with the
    /// states drawn uniformly at random (`.random`, the reference code's start).
    /// `.excursions` splits the bins in two by how far the starting latents are from their per-coordinate
    /// median (smoothed over ±4 bins, cut at the median distance): a regime that holds the latents near a
    /// fixed point against one that lets them wander, the contrast of the paper's simulation.
    public enum InitialStates: String, Sendable, Codable, CaseIterable { case single, random, excursions }
    public var initialStates: InitialStates = .single
    /// Part of the start (burn-in only): at this sweep the state sequence is set once more by the
    /// `.excursions` rule, now from the chain's current latents, and the dynamics are refitted. The
    /// starting latents come from smoothed rates and locate the regimes poorly (state ARI 0.57 on the
    /// paper's simulation against 0.91 from the true latents); after a few sweeps the latents are the
    /// model's own. It happens only if it is below `burnIn`, so every recorded sweep is ordinary MCMC;
    /// 0 turns it off.
    public var stateRestartSweep = 0
    /// How the `stateRestartSweep` restart segments the chain's latents. `.excursions` is the one-shot
    /// rule above; `.switchingAutoregression` fits a 2-state sticky switching affine autoregression
    /// (`SwitchingAutoregression`: EM with MNIW MAP steps, Viterbi path) from the excursion rule, the
    /// chain's current sequence and `restartSegmentationStarts` random run-length sequences, and keeps
    /// the fit with the highest likelihood. Burn-in only (deterministic from the chain's generator).
    public enum RestartSegmentation: String, Sendable, Codable, CaseIterable { case excursions, switchingAutoregression }
    public var restartSegmentation: RestartSegmentation = .excursions
    /// Random initial sequences for `.switchingAutoregression` besides the two fixed ones.
    public var restartSegmentationStarts = 8
    /// Burn-in only, after the `stateRestartSweep` restart: screened change points
    /// (`BiClusteringChain.screenChangePoints`). Each candidate shifts every change point by one δ in
    /// −range…range (step `restartScreeningStep`) and runs this many sweeps with the sequence held; each
    /// change point keeps the δ whose window fits best. 0 turns it off.
    public var restartScreeningSweeps = 0
    public var restartScreeningRange = 15
    public var restartScreeningStep = 3
    /// Rounds of the screening (each round starts from the previous round's sequence).
    public var restartScreeningRounds = 1
    /// With `stateRestartSweep` s > 0 (burn-in only): the state sequence is not updated before sweep s, so
    /// the first s sweeps draw latents, loadings, labels and r under the starting sequence (with
    /// `.single`, one dynamics for all bins) and the restart's excursion rule then reads latents that no
    /// regime assignment has shaped. Why: a wrong early sequence shapes the latents through the FFBS
    /// prior, and the latents then confirm it (on the paper's simulation such chains settle 40–60 nats
    /// of log-likelihood below chains started at the truth, at state ARI 0.5–0.65 against 0.9).
    public var holdStatesBeforeRestart = false
    /// Burn-in only: during the first n sweeps the blocked state update may occupy only the first
    /// `initialStateCount` states (all L afterwards; ignored unless n < `burnIn` and the count is > 0).
    /// Why: from a poor start the blocked Gibbs of the sticky HDP-HMM opens many states and practically
    /// never merges them (with the true latents fixed, T = 200: 7 states and ARI 0.73 from one state,
    /// against 2.9 and 0.96 from the true sequence; `BiClusteringStatePosteriorTests`).
    public var restrictedStateSweeps = 0
    /// Blocked-Gibbs passes of states and dynamics on the starting latents before the first sweep.
    public var initialStateSweeps = 0
    /// During those passes only the first `initialStateCount` states may be occupied (a k-state AR-HMM
    /// fitted to the starting latents from a random k-state sequence); 0 allows all L.
    public var initialStateCount = 0
    /// Interval-swap Metropolis–Hastings proposals per sweep for the state sequence with the latents
    /// integrated out (`BiClusteringChain.collapsedStateMoves`; NB model only); 0 turns them off.
    public var collapsedStateProposals = 0
    /// Edge-swap proposals per sweep of the same latents-collapsed kind (the interval is a prefix or a
    /// suffix of the recording, so a run at either end can open or close); 0 turns them off.
    /// Why: chains from the data start miss short regimes at the two ends of the recording (the
    /// paper's simulation ends with 17 bins of one regime) — interval swaps inside a run pay two
    /// transitions of the sticky prior and rarely start at the right bin.
    public var collapsedEdgeProposals = 0
    /// Rounds per sweep of the state move with the dynamics (A, b, Q)_ℓ integrated out given the latents
    /// (one interval swap and one change-point shift each, new θ for the regimes they touch;
    /// `BiClusteringChain.dynamicsCollapsedStateMoves`); 0 turns it off. Runs after the latent draw.
    public var dynamicsCollapsedStateProposals = 0
    /// Largest change-point shift, in bins, of that move.
    public var dynamicsCollapsedMaxShift = 10
    /// Number of neuron clusters at the start (spectral clustering of the neurons' log smoothed rates,
    /// capped by `maxClusters`), each cluster's baseline and factor rows from its members' data (pooled
    /// log rate and leading principal components). 0 (default) screens k = 1…10 by a leave-one-neuron-out
    /// predictive score and refines the best partition (`NeuronStartScreening`); 1 is the methods note's
    /// single-cluster start, from which the Algorithm-8 step with the AR(1) auxiliary prior practically
    /// never opens a cluster at T = 500 (docs/bicluster.md).
    public var initialClusters = 0
    /// Starting value of every r_i.
    public var initialDispersion = 1.0
    /// Fixed r of the NB proposal in the Poisson variant.
    public var poissonProxyDispersion = 100.0
    /// Noise variance and AR coefficient of the declared auxiliary prior for a new cluster's trajectory
    /// (an AR(1) path, centred and orthonormalised; Neal's Algorithm 8 with one auxiliary component).
    public var candidateAutoregression = 0.95
    public var candidateNoiseVariance = 0.01
    /// Weight w of the empirical part of the auxiliary prior G0 = w·Uniform(pool) + (1 − w)·AR(1): the
    /// pool holds the trajectories of k-means neuron groups for k = 2…`candidatePoolMaxGroups`, built
    /// once from the data (see `BiClusteringChain.buildCandidatePool`). 0 gives the pure AR(1) prior.
    public var candidatePoolWeight = 0.0
    public var candidatePoolMaxGroups = 6
    /// Multiplier of the auxiliary trajectory's baseline row μ (nil = 1, the AR(1) draw as it is).
    public var candidateBaselineScale: Double? = nil
    /// A new cluster's block in every state's dynamics starts at A = I, b = 0, Q = this · I.
    public var newClusterNoiseVariance = 0.01
    /// The reference's "burn-in restart" device: re-draw the state sequence at random each sweep for the
    /// first `randomStateRestarts` sweeps. 0 (default) is ordinary blocked Gibbs.
    public var randomStateRestarts = 0
    /// Split–merge Metropolis–Hastings proposals over neuron labels per sweep (Jain & Neal 2004 with a
    /// sequential-allocation launch, after the Gibbs label step); nil or 0 turns them off.
    public var splitMergeProposals: Int? = nil
    /// Pólya-Gamma draws PG(y + r, ψ): nil or false uses `SeededGenerator.polyaGammaHybrid` (the
    /// reference library's regions: O(1) three-cumulant approximation for b ≥ 25, or b ≥ 8 with |ψ| < 2;
    /// exact elsewhere); true draws every ω with the exact sampler (cost ∝ y + r).
    public var exactPolyaGamma: Bool? = nil

    /// Sweeps per chain, burn-in discarded from the summaries, number of chains.
    public var sweeps = 1_000
    public var burnIn = 250
    public var chains = 1
    /// Sweeps between checkpoints (also the points where a chain's generator is re-seeded so that a
    /// resumed run equals an uninterrupted one).
    public var checkpointInterval = 100
    /// Keep every `sampleInterval`-th post-burn-in sweep's state sequence and neuron labels (nil or 0:
    /// none). Off by default so memory stays independent of the run length; on, it gives the per-sweep
    /// view (e.g. the methods note's median per-sweep state ARI) that the similarity matrices average away.
    public var sampleInterval: Int? = nil
    /// Largest number of groups tried by maxPEAR for neurons and for bins (nil = ⌈n/8⌉ as in mcclust,
    /// at least 2 ... capped at n).
    public var maxPEARNeuronGroups: Int? = nil
    public var maxPEARBinGroups: Int? = nil
    /// Run chains in parallel.
    public var parallelChains = true

    public init() {}

    /// The paper's real-data settings (methods note §3.5): L = 20, K ~ Geometric(0.415).
    public static var realData: BiClusteringConfiguration {
        var c = BiClusteringConfiguration()
        c.statesTruncation = 20
        c.clusterCountGeometric = 0.415
        return c
    }

    /// Checks every setting once; throws a `ParameterError` naming the first bad one.
    public func validate() throws {
        try ParameterError.check(latentDimension >= 1 && latentDimension <= 10, "latentDimension", expected: "1…10", found: latentDimension)
        if let m = maxClusters { try ParameterError.check(m >= 1, "maxClusters", expected: "≥ 1", found: m) }
        try ParameterError.check(initialClusters >= 0, "initialClusters", expected: "≥ 0 (0 = automatic)", found: initialClusters)
        try ParameterError.check(statesTruncation >= 1, "statesTruncation", expected: "≥ 1", found: statesTruncation)
        for (name, v) in [("stickyAlpha", stickyAlpha), ("stickyGamma", stickyGamma), ("mfmGamma", mfmGamma),
                          ("baselinePriorVariance", baselinePriorVariance), ("loadingPriorVariance", loadingPriorVariance),
                          ("dynamicsScale", dynamicsScale), ("dynamicsColumnPrecision", dynamicsColumnPrecision),
                          ("dispersionShape", dispersionShape), ("dispersionRate", dispersionRate),
                          ("initialDispersion", initialDispersion), ("poissonProxyDispersion", poissonProxyDispersion),
                          ("candidateNoiseVariance", candidateNoiseVariance), ("newClusterNoiseVariance", newClusterNoiseVariance)] {
            try ParameterError.check(v > 0 && v.isFinite, name, expected: "a finite number > 0", found: v)
        }
        try ParameterError.check(stickyKappa >= 0 && stickyKappa.isFinite, "stickyKappa", expected: "a finite number ≥ 0", found: stickyKappa)
        try ParameterError.check(
            clusterCountGeometric > 0 && clusterCountGeometric < 1, "clusterCountGeometric", expected: "in (0, 1)", found: clusterCountGeometric)
        try ParameterError.check(dynamicsDegreesOffset > 1, "dynamicsDegreesOffset", expected: "> 1 (so ν0 > D + 1)", found: dynamicsDegreesOffset)
        try ParameterError.check(abs(candidateAutoregression) < 1, "candidateAutoregression", expected: "|a| < 1", found: candidateAutoregression)
        try ParameterError.check(
            candidatePoolWeight >= 0 && candidatePoolWeight <= 1, "candidatePoolWeight", expected: "in [0, 1]", found: candidatePoolWeight)
        try ParameterError.check(candidatePoolMaxGroups >= 0, "candidatePoolMaxGroups", expected: "≥ 0", found: candidatePoolMaxGroups)
        try ParameterError.check(sweeps >= 1, "sweeps", expected: "≥ 1", found: sweeps)
        try ParameterError.check(burnIn >= 0 && burnIn < sweeps, "burnIn", expected: "0 ≤ burnIn < sweeps (\(sweeps))", found: burnIn)
        try ParameterError.check(chains >= 1, "chains", expected: "≥ 1", found: chains)
        try ParameterError.check(checkpointInterval >= 1, "checkpointInterval", expected: "≥ 1", found: checkpointInterval)
        if let k = sampleInterval { try ParameterError.check(k >= 0, "sampleInterval", expected: "≥ 0 (0 = none)", found: k) }
        try ParameterError.check(initialStateSweeps >= 0, "initialStateSweeps", expected: "≥ 0", found: initialStateSweeps)
        try ParameterError.check(initialStateCount >= 0, "initialStateCount", expected: "≥ 0 (0 = all L)", found: initialStateCount)
        try ParameterError.check(collapsedStateProposals >= 0, "collapsedStateProposals", expected: "≥ 0", found: collapsedStateProposals)
        try ParameterError.check(collapsedEdgeProposals >= 0, "collapsedEdgeProposals", expected: "≥ 0", found: collapsedEdgeProposals)
        try ParameterError.check(
            dynamicsCollapsedStateProposals >= 0, "dynamicsCollapsedStateProposals", expected: "≥ 0", found: dynamicsCollapsedStateProposals)
        try ParameterError.check(dynamicsCollapsedMaxShift >= 1, "dynamicsCollapsedMaxShift", expected: "≥ 1", found: dynamicsCollapsedMaxShift)
        try ParameterError.check(restrictedStateSweeps >= 0, "restrictedStateSweeps", expected: "≥ 0", found: restrictedStateSweeps)
        try ParameterError.check(stateRestartSweep >= 0, "stateRestartSweep", expected: "≥ 0", found: stateRestartSweep)
        try ParameterError.check(restartScreeningSweeps >= 0, "restartScreeningSweeps", expected: "≥ 0", found: restartScreeningSweeps)
        try ParameterError.check(restartScreeningRange >= 0, "restartScreeningRange", expected: "≥ 0", found: restartScreeningRange)
        try ParameterError.check(restartScreeningStep >= 1, "restartScreeningStep", expected: "≥ 1", found: restartScreeningStep)
        try ParameterError.check(restartScreeningRounds >= 1, "restartScreeningRounds", expected: "≥ 1", found: restartScreeningRounds)
        try ParameterError.check(
            restartSegmentationStarts >= 0, "restartSegmentationStarts", expected: "≥ 0", found: restartSegmentationStarts)
        try ParameterError.check(randomStateRestarts >= 0, "randomStateRestarts", expected: "≥ 0", found: randomStateRestarts)
        if let g = maxPEARNeuronGroups { try ParameterError.check(g >= 1, "maxPEARNeuronGroups", expected: "≥ 1", found: g) }
        if let g = maxPEARBinGroups { try ParameterError.check(g >= 1, "maxPEARBinGroups", expected: "≥ 1", found: g) }
    }
}
