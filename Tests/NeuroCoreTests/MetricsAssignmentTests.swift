import Foundation
import Testing
@testable import NeuroCore

@Suite struct MetricsAssignmentTests {
    @Test func linearAssignmentMatchesScipy() throws {
        for c in try MetricsGoldens.load().assignment {
            let a = try LinearAssignment(cost: c.costMatrix, maximize: c.maximize)
            #expect(isClose(a.totalCost, c.totalCost), "\(c.name): \(a.totalCost) vs \(c.totalCost)")
            // Continuous random costs: the optimum is unique, so the pairs agree too.
            #expect(a.rows == c.rows && a.columns == c.columns, "\(c.name)")
        }
    }

    /// Every injective map of the smaller side into the larger one, as index arrays.
    private func injections(_ count: Int, into size: Int) -> [[Int]] {
        if count == 0 { return [[]] }
        return injections(count - 1, into: size).flatMap { prefix in
            (0..<size).filter { !prefix.contains($0) }.map { prefix + [$0] }
        }
    }

    @Test func hungarianEqualsBruteForceOnSmallMatrices() throws {
        var g = SeededGenerator(seed: 6)
        let shapes = [(6, 6), (6, 6), (6, 6), (6, 6), (6, 6), (6, 6), (6, 6), (6, 6), (4, 6), (6, 4), (3, 7), (1, 1)]
        for (trial, (n, m)) in shapes.enumerated() {
            let cost = Matrix<Double>(rows: n, columns: m) { _, _ in 10 * g.nextUnitInterval() - 3 }
            let maximize = trial % 3 == 2
            var best = maximize ? -Double.infinity : .infinity
            if n <= m {
                for columns in injections(n, into: m) {
                    let total = (0..<n).reduce(0.0) { $0 + cost[$1, columns[$1]] }
                    best = maximize ? max(best, total) : min(best, total)
                }
            } else {
                for rows in injections(m, into: n) {
                    let total = (0..<m).reduce(0.0) { $0 + cost[rows[$1], $1] }
                    best = maximize ? max(best, total) : min(best, total)
                }
            }
            let a = try LinearAssignment(cost: cost, maximize: maximize)
            #expect(isClose(a.totalCost, best, tolerance: 1e-13), "trial \(trial) \(n)×\(m)")
            #expect(a.rows.count == min(n, m))
            #expect(a.rows == a.rows.sorted() && Set(a.rows).count == a.rows.count && Set(a.columns).count == a.columns.count)
        }
    }

    @Test func forbiddenPairsAndEmptyMatrices() throws {
        let inf = Double.infinity
        // The cheap diagonal is forbidden, so the anti-diagonal must be used.
        let a = try LinearAssignment(cost: Matrix([[inf, 1], [2, inf]]))
        #expect(a.columns == [1, 0] && a.totalCost == 3)
        let empty = try LinearAssignment(cost: Matrix<Double>(rows: 0, columns: 4))
        #expect(empty.rows.isEmpty && empty.totalCost == 0)
        #expect(throws: StatisticsError.infeasibleAssignment(rows: 3, columns: 2)) {
            try LinearAssignment(cost: Matrix([[1, inf], [2, inf], [3, inf]]))
        }
        #expect(throws: StatisticsError.invalidValue(
            what: "linear assignment", index: 3, expected: "a number or +∞ (forbidden pair)", found: -inf)) {
            try LinearAssignment(cost: Matrix([[1, 2], [3, -inf]]))
        }
        // The reported index is in the caller's (untransposed) matrix.
        #expect(throws: StatisticsError.invalidValue(
            what: "linear assignment (maximising)", index: 1, expected: "a number or −∞ (forbidden pair)", found: inf)) {
            try LinearAssignment(cost: Matrix([[1, inf], [3, 4], [5, 6]]), maximize: true)
        }
        #expect(throws: StatisticsError.self) { try LinearAssignment(cost: Matrix([[1, .nan]])) }
    }

    // MARK: Label matching

    @Test func renamedClusteringMatchesPerfectly() throws {
        let truth = ["a", "a", "b", "b", "b", "c"]
        let predicted = [7, 7, 3, 3, 3, 9]
        let matching = try LabelMatching(truth: truth, predicted: predicted)
        #expect(matching.mapping == [7: "a", 3: "b", 9: "c"])
        #expect(matching.accuracy == 1 && matching.agreeing == 6 && matching.unmatched.isEmpty)
        #expect(matching.relabel(predicted) == truth)
    }

    @Test func surplusClustersStayUnmatched() throws {
        // Cluster 2 holds the single sample that overlaps least; cluster 0 → x, cluster 1 → y.
        let truth = ["x", "x", "x", "y", "y", "y", "x"]
        let predicted = [0, 0, 0, 1, 1, 1, 2]
        let matching = try LabelMatching(truth: truth, predicted: predicted)
        #expect(matching.mapping == [0: "x", 1: "y"])
        #expect(matching.unmatched == [2])
        #expect(matching.agreeing == 6)
        #expect(matching.relabel(predicted) == ["x", "x", "x", "y", "y", "y", nil])
        // More classes than clusters: the best two classes get the clusters.
        #expect(try Metrics.clusteringAccuracy([0, 0, 1, 1, 2], ["p", "p", "q", "q", "q"]) == 0.8)
    }

    @Test func clusteringAccuracyEqualsBruteForce() throws {
        var g = SeededGenerator(seed: 99)
        for trial in 0..<15 {
            let n = 30 + Int(g.next() % 50)
            let k = 2 + Int(g.next() % 4), l = 2 + Int(g.next() % 4)
            let truth = (0..<n).map { _ in Int(g.next() % UInt64(k)) }
            let predicted = truth.map { t in g.next() % 3 == 0 ? Int(g.next() % UInt64(l)) : t % l }
            let matching = try LabelMatching(truth: truth, predicted: predicted)
            // Brute force over injections of the smaller label set into the larger one.
            let clusters = Array(Set(predicted)).sorted(), classes = Array(Set(truth)).sorted()
            var best = 0
            func overlap(_ p: Int, _ t: Int) -> Int { zip(predicted, truth).filter { $0 == p && $1 == t }.count }
            if clusters.count <= classes.count {
                for map in injections(clusters.count, into: classes.count) {
                    best = max(best, clusters.indices.reduce(0) { $0 + overlap(clusters[$1], classes[map[$1]]) })
                }
            } else {
                for map in injections(classes.count, into: clusters.count) {
                    best = max(best, classes.indices.reduce(0) { $0 + overlap(clusters[map[$1]], classes[$1]) })
                }
            }
            #expect(matching.agreeing == best, "trial \(trial)")
            let relabelled = matching.relabel(predicted)
            #expect(zip(relabelled, truth).filter { $0 == $1 }.count == best)
        }
    }
}
