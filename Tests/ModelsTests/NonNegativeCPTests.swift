import Testing
@testable import Models

@Suite struct NonNegativeCPTests {
    static let small = try! PlantedNTF(neurons: 16, animals: 4, bins: 60, rank: 3, groupSize: 6, noise: 0.05, seed: 11)

    /// The streamed MTTKRPs equal the definition M⁽ⁿ⁾[i, r] = Σ X[…] Πₘ≠ₙ Uₘ[…, r].
    @Test func mttkrpMatchesDefinition() throws {
        var rng = SeededGenerator(seed: 1)
        let shape = [5, 3, 7]
        let x = try ThreeWayTensor(shape: shape, values: (0..<105).map { _ in rng.nextUnitInterval() })
        let r = 2
        let factors = shape.map { n in (0..<(n * r)).map { _ in rng.nextUnitInterval() } }
        let engine = CPEngine(tensor: x, factors: factors, rank: r)
        engine.refreshY()
        for mode in 0..<3 {
            let m = engine.computeMTTKRP(mode)
            var expected = [Double](repeating: 0, count: shape[mode] * r)
            for i in 0..<5 { for j in 0..<3 { for k in 0..<7 {
                let idx = [i, j, k]
                for q in 0..<r {
                    var prod = x[i, j, k]
                    for other in 0..<3 where other != mode { prod *= factors[other][idx[other] * r + q] }
                    expected[idx[mode] * r + q] += prod
                }
            } } }
            for k in expected.indices { #expect(abs(m[k] - expected[k]) < 1e-12) }
        }
        // The cheap SSE formula equals the direct residual.
        var direct = 0.0
        for i in 0..<5 { for j in 0..<3 { for k in 0..<7 {
            let d = x[i, j, k] - engine.model(at: (i * 3 + j) * 7 + k)
            direct += d * d
        } } }
        #expect(abs(engine.maskedSSE() - direct) < 1e-10 * max(1, direct))
    }

    /// The SIMD kernels against the definition at every padding case (rank 1, 4, 5 → 1, 1, 2 chunks),
    /// with rows not a multiple of four, in Float64 (1e-12), with the Float32 copy (1e-6 relative) and
    /// split over two workers (a tensor above the 65,536-entry threshold).
    @Test(arguments: [(1, false, 1), (4, false, 1), (5, false, 1), (5, true, 1), (4, false, 2), (5, true, 2)])
    func kernelsMatchDefinition(rank r: Int, single: Bool, threads: Int) throws {
        var rng = SeededGenerator(seed: UInt64(r * 10 + threads))
        let shape = threads > 1 ? [31, 3, 720] : [7, 3, 11]
        let count = shape[0] * shape[1] * shape[2]
        let x = try ThreeWayTensor(shape: shape, values: (0..<count).map { _ in rng.nextUnitInterval() })
        let factors = shape.map { n in (0..<(n * r)).map { _ in rng.nextUnitInterval() } }
        let engine = CPEngine(tensor: x, factors: factors, rank: r, singlePrecision: single, threads: threads)
        #expect(engine.threads == threads)
        engine.refreshY()
        let tolerance = single ? 1e-6 : 1e-12
        for mode in 0..<3 {
            let m = engine.computeMTTKRP(mode)
            var expected = [Double](repeating: 0, count: shape[mode] * r)
            for i in 0..<shape[0] { for j in 0..<shape[1] { for k in 0..<shape[2] {
                let idx = [i, j, k]
                let v = x[i, j, k]
                for q in 0..<r {
                    var prod = v
                    for other in 0..<3 where other != mode { prod *= factors[other][idx[other] * r + q] }
                    expected[idx[mode] * r + q] += prod
                }
            } } }
            for k in expected.indices { #expect(abs(m[k] - expected[k]) <= tolerance * max(1, abs(expected[k]))) }
        }
    }

    /// Float32 tensor, two workers and extrapolation change the path, not the answer: each fit of the
    /// small planted tensor ends at the plain Float64 fit's error (within 1e-5), extrapolated traces
    /// never increase, and extrapolation needs no more sweeps than plain HALS here.
    @Test func fastPathsReachTheSameFit() throws {
        let t = Self.small.tensor
        let plain = try NonNegativeCP(rank: 3, maxIterations: 400, tolerance: 1e-9, precision: .double, extrapolation: false)
            .fit(t, seed: 4)
        for (precision, extrapolation) in [(NonNegativeCP.Precision.single, false), (.double, true), (.single, true)] {
            let fit = try NonNegativeCP(
                rank: 3, maxIterations: 400, tolerance: 1e-9, precision: precision, extrapolation: extrapolation
            ).fit(t, seed: 4)
            #expect(abs(fit.relativeError - plain.relativeError) < 1e-5)
            if precision == .double && extrapolation {
                for k in 1..<fit.errorTrace.count { #expect(fit.errorTrace[k] <= fit.errorTrace[k - 1] + 1e-12) }
                #expect(fit.iterations <= plain.iterations)
            }
        }
    }

    @Test(arguments: NonNegativeCP.Algorithm.allCases)
    func objectiveNeverIncreases(_ algorithm: NonNegativeCP.Algorithm) throws {
        let model = try NonNegativeCP(rank: 4, algorithm: algorithm, maxIterations: 60, tolerance: 0)
        let fit = try model.fit(Self.small.tensor, seed: 3)
        // Default HALS (extrapolated) may stop early, converged, once a sweep from the accepted iterate
        // no longer lowers the error at working precision.
        #expect(fit.errorTrace.count == fit.iterations + 1)
        #expect(fit.iterations == 60 || (algorithm == .hals && fit.converged))
        for k in 1..<fit.errorTrace.count {
            #expect(fit.errorTrace[k] <= fit.errorTrace[k - 1] + 1e-10 * fit.errorTrace[0])
        }
        #expect(fit.errorTrace.last! < 0.5 * fit.errorTrace.first!)
    }

    /// With missing entries the masked objective is still monotone under HALS (EM imputation).
    @Test func halsMonotoneWithMask() throws {
        let t = Self.small.tensor
        let missing = stride(from: 0, to: t.count, by: 7).map { $0 }
        let masked = try ThreeWayTensor(shape: t.shape, values: t.values, missing: missing)
        let fit = try NonNegativeCP(rank: 3, maxIterations: 80, tolerance: 0).fit(masked, seed: 5)
        for k in 1..<fit.errorTrace.count { #expect(fit.errorTrace[k] <= fit.errorTrace[k - 1] + 1e-10 * fit.errorTrace[0]) }
    }

    /// Corrupt 10 % of the entries: masked, the fit ignores them and still recovers the planted
    /// factors and predicts the true values there; unmasked, the corruption distorts the fit.
    @Test func maskedEntriesDoNotInfluenceTheFit() throws {
        let planted = try PlantedNTF(neurons: 16, animals: 4, bins: 60, rank: 3, groupSize: 6, noise: 0, seed: 12)
        let t = planted.tensor
        var rng = SeededGenerator(seed: 9)
        let corrupted = Array(rng.permutation(t.count).prefix(t.count / 10)).sorted()
        var values = t.values
        let peak = t.values.max()!
        for i in corrupted { values[i] = peak * (2 + 3 * rng.nextUnitInterval()) }
        let model = try NonNegativeCP(rank: 3, maxIterations: 500, tolerance: 1e-10)
        let masked = try model.fit(ThreeWayTensor(shape: t.shape, values: values, missing: corrupted), restarts: 3, seed: 1)[0]
        let unmasked = try model.fit(ThreeWayTensor(shape: t.shape, values: values), restarts: 3, seed: 1)[0]
        let simMasked = try kruskalAlign(masked.factors, planted.truth).similarity
        let simUnmasked = try kruskalAlign(unmasked.factors, planted.truth).similarity
        #expect(simMasked > 0.999)
        #expect(simUnmasked < 0.95)
        let full = masked.factors.full()
        let worst = corrupted.map { abs(full[$0] - t.values[$0]) }.max()!
        #expect(worst < 1e-3 * peak)
        // Whatever the corrupted values are, the masked fit is the same.
        var other = values
        for i in corrupted { other[i] = 0.5 }
        let again = try model.fit(ThreeWayTensor(shape: t.shape, values: other, missing: corrupted), restarts: 3, seed: 1)[0]
        #expect(again.factors == masked.factors)
    }

    /// Small planted recipe: the rank sweep picks the planted rank; the best fit matches the truth
    /// (similarity ≥ 0.99) and its top neurons are the planted groups.
    @Test func rankSweepRecoversPlantedRankAndFactors() throws {
        let planted = try PlantedNTF(neurons: 20, animals: 5, bins: 80, rank: 3, groupSize: 6, noise: 0.1, seed: 21)
        let sweep = try NTFRankSweep(
            planted.tensor, ranks: [1, 2, 3, 4, 5], restarts: 4, options: NonNegativeCP(rank: 1, tolerance: 1e-7), seed: 2)
        #expect(sweep.selectedRank() == 3)
        let three = sweep.ranks[2]
        #expect(three.meanSimilarity > 0.99)
        #expect(sweep.ranks[4].meanSimilarity < three.meanSimilarity)
        let alignment = try kruskalAlign(three.best.factors, planted.truth)
        #expect(alignment.similarity >= 0.99)
        let pairs = NeuronPairs(neuronCount: 20)
        for k in 0..<3 {
            let truthComponent = alignment.match[k]!
            let top = Set(pairs.topNeurons(three.best.factors.factor(2, component: k), count: 6))
            let group = Set(planted.groups[truthComponent])
            #expect(Double(top.intersection(group).count) / Double(top.union(group).count) >= 0.9)
        }
    }

    @Test func seedsReproduce() throws {
        let model = try NonNegativeCP(rank: 3, maxIterations: 30)
        let a = try model.fit(Self.small.tensor, seed: 42)
        let b = try model.fit(Self.small.tensor, seed: 42)
        let c = try model.fit(Self.small.tensor, seed: 43)
        #expect(a == b)
        #expect(a.errorTrace != c.errorTrace)
        let r1 = try model.fit(Self.small.tensor, restarts: 3, seed: 7)
        let r2 = try model.fit(Self.small.tensor, restarts: 3, seed: 7)
        #expect(r1 == r2 && Set(r1.map(\.restart)) == [0, 1, 2])
    }

    /// kruskalAlign: a permuted, rescaled copy scores 1 and the match inverts the permutation; for
    /// rank-1 tensors the score is the mean over modes of |cosine|.
    @Test func kruskalAlignScores() throws {
        let truth = Self.small.truth
        let permuted = try KruskalTensor(factors: truth.permuted([2, 0, 1]).factors.map { $0 * 3 })
        let alignment = try kruskalAlign(truth, permuted)
        #expect(abs(alignment.similarity - 1) < 1e-12)
        #expect(alignment.match == [1, 2, 0])
        let a = try KruskalTensor(factors: [Matrix([[1], [0]]), Matrix([[1], [0]]), Matrix([[1], [1]])])
        let b = try KruskalTensor(factors: [Matrix([[1], [1]]), Matrix([[0], [1]]), Matrix([[1], [1]])])
        let s = try kruskalAlign(a, b).similarity
        #expect(abs(s - (1 / 2.0.squareRoot() + 0 + 1) / 3) < 1e-12)
        #expect(throws: ParameterError.self) { try kruskalAlign(a, truth) }
    }

    @Test func rejectsBadInput() {
        #expect(throws: ParameterError.self) { try ThreeWayTensor(shape: [2, 2], values: [1, 2, 3, 4]) }
        #expect(throws: ParameterError.self) { try ThreeWayTensor(shape: [1, 1, 2], values: [1, -1]) }
        #expect(throws: ParameterError.self) { try NonNegativeCP(rank: 0) }
        #expect(throws: ParameterError.self) { try NonNegativeCP(rank: 1, threads: 0) }
        #expect(throws: ParameterError.self) {
            try NonNegativeCP(rank: 1).fit(ThreeWayTensor(shape: [1, 1, 2], values: [0, 0]), seed: 1)
        }
    }
}
