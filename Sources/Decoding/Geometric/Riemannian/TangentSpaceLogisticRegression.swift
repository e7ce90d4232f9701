import NeuroCore
import Recording

/// Covariances → tangent space at the training mean → L2 logistic regression: MOABB's TS+LR
/// (pyRiemann `Covariances(oas)`, `TangentSpace(metric="riemann")`, scikit-learn
/// `LogisticRegression(C=1)`), the strongest of the classic motor-imagery pipelines.
public struct TangentSpaceLogisticRegression: EpochClassifier, Hashable {
    public var covariance: SPDCovarianceEstimator
    /// The mean used as the tangent point; the map itself is always the affine-invariant log map
    /// (pyRiemann's `TangentSpace(metric="riemann")`).
    public var metric: RiemannianMetric
    public var logistic: L2LogisticRegression
    public var meanOptions: RiemannianMeanOptions

    public init(covariance: SPDCovarianceEstimator = .oas, metric: RiemannianMetric = .riemann,
                logistic: L2LogisticRegression = L2LogisticRegression(), meanOptions: RiemannianMeanOptions = RiemannianMeanOptions()) {
        self.covariance = covariance
        self.metric = metric
        self.logistic = logistic
        self.meanOptions = meanOptions
    }

    public func fit(_ epochs: Epochs, seed: UInt64, monitor: any FitMonitor) throws -> Fitted {
        try fit(covariances: covariance.covariances(epochs), labels: epochs.labels)
    }

    /// Fits on precomputed SPD matrices.
    public func fit(covariances: [Matrix<Double>], labels: [String]) throws -> Fitted {
        try ParameterError.check(labels.count == covariances.count, "labels", expected: "one per matrix (\(covariances.count))", found: labels.count)
        let encoding = try ClassEncoding(labels, context: "TS+LR")
        let space = try TangentSpace(fitting: covariances, metric: metric, options: meanOptions)
        let features = try space.vectors(covariances)
        let model = try logistic.fit(features, labels: encoding.codes, classCount: encoding.classes.count)
        return Fitted(classes: encoding.classes, tangentSpace: space, model: model, covariance: covariance)
    }

    public struct Fitted: FittedEpochClassifier {
        public let classes: [String]
        public let tangentSpace: TangentSpace
        public let model: L2LogisticRegression.Fitted
        public let covariance: SPDCovarianceEstimator

        public func probabilities(covariances: [Matrix<Double>]) throws -> Matrix<Double> {
            model.probabilities(try tangentSpace.vectors(covariances))
        }

        public func probabilities(_ epochs: Epochs) throws -> Matrix<Double> {
            try probabilities(covariances: covariance.covariances(epochs))
        }
    }
}
