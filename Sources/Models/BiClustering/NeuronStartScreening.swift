import Foundation
import NeuroCore
import RealModule

/// The automatic neuron start (`initialClusters = 0`), chosen by a held-out score.
///
/// Why: no label move repairs the number of clusters of a bad start at T = 500 (docs/bicluster.md), and
/// the correlation eigengap picked 1, 2 or 4 groups on half of the paper-recipe simulations. Scoring
/// each neuron under a trajectory built from the *other* members of its group penalises a merged group
/// (its pooled trajectory predicts no member well) and a split one (a small group's trajectory is noisy)
/// without a tuning constant. The marginal is the label step's Laplace approximation, with the baseline
/// row as one more regressor (`buildTrajectory`).
struct NeuronStartScreening {
    let counts: [Double]
    let neurons: Int
    let bins: Int
    let p: Int
    let poisson: Bool
    /// Shared r of the score (a moment estimate; the chain samples its own).
    let dispersion: Double
    let priorVariance: Double
    let gamma: Double
    let mfm: MFMCoefficients
    /// Per neuron: log smoothed rates, centred in time, and the smoothed counts.
    private let logRate: [Double]
    private let pooledRate: [Double]
    /// Inner products of the centred log rates (N × N), from which any group's leave-one-out Gram matrix follows.
    private let inner: [Double]
    private let meanCount: [Double]
    private var laplace: LaplaceMarginal
    private var rows: [Double]
    private var offset: [Double]

    init(counts: [Double], neurons: Int, bins: Int, config: BiClusteringConfiguration, maxGroups: Int) {
        self.counts = counts
        self.neurons = neurons
        self.bins = bins
        p = config.latentDimension
        poisson = config.likelihood == .poisson
        gamma = config.mfmGamma
        let rowNorm = config.factorScale.rowNorm(bins: bins)
        priorVariance = config.loadingPriorVariance * rowNorm * rowNorm
        mfm = MFMCoefficients(n: neurons, maxBlocks: maxGroups + 1, gamma: config.mfmGamma, geometric: config.clusterCountGeometric)
        (logRate, pooledRate) = BiClusteringChain.smoothedRates(counts: counts, neurons: neurons, bins: bins)
        var inner = [Double](repeating: 0, count: neurons * neurons)
        for i in 0..<neurons { for j in 0...i {
            var s = 0.0
            for t in 0..<bins { s += logRate[i &* bins &+ t] * logRate[j &* bins &+ t] }
            inner[i * neurons + j] = s; inner[j * neurons + i] = s
        } }
        self.inner = inner
        meanCount = (0..<neurons).map { i in
            var s = 0.0, n = 0.0
            for t in 0..<bins where !counts[i * bins + t].isNaN { s += counts[i * bins + t]; n += 1 }
            return s / Swift.max(n, 1)
        }
        dispersion = poisson ? config.poissonProxyDispersion : Self.momentDispersion(counts: counts, neurons: neurons, bins: bins)
        laplace = LaplaceMarginal(p: p + 1, length: bins)
        rows = [Double](repeating: 0, count: (p + 1) * bins)
        offset = [Double](repeating: 0, count: bins)
    }

    /// One r for all neurons from Var(y) = λ + λ²/r, λ_t the mean of the neighbouring ±2 bins without
    /// bin t itself (so y_t's own noise is not in its rate), clamped to [0.5, 100]. The rate's variation
    /// inside the window biases it low, which only flattens the score.
    static func momentDispersion(counts: [Double], neurons: Int, bins: Int) -> Double {
        var rateSquares = 0.0, excess = 0.0
        for i in 0..<neurons { for t in 0..<bins {
            let y = counts[i * bins + t]
            if y.isNaN { continue }
            var s = 0.0, m = 0.0
            for u in Swift.max(0, t - 2)...Swift.min(bins - 1, t + 2) where u != t && !counts[i * bins + u].isNaN {
                s += counts[i * bins + u]; m += 1
            }
            guard m > 0 else { continue }
            // E(y − λ̂)² = (1 + 1/m)·Var(y) for a mean λ̂ of m independent neighbours.
            let rate = s / m
            rateSquares += rate * rate
            excess += (y - rate) * (y - rate) * m / (m + 1) - rate
        } }
        guard excess > 0 else { return 100 }
        return Swift.min(100, Swift.max(0.5, rateSquares / excess))
    }

    /// The chosen start: the best-scoring of the spectral partitions for k = 1…`maxGroups` and their
    /// `refine`d versions, then, while the score improves, the best merge of two groups (refined) and,
    /// up to `polishLimit` neurons, single-neuron moves (`polish`).
    mutating func bestPartition(maxGroups: Int, generator: inout SeededGenerator) -> [Int] {
        var best = [Int](repeating: 0, count: neurons)
        var bestScore = score(best)
        func consider(_ labels: [Int], _ value: Double) { if value > bestScore { bestScore = value; best = labels } }
        for k in stride(from: 2, through: Swift.min(maxGroups, neurons), by: 1) {
            let labels = BiClusteringChain.spectralLabels(counts: counts, neurons: neurons, bins: bins, clusters: k, generator: &generator)
            consider(labels, score(labels))
            let refined = refine(labels)
            consider(refined, score(refined))
        }
        var improved = true
        while improved {
            improved = false
            var members = Self.groups(of: best)
            guard members.count > 1 else { break }
            // A merge changes one group's share and the prior's log V_N(t) term.
            let shares = members.map { groupScore($0) }
            var pair = (0, 0), pairGain = -Double.infinity
            for a in members.indices { for b in (a + 1)..<members.count {
                let gain = groupScore(members[a] + members[b]) - shares[a] - shares[b]
                if gain > pairGain { pairGain = gain; pair = (a, b) }
            } }
            members[pair.0] += members[pair.1]
            members.remove(at: pair.1)
            var merged = Self.labels(of: members, neurons: neurons)
            let refined = refine(merged)
            var mergedScore = score(merged)
            let refinedScore = score(refined)
            if refinedScore > mergedScore { merged = refined; mergedScore = refinedScore }
            if mergedScore > bestScore { best = merged; bestScore = mergedScore; improved = true }
            if neurons <= Self.polishLimit {
                let polished = polish(best)
                let value = score(polished)
                if value > bestScore + 1e-9 { best = polished; bestScore = value; improved = true }
            }
        }
        return best
    }

    /// Largest number of neurons for which `bestPartition` runs `polish` (O(N²) marginals a pass).
    static let polishLimit = 64

    static func groups(of labels: [Int]) -> [[Int]] {
        var members = [[Int]](repeating: [], count: (labels.max() ?? -1) + 1)
        for (i, l) in labels.enumerated() { members[l].append(i) }
        return members.filter { !$0.isEmpty }
    }

    static func labels(of groups: [[Int]], neurons: Int) -> [Int] {
        var labels = [Int](repeating: 0, count: neurons)
        for (g, members) in groups.enumerated() { for i in members { labels[i] = g } }
        return labels
    }

    /// Σ_i log m(y_i | trajectory of i's group without i) + the MFM log prior of the partition,
    /// log V_N(t) + Σ_c log Γ(n_c + γ)/Γ(γ).
    mutating func score(_ labels: [Int]) -> Double {
        let members = Self.groups(of: labels)
        var total = mfm.log(blocks: members.count)
        for g in members { total += groupScore(g) }
        return total
    }

    /// Σ_{i ∈ group} log m(y_i | the group without i) + log Γ(n + γ)/Γ(γ): a group's share of `score`.
    mutating func groupScore(_ group: [Int]) -> Double {
        var total = Double.logGamma(Double(group.count) + gamma) - Double.logGamma(gamma)
        for i in group {
            buildTrajectory(of: group, excluding: i)
            total += marginal(i)
        }
        return total
    }

    /// Moves each neuron to the group whose trajectory without it predicts it best, weighted as in the
    /// label step (log(n_c + γ) + log m), until no neuron moves (at most 3 passes); empty groups vanish.
    /// Other groups' trajectories do not depend on the neuron and are built once per change.
    mutating func refine(_ start: [Int]) -> [Int] {
        var labels = start
        var members = Self.groups(of: labels)
        guard members.count > 1 else { return labels }
        labels = Self.labels(of: members, neurons: neurons)
        var cached = [[Double]?](repeating: nil, count: members.count)
        for _ in 0..<3 {
            var moved = false
            for i in 0..<neurons {
                var bestGroup = labels[i], bestValue = -Double.infinity
                for g in members.indices {
                    let size = members[g].count - (g == labels[i] ? 1 : 0)
                    guard size > 0 else { continue }
                    if g == labels[i] {
                        buildTrajectory(of: members[g], excluding: i)
                    } else if let rows = cached[g] {
                        self.rows = rows
                    } else {
                        buildTrajectory(of: members[g], excluding: nil)
                        cached[g] = rows
                    }
                    let value = Double.log(Double(size) + gamma) + marginal(i)
                    if value > bestValue { bestValue = value; bestGroup = g }
                }
                if bestGroup != labels[i] {
                    members[labels[i]].removeAll { $0 == i }
                    members[bestGroup].append(i)
                    cached[labels[i]] = nil
                    cached[bestGroup] = nil
                    labels[i] = bestGroup
                    moved = true
                }
            }
            if !moved { break }
        }
        return Self.labels(of: Self.groups(of: labels), neurons: neurons)
    }

    /// Single-neuron moves that raise `score` (only the two groups involved are re-scored), until none
    /// does (at most 3 passes); groups may empty.
    mutating func polish(_ start: [Int]) -> [Int] {
        var members = Self.groups(of: start)
        guard members.count > 1 else { return start }
        var labels = Self.labels(of: members, neurons: neurons)
        var shares = members.map { groupScore($0) }
        for _ in 0..<3 {
            var moved = false
            for i in 0..<neurons {
                let from = labels[i]
                let occupied = members.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) }
                let remaining = members[from].filter { $0 != i }
                let fromShare = remaining.isEmpty ? 0 : groupScore(remaining)
                let prior = remaining.isEmpty ? mfm.log(blocks: occupied - 1) - mfm.log(blocks: occupied) : 0
                var bestTarget = -1, bestGain = 1e-9, bestShare = 0.0
                for to in members.indices where to != from && !members[to].isEmpty {
                    let toShare = groupScore(members[to] + [i])
                    let gain = fromShare + toShare - shares[from] - shares[to] + prior
                    if gain > bestGain { bestGain = gain; bestTarget = to; bestShare = toShare }
                }
                guard bestTarget >= 0 else { continue }
                members[from] = remaining
                members[bestTarget].append(i)
                shares[from] = fromShare
                shares[bestTarget] = bestShare
                labels[i] = bestTarget
                moved = true
            }
            if !moved { break }
        }
        return Self.labels(of: Self.groups(of: labels), neurons: neurons)
    }

    /// `rows` ← the trajectory of `members` without `excluded`: the baseline row from their pooled
    /// smoothed counts, centred and scaled to unit norm (it enters as one more regressor with its own
    /// coefficient: a row pooled from a few members is noisy, and a fixed coefficient 1 would pass all of
    /// its noise on), then their leading principal components (zero rows when there are too few members).
    mutating func buildTrajectory(of members: [Int], excluding excluded: Int?) {
        let others = members.filter { $0 != excluded }
        let bins = self.bins
        for k in rows.indices { rows[k] = 0 }
        guard !others.isEmpty else { return }
        var mean = 0.0
        for t in 0..<bins {
            var s = 0.0
            for j in others { s += pooledRate[j &* bins &+ t] }
            rows[t] = Double.log(s + 0.5)
            mean += rows[t]
        }
        mean /= Double(bins)
        var norm = 0.0
        for t in 0..<bins { rows[t] -= mean; norm += rows[t] * rows[t] }
        let scale = norm > 1e-24 ? 1 / norm.squareRoot() : 0
        for t in 0..<bins { rows[t] *= scale }
        principalComponents(of: others)
    }

    /// Laplace log marginal of neuron i's counts under `rows` (all p + 1 coefficients integrated out,
    /// offset log of its mean count).
    mutating func marginal(_ i: Int) -> Double {
        let bins = self.bins
        let baseline = Double.log(meanCount[i] + 0.1)
        for t in 0..<bins { offset[t] = baseline }
        return counts.withUnsafeBufferPointer { yb in
            offset.withUnsafeBufferPointer { ob in
                rows.withUnsafeBufferPointer { rb in
                    laplace.logMarginal(
                        y: yb.baseAddress! + i * bins, offset: ob.baseAddress!, rows: rb.baseAddress!, stride: bins,
                        dispersion: dispersion, poisson: poisson, priorVariance: priorVariance)
                }
            }
        }
    }

    /// Unit-norm factor rows 1…p of `rows`: the leading principal components in time of the group's
    /// residuals from its mean log rate, from the n × n Gram matrix built out of `inner`.
    private mutating func principalComponents(of group: [Int]) {
        let n = group.count
        guard n > 1 else { return }
        let nn = Double(n)
        // ⟨L_a − m, L_c − m⟩ = S_ac − (Σ_l S_al + Σ_l S_cl)/n + Σ_{l,l'} S_ll'/n², m the members' mean.
        var rowSums = [Double](repeating: 0, count: n)
        for a in 0..<n { for c in 0..<n { rowSums[a] += inner[group[a] * neurons + group[c]] } }
        let total = rowSums.reduce(0, +)
        var gram = Matrix<Double>(rows: n, columns: n)
        for a in 0..<n { for c in 0...a {
            let v = inner[group[a] * neurons + group[c]] - (rowSums[a] + rowSums[c]) / nn + total / (nn * nn)
            gram[a, c] = v; gram[c, a] = v
        } }
        guard let eig = try? SymmetricEigen(gram) else { return }
        var meanRow = [Double](repeating: 0, count: bins)
        for j in group { for t in 0..<bins { meanRow[t] += logRate[j * bins + t] / nn } }
        for q in 0..<Swift.min(p, n - 1) {
            let column = n - 1 - q
            guard eig.values[column] > 1e-9 else { break }
            let row = (1 + q) * bins
            for a in 0..<n {
                let v = eig.vectors[a, column], source = group[a] * bins
                for t in 0..<bins { rows[row &+ t] += v * (logRate[source &+ t] - meanRow[t]) }
            }
            var norm = 0.0
            for t in 0..<bins { norm += rows[row &+ t] * rows[row &+ t] }
            let scale = norm > 1e-24 ? 1 / norm.squareRoot() : 0
            for t in 0..<bins { rows[row &+ t] *= scale }
        }
    }
}
