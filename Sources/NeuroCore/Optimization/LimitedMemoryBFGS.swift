import Foundation

/// Limited-memory BFGS (Nocedal 1980; two-loop recursion) with a backtracking Armijo line search, for
/// smooth unconstrained minimisation over a flat parameter vector.
///
/// Every accepted step decreases the objective (sufficient decrease), which is what generalised EM
/// needs from its M-step and what keeps convex fits (logistic regression) monotone. Curvature pairs with sᵀy ≤ ε‖s‖‖y‖ are skipped to keep H positive definite.
public struct LimitedMemoryBFGS: Sendable {
    public var memory: Int
    public var maxIterations: Int
    /// Stop when ‖∇f‖_∞ falls below this.
    public var gradientTolerance: Double
    /// Stop when the objective improves by less than this fraction of |f| in one iteration.
    public var relativeTolerance: Double

    public init(memory: Int = 10, maxIterations: Int = 100, gradientTolerance: Double = 1e-6, relativeTolerance: Double = 1e-10) {
        self.memory = memory
        self.maxIterations = maxIterations
        self.gradientTolerance = gradientTolerance
        self.relativeTolerance = relativeTolerance
    }

    public struct Result: Sendable {
        public var minimizer: [Double]
        public var value: Double
        public var iterations: Int
        public var evaluations: Int
        public var converged: Bool
    }

    public func minimize(_ start: [Double], _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> Result {
        precondition(memory >= 1 && maxIterations >= 0, "LimitedMemoryBFGS: memory ≥ 1 and maxIterations ≥ 0")
        var x = start
        var (f, g) = objective(x)
        var evaluations = 1
        var sHistory: [[Double]] = [], yHistory: [[Double]] = [], rhoHistory: [Double] = []
        let n = x.count
        var direction = [Double](repeating: 0, count: n)
        var alphaBuffer = [Double](repeating: 0, count: memory)
        for iteration in 0..<maxIterations {
            if g.reduce(0, { Swift.max($0, Swift.abs($1)) }) <= gradientTolerance {
                return Result(minimizer: x, value: f, iterations: iteration, evaluations: evaluations, converged: true)
            }
            // Two-loop recursion: direction = −H g.
            for i in 0..<n { direction[i] = -g[i] }
            let k = sHistory.count
            for j in stride(from: k - 1, through: 0, by: -1) {
                let a = rhoHistory[j] * dotProduct(sHistory[j], direction)
                alphaBuffer[j] = a
                for i in 0..<n { direction[i] -= a * yHistory[j][i] }
            }
            if k > 0 {
                let gammaScale = dotProduct(sHistory[k - 1], yHistory[k - 1]) / dotProduct(yHistory[k - 1], yHistory[k - 1])
                for i in 0..<n { direction[i] *= gammaScale }
            } else {
                let norm = dotProduct(g, g).squareRoot()
                if norm > 0 { for i in 0..<n { direction[i] /= Swift.max(norm, 1) } }
            }
            for j in 0..<k {
                let b = rhoHistory[j] * dotProduct(yHistory[j], direction)
                for i in 0..<n { direction[i] += sHistory[j][i] * (alphaBuffer[j] - b) }
            }
            var slope = dotProduct(g, direction)
            if !(slope < 0) {  // not a descent direction: reset to steepest descent
                sHistory.removeAll(); yHistory.removeAll(); rhoHistory.removeAll()
                for i in 0..<n { direction[i] = -g[i] }
                slope = -dotProduct(g, g)
            }
            var step = 1.0
            var accepted = false
            var xNew = x, fNew = f, gNew = g
            for _ in 0..<40 {
                for i in 0..<n { xNew[i] = x[i] + step * direction[i] }
                (fNew, gNew) = objective(xNew)
                evaluations += 1
                if fNew.isFinite && fNew <= f + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else {
                return Result(minimizer: x, value: f, iterations: iteration, evaluations: evaluations, converged: false)
            }
            var s = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
            for i in 0..<n { s[i] = xNew[i] - x[i]; y[i] = gNew[i] - g[i] }
            let sy = dotProduct(s, y)
            if sy > 1e-12 * (dotProduct(s, s) * dotProduct(y, y)).squareRoot() {
                if sHistory.count == memory { sHistory.removeFirst(); yHistory.removeFirst(); rhoHistory.removeFirst() }
                sHistory.append(s); yHistory.append(y); rhoHistory.append(1 / sy)
            }
            let improvement = f - fNew
            x = xNew; f = fNew; g = gNew
            if improvement <= relativeTolerance * Swift.max(Swift.abs(f), 1) {
                return Result(minimizer: x, value: f, iterations: iteration + 1, evaluations: evaluations, converged: true)
            }
        }
        return Result(minimizer: x, value: f, iterations: maxIterations, evaluations: evaluations, converged: false)
    }
}

@inline(__always) private func dotProduct(_ a: [Double], _ b: [Double]) -> Double {
    var total = 0.0
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            for i in 0..<ap.count { total += ap[i] * bp[i] }
        }
    }
    return total
}
