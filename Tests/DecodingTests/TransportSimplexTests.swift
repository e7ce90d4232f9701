import Foundation
import Testing
@testable import Decoding

/// The transportation simplex (the exact W₁ inside Ollivier–Ricci curvature) against successive
/// shortest paths, an independent exact min-cost flow, on random and deliberately degenerate problems.
@Suite struct TransportSimplexTests {
    /// Solves with both methods; the simplex must not need its fallback.
    func both(_ a: [Double], _ b: [Double], _ c: [Double]) -> (simplex: Double?, reference: Double) {
        var workspace = TransportWorkspace()
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeBufferPointer { pc in
                    (workspace.transportationSimplex(pa, pb, pc), workspace.successiveShortestPaths(pa, pb, pc))
                }
            }
        }
    }

    func histogram(_ count: Int, _ generator: inout SeededGenerator, zeros: Bool = false) -> [Double] {
        var h = (0..<count).map { _ in generator.nextUnitInterval() + 0.05 }
        if zeros && count > 2 { h[1] = 0 }
        let total = h.reduce(0, +)
        return h.map { $0 / total }
    }

    @Test func matchesSuccessiveShortestPathsOnRandomProblems() throws {
        var generator = SeededGenerator(seed: 11)
        for trial in 0..<300 {
            let n = 1 + trial % 13, m = 1 + (trial / 13) % 11
            let a = histogram(n, &generator, zeros: trial % 5 == 0), b = histogram(m, &generator, zeros: trial % 7 == 0)
            // Metric-like costs from points on a line, or integer costs full of ties.
            let xs = (0..<n).map { _ in generator.nextUnitInterval() * 4 }, ys = (0..<m).map { _ in generator.nextUnitInterval() * 4 }
            let c = trial % 2 == 0
                ? (0..<(n * m)).map { abs(xs[$0 / m] - ys[$0 % m]) }
                : (0..<(n * m)).map { _ in Double(Int(generator.nextUnitInterval() * 4)) }
            let (simplex, reference) = both(a, b, c)
            let s = try #require(simplex, "trial \(trial): simplex fell back")
            #expect(abs(s - reference) < 1e-12, "trial \(trial) \(n)×\(m): \(s) vs \(reference)")
        }
    }

    @Test func degenerateStartsStillSpanTheBasis() throws {
        // Equal uniform masses make every least-cost allocation exhaust a row and a column at once.
        for size in [2, 3, 5, 8] {
            let u = [Double](repeating: 1 / Double(size), count: size)
            let c = (0..<(size * size)).map { Double(($0 * 7) % 5) }
            let (simplex, reference) = both(u, u, c)
            let s = try #require(simplex)
            #expect(abs(s - reference) < 1e-12)
        }
        // A permutation-structured optimum (cheapest assignment 1 + 2 + 2 over three).
        let (s, _) = both([1, 1, 1].map { $0 / 3 }, [1, 1, 1].map { $0 / 3 }, [4, 1, 3, 2, 0, 5, 3, 2, 2])
        #expect(abs(try #require(s) - 5.0 / 3) < 1e-12)
    }
}
