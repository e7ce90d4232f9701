import NeuroCore

/// A linear probe: L2 logistic regression on features standardised with the training trials' mean and
/// s.d., its inverse regularisation chosen among candidate strengths by validation accuracy (the first
/// best wins). Used to measure what frozen encoder features carry and to initialise the LP-FT head.
public struct DuINLinearProbe: Sendable {
    public let fitted: L2LogisticRegression.Fitted
    public let mean: [Double]
    public let standardDeviation: [Double]
    public let strength: Double
    public let validationAccuracy: Double

    public static func fit(
        trainFeatures: [[Double]], trainLabels: [Int], validationFeatures: [[Double]], validationLabels: [Int],
        classCount: Int, strengths: [Double], maxIterations: Int = 300
    ) throws -> DuINLinearProbe {
        try ParameterError.check(!trainFeatures.isEmpty && trainFeatures.count == trainLabels.count, "trainFeatures",
                                 expected: "\(trainLabels.count) rows", found: trainFeatures.count)
        try ParameterError.check(!validationFeatures.isEmpty && validationFeatures.count == validationLabels.count, "validationFeatures",
                                 expected: "\(validationLabels.count) rows", found: validationFeatures.count)
        try ParameterError.check(!strengths.isEmpty, "strengths", expected: "at least one", found: strengths)
        let width = trainFeatures[0].count, n = Double(trainFeatures.count)
        var mean = [Double](repeating: 0, count: width), sd = mean
        for row in trainFeatures { for j in 0..<width { mean[j] += row[j] / n } }
        for row in trainFeatures { for j in 0..<width { sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n } }
        sd = sd.map { Swift.max(1e-9, $0.squareRoot()) }
        let x = standardised(trainFeatures, mean: mean, sd: sd), v = standardised(validationFeatures, mean: mean, sd: sd)
        var best: DuINLinearProbe? = nil
        for strength in strengths {
            let fitted = try L2LogisticRegression(inverseRegularization: strength, maxIterations: maxIterations)
                .fit(x, labels: trainLabels, classCount: classCount)
            let accuracy = hits(fitted.probabilities(v), validationLabels)
            if best == nil || accuracy > best!.validationAccuracy {
                best = DuINLinearProbe(fitted: fitted, mean: mean, standardDeviation: sd, strength: strength, validationAccuracy: accuracy)
            }
        }
        return best!
    }

    /// Fraction of `features` whose most probable class is the label.
    public func accuracy(_ features: [[Double]], labels: [Int]) -> Double {
        Self.hits(fitted.probabilities(Self.standardised(features, mean: mean, sd: standardDeviation)), labels)
    }

    /// Per-class weights on the raw (unstandardised) features: w_kj / sd_j; a binary fit's single score
    /// row becomes class 1's, class 0 scoring 0 (the same softmax).
    public func foldedWeights() -> [[Double]] {
        scoreRows().map { row in zip(row, standardDeviation).map { $0 / $1 } }
    }

    /// Per-class intercepts on the raw features: b_k − Σ_j w_kj mean_j / sd_j.
    public func foldedBias() -> [Double] {
        let rows = scoreRows(), intercepts = fitted.weights.rows == 1 ? [0] + fitted.intercepts : fitted.intercepts
        return rows.indices.map { k in
            var b = intercepts[k]
            for j in mean.indices { b -= rows[k][j] * mean[j] / standardDeviation[j] }
            return b
        }
    }

    func scoreRows() -> [[Double]] {
        let w = fitted.weights
        let rows = (0..<w.rows).map { k in (0..<w.columns).map { w[k, $0] } }
        return w.rows == 1 ? [[Double](repeating: 0, count: w.columns)] + rows : rows
    }

    static func standardised(_ features: [[Double]], mean: [Double], sd: [Double]) -> Matrix<Double> {
        Matrix(rows: features.count, columns: mean.count) { i, j in (features[i][j] - mean[j]) / sd[j] }
    }

    static func hits(_ p: Matrix<Double>, _ labels: [Int]) -> Double {
        var correct = 0
        for i in 0..<p.rows {
            var best = 0
            for k in 1..<p.columns where p[i, k] > p[i, best] { best = k }
            if best == labels[i] { correct += 1 }
        }
        return Double(correct) / Double(labels.count)
    }
}
