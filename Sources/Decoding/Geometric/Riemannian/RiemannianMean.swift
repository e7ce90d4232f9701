import Foundation
import NeuroCore

/// A mean of SPD matrices with its convergence diagnostics.
public struct SPDMean: Sendable {
    public let matrix: Matrix<Double>
    /// Iterations run (0 for closed forms).
    public let iterations: Int
    /// ‖J‖_F at the last iteration: the Riemannian gradient norm (0 for closed forms).
    public let gradientNorm: Double
    /// False when the iteration limit was reached before ‖J‖_F ≤ tolerance or the step collapsed.
    public let converged: Bool
}

/// Settings of the iterative affine-invariant mean.
public struct RiemannianMeanOptions: Sendable, Hashable {
    /// Stop when ‖J‖_F or the step size ν drops to this (pyRiemann's `tol=10e-9`, i.e. 1e-8).
    public var tolerance: Double
    /// pyRiemann's `maxiter`.
    public var maxIterations: Int

    public init(tolerance: Double = 1e-8, maxIterations: Int = 50) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }
}

extension SPD {
    /// The weighted mean of `matrices` under `metric`; weights default to equal and are normalised.
    ///
    /// - `.riemann`: the Karcher mean by the gradient iteration with pyRiemann's adaptive step:
    ///   start at the Euclidean mean with ν = 1; J = Σ wᵢ log(M^{-1/2} Xᵢ M^{-1/2});
    ///   M ← M^{1/2} exp(νJ) M^{1/2}; if ν‖J‖ < τ then ν ← 0.95ν, τ ← ν‖J‖, else ν ← ν/2; stop when
    ///   ‖J‖ ≤ tol or ν ≤ tol. Same iterates as pyRiemann, so the same answer to rounding.
    /// - `.logEuclidean`: exp(Σ wᵢ log Xᵢ), closed form.
    public static func mean(
        _ matrices: [Matrix<Double>], metric: RiemannianMetric = .riemann, weights: [Double]? = nil,
        options: RiemannianMeanOptions = RiemannianMeanOptions()
    ) throws -> SPDMean {
        let n = try commonSize(matrices, context: "mean")
        let w = try normalisedWeights(weights, count: matrices.count)
        switch metric {
        case .logEuclidean:
            var sum = Matrix<Double>(rows: n, columns: n)
            let logs = try concurrentMap(count: matrices.count) { try log(matrices[$0]) }
            for (i, l) in logs.enumerated() { sum.add(l, scaledBy: w[i]) }
            return SPDMean(matrix: try exp(sum), iterations: 0, gradientNorm: 0, converged: true)
        case .riemann:
            try ParameterError.check(options.maxIterations >= 1, "maxIterations", expected: "≥ 1", found: options.maxIterations)
            var m = Matrix<Double>(rows: n, columns: n)
            for (i, x) in matrices.enumerated() { m.add(x, scaledBy: w[i]) }
            var nu = 1.0
            var tau = Double.greatestFiniteMagnitude
            var crit = Double.infinity
            var iterations = 0
            var converged = false
            for _ in 0..<options.maxIterations {
                iterations += 1
                let (root, inverseRoot) = try sqrtAndInverseSqrt(m, context: "mean")
                let logs = try concurrentMap(count: matrices.count) { i in
                    try whitenedLog(inverseRoot, matrices[i])
                }
                var j = Matrix<Double>(rows: n, columns: n)
                for (i, l) in logs.enumerated() { j.add(l, scaledBy: w[i]) }
                m = congruence(root, try exp(j * nu))
                crit = j.frobeniusNorm
                let h = nu * crit
                if h < tau {
                    nu *= 0.95
                    tau = h
                } else {
                    nu *= 0.5
                }
                if crit <= options.tolerance || nu <= options.tolerance {
                    converged = true
                    break
                }
            }
            return SPDMean(matrix: m, iterations: iterations, gradientNorm: crit, converged: converged)
        }
    }

    static func normalisedWeights(_ weights: [Double]?, count: Int) throws -> [Double] {
        guard let weights else { return [Double](repeating: 1 / Double(count), count: count) }
        try ParameterError.check(weights.count == count, "weights", expected: "one weight per matrix (\(count))", found: weights.count)
        try ParameterError.check(weights.allSatisfy { $0 >= 0 && $0.isFinite }, "weights", expected: "finite weights ≥ 0", found: weights)
        let total = weights.reduce(0, +)
        try ParameterError.check(total > 0, "weights", expected: "a positive sum", found: total)
        return weights.map { $0 / total }
    }
}
