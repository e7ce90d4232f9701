import Foundation
import Testing
@testable import Decoding
import TestSupport

@Suite struct CrossValidationTests {
    @Test func leaveOneGroupOutHoldsOutEachGroupOnce() throws {
        let groups = [2, 0, 1, 0, 2, 1, 1]
        let splits = try LeaveOneGroupOut().splits(groups)
        #expect(splits.count == 3)
        #expect(splits.map(\.test) == [[1, 3], [2, 5, 6], [0, 4]])
        for split in splits {
            #expect(Set(split.train).isDisjoint(with: split.test))
            #expect(split.train.count + split.test.count == groups.count)
            #expect(Set(split.test.map { groups[$0] }).count == 1)
        }
    }

    /// Methods note §5.2 at small size: class information only in the spatial covariance.
    func scenario(_ effect: CovarianceScenario.Effect, seed: UInt64 = 1) throws -> Epochs {
        try CovarianceScenario(effect: effect, channels: 8, samples: 128, trialsPerClass: 40).simulate(seed: seed)
    }

    func accuracy(_ classifier: any EpochClassifier, _ epochs: Epochs) throws -> CrossValidationReport {
        try CrossValidation(scheme: .stratifiedKFold(folds: 5)).run(classifier, on: epochs, seed: 3)
    }

    @Test func varianceDifferenceIsDecodedByEveryPipeline() throws {
        let epochs = try scenario(.variance(1.5))
        for classifier: any EpochClassifier in [TangentSpaceLogisticRegression(), MinimumDistanceToMean(), CSPLDA()] {
            let report = try accuracy(classifier, epochs)
            #expect(report.meanAccuracy >= 0.85, "\(classifier): \(report.meanAccuracy)")
            #expect(report.meanROCAUC! >= 0.9, "\(classifier)")
            let confusion = try report.confusion()
            #expect(confusion.counts.reduce(0, +) == 80)
        }
    }

    @Test func correlationOnlyDifferenceFavoursTheTangentSpace() throws {
        let epochs = try scenario(.correlation(0.95))
        let ts = try accuracy(TangentSpaceLogisticRegression(), epochs)
        let mdm = try accuracy(MinimumDistanceToMean(), epochs)
        #expect(ts.meanAccuracy >= 0.8, "TS+LR \(ts.meanAccuracy)")
        #expect(ts.meanAccuracy > mdm.meanAccuracy, "TS+LR \(ts.meanAccuracy) vs MDM \(mdm.meanAccuracy)")
    }

    @Test func nullScenarioStaysAtChance() throws {
        // Three independent null data sets: the mean over them must be close to 0.5 for every pipeline.
        for classifier: any EpochClassifier in [TangentSpaceLogisticRegression(), MinimumDistanceToMean(), CSPLDA()] {
            var total = 0.0
            for seed: UInt64 in [21, 22, 23] {
                total += try accuracy(classifier, scenario(.none, seed: seed)).meanAccuracy
            }
            #expect(abs(total / 3 - 0.5) < 0.1, "\(classifier): \(total / 3)")
        }
    }

    @Test func outOfFoldProbabilitiesCoverEveryTrialOnce() throws {
        let epochs = try scenario(.variance(1.0))
        let report = try accuracy(MinimumDistanceToMean(), epochs)
        #expect(report.testSets.flatMap { $0 }.sorted() == Array(0..<80))
        for i in 0..<80 {
            let row = report.probabilities.row(i)
            #expect(abs(row.reduce(0, +) - 1) < 1e-12)
            #expect(report.predicted[i] == report.classes[row[1] > row[0] ? 1 : 0])
        }
        // Same seed, same folds and scores.
        let again = try accuracy(MinimumDistanceToMean(), epochs)
        #expect(again.testSets == report.testSets && again.meanAccuracy == report.meanAccuracy)
    }

    @Test func erpPrototypesRevealAnEvokedResponse() throws {
        // Class "target" carries a fixed waveform on every channel under unit noise; covariance alone
        // sees almost nothing, the prototype cross-covariance sees it.
        var rng = SeededGenerator(seed: 9)
        let (c, s) = (4, 64)
        let wave = (0..<s).map { 0.8 * Foundation.sin(Double($0) / Double(s) * .pi) }
        var data = [Float]()
        var labels = [String]()
        for t in 0..<80 {
            let target = t % 2 == 0
            for _ in 0..<c { for i in 0..<s { data.append(Float(rng.standardNormal() + (target ? wave[i] : 0))) } }
            labels.append(target ? "target" : "non-target")
        }
        let epochs = try Epochs(data: data, channels: (0..<c).map { Channel(name: "C\($0)", kind: .eeg) }, labels: labels, samplingRate: 64, tmin: 0)
        let report = try accuracy(ERPPrototypeAugmentation(TangentSpaceLogisticRegression()), epochs)
        #expect(report.meanROCAUC! > 0.9, "\(report.meanROCAUC!)")
    }

    @Test func simulatedRecordingRoundTripsThroughEDFAndEpoching() throws {
        let folder = try TemporaryDirectory()
        let (series, truth) = try MotorImagerySimulation(channels: 6, trialsPerClass: 6).simulate(seed: 4)
        #expect(truth.events.count == 12 && Set(truth.events) == ["T1", "T2"])
        let url = folder.file("mi.edf")
        try EDFWriter.write(series, to: url)
        let data = try EpochExtraction(events: ["T1", "T2"], band: 8...30, window: 0.5...2.5).epochs(from: [url])
        #expect(data.epochs.trialCount == 12)
        #expect(data.epochs.labels == truth.events)
        #expect(data.epochs.channelCount == 6)
        #expect(data.epochs.sampleCount == 257)
        #expect(data.groups == Array(repeating: 0, count: 12))
    }
}
