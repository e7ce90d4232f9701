/// A decoding pipeline for labelled, fixed-length multichannel epochs (trials × channels × samples).
///
/// Every EEG/sEEG pipeline (tangent space + logistic regression, MDM, CSP + LDA, Ricci-GCN, …) conforms,
/// so cross-validation, the benchmark registry and `neuroswift decode` treat them alike. Settings live
/// in the conforming type; what was learned lives in `Fitted` (scikit-learn's estimator split).
public protocol EpochClassifier: Sendable {
    associatedtype Fitted: FittedEpochClassifier
    /// Learns from `epochs`, whose `labels` are the classes. Every random choice flows from `seed`.
    func fit(_ epochs: Epochs, seed: UInt64, monitor: any FitMonitor) throws -> Fitted
}

/// A trained epoch classifier.
public protocol FittedEpochClassifier: Sendable {
    /// The class labels, in the column order of `probabilities(_:)` (sorted).
    var classes: [String] { get }
    /// Class probabilities, trials × classes; each row sums to 1.
    func probabilities(_ epochs: Epochs) throws -> Matrix<Double>
}

extension FittedEpochClassifier {
    /// The most probable class of each trial (the first on ties).
    public func predict(_ epochs: Epochs) throws -> [String] {
        let p = try probabilities(epochs)
        return (0 ..< p.rows).map { row in
            var best = 0
            for column in 1 ..< p.columns where p[row, column] > p[row, best] { best = column }
            return classes[best]
        }
    }
}
