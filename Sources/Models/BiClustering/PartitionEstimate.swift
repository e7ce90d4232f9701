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
    /// numbered by first appearance. O(n²) memory; the linkage is O(n²) per merge at worst.
    ///
    /// The PEAR of every cut comes from one pass along the merges: merging groups A and B adds |A||B|
    /// co-clustered pairs and Σ_{i∈A, j∈B} π_ij to the two sums PEAR needs, so all cuts together cost
    /// O(n²) instead of O(n²) each.
    public static func maxPEAR(similarity psm: [Double], count n: Int, maxGroups: Int) -> (labels: [Int], pear: Double) {
        precondition(psm.count == n * n && n >= 1)
        if n == 1 { return ([0], 1) }
        let merges = averageLinkage(distance: psm.map { 1 - $0 }, count: n)
        let upper = Swift.min(Swift.max(maxGroups, 1), n)
        var sumP = 0.0
        for i in 0..<n { for j in (i + 1)..<n { sumP += psm[i * n + j] } }
        let pairs = Double(n * (n - 1) / 2)
        func value(_ sumI: Double, _ sumIP: Double) -> Double {
            let expected = sumI * sumP / pairs
            let denominator = 0.5 * (sumI + sumP) - expected
            return denominator == 0 ? (sumIP == expected ? 1 : 0) : (sumIP - expected) / denominator
        }
        // values[g] = PEAR of the cut with g groups, g = n − (merges applied).
        var values = [Double](repeating: -.infinity, count: n + 1)
        var next = [Int](repeating: -1, count: n)     // members as linked lists headed by the kept index
        var tail = Array(0..<n)
        var size = [Int](repeating: 1, count: n)
        var sumI = 0.0, sumIP = 0.0
        values[n] = value(0, 0)
        psm.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            for (m, (a, b)) in merges.enumerated() {
                var cross = 0.0
                var i = a
                while i >= 0 {
                    var j = b
                    let row = p + i &* n
                    while j >= 0 { cross += row[j]; j = next[j] }
                    i = next[i]
                }
                sumI += Double(size[a] &* size[b])
                sumIP += cross
                size[a] &+= size[b]
                next[tail[a]] = b
                tail[a] = tail[b]
                values[n - m - 1] = value(sumI, sumIP)
            }
        }
        var bestGroups = 1, bestValue = -Double.infinity
        for groups in 1...upper where values[groups] > bestValue + 1e-12 { bestValue = values[groups]; bestGroups = groups }
        return (cut(merges: merges, count: n, groups: bestGroups), bestValue)
    }

    /// The default cap of mcclust: ⌈n/8⌉ groups (at least 2 when n ≥ 2).
    public static func defaultMaxGroups(_ n: Int) -> Int { Swift.max(Swift.min(2, n), (n + 7) / 8) }

    /// Average-linkage merges (a, b) in order, by the Lance–Williams update on a dense distance matrix.
    /// Each cluster is held by its smallest index; a merge keeps a and retires b.
    static func averageLinkage(distance: [Double], count n: Int) -> [(Int, Int)] {
        var dist = distance
        var size = [Double](repeating: 1, count: n)
        var active = [Bool](repeating: true, count: n)
        var merges = [(Int, Int)]()
        merges.reserveCapacity(n - 1)
        // Nearest active neighbour of each cluster, to keep each merge O(n) on average.
        var nearest = [Int](repeating: -1, count: n)
        var nearestDist = [Double](repeating: .infinity, count: n)
        dist.withUnsafeMutableBufferPointer { db in
            active.withUnsafeMutableBufferPointer { ab in
                nearest.withUnsafeMutableBufferPointer { nb in
                    nearestDist.withUnsafeMutableBufferPointer { ndb in
                        size.withUnsafeMutableBufferPointer { sb in
            let dist = db.baseAddress!, active = ab.baseAddress!, nearest = nb.baseAddress!
            let nearestDist = ndb.baseAddress!, size = sb.baseAddress!
            func refresh(_ a: Int) {
                var best = -1, bestDist = Double.infinity
                let row = dist + a &* n
                for b in 0..<n where b != a && active[b] {
                    let v = row[b]
                    if v < bestDist { bestDist = v; best = b }
                }
                nearest[a] = best; nearestDist[a] = bestDist
            }
            for a in 0..<n { refresh(a) }
            for _ in 0..<(n - 1) {
                var a = -1, best = Double.infinity
                for i in 0..<n where active[i] && nearestDist[i] < best { best = nearestDist[i]; a = i }
                if a < 0 { break }
                let b = nearest[a]
                let (keep, drop) = a < b ? (a, b) : (b, a)
                merges.append((keep, drop))
                let na = size[keep], nb = size[drop], total = na + nb
                let keepRow = dist + keep &* n, dropRow = dist + drop &* n
                for k in 0..<n where active[k] && k != keep && k != drop {
                    let v = (na * keepRow[k] + nb * dropRow[k]) / total
                    keepRow[k] = v
                    dist[k &* n &+ keep] = v
                }
                size[keep] = total
                active[drop] = false
                for k in 0..<n where active[k] {
                    if k == keep || nearest[k] == keep || nearest[k] == drop { refresh(k) }
                    else if keepRow[k] < nearestDist[k] { nearestDist[k] = keepRow[k]; nearest[k] = keep }
                }
            }
                        }
                    }
                }
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
