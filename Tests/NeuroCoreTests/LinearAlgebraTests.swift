import Foundation
import Testing
@testable import NeuroCore

/// A fixed, well-conditioned SPD matrix: Aᵀ·A + n·I for a pseudo-random A (no generator dependency).
private func spd(_ n: Int) -> Matrix<Double> {
    let a = Matrix<Double>(rows: n, columns: n) { i, j in Double((i * 7 + j * 13) % 11) / 11 - 0.5 }
    var m = a.multiplied(by: a, transposingSelf: true)
    m.add(Matrix<Double>.identity(n), scaledBy: Double(n))
    return m
}

@Suite struct LinearAlgebraTests {
    @Test func gemmAndGemvMatchHandComputedProducts() {
        let a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let b = Matrix<Double>([[7, 8], [9, 10], [11, 12]])
        #expect(a * b == Matrix<Double>([[58, 64], [139, 154]]))
        #expect(a.multiplied(by: a, transposingSelf: true) == Matrix<Double>([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
        #expect(a.multiplied(by: b, transposingSelf: true, transposingOther: true) == (b * a).transposed())
        #expect(a * [1, 1, 1] == [6, 15])
        #expect(a.multiplied(by: [1, 1], transposed: true) == [5, 7, 9])
        #expect(a.gramOfRows() == a.multiplied(by: a, transposingOther: true))
        #expect(dot([1.0, 2, 3], [4, 5, 6]) == 32)
        var y = [1.0, 1, 1]
        axpy(2, [1, 2, 3], &y)
        #expect(y == [3, 5, 7])
    }

    @Test func floatGemmAgreesWithDouble() {
        let a = Matrix<Double>(rows: 17, columns: 9) { i, j in sin(Double(i * 9 + j)) }
        let b = Matrix<Double>(rows: 9, columns: 5) { i, j in cos(Double(i + 2 * j)) }
        let exact = a * b
        let single = (a.converted(to: Float.self) * b.converted(to: Float.self)).converted(to: Double.self)
        #expect(exact.maxAbsDifference(single) < 1e-5)
    }

    @Test func symmetricEigenOfKnownMatrix() throws {
        // Tridiagonal 2,-1 matrix of order n has eigenvalues 2 − 2cos(kπ/(n+1)).
        let n = 8
        let t = Matrix<Double>(rows: n, columns: n) { i, j in i == j ? 2 : (abs(i - j) == 1 ? -1 : 0) }
        let eigen = try t.symmetricEigen()
        for k in 1...n {
            #expect(abs(eigen.values[k - 1] - (2 - 2 * cos(Double(k) * .pi / Double(n + 1)))) < 1e-12)
        }
        let vtv = eigen.vectors.multiplied(by: eigen.vectors, transposingSelf: true)
        #expect(vtv.maxAbsDifference(.identity(n)) < 1e-12)
        #expect(eigen.reconstructed().maxAbsDifference(t) < 1e-12)
        // A matrix function: the square root squared gives the matrix back.
        let root = try spd(6).symmetricEigen().reconstructed(applying: { $0.squareRoot() })
        #expect((root * root).maxAbsDifference(spd(6)) < 1e-10)
    }

    @Test func choleskyReconstructsAndSolves() throws {
        let a = spd(12)
        let chol = try a.cholesky()
        let l = chol.lower
        #expect(l.multiplied(by: l, transposingOther: true).maxAbsDifference(a) < 1e-12)
        for i in 0..<12 { for j in (i + 1)..<12 { #expect(l[i, j] == 0) } }
        let b = (0..<12).map { Double($0) - 5.5 }
        let x = chol.solve(b)
        let residual = zip(a * x, b).map { abs($0 - $1) }.max()!
        #expect(residual < 1e-12)
        // log det against the product of eigenvalues.
        let logDet = try a.symmetricEigen().values.map { log($0) }.reduce(0, +)
        #expect(abs(chol.logDeterminant - logDet) < 1e-10)
        #expect((a * chol.inverse()).maxAbsDifference(.identity(12)) < 1e-12)
    }

    @Test func choleskyOfDiagonalHasClosedForm() throws {
        let d = Matrix<Double>.diagonal([4, 9, 16])
        let chol = try d.cholesky()
        #expect(chol.lower == .diagonal([2, 3, 4]))
        #expect(abs(chol.logDeterminant - log(576)) < 1e-14)
    }

    @Test func nonPositiveDefiniteThrows() {
        let indefinite = Matrix<Double>([[1, 2], [2, 1]])
        #expect(throws: LinearAlgebraError.notPositiveDefinite(order: 2)) { try indefinite.cholesky() }
        #expect(throws: LinearAlgebraError.nonFinite(routine: "Cholesky")) {
            try Matrix<Double>([[1, .nan], [.nan, 1]]).cholesky()
        }
    }

    @Test func luSolveInverseAndDeterminant() throws {
        let a = Matrix<Double>([[0, 2, 1], [1, 1, 0], [3, 0, 1]])  // needs pivoting
        let lu = try LUDecomposition(a)
        #expect(abs(lu.determinant - (-5)) < 1e-12)
        let x = try a.solve([3, 2, 4])
        #expect(zip(a * x, [3.0, 2, 4]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect((a * (try a.inverse())).maxAbsDifference(.identity(3)) < 1e-12)
        let big = spd(40)
        let bigX = try big.solve(Matrix<Double>.identity(40))
        #expect((big * bigX).maxAbsDifference(.identity(40)) < 1e-12)
    }

    @Test(arguments: [
        Matrix<Double>([[1, 2], [2, 4]]),
        Matrix<Double>([[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
        Matrix<Double>(rows: 3, columns: 3),
    ])
    func singularMatricesThrow(_ a: Matrix<Double>) {
        #expect(throws: LinearAlgebraError.self) { try a.inverse() }
        #expect(throws: LinearAlgebraError.self) { try a.solve([1, 1, 1].prefix(a.rows).map { $0 }) }
    }

    @Test func svdReconstructsAndOrdersValues() throws {
        for (m, n) in [(7, 4), (4, 7), (5, 5)] {
            let a = Matrix<Double>(rows: m, columns: n) { i, j in sin(Double(3 * i + j)) + Double(i == j ? 2 : 0) }
            let svd = try a.svd()
            #expect(svd.singularValues == svd.singularValues.sorted(by: >))
            var us = svd.u
            for j in 0..<svd.singularValues.count { for i in 0..<m { us[i, j] *= svd.singularValues[j] } }
            #expect((us * svd.vt).maxAbsDifference(a) < 1e-12)
        }
        // Singular values of a rank-one outer product: ‖u‖‖v‖ then zeros.
        let u = Matrix<Double>(rows: 3, columns: 1, elements: [1, 2, 2])
        let v = Matrix<Double>(rows: 1, columns: 4, elements: [2, 0, 0, 0])
        let svd = try (u * v).svd()
        #expect(abs(svd.singularValues[0] - 6) < 1e-12)
        #expect(svd.rank == 1)
    }

    @Test func floatFactorisationsWork() throws {
        let a = spd(5).converted(to: Float.self)
        let chol = try a.cholesky()
        #expect(chol.lower.multiplied(by: chol.lower, transposingOther: true).maxAbsDifference(a) < 1e-4)
        let eigen = try a.symmetricEigen()
        #expect(eigen.reconstructed().maxAbsDifference(a) < 1e-4)
        #expect((a * (try a.inverse())).maxAbsDifference(.identity(5)) < 1e-5)
    }
}
