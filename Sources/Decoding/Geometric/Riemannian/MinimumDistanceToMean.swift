import Foundation
import NeuroCore
import Recording

/// Minimum distance to mean (Barachant et al. 2012; pyRiemann `MDM`): one Riemannian-mean centroid
/// per class, and each trial goes to the nearest centroid. Probabilities are the softmax of −δ²,
/// as pyRiemann's `predict_proba`.
public struct MinimumDistanceToMean: EpochClassifier, Hashable {
    public var covariance: SPDCovarianceEstimator
    public var metric: RiemannianMetric
    public var meanOptions: RiemannianMeanOptions

    public init(covariance: SPDCovarianceEstimator = .oas, metric: RiemannianMetric = .riemann,
                meanOptions: RiemannianMeanOptions = RiemannianMeanOptions()) {
        self.covariance = covariance
        self.metric = metric
        self.meanOptions = meanOptions
    }

    public func fit(_ epochs: Epochs, seed: UInt64, monitor: any FitMonitor) throws -> Fitted {
        try fit(covariances: covariance.covariances(epochs), labels: epochs.labels)
    }

    /// Fits on precomputed SPD matrices.
    public func fit(covariances: [Matrix<Double>], labels: [String]) throws -> Fitted {
        _ = try SPD.commonSize(covariances, context: "MDM")
        try ParameterError.check(labels.count == covariances.count, "labels", expected: "one per matrix (\(covariances.count))", found: labels.count)
        let encoding = try ClassEncoding(labels, context: "MDM")
        var centroids = [Matrix<Double>]()
        for k in encoding.classes.indices {
            let members = encoding.codes.indices.filter { encoding.codes[$0] == k }.map { covariances[$0] }
            centroids.append(try SPD.mean(members, metric: metric, options: meanOptions).matrix)
        }
        return try Fitted(classes: encoding.classes, centroids: centroids, metric: metric, covariance: covariance)
    }

    public struct Fitted: FittedEpochClassifier {
        public let classes: [String]
        public let centroids: [Matrix<Double>]
        public let metric: RiemannianMetric
        public let covariance: SPDCovarianceEstimator
        let whiteners: [Matrix<Double>]
        let logCentroids: [Matrix<Double>]

        init(classes: [String], centroids: [Matrix<Double>], metric: RiemannianMetric, covariance: SPDCovarianceEstimator) throws {
            self.classes = classes
            self.centroids = centroids
            self.metric = metric
            self.covariance = covariance
            switch metric {
            case .riemann:
                whiteners = try centroids.map { try SPD.inverseSqrt($0) }
                logCentroids = []
            case .logEuclidean:
                whiteners = []
                logCentroids = try centroids.map { try SPD.log($0) }
            }
        }

        /// Distances of each matrix to each centroid, N × K.
        public func distances(covariances: [Matrix<Double>]) throws -> Matrix<Double> {
            let n = centroids[0].rows
            let k = centroids.count
            let rows = try concurrentMap(count: covariances.count) { i -> [Double] in
                let s = covariances[i]
                guard s.rows == n, s.columns == n else { throw RiemannianError.sizeMismatch(context: "MDM", expected: n, found: s.rows) }
                switch metric {
                case .riemann:
                    return try (0..<k).map { try SPD.affineInvariantDistance(s, whitener: whiteners[$0]) }
                case .logEuclidean:
                    let l = try SPD.log(s)
                    return (0..<k).map { (l - logCentroids[$0]).frobeniusNorm }
                }
            }
            return Matrix(rows: rows.count, columns: k, elements: Array(rows.joined()))
        }

        public func probabilities(covariances: [Matrix<Double>]) throws -> Matrix<Double> {
            var p = try distances(covariances: covariances).map { -$0 * $0 }
            softmaxRows(&p)
            return p
        }

        public func probabilities(_ epochs: Epochs) throws -> Matrix<Double> {
            try probabilities(covariances: covariance.covariances(epochs))
        }
    }
}
