import Foundation
import Testing
@testable import NeuroCore

@Suite struct StatisticsTests {
    // MARK: Goldens (numpy / scipy)

    @Test func goldensRecordTheirToolVersions() throws {
        let versions = try MetricsGoldens.load().versions
        #expect(!versions.numpy.isEmpty && !versions.scipy.isEmpty && !versions.scikitLearn.isEmpty)
    }

    @Test func momentsMatchNumpy() throws {
        for c in try MetricsGoldens.load().descriptive {
            #expect(isClose(try Statistics.mean(c.x), c.mean), "mean: \(c.name)")
            #expect(isClose(try Statistics.variance(c.x), c.variance), "variance: \(c.name)")
            #expect(isClose(try Statistics.variance(c.x, correction: 1), c.sampleVariance), "ddof=1: \(c.name)")
            #expect(isClose(try Statistics.standardDeviation(c.x), c.standardDeviation), "std: \(c.name)")
            let z = try Statistics.zScores(c.x)
            #expect(allClose(z, c.zScores), "zscore vs exact: \(c.name)")
            // scipy subtracts numpy's mean, which can be an ulp off: its z-scores are only good to
            // ulp(mean)/σ (7e-8 for the 1e9-offset case), so compare at that level plus 1e-12.
            let scipyTolerance = 1e-12 + 2 * c.mean.ulp / c.standardDeviation
            #expect(zip(z, c.zScoresScipy).allSatisfy { abs($0 - $1) <= scipyTolerance }, "zscore vs scipy: \(c.name)")
        }
    }

    @Test func pearsonMatchesScipy() throws {
        for c in try MetricsGoldens.load().pearson {
            let r = try Statistics.pearsonCorrelation(c.x, c.y)
            #expect(isClose(r, c.r), "\(c.name): \(r) vs \(c.r)")
        }
    }

    @Test func covarianceAndCorrelationMatchNumpy() throws {
        for c in try MetricsGoldens.load().covariance {
            let data = Matrix<Double>(c.data)
            let cov = try Statistics.covariance(of: data)
            let corr = try Statistics.correlation(of: data)
            #expect(cov.rows == data.columns && cov.columns == data.columns)
            #expect(allClose(cov.elements, Matrix<Double>(c.covariance).elements), "cov: \(c.name)")
            #expect(allClose(corr.elements, Matrix<Double>(c.correlation).elements), "corrcoef: \(c.name)")
            #expect(cov.asymmetry == 0, "syrk result is exactly symmetric: \(c.name)")
            #expect(corr.diagonal.allSatisfy { $0 == 1 })
        }
    }

    @Test func logSumExpAndLogSoftmaxMatchScipy() throws {
        for c in try MetricsGoldens.load().logSumExp {
            #expect(isClose(Statistics.logSumExp(c.x), c.value), "\(c.name)")
            #expect(allClose(Statistics.logSoftmax(c.x), c.logSoftmax), "\(c.name)")
        }
    }

    // MARK: Closed forms and properties

    @Test func varianceClosedFormsAndCorrection() throws {
        let x: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]  // mean 5, Σ(x − 5)² = 32
        #expect(try Statistics.mean(x) == 5)
        #expect(try Statistics.variance(x) == 4)
        #expect(try Statistics.variance(x, correction: 1) == 32.0 / 7)
        #expect(try Statistics.standardDeviation(x) == 2)
        #expect(try Statistics.zScores(x) == x.map { ($0 - 5) / 2 })
        #expect(try Statistics.variance([42]) == 0)
    }

    @Test func constantSamplesHaveExactZeroVarianceAndNaNScores() throws {
        // 0.1 is not representable, so a naive mean is off by an ulp; the refined mean is exact.
        let x = [Double](repeating: 0.1, count: 7)
        #expect(try Statistics.mean(x) == 0.1)
        #expect(try Statistics.variance(x) == 0)
        #expect(try Statistics.zScores(x).allSatisfy(\.isNaN))
        #expect(try Statistics.pearsonCorrelation(x, [1, 2, 3, 4, 5, 6, 7]).isNaN)
        let data = Matrix<Double>(rows: 7, columns: 3) { i, j in j == 1 ? 0.1 : Double(i * i + j) }
        let corr = try Statistics.correlation(of: data)
        for k in 0..<3 {
            #expect(corr[1, k].isNaN && corr[k, 1].isNaN)
        }
        #expect(corr[0, 2] == 1 && corr[0, 0] == 1)
        #expect(try Statistics.covariance(of: data)[1, 1] == 0)
    }

    @Test func pearsonIsSymmetricScaleInvariantAndSigned() throws {
        var g = SeededGenerator(seed: 11)
        let x = (0..<200).map { _ in g.nextUnitInterval() }
        let y = x.map { $0 * $0 + 0.1 * g.nextUnitInterval() }
        let r = try Statistics.pearsonCorrelation(x, y)
        #expect(r > 0.9 && r < 1)
        #expect(isClose(try Statistics.pearsonCorrelation(y, x), r, tolerance: 1e-15))
        #expect(isClose(try Statistics.pearsonCorrelation(x.map { 3 * $0 - 7 }, y), r, tolerance: 1e-14))
        #expect(isClose(try Statistics.pearsonCorrelation(x.map { -$0 }, y), -r, tolerance: 1e-15))
        #expect(isClose(try Statistics.pearsonCorrelation([1, 2, 3], [-2, -4, -6]), -1, tolerance: 1e-15))
    }

    @Test func covarianceDiagonalEqualsSampleVariances() throws {
        var g = SeededGenerator(seed: 3)
        let data = Matrix<Double>(rows: 40, columns: 5) { _, j in Double(j) * 1e4 + g.nextUnitInterval() }
        let cov = try Statistics.covariance(of: data)
        for j in 0..<5 {
            #expect(isClose(cov[j, j], try Statistics.variance(data.column(j), correction: 1), tolerance: 1e-13))
        }
        // Cross-check the BLAS path against an explicit double loop.
        let means = (0..<5).map { j in data.column(j).reduce(0, +) / 40 }
        for a in 0..<5 {
            for b in 0..<5 {
                var s = 0.0
                for i in 0..<40 { s += (data[i, a] - means[a]) * (data[i, b] - means[b]) }
                #expect(isClose(cov[a, b], s / 39, tolerance: 1e-10))
            }
        }
    }

    @Test func logSumExpAgreesWithNaiveSumOnSafeInputs() {
        var g = SeededGenerator(seed: 5)
        for n in [1, 2, 10, 100] {
            let x = (0..<n).map { _ in 40 * g.nextUnitInterval() - 20 }
            let naive = Foundation.log(x.reduce(0) { $0 + Foundation.exp($1) })
            #expect(isClose(Statistics.logSumExp(x), naive, tolerance: 1e-14), "n = \(n)")
            let probabilities = Statistics.logSoftmax(x).map { Foundation.exp($0) }
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-14)
        }
    }

    @Test func logSumExpStaysFiniteForHugeInputs() {
        // Naively exp(±1000) overflows to ∞ or underflows to 0; the stable form gives m + log n.
        for m in [1000.0, -1000.0] {
            let value = Statistics.logSumExp([Double](repeating: m, count: 4))
            #expect(value.isFinite)
            #expect(isClose(value, m + Foundation.log(4.0), tolerance: 1e-15))
            #expect(Statistics.logSoftmax([m, m]).allSatisfy { isClose($0, -Foundation.log(2.0), tolerance: 1e-15) })
        }
        let mixed = Statistics.logSumExp([1000, -1000])
        #expect(mixed == 1000)
    }

    @Test func logSumExpInfinitiesAndNaN() {
        let inf = Double.infinity
        #expect(Statistics.logSumExp([-inf, 0]) == 0)
        #expect(Statistics.logSumExp([-inf, -inf]) == -inf)
        #expect(Statistics.logSumExp([]) == -inf)
        #expect(Statistics.logSumExp([inf, 1]) == inf)
        #expect(Statistics.logSumExp([1, .nan]).isNaN)
        #expect(Statistics.logSumExp([.nan, inf]).isNaN)
        #expect(Statistics.logSoftmax([-inf, 0]) == [-inf, 0])
        let degenerate = Statistics.logSoftmax([-inf, -inf])
        #expect(degenerate.allSatisfy { $0.isNaN })
    }

    // MARK: Errors

    @Test func tooFewValuesAndUnpairedSamplesThrow() {
        #expect(throws: StatisticsError.tooFewValues(what: "mean", expected: "at least 1", found: 0)) {
            try Statistics.mean([])
        }
        #expect(throws: StatisticsError.tooFewValues(what: "variance", expected: "at least 2", found: 1)) {
            try Statistics.variance([1], correction: 1)
        }
        #expect(throws: StatisticsError.self) { try Statistics.zScores([]) }
        #expect(throws: StatisticsError.lengthMismatch(what: "pearsonCorrelation: second sample", expected: 3, found: 2)) {
            try Statistics.pearsonCorrelation([1, 2, 3], [1, 2])
        }
        #expect(throws: StatisticsError.self) { try Statistics.pearsonCorrelation([1], [2]) }
        #expect(throws: StatisticsError.self) { try Statistics.covariance(of: Matrix<Double>([[1, 2, 3]])) }
        let message = StatisticsError.lengthMismatch(what: "accuracy: second array", expected: 4, found: 3).description
        #expect(message.contains("accuracy") && message.contains("4") && message.contains("3"))
    }
}
