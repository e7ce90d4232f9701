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

    /// ∂ log p / ∂ log a_i = kτ u_i − (τ + 1) and ∂ log p / ∂ log α_i = 1 − k u_i, u = softmax(log α − τ log a).
    static func logDensityGradients(
        logPoint: UnsafePointer<Double>, logProbabilities: UnsafePointer<Double>, temperature tau: Double,
        logTemperature: Double, dLogPoint: UnsafeMutablePointer<Double>, dLogProbabilities: UnsafeMutablePointer<Double>
    ) -> Double {
        let u0 = logProbabilities[0] - tau * logPoint[0]
        let u1 = logProbabilities[1] - tau * logPoint[1]
        let u2 = logProbabilities[2] - tau * logPoint[2]
        let m = Swift.max(u0, Swift.max(u1, u2))
        let e0 = FastExpLog.exp(u0 - m), e1 = FastExpLog.exp(u1 - m), e2 = FastExpLog.exp(u2 - m)
        let total = e0 + e1 + e2
        let lse = m + FastExpLog.log(total)
        let inverse = 1 / total
        let q = (e0 * inverse, e1 * inverse, e2 * inverse)
        dLogPoint[0] = 3 * tau * q.0 - (tau + 1)
        dLogPoint[1] = 3 * tau * q.1 - (tau + 1)
        dLogPoint[2] = 3 * tau * q.2 - (tau + 1)
        dLogProbabilities[0] = 1 - 3 * q.0
        dLogProbabilities[1] = 1 - 3 * q.1
        dLogProbabilities[2] = 1 - 3 * q.2
        var rest = 0.0
        for i in 0..<3 { rest += logProbabilities[i] - (tau + 1) * logPoint[i] }
        // log Γ(3) = log 2; log τ passed in (computed once per prior evaluation).
        return 0.6931471805599453 + 2 * logTemperature - 3 * lse + rest
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

/// Log-softmax of three logits into `out` and the softmax itself into `probabilities`, from the same
/// three exponentials.
@inline(__always) func logSoftmax3(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ probabilities: UnsafeMutablePointer<Double>) {
    let m = Swift.max(x[0], Swift.max(x[1], x[2]))
    let e0 = FastExpLog.exp(x[0] - m), e1 = FastExpLog.exp(x[1] - m), e2 = FastExpLog.exp(x[2] - m)
    let total = e0 + e1 + e2
    let lse = m + FastExpLog.log(total)
    let inverse = 1 / total
    out[0] = x[0] - lse
    out[1] = x[1] - lse
    out[2] = x[2] - lse
    probabilities[0] = e0 * inverse
    probabilities[1] = e1 * inverse
    probabilities[2] = e2 * inverse
}
