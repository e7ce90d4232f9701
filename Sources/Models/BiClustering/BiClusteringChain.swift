import Foundation
import NeuroCore
import RealModule

/// One Markov chain of the bi-clustering sampler: the state, the data it conditions on, and the
/// work buffers a sweep reuses (allocated when the number of clusters changes, never per element).
///
/// One sweep (methods note §4.10, the "clean" sampler):
/// 1. ω ~ PG(y + r, η − log r), then X̃ by information-form FFBS (`InformationFFBS`);
///    (optional: (ξ, θ) moves with the dynamics integrated out, `dynamicsCollapsedStateProposals`);
/// 2. ξ by HMM forward filtering/backward sampling given X̃ and the dynamics, then β, π;
/// 3. (A, b, Q)_ℓ from the MNIW posterior;
/// 4. (d_i, c_i) by Pólya-Gamma Gibbs; r_i by exact MH on log r (or CRT–Gamma);
/// 5. the identifiability projection (centre, rotate);
/// 6. neuron labels by the MFM collapsed Gibbs step (Neal's Algorithm 8, one auxiliary trajectory
///    drawn from a declared AR(1) prior), c_i integrated out by a Laplace approximation.
final class BiClusteringChain {
    let config: BiClusteringConfiguration
    let neurons: Int
    let bins: Int
    let p: Int
    let maxClusters: Int
    /// Counts, N × T row-major (NaN = missing); replaced only by the Geweke test's data regeneration.
    var counts: [Double]
    let mfm: MFMCoefficients
    var state: BiClusteringState
    var generator: SeededGenerator

    // Work buffers.
    var eta: [Double]
    var omega: [Double]
    var ffbs: InformationFFBS
    var proposal: [Double]
    var hmmLogLikelihood: [Double]
    var hmmWorkspace: [Double]
    var laplace: LaplaceMarginal
    var offsetBuffer: [Double]
    var lastLogLikelihood = 0.0
    var acceptedLatentMoves = 0
    /// Accepted collapsed (latents integrated out) state moves (diagnostics only).
    var acceptedStateMoves = 0
    /// Proposed and accepted dynamics-collapsed (θ integrated out) state moves (diagnostics only).
    var proposedDynamicsCollapsedMoves = 0
    var acceptedDynamicsCollapsedMoves = 0
    /// Accepted split and merge proposals (diagnostics only).
    var acceptedSplits = 0
    var acceptedMerges = 0
    var dispersionStep = 0.25
    /// log Γ(y + r) − log Γ(r) − log Γ(y + 1) for y = 0…max count (see `negativeBinomialLogLikelihood`).
    var gammaTable: [Double] = []
    /// Empirical part of the auxiliary trajectory prior (see `buildCandidatePool`); fixed for the run.
    var candidatePool: [[Double]] = []
    /// The sequence the burn-in restart set (`stateRestartSweep`), for diagnostics; empty before it.
    var restartStates: [Int] = []
    /// True while `screenChangePoints` runs its held sweeps (no state updates of any kind).
    var screeningStates = false

    var blockSize: Int { p + 1 }
    /// Norm of every factor row after the identifiability projection.
    var rowNorm: Double { config.factorScale.rowNorm(bins: bins) }
    var stackedDimension: Int { state.clusterCount * (p + 1) }

    /// `neuronLabels` (0..<k, all used) replaces the start's partition (`screenedNeuronLabels`, computed
    /// once for all chains); nil computes it per `initialClusters`.
    convenience init(
        counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration, generator: SeededGenerator,
        neuronLabels: [Int]? = nil
    ) throws {
        var generator = generator
        let state = BiClusteringChain.initialState(
            counts: counts, neurons: neurons, bins: bins, config: config, neuronLabels: neuronLabels, generator: &generator)
        try self.init(state: state, generator: generator, counts: counts, neurons: neurons, bins: bins, config: config)
        // States from the data-driven start's latents: a few blocked-Gibbs passes of the HMM and the
        // dynamics with the latents held fixed (part of the start, not of the sweeps).
        // With `initialStateCount` k, the passes fit a k-state AR-HMM from a random k-state sequence.
        let k = Swift.min(config.initialStateCount, config.statesTruncation)
        if config.initialStateSweeps > 0 && k > 0 && config.initialStates != .excursions {
            for t in 0..<bins { self.state.states[t] = self.generator.uniformInt(below: k) }
        }
        // Dynamics fitted to the starting latents and states rather than drawn from the prior.
        if config.initialStates == .excursions || (config.initialStateSweeps > 0 && k > 0) { try resampleDynamics() }
        for _ in 0..<config.initialStateSweeps { try updateStatesAndDynamics(allowedStates: k) }
    }

    convenience init(resuming state: BiClusteringState, generatorSeed: UInt64, counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration) throws {
        try self.init(state: state, generator: SeededGenerator(seed: generatorSeed), counts: counts, neurons: neurons, bins: bins, config: config)
    }

    /// Sizes every work buffer for `neurons × bins` once, so sweeps never allocate them.
    private init(state: BiClusteringState, generator: SeededGenerator, counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration) throws {
        self.config = config
        self.neurons = neurons
        self.bins = bins
        self.p = config.latentDimension
        self.counts = counts
        self.maxClusters = BiClusteringChain.maximumClusters(neurons: neurons, config: config)
        self.mfm = MFMCoefficients(
            n: neurons, maxBlocks: maxClusters + 1, gamma: config.mfmGamma, geometric: config.clusterCountGeometric)
        self.generator = generator
        eta = [Double](repeating: 0, count: neurons * bins)
        omega = eta
        proposal = []
        hmmLogLikelihood = [Double](repeating: 0, count: bins * config.statesTruncation)
        hmmWorkspace = hmmLogLikelihood
        laplace = LaplaceMarginal(p: config.latentDimension, length: bins)
        offsetBuffer = [Double](repeating: 0, count: bins)
        ffbs = InformationFFBS(dimension: config.latentDimension + 1, length: bins)
        gammaTable = [Double](repeating: 0, count: Swift.min(Int(counts.lazy.filter { !$0.isNaN }.max() ?? 0) + 1, 4096))
        self.state = state
        candidatePool = BiClusteringChain.buildCandidatePool(counts: counts, neurons: neurons, bins: bins, config: config)
        try prepareBuffers()
    }

    /// The start: d_i at the log mean count, small random loadings, `initialClusters` spectral groups of
    /// neurons (or the screened partition, `NeuronStartScreening`) with trajectories from their members'
    /// data, states per `initialStates`, dynamics from the MNIW prior.
    static func initialState(
        counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration, neuronLabels: [Int]? = nil,
        generator: inout SeededGenerator
    ) -> BiClusteringState {
        let p = config.latentDimension, d = p + 1, l = config.statesTruncation
        var baselines = [Double](repeating: 0, count: neurons)
        for i in 0..<neurons {
            var s = 0.0, n = 0.0
            for t in 0..<bins where !counts[i * bins + t].isNaN { s += counts[i * bins + t]; n += 1 }
            baselines[i] = Double.log(s / Swift.max(n, 1) + 0.1)
        }
        var loadings = [Double](repeating: 0, count: neurons * p)
        for k in loadings.indices { loadings[k] = 0.1 * generator.standardNormal() }
        let labels: [Int]
        if let neuronLabels {
            labels = neuronLabels
        } else if config.initialClusters > 0 {
            let k = Swift.max(1, Swift.min(config.initialClusters, maximumClusters(neurons: neurons, config: config), neurons))
            labels = spectralLabels(counts: counts, neurons: neurons, bins: bins, clusters: k, generator: &generator)
        } else {
            labels = screenedNeuronLabels(counts: counts, neurons: neurons, bins: bins, config: config)
        }
        let latents = groupTrajectories(counts: counts, neurons: neurons, bins: bins, labels: labels, p: p, config: config, generator: &generator)
        let clusterCount = Set(labels).count
        let stacked = clusterCount * d
        let states: [Int]
        switch config.initialStates {
        case .single: states = [Int](repeating: 0, count: bins)
        case .random: states = (0..<bins).map { _ in generator.uniformInt(below: l) }
        case .excursions: states = l >= 2 ? excursionStates(latents: latents, bins: bins) : [Int](repeating: 0, count: bins)
        }
        let hmm = StickyHDPHMM(stateCount: l, alpha: config.stickyAlpha, gamma: config.stickyGamma, kappa: config.stickyKappa, generator: &generator)
        var dynamics = [AffineDynamics]()
        let zero = Matrix<Double>(rows: stacked, columns: stacked), zeroU = Matrix<Double>(rows: stacked + 1, columns: stacked + 1)
        for _ in 0..<l {
            let prior = try! MNIWPosterior(
                sxx: zero, sxu: Matrix(rows: stacked, columns: stacked + 1), suu: zeroU, count: 0,
                columnPrecision: config.dynamicsColumnPrecision, scale: config.dynamicsScale, degreesOffset: config.dynamicsDegreesOffset)
            dynamics.append((try? prior.sample(generator: &generator)) ?? .randomWalk(dimension: stacked, noise: config.newClusterNoiseVariance))
        }
        return BiClusteringState(
            clusterCount: clusterCount, labels: labels, baselines: baselines, loadings: loadings,
            dispersions: [Double](repeating: config.likelihood == .poisson ? config.poissonProxyDispersion : config.initialDispersion, count: neurons),
            latents: latents, states: states, dynamics: dynamics, hmm: hmm, sweep: 0)
    }

    /// The cap on the number of clusters: `maxClusters`, or N/2.
    static func maximumClusters(neurons: Int, config: BiClusteringConfiguration) -> Int {
        Swift.max(1, Swift.min(config.maxClusters ?? Swift.max(neurons / 2, 1), neurons))
    }

    /// The default start's partition (`NeuronStartScreening` over k = 1…10). Not drawn with a chain's
    /// generator: like the trajectory pool it is a function of the data and the settings only.
    static func screenedNeuronLabels(counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration) -> [Int] {
        let maxGroups = Swift.min(maximumClusters(neurons: neurons, config: config), 10)
        var generator = SeededGenerator(seed: 0x5C2E_E11E)
        var screening = NeuronStartScreening(counts: counts, neurons: neurons, bins: bins, config: config, maxGroups: maxGroups)
        return screening.bestPartition(maxGroups: maxGroups, generator: &generator)
    }

    /// The `stateRestartSweep` re-start: the `.excursions` rule on the current latents. The two labels
    /// keep whichever assignment agrees more with the current sequence's most occupied state, so the
    /// restart does not swap labels needlessly.
    func restartStatesFromLatents() throws {
        var fresh = Self.excursionStates(latents: state.latents, bins: bins)
        if config.restartSegmentation == .switchingAutoregression { fresh = try switchingSegmentation(excursions: fresh) }
        var counts = [Int](repeating: 0, count: config.statesTruncation)
        for s in state.states { counts[s] += 1 }
        let major = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        let other = major == 0 ? 1 : 0
        var agreeA = 0, agreeB = 0
        for t in 0..<bins where state.states[t] == major {
            if fresh[t] == 0 { agreeA += 1 } else { agreeB += 1 }
        }
        // Label 0 of the rule goes to `major` when that matches more bins, else label 1 does.
        let (zero, one) = agreeA >= agreeB ? (major, other) : (other, major)
        for t in 0..<bins { fresh[t] = fresh[t] == 0 ? zero : one }
        state.states = fresh
        restartStates = fresh
    }

    /// The `.switchingAutoregression` restart: a 2-state AR-HMM on the current latents from the
    /// excursion rule, the current sequence (its most occupied state against the rest) and random
    /// run-length sequences (mean run 25 bins); the best fit's Viterbi path.
    func switchingSegmentation(excursions: [Int]) throws -> [Int] {
        var model = SwitchingAutoregression()
        model.states = 2
        model.columnPrecision = config.dynamicsColumnPrecision
        model.scale = config.dynamicsScale
        model.degreesOffset = config.dynamicsDegreesOffset
        model.alpha = config.stickyAlpha
        model.kappa = config.stickyKappa
        var counts = [Int](repeating: 0, count: config.statesTruncation)
        for s in state.states { counts[s] += 1 }
        let major = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        var initial = [excursions, state.states.map { $0 == major ? 0 : 1 }]
        for _ in 0..<config.restartSegmentationStarts {
            initial.append(SwitchingAutoregression.randomRuns(bins: bins, states: 2, meanRun: 25, generator: &generator))
        }
        return try model.segment(latents: state.latents, bins: bins, initial: initial).states
    }

    /// Two starting states from stacked latents (T × D): 1 where the distance to the per-coordinate
    /// median, averaged over ±4 bins, exceeds its median, else 0.
    static func excursionStates(latents: [Double], bins: Int) -> [Int] {
        let d = latents.count / Swift.max(bins, 1)
        guard d > 0 else { return [Int](repeating: 0, count: bins) }
        var centre = [Double](repeating: 0, count: d)
        for u in 0..<d {
            let column = (0..<bins).map { latents[$0 * d + u] }.sorted()
            centre[u] = column[bins / 2]
        }
        let distance = (0..<bins).map { t in
            (0..<d).reduce(0.0) { $0 + (latents[t * d + $1] - centre[$1]) * (latents[t * d + $1] - centre[$1]) }.squareRoot()
        }
        let smooth = (0..<bins).map { t -> Double in
            let lo = Swift.max(0, t - 4), hi = Swift.min(bins - 1, t + 4)
            return (lo...hi).reduce(0.0) { $0 + distance[$1] } / Double(hi - lo + 1)
        }
        let cut = smooth.sorted()[bins / 2]
        return smooth.map { $0 > cut ? 1 : 0 }
    }

    /// The declared auxiliary prior for a new cluster's trajectory: independent stationary AR(1) rows
    /// (coefficient a, noise variance q), centred; the p factor rows are then orthonormalised, and
    /// `scales` gets √T (their norm on the natural, unit-mean-square scale). `out` is (p + 1) × T: row 0 the baseline μ, rows 1…p unit-norm.
    static func autoregressiveTrajectory(
        into out: inout [Double], scales: inout [Double], p: Int, bins: Int, config: BiClusteringConfiguration,
        generator: inout SeededGenerator
    ) {
        let a = config.candidateAutoregression, sd = config.candidateNoiseVariance.squareRoot()
        let stationary = sd / (1 - a * a).squareRoot()
        for row in 0...p {
            var x = stationary * generator.standardNormal()
            var mean = 0.0
            for t in 0..<bins {
                x = a * x + sd * generator.standardNormal()
                out[row * bins + t] = x
                mean += x
            }
            mean /= Double(bins)
            let scale = row == 0 ? (config.candidateBaselineScale ?? 1) : 1
            for t in 0..<bins { out[row * bins + t] = (out[row * bins + t] - mean) * scale }
        }
        // Orthonormalise the factor rows (X = V S Uᵀ → Uᵀ); on the natural scale they have unit mean
        // square, the scale the identifiability projection fixes.
        orthonormaliseRows(&out, rowOffset: 1, rows: p, bins: bins, scales: &scales, rotation: nil)
        for k in 0..<p { scales[k] = config.factorScale.rowNorm(bins: bins) }
    }

    /// Replaces rows rowOffset…rowOffset+rows−1 of `x` (each `bins` long) by Uᵀ where X = V S Uᵀ,
    /// singular values descending; writes S into `scales` and Vᵀ (rows × rows) into `rotation`.
    static func orthonormaliseRows(
        _ x: inout [Double], rowOffset: Int, rows p: Int, bins: Int, scales: inout [Double], rotation: UnsafeMutablePointer<Double>?
    ) {
        var gram = Matrix<Double>(rows: p, columns: p)
        for k in 0..<p { for l in 0...k {
            var s = 0.0
            for t in 0..<bins { s += x[(rowOffset + k) * bins + t] * x[(rowOffset + l) * bins + t] }
            gram[k, l] = s; gram[l, k] = s
        } }
        guard let eig = try? SymmetricEigen(gram) else { return }
        // Descending order.
        var v = [Double](repeating: 0, count: p * p)   // row r of Vᵀ = eigenvector r
        for r in 0..<p {
            let col = p - 1 - r
            scales[r] = Swift.max(eig.values[col], 1e-300).squareRoot()
            for k in 0..<p { v[r * p + k] = eig.vectors[k, col] }
        }
        var rotated = [Double](repeating: 0, count: p * bins)
        for r in 0..<p { for k in 0..<p {
            let w = v[r * p + k]
            for t in 0..<bins { rotated[r * bins + t] += w * x[(rowOffset + k) * bins + t] }
        } }
        for r in 0..<p { for t in 0..<bins { x[(rowOffset + r) * bins + t] = rotated[r * bins + t] / scales[r] } }
        if let rotation { for i in 0..<(p * p) { rotation[i] = v[i] } }
    }

    func prepareBuffers() throws {
        let d = stackedDimension
        if ffbs.dimension != d { ffbs = InformationFFBS(dimension: d, length: bins) }
        if proposal.count != bins * d { proposal = [Double](repeating: 0, count: bins * d) }
    }

    // MARK: Sweep

    /// One full sweep; returns the log-likelihood of the counts after it. The Geweke test turns off the
    /// two steps that are not exact conditionals of one target: the label step (Laplace marginal,
    /// auxiliary-trajectory prior) and the identifiability projection (a reparametrisation).
    func sweep(updatingLabels: Bool = true, projecting: Bool = true) throws -> Double {
        if config.stateRestartSweep > 0 && state.sweep == config.stateRestartSweep && config.stateRestartSweep < config.burnIn
            && config.statesTruncation >= 2 {
            try restartStatesFromLatents()
            try resampleDynamics()
            if config.restartScreeningSweeps > 0 {
                let offsets = Array(stride(from: -config.restartScreeningRange, through: config.restartScreeningRange, by: config.restartScreeningStep))
                for round in 0..<config.restartScreeningRounds {
                    try screenChangePoints(offsets: offsets, sweeps: config.restartScreeningSweeps, pairingFrom: round % 2)
                }
                restartStates = state.states
            }
        }
        try updateLatents()
        let restricted = config.restrictedStateSweeps > 0 && config.restrictedStateSweeps < config.burnIn
            && state.sweep < config.restrictedStateSweeps ? Swift.min(config.initialStateCount, config.statesTruncation) : 0
        // (ξ, θ) | X̃ with θ integrated out; not while the sequence is held, randomised or restricted.
        if config.dynamicsCollapsedStateProposals > 0 && state.sweep >= config.randomStateRestarts && !holdingStates
            && restricted == 0 {
            try updateStatesWithDynamicsIntegrated()
        }
        try updateStatesAndDynamics(allowedStates: restricted)
        updateLoadings()
        if config.likelihood == .negativeBinomial { updateDispersions() }
        if projecting { project() }
        if updatingLabels {
            try updateLabels()
            if let moves = config.splitMergeProposals, moves > 0 { try splitMerge(proposals: moves) }
        }
        state.sweep += 1
        lastLogLikelihood = logLikelihood()
        return lastLogLikelihood
    }

    /// η_it = d_i + μ_t^(z_i) + c_iᵀ x_t^(z_i) from the current state, into `eta`.
    func computeLinearPredictor(latents: [Double]? = nil) {
        let d = stackedDimension, b = blockSize, p = self.p, bins = self.bins
        let x = latents ?? state.latents
        eta.withUnsafeMutableBufferPointer { e in
            x.withUnsafeBufferPointer { xb in
                for i in 0..<neurons {
                    let base = state.labels[i] &* b
                    let di = state.baselines[i]
                    let row = e.baseAddress! + i &* bins
                    state.loadings.withUnsafeBufferPointer { cb in
                        let c = cb.baseAddress! + i &* p
                        for t in 0..<bins {
                            let xt = xb.baseAddress! + (t &* d &+ base)
                            var v = di + xt[0]
                            for k in 0..<p { v += c[k] * xt[1 &+ k] }
                            row[t] = v
                        }
                    }
                }
            }
        }
    }

    /// Log-likelihood of all counts under the current state (the observation model in use).
    func logLikelihood() -> Double {
        computeLinearPredictor()
        var total = 0.0
        let poisson = config.likelihood == .poisson
        for i in 0..<neurons {
            if poisson {
                for t in 0..<bins {
                    let y = counts[i * bins + t]
                    if !y.isNaN { total += CountLikelihood.poisson(y, logMean: eta[i * bins + t]) }
                }
            } else {
                total += negativeBinomialLogLikelihood(i, dispersion: state.dispersions[i])
            }
        }
        return total
    }

    /// Σ_t log NB(y_it | r, e^{η_it}) from `eta`, with the y-dependent gamma terms
    /// log Γ(y + r) − log Γ(r) − log Γ(y + 1) tabulated once per call (counts are small integers), so
    /// each bin costs one exp and one log1p instead of three log-gammas more.
    func negativeBinomialLogLikelihood(_ i: Int, dispersion r: Double) -> Double {
        let lgr = Double.logGamma(r)
        for y in 0..<gammaTable.count { gammaTable[y] = Double.logGamma(Double(y) + r) - lgr - Double.logGamma(Double(y) + 1) }
        let logR = Double.log(r)
        var total = 0.0
        for t in 0..<bins {
            let y = counts[i &* bins &+ t]
            if y.isNaN { continue }
            let e = eta[i &* bins &+ t]
            let logRPlusMu = CountLikelihood.logAddExp(logR, e)
            let yi = Int(y)
            let g = yi < gammaTable.count ? gammaTable[yi] : Double.logGamma(y + r) - lgr - Double.logGamma(y + 1)
            total += g + r * (logR - logRPlusMu) + y * (e - logRPlusMu)
        }
        return total
    }
}
