import Testing
@testable import Models

@Suite struct KruskalTensorTests {
    @Test func fullTensorMatchesOuterProducts() throws {
        let a = Matrix<Double>([[1, 2], [3, 4]])
        let b = Matrix<Double>([[1, 0], [0, 1], [2, 1]])
        let c = Matrix<Double>([[2, 1]])
        let k = try KruskalTensor(factors: [a, b, c])
        #expect(k.shape == [2, 3, 1])
        let full = k.full()
        // T[i,j,0] = Σ_r a[i,r] b[j,r] c[0,r]
        for i in 0..<2 {
            for j in 0..<3 {
                let expected = a[i, 0] * b[j, 0] * 2 + a[i, 1] * b[j, 1] * 1
                #expect(abs(full[i * 3 + j] - expected) < 1e-12)
            }
        }
        for factor in k.factors {
            for r in 0..<2 {
                let norm = factor.column(r).reduce(0) { $0 + $1 * $1 }.squareRoot()
                #expect(abs(norm - 1) < 1e-12)
            }
        }
    }

    @Test func rejectsMismatchedRanks() {
        #expect(throws: ParameterError.self) {
            try KruskalTensor(factors: [Matrix<Double>(rows: 2, columns: 2), Matrix<Double>(rows: 2, columns: 3)])
        }
    }
}
