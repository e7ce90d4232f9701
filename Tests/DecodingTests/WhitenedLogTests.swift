import Foundation
import Testing
@testable import Decoding

/// `SPD.whitenedLog` (the fused per-matrix step of the Riemannian mean and tangent space) against the
/// composed log(congruence(P, X)) it replaces.
@Suite struct WhitenedLogTests {
    func randomSPD(_ n: Int, _ rng: inout SeededGenerator, ridge: Double = 0.5) -> Matrix<Double> {
        let a = Matrix<Double>(rows: n, columns: n) { _, _ in rng.standardNormal() }
        return (a.multiplied(by: a, transposingOther: true) + Matrix.identity(n) * ridge).symmetrized()
    }

    @Test func matchesTheComposedLogarithm() throws {
        var rng = SeededGenerator(seed: 21)
        for n in [1, 2, 7, 20] {
            let x = randomSPD(n, &rng), p = try SPD.inverseSqrt(randomSPD(n, &rng))
            let fused = try SPD.whitenedLog(p, x), composed = try SPD.log(SPD.congruence(p, x))
            let scale = max(1, composed.elements.map(abs).max()!)
            #expect(zip(fused.elements, composed.elements).allSatisfy { abs($0 - $1) < 1e-11 * scale }, "n = \(n)")
            #expect(fused.asymmetry == 0)
        }
        // Whitening a matrix by its own inverse root gives log I = 0 (all eigenvalues on the λ ≥ 1 side or just below).
        let x = randomSPD(6, &rng)
        #expect(try SPD.whitenedLog(SPD.inverseSqrt(x), x).elements.allSatisfy { abs($0) < 1e-12 })
    }

    @Test func rejectsIndefiniteAndNonFiniteInput() throws {
        let p = Matrix<Double>.identity(3)
        #expect(throws: RiemannianError.self) { try SPD.whitenedLog(p, Matrix.diagonal([1, -1, 2])) }
        #expect(throws: LinearAlgebraError.self) { try SPD.whitenedLog(p, Matrix.diagonal([1, .nan, 2])) }
    }
}
