extension Metrics {
    /// The fraction of samples whose predicted label equals the true label.
    /// - Throws: `StatisticsError` when the lengths differ or the arrays are empty.
    public static func accuracy<Label: Hashable>(_ truth: [Label], _ predicted: [Label]) throws -> Double {
        try checkPaired("accuracy", truth.count, predicted.count)
        var correct = 0
        for (t, p) in zip(truth, predicted) where t == p { correct &+= 1 }
        return Double(correct) / Double(truth.count)
    }

    /// The mean per-class recall over the classes present in `truth` (scikit-learn's
    /// `balanced_accuracy_score`): insensitive to class imbalance, so a constant predictor scores
    /// 1/K rather than the majority-class share.
    ///
    /// A class that appears only in `predicted` has no recall and is left out of the mean (scikit-learn
    /// does the same and warns "y_pred contains classes not in y_true"); a true class never predicted
    /// contributes recall 0. With `adjusted`, the score is rescaled so that chance (1/K) maps to 0 and
    /// perfect to 1: (score − 1/K)/(1 − 1/K).
    /// - Throws: `StatisticsError` for unequal or zero lengths, and for `adjusted` with a single true class.
    public static func balancedAccuracy<Label: Hashable>(
        _ truth: [Label], _ predicted: [Label], adjusted: Bool = false
    ) throws -> Double {
        try checkPaired("balancedAccuracy", truth.count, predicted.count)
        let encoded = EncodedLabels(truth)
        var support = [Int](repeating: 0, count: encoded.classes.count)
        var correct = support
        for (code, (t, p)) in zip(encoded.codes, zip(truth, predicted)) {
            support[code] &+= 1
            if t == p { correct[code] &+= 1 }
        }
        // Every encoded class occurs in `truth`, so every support is ≥ 1.
        let classes = Double(support.count)
        let score = zip(correct, support).reduce(0.0) { $0 + Double($1.0) / Double($1.1) } / classes
        guard adjusted else { return score }
        guard support.count > 1 else {
            throw StatisticsError.classes(
                what: "balancedAccuracy(adjusted: true): truth", expected: "at least two classes",
                found: "only \(encoded.classes[0])")
        }
        let chance = 1 / classes
        return (score - chance) / (1 - chance)
    }

    /// The confusion matrix over `labels` in the given order; see `ConfusionMatrix.init(truth:predicted:labels:)`.
    public static func confusionMatrix<Label: Hashable>(
        _ truth: [Label], _ predicted: [Label], labels: [Label]
    ) throws -> ConfusionMatrix<Label> {
        try ConfusionMatrix(truth: truth, predicted: predicted, labels: labels)
    }

    /// The confusion matrix over the sorted union of the labels seen (scikit-learn's default order).
    public static func confusionMatrix<Label: Comparable & Hashable>(
        _ truth: [Label], _ predicted: [Label]
    ) throws -> ConfusionMatrix<Label> {
        try ConfusionMatrix(truth: truth, predicted: predicted)
    }
}
