import Foundation
import RealModule

/// The Concrete (Gumbel-softmax) distribution on the probability simplex (Maddison et al. 2017):
/// a = softmax((log α + g)/τ) with g i.i.d. standard Gumbel. Its density with respect to Lebesgue
/// measure on the first k − 1 coordinates is
/// log p(a | α, τ) = log Γ(k) + (k−1) log τ − k log Σ_i α_i a_i^{−τ} + Σ_i (log α_i − (τ+1) log a_i).
public enum ConcreteDistribution {
    /// log p(a | α, τ) from log a and log α (normalised), stable for points near a vertex.
    public static func logDensity(logPoint: [Double], logProbabilities: [Double], temperature tau: Double) -> Double {
        precondition(logPoint.count == logProbabilities.count && logPoint.count >= 2, "Concrete: point and probabilities need the same k ≥ 2")
        let k = Double(logPoint.count)
        var u = [Double](repeating: 0, count: logPoint.count)
        var rest = 0.0
        for i in 0..<logPoint.count {
            u[i] = logProbabilities[i] - tau * logPoint[i]
            rest += logProbabilities[i] - (tau + 1) * logPoint[i]
        }
        return Double.logGamma(k) + (k - 1) * Double.log(tau) - k * logSumExp(u) + rest
    }

    /// The same density from a point and probabilities on the simplex.
    public static func logDensity(point: [Double], probabilities: [Double], temperature: Double) -> Double {
        logDensity(logPoint: point.map { Double.log($0) }, logProbabilities: probabilities.map { Double.log($0) }, temperature: temperature)
    }
}

/// Numerically stable log-softmax of three logits into `out`.
@inline(__always) func logSoftmax3(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
    let m = Swift.max(x[0], Swift.max(x[1], x[2]))
    let lse = m + FastExpLog.log(FastExpLog.exp(x[0] - m) + FastExpLog.exp(x[1] - m) + FastExpLog.exp(x[2] - m))
    out[0] = x[0] - lse
    out[1] = x[1] - lse
    out[2] = x[2] - lse
}
