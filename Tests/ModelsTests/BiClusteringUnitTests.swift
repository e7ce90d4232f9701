import Foundation
import Testing
@testable import Models

/// Unit goldens of the bi-clustering sampler's building blocks (methods note §7.1).
@Suite struct BiClusteringUnitTests {
    // MARK: MFM coefficients

    @Test func mfmCoefficientsMatchGoldens() {
        let v = MFMCoefficients(n: 30, maxBlocks: 7, gamma: 1, geometric: 0.2)
        for t in 1...7 {
            #expect(abs(v.log(blocks: t) - BiClusteringGoldens.mfmLogV30[t - 1]) < 1e-9, "log V_30(\(t))")
        }
        // The methods note's values from the author's MFMcoeff (4 decimals).
        let author = [-76.2133, -79.0696, -80.8068, -81.8305, -82.3232, -82.3904]
        for (t, value) in author.enumerated() { #expect(abs(v.log(blocks: t + 1) - value) < 5e-5) }
    }

    @Test func mfmRecurrenceHolds() {
        // V_n(t) = (n + γt)·V_{n+1}(t) + γ·V_{n+1}(t+1), for γ ∈ {1, 0.5}.
        for gamma in [1.0, 0.5] {
            for n in [5, 30] {
                let vn = MFMCoefficients(n: n, maxBlocks: 8, gamma: gamma, geometric: 0.2)
                let vn1 = MFMCoefficients(n: n + 1, maxBlocks: 9, gamma: gamma, geometric: 0.2)
                for t in 1...8 {
                    let rhs = MFMCoefficients.logAdd(
                        Double.log(Double(n) + gamma * Double(t)) + vn1.log(blocks: t), Double.log(gamma) + vn1.log(blocks: t + 1))
                    #expect(abs(vn.log(blocks: t) - rhs) < 1e-11, "n = \(n), t = \(t), γ = \(gamma)")
                }
            }
        }
    }

    @Test func mfmPartitionProbabilitiesSumToOne() {
        // Σ over all set partitions of 6 items of V_6(t) Π_j Γ(γ + n_j)/Γ(γ) = 1 (γ = 1: Π (n_j)!).
        let v = MFMCoefficients(n: 6, maxBlocks: 6, gamma: 1, geometric: 0.2)
        for t in 1...6 { #expect(abs(v.log(blocks: t) - BiClusteringGoldens.mfmLogV6[t - 1]) < 1e-9) }
        var total = 0.0
        func visit(_ labels: [Int], _ blocks: Int) {
            if labels.count == 6 {
                var sizes = [Int](repeating: 0, count: blocks)
                for l in labels { sizes[l] += 1 }
                let logProduct = sizes.reduce(0.0) { $0 + Double.logGamma(1 + Double($1)) }
                total += Double.exp(v.log(blocks: blocks) + logProduct)
                return
            }
            for l in 0...blocks { visit(labels + [l], Swift.max(blocks, l + 1)) }
        }
        visit([0], 1)
        #expect(abs(total - 1) < 1e-10)
    }

    // MARK: MNIW

    @Test func mniwPosteriorMatchesClosedForm() throws {
        let d = 2
        let previous = BiClusteringGoldens.mniwPrevious, next = BiClusteringGoldens.mniwNext
        let n = next.count / d
        var sxx = Matrix<Double>(rows: d, columns: d), sxu = Matrix<Double>(rows: d, columns: d + 1)
        var suu = Matrix<Double>(rows: d + 1, columns: d + 1)
        for t in 0..<n {
            let x = Array(next[(t * d)..<((t + 1) * d)]), u = Array(previous[(t * d)..<((t + 1) * d)]) + [1]
            for i in 0..<d { for j in 0..<d { sxx[i, j] += x[i] * x[j] }; for j in 0...d { sxu[i, j] += x[i] * u[j] } }
            for i in 0...d { for j in 0...d { suu[i, j] += u[i] * u[j] } }
        }
        let post = try MNIWPosterior(sxx: sxx, sxu: sxu, suu: suu, count: n, columnPrecision: 1, scale: 0.01, degreesOffset: 2)
        #expect(post.mean.elements.enumerated().allSatisfy { abs($1 - BiClusteringGoldens.mniwMean[$0]) < 1e-10 })
        #expect(post.columnPrecision.elements.enumerated().allSatisfy { abs($1 - BiClusteringGoldens.mniwColumnPrecision[$0]) < 1e-9 })
        #expect(post.scale.elements.enumerated().allSatisfy { abs($1 - BiClusteringGoldens.mniwScale[$0]) < 1e-10 })
        #expect(post.degreesOfFreedom == BiClusteringGoldens.mniwDegrees)
        // Draws: E[Q] = S_n/(ν_n − D − 1), E[[A | b]] = M_n.
        var g = SeededGenerator(seed: 5)
        var meanQ = [Double](repeating: 0, count: d * d), meanAB = [Double](repeating: 0, count: d * (d + 1))
        let draws = 4000
        for _ in 0..<draws {
            let dyn = try post.sample(generator: &g)
            for k in 0..<(d * d) { meanQ[k] += dyn.q[k] / Double(draws) }
            for i in 0..<d { for j in 0..<d { meanAB[i * (d + 1) + j] += dyn.a[i * d + j] / Double(draws) }; meanAB[i * (d + 1) + d] += dyn.b[i] / Double(draws) }
        }
        for k in 0..<(d * d) {
            let expected = post.scale.elements[k] / (post.degreesOfFreedom - Double(d) - 1)
            #expect(abs(meanQ[k] - expected) < 0.05 * abs(post.scale[0, 0] / (post.degreesOfFreedom - 3)) + 1e-12)
        }
        for k in meanAB.indices { #expect(abs(meanAB[k] - post.mean.elements[k]) < 0.02) }
    }

    // MARK: FFBS

    /// J_t = Cᵀ R⁻¹ C and h_t = Cᵀ R⁻¹ y_t over the observed rows of the golden system.
    static func goldenFFBS() -> (InformationFFBS, [AffineDynamics]) {
        let d = 2, m = 3, t = BiClusteringGoldens.kalmanStates.count
        let ffbs = InformationFFBS(dimension: d, length: t)
        let c = BiClusteringGoldens.kalmanC, r = BiClusteringGoldens.kalmanR
        for s in 0..<t {
            for row in 0..<m {
                let y = BiClusteringGoldens.kalmanY[s * m + row]
                if y.isNaN { continue }
                for i in 0..<d {
                    ffbs.observationInformation[s * d + i] += c[row * d + i] * y / r[row]
                    for j in 0..<d { ffbs.observationPrecision[s * d * d + i * d + j] += c[row * d + i] * c[row * d + j] / r[row] }
                }
            }
        }
        let dynamics = (0..<2).map {
            AffineDynamics(dimension: d, a: BiClusteringGoldens.kalmanA[$0], b: BiClusteringGoldens.kalmanB[$0], q: BiClusteringGoldens.kalmanQ[$0])
        }
        return (ffbs, dynamics)
    }

    @Test func ffbsBackwardPassEqualsRTSSmoother() throws {
        let (ffbs, dynamics) = Self.goldenFFBS()
        let moments = try ffbs.smoothedMoments(dynamics: dynamics, states: BiClusteringGoldens.kalmanStates)
        for (k, v) in moments.means.enumerated() { #expect(abs(v - BiClusteringGoldens.smoothedMeans[k]) < 1e-10) }
        for (k, v) in moments.covariances.enumerated() { #expect(abs(v - BiClusteringGoldens.smoothedCovariances[k]) < 1e-10) }
    }

    @Test func ffbsSampleMomentsMatchSmoother() throws {
        let (ffbs, dynamics) = Self.goldenFFBS()
        let states = BiClusteringGoldens.kalmanStates
        let t = states.count, d = 2, draws = 4000
        var g = SeededGenerator(seed: 11)
        var x = [Double](repeating: 0, count: t * d)
        var sum = [Double](repeating: 0, count: t * d), sumSq = sum
        for _ in 0..<draws {
            try ffbs.sample(dynamics: dynamics, states: states, into: &x, generator: &g)
            for k in x.indices { sum[k] += x[k]; sumSq[k] += x[k] * x[k] }
        }
        for k in 0..<(t * d) {
            let mean = sum[k] / Double(draws)
            let variance = sumSq[k] / Double(draws) - mean * mean
            let truthVar = BiClusteringGoldens.smoothedCovariances[(k / d) * d * d + (k % d) * d + k % d]
            let z = (mean - BiClusteringGoldens.smoothedMeans[k]) / (truthVar / Double(draws)).squareRoot()
            #expect(abs(z) < 4.5, "mean z = \(z) at \(k)")
            // Variance: relative standard error ≈ √(2/draws) ≈ 2.2 %.
            #expect(abs(variance / truthVar - 1) < 0.1, "variance ratio at \(k)")
        }
    }

    // MARK: Laplace marginal

    @Test func laplaceMarginalIsCloseToQuadrature() {
        let rows = BiClusteringGoldens.laplaceRows, y = BiClusteringGoldens.laplaceCounts
        let t = y.count
        var laplace = LaplaceMarginal(p: 2, length: t)
        let value = y.withUnsafeBufferPointer { yb in
            BiClusteringGoldens.laplaceOffset.withUnsafeBufferPointer { ob in
                rows.withUnsafeBufferPointer { rb in
                    laplace.logMarginal(
                        y: yb.baseAddress!, offset: ob.baseAddress!, rows: rb.baseAddress!, stride: t,
                        dispersion: BiClusteringGoldens.laplaceDispersion, poisson: false, priorVariance: 1)
                }
            }
        }
        #expect(abs(value - BiClusteringGoldens.laplaceExactLogMarginal) < 0.1, "Laplace \(value) vs exact \(BiClusteringGoldens.laplaceExactLogMarginal)")
    }

    // MARK: Pólya-Gamma moments for the shapes the sampler uses (non-integer b)

    @Test func polyaGammaMomentsForSweepShapes() {
        var g = SeededGenerator(seed: 3)
        for b in [1.0, 2.5, 37.3, 300] {
            for c in [0.0, 0.1, 5] {
                let draws = 3000
                var s = 0.0
                for _ in 0..<draws { s += g.polyaGamma(b: b, c: c) }
                let mean = s / Double(draws)
                let sd = (PolyaGamma.variance(b: b, c: c) / Double(draws)).squareRoot()
                #expect(abs(mean - PolyaGamma.mean(b: b, c: c)) < 4.5 * sd, "b = \(b), c = \(c)")
            }
        }
    }

    // MARK: Partition estimates and diagnostics

    @Test func maxPEARRecoversBlockPartitionAndPEARIsOneAtTruth() {
        // A PSM with three clean blocks plus noise; maxPEAR must return the blocks.
        let n = 12
        let truth = (0..<n).map { $0 / 4 }
        var g = SeededGenerator(seed: 9)
        var psm = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n {
            let base = truth[i] == truth[j] ? 0.9 : 0.1
            psm[i * n + j] = i == j ? 1 : Swift.min(1, Swift.max(0, base + 0.05 * (g.nextUnitInterval() - 0.5)))
        } }
        for i in 0..<n { for j in 0..<i { psm[i * n + j] = psm[j * n + i] } }
        let estimate = PartitionEstimate.maxPEAR(similarity: psm, count: n, maxGroups: 5)
        #expect((try? Metrics.adjustedRandIndex(truth, estimate.labels)) == 1)
        // A 0/1 PSM of a partition has PEAR 1 at that partition.
        let exact = (0..<(n * n)).map { truth[$0 / n] == truth[$0 % n] ? 1.0 : 0.0 }
        #expect(abs(PartitionEstimate.pear(labels: truth, similarity: exact) - 1) < 1e-12)
    }

    @Test func splitRHatSeparatesMixedFromStuckChains() {
        var g = SeededGenerator(seed: 1)
        let mixed = (0..<4).map { _ in (0..<400).map { _ in g.standardNormal() } }
        let stuck = (0..<4).map { c in (0..<400).map { _ in g.standardNormal() + Double(c) * 2 } }
        let r1 = PartitionEstimate.splitRHat(mixed)!, r2 = PartitionEstimate.splitRHat(stuck)!
        #expect(r1 < 1.02)
        #expect(r2 > 1.5)
        #expect(PartitionEstimate.splitRHat([[1, 2, 3]]) == nil)
    }

    // MARK: Sticky HDP-HMM

    @Test func stickyHMMSeparatesTwoRegimesOnAToyGaussianHMM() {
        // 1-D Gaussian emissions with means 0 and 3, long dwell times, L = 10. Under the weak-limit
        // HDP prior (γ = 5) a regime may be carried by several redundant states, so the check is on what
        // the model identifies: no occupied state mixes the regimes (purity), and the co-assignment
        // frequency of bins across regimes stays far below that within regimes.
        var g = SeededGenerator(seed: 21)
        let t = 300, l = 10
        var truth = [Int](), state = 0
        while truth.count < t { for _ in 0..<(20 + g.uniformInt(below: 20)) where truth.count < t { truth.append(state) }; state = 1 - state }
        let y = truth.map { Double($0) * 3 + g.standardNormal() }
        var hmm = StickyHDPHMM(stateCount: l, alpha: 5, gamma: 5, kappa: 10, generator: &g)
        var states = (0..<t).map { _ in g.uniformInt(below: l) }
        var means = (0..<l).map { _ in g.normal(mean: 1.5, standardDeviation: 2) }
        var ll = [Double](repeating: 0, count: t * l), work = ll
        var purity = [Double](), within = 0.0, across = 0.0, withinPairs = 0.0, acrossPairs = 0.0
        for sweep in 0..<150 {
            for s in 0..<t { for k in 0..<l { ll[s * l + k] = -0.5 * (y[s] - means[k]) * (y[s] - means[k]) } }
            hmm.sampleStates(logLikelihoods: ll, into: &states, workspace: &work, generator: &g)
            hmm.resampleParameters(states: states, generator: &g)
            for k in 0..<l {   // conjugate N(1.5, 4) prior on each mean, unit noise
                let members = (0..<t).filter { states[$0] == k }
                let precision = 0.25 + Double(members.count)
                let m = (1.5 * 0.25 + members.reduce(0) { $0 + y[$1] }) / precision
                means[k] = g.normal(mean: m, standardDeviation: (1 / precision).squareRoot())
            }
            guard sweep >= 50 else { continue }
            var majority = 0
            for k in 0..<l {
                let regimes = (0..<t).filter { states[$0] == k }.map { truth[$0] }
                majority += Swift.max(regimes.filter { $0 == 0 }.count, regimes.filter { $0 == 1 }.count)
            }
            purity.append(Double(majority) / Double(t))
            for a in stride(from: 0, to: t, by: 3) { for b in stride(from: a + 1, to: t, by: 3) {
                let same = states[a] == states[b] ? 1.0 : 0.0
                if truth[a] == truth[b] { within += same; withinPairs += 1 } else { across += same; acrossPairs += 1 }
            } }
        }
        #expect(purity.reduce(0, +) / Double(purity.count) > 0.95)
        #expect(across / acrossPairs < 0.05)
        #expect(within / withinPairs > 0.4)
    }

    @Test func stickinessLengthensDwellTimes() {
        // Prior draws of the transition matrix: E[π_jj] grows with κ.
        var g = SeededGenerator(seed: 4)
        func meanSelf(_ kappa: Double) -> Double {
            var s = 0.0
            for _ in 0..<200 {
                let hmm = StickyHDPHMM(stateCount: 10, alpha: 5, gamma: 5, kappa: kappa, generator: &g)
                for j in 0..<10 { s += hmm.transitions[j * 10 + j] / 2000 }
            }
            return s
        }
        let loose = meanSelf(0), sticky = meanSelf(10)
        // E[π_jj] = (αβ_j + κ)/(α + κ): ≈ 0.1 without and ≈ 0.7 with κ = 10.
        #expect(loose < 0.2)
        #expect(sticky > 0.6)
    }

    // MARK: Configuration

    @Test func configurationRejectsBadSettings() {
        var c = BiClusteringConfiguration()
        #expect(throws: Never.self) { try c.validate() }
        c.clusterCountGeometric = 1
        #expect(throws: ParameterError.self) { try c.validate() }
        c = BiClusteringConfiguration(); c.burnIn = c.sweeps
        #expect(throws: ParameterError.self) { try c.validate() }
        c = BiClusteringConfiguration(); c.stickyKappa = -1
        #expect(throws: ParameterError.self) { try c.validate() }
        c = BiClusteringConfiguration(); c.latentDimension = 0
        #expect(throws: ParameterError.self) { try c.validate() }
    }

    @Test func fitRejectsInvalidCounts() {
        var config = BiClusteringConfiguration()
        config.sweeps = 2; config.burnIn = 0
        let model = BiClustering(configuration: config)
        #expect(throws: BiClusteringError.self) { try model.fit(counts: [1, 2, -1, 0, 1, 2], neurons: 2, bins: 3, seed: 1) }
        #expect(throws: BiClusteringError.self) { try model.fit(counts: [1, 2.5, 1, 0, 1, 2], neurons: 2, bins: 3, seed: 1) }
        #expect(throws: BiClusteringError.self) { try model.fit(counts: [1, 2, 1], neurons: 1, bins: 3, seed: 1) }
        #expect(throws: BiClusteringError.self) { try model.fit(counts: [1, 2, 1, 0], neurons: 2, bins: 3, seed: 1) }
    }
}
