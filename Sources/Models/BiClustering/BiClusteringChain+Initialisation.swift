import Foundation
import NeuroCore
import RealModule

extension BiClusteringChain {
    /// Per neuron: the counts smoothed over ±2 bins (`pooled`) and log(smoothed + 0.5) centred in time.
    static func smoothedRates(counts: [Double], neurons: Int, bins: Int) -> (logRate: [Double], pooled: [Double]) {
        let half = 2
        var logRate = [Double](repeating: 0, count: neurons * bins)
        var pooledRate = [Double](repeating: 0, count: neurons * bins)
        for i in 0..<neurons {
            var observedMean = 0.0, n = 0.0
            for t in 0..<bins where !counts[i * bins + t].isNaN { observedMean += counts[i * bins + t]; n += 1 }
            observedMean /= Swift.max(n, 1)
            for t in 0..<bins {
                var s = 0.0, m = 0.0
                for u in Swift.max(0, t - half)...Swift.min(bins - 1, t + half) where !counts[i * bins + u].isNaN { s += counts[i * bins + u]; m += 1 }
                pooledRate[i * bins + t] = m > 0 ? s / m : observedMean
                logRate[i * bins + t] = Double.log(pooledRate[i * bins + t] + 0.5)
            }
            let mean = (0..<bins).reduce(0.0) { $0 + logRate[i * bins + $1] } / Double(bins)
            for t in 0..<bins { logRate[i * bins + t] -= mean }
        }
        return (logRate, pooledRate)
    }

    /// The symmetric normalised Laplacian of the neurons' positive correlations of log smoothed rates
    /// (spectral clustering's graph), eigen-decomposed; nil when a neuron has no positive correlation.
    static func correlationLaplacian(counts: [Double], neurons: Int, bins: Int) -> SymmetricEigen<Double>? {
        let (logRate, _) = smoothedRates(counts: counts, neurons: neurons, bins: bins)
        var norms = [Double](repeating: 0, count: neurons)
        for i in 0..<neurons { norms[i] = (0..<bins).reduce(0.0) { $0 + logRate[i * bins + $1] * logRate[i * bins + $1] }.squareRoot() }
        var w = Matrix<Double>(rows: neurons, columns: neurons)
        for i in 0..<neurons { for j in 0..<i where norms[i] > 0 && norms[j] > 0 {
            var s = 0.0
            for t in 0..<bins { s += logRate[i * bins + t] * logRate[j * bins + t] }
            let c = Swift.max(0, s / (norms[i] * norms[j]))
            w[i, j] = c; w[j, i] = c
        } }
        var degree = [Double](repeating: 0, count: neurons)
        for i in 0..<neurons { for j in 0..<neurons { degree[i] += w[i, j] } }
        guard degree.allSatisfy({ $0 > 0 }) else { return nil }
        var laplacian = Matrix<Double>(rows: neurons, columns: neurons)
        for i in 0..<neurons { for j in 0..<neurons {
            laplacian[i, j] = (i == j ? 1 : 0) - w[i, j] / (degree[i] * degree[j]).squareRoot()
        } }
        return try? SymmetricEigen(laplacian)
    }

    /// k-means (k-means++ seeding, Lloyd iterations), best of `restarts` by within-group sum of squares,
    /// on n points of f features (row-major).
    static func kMeans(_ x: [Double], n: Int, f: Int, k: Int, restarts: Int, generator: inout SeededGenerator) -> [Int] {
        func distance(_ i: Int, _ c: [Double], _ j: Int) -> Double {
            var s = 0.0
            for t in 0..<f { let v = x[i * f + t] - c[j * f + t]; s += v * v }
            return s
        }
        var labels = [Int](repeating: 0, count: n)
        var bestCost = Double.infinity
        for _ in 0..<restarts {
            var centres = [Double](repeating: 0, count: k * f)
            let first = generator.uniformInt(below: n)
            for t in 0..<f { centres[t] = x[first * f + t] }
            for j in 1..<Swift.max(k, 1) {
                let d2 = (0..<n).map { i in (0..<j).map { distance(i, centres, $0) }.min()! }
                let total = d2.reduce(0, +)
                let pick = total > 0 ? generator.categorical(probabilities: d2.map { $0 / total }) : generator.uniformInt(below: n)
                for t in 0..<f { centres[j * f + t] = x[pick * f + t] }
            }
            var trial = [Int](repeating: 0, count: n)
            for _ in 0..<25 {
                for i in 0..<n { trial[i] = (0..<k).min { distance(i, centres, $0) < distance(i, centres, $1) }! }
                for j in 0..<k {
                    let members = (0..<n).filter { trial[$0] == j }
                    if members.isEmpty { continue }
                    for t in 0..<f { centres[j * f + t] = members.reduce(0.0) { $0 + x[$1 * f + t] } / Double(members.count) }
                }
            }
            let cost = (0..<n).reduce(0.0) { $0 + distance($1, centres, trial[$1]) }
            if cost < bestCost { bestCost = cost; labels = trial }
        }
        return labels
    }

    /// A data-driven start (a valid MCMC start like any other; the chain forgets it): k spectral groups
    /// of the neurons (`spectralLabels`) and their trajectories (`groupTrajectories`).
    static func dataDrivenStart(
        counts: [Double], neurons: Int, bins: Int, clusters k: Int, p: Int, config: BiClusteringConfiguration,
        generator: inout SeededGenerator
    ) -> (labels: [Int], latents: [Double]) {
        let labels = spectralLabels(counts: counts, neurons: neurons, bins: bins, clusters: k, generator: &generator)
        let latents = groupTrajectories(counts: counts, neurons: neurons, bins: bins, labels: labels, p: p, config: config, generator: &generator)
        return (labels, latents)
    }

    /// k groups of neurons, labelled 0..<groups in order of first appearance (a k-means group may be empty).
    /// Spectral clustering (Ng, Jordan & Weiss): k-means on the row-normalised leading k eigenvectors of
    /// the correlation graph's normalised Laplacian, which is far less sensitive to count noise than
    /// k-means on the T-dimensional rate traces; it falls back to the z-scored log smoothed rates when
    /// there is no graph.
    static func spectralLabels(counts: [Double], neurons: Int, bins: Int, clusters k: Int, generator: inout SeededGenerator) -> [Int] {
        guard k > 1 else { return [Int](repeating: 0, count: neurons) }
        var labels: [Int]
        if let eig = correlationLaplacian(counts: counts, neurons: neurons, bins: bins) {
            var embedding = [Double](repeating: 0, count: neurons * k)
            for i in 0..<neurons {
                var norm = 0.0
                for q in 0..<k { embedding[i * k + q] = eig.vectors[i, q]; norm += eig.vectors[i, q] * eig.vectors[i, q] }
                if norm > 0 { for q in 0..<k { embedding[i * k + q] /= norm.squareRoot() } }
            }
            labels = kMeans(embedding, n: neurons, f: k, k: k, restarts: 10, generator: &generator)
        } else {
            var z = smoothedRates(counts: counts, neurons: neurons, bins: bins).logRate
            for i in 0..<neurons {
                let sd = ((0..<bins).reduce(0.0) { $0 + z[i * bins + $1] * z[i * bins + $1] } / Double(bins)).squareRoot()
                if sd > 0 { for t in 0..<bins { z[i * bins + t] /= sd } }
            }
            labels = kMeans(z, n: neurons, f: bins, k: k, restarts: 10, generator: &generator)
        }
        var map = [Int: Int]()
        return labels.map { l in if let m = map[l] { return m }; map[l] = map.count; return map.count - 1 }
    }

    /// The stacked latents (natural scale, rows of norm √T) of the groups `labels` (0..<groups, all
    /// used): each group's baseline row μ^(j) is the log of its members' pooled smoothed counts, centred,
    /// and its factor rows are the leading principal components of the members' residuals (random AR(1)
    /// rows when a group is too small).
    static func groupTrajectories(
        counts: [Double], neurons: Int, bins: Int, labels: [Int], p: Int, config: BiClusteringConfiguration,
        generator: inout SeededGenerator
    ) -> [Double] {
        let (logRate, pooledRate) = smoothedRates(counts: counts, neurons: neurons, bins: bins)
        let groups = (labels.max() ?? -1) + 1, b = p + 1, d = groups * b
        var latents = [Double](repeating: 0, count: bins * d)
        var rows = [Double](repeating: 0, count: b * bins)
        var scales = [Double](repeating: 0, count: p)
        let rootT = config.factorScale.rowNorm(bins: bins)
        for j in 0..<groups {
            let members = (0..<neurons).filter { labels[$0] == j }
            autoregressiveTrajectory(into: &rows, scales: &scales, p: p, bins: bins, config: config, generator: &generator)
            var mu = [Double](repeating: 0, count: bins)
            for t in 0..<bins { mu[t] = members.reduce(0.0) { $0 + logRate[$1 * bins + t] } / Double(members.count) }
            // The baseline row from the members' pooled counts: the log of a sum of many counts is far
            // less compressed by the +0.5 than the mean of per-neuron logs (which stays the PCA centre).
            var pooledMean = 0.0
            for t in 0..<bins {
                var s = 0.0
                for i in members { s += pooledRate[i * bins + t] }
                rows[t] = Double.log(s + 0.5)
                pooledMean += rows[t]
            }
            pooledMean /= Double(bins)
            for t in 0..<bins { rows[t] -= pooledMean }
            if members.count > p {
                // Principal components in time of the residuals: eigenvectors of the members' Gram matrix.
                let n = members.count
                var gram = Matrix<Double>(rows: n, columns: n)
                for a in 0..<n { for c in 0...a {
                    var s = 0.0
                    for t in 0..<bins { s += (logRate[members[a] * bins + t] - mu[t]) * (logRate[members[c] * bins + t] - mu[t]) }
                    gram[a, c] = s; gram[c, a] = s
                } }
                if let eig = try? SymmetricEigen(gram) {
                    for q in 0..<p {
                        let col = n - 1 - q
                        var norm = 0.0
                        var pc = [Double](repeating: 0, count: bins)
                        for t in 0..<bins {
                            var s = 0.0
                            for a in 0..<n { s += eig.vectors[a, col] * (logRate[members[a] * bins + t] - mu[t]) }
                            pc[t] = s
                            norm += s * s
                        }
                        if norm > 1e-12 { for t in 0..<bins { rows[(1 + q) * bins + t] = pc[t] / norm.squareRoot() } }
                    }
                }
            }
            for t in 0..<bins {
                latents[t * d + j * b] = rows[t]
                for q in 0..<p { latents[t * d + j * b + 1 + q] = rows[(1 + q) * bins + t] * rootT }
            }
        }
        return latents
    }
}
