import Foundation
import NeuroCore

/// Limited-memory BFGS for smooth unconstrained minimisation (Nocedal & Wright, Algorithm 7.4 with
/// a backtracking Armijo line search). Used for the L2-regularised logistic regression, whose
/// objective is strictly convex, so the curvature condition sᵀy > 0 holds on every accepted step.
struct LBFGS {
    var memory = 10
    /// Stop when the largest |gradient component| falls to this.
    var gradientTolerance = 1e-6
    var maxIterations = 1000

    struct Outcome {
        var x: [Double]
        var value: Double
        var iterations: Int
        var gradientNorm: Double
        var converged: Bool
    }

    /// Minimises `objective`, which returns f(x) and writes ∇f(x) into its second argument.
    func minimize(from start: [Double], _ objective: ([Double], inout [Double]) -> Double) -> Outcome {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var f = objective(x, &g)
        var s: [[Double]] = []
        var y: [[Double]] = []
        var rho: [Double] = []
        var alpha = [Double](repeating: 0, count: memory)
        var direction = [Double](repeating: 0, count: n)
        var trial = [Double](repeating: 0, count: n)
        var trialGradient = [Double](repeating: 0, count: n)
        var iterations = 0
        var gnorm = g.reduce(0) { Swift.max($0, abs($1)) }
        while gnorm > gradientTolerance && iterations < maxIterations {
            iterations += 1
            // Two-loop recursion: direction = −H∇f.
            for i in 0..<n { direction[i] = -g[i] }
            for k in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[k] = rho[k] * dot(s[k], direction)
                axpy(-alpha[k], y[k], &direction)
            }
            if let ls = s.last, let ly = y.last {
                let gamma = dot(ls, ly) / dot(ly, ly)
                for i in 0..<n { direction[i] *= gamma }
            } else {
                let norm = dot(g, g).squareRoot()
                for i in 0..<n { direction[i] /= Swift.max(norm, 1) }
            }
            for k in 0..<s.count {
                let beta = rho[k] * dot(y[k], direction)
                axpy(alpha[k] - beta, s[k], &direction)
            }
            var slope = dot(g, direction)
            if slope >= 0 {
                // Lost descent (rounding): restart from steepest descent.
                s.removeAll(); y.removeAll(); rho.removeAll()
                for i in 0..<n { direction[i] = -g[i] }
                slope = -dot(g, g)
            }
            var step = 1.0
            var fTrial = f
            var accepted = false
            for _ in 0..<60 {
                for i in 0..<n { trial[i] = x[i] + step * direction[i] }
                fTrial = objective(trial, &trialGradient)
                if fTrial.isFinite && fTrial <= f + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            if !accepted { break }
            var sk = [Double](repeating: 0, count: n)
            var yk = [Double](repeating: 0, count: n)
            for i in 0..<n {
                sk[i] = trial[i] - x[i]
                yk[i] = trialGradient[i] - g[i]
            }
            let sy = dot(sk, yk)
            let fPrevious = f
            swap(&x, &trial)
            swap(&g, &trialGradient)
            f = fTrial
            gnorm = g.reduce(0) { Swift.max($0, abs($1)) }
            if sy > 1e-12 * dot(yk, yk) {
                if s.count == memory {
                    s.removeFirst(); y.removeFirst(); rho.removeFirst()
                }
                s.append(sk); y.append(yk); rho.append(1 / sy)
            }
            // Objective flat to rounding: nothing more to gain.
            if abs(fPrevious - f) <= 1e-15 * Swift.max(abs(f), 1) && gnorm > gradientTolerance && s.isEmpty { break }
        }
        return Outcome(x: x, value: f, iterations: iterations, gradientNorm: gnorm, converged: gnorm <= gradientTolerance)
    }
}
