import Foundation
import NeuroCore

/// L2-regularised logistic regression, solved here by L-BFGS; scikit-learn's `LogisticRegression`
/// defaults (C = 1, intercept not penalised, binary model for two classes, multinomial softmax for
/// more) so that tangent-space pipelines match pyRiemann + scikit-learn.
///
/// Minimises (1/N)·Σᵢ ℓᵢ + ‖W‖²/(2CN), scikit-learn's scaling of C·Σℓ + ½‖W‖², which has the same
/// minimiser and keeps the gradient tolerance independent of N.
public struct L2LogisticRegression: Sendable, Hashable {
    /// Inverse regularisation strength C (scikit-learn's `C`).
    public var inverseRegularization: Double
    public var fitIntercept: Bool
    /// Stop when every component of the scaled objective's gradient is below this.
    public var tolerance: Double
    public var maxIterations: Int

    public init(inverseRegularization: Double = 1, fitIntercept: Bool = true, tolerance: Double = 1e-6, maxIterations: Int = 1000) {
        self.inverseRegularization = inverseRegularization
        self.fitIntercept = fitIntercept
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    /// A trained model: one weight row per class score (one row in the binary case).
    public struct Fitted: Sendable {
        /// Rows of weights: 1 × d for two classes (score of class 1), K × d for K > 2.
        public let weights: Matrix<Double>
        public let intercepts: [Double]
        public let classCount: Int
        public let iterations: Int
        public let converged: Bool

        /// The linear scores, N × rows(weights).
        public func decisionFunction(_ x: Matrix<Double>) -> Matrix<Double> {
            precondition(x.columns == weights.columns, "features: expected \(weights.columns) columns, found \(x.columns)")
            var z = x.multiplied(by: weights, transposingOther: true)
            let k = weights.rows
            z.withUnsafeMutableBufferPointer { e in
                for i in 0..<x.rows { for j in 0..<k { e[i &* k &+ j] += intercepts[j] } }
            }
            return z
        }

        /// Class probabilities, N × classCount.
        public func probabilities(_ x: Matrix<Double>) -> Matrix<Double> {
            let z = decisionFunction(x)
            if classCount == 2 {
                return Matrix(rows: x.rows, columns: 2) { i, j in
                    let p1 = sigmoid(z[i, 0])
                    return j == 1 ? p1 : 1 - p1
                }
            }
            var p = z
            softmaxRows(&p)
            return p
        }
    }

    /// Fits on the rows of `x` with integer labels in 0..<classCount.
    public func fit(_ x: Matrix<Double>, labels: [Int], classCount: Int) throws -> Fitted {
        try ParameterError.check(inverseRegularization > 0 && inverseRegularization.isFinite, "C", expected: "a finite value > 0", found: inverseRegularization)
        try ParameterError.check(tolerance > 0, "tolerance", expected: "> 0", found: tolerance)
        try ParameterError.check(maxIterations >= 1, "maxIterations", expected: "≥ 1", found: maxIterations)
        try ParameterError.check(classCount >= 2, "classes", expected: "at least 2", found: classCount)
        try ParameterError.check(labels.count == x.rows && x.rows > 0, "labels", expected: "one label per row (\(x.rows))", found: labels.count)
        try ParameterError.check(labels.allSatisfy { (0..<classCount).contains($0) }, "labels", expected: "integers in 0..<\(classCount)", found: Set(labels).sorted())
        try ParameterError.check(x.isFinite, "features", expected: "finite values", found: "a non-finite entry")
        let (n, d) = (x.rows, x.columns)
        let k = classCount == 2 ? 1 : classCount
        let stride = d + 1  // weights then intercept, per score row
        let scale = 1 / Double(n)
        let ridge = 1 / (inverseRegularization * Double(n))
        let fitIntercept = self.fitIntercept
        // Residual and score buffers reused across objective calls.
        var z = Matrix<Double>(rows: n, columns: k)
        let objective = { (theta: [Double], gradient: inout [Double]) -> Double in
            var w = Matrix<Double>(rows: k, columns: d)
            w.withUnsafeMutableBufferPointer { e in
                for r in 0..<k { for j in 0..<d { e[r &* d &+ j] = theta[r &* stride &+ j] } }
            }
            z = x.multiplied(by: w, transposingOther: true)
            var loss = 0.0
            z.withUnsafeMutableBufferPointer { e in
                for i in 0..<n {
                    let row = i &* k
                    for r in 0..<k { e[row &+ r] += theta[r &* stride &+ d] }
                    if k == 1 {
                        let zi = e[row]
                        let y = Double(labels[i])
                        // log(1 + e^z) − y·z, computed stably; residual σ(z) − y.
                        loss += (zi > 0 ? zi + Foundation.log1p(Foundation.exp(-zi)) : Foundation.log1p(Foundation.exp(zi))) - y * zi
                        e[row] = sigmoid(zi) - y
                    } else {
                        var top = -Double.infinity
                        for r in 0..<k { top = Swift.max(top, e[row &+ r]) }
                        var sum = 0.0
                        for r in 0..<k { sum += Foundation.exp(e[row &+ r] - top) }
                        let lse = top + Foundation.log(sum)
                        loss += lse - e[row &+ labels[i]]
                        for r in 0..<k { e[row &+ r] = Foundation.exp(e[row &+ r] - lse) }
                        e[row &+ labels[i]] -= 1
                    }
                }
            }
            // ∇W = Rᵀ X / N + W/(CN); ∇b = Σ R / N.
            let gw = z.multiplied(by: x, transposingSelf: true)
            var penalty = 0.0
            gw.withUnsafeBufferPointer { g in
                z.withUnsafeBufferPointer { r in
                    for c in 0..<k {
                        for j in 0..<d {
                            let wj = theta[c &* stride &+ j]
                            penalty += wj * wj
                            gradient[c &* stride &+ j] = g[c &* d &+ j] * scale + ridge * wj
                        }
                        var sum = 0.0
                        if fitIntercept { for i in 0..<n { sum += r[i &* k &+ c] } }
                        gradient[c &* stride &+ d] = sum * scale
                    }
                }
            }
            return loss * scale + 0.5 * ridge * penalty
        }
        let start = [Double](repeating: 0, count: k * stride)
        let solver = LimitedMemoryBFGS(memory: 10, maxIterations: maxIterations, gradientTolerance: tolerance, relativeTolerance: 0)
        let outcome = solver.minimize(start) { theta in
            var gradient = [Double](repeating: 0, count: theta.count)
            let value = objective(theta, &gradient)
            return (value, gradient)
        }
        let weights = Matrix<Double>(rows: k, columns: d) { r, j in outcome.minimizer[r * stride + j] }
        let intercepts = (0..<k).map { outcome.minimizer[$0 * stride + d] }
        return Fitted(weights: weights, intercepts: intercepts, classCount: classCount, iterations: outcome.iterations, converged: outcome.converged)
    }
}

@inline(__always) func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
}

/// Row-wise softmax in place (max-shifted).
func softmaxRows(_ m: inout Matrix<Double>) {
    let (rows, k) = (m.rows, m.columns)
    m.withUnsafeMutableBufferPointer { e in
        for i in 0..<rows {
            let row = i &* k
            var top = -Double.infinity
            for j in 0..<k { top = Swift.max(top, e[row &+ j]) }
            var sum = 0.0
            for j in 0..<k {
                e[row &+ j] = Foundation.exp(e[row &+ j] - top)
                sum += e[row &+ j]
            }
            for j in 0..<k { e[row &+ j] /= sum }
        }
    }
}
