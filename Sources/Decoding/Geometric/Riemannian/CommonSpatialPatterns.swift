import Foundation
import NeuroCore
import Recording

/// Common spatial patterns for two classes, as MNE's `CSP` (`cov_est="concat"`, `reg=None`,
/// `transform_into="average_power"`, `log=True`, `component_order="mutual_info"`).
///
/// Each class covariance is XXᵀ/n of its trials concatenated in time (not re-centred, as MNE); the filters
/// solve Σ₁ w = λ (Σ₁ + Σ₂) w and are ordered by |λ − ½| descending (MNE's binary "mutual_info"
/// order), so the first filters are the most discriminative at either end. Features are the log of
/// the mean power of each filtered signal.
public struct CommonSpatialPatterns: Sendable, Hashable {
    public var components: Int

    public init(components: Int = 6) {
        self.components = components
    }

    public struct Fitted: Sendable {
        /// Spatial filters, one per row (components × channels).
        public let filters: Matrix<Double>
        /// The generalised eigenvalue of each kept filter.
        public let eigenvalues: [Double]

        /// Log mean power of each filtered signal, trials × components.
        public func features(_ epochs: Epochs) throws -> Matrix<Double> {
            guard epochs.channelCount == filters.columns else {
                throw ParameterError("epochs", expected: "\(filters.columns) channels", found: epochs.channelCount)
            }
            let (c, s, k) = (epochs.channelCount, epochs.sampleCount, filters.rows)
            let rows = try concurrentMap(count: epochs.trialCount) { t -> [Double] in
                let x = Matrix(rows: c, columns: s, elements: epochs.trial(t).map(Double.init))
                let projected = filters * x
                return try (0..<k).map { r in
                    var power = 0.0
                    projected.withRow(r) { row in for v in row { power += v * v } }
                    power /= Double(s)
                    guard power > 0 else { throw ParameterError("epochs", expected: "signals with non-zero power after CSP filtering", found: "trial \(t) component \(r)") }
                    return Foundation.log(power)
                }
            }
            return Matrix(rows: rows.count, columns: k, elements: Array(rows.joined()))
        }
    }

    /// Learns the filters from two-class epochs; `classes` gives the order (Σ₁ is classes[0]).
    public func fit(_ epochs: Epochs, classes: [String]) throws -> Fitted {
        try ParameterError.check(classes.count == 2, "classes", expected: "exactly two classes for CSP", found: classes)
        let c = epochs.channelCount
        try ParameterError.check(components >= 1 && components <= c, "components", expected: "1…\(c) (channels)", found: components)
        var covs = [Matrix<Double>]()
        for label in classes {
            let trials = epochs.labels.indices.filter { epochs.labels[$0] == label }
            guard !trials.isEmpty else { throw RiemannianError.tooFewClasses(context: "CSP", found: Array(Set(epochs.labels)).sorted()) }
            let s = epochs.sampleCount
            var concatenated = [Double](repeating: 0, count: c * trials.count * s)
            for (j, t) in trials.enumerated() {
                let block = epochs.trial(t)
                block.withUnsafeBufferPointer { src in
                    for ch in 0..<c {
                        let target = ch &* (trials.count &* s) &+ j &* s
                        for i in 0..<s { concatenated[target &+ i] = Double(src[ch &* s &+ i]) }
                    }
                }
            }
            covs.append(try CovarianceEstimate(Matrix(rows: c, columns: trials.count * s, elements: concatenated), estimator: .empirical, assumeCentered: true).matrix)
        }
        // Generalised problem via whitening by the composite: B = Σ₁ + Σ₂ = L Lᵀ,
        // eig(L⁻¹ Σ₁ L⁻ᵀ) = λ, w = L⁻ᵀ v.
        let composite = covs[0] + covs[1]
        let whitener: Matrix<Double>
        do { whitener = try SPD.inverseSqrt(composite) } catch {
            throw RiemannianError.notPositiveDefinite(context: "CSP composite covariance", smallestEigenvalue: 0, rank: 0, size: c)
        }
        let eigen = try SymmetricEigen(SPD.congruence(whitener, covs[0]))
        let order = (0..<c).sorted { abs(eigen.values[$0] - 0.5) > abs(eigen.values[$1] - 0.5) }
        let kept = Array(order.prefix(components))
        let allFilters = (whitener * eigen.vectors).transposed()  // row k = filter of eigenvalue k
        let filters = Matrix(rows: kept.count, columns: c) { r, j in allFilters[kept[r], j] }
        return Fitted(filters: filters, eigenvalues: kept.map { eigen.values[$0] })
    }
}

/// Linear discriminant analysis with a shared covariance (scikit-learn's `LinearDiscriminantAnalysis`,
/// `solver="svd"`, version 1.9): pooled within-class covariance divided by N, class priors from
/// the training frequencies, directions below a relative 1e-4 of the largest dropped (pseudo-inverse).
public struct LinearDiscriminant: Sendable {
    public let means: Matrix<Double>
    public let priors: [Double]
    /// Σ⁺ μ_k per class (K × d) and the matching constants −½ μ_kᵀ Σ⁺ μ_k + log π_k.
    let coefficients: Matrix<Double>
    let constants: [Double]

    public init(_ x: Matrix<Double>, labels: [Int], classCount: Int) throws {
        let (n, d) = (x.rows, x.columns)
        try ParameterError.check(labels.count == n, "labels", expected: "one per row (\(n))", found: labels.count)
        try ParameterError.check(n > classCount, "samples", expected: "more samples than classes (\(classCount))", found: n)
        var means = Matrix<Double>(rows: classCount, columns: d)
        var counts = [Double](repeating: 0, count: classCount)
        for i in 0..<n {
            counts[labels[i]] += 1
            for j in 0..<d { means[labels[i], j] += x[i, j] }
        }
        guard counts.allSatisfy({ $0 > 0 }) else { throw RiemannianError.tooFewClasses(context: "LDA", found: counts.indices.filter { counts[$0] > 0 }.map(String.init)) }
        for k in 0..<classCount { for j in 0..<d { means[k, j] /= counts[k] } }
        let centred = Matrix<Double>(rows: n, columns: d) { i, j in x[i, j] - means[labels[i], j] }
        let within = centred.multiplied(by: centred, transposingSelf: true) * (1 / Double(n))
        // Scale-free rank cut as in the svd solver: work on the correlation-scaled matrix.
        let std = (0..<d).map { j -> Double in let v = within[j, j]; return v > 0 ? v.squareRoot() : 1 }
        let scaled = Matrix<Double>(rows: d, columns: d) { i, j in within[i, j] / (std[i] * std[j]) }
        let eigen = try SymmetricEigen(scaled.symmetrized())
        let top = eigen.values.last ?? 0
        // Singular values of the scaled data are sqrt(eigenvalues); sklearn keeps those > 1e-4.
        let inverse = eigen.reconstructed { $0.squareRoot() > 1e-4 * top.squareRoot() ? 1 / $0 : 0 }
        let pinv = Matrix<Double>(rows: d, columns: d) { i, j in inverse[i, j] / (std[i] * std[j]) }
        self.means = means
        self.priors = counts.map { $0 / Double(n) }
        let coefficients = means.multiplied(by: pinv)
        self.coefficients = coefficients
        constants = (0..<classCount).map { k in
            var q = 0.0
            for j in 0..<d { q += coefficients[k, j] * means[k, j] }
            return -0.5 * q + Foundation.log(counts[k] / Double(n))
        }
    }

    /// Class probabilities, N × K (softmax of the discriminant scores).
    public func probabilities(_ x: Matrix<Double>) -> Matrix<Double> {
        var z = x.multiplied(by: coefficients, transposingOther: true)
        let k = constants.count
        z.withUnsafeMutableBufferPointer { e in
            for i in 0..<x.rows { for j in 0..<k { e[i &* k &+ j] += constants[j] } }
        }
        softmaxRows(&z)
        return z
    }
}

/// CSP + LDA, the classic motor-imagery baseline (MNE CSP features, scikit-learn LDA).
public struct CSPLDA: EpochClassifier, Hashable {
    public var csp: CommonSpatialPatterns

    public init(csp: CommonSpatialPatterns = CommonSpatialPatterns()) {
        self.csp = csp
    }

    public func fit(_ epochs: Epochs, seed: UInt64, monitor: any FitMonitor) throws -> Fitted {
        let encoding = try ClassEncoding(epochs.labels, context: "CSP+LDA")
        let filters = try csp.fit(epochs, classes: encoding.classes)
        let lda = try LinearDiscriminant(filters.features(epochs), labels: encoding.codes, classCount: encoding.classes.count)
        return Fitted(classes: encoding.classes, csp: filters, lda: lda)
    }

    public struct Fitted: FittedEpochClassifier {
        public let classes: [String]
        public let csp: CommonSpatialPatterns.Fitted
        public let lda: LinearDiscriminant

        public func probabilities(_ epochs: Epochs) throws -> Matrix<Double> {
            lda.probabilities(try csp.features(epochs))
        }
    }
}
