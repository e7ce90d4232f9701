import Foundation
import NeuroCore
import Testing

/// The branch-free exp/log kernels against glibc, in units in the last place of the glibc result.
@Suite struct FastExpLogTests {
    static func ulps(_ value: Double, _ reference: Double) -> Double {
        Swift.abs(value - reference) / reference.ulp
    }

    @Test func expWithinTwoUlpsOverItsRange() {
        var rng = SeededGenerator(seed: 7)
        var worst = 0.0
        for i in 0..<20_000 {
            // Wide range, then the reduced-argument range, then the drives the HMM-GLM sees.
            let x = i % 3 == 0 ? -708 + 1417 * rng.nextUnitInterval() : (i % 3 == 1 ? -1 + 2 * rng.nextUnitInterval() : -40 * rng.nextUnitInterval())
            worst = Swift.max(worst, Self.ulps(FastExpLog.exp(x), Foundation.exp(x)))
        }
        #expect(worst <= 2, "worst exp error \(worst) ulp")
        #expect(FastExpLog.exp(0) == 1)
        #expect(FastExpLog.exp(1) == M_E || Self.ulps(FastExpLog.exp(1), M_E) <= 1)
        // Clamped outside [−708, 709], never 0 or ∞.
        #expect(FastExpLog.exp(-1000) == FastExpLog.exp(-708))
        #expect(FastExpLog.exp(1000).isFinite)
        #expect(FastExpLog.exp(.nan).isNaN)
    }

    @Test func logWithinTwoUlpsOnPositiveNormals() {
        var rng = SeededGenerator(seed: 8)
        var worst = 0.0
        for i in 0..<20_000 {
            let x = i % 2 == 0 ? Foundation.exp(-700 + 1400 * rng.nextUnitInterval()) : 0.5 + 1.5 * rng.nextUnitInterval()
            let reference = Foundation.log(x)
            guard reference != 0 else { continue }
            worst = Swift.max(worst, Self.ulps(FastExpLog.log(x), reference))
        }
        #expect(worst <= 2, "worst log error \(worst) ulp")
        #expect(FastExpLog.log(1) == 0)
        #expect(Self.ulps(FastExpLog.log(2), M_LN2) <= 1)
        #expect(Self.ulps(FastExpLog.log(Double.leastNormalMagnitude), Foundation.log(Double.leastNormalMagnitude)) <= 1)
    }

    @Test func log1pKeepsRelativeAccuracyForTinyArguments() {
        for x in [1e-300, 1e-17, 3e-13, 1e-8, 1e-3, 0.5, 1, -0.5, -1e-9] {
            let relative = Swift.abs(FastExpLog.log1p(x) - Foundation.log1p(x)) / Swift.abs(Foundation.log1p(x))
            #expect(relative < 1e-15, "log1p(\(x)) relative error \(relative)")
        }
    }
}
