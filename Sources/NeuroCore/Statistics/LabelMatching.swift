/// The one-to-one matching of predicted clusters to true classes that maximises the number of samples
/// on which they agree, found by the Hungarian algorithm on the contingency table.
///
/// Cluster labels are arbitrary names, so a clustering is scored against the truth after renaming
/// each cluster to its best class; the fraction of samples that then agree is the usual "clustering
/// accuracy". With more clusters than classes, the smallest-overlap clusters stay `unmatched`; with
/// more classes than clusters, some classes receive no cluster.
public struct LabelMatching<Truth: Hashable, Predicted: Hashable> {
    /// The class assigned to each matched cluster.
    public let mapping: [Predicted: Truth]
    /// Clusters left without a class, in order of first appearance.
    public let unmatched: [Predicted]
    /// Samples whose renamed cluster equals their true class (the maximised overlap).
    public let agreeing: Int
    /// Samples compared.
    public let sampleCount: Int

    /// agreeing / sampleCount: the clustering accuracy.
    public var accuracy: Double { Double(agreeing) / Double(sampleCount) }

    /// Matches the clusters of `predicted` to the classes of `truth`, sample by sample.
    /// - Throws: `StatisticsError` when the lengths differ or the arrays are empty.
    public init(truth: [Truth], predicted: [Predicted]) throws {
        try Metrics.checkPaired("LabelMatching", truth.count, predicted.count)
        let table = Contingency(predicted, truth)
        let clusters = EncodedLabels(predicted).classes
        let classes = EncodedLabels(truth).classes
        var overlap = Matrix<Double>(rows: clusters.count, columns: classes.count)
        for cell in table.cells { overlap[cell.row, cell.column] = Double(cell.count) }
        let assignment = try LinearAssignment(cost: overlap, maximize: true)
        var mapping = [Predicted: Truth](minimumCapacity: assignment.rows.count)
        var matched = [Bool](repeating: false, count: clusters.count)
        for (row, column) in zip(assignment.rows, assignment.columns) {
            mapping[clusters[row]] = classes[column]
            matched[row] = true
        }
        self.mapping = mapping
        self.unmatched = zip(clusters, matched).compactMap { $1 ? nil : $0 }
        // Counts are small integers, so the floating-point total is exact.
        self.agreeing = Int(assignment.totalCost)
        self.sampleCount = truth.count
    }

    /// `predicted` renamed to classes; samples of unmatched clusters (or unknown labels) become nil.
    public func relabel(_ predicted: [Predicted]) -> [Truth?] {
        predicted.map { mapping[$0] }
    }
}

extension LabelMatching: Sendable where Truth: Sendable, Predicted: Sendable {}

extension Metrics {
    /// The clustering accuracy: the fraction of samples that agree with the truth after the clusters
    /// are renamed by the best one-to-one matching (`LabelMatching`). 1 for a perfect clustering up to
    /// renaming; unlike ARI it is not corrected for chance.
    public static func clusteringAccuracy<Truth: Hashable, Predicted: Hashable>(
        _ truth: [Truth], _ predicted: [Predicted]
    ) throws -> Double {
        try LabelMatching(truth: truth, predicted: predicted).accuracy
    }
}
