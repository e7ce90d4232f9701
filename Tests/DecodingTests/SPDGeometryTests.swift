import Foundation
import Testing
@testable import Decoding

/// Closed forms and invariances of the SPD geometry (methods note §5.1).
@Suite struct SPDGeometryTests {
    func randomSPD(_ n: Int, _ rng: inout SeededGenerator) -> Matrix<Double> {
        let a = Matrix<Double>(rows: n, columns: n) { _, _ in rng.standardNormal() }
        return (a.multiplied(by: a, transposingOther: true) + Matrix.identity(n) * 0.5).symmetrized()
    }

    @Test func distanceFromIdentityIsTheNormOfTheLogEigenvalues() throws {
        let a = [0.3, -1.2, 2.0, 0.0]
        let d = try SPD.distance(Matrix.identity(4), Matrix.diagonal(a.map(Foundation.exp)))
        #expect(abs(d - (a.reduce(0) { $0 + $1 * $1 }).squareRoot()) < 1e-12)
        let le = try SPD.distance(Matrix.identity(4), Matrix.diagonal(a.map(Foundation.exp)), metric: .logEuclidean)
        #expect(abs(le - d) < 1e-12)
    }

    @Test func affineInvariance() throws {
        var rng = SeededGenerator(seed: 3)
        let (s, t) = (randomSPD(5, &rng), randomSPD(5, &rng))
        let a = Matrix<Double>(rows: 5, columns: 5) { _, _ in rng.standardNormal() }
        let moved = { (m: Matrix<Double>) in (a * m).multiplied(by: a, transposingOther: true).symmetrized() }
        let d = try SPD.distance(s, t)
        #expect(d > 0.5)
        #expect(abs(try SPD.distance(moved(s), moved(t)) - d) < 1e-9 * max(1, d))
        #expect(abs(try SPD.distance(t, s) - d) < 1e-10)
        // The log-Euclidean distance is not affine invariant: a real difference shows up.
        let le = try SPD.distance(s, t, metric: .logEuclidean)
        #expect(abs(try SPD.distance(moved(s), moved(t), metric: .logEuclidean) - le) > 1e-3)
    }

    @Test func meanOfCommutingMatricesIsTheElementwiseGeometricMean() throws {
        let diagonals: [[Double]] = [[1, 4, 0.5], [9, 1, 2], [3, 0.25, 8]]
        let expected = (0..<3).map { j in Foundation.pow(diagonals.reduce(1) { $0 * $1[j] }, 1.0 / 3) }
        for metric in RiemannianMetric.allCases {
            let mean = try SPD.mean(diagonals.map { Matrix.diagonal($0) }, metric: metric)
            #expect(mean.matrix.maxAbsDifference(Matrix.diagonal(expected)) < 1e-9, "\(metric)")
        }
    }

    @Test func meanOfTwoIsTheGeodesicMidpoint() throws {
        var rng = SeededGenerator(seed: 5)
        let (a, b) = (randomSPD(4, &rng), randomSPD(4, &rng))
        let root = try SPD.sqrt(a), inverseRoot = try SPD.inverseSqrt(a)
        let midpoint = SPD.congruence(root, try SPD.sqrt(SPD.congruence(inverseRoot, b)))
        let mean = try SPD.mean([a, b])
        #expect(mean.converged)
        #expect(mean.gradientNorm <= 1e-8 || mean.iterations < 50)
        #expect(mean.matrix.maxAbsDifference(midpoint) < 1e-8 * midpoint.frobeniusNorm)
        // Equidistant from both ends, at half their distance.
        let d = try SPD.distance(a, b)
        #expect(abs(try SPD.distance(mean.matrix, a) - d / 2) < 1e-8)
        #expect(abs(try SPD.distance(mean.matrix, b) - d / 2) < 1e-8)
    }

    @Test func tangentMapRoundTripsAndPreservesDistance() throws {
        var rng = SeededGenerator(seed: 11)
        let matrices = (0..<6).map { _ in randomSPD(4, &rng) }
        let space = try TangentSpace(fitting: matrices)
        #expect(space.dimension == 10)
        for s in matrices {
            let v = try space.vector(s)
            #expect(try space.matrix(v).maxAbsDifference(s) < 1e-9 * s.frobeniusNorm)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - (try SPD.distance(space.reference, s))) < 1e-9)
        }
        // The mean is where the tangent vectors balance: their average is zero.
        let vectors = try space.vectors(matrices)
        for j in 0..<vectors.columns {
            #expect(abs(vectors.column(j).reduce(0, +) / 6) < 1e-7)
        }
        let sym = Matrix<Double>([[1, 2], [2, 3]])
        #expect(TangentSpace.upper(sym) == [1, 2 * 2.0.squareRoot(), 3])
        #expect(TangentSpace.unupper(TangentSpace.upper(sym)).maxAbsDifference(sym) < 1e-15)
    }

    @Test func recenteringPutsEachGroupMeanAtTheIdentity() throws {
        var rng = SeededGenerator(seed: 13)
        let shift = randomSPD(3, &rng) * 4
        let matrices = (0..<10).map { i -> Matrix<Double> in
            let s = randomSPD(3, &rng)
            return i < 5 ? s : SPD.congruence(try! SPD.sqrt(shift), s)
        }
        let groups = (0..<10).map { $0 < 5 ? "session1" : "session2" }
        let (out, means) = try Recentering().recentered(matrices, groups: groups)
        #expect(means.count == 2)
        for g in ["session1", "session2"] {
            let members = out.indices.filter { groups[$0] == g }.map { out[$0] }
            #expect(try SPD.mean(members).matrix.maxAbsDifference(Matrix.identity(3)) < 1e-7)
        }
    }

    @Test func clippingRepairsASingularMatrixMinimally() throws {
        let singular = Matrix<Double>([[1, 1, 0], [1, 1, 0], [0, 0, 2]])  // eigenvalues 0, 2, 2
        let repaired = try SPD.clipped(singular, relativeFloor: 1e-3)
        try SPD.validate(repaired)
        let values = try SymmetricEigen(repaired).values
        #expect(abs(values[0] - 2e-3) < 1e-12 && abs(values[2] - 2) < 1e-12)
        // Only the null direction (1, −1, 0)/√2 moved: by 1e-3 on each of its four entries' blocks.
        #expect(repaired.maxAbsDifference(singular) < 1.01e-3)
        #expect(SPD.isSPD(repaired) && !SPD.isSPD(singular))
        #expect(throws: ParameterError.self) { try Recentering().recentered([repaired], groups: [1, 2]) }
    }

    @Test func shrinkageAndFixedShrinkageEstimators() throws {
        var rng = SeededGenerator(seed: 17)
        // Fewer samples than channels: the sample covariance is singular, shrinkage repairs it.
        let x = Matrix<Double>(rows: 8, columns: 5) { _, _ in rng.standardNormal() }
        let sample = try SPDCovarianceEstimator.sample.estimate(x).matrix
        #expect(throws: RiemannianError.self) { try SPD.validate(sample) }
        for estimator in [SPDCovarianceEstimator.oas, .ledoitWolf, .shrinkage(0.1)] {
            let (c, gamma) = try estimator.estimate(x)
            #expect(gamma > 0 && gamma <= 1, "\(estimator)")
            try SPD.validate(c, context: "\(estimator)")
            #expect(abs(c.trace - sample.trace) < 1e-10)
        }
        let fixed = try SPDCovarianceEstimator.shrinkage(0.25).estimate(x).matrix
        let mu = sample.trace / 8
        #expect(abs(fixed[0, 1] - 0.75 * sample[0, 1]) < 1e-14)
        #expect(abs(fixed[2, 2] - (0.75 * sample[2, 2] + 0.25 * mu)) < 1e-14)
    }
}
