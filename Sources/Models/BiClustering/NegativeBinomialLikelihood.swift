import Foundation
import RealModule

/// Count log-likelihoods under the mean parameterisation, NB(r, mean μ): Var = μ + μ²/r.
public enum CountLikelihood {
    /// log NB(y | r, μ = e^η), including every constant.
    @inline(__always)
    public static func negativeBinomial(_ y: Double, logMean eta: Double, dispersion r: Double) -> Double {
        let logRPlusMu = logAddExp(Double.log(r), eta)
        return Double.logGamma(y + r) - Double.logGamma(r) - Double.logGamma(y + 1)
            + r * (Double.log(r) - logRPlusMu) + y * (eta - logRPlusMu)
    }

    /// log Poisson(y | e^η).
    @inline(__always)
    public static func poisson(_ y: Double, logMean eta: Double) -> Double {
        y * eta - Double.exp(eta) - Double.logGamma(y + 1)
    }

    @inline(__always)
    static func logAddExp(_ a: Double, _ b: Double) -> Double {
        a > b ? a + Double.log(onePlus: Double.exp(b - a)) : b + Double.log(onePlus: Double.exp(a - b))
    }
}
