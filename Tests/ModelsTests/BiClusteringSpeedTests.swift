import Foundation
import Testing
@testable import Models

/// The speed-ups of the sweep keep its results: the one-pass maxPEAR picks the same cut as scoring
/// every cut separately, and the fused, warm-started Laplace fit lands on the same mode and value.
@Suite struct BiClusteringSpeedTests {
    /// The maxPEAR of mcclust computed the slow way: every cut of the same dendrogram scored separately.
    static func maxPEARByCuts(_ psm: [Double], _ n: Int, _ maxGroups: Int) -> (labels: [Int], pear: Double) {
        let merges = PartitionEstimate.averageLinkage(distance: psm.map { 1 - $0 }, count: n)
        var best = [Int](repeating: 0, count: n), bestValue = -Double.infinity
        for groups in 1...min(maxGroups, n) {
            let labels = PartitionEstimate.cut(merges: merges, count: n, groups: groups)
            let value = PartitionEstimate.pear(labels: labels, similarity: psm)
            if value > bestValue + 1e-12 { bestValue = value; best = labels }
        }
        return (best, bestValue)
    }

    /// Noisy block PSMs (the posterior co-clustering frequencies of a few hundred sweeps) of several
    /// sizes and block counts, including a cap below the true number of blocks.
    @Test(arguments: [(40, 4, 10), (90, 7, 12), (150, 3, 19), (60, 6, 3)])
    func oneRunMaxPEAREqualsScoringEveryCut(n: Int, blocks: Int, maxGroups: Int) throws {
        var g = SeededGenerator(seed: UInt64(n * 31 + blocks))
        let truth = (0..<n).map { _ in g.uniformInt(below: blocks) }
        var psm = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            psm[i * n + i] = 1
            for j in (i + 1)..<n {
                let base = truth[i] == truth[j] ? 0.8 : 0.15
                let v = (min(1, max(0, base + 0.3 * (g.nextUnitInterval() - 0.5))) * 300).rounded() / 300
                psm[i * n + j] = v
                psm[j * n + i] = v
            }
        }
        let fast = PartitionEstimate.maxPEAR(similarity: psm, count: n, maxGroups: maxGroups)
        let slow = Self.maxPEARByCuts(psm, n, maxGroups)
        #expect(fast.labels == slow.labels)
        #expect(abs(fast.pear - slow.pear) < 1e-10)
        #expect(abs(fast.pear - PartitionEstimate.pear(labels: fast.labels, similarity: psm)) < 1e-10)
        if maxGroups >= blocks { #expect(try Metrics.adjustedRandIndex(truth, fast.labels) > 0.9) }
    }

    /// A warm start (the neuron's current loadings) and the cold start β = 0 give the same mode, factor
    /// and log marginal to the Newton tolerance, in the NB and the Poisson model (from a far start in
    /// the Poisson model the damped steps matter).
    @Test(arguments: [false, true])
    func warmStartedLaplaceFitAgreesWithColdStart(poisson: Bool) {
        let rows = BiClusteringGoldens.laplaceRows, y = BiClusteringGoldens.laplaceCounts
        let t = y.count
        func fit(_ start: [Double]?) -> (Double, [Double], [Double]) {
            var laplace = LaplaceMarginal(p: 2, length: t)
            let value = y.withUnsafeBufferPointer { yb in
                BiClusteringGoldens.laplaceOffset.withUnsafeBufferPointer { ob in
                    rows.withUnsafeBufferPointer { rb in
                        (start ?? [0, 0]).withUnsafeBufferPointer { sb in
                            laplace.logMarginal(
                                y: yb.baseAddress!, offset: ob.baseAddress!, rows: rb.baseAddress!, stride: t,
                                dispersion: BiClusteringGoldens.laplaceDispersion, poisson: poisson, priorVariance: 1,
                                start: start == nil ? nil : sb.baseAddress!)
                        }
                    }
                }
            }
            return (value, laplace.beta, laplace.hessian)
        }
        let (cold, coldMode, coldFactor) = fit(nil)
        #expect(cold.isFinite)
        for start in [[0.4, -0.3], [-2.0, 3.0], coldMode] {
            let (warm, warmMode, warmFactor) = fit(start)
            // Both stop at a Newton decrement below 10⁻¹⁰; the value also carries log det(−H) at the
            // stopping point, so allow 10⁻⁶ nats (the Laplace approximation itself is ≈ 0.1 nats off).
            #expect(abs(warm - cold) < 1e-6, "log marginal from \(start): \(warm) vs \(cold)")
            for k in 0..<2 { #expect(abs(warmMode[k] - coldMode[k]) < 1e-3) }
            for k in 0..<4 { #expect(abs(warmFactor[k] - coldFactor[k]) < 1e-2 * max(1, abs(coldFactor[k]))) }
        }
        if !poisson {
            #expect(abs(cold - BiClusteringGoldens.laplaceExactLogMarginal) < 0.1)
        }
    }
}
