import Testing
@testable import NeuralNet

/// Finite-difference gradient checking for Float32 ops.
///
/// The op is reduced to a scalar L = Σ wᵢ·f(x)ᵢ with fixed random weights w (so every output element
/// and every cross term matters), accumulated in Double from the Float outputs. The numerical gradient
/// is the central difference (L(x + h) − L(x − h)) / (x₊ − x₋), where x₊ and x₋ are the perturbed values
/// *as actually stored in Float*, so the representation error of x ± h does not enter the quotient.
///
/// Why h = 1e-2 and |num − ana| ≤ 2e-3 + 1e-2·|ana|: inputs are O(1), so Float32 evaluation puts a
/// relative rounding error ≈ 6e-8 on each output; over ≤ 100 outputs with |w| ≤ 1 that is ≲ 1e-5 in L,
/// i.e. ≲ 5e-4 after dividing by 2h = 0.02. The central-difference truncation error is h²/6·|f‴| ≈
/// 2e-5·|f‴|, well under the bound for the smooth ops tested (inputs are kept away from kinks and poles).
/// A wrong gradient (a missed factor, a wrong broadcast axis, a transposed product) is off by O(1).
struct GradientCheck {
    var step: Float = 1e-2
    var absoluteTolerance: Double = 2e-3
    var relativeTolerance: Double = 1e-2

    /// Checks d L / d input for every element of every input that requires grad. Returns the worst
    /// violation ratio (≤ 1 passes), and records an issue per failing input.
    @discardableResult
    func check(
        _ inputs: [Tensor], seed: UInt64 = 99, sourceLocation: SourceLocation = #_sourceLocation,
        _ f: ([Tensor]) -> Tensor
    ) -> Double {
        for t in inputs { t.zeroGrad() }
        let probe = withNoGrad { f(inputs) }
        var rng = SeededGenerator(seed: seed)
        let weights = Tensor.randomUniform(probe.dimensions, in: -1..<1, generator: &rng)
        let output = f(inputs)
        (output * weights).sum().backward()

        func loss() -> Double {
            let y = withNoGrad { f(inputs) }
            var total = 0.0
            for i in 0..<y.count { total += Double(y.storage[i]) * Double(weights.storage[i]) }
            return total
        }

        var worst = 0.0
        for (n, input) in inputs.enumerated() where input.requiresGrad {
            let analytic = input.grad?.storage ?? [Float](repeating: 0, count: input.count)
            var failures: [String] = []
            for i in 0..<input.count {
                let original = input.storage[i]
                let plus = original + step, minus = original - step
                input.storage[i] = plus
                let lp = loss()
                input.storage[i] = minus
                let lm = loss()
                input.storage[i] = original
                let numeric = (lp - lm) / (Double(plus) - Double(minus))
                let a = Double(analytic[i])
                let ratio = Swift.abs(numeric - a) / (absoluteTolerance + relativeTolerance * Swift.abs(a))
                worst = Swift.max(worst, ratio)
                if ratio > 1 { failures.append("[\(i)] numeric \(numeric) analytic \(a)") }
            }
            #expect(failures.isEmpty, "input \(n) \(input.shape): \(failures.prefix(5).joined(separator: "; "))",
                    sourceLocation: sourceLocation)
        }
        for t in inputs { t.zeroGrad() }
        return worst
    }
}

/// A seeded random tensor that takes gradients, with values in [lower, upper).
func randomInput(_ shape: [Int], seed: UInt64, in range: Range<Float> = -1..<1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomUniform(shape, in: range, generator: &rng, requiresGrad: true)
}

/// Values with |x| ≥ margin (for ops with a kink at 0: relu, abs).
func awayFromZero(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
    let t = randomInput(shape, seed: seed, in: margin..<1)
    var rng = SeededGenerator(seed: seed &+ 1)
    for i in 0..<t.count where rng.next() & 1 == 0 { t.storage[i] = -t.storage[i] }
    return t
}

/// Distinct values spaced ≥ 0.1 apart in random order (for max: no near-ties within the FD step).
func distinctInput(_ shape: [Int], seed: UInt64) -> Tensor {
    let count = shape.reduce(1, *)
    var values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }
    var rng = SeededGenerator(seed: seed)
    values.shuffle(using: &rng)
    return Tensor(values, shape: shape, requiresGrad: true)
}
