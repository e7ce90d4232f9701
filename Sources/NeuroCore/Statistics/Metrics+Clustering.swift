import RealModule

// MARK: Contingency table

/// The non-zero cells of the contingency table of two labellings, with its margins.
///
/// Built by sorting the pair codes (r·|B| + c) rather than allocating a dense |A| × |B| table, so
/// that two labellings of a million samples into singletons cost O(n log n) time and O(n) memory.
struct Contingency {
    var n: Int
    var rowSums: [Int]
    var columnSums: [Int]
    /// (row, column, count) for every non-zero cell.
    var cells: [(row: Int, column: Int, count: Int)]

    init<A: Hashable, B: Hashable>(_ a: [A], _ b: [B]) {
        let ea = EncodedLabels(a), eb = EncodedLabels(b)
        let width = eb.classes.count
        var pairs = zip(ea.codes, eb.codes).map { $0 &* width &+ $1 }
        pairs.sort()
        n = a.count
        rowSums = [Int](repeating: 0, count: ea.classes.count)
        columnSums = [Int](repeating: 0, count: width)
        cells = []
        var start = 0
        while start < pairs.count {
            var end = start &+ 1
            while end < pairs.count && pairs[end] == pairs[start] { end &+= 1 }
            let (row, column) = pairs[start].quotientAndRemainder(dividingBy: width)
            let count = end &- start
            cells.append((row, column, count))
            rowSums[row] &+= count
            columnSums[column] &+= count
            start = end
        }
    }
}

// MARK: Adjusted Rand index

extension Metrics {
    /// The adjusted Rand index (Hubert & Arabie 1985) of two clusterings: the Rand index corrected for
    /// chance, 1 for identical partitions (up to renaming), ≈ 0 for independent ones, negative for
    /// worse than chance. Symmetric, and invariant to renaming the labels of either argument.
    ///
    /// Computed like scikit-learn's `adjusted_rand_score` from the pair confusion matrix
    /// (tn, fp, fn, tp counts of ordered sample pairs):
    /// ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)), with the products in
    /// 128-bit integers so that the result is exact up to the final division for any n. As in
    /// scikit-learn, ARI = 1 when fn = fp = 0 (e.g. both labellings one cluster, or both all singletons).
    /// - Throws: `StatisticsError` when the lengths differ or the labellings are empty.
    public static func adjustedRandIndex<A: Hashable, B: Hashable>(_ truth: [A], _ predicted: [B]) throws -> Double {
        try checkPaired("adjustedRandIndex", truth.count, predicted.count)
        let table = Contingency(truth, predicted)
        let n = Int128(table.n)
        let sumSquares = table.cells.reduce(Int128(0)) { $0 + Int128($1.count) * Int128($1.count) }
        let rowSquares = table.rowSums.reduce(Int128(0)) { $0 + Int128($1) * Int128($1) }
        let columnSquares = table.columnSums.reduce(Int128(0)) { $0 + Int128($1) * Int128($1) }
        // Ordered pairs (i ≠ j): together in both, only in the truth, only in the prediction, in neither.
        let tp = sumSquares - n
        let fp = columnSquares - sumSquares
        let fn = rowSquares - sumSquares
        let tn = n * n - fp - fn - sumSquares
        if fn == 0 && fp == 0 { return 1 }
        let numerator = 2 * (tp * tn - fn * fp)
        let denominator = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
        return Double(numerator) / Double(denominator)
    }
}

// MARK: Mutual information

extension Metrics {
    /// The mutual information (in nats) between two labellings, scikit-learn's `mutual_info_score`:
    /// Σᵢⱼ (nᵢⱼ/N) log(N nᵢⱼ / (aᵢ bⱼ)) over the non-zero cells of the contingency table, with
    /// scikit-learn's clean-up of terms below machine epsilon and clipping at 0. Zero when either
    /// labelling has a single cluster.
    public static func mutualInformation<A: Hashable, B: Hashable>(_ truth: [A], _ predicted: [B]) throws -> Double {
        try checkPaired("mutualInformation", truth.count, predicted.count)
        return mutualInformation(Contingency(truth, predicted))
    }

    /// The normalised mutual information with the arithmetic mean of the entropies,
    /// NMI = MI / ((H(truth) + H(predicted))/2) — scikit-learn's `normalized_mutual_info_score`
    /// with its default `average_method="arithmetic"`. In [0, 1], symmetric, invariant to renaming.
    ///
    /// Special cases as in scikit-learn: both labellings a single cluster → 1 (nothing to split, a
    /// perfect match); otherwise MI = 0 → 0 (including one labelling being a single cluster).
    /// - Throws: `StatisticsError` when the lengths differ or the labellings are empty.
    public static func normalizedMutualInformation<A: Hashable, B: Hashable>(
        _ truth: [A], _ predicted: [B]
    ) throws -> Double {
        try checkPaired("normalizedMutualInformation", truth.count, predicted.count)
        let table = Contingency(truth, predicted)
        if table.rowSums.count == 1 && table.columnSums.count == 1 { return 1 }
        let mi = mutualInformation(table)
        if mi == 0 { return 0 }
        let normalizer = (entropy(table.rowSums, total: table.n) + entropy(table.columnSums, total: table.n)) / 2
        return mi / normalizer
    }

    static func mutualInformation(_ table: Contingency) -> Double {
        if table.rowSums.count == 1 || table.columnSums.count == 1 { return 0 }
        let total = Double(table.n)
        let logTotal = Double.log(total)
        var mi = 0.0
        for cell in table.cells {
            let count = Double(cell.count)
            let p = count / total
            // aᵢbⱼ as an integer product (exact in Int for N < 3·10⁹) before the log, as scikit-learn does.
            let outer = Double(table.rowSums[cell.row] &* table.columnSums[cell.column])
            let term = p * (Double.log(count) - logTotal) + p * (-Double.log(outer) + logTotal + logTotal)
            if abs(term) >= Double.ulpOfOne { mi += term }
        }
        return max(0, mi)
    }

    /// H = −Σ (aᵢ/N)(log aᵢ − log N) in nats; 0 for a single cluster.
    static func entropy(_ counts: [Int], total: Int) -> Double {
        if counts.count <= 1 { return 0 }
        let logTotal = Double.log(Double(total))
        var h = 0.0
        for c in counts where c > 0 {
            let value = Double(c)
            h -= (value / Double(total)) * (Double.log(value) - logTotal)
        }
        return h
    }
}
