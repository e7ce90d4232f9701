import Foundation
import Testing
@testable import Models

/// Geweke's "getting it right" test of the whole sweep on a tiny instance (N = 4 neurons in one
/// cluster, T = 12 bins, p = 1, L = 2 states): the marginal-conditional simulator (independent draws
/// of parameters and data from the prior) and the successive-conditional simulator (one sweep given
/// the data, then fresh data given the parameters, repeated) must agree on the means of a few test
/// functions. Every step of the sweep that is an exact conditional of the model is included — Pólya-
/// Gamma + FFBS latents, the collapsed interval-swap and edge-swap state moves, the dynamics-collapsed (ξ, θ) moves, blocked states, β and π, MNIW
/// dynamics (with the x_0 correction), PG loadings, MH dispersions. The label step (Laplace marginal,
/// auxiliary-trajectory prior) and the identifiability projection (a reparametrisation) are not exact
/// conditionals of one target and are switched off, as the methods note (§7.1, item 8) prescribes.
@Suite struct BiClusteringGewekeTests {
    static let neurons = 4, bins = 12, p = 1, states = 2

    static func config() -> BiClusteringConfiguration {
        var c = BiClusteringConfiguration()
        c.latentDimension = p
        c.statesTruncation = states
        c.maxClusters = neurons
        c.initialClusters = 1
        c.stickyAlpha = 2
        c.stickyGamma = 2
        c.stickyKappa = 3
        // A ~ MN(I, Q, 0.01·I) keeps the prior paths bounded over 12 bins.
        c.dynamicsColumnPrecision = 100
        c.collapsedStateProposals = 3
        c.collapsedEdgeProposals = 2
        c.dynamicsCollapsedStateProposals = 2
        c.dynamicsCollapsedMaxShift = 3
        return c
    }

    /// One draw of every parameter and of the counts from the model.
    static func priorDraw(_ config: BiClusteringConfiguration, _ g: inout SeededGenerator) throws -> (BiClusteringState, [Double]) {
        let d = p + 1
        let hmm = StickyHDPHMM(stateCount: states, alpha: config.stickyAlpha, gamma: config.stickyGamma, kappa: config.stickyKappa, generator: &g)
        var xi = [g.uniformInt(below: states)]
        for t in 1..<bins {
            let row = Array(hmm.transitions[(xi[t - 1] * states)..<((xi[t - 1] + 1) * states)])
            xi.append(g.categorical(probabilities: row))
        }
        let prior = try MNIWPosterior(
            sxx: Matrix(rows: d, columns: d), sxu: Matrix(rows: d, columns: d + 1), suu: Matrix(rows: d + 1, columns: d + 1), count: 0,
            columnPrecision: config.dynamicsColumnPrecision, scale: config.dynamicsScale, degreesOffset: config.dynamicsDegreesOffset)
        let dynamics = try (0..<states).map { _ in try prior.sample(generator: &g) }
        var x = (0..<d).map { _ in g.standardNormal() }   // x_{−1}
        var latents = [Double](repeating: 0, count: bins * d)
        for t in 0..<bins {
            let dyn = dynamics[xi[t]]
            let noise = try Cholesky(Matrix(rows: d, columns: d, elements: dyn.q)).multiplyLower((0..<d).map { _ in g.standardNormal() })
            var next = [Double](repeating: 0, count: d)
            for i in 0..<d {
                next[i] = dyn.b[i] + noise[i]
                for j in 0..<d { next[i] += dyn.a[i * d + j] * x[j] }
            }
            x = next
            for i in 0..<d { latents[t * d + i] = x[i] }
        }
        let baselines = (0..<neurons).map { _ in config.baselinePriorVariance.squareRoot() * g.standardNormal() }
        let loadings = (0..<(neurons * p)).map { _ in config.loadingPriorVariance.squareRoot() * g.standardNormal() }
        let dispersions = (0..<neurons).map { _ in Swift.max(g.gamma(shape: config.dispersionShape, scale: 1 / config.dispersionRate), 1e-3) }
        let state = BiClusteringState(
            clusterCount: 1, labels: [Int](repeating: 0, count: neurons), baselines: baselines, loadings: loadings,
            dispersions: dispersions, latents: latents, states: xi, dynamics: dynamics, hmm: hmm, sweep: 0)
        return (state, counts(for: state, &g))
    }

    /// Counts ~ NB(r_i, mean e^{η_it}) given the parameters (gamma–Poisson mixture).
    static func counts(for state: BiClusteringState, _ g: inout SeededGenerator) -> [Double] {
        let d = p + 1
        var y = [Double](repeating: 0, count: neurons * bins)
        for i in 0..<neurons {
            let r = state.dispersions[i]
            for t in 0..<bins {
                var eta = state.baselines[i] + state.latents[t * d]
                for q in 0..<p { eta += state.loadings[i * p + q] * state.latents[t * d + 1 + q] }
                let rate = g.gamma(shape: r, scale: Double.exp(Swift.min(eta, 30)) / r)
                y[i * bins + t] = Double(g.poisson(mean: rate))
            }
        }
        return y
    }

    /// Test functions: mean d, mean c², mean log r, mean μ_t², mean x_t², persistence of ξ, β_0,
    /// log Q_00 of regime 0, and A_00 of regime 0.
    static func statistics(_ s: BiClusteringState) -> [Double] {
        let d = p + 1
        let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
        return [
            mean(s.baselines),
            mean(s.loadings.map { $0 * $0 }),
            mean(s.dispersions.map { Double.log($0) }),
            mean((0..<bins).map { s.latents[$0 * d] * s.latents[$0 * d] }),
            mean((0..<bins).map { s.latents[$0 * d + 1] * s.latents[$0 * d + 1] }),
            mean((1..<bins).map { s.states[$0] == s.states[$0 - 1] ? 1.0 : 0.0 }),
            s.hmm.beta[0],
            Double.log(s.dynamics[0].q[0]),
            s.dynamics[0].a[0],
        ]
    }

    @Test func marginalAndSuccessiveConditionalSimulatorsAgree() throws {
        let config = Self.config()
        var g = SeededGenerator(seed: 2024)
        // Marginal-conditional: independent prior draws.
        let draws = 10_000
        var mcSum = [Double](repeating: 0, count: 9), mcSq = mcSum
        for _ in 0..<draws {
            let stats = Self.statistics(try Self.priorDraw(config, &g).0)
            for k in stats.indices { mcSum[k] += stats[k]; mcSq[k] += stats[k] * stats[k] }
        }
        // Successive-conditional: sweep given the data, then new data given the parameters.
        let (start, y) = try Self.priorDraw(config, &g)
        let chain = try BiClusteringChain(resuming: start, generatorSeed: 77, counts: y, neurons: Self.neurons, bins: Self.bins, config: config)
        let iterations = 6_000, batches = 30, batchLength = iterations / batches
        var batchMeans = [[Double]](repeating: [Double](repeating: 0, count: 9), count: batches)
        for it in 0..<iterations {
            _ = try chain.sweep(updatingLabels: false, projecting: false)
            chain.counts = Self.counts(for: chain.state, &g)
            let stats = Self.statistics(chain.state)
            for k in stats.indices { batchMeans[it / batchLength][k] += stats[k] / Double(batchLength) }
        }
        for k in 0..<9 {
            let mcMean = mcSum[k] / Double(draws)
            let mcSE = ((mcSq[k] / Double(draws) - mcMean * mcMean) / Double(draws)).squareRoot()
            let b = batchMeans.map { $0[k] }
            let scMean = b.reduce(0, +) / Double(batches)
            let scSE = (b.reduce(0) { $0 + ($1 - scMean) * ($1 - scMean) } / Double(batches - 1) / Double(batches)).squareRoot()
            let z = (scMean - mcMean) / (mcSE * mcSE + scSE * scSE).squareRoot()
            #expect(abs(z) < 4, "statistic \(k): successive \(scMean) ± \(scSE), marginal \(mcMean) ± \(mcSE), z = \(z)")
        }
    }
}
