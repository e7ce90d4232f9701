import ArgumentParser
import Foundation
import Models

/// `neuroswift fit bicluster COUNTS`: Bayesian bi-clustering of neurons and time bins (Wei 2023).
struct FitBicluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bicluster",
        abstract: "Bayesian bi-clustering of spike counts: neuron clusters (MFM) × time-bin states (sticky HDP-HMM), by MCMC.",
        discussion: """
            COUNTS is a units × bins count matrix (.csv/.txt, .npy, or a `simulate bicluster` .h5) or spike \
            trains (an NWB file with a units table, a Phy folder), which are binned at --bin-width first. \
            The export holds neuron labels, the state sequence, both posterior similarity matrices, latent \
            trajectories with bands, traces of K and of the number of states, and the diagnostics.
            """)

    @Argument(help: "Spike input (count matrix, NWB file or Phy folder).", completion: .file())
    var counts: String
    @Option(help: "Bin width in seconds (required for spike trains; recorded for count matrices).")
    var binWidth: Double?
    @Option(help: "Sweeps per chain.") var sweeps = 1_000
    @Option(help: "Sweeps discarded before the summaries (default: a quarter).") var burnIn: Int?
    @Option(help: "Number of chains (run in parallel).") var chains = 2
    @Option(help: "Random seed; each chain uses its own split of it.") var seed: UInt64 = 1
    @Option(help: "Observation model: negativeBinomial or poisson.") var likelihood: BiClusteringConfiguration.Likelihood = .negativeBinomial
    @Option(help: "Latent factors per neuron cluster (p).") var factors = 2
    @Option(help: "Weak-limit number of states L (paper: 10 simulation, 20 real data).") var states = 10
    @Option(help: "Success probability of the Geometric prior on the number of clusters (paper: 0.2, real data 0.415).")
    var clusterPrior = 0.2
    @Option(help: "Neuron clusters at the start (spectral groups of log smoothed rates; 0 = screened by a leave-one-neuron-out predictive score, 1 = single-cluster start).")
    var initialClusters = 0
    @Option(help: "Split–merge proposals per sweep (0 = off).") var splitMerge: Int?
    @Option(help: "Blocked-Gibbs passes of states and dynamics on the starting latents.") var initialStateSweeps: Int?
    @Option(help: "Burn-in sweep at which the states are set again by the excursion rule from the current latents (0 = off).")
    var stateRestartSweep: Int?
    @Option(help: "How --state-restart-sweep segments the latents: excursions (one-shot rule) or switchingAutoregression (2-state sticky AR-HMM fitted by EM from several starts, best likelihood).")
    var restartSegmentation: BiClusteringConfiguration.RestartSegmentation?
    @Option(help: "Random initial sequences of the switchingAutoregression restart besides the excursion rule and the current sequence.")
    var restartSegmentationStarts: Int?
    @Option(help: "Burn-in only, after --state-restart-sweep: sweeps per candidate of the change-point screening (each candidate shifts every change point by one offset; each keeps its best-fitting offset; 0 = off).")
    var restartScreeningSweeps: Int?
    @Option(help: "Largest change-point offset (bins) the screening tries.") var restartScreeningRange: Int?
    @Option(help: "Step between the screening's offsets (bins).") var restartScreeningStep: Int?
    @Option(help: "Rounds of the change-point screening.") var restartScreeningRounds: Int?
    @Flag(help: "Keep the starting state sequence until --state-restart-sweep (burn-in only), so the restart reads latents no regime assignment has shaped.")
    var holdStatesBeforeRestart = false
    @Option(help: "Burn-in sweeps during which only --initial-state-count states may be occupied (0 = off).")
    var restrictedStateSweeps: Int?
    @Option(help: "Starting state sequence: single, random or excursions (two states from the starting latents' distance to their median).")
    var initialStates: BiClusteringConfiguration.InitialStates?
    @Option(help: "During the start's passes only this many states may be occupied (0 = all L).") var initialStateCount: Int?
    @Option(help: "Interval-swap MH proposals per sweep for the states with the latents integrated out (0 = off).")
    var collapsedStateProposals: Int?
    @Option(help: "Prefix/suffix-swap MH proposals per sweep for the states with the latents integrated out (0 = off).")
    var collapsedEdgeProposals: Int?
    @Option(help: "Rounds per sweep of the state move with the dynamics (A, b, Q) integrated out given the latents (0 = off).")
    var dynamicsCollapsedStateProposals: Int?
    @Option(help: "Largest change-point shift, in bins, of the dynamics-collapsed state move.")
    var dynamicsCollapsedMaxShift: Int?
    @Option(help: "Weight of the data-built trajectory pool in a new cluster's auxiliary prior (0 = AR(1) prior only).")
    var candidatePoolWeight: Double?
    @Option(help: "Scale S0 of the dynamics' inverse-Wishart prior, Q ~ IW(D + 2, S0·I) (paper: 0.01).")
    var dynamicsScale: Double?
    @Option(help: "Dispersion update: metropolis (exact) or crtGamma (the reference's approximate step).")
    var dispersionUpdate: BiClusteringConfiguration.DispersionUpdate = .metropolis
    @Flag(inversion: .prefixedNo, help: "One NB dispersion r shared by all neurons (default: the library's setting).")
    var sharedDispersion: Bool?
    @Flag(help: "Diagnostic: start every chain at the ground truth of a `simulate bicluster` .h5 input.")
    var startAtTruth = false
    @Flag(help: "Diagnostic: start every chain at the true state sequence of a `simulate bicluster` .h5 input only (partition, latents and loadings stay data-driven).")
    var startAtTrueStates = false
    @Option(help: "Folder for checkpoints; an existing checkpoint for the same data and settings is resumed.", completion: .directory)
    var checkpoint: String?
    @Flag(help: "Draw every Pólya-Gamma variable with the exact sampler (default: the hybrid, exact for small shapes, a three-cumulant approximation for large ones).")
    var exactPolyaGamma = false
    @Option(help: "Export every K-th post-burn-in sweep's states and neuron labels (samples/…; 0 = none).")
    var sampleInterval: Int?
    @Option(name: .shortAndLong, help: "Output HDF5 file.") var output: String

    func validate() throws {
        guard sweeps >= 1 else { throw ValidationError("--sweeps must be ≥ 1") }
        guard chains >= 1 else { throw ValidationError("--chains must be ≥ 1") }
        if let binWidth, !(binWidth > 0) { throw ValidationError("--bin-width must be > 0 s") }
    }

    func run() throws {
        let (data, description) = try SpikeInput.counts(counts, binWidth: binWidth)
        var config = BiClusteringConfiguration()
        config.sweeps = sweeps
        config.burnIn = burnIn ?? sweeps / 4
        config.chains = chains
        config.likelihood = likelihood
        config.latentDimension = factors
        config.statesTruncation = states
        config.clusterCountGeometric = clusterPrior
        config.dispersionUpdate = dispersionUpdate
        if let sharedDispersion { config.sharedDispersion = sharedDispersion }
        config.initialClusters = initialClusters
        if let splitMerge { config.splitMergeProposals = splitMerge }
        if let initialStateSweeps { config.initialStateSweeps = initialStateSweeps }
        if let stateRestartSweep { config.stateRestartSweep = stateRestartSweep }
        if holdStatesBeforeRestart { config.holdStatesBeforeRestart = true }
        if let restrictedStateSweeps { config.restrictedStateSweeps = restrictedStateSweeps }
        if let initialStates { config.initialStates = initialStates }
        if let restartSegmentation { config.restartSegmentation = restartSegmentation }
        if let restartSegmentationStarts { config.restartSegmentationStarts = restartSegmentationStarts }
        if let restartScreeningSweeps { config.restartScreeningSweeps = restartScreeningSweeps }
        if let restartScreeningRange { config.restartScreeningRange = restartScreeningRange }
        if let restartScreeningStep { config.restartScreeningStep = restartScreeningStep }
        if let restartScreeningRounds { config.restartScreeningRounds = restartScreeningRounds }
        if let initialStateCount { config.initialStateCount = initialStateCount }
        if let collapsedStateProposals { config.collapsedStateProposals = collapsedStateProposals }
        if let collapsedEdgeProposals { config.collapsedEdgeProposals = collapsedEdgeProposals }
        if let dynamicsCollapsedStateProposals { config.dynamicsCollapsedStateProposals = dynamicsCollapsedStateProposals }
        if let dynamicsCollapsedMaxShift { config.dynamicsCollapsedMaxShift = dynamicsCollapsedMaxShift }
        if let dynamicsScale { config.dynamicsScale = dynamicsScale }
        if let candidatePoolWeight { config.candidatePoolWeight = candidatePoolWeight }
        if exactPolyaGamma { config.exactPolyaGamma = true }
        if let sampleInterval { config.sampleInterval = sampleInterval }
        print("\(counts): \(description); \(data.unitCount) units × \(data.binCount) bins of \(data.binWidth) s")
        let progress = TerminalProgress()
        let start = startAtTruth ? try BiClusteringSimulation.Result.readStart(URL(fileURLWithPath: counts)) : nil
        let startStates = startAtTrueStates ? try BiClusteringSimulation.Result.readStart(URL(fileURLWithPath: counts)).states : nil
        let fit = try BiClustering(configuration: config).fit(
            data, seed: seed, monitor: progress, checkpointDirectory: checkpoint.map { URL(fileURLWithPath: $0) }, start: start,
            startStates: startStates)
        progress.finish()
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try fit.write(
            to: URL(fileURLWithPath: output),
            provenance: ExportProvenance(command: command, seed: seed, inputs: [URL(fileURLWithPath: counts)]))
        print(FitBicluster.summary(fit).render())
        print("wrote \(output)")
    }

    static func summary(_ fit: BiClusteringFit) -> TextTable {
        func fmt(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
        var table = TextTable(["quantity", "value"], alignments: [.left, .right])
        table.append(["neuron clusters (maxPEAR)", "\(Set(fit.neuronLabels).count)"])
        table.append(["posterior mode of K", "\(fit.clusterCountMode) (P = \(fmt(fit.clusterCountPosterior[fit.clusterCountMode])))"])
        table.append(["states (maxPEAR)", "\(Set(fit.stateLabels).count)"])
        table.append(["posterior mode of occupied states", "\(fit.stateCountMode)"])
        table.append(["split-R̂ log-likelihood", fmt(fit.rHatLogLikelihood)])
        table.append(["between-chain ARI neurons / states", "\(fmt(fit.betweenChainNeuronARI)) / \(fmt(fit.betweenChainStateARI))"])
        table.append(["mean dispersion r", fit.configuration.likelihood == .poisson ? "– (Poisson)"
            : fmt(fit.meanDispersions.reduce(0, +) / Double(max(fit.neurons, 1)))])
        table.append(["ms per sweep (mean over chains)", String(format: "%.1f", 1000 * fit.secondsPerSweep.reduce(0, +) / Double(max(fit.secondsPerSweep.count, 1)))])
        table.append(["CPU ms per sweep (mean over chains)", String(format: "%.1f", 1000 * fit.cpuSecondsPerSweep.reduce(0, +) / Double(max(fit.cpuSecondsPerSweep.count, 1)))])
        if fit.configuration.dynamicsCollapsedStateProposals > 0 {
            table.append(["dynamics-collapsed state moves accepted (per chain)",
                          fit.dynamicsCollapsedAcceptance.map { String(format: "%.3f", $0) }.joined(separator: ", ")])
        }
        return table
    }
}

extension BiClusteringConfiguration.Likelihood: ExpressibleByArgument {}
extension BiClusteringConfiguration.DispersionUpdate: ExpressibleByArgument {}
extension BiClusteringConfiguration.InitialStates: ExpressibleByArgument {}
extension BiClusteringConfiguration.RestartSegmentation: ExpressibleByArgument {}
