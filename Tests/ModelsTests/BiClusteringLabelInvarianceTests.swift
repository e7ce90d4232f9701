import Foundation
import Testing
@testable import Models

/// Exactness of the neuron-label moves ("getting it right" at a size where the target can be summed):
/// Algorithm 8 and the split–merge proposals must leave
///
///     p(z, φ) ∝ V_N(t) Π_c Γ(n_c + γ)/Γ(γ) · Π_c G0(φ_c) · Π_i m(y_i | φ_{z_i})
///
/// invariant. With G0 a uniform draw from a pool of M trajectories the state (partition, pool entry of
/// each cluster) is discrete, so the long-run frequencies of the chain are compared with the exact
/// probabilities from enumerating all partitions and pool assignments; m is the chain's own Laplace
/// marginal. Without data (all counts missing) every m is 1 and the partition must follow the MFM prior.
@Suite struct BiClusteringLabelInvarianceTests {
    /// Restricted growth strings: every set partition of n items once.
    static func partitions(_ n: Int) -> [[Int]] {
        var out = [[Int]]()
        func extend(_ z: [Int], _ blocks: Int) {
            if z.count == n { out.append(z); return }
            for b in 0...blocks { extend(z + [b], Swift.max(blocks, b + 1)) }
        }
        extend([0], 1)
        return out
    }

    static func config(neurons: Int, poolWeight: Double) -> BiClusteringConfiguration {
        var c = BiClusteringConfiguration()
        c.latentDimension = 1
        c.statesTruncation = 2
        c.maxClusters = neurons
        c.candidatePoolWeight = poolWeight
        c.initialClusters = 1
        c.initialStateSweeps = 0
        return c
    }

    /// Canonical key of the chain's state: its labels in first-appearance order plus, per block, the pool
    /// entry its baseline row equals (−1 if none).
    static func key(_ chain: BiClusteringChain, pool: [[Double]]) -> [Int] {
        let d = chain.stackedDimension, b = chain.blockSize, bins = chain.bins
        var map = [Int: Int](), z = [Int](), entries = [Int]()
        for l in chain.state.labels {
            if map[l] == nil {
                map[l] = map.count
                let e = pool.firstIndex { row in (0..<bins).allSatisfy { abs(chain.state.latents[$0 * d + l * b] - row[$0]) < 1e-9 } } ?? -1
                entries.append(e)
            }
            z.append(map[l]!)
        }
        return z + entries
    }

    enum Moves { case gibbs, splitMerge, both }

    func run(_ moves: Moves, chain: BiClusteringChain, iterations: Int, pool: [[Double]]) throws -> [[Int]: Int] {
        var counts = [[Int]: Int]()
        for _ in 0..<iterations {
            if moves != .splitMerge { try chain.updateLabels() }
            if moves != .gibbs { try chain.splitMerge(proposals: 3) }
            counts[Self.key(chain, pool: pool), default: 0] += 1
        }
        return counts
    }

    @Test(arguments: [Moves.gibbs, .splitMerge, .both])
    func labelMovesLeaveTheExactPosteriorInvariant(_ moves: Moves) throws {
        let n = 4, bins = 8, m = 3
        // Three pool trajectories: baseline rows of different shapes, one centred unit-norm factor row.
        var pool = [[Double]]()
        for e in 0..<m {
            var rows = [Double](repeating: 0, count: 2 * bins)
            for t in 0..<bins {
                rows[t] = 0.6 * Double.sin(Double(t) * (0.4 + 0.5 * Double(e)) + Double(e))
                rows[bins + t] = Double.cos(Double(t) * (0.3 + 0.2 * Double(e)))
            }
            let mean = (0..<bins).reduce(0.0) { $0 + rows[$1] } / Double(bins)
            let fmean = (0..<bins).reduce(0.0) { $0 + rows[bins + $1] } / Double(bins)
            for t in 0..<bins { rows[t] -= mean; rows[bins + t] -= fmean }
            let norm = (0..<bins).reduce(0.0) { $0 + rows[bins + $1] * rows[bins + $1] }.squareRoot()
            for t in 0..<bins { rows[bins + t] /= norm }
            pool.append(rows)
        }
        // Counts: neurons 0, 1 follow pool entry 0, neurons 2, 3 entry 1, weakly (T = 8, mean ≈ 1.5), so
        // that the target spreads over many states and the prior terms matter: dropping the
        // Γ(n_c + γ) terms from the split ratio moves P(neuron 0 on entry 0) from 0.61 to 0.54.
        var g = SeededGenerator(seed: 99)
        var y = [Double](repeating: 0, count: n * bins)
        for i in 0..<n { for t in 0..<bins {
            y[i * bins + t] = Double(g.poisson(mean: Double.exp(0.4 + pool[i < 2 ? 0 : 1][t])))
        } }
        let config = Self.config(neurons: n, poolWeight: 1)
        let chain = try BiClusteringChain(counts: y, neurons: n, bins: bins, config: config, generator: SeededGenerator(seed: 3))
        chain.candidatePool = pool
        chain.state.baselines = [0.4, 0.4, 0.4, 0.4]
        chain.state.dispersions = [5, 5, 5, 5]
        // Start: one cluster on pool entry 2 (the wrong one).
        let rootT = chain.rowNorm
        var latents = [Double](repeating: 0, count: bins * 2)
        for t in 0..<bins { latents[2 * t] = pool[2][t]; latents[2 * t + 1] = pool[2][bins + t] * rootT }
        chain.state.labels = [0, 0, 0, 0]
        chain.state.latents = latents
        #expect(Self.key(chain, pool: pool) == [0, 0, 0, 0, 2])

        // Exact target over (partition, pool entry per block).
        var marginal = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        for i in 0..<n { for e in 0..<m { marginal[i][e] = chain.marginal(i, rows: pool[e], baseline: 0.4, dispersion: 5, poisson: false) } }
        var logTarget = [[Int]: Double]()
        for z in Self.partitions(n) {
            let t = z.max()! + 1
            let sizes = (0..<t).map { c in z.filter { $0 == c }.count }
            var assignment = [Int](repeating: 0, count: t)
            while true {
                var w = chain.mfm.log(blocks: t) - Double(t) * Double.log(Double(m))
                for s in sizes { w += Double.logGamma(Double(s) + 1) }   // Γ(n_c + γ)/Γ(γ), γ = 1
                for i in 0..<n { w += marginal[i][assignment[z[i]]] }
                logTarget[z + assignment] = w
                var k = 0
                while k < t && assignment[k] == m - 1 { assignment[k] = 0; k += 1 }
                if k == t { break }
                assignment[k] += 1
            }
        }
        let maxLog = logTarget.values.max()!
        let total = logTarget.values.reduce(0.0) { $0 + Double.exp($1 - maxLog) }
        let exact = logTarget.mapValues { Double.exp($0 - maxLog) / total }

        let iterations = 6000
        let visits = try run(moves, chain: chain, iterations: iterations, pool: pool)
        #expect(visits.keys.allSatisfy { exact[$0] != nil }, "a visited state outside the enumerated support")
        // Summaries: P(K = t), P(z_0 = z_1), P(z_0 = z_2), P(neuron 0's cluster is on pool entry 0).
        func summaries(_ probability: ([Int]) -> Double) -> [Double] {
            var s = [Double](repeating: 0, count: n + 3)
            for z in exact.keys {
                let w = probability(z)
                s[z[0..<n].max()!] += w
                if z[0] == z[1] { s[n] += w }
                if z[0] == z[2] { s[n + 1] += w }
                if z[n + z[0]] == 0 { s[n + 2] += w }
            }
            return s
        }
        let expected = summaries { exact[$0]! }
        let observed = summaries { Double(visits[$0] ?? 0) / Double(iterations) }
        for (e, o) in zip(expected, observed) {
            #expect(abs(e - o) < 0.035, "\(moves): exact \(expected.map { ($0 * 1000).rounded() / 1000 }) observed \(observed.map { ($0 * 1000).rounded() / 1000 })")
        }
    }

    @Test(arguments: [Moves.gibbs, .splitMerge])
    func withoutDataThePartitionFollowsTheMFMPrior(_ moves: Moves) throws {
        // All counts missing: every marginal is exactly 1, the auxiliary is the AR(1) prior (no pool).
        let n = 6, bins = 8
        let y = [Double](repeating: .nan, count: n * bins)
        let chain = try BiClusteringChain(
            counts: y, neurons: n, bins: bins, config: Self.config(neurons: n, poolWeight: 0), generator: SeededGenerator(seed: 5))
        #expect(chain.candidatePool.isEmpty)
        #expect(abs(chain.marginal(0, rows: [Double](repeating: 0.3, count: 2 * bins), baseline: 0.1, dispersion: 2, poisson: false)) < 1e-12)
        var prior = [Double](repeating: 0, count: n + 1)
        for z in Self.partitions(n) {
            let t = z.max()! + 1
            var w = chain.mfm.log(blocks: t)
            for c in 0..<t { w += Double.logGamma(Double(z.filter { $0 == c }.count) + 1) }
            prior[t] += Double.exp(w)
        }
        #expect(abs(prior.reduce(0, +) - 1) < 1e-9, "MFM prior over partitions of 6 sums to \(prior.reduce(0, +))")
        var observed = [Double](repeating: 0, count: n + 1)
        let iterations = 6000
        for _ in 0..<iterations {
            if moves == .gibbs { try chain.updateLabels() } else { try chain.splitMerge(proposals: 3) }
            observed[chain.state.clusterCount] += 1 / Double(iterations)
        }
        for t in 1...n {
            #expect(abs(prior[t] - observed[t]) < 0.03, "\(moves) K = \(t): prior \(prior[t]) observed \(observed[t])")
        }
    }
}
