/// Counts of (true label, predicted label) pairs: row i is the true class `labels[i]`, column j the
/// predicted class `labels[j]` (scikit-learn's `confusion_matrix` layout).
public struct ConfusionMatrix<Label: Hashable>: Equatable {
    /// The class of each row and column, in order.
    public let labels: [Label]
    /// Row-major `labels.count × labels.count` counts.
    public let counts: [Int]

    /// Tallies `truth` against `predicted` over the classes `labels`, in that order.
    ///
    /// As in scikit-learn, samples whose true or predicted label is not in `labels` are left out,
    /// which is how a confusion matrix restricted to some classes is built.
    /// - Throws: `StatisticsError` for unequal or zero lengths, an empty or duplicated `labels`
    ///   list, or (as scikit-learn) when none of `labels` occurs in `truth`.
    public init(truth: [Label], predicted: [Label], labels: [Label]) throws {
        try Metrics.checkPaired("confusionMatrix", truth.count, predicted.count)
        guard !labels.isEmpty else {
            throw StatisticsError.invalidArgument(what: "confusionMatrix: labels", expected: "at least one label", found: "none")
        }
        var index = [Label: Int](minimumCapacity: labels.count)
        for (i, label) in labels.enumerated() {
            if index.updateValue(i, forKey: label) != nil {
                throw StatisticsError.invalidArgument(
                    what: "confusionMatrix: labels", expected: "distinct labels", found: "\(label) twice")
            }
        }
        let k = labels.count
        var counts = [Int](repeating: 0, count: k * k)
        var seenInTruth = false
        for (t, p) in zip(truth, predicted) {
            guard let i = index[t] else { continue }
            seenInTruth = true
            guard let j = index[p] else { continue }
            counts[i &* k &+ j] &+= 1
        }
        guard seenInTruth else {
            throw StatisticsError.classes(
                what: "confusionMatrix: truth", expected: "at least one of the given labels", found: "none of them")
        }
        self.labels = labels
        self.counts = counts
    }

    public var classCount: Int { labels.count }

    /// The number of samples of true class `labels[row]` predicted as `labels[column]`.
    public subscript(row: Int, column: Int) -> Int {
        precondition(row >= 0 && row < classCount && column >= 0 && column < classCount, "ConfusionMatrix index out of range")
        return counts[row &* classCount &+ column]
    }

    /// The counts as nested rows (true classes).
    public var rows: [[Int]] { (0..<classCount).map { Array(counts[($0 * classCount)..<(($0 + 1) * classCount)]) } }

    /// Samples per true class (row sums).
    public var support: [Int] { rows.map { $0.reduce(0, &+) } }

    /// Correct predictions per class (the diagonal).
    public var correct: [Int] { (0..<classCount).map { self[$0, $0] } }

    /// Per-class recall (diagonal / row sum); NaN for a class that never occurs in the truth.
    public var recall: [Double] {
        zip(correct, support).map { $1 == 0 ? .nan : Double($0) / Double($1) }
    }

    /// Each row divided by its sum (recall-normalised, scikit-learn's `normalize="true"`); rows of
    /// classes absent from the truth are all zero.
    public func normalizedByRow() -> Matrix<Double> {
        let support = self.support
        return Matrix(rows: classCount, columns: classCount) { i, j in
            support[i] == 0 ? 0 : Double(self[i, j]) / Double(support[i])
        }
    }
}

extension ConfusionMatrix: Sendable where Label: Sendable {}

extension ConfusionMatrix where Label: Comparable {
    /// Tallies over the sorted union of the labels in `truth` and `predicted` (scikit-learn's default).
    public init(truth: [Label], predicted: [Label]) throws {
        try Metrics.checkPaired("confusionMatrix", truth.count, predicted.count)
        try self.init(truth: truth, predicted: predicted, labels: Set(truth).union(predicted).sorted())
    }
}
