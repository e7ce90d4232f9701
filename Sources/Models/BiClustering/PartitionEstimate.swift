import Foundation

/// Point estimates of a partition from a posterior similarity matrix (PSM), π_ij = P(i ~ j | data).
public enum PartitionEstimate {
    /// Posterior expected adjusted Rand index of `labels` (Fritsch & Ickstadt 2009):
    ///
    ///     PEAR = (Σ_{i<j} I_ij π_ij − ΣI·Σπ/C) / (½(ΣI + Σπ) − ΣI·Σπ/C),  C = n(n − 1)/2.
    public static func pear(labels: [Int], similarity psm: [Double]) -> Double {
        let n = labels.count
        precondition(psm.count == n * n)
        guard n > 1 else { return 1 }
        var sumIP = 0.0, sumI = 0.0, sumP = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let pij = psm[i * n + j]
                sumP += pij
                if labels[i] == labels[j] { sumI += 1; sumIP += pij }
            }
        }
        let c = Double(n * (n - 1) / 2)
        let expected = sumI * sumP / c
        let denominator = 0.5 * (sumI + sumP) - expected
        return denominator == 0 ? (sumIP == expected ? 1 : 0) : (sumIP - expected) / denominator
    }

    /// maxPEAR as in `mcclust::maxpear` (method "avg"): average-linkage hierarchical clustering of
    /// 1 − PSM, cut at 1…`maxGroups` groups, keeping the cut with the largest PEAR. Labels are
    /// numbered by first appearance. O(n³) time, O(n²) memory.
    public static func maxPEAR(similarity psm: [Double], count n: Int, maxGroups: Int) -> (labels: [Int], pear: Double) {
        precondition(psm.count == n * n && n >= 1)
        if n == 1 { return ([0], 1) }
        let merges = averageLinkage(distance: psm.map { 1 - $0 }, count: n)
        var best: [Int] = [Int](repeating: 0, count: n), bestValue = -Double.infinity
        let upper = Swift.min(Swift.max(maxGroups, 1), n)
        for groups in 1...upper {
            let labels = cut(merges: merges, count: n, groups: groups)
            let value = pear(labels: labels, similarity: psm)
            if value > bestValue + 1e-12 { bestValue = value; best = labels }
        }
        return (best, bestValue)
    }

    /// The default cap of mcclust: ⌈n/8⌉ groups (at least 2 when n ≥ 2).
    public static func defaultMaxGroups(_ n: Int) -> Int { Swift.max(Swift.min(2, n), (n + 7) / 8) }

    /// Average-linkage merges (a, b) in order, by the Lance–Williams update on a dense distance matrix.
    static func averageLinkage(distance: [Double], count n: Int) -> [(Int, Int)] {
        var dist = distance
        var size = [Int](repeating: 1, count: n)
        var active = [Bool](repeating: true, count: n)
        var merges = [(Int, Int)]()
        merges.reserveCapacity(n - 1)
        // Nearest active neighbour of each cluster, to keep each merge O(n) on average.
        var nearest = [Int](repeating: -1, count: n)
        var nearestDist = [Double](repeating: .infinity, count: n)
        func refresh(_ a: Int) {
            nearest[a] = -1; nearestDist[a] = .infinity
            for b in 0..<n where b != a && active[b] {
                let v = dist[a * n + b]
                if v < nearestDist[a] { nearestDist[a] = v; nearest[a] = b }
            }
        }
        for a in 0..<n { refresh(a) }
        for _ in 0..<(n - 1) {
            var a = -1, best = Double.infinity
            for i in 0..<n where active[i] && nearestDist[i] < best { best = nearestDist[i]; a = i }
            if a < 0 { break }
            let b = nearest[a]
            let (keep, drop) = a < b ? (a, b) : (b, a)
            merges.append((keep, drop))
            let na = Double(size[keep]), nb = Double(size[drop])
            for k in 0..<n where active[k] && k != keep && k != drop {
                let v = (na * dist[keep * n + k] + nb * dist[drop * n + k]) / (na + nb)
                dist[keep * n + k] = v
                dist[k * n + keep] = v
            }
            size[keep] += size[drop]
            active[drop] = false
            for k in 0..<n where active[k] {
                if k == keep || nearest[k] == keep || nearest[k] == drop { refresh(k) }
                else if dist[k * n + keep] < nearestDist[k] { nearestDist[k] = dist[k * n + keep]; nearest[k] = keep }
            }
        }
        return merges
    }

    static func cut(merges: [(Int, Int)], count n: Int, groups: Int) -> [Int] {
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        for (a, b) in merges.prefix(Swift.max(0, n - groups)) { parent[find(b)] = find(a) }
        var map = [Int: Int]()
        return (0..<n).map { i in
            let root = find(i)
            if let l = map[root] { return l }
            map[root] = map.count
            return map.count - 1
        }
    }

    /// Split-R̂ (Gelman et al., BDA3 §11.4) of several equally long traces: each is split in halves.
    /// Returns nil when there are fewer than 4 draws per chain.
    public static func splitRHat(_ traces: [[Double]]) -> Double? {
        let n = traces.map(\.count).min() ?? 0
        guard n >= 4, !traces.isEmpty else { return nil }
        let half = n / 2
        var pieces = [[Double]]()
        for trace in traces {
            let t = Array(trace.suffix(2 * half))
            pieces.append(Array(t[0..<half]))
            pieces.append(Array(t[half..<(2 * half)]))
        }
        let m = Double(pieces.count), len = Double(half)
        let means = pieces.map { $0.reduce(0, +) / len }
        let grand = means.reduce(0, +) / m
        let b = len / (m - 1) * means.reduce(0) { $0 + ($1 - grand) * ($1 - grand) }
        let w = zip(pieces, means).map { piece, mean in piece.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (len - 1) }
            .reduce(0, +) / m
        if w == 0 { return b == 0 ? 1 : .infinity }
        let varPlus = (len - 1) / len * w + b / len
        return (varPlus / w).squareRoot()
    }
}
