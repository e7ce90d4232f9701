import Testing
@testable import NeuroCore

@Suite struct LinearAlgebraTests {
    @Test func gemmMatchesHandComputedProduct() {
        let a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let b = Matrix<Double>([[7, 8], [9, 10], [11, 12]])
        #expect(a * b == Matrix<Double>([[58, 64], [139, 154]]))
        #expect(a.multiplied(by: a, transposingSelf: true) == Matrix<Double>([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
        #expect(a * [1, 1, 1] == [6, 15])
        #expect(a.multiplied(by: [1, 1], transposed: true) == [5, 7, 9])
        #expect(dot([1.0, 2, 3], [4, 5, 6]) == 32)
    }
}
