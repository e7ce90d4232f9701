import Foundation
import Testing
@testable import NeuroCore

@Suite struct MetricsClassificationTests {
    // MARK: Accuracy, balanced accuracy, confusion

    @Test func accuracyBalancedAccuracyAndConfusionMatchScikitLearn() throws {
        for c in try MetricsGoldens.load().classification {
            #expect(isClose(try Metrics.accuracy(c.truth, c.predicted), c.accuracy), "\(c.name)")
            #expect(isClose(try Metrics.balancedAccuracy(c.truth, c.predicted), c.balancedAccuracy), "\(c.name)")
            if let adjusted = c.adjustedBalancedAccuracy {
                #expect(isClose(try Metrics.balancedAccuracy(c.truth, c.predicted, adjusted: true), adjusted), "\(c.name)")
            } else {
                #expect(throws: StatisticsError.self) { try Metrics.balancedAccuracy(c.truth, c.predicted, adjusted: true) }
            }
            let confusion = try c.labels.map { try Metrics.confusionMatrix(c.truth, c.predicted, labels: $0) }
                ?? Metrics.confusionMatrix(c.truth, c.predicted)
            #expect(confusion.rows == c.confusion, "\(c.name)")
            if c.labels == nil {
                #expect(confusion.labels == Set(c.truth).union(c.predicted).sorted())
            }
        }
    }

    @Test func stringLabelsUseSortedUnionOrder() throws {
        let c = try MetricsGoldens.load().stringConfusion
        let confusion = try Metrics.confusionMatrix(c.truth, c.predicted)
        #expect(confusion.labels == c.labels)
        #expect(confusion.rows == c.confusion)
        #expect(isClose(try Metrics.balancedAccuracy(c.truth, c.predicted), c.balancedAccuracy))
        #expect(confusion.support == [2, 3, 3])
        #expect(confusion.correct == [1, 2, 2])
        let expectedRecall: [Double] = [0.5, 2.0 / 3, 2.0 / 3]
        #expect(confusion.recall == expectedRecall)
        let normalized = confusion.normalizedByRow()
        #expect(normalized.row(0) == [0.5, 0, 0.5])
    }

    @Test func balancedAccuracyOfConstantPredictorIsOneOverK() throws {
        let truth = [Int](repeating: 0, count: 90) + [Int](repeating: 1, count: 9) + [2]
        let constant = [Int](repeating: 0, count: 100)
        #expect(try Metrics.accuracy(truth, constant) == 0.9)
        #expect(try Metrics.balancedAccuracy(truth, constant) == 1.0 / 3)
        #expect(try Metrics.balancedAccuracy(truth, constant, adjusted: true) == 0)
        #expect(try Metrics.balancedAccuracy(truth, truth, adjusted: true) == 1)
    }

    @Test func confusionMatrixErrors() {
        #expect(throws: StatisticsError.self) { try Metrics.confusionMatrix([1, 2], [1, 2], labels: [1, 1]) }
        #expect(throws: StatisticsError.self) { try Metrics.confusionMatrix([1, 2], [1, 2], labels: []) }
        #expect(throws: StatisticsError.self) { try Metrics.confusionMatrix([1, 2], [1, 2], labels: [7]) }
        #expect(throws: StatisticsError.self) { try Metrics.confusionMatrix([1, 2], [1]) }
        #expect(throws: StatisticsError.lengthMismatch(what: "accuracy: second array", expected: 2, found: 3)) {
            try Metrics.accuracy([1, 2], [1, 2, 3])
        }
        #expect(throws: StatisticsError.self) { try Metrics.balancedAccuracy([Int](), []) }
    }

    // MARK: ROC AUC

    @Test func binaryAUCMatchesScikitLearn() throws {
        let cases = try MetricsGoldens.load().roc
        #expect(cases.count >= 6)
        for c in cases {
            let auc = try Metrics.rocAUC(isPositive: c.labels.map { $0 == 1 }, scores: c.scores)
            #expect(isClose(auc, c.auc), "\(c.name): \(auc) vs \(c.auc)")
            #expect(try Metrics.rocAUC(c.labels, scores: c.scores, positive: 1) == auc)
        }
    }

    @Test func oneVsRestMacroAUCMatchesScikitLearn() throws {
        for c in try MetricsGoldens.load().rocOneVsRest {
            let scores = Matrix<Double>(c.scores)
            let auc = try Metrics.rocAUCOneVsRest(c.labels, scores: scores)
            #expect(isClose(auc, c.auc), "\(c.name): \(auc) vs \(c.auc)")
            // Explicit classes in the same (sorted) order give the same value; string names work too.
            let classes = Set(c.labels).sorted()
            #expect(try Metrics.rocAUCOneVsRest(c.labels.map { "c\($0)" }, scores: scores, classes: classes.map { "c\($0)" }) == auc)
        }
    }

    @Test func negatingScoresGivesOneMinusAUC() throws {
        var g = SeededGenerator(seed: 77)
        for trial in 0..<25 {
            let n = 2 + Int(g.next() % 200)
            var labels = (0..<n).map { _ in g.next() % 3 == 0 }
            labels[0] = true
            labels[1] = false
            // Coarse scores so that many are tied.
            let scores = (0..<n).map { _ in Double(g.next() % 10) + (trial.isMultiple(of: 2) ? g.nextUnitInterval() : 0) }
            let auc = try Metrics.rocAUC(isPositive: labels, scores: scores)
            let negated = try Metrics.rocAUC(isPositive: labels, scores: scores.map { -$0 })
            #expect(isClose(negated, 1 - auc, tolerance: 1e-15), "trial \(trial)")
            // Swapping the classes is the same as negating the scores.
            #expect(isClose(try Metrics.rocAUC(isPositive: labels.map { !$0 }, scores: scores), 1 - auc, tolerance: 1e-15))
            // Brute force over all positive–negative pairs, ties counting one half.
            var wins = 0.0
            for i in 0..<n where labels[i] {
                for j in 0..<n where !labels[j] {
                    wins += scores[i] > scores[j] ? 1 : (scores[i] == scores[j] ? 0.5 : 0)
                }
            }
            let pairs = Double(labels.filter { $0 }.count * labels.filter { !$0 }.count)
            #expect(isClose(auc, wins / pairs, tolerance: 1e-14), "trial \(trial)")
        }
    }

    @Test func infiniteScoresRankNormally() throws {
        let auc = try Metrics.rocAUC(isPositive: [true, false, true, false], scores: [.infinity, -.infinity, 1, 2])
        #expect(auc == 0.75)
    }

    @Test func aucErrors() throws {
        #expect(throws: StatisticsError.classes(
            what: "rocAUC: labels", expected: "both positive and negative samples", found: "only positives")) {
            try Metrics.rocAUC(isPositive: [true, true], scores: [0.1, 0.2])
        }
        #expect(throws: StatisticsError.self) { try Metrics.rocAUC(isPositive: [true, false], scores: [0.1, .nan]) }
        #expect(throws: StatisticsError.self) { try Metrics.rocAUC(isPositive: [true, false], scores: [0.1]) }
        let scores = Matrix<Double>([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
        #expect(throws: StatisticsError.self) { try Metrics.rocAUCOneVsRest([0, 1, 2], scores: scores) }  // 3 classes, 2 columns
        #expect(throws: StatisticsError.self) { try Metrics.rocAUCOneVsRest([0, 1, 2], scores: scores, classes: [0, 1]) }
        #expect(throws: StatisticsError.self) { try Metrics.rocAUCOneVsRest([0, 0, 0], scores: scores, classes: [0, 1]) }
        #expect(throws: StatisticsError.self) { try Metrics.rocAUCOneVsRest([0, 1, 0], scores: scores, classes: [1, 1]) }
        // Class 0 (rows 0, 2) scores 0.2 and 0.5 in column 0, below row 1's 0.6; class 1 (row 1)
        // scores 0.4 in column 1, below 0.8 and 0.5: both one-vs-rest AUCs are 0.
        let twoClasses = try Metrics.rocAUCOneVsRest([0, 1, 0], scores: scores, classes: [0, 1])
        #expect(twoClasses == 0)
        let reversed = try Metrics.rocAUCOneVsRest([1, 0, 1], scores: scores, classes: [0, 1])
        #expect(reversed == 1)
    }
}
