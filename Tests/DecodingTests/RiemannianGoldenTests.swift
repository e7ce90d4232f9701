import Foundation
import Testing
import TestSupport
@testable import Decoding

/// pyRiemann 0.12 / scikit-learn / MNE values written by scripts/goldens/riemann.py.
struct RiemannGolden: Decodable {
    let train: [[[Double]]]
    let trainLabels: [String]
    let test: [[[Double]]]
    let testLabels: [String]
    let meanRiemann: [[Double]]
    let meanLogEuclidean: [[Double]]
    let distanceRiemann01: Double
    let distanceLogEuclidean01: Double
    let tangentTrain: [[Double]]
    let tangentTest: [[Double]]
    let mdmProbabilities: [[Double]]
    let mdmLogEuclideanProbabilities: [[Double]]
    let tslrProbabilities: [[Double]]
    let tslrCoefficients: [[Double]]
    let tslrIntercept: [Double]
    let train3: [[[Double]]]
    let labels3: [String]
    let tslr3Probabilities: [[Double]]
    let covarianceData: [[Double]]
    let ledoitWolf: [[Double]]
    let ledoitWolfShrinkage: Double
    let oas: [[Double]]
    let oasShrinkage: Double
    let cspEpochs: [Double]
    let cspShape: [Int]
    let cspLabels: [String]
    let cspComponents: Int
    let cspLDAProbabilities: [[Double]]

    static func load() throws -> RiemannGolden {
        try Goldens.load(RiemannGolden.self, named: "riemann", in: Bundle.module)
    }
}

func maxDifference(_ a: Matrix<Double>, _ b: [[Double]]) -> Double { a.maxAbsDifference(Matrix(b)) }

@Suite struct RiemannianGoldenTests {
    let golden: RiemannGolden
    init() throws { golden = try RiemannGolden.load() }

    var train: [Matrix<Double>] { golden.train.map { Matrix($0) } }
    var test: [Matrix<Double>] { golden.test.map { Matrix($0) } }

    @Test func riemannianAndLogEuclideanMeansMatchPyRiemann() throws {
        let mean = try SPD.mean(train)
        #expect(mean.converged)
        #expect(maxDifference(mean.matrix, golden.meanRiemann) < 1e-10)
        let le = try SPD.mean(train, metric: .logEuclidean)
        #expect(maxDifference(le.matrix, golden.meanLogEuclidean) < 1e-10)
    }

    @Test func distancesMatchPyRiemann() throws {
        #expect(abs(try SPD.distance(train[0], train[1]) - golden.distanceRiemann01) < 1e-10)
        #expect(abs(try SPD.distance(train[0], train[1], metric: .logEuclidean) - golden.distanceLogEuclidean01) < 1e-10)
    }

    @Test func tangentVectorsMatchPyRiemann() throws {
        let space = try TangentSpace(fitting: train)
        #expect(maxDifference(try space.vectors(train), golden.tangentTrain) < 1e-9)
        #expect(maxDifference(try space.vectors(test), golden.tangentTest) < 1e-9)
    }

    @Test func mdmProbabilitiesMatchPyRiemann() throws {
        let fitted = try MinimumDistanceToMean().fit(covariances: train, labels: golden.trainLabels)
        #expect(fitted.classes == ["a", "b"])
        #expect(maxDifference(try fitted.probabilities(covariances: test), golden.mdmProbabilities) < 1e-9)
        let le = try MinimumDistanceToMean(metric: .logEuclidean).fit(covariances: train, labels: golden.trainLabels)
        #expect(maxDifference(try le.probabilities(covariances: test), golden.mdmLogEuclideanProbabilities) < 1e-9)
    }

    @Test func tangentSpaceLogisticRegressionMatchesScikitLearn() throws {
        let pipeline = TangentSpaceLogisticRegression(logistic: L2LogisticRegression(tolerance: 1e-11, maxIterations: 10000))
        let fitted = try pipeline.fit(covariances: train, labels: golden.trainLabels)
        #expect(fitted.model.converged)
        #expect(maxDifference(fitted.model.weights, golden.tslrCoefficients) < 1e-6)
        #expect(abs(fitted.model.intercepts[0] - golden.tslrIntercept[0]) < 1e-6)
        #expect(maxDifference(try fitted.probabilities(covariances: test), golden.tslrProbabilities) < 1e-7)
    }

    @Test func multinomialLogisticRegressionMatchesScikitLearn() throws {
        let matrices = golden.train3.map { Matrix($0) }
        let pipeline = TangentSpaceLogisticRegression(
            logistic: L2LogisticRegression(inverseRegularization: 0.5, tolerance: 1e-9, maxIterations: 10000))
        let fitted = try pipeline.fit(covariances: matrices, labels: golden.labels3)
        #expect(fitted.model.converged)
        #expect(fitted.classes == ["a", "b", "c"])
        // scikit-learn's lbfgs stops at a gradient of 4e-8 here even with tol=1e-12 (its ftol test),
        // which moves its probabilities by ~2e-7; ours is converged to 1e-9.
        #expect(maxDifference(try fitted.probabilities(covariances: matrices), golden.tslr3Probabilities) < 1e-6)
    }

    @Test func shrinkageEstimatorsMatchScikitLearn() throws {
        let x = Matrix(golden.covarianceData)
        let lw = try SPDCovarianceEstimator.ledoitWolf.estimate(x)
        #expect(abs(lw.shrinkage - golden.ledoitWolfShrinkage) < 1e-12)
        #expect(maxDifference(lw.matrix, golden.ledoitWolf) < 1e-12)
        let oas = try SPDCovarianceEstimator.oas.estimate(x)
        #expect(abs(oas.shrinkage - golden.oasShrinkage) < 1e-12)
        #expect(maxDifference(oas.matrix, golden.oas) < 1e-12)
    }

    @Test func cspLDAProbabilitiesMatchMNEAndScikitLearn() throws {
        let (t, c, s) = (golden.cspShape[0], golden.cspShape[1], golden.cspShape[2])
        let epochs = try Epochs(
            data: golden.cspEpochs.map(Float.init), channels: (0..<c).map { Channel(name: "C\($0)", kind: .eeg) },
            labels: golden.cspLabels, samplingRate: 100, tmin: 0)
        #expect(epochs.trialCount == t && epochs.sampleCount == s)
        let fitted = try CSPLDA(csp: CommonSpatialPatterns(components: golden.cspComponents)).fit(epochs, seed: 0, monitor: SilentMonitor())
        #expect(maxDifference(try fitted.probabilities(epochs), golden.cspLDAProbabilities) < 1e-6)
    }
}
