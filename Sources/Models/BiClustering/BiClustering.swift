import Foundation
import NeuroCore
import Synchronization

/// Bayesian bi-clustering of spike counts (Wei 2023): neurons are clustered (MFM prior) by shared
/// latent trajectories, and time bins by a shared discrete state (sticky HDP-HMM) that switches the
/// trajectories' affine dynamics. Counts are NB(r_i, mean μ_it) (or Poisson) with
/// log μ_it = d_i + μ_t^(z_i) + c_iᵀ x_t^(z_i).
///
/// `fit` runs `configuration.chains` chains (in parallel), each from its own `split()` of the seed,
/// keeps streaming summaries, and returns point estimates and convergence diagnostics.
public struct BiClustering: Sendable {
    public var configuration: BiClusteringConfiguration

    public init(configuration: BiClusteringConfiguration = BiClusteringConfiguration()) {
        self.configuration = configuration
    }

    /// Fits binned spike counts (units × bins).
    public func fit(
        _ counts: SpikeCounts, seed: UInt64, monitor: any FitMonitor = SilentMonitor(), checkpointDirectory: URL? = nil,
        start: BiClusteringStart? = nil, startStates: [Int]? = nil
    ) throws -> BiClusteringFit {
        try fit(counts: counts.counts, neurons: counts.unitCount, bins: counts.binCount, seed: seed,
                monitor: monitor, checkpointDirectory: checkpointDirectory, start: start, startStates: startStates)
    }

    /// Fits a neurons × bins count matrix (row-major; NaN marks a missing bin). With a
    /// `checkpointDirectory`, each chain writes `chain-<i>.json` every `checkpointInterval` sweeps and,
    /// if such a file exists for the same data and settings, resumes from it. A `start` (a diagnostic,
    /// e.g. a simulation's truth) replaces the data-driven start of every chain that is not resumed.
    /// `startStates` (a diagnostic) replaces only the starting state sequence (labels below L) and keeps
    /// the data-driven partition, latents and loadings; the dynamics are drawn given it.
    public func fit(
        counts: [Double], neurons: Int, bins: Int, seed: UInt64, monitor: any FitMonitor = SilentMonitor(),
        checkpointDirectory: URL? = nil, start: BiClusteringStart? = nil, startStates: [Int]? = nil
    ) throws -> BiClusteringFit {
        try configuration.validate()
        guard neurons >= 2 else { throw BiClusteringError.invalidCounts("need at least 2 neurons, found \(neurons)") }
        guard bins >= 3 else { throw BiClusteringError.invalidCounts("need at least 3 bins, found \(bins)") }
        guard counts.count == neurons * bins else {
            throw BiClusteringError.invalidCounts("\(counts.count) values for \(neurons) neurons × \(bins) bins")
        }
        for (k, y) in counts.enumerated() where !y.isNaN {
            guard y >= 0, y == y.rounded(), y.isFinite else {
                throw BiClusteringError.invalidCounts("neuron \(k / bins), bin \(k % bins) holds \(y); counts must be non-negative integers (or NaN)")
            }
        }
        let config = configuration
        try start?.validate(neurons: neurons, bins: bins, config: config)
        if let startStates {
            guard startStates.count == bins, startStates.allSatisfy({ $0 >= 0 && $0 < config.statesTruncation }) else {
                throw BiClusteringError.invalidCounts(
                    "starting states: \(startStates.count) states for \(bins) bins, each below L = \(config.statesTruncation)")
            }
        }
        // The chains run in parallel: one BLAS thread each, or OpenBLAS's pool spins on the small
        // factorisations (the start's screening spent most of its time yielding).
        let blasThreads = BLASThreads.count
        BLASThreads.count = 1
        defer { BLASThreads.count = blasThreads }
        // The screened neuron start depends on the data and the settings only: computed once for all
        // chains, and not at all when every chain resumes from a checkpoint.
        let resumesAll = checkpointDirectory.map { directory in
            (0..<config.chains).allSatisfy {
                FileManager.default.fileExists(atPath: BiClusteringCheckpoint.url(in: directory, chain: $0).path)
            }
        } ?? false
        let neuronStart: [Int]? = start == nil && config.initialClusters == 0 && !resumesAll
            ? BiClusteringChain.screenedNeuronLabels(counts: counts, neurons: neurons, bins: bins, config: config) : nil
        let checksum = BiClusteringCheckpoint.checksum(counts)
        var root = SeededGenerator(seed: seed)
        let generators = root.split(into: config.chains)
        let began = Date()
        let progress = SharedCounter()
        let total = config.sweeps * config.chains
        let results = SharedResults(count: config.chains)
        let work: @Sendable (Int) -> Void = { c in
            let outcome = Result {
                try BiClustering.runChain(
                    index: c, counts: counts, neurons: neurons, bins: bins, config: config, generator: generators[c],
                    checksum: checksum, checkpointDirectory: checkpointDirectory, monitor: monitor, progress: progress, total: total,
                    start: start, startStates: startStates, neuronStart: neuronStart)
            }
            results.slots.withLock { $0[c] = outcome }
        }
        if config.parallelChains && config.chains > 1 {
            DispatchQueue.concurrentPerform(iterations: config.chains, execute: work)
        } else {
            for c in 0..<config.chains { work(c) }
        }
        let outcomes = try results.slots.withLock { $0 }.map { try $0!.get() }
        return BiClusteringFit(
            configuration: config, neurons: neurons, bins: bins, seed: seed, outcomes: outcomes,
            elapsed: Date().timeIntervalSince(began))
    }

    struct ChainOutcome: Sendable {
        var state: BiClusteringState
        var summary: BiClusteringChainSummary
        var sweepSeconds: Double
        /// CPU seconds of the chain's thread per sweep run in this process (sweep and streaming summaries).
        var cpuSweepSeconds: Double
        var sweepsRun: Int
        var acceptedLatentMoves: Int
        var dynamicsCollapsedAcceptance: Double = .nan
        /// The burn-in restart's state sequence (empty without a restart, or when resumed past it).
        var restartStates: [Int] = []
    }

    static func runChain(
        index: Int, counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration,
        generator: SeededGenerator, checksum: String, checkpointDirectory: URL?, monitor: any FitMonitor,
        progress: SharedCounter, total: Int, start: BiClusteringStart? = nil, startStates: [Int]? = nil,
        neuronStart: [Int]? = nil
    ) throws -> ChainOutcome {
        var chain: BiClusteringChain
        var summary: BiClusteringChainSummary
        var elapsed = 0.0
        let maxClusters = BiClusteringChain.maximumClusters(neurons: neurons, config: config)
        if let directory = checkpointDirectory, let saved = try BiClusteringCheckpoint.read(from: directory, chain: index) {
            var savedConfig = saved.configuration, current = config
            savedConfig.sweeps = 0; current.sweeps = 0
            guard saved.neurons == neurons, saved.bins == bins, saved.dataChecksum == checksum else {
                throw BiClusteringError.checkpoint("chain \(index) in \(directory.path) was written for other data")
            }
            guard savedConfig == current else {
                throw BiClusteringError.checkpoint("chain \(index) in \(directory.path) was written with other settings")
            }
            chain = try BiClusteringChain(
                resuming: saved.state, generatorSeed: saved.generatorSeed, counts: counts, neurons: neurons, bins: bins, config: config)
            summary = saved.summary
            elapsed = saved.elapsed
            progress.value.withLock { $0 += saved.state.sweep }
        } else {
            chain = try BiClusteringChain(
                counts: counts, neurons: neurons, bins: bins, config: config, generator: generator, neuronLabels: neuronStart)
            if let start { try chain.adopt(start) }
            if let startStates { try chain.adopt(states: startStates) }
            summary = BiClusteringChainSummary(
                neurons: neurons, bins: bins, latentDimension: config.latentDimension, maxClusters: maxClusters,
                states: config.statesTruncation)
        }
        var sweepsRun = 0
        var cpu = 0.0
        while chain.state.sweep < config.sweeps {
            if monitor.shouldStop { break }
            let t0 = Date()
            let c0 = threadCPUSeconds()
            let ll = try chain.sweep()
            elapsed += Date().timeIntervalSince(t0)
            sweepsRun += 1
            summary.trace(chain.state, logLikelihood: ll)
            if chain.state.sweep > config.burnIn { summary.record(chain.state, sampleInterval: config.sampleInterval ?? 0) }
            cpu += threadCPUSeconds() - c0
            if chain.state.sweep % config.checkpointInterval == 0 {
                // Re-seed at every interval (checkpointing or not), so a resumed run is the same run.
                let seed = chain.generator.next()
                chain.generator = SeededGenerator(seed: seed)
                if let directory = checkpointDirectory {
                    try BiClusteringCheckpoint(
                        chain: index, neurons: neurons, bins: bins, dataChecksum: checksum, configuration: config,
                        state: chain.state, summary: summary, generatorSeed: seed, elapsed: elapsed
                    ).write(to: directory)
                }
            }
            let done = progress.value.withLock { $0 += 1; return $0 }
            monitor.report(FitProgress(stage: "bicluster sweeps", iteration: done, total: total, objective: ll))
        }
        return ChainOutcome(
            state: chain.state, summary: summary, sweepSeconds: elapsed / Double(Swift.max(chain.state.sweep, 1)),
            cpuSweepSeconds: cpu / Double(Swift.max(sweepsRun, 1)),
            sweepsRun: sweepsRun, acceptedLatentMoves: chain.acceptedLatentMoves,
            dynamicsCollapsedAcceptance: chain.proposedDynamicsCollapsedMoves > 0
                ? Double(chain.acceptedDynamicsCollapsedMoves) / Double(chain.proposedDynamicsCollapsedMoves) : .nan,
            restartStates: chain.restartStates)
    }
}

/// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID): a chain runs on one thread, so this is
/// its cost whatever else the machine is doing.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
}

/// Sweeps done over all chains, for progress reports.
final class SharedCounter: Sendable {
    let value = Mutex(0)
}

/// One result slot per chain, filled by the chain's worker.
final class SharedResults: Sendable {
    let slots: Mutex<[Result<BiClustering.ChainOutcome, any Error>?]>
    init(count: Int) { slots = Mutex([Result<BiClustering.ChainOutcome, any Error>?](repeating: nil, count: count)) }
}
