import Foundation
import Testing
@testable import NeuroCore

/// Vector and matrix samplers: component moments, covariance entries, Wishart-family moments, throws.
@Suite struct RandomMultivariateTests {
    static let sigma = Matrix<Double>([[2, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 0.5]])
    static let notPositiveDefinite = Matrix<Double>([[1, 2], [2, 1]])

    /// Component i: mean αᵢ/α₀, variance αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1)).
    static func expectDirichlet(_ alpha: [Double], seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        var g = SeededGenerator(seed: seed)
        var components = [[Double]](repeating: [], count: alpha.count)
        for _ in 0..<RandomCheck.draws {
            let x = g.dirichlet(alpha)
            #expect(x.allSatisfy { $0 >= 0 && $0 <= 1 }, sourceLocation: sourceLocation)
            #expect(abs(x.reduce(0, +) - 1) < 1e-12, sourceLocation: sourceLocation)
            for i in alpha.indices { components[i].append(x[i]) }
        }
        let a0 = alpha.reduce(0, +)
        for i in alpha.indices {
            RandomCheck.expectMoments(
                components[i], mean: alpha[i] / a0, variance: alpha[i] * (a0 - alpha[i]) / (a0 * a0 * (a0 + 1)),
                "Dirichlet\(alpha)[\(i)]", sourceLocation: sourceLocation)
        }
    }

    @Test func dirichletComponentMoments() {
        Self.expectDirichlet([0.3, 1, 2.5], seed: 1)
    }

    /// Concentrations of 10⁻³, where plain gamma draws underflow to 0 and 0/0 would give NaN.
    @Test func dirichletTinyConcentrations() {
        Self.expectDirichlet([1e-3, 2e-3, 1e-3, 4e-3], seed: 2)
        // Below ~10⁻³⁰⁰ even the log-gammas underflow: the draw is a vertex chosen ∝ α.
        var g = SeededGenerator(seed: 3)
        var firstVertex = 0
        for _ in 0..<1000 {
            let tiny = Double.leastNonzeroMagnitude
            let x = g.dirichlet([2 * tiny, 6 * tiny])
            #expect(x == [1, 0] || x == [0, 1])
            if x[0] == 1 { firstVertex += 1 }
        }
        RandomCheck.expectFrequency(firstVertex, of: 1000, probability: 0.25, "Dirichlet vertex limit")
    }

    @Test func multivariateNormalMomentsAndCovariance() throws {
        let mean = [1.0, -2, 0.5]
        // Bulk draws through the precomputed-factor variant (the hot-loop API); the convenience
        // variant is checked to give the same stream below.
        let factor = try Cholesky(Self.sigma)
        var g = SeededGenerator(seed: 10)
        var coordinates = [[Double]](repeating: [], count: 3)
        for _ in 0..<RandomCheck.draws {
            let x = g.multivariateNormal(mean: mean, cholesky: factor)
            for i in 0..<3 { coordinates[i].append(x[i]) }
        }
        for i in 0..<3 {
            RandomCheck.expectMoments(coordinates[i], mean: mean[i], variance: Self.sigma[i, i], "MVN[\(i)]")
        }
        RandomCheck.expectCovariance(coordinates[0], coordinates[1], 0.6, "MVN cov(0, 1)")
        RandomCheck.expectCovariance(coordinates[0], coordinates[2], -0.3, "MVN cov(0, 2)")
        var a = SeededGenerator(seed: 11)
        var b = SeededGenerator(seed: 11)
        #expect(try a.multivariateNormal(mean: mean, covariance: Self.sigma) == b.multivariateNormal(mean: mean, cholesky: factor))
    }

    @Test func nonPositiveDefiniteMatricesThrow() {
        var g = SeededGenerator(seed: 12)
        #expect(throws: LinearAlgebraError.self) { try g.multivariateNormal(mean: [0, 0], covariance: Self.notPositiveDefinite) }
        #expect(throws: LinearAlgebraError.self) { try g.wishart(degreesOfFreedom: 5, scale: Self.notPositiveDefinite) }
        #expect(throws: LinearAlgebraError.self) { try g.inverseWishart(degreesOfFreedom: 5, scale: Self.notPositiveDefinite) }
        #expect(throws: LinearAlgebraError.self) {
            try g.matrixNormal(mean: Matrix(rows: 2, columns: 2), rowCovariance: Self.notPositiveDefinite, columnCovariance: .identity(2))
        }
        #expect(throws: LinearAlgebraError.self) {
            try g.multivariateNormal(mean: [0, 0], covariance: Matrix([[1, .nan], [.nan, 1]]))
        }
    }

    /// W ~ Wishart(ν, Σ): E[Wᵢⱼ] = νΣᵢⱼ, Var[Wᵢⱼ] = ν(Σᵢⱼ² + ΣᵢᵢΣⱼⱼ); ν = 5.5 is not an integer.
    @Test func wishartMoments() throws {
        let nu = 5.5
        let factor = try Cholesky(Self.sigma)
        var g = SeededGenerator(seed: 20)
        var entries = [[Double]](repeating: [], count: 9)
        for _ in 0..<RandomCheck.draws {
            let w = g.wishart(degreesOfFreedom: nu, scaleCholesky: factor)
            #expect(w.asymmetry == 0)
            for k in 0..<9 { entries[k].append(w.elements[k]) }
        }
        for (i, j) in [(0, 0), (0, 1), (1, 2), (2, 2)] {
            let s = Self.sigma
            RandomCheck.expectMoments(
                entries[i * 3 + j], mean: nu * s[i, j], variance: nu * (s[i, j] * s[i, j] + s[i, i] * s[j, j]),
                "Wishart[\(i), \(j)]")
        }
        var a = SeededGenerator(seed: 21)
        var b = SeededGenerator(seed: 21)
        #expect(try a.wishart(degreesOfFreedom: nu, scale: Self.sigma) == b.wishart(degreesOfFreedom: nu, scaleCholesky: factor))
    }

    /// X ~ IW(ν, Ψ): E[X] = Ψ/(ν − p − 1) and
    /// Var[Xᵢⱼ] = ((ν − p + 1)Ψᵢⱼ² + (ν − p − 1)ΨᵢᵢΨⱼⱼ) / ((ν − p)(ν − p − 1)²(ν − p − 3)).
    @Test func inverseWishartMoments() throws {
        let nu = 15.0
        let p = 3.0
        let factor = try Cholesky(Self.sigma)
        var g = SeededGenerator(seed: 30)
        var entries = [[Double]](repeating: [], count: 9)
        for _ in 0..<RandomCheck.draws {
            let x = g.inverseWishart(degreesOfFreedom: nu, scaleCholesky: factor)
            for k in 0..<9 { entries[k].append(x.elements[k]) }
        }
        let s = Self.sigma
        for (i, j) in [(0, 0), (0, 1), (0, 2), (1, 1), (2, 2)] {
            let variance = ((nu - p + 1) * s[i, j] * s[i, j] + (nu - p - 1) * s[i, i] * s[j, j])
                / ((nu - p) * (nu - p - 1) * (nu - p - 1) * (nu - p - 3))
            RandomCheck.expectMoments(entries[i * 3 + j], mean: s[i, j] / (nu - p - 1), variance: variance, "IW[\(i), \(j)]")
        }
        var a = SeededGenerator(seed: 31)
        var b = SeededGenerator(seed: 31)
        #expect(try a.inverseWishart(degreesOfFreedom: nu, scale: s) == b.inverseWishart(degreesOfFreedom: nu, scaleCholesky: factor))
    }

    /// X ~ MN(M, U, V): E[X] = M, Cov(Xᵢⱼ, Xₖₗ) = Uᵢₖ·Vⱼₗ.
    @Test func matrixNormalMoments() throws {
        let m = Matrix<Double>([[1, 2, 3], [-1, 0, 0.5]])
        let u = Matrix<Double>([[2, 0.5], [0.5, 1]])
        let v = Self.sigma
        let (uFactor, vFactor) = (try Cholesky(u), try Cholesky(v))
        var g = SeededGenerator(seed: 40)
        var entries = [[Double]](repeating: [], count: 6)
        for _ in 0..<RandomCheck.draws {
            let x = g.matrixNormal(mean: m, rowCholesky: uFactor, columnCholesky: vFactor)
            for k in 0..<6 { entries[k].append(x.elements[k]) }
        }
        for i in 0..<2 {
            for j in 0..<3 {
                RandomCheck.expectMoments(entries[i * 3 + j], mean: m[i, j], variance: u[i, i] * v[j, j], "MN[\(i), \(j)]")
            }
        }
        RandomCheck.expectCovariance(entries[0], entries[4], u[0, 1] * v[0, 1], "MN cov(X00, X11)")
        RandomCheck.expectCovariance(entries[0], entries[2], u[0, 0] * v[0, 2], "MN cov(X00, X02)")
        var a = SeededGenerator(seed: 41)
        var b = SeededGenerator(seed: 41)
        #expect(
            try a.matrixNormal(mean: m, rowCovariance: u, columnCovariance: v)
                == b.matrixNormal(mean: m, rowCholesky: uFactor, columnCholesky: vFactor))
    }
}
