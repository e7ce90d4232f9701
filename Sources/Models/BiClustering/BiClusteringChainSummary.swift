import Foundation
import NeuroCore

/// Streaming summaries of one chain: memory does not grow with the number of sweeps except for the
/// scalar traces (log-likelihood, K, number of states, mean r; one value per sweep) and, when asked for,
/// the kept sweeps (`BiClusteringConfiguration.sampleInterval`).
public struct BiClusteringChainSummary: Sendable, Codable, Equatable {
    public let neurons: Int
    public let bins: Int
    public let latentDimension: Int
    /// Post-burn-in sweeps accumulated.
    public internal(set) var recorded = 0
    /// Co-clustering counts (N × N and T × T); divide by `recorded` for the PSMs.
    var neuronCoclustering: [Double]
    var binCoclustering: [Double]
    /// Histograms over post-burn-in sweeps, indexed by count.
    public internal(set) var clusterCountHistogram: [Int]
    public internal(set) var stateCountHistogram: [Int]
    /// Per-sweep traces over all sweeps (burn-in included).
    public internal(set) var logLikelihoodTrace: [Double] = []
    public internal(set) var clusterCountTrace: [Int] = []
    public internal(set) var stateCountTrace: [Int] = []
    public internal(set) var meanDispersionTrace: [Double] = []
    var dispersionSum: [Double]
    var baselineSum: [Double]
    /// Latent trajectories aligned to a reference sweep (the first recorded one): for each reference
    /// cluster, running sums of the (p + 1) × T trajectory and of its squares after matching the
    /// cluster (Hungarian on member overlap) and the factor rows (permutation and sign, least squares).
    public internal(set) var referenceLabels: [Int] = []
    var referenceTrajectories: [[Double]] = []
    var latentSum: [[Double]] = []
    var latentSumSquares: [[Double]] = []
    public internal(set) var latentCounts: [Int] = []
    /// Kept sweeps (`BiClusteringConfiguration.sampleInterval`): state sequences and neuron labels,
    /// one entry per kept sweep (optional so checkpoints written before they existed still load).
    public internal(set) var sampledStates: [[Int]]? = nil
    public internal(set) var sampledLabels: [[Int]]? = nil

    init(neurons: Int, bins: Int, latentDimension: Int, maxClusters: Int, states: Int) {
        self.neurons = neurons
        self.bins = bins
        self.latentDimension = latentDimension
        neuronCoclustering = [Double](repeating: 0, count: neurons * neurons)
        binCoclustering = [Double](repeating: 0, count: bins * bins)
        clusterCountHistogram = [Int](repeating: 0, count: maxClusters + 1)
        stateCountHistogram = [Int](repeating: 0, count: states + 1)
        dispersionSum = [Double](repeating: 0, count: neurons)
        baselineSum = dispersionSum
    }

    /// Adds the per-sweep traces (every sweep).
    mutating func trace(_ state: BiClusteringState, logLikelihood: Double) {
        logLikelihoodTrace.append(logLikelihood)
        clusterCountTrace.append(state.clusterCount)
        stateCountTrace.append(Set(state.states).count)
        meanDispersionTrace.append(state.dispersions.reduce(0, +) / Double(Swift.max(state.dispersions.count, 1)))
    }

    /// Accumulates a post-burn-in sweep; every `sampleInterval`-th one is also kept whole.
    mutating func record(_ state: BiClusteringState, sampleInterval: Int = 0) {
        if sampleInterval > 0 && recorded % sampleInterval == 0 {
            if sampledStates == nil { sampledStates = []; sampledLabels = [] }
            sampledStates?.append(state.states)
            sampledLabels?.append(state.labels)
        }
        recorded += 1
        let n = neurons, t = bins
        for i in 0..<n {
            let zi = state.labels[i]
            for j in 0..<n where state.labels[j] == zi { neuronCoclustering[i * n + j] += 1 }
        }
        state.states.withUnsafeBufferPointer { s in
            binCoclustering.withUnsafeMutableBufferPointer { b in
                for a in 0..<t {
                    let sa = s[a]
                    let row = b.baseAddress! + a &* t
                    for c in 0..<t where s[c] == sa { row[c] += 1 }
                }
            }
        }
        if state.clusterCount < clusterCountHistogram.count { clusterCountHistogram[state.clusterCount] += 1 }
        let occupied = Set(state.states).count
        if occupied < stateCountHistogram.count { stateCountHistogram[occupied] += 1 }
        for i in 0..<n { dispersionSum[i] += state.dispersions[i]; baselineSum[i] += state.baselines[i] }
        recordLatents(state)
    }

    private func trajectories(_ state: BiClusteringState) -> [[Double]] {
        let b = latentDimension + 1, d = state.clusterCount * b
        return (0..<state.clusterCount).map { j in
            var rows = [Double](repeating: 0, count: b * bins)
            for t in 0..<bins { for u in 0..<b { rows[u * bins + t] = state.latents[t * d + j * b + u] } }
            return rows
        }
    }

    private mutating func recordLatents(_ state: BiClusteringState) {
        let current = trajectories(state)
        let b = latentDimension + 1, size = b * bins
        if referenceTrajectories.isEmpty {
            referenceLabels = state.labels
            referenceTrajectories = current
            latentSum = current
            latentSumSquares = current.map { $0.map { $0 * $0 } }
            latentCounts = [Int](repeating: 1, count: current.count)
            return
        }
        // Match current clusters to reference clusters by member overlap.
        let k = current.count, kr = referenceTrajectories.count
        var overlap = Matrix<Double>(rows: k, columns: kr)
        for i in 0..<neurons { overlap[state.labels[i], referenceLabels[i]] += 1 }
        guard let assignment = try? LinearAssignment(cost: overlap, maximize: true) else { return }
        for (row, column) in zip(assignment.rows, assignment.columns) where overlap[row, column] > 0 {
            let aligned = alignRows(current[row], to: referenceTrajectories[column])
            for u in 0..<size {
                latentSum[column][u] += aligned[u]
                latentSumSquares[column][u] += aligned[u] * aligned[u]
            }
            latentCounts[column] += 1
        }
    }

    /// Permutes and flips the factor rows (rows 1…p) to best match the reference in squared error.
    private func alignRows(_ x: [Double], to reference: [Double]) -> [Double] {
        let p = latentDimension
        let perms = p <= 4 ? permutations(Array(0..<p)) : [Array(0..<p)]
        var best = x, bestError = Double.infinity
        for perm in perms {
            var candidate = x
            var error = 0.0
            for (target, source) in perm.enumerated() {
                var plus = 0.0, minus = 0.0
                for t in 0..<bins {
                    let v = x[(1 + source) * bins + t], r = reference[(1 + target) * bins + t]
                    plus += (v - r) * (v - r)
                    minus += (v + r) * (v + r)
                }
                let sign = plus <= minus ? 1.0 : -1.0
                error += Swift.min(plus, minus)
                for t in 0..<bins { candidate[(1 + target) * bins + t] = sign * x[(1 + source) * bins + t] }
            }
            if error < bestError { bestError = error; best = candidate }
        }
        return best
    }

    private func permutations(_ a: [Int]) -> [[Int]] {
        if a.count <= 1 { return [a] }
        var out = [[Int]]()
        for (i, v) in a.enumerated() {
            var rest = a
            rest.remove(at: i)
            for p in permutations(rest) { out.append([v] + p) }
        }
        return out
    }

    // MARK: Read-out

    /// Neuron posterior similarity matrix (N × N, row-major).
    public var neuronSimilarity: [Double] { neuronCoclustering.map { $0 / Double(Swift.max(recorded, 1)) } }
    /// Bin posterior similarity matrix (T × T).
    public var binSimilarity: [Double] { binCoclustering.map { $0 / Double(Swift.max(recorded, 1)) } }
    public var meanDispersions: [Double] { dispersionSum.map { $0 / Double(Swift.max(recorded, 1)) } }
    public var meanBaselines: [Double] { baselineSum.map { $0 / Double(Swift.max(recorded, 1)) } }

    /// Running mean and a ±1.96·sd band (Gaussian approximation) of each reference cluster's
    /// trajectory, each (p + 1) × T.
    public var latentMeans: [[Double]] {
        zip(latentSum, latentCounts).map { sum, n in sum.map { $0 / Double(n) } }
    }
    public var latentBands: [(lower: [Double], upper: [Double])] {
        (0..<latentSum.count).map { j in
            let n = Double(latentCounts[j])
            var lower = latentSum[j], upper = latentSum[j]
            for u in lower.indices {
                let mean = latentSum[j][u] / n
                let variance = Swift.max(latentSumSquares[j][u] / n - mean * mean, 0)
                let half = 1.96 * variance.squareRoot()
                lower[u] = mean - half
                upper[u] = mean + half
            }
            return (lower, upper)
        }
    }
}
