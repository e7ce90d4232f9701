extension Metrics {
    /// The area under the ROC curve of binary `scores` (higher = more positive), which equals the
    /// probability that a random positive outscores a random negative, ties counting one half.
    ///
    /// Computed as the Mann–Whitney U statistic with average ranks for tied scores:
    /// AUC = (2R₊ − P(P + 1)) / (2PN), where R₊ is the rank sum of the P positives among N negatives.
    /// The doubled rank sum is an exact integer (128-bit), so the only rounding is the final division;
    /// scikit-learn's trapezoidal `roc_auc_score` gives the same value up to its own rounding.
    /// Infinite scores rank like any other value.
    /// - Throws: `StatisticsError` for unequal or zero lengths, a NaN score, or when `isPositive`
    ///   holds only one class (the AUC is then undefined; scikit-learn raises too).
    public static func rocAUC(isPositive: [Bool], scores: [Double]) throws -> Double {
        try checkPaired("rocAUC", isPositive.count, scores.count)
        try scores.withUnsafeBufferPointer { try StatisticsError.checkNoNaN("rocAUC: scores", $0) }
        let positives = isPositive.reduce(0) { $1 ? $0 &+ 1 : $0 }
        let negatives = isPositive.count - positives
        guard positives > 0, negatives > 0 else {
            throw StatisticsError.classes(
                what: "rocAUC: labels", expected: "both positive and negative samples",
                found: positives == 0 ? "only negatives" : "only positives")
        }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Ranks are 1-based; a tie group occupying sorted positions start..<end has average rank
        // (start + 1 + end)/2, so twice the positives' rank sum is an integer.
        var doubledRankSum = Int128(0)
        var start = 0
        while start < order.count {
            var end = start &+ 1
            while end < order.count && scores[order[end]] == scores[order[start]] { end &+= 1 }
            var positivesInGroup = 0
            for k in start..<end where isPositive[order[k]] { positivesInGroup &+= 1 }
            doubledRankSum += Int128(start &+ 1 &+ end) * Int128(positivesInGroup)
            start = end
        }
        let p = Int128(positives), n = Int128(negatives)
        return Double(doubledRankSum - p * (p + 1)) / Double(2 * p * n)
    }

    /// Binary ROC AUC with `positive` as the positive class and every other label negative.
    public static func rocAUC<Label: Hashable>(_ truth: [Label], scores: [Double], positive: Label) throws -> Double {
        try rocAUC(isPositive: truth.map { $0 == positive }, scores: scores)
    }

    /// The macro-averaged one-vs-rest ROC AUC of class scores: column k of `scores` (one row per
    /// sample) scores class `classes[k]` against all others, and the K binary AUCs are averaged with
    /// equal weight — scikit-learn's `roc_auc_score(multi_class="ovr", average="macro")`.
    ///
    /// scikit-learn also insists that each row sums to 1. Each binary AUC only uses the ranking within
    /// its column, so unnormalised scores are accepted here as well; but softmax can reorder a column
    /// (it divides each row by a different sum), so pass the same probabilities to reproduce scikit-learn.
    /// - Throws: `StatisticsError` when `scores` does not have one row per sample and one column per
    ///   class, `classes` repeats a label, `truth` holds a label outside `classes`, a class never occurs
    ///   in `truth` or is the only one (its binary AUC is undefined), or a score is NaN.
    public static func rocAUCOneVsRest<Label: Hashable>(
        _ truth: [Label], scores: Matrix<Double>, classes: [Label]
    ) throws -> Double {
        try checkPaired("rocAUCOneVsRest", truth.count, scores.rows)
        try StatisticsError.checkSameLength("rocAUCOneVsRest: score columns (one per class)", classes.count, scores.columns)
        var index = [Label: Int](minimumCapacity: classes.count)
        for (k, label) in classes.enumerated() where index.updateValue(k, forKey: label) != nil {
            throw StatisticsError.invalidArgument(
                what: "rocAUCOneVsRest: classes", expected: "distinct labels", found: "\(label) twice")
        }
        var codes = [Int]()
        codes.reserveCapacity(truth.count)
        for label in truth {
            guard let code = index[label] else {
                throw StatisticsError.classes(
                    what: "rocAUCOneVsRest: truth", expected: "labels among the \(classes.count) classes given",
                    found: "\(label)")
            }
            codes.append(code)
        }
        var total = 0.0
        for k in 0..<classes.count {
            do {
                total += try rocAUC(isPositive: codes.map { $0 == k }, scores: scores.column(k))
            } catch StatisticsError.classes(_, let expected, let found) {
                throw StatisticsError.classes(
                    what: "rocAUCOneVsRest: class \(classes[k]) against the rest", expected: expected, found: found)
            }
        }
        return total / Double(classes.count)
    }

    /// Macro one-vs-rest ROC AUC with the classes in sorted order of the labels in `truth`
    /// (scikit-learn's default), which must match the column order of `scores`.
    public static func rocAUCOneVsRest<Label: Hashable & Comparable>(_ truth: [Label], scores: Matrix<Double>) throws -> Double {
        try rocAUCOneVsRest(truth, scores: scores, classes: Set(truth).sorted())
    }
}
