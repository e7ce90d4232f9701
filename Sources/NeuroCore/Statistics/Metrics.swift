/// Evaluation metrics for clusterings and classifiers, matching scikit-learn's definitions and
/// special cases so that scores can be compared with published Python results.
///
/// - Clustering (`Metrics+Clustering.swift`): `adjustedRandIndex`, `mutualInformation`,
///   `normalizedMutualInformation`; label-to-cluster matching via `LabelMatching` and
///   `clusteringAccuracy`.
/// - Classification (`Metrics+Classification.swift`, `ConfusionMatrix.swift`): `accuracy`,
///   `balancedAccuracy`, `confusionMatrix`.
/// - Ranking (`Metrics+ROC.swift`): binary `rocAUC` and macro one-vs-rest `rocAUCOneVsRest`.
///
/// Labels are any `Hashable` type; the true and predicted clusterings may even use different types.
/// Arrays that pair up element by element must have equal, non-zero lengths, otherwise the metric
/// throws `StatisticsError` (an empty labelling is almost always an upstream bug, so it is not
/// silently scored 1 as scikit-learn does).
public enum Metrics {}

// MARK: Label encoding

/// Labels replaced by dense codes 0..<classes.count, in order of first appearance.
struct EncodedLabels<Label: Hashable> {
    var classes: [Label]
    var codes: [Int]

    init(_ labels: [Label]) {
        var index = [Label: Int]()
        var classes = [Label]()
        var codes = [Int]()
        codes.reserveCapacity(labels.count)
        for label in labels {
            if let code = index[label] {
                codes.append(code)
            } else {
                index[label] = classes.count
                codes.append(classes.count)
                classes.append(label)
            }
        }
        self.classes = classes
        self.codes = codes
    }
}

extension Metrics {
    /// Checks that two paired label arrays have the same non-zero length.
    static func checkPaired(_ what: String, _ first: Int, _ second: Int) throws {
        try StatisticsError.checkSameLength("\(what): second array", first, second)
        try StatisticsError.checkCount(what, first, atLeast: 1)
    }
}
