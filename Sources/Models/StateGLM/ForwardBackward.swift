import Foundation
import RealModule

/// The E-step of an HMM: state posteriors γ_t(s), expected transition counts Σ_t ξ_t(i, j) and the
/// marginal log-likelihood, from per-bin emission log-likelihoods.
public struct HMMPosterior: Sendable {
    /// γ, T × S: p(z_t = s | x_{1:T}); every row sums to one.
    public let posteriors: Matrix<Double>
    /// Σ_{t=1}^{T−1} ξ_t(i, j), S × S: expected number of i → j transitions.
    public let transitionCounts: Matrix<Double>
    /// log p(x_{1:T}) under the model (including the emission terms' constants that were passed in).
    public let logLikelihood: Double
    /// ξ_t(i, j) for t = 1..T−1 as (T−1) × (S·S), only when asked for (tests, diagnostics).
    public let pairwise: Matrix<Double>?
}

/// Forward–backward and Viterbi over a discrete hidden chain, in two numerically safe forms.
///
/// `logEmissions` is T × S (row t: log p(x_t | z_t = s)), `logInitial` has S entries and
/// `logTransition` is S × S (row i: log p(z_{t+1} = · | z_t = i)). The log-space form never leaves log
/// space; the scaled form shifts each row of emissions by its maximum, exponentiates and renormalises
/// α and β at every step (Rabiner's scaling), which is several times faster and agrees to rounding.
public enum ForwardBackward {
    public enum Method: String, Sendable, Codable { case logSpace, scaled }

    public static func run(
        logEmissions: Matrix<Double>, logInitial: [Double], logTransition: Matrix<Double>,
        method: Method = .scaled, keepPairwise: Bool = false
    ) -> HMMPosterior {
        switch method {
        case .logSpace: return logSpace(logEmissions: logEmissions, logInitial: logInitial, logTransition: logTransition, keepPairwise: keepPairwise)
        case .scaled: return scaled(logEmissions: logEmissions, logInitial: logInitial, logTransition: logTransition, keepPairwise: keepPairwise)
        }
    }

    private static func checkShapes(_ e: Matrix<Double>, _ initial: [Double], _ transition: Matrix<Double>) {
        precondition(e.rows >= 1, "forward–backward: needs at least one bin")
        precondition(initial.count == e.columns, "forward–backward: \(initial.count) initial entries for \(e.columns) states")
        precondition(transition.rows == e.columns && transition.columns == e.columns, "forward–backward: transition matrix must be S × S")
    }

    public static func logSpace(
        logEmissions: Matrix<Double>, logInitial: [Double], logTransition: Matrix<Double>, keepPairwise: Bool = false
    ) -> HMMPosterior {
        checkShapes(logEmissions, logInitial, logTransition)
        let t = logEmissions.rows, s = logEmissions.columns
        let e = logEmissions.elements, a = logTransition.elements
        var alpha = [Double](repeating: 0, count: t * s), beta = [Double](repeating: 0, count: t * s)
        var scratch = [Double](repeating: 0, count: s)
        for j in 0..<s { alpha[j] = logInitial[j] + e[j] }
        for row in 1..<max(t, 1) {
            for j in 0..<s {
                for i in 0..<s { scratch[i] = alpha[(row - 1) * s + i] + a[i * s + j] }
                alpha[row * s + j] = logSumExp(scratch) + e[row * s + j]
            }
        }
        if t >= 2 {
            for row in stride(from: t - 2, through: 0, by: -1) {
                for i in 0..<s {
                    for j in 0..<s { scratch[j] = a[i * s + j] + e[(row + 1) * s + j] + beta[(row + 1) * s + j] }
                    beta[row * s + i] = logSumExp(scratch)
                }
            }
        }
        let logL = logSumExp(Array(alpha[((t - 1) * s)..<(t * s)]))
        var gamma = Matrix<Double>(rows: t, columns: s)
        for row in 0..<t {
            for j in 0..<s { gamma[row, j] = Double.exp(alpha[row * s + j] + beta[row * s + j] - logL) }
        }
        var counts = Matrix<Double>(rows: s, columns: s)
        var pairwise = keepPairwise ? Matrix<Double>(rows: max(t - 1, 0), columns: s * s) : nil
        for row in 0..<(t - 1) {
            for i in 0..<s {
                for j in 0..<s {
                    let xi = Double.exp(alpha[row * s + i] + a[i * s + j] + e[(row + 1) * s + j] + beta[(row + 1) * s + j] - logL)
                    counts[i, j] += xi
                    pairwise?[row, i * s + j] = xi
                }
            }
        }
        return HMMPosterior(posteriors: gamma, transitionCounts: counts, logLikelihood: logL, pairwise: pairwise)
    }

    public static func scaled(
        logEmissions: Matrix<Double>, logInitial: [Double], logTransition: Matrix<Double>, keepPairwise: Bool = false
    ) -> HMMPosterior {
        checkShapes(logEmissions, logInitial, logTransition)
        let t = logEmissions.rows, s = logEmissions.columns
        let transition = logTransition.elements.map { Double.exp($0) }
        let initial = logInitial.map { Double.exp($0) }
        // b_t(j) = exp(e_tj − m_t): the shift m_t is added back to the log-likelihood.
        var b = [Double](repeating: 0, count: t * s)
        var logL = 0.0
        var alpha = [Double](repeating: 0, count: t * s), beta = [Double](repeating: 1, count: t * s)
        var scale = [Double](repeating: 0, count: t)
        logEmissions.withUnsafeBufferPointer { e in
            b.withUnsafeMutableBufferPointer { bp in
                alpha.withUnsafeMutableBufferPointer { al in
                    for row in 0..<t {
                        var m = -Double.infinity
                        for j in 0..<s { m = Swift.max(m, e[row &* s &+ j]) }
                        if !m.isFinite { m = 0 }
                        logL += m
                        for j in 0..<s { bp[row &* s &+ j] = Double.exp(e[row &* s &+ j] - m) }
                        var total = 0.0
                        for j in 0..<s {
                            var v = 0.0
                            if row == 0 {
                                v = initial[j]
                            } else {
                                let prev = (row &- 1) &* s
                                for i in 0..<s { v += al[prev &+ i] * transition[i &* s &+ j] }
                            }
                            v *= bp[row &* s &+ j]
                            al[row &* s &+ j] = v
                            total += v
                        }
                        // A bin impossible under every state: keep going with a uniform α rather than NaN.
                        if !(total > 0) || !total.isFinite {
                            for j in 0..<s { al[row &* s &+ j] = 1 / Double(s) }
                            scale[row] = .leastNormalMagnitude
                        } else {
                            for j in 0..<s { al[row &* s &+ j] /= total }
                            scale[row] = total
                        }
                        logL += Double.log(scale[row])
                    }
                }
            }
        }
        if t >= 2 {
            for row in stride(from: t - 2, through: 0, by: -1) {
                let next = (row + 1) * s
                for i in 0..<s {
                    var v = 0.0
                    for j in 0..<s { v += transition[i * s + j] * b[next + j] * beta[next + j] }
                    beta[row * s + i] = v / scale[row + 1]
                }
            }
        }
        var gamma = Matrix<Double>(rows: t, columns: s)
        gamma.withUnsafeMutableBufferPointer { g in
            for row in 0..<t {
                var total = 0.0
                for j in 0..<s { g[row &* s &+ j] = alpha[row &* s &+ j] * beta[row &* s &+ j]; total += g[row &* s &+ j] }
                for j in 0..<s { g[row &* s &+ j] /= total }
            }
        }
        var counts = [Double](repeating: 0, count: s * s)
        var pairwise = keepPairwise ? Matrix<Double>(rows: max(t - 1, 0), columns: s * s) : nil
        var local = [Double](repeating: 0, count: s * s)
        for row in 0..<(t - 1) {
            let next = (row + 1) * s
            var total = 0.0
            for i in 0..<s {
                let ai = alpha[row * s + i]
                for j in 0..<s {
                    let v = ai * transition[i * s + j] * b[next + j] * beta[next + j]
                    local[i * s + j] = v
                    total += v
                }
            }
            for k in 0..<(s * s) {
                let xi = local[k] / total
                counts[k] += xi
                pairwise?[row, k] = xi
            }
        }
        return HMMPosterior(
            posteriors: gamma, transitionCounts: Matrix(rows: s, columns: s, elements: counts),
            logLikelihood: logL, pairwise: pairwise)
    }

    /// The most probable state path (max-product in log space) and its joint log-probability.
    public static func viterbi(
        logEmissions: Matrix<Double>, logInitial: [Double], logTransition: Matrix<Double>
    ) -> (path: [Int], logProbability: Double) {
        checkShapes(logEmissions, logInitial, logTransition)
        let t = logEmissions.rows, s = logEmissions.columns
        let e = logEmissions.elements, a = logTransition.elements
        var delta = (0..<s).map { logInitial[$0] + e[$0] }
        var next = delta
        var back = [Int](repeating: 0, count: t * s)
        for row in 1..<max(t, 1) {
            for j in 0..<s {
                var best = -Double.infinity, arg = 0
                for i in 0..<s {
                    let v = delta[i] + a[i * s + j]
                    if v > best { best = v; arg = i }
                }
                next[j] = best + e[row * s + j]
                back[row * s + j] = arg
            }
            swap(&delta, &next)
        }
        var last = 0
        for j in 1..<s where delta[j] > delta[last] { last = j }
        var path = [Int](repeating: 0, count: t)
        path[t - 1] = last
        if t >= 2 {
            for row in stride(from: t - 1, through: 1, by: -1) { path[row - 1] = back[row * s + path[row]] }
        }
        return (path, delta[last])
    }
}

@inline(__always) func logSumExp(_ values: [Double]) -> Double {
    var m = -Double.infinity
    for v in values { m = Swift.max(m, v) }
    guard m.isFinite else { return m }
    var total = 0.0
    for v in values { total += Double.exp(v - m) }
    return m + Double.log(total)
}
