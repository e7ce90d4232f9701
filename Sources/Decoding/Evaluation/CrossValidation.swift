import Foundation
import NeuroCore
import Recording

/// How trials are split into folds.
public enum CrossValidationScheme: Sendable, Hashable, CustomStringConvertible {
    /// Stratified k-fold with shuffling from the run's seed (MOABB's within-session protocol).
    case stratifiedKFold(folds: Int)
    /// One fold per group (run, session or subject).
    case leaveOneGroupOut

    public var description: String {
        switch self {
        case .stratifiedKFold(let k): return "stratified \(k)-fold"
        case .leaveOneGroupOut: return "leave one group out"
        }
    }
}

/// The scores of one fold.
public struct FoldScore: Sendable, Hashable {
    public let trainCount: Int
    public let testCount: Int
    public let accuracy: Double
    public let balancedAccuracy: Double
    /// Binary: AUC of the second (sorted) class's probability; more classes: macro one-vs-rest.
    /// Nil when the test fold lacks a class.
    public let rocAUC: Double?
}

/// Out-of-fold predictions and per-fold scores of one classifier on one data set.
public struct CrossValidationReport: Sendable {
    public let classes: [String]
    public let folds: [FoldScore]
    /// The test indices of each fold (identical folds can be replayed elsewhere, e.g. in Python).
    public let testSets: [[Int]]
    /// Out-of-fold class probabilities, trials × classes, each trial scored by the fold that held it out.
    public let probabilities: Matrix<Double>
    public let predicted: [String]
    public let truth: [String]
    /// Seconds spent fitting and predicting, summed over folds.
    public let seconds: Double

    public var meanAccuracy: Double { mean(folds.map(\.accuracy)) }
    public var accuracyStandardDeviation: Double { standardDeviation(folds.map(\.accuracy)) }
    public var meanBalancedAccuracy: Double { mean(folds.map(\.balancedAccuracy)) }
    /// Mean of the per-fold AUCs (MOABB's score), nil when no fold had one.
    public var meanROCAUC: Double? {
        let values = folds.compactMap(\.rocAUC)
        return values.isEmpty ? nil : mean(values)
    }

    /// The confusion matrix of the pooled out-of-fold predictions (rows truth, columns predicted).
    public func confusion() throws -> ConfusionMatrix<String> {
        try Metrics.confusionMatrix(truth, predicted, labels: classes)
    }

    private func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
    private func standardDeviation(_ v: [Double]) -> Double {
        guard v.count > 1 else { return 0 }
        let m = mean(v)
        return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
    }
}

/// Runs a classifier through cross-validation: every fold fits on its training trials only (so
/// nothing learned, from covariance references to filters, sees the test trials) and scores the
/// held-out trials.
public struct CrossValidation: Sendable {
    public let scheme: CrossValidationScheme

    public init(scheme: CrossValidationScheme) {
        self.scheme = scheme
    }

    /// The (train, test) index pairs for these labels and groups.
    public func splits(labels: [String], groups: [Int]?, seed: UInt64) throws -> [(train: [Int], test: [Int])] {
        switch scheme {
        case .stratifiedKFold(let k):
            return try StratifiedKFold(folds: k).splits(labels, seed: seed)
        case .leaveOneGroupOut:
            guard let groups else { throw ParameterError("groups", expected: "a group per trial for leave-one-group-out", found: "none") }
            try ParameterError.check(groups.count == labels.count, "groups", expected: "one per trial (\(labels.count))", found: groups.count)
            return try LeaveOneGroupOut().splits(groups)
        }
    }

    /// Cross-validates `classifier` on `epochs`; fold f fits with seed `seed &+ f`.
    public func run(
        _ classifier: any EpochClassifier, on epochs: Epochs, groups: [Int]? = nil, seed: UInt64,
        monitor: any FitMonitor = SilentMonitor()
    ) throws -> CrossValidationReport {
        let splits = try splits(labels: epochs.labels, groups: groups, seed: seed)
        let classes = Array(Set(epochs.labels)).sorted()
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var probabilities = Matrix<Double>(rows: epochs.trialCount, columns: classes.count)
        var predicted = [String](repeating: "", count: epochs.trialCount)
        var folds = [FoldScore]()
        let start = Date()
        for (f, split) in splits.enumerated() {
            if monitor.shouldStop { break }
            let train = try epochs.subset(trials: split.train)
            let test = try epochs.subset(trials: split.test)
            let fitted = try classifier.fit(train, seed: seed &+ UInt64(f), monitor: monitor)
            let p = try fitted.probabilities(test)
            // Map the fitted model's classes (those seen in training) onto all classes.
            var foldProbabilities = Matrix<Double>(rows: test.trialCount, columns: classes.count)
            for (j, label) in fitted.classes.enumerated() {
                guard let column = classIndex[label] else { continue }
                for i in 0..<test.trialCount { foldProbabilities[i, column] = p[i, j] }
            }
            var foldPredicted = [String]()
            for i in 0..<test.trialCount {
                var best = 0
                for c in 1..<classes.count where foldProbabilities[i, c] > foldProbabilities[i, best] { best = c }
                foldPredicted.append(classes[best])
                predicted[split.test[i]] = classes[best]
                for c in 0..<classes.count { probabilities[split.test[i], c] = foldProbabilities[i, c] }
            }
            let truth = test.labels
            var auc: Double? = nil
            if Set(truth).count == classes.count {
                auc = classes.count == 2
                    ? try Metrics.rocAUC(truth, scores: foldProbabilities.column(1), positive: classes[1])
                    : try Metrics.rocAUCOneVsRest(truth, scores: foldProbabilities, classes: classes)
            }
            folds.append(FoldScore(
                trainCount: split.train.count, testCount: split.test.count,
                accuracy: try Metrics.accuracy(truth, foldPredicted),
                balancedAccuracy: try Metrics.balancedAccuracy(truth, foldPredicted), rocAUC: auc))
            monitor.report(FitProgress(stage: "cross-validation fold", iteration: f + 1, total: splits.count))
        }
        return CrossValidationReport(
            classes: classes, folds: folds, testSets: splits.prefix(folds.count).map(\.test), probabilities: probabilities,
            predicted: predicted, truth: epochs.labels, seconds: Date().timeIntervalSince(start))
    }
}

extension Epochs {
    /// The trials at `indices`, in that order.
    public func subset(trials indices: [Int]) throws -> Epochs {
        let size = channelCount * sampleCount
        var out = [Float]()
        out.reserveCapacity(indices.count * size)
        for t in indices {
            precondition((0..<trialCount).contains(t), "trial \(t) out of range 0..<\(trialCount)")
            out.append(contentsOf: trial(t))
        }
        return try Epochs(data: out, channels: channels, labels: indices.map { labels[$0] }, samplingRate: samplingRate, tmin: tmin)
    }
}
