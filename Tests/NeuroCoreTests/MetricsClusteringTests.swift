import Foundation
import Testing
@testable import NeuroCore

@Suite struct MetricsClusteringTests {
    @Test func ariNmiAndMutualInformationMatchScikitLearn() throws {
        let cases = try MetricsGoldens.load().clustering
        #expect(cases.count >= 8)
        for c in cases {
            let ari = try Metrics.adjustedRandIndex(c.truth, c.predicted)
            let nmi = try Metrics.normalizedMutualInformation(c.truth, c.predicted)
            let mi = try Metrics.mutualInformation(c.truth, c.predicted)
            #expect(isClose(ari, c.ari), "ARI \(c.name): \(ari) vs \(c.ari)")
            #expect(isClose(nmi, c.nmi), "NMI \(c.name): \(nmi) vs \(c.nmi)")
            #expect(isClose(mi, c.mi), "MI \(c.name): \(mi) vs \(c.mi)")
        }
    }

    @Test func scikitLearnSpecialCases() throws {
        let ones = [Int](repeating: 0, count: 9)
        let singletons = Array(0..<9)
        // Identical one-cluster or all-singleton partitions agree perfectly.
        #expect(try Metrics.adjustedRandIndex(ones, ones.map { _ in "x" }) == 1)
        #expect(try Metrics.normalizedMutualInformation(ones, ones) == 1)
        #expect(try Metrics.adjustedRandIndex(singletons, singletons.reversed()) == 1)
        #expect(try Metrics.normalizedMutualInformation(singletons, singletons.reversed()) == 1)
        // One cluster against singletons: no pair agreement beyond chance, no shared information.
        #expect(try Metrics.adjustedRandIndex(ones, singletons) == 0)
        #expect(try Metrics.normalizedMutualInformation(ones, singletons) == 0)
        #expect(try Metrics.mutualInformation(ones, singletons) == 0)
        #expect(try Metrics.adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]) == -0.5)
        // A single sample is trivially one cluster in both.
        #expect(try Metrics.adjustedRandIndex([3], ["a"]) == 1)
        #expect(try Metrics.normalizedMutualInformation([3], ["a"]) == 1)
    }

    @Test func invariantUnderRenamingAndSymmetric() throws {
        var g = SeededGenerator(seed: 2024)
        for trial in 0..<20 {
            let n = 10 + Int(g.next() % 300)
            let k1 = 1 + Int(g.next() % 8), k2 = 1 + Int(g.next() % 12)
            let a = (0..<n).map { _ in Int(g.next() % UInt64(k1)) }
            let b = (0..<n).map { _ in Int(g.next() % UInt64(k2)) }
            // Rename both labellings through random bijections onto strings of another type.
            let renameA = Array(0..<k1).shuffled(using: &g).map { "class-\($0)" }
            let renameB = Array(0..<k2).shuffled(using: &g).map { "cluster-\($0 * 7)" }
            let a2 = a.map { renameA[$0] }, b2 = b.map { renameB[$0] }

            let ari = try Metrics.adjustedRandIndex(a, b)
            #expect(try Metrics.adjustedRandIndex(a2, b2) == ari, "trial \(trial)")
            #expect(try Metrics.adjustedRandIndex(b, a) == ari, "trial \(trial)")
            let nmi = try Metrics.normalizedMutualInformation(a, b)
            #expect(isClose(try Metrics.normalizedMutualInformation(a2, b2), nmi, tolerance: 1e-14), "trial \(trial)")
            #expect(isClose(try Metrics.normalizedMutualInformation(b, a), nmi, tolerance: 1e-14), "trial \(trial)")
            #expect(ari <= 1 && nmi >= 0 && nmi <= 1 + 1e-15)
        }
    }

    @Test func ariIsExactForLargeSamplesWhereProductsExceed64Bits() throws {
        // n = 200 000 in two halves, predicted splits each half in two: tp·tn ≈ 10²⁰ overflows Int64.
        let n = 200_000
        let truth = (0..<n).map { $0 < n / 2 ? 0 : 1 }
        let predicted = (0..<n).map { $0 / (n / 4) }
        // Closed form with ordered pairs: tp = 4·q(q − 1), fn = 2·h(h − 1) − tp with h = n/2, q = n/4.
        let h = Double(n / 2), q = Double(n / 4), total = Double(n)
        let tp = 4 * q * (q - 1), fn = 2 * h * (h - 1) - tp, fp = 0.0
        let tn = total * total - total - tp - fn - fp
        let expected = 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
        #expect(isClose(try Metrics.adjustedRandIndex(truth, predicted), expected, tolerance: 1e-12))
    }

    @Test func mismatchedOrEmptyLabellingsThrow() {
        #expect(throws: StatisticsError.lengthMismatch(what: "adjustedRandIndex: second array", expected: 3, found: 2)) {
            try Metrics.adjustedRandIndex([1, 2, 3], [1, 2])
        }
        #expect(throws: StatisticsError.self) { try Metrics.normalizedMutualInformation([1], [1, 2]) }
        #expect(throws: StatisticsError.tooFewValues(what: "normalizedMutualInformation", expected: "at least 1", found: 0)) {
            try Metrics.normalizedMutualInformation([Int](), [Int]())
        }
    }
}
