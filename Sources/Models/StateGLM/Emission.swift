import Foundation
import RealModule

/// The count distribution of each neuron given its drive η = b + Σ W·h.
public enum StateGLMLikelihood: String, Sendable, Codable, CaseIterable {
    /// Counts x ∈ ℕ, x ~ Poisson(f(η)).
    case poisson
    /// Binary spikes x ∈ {0, 1}, x ~ Bernoulli(f(η)); f must stay in (0, 1).
    case bernoulli
}

/// The inverse link f(η) turning the drive into a rate (Poisson) or probability (Bernoulli).
public enum StateGLMLink: String, Sendable, Codable, CaseIterable {
    /// f = 1/(1+e^{−η}): rates bounded by one spike per bin (the paper-era reference).
    case sigmoid
    /// f = log(1+e^η): the v0.1.0 reference default, unbounded and smooth.
    case softplus
    /// f = e^η: the canonical Poisson link.
    case exp
}

/// Rates are floored here (the reference's sigmoid lower bound) so that log f stays finite.
let rateFloor = 1e-8
private let logRateFloor = Double.log(rateFloor)
/// Drives beyond this are clamped before `exp`, so a diverging step cannot overflow to infinity.
private let driveCeiling = 40.0

/// One element of the emission: log p(x | η) without the x-only constant, and d/dη of it.
protocol ElementwiseEmission {
    static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double)
}

@inline(__always) private func softplus(_ x: Double) -> Double {
    x > 0 ? x + Double.log(onePlus: Double.exp(-x)) : Double.log(onePlus: Double.exp(x))
}

@inline(__always) private func logistic(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + Double.exp(-x)) : { let e = Double.exp(x); return e / (1 + e) }()
}

enum PoissonSigmoid: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        let e = Double.exp(-Swift.abs(eta))
        var f = eta >= 0 ? 1 / (1 + e) : e / (1 + e)
        if f < rateFloor {
            f = rateFloor
            return (x * logRateFloor - f, 0)
        }
        let d = (x - f) * (1 - f)
        if x == 0 { return (-f, d) }
        // log(1 + e) with e ∈ (0, 1]: plain log is exact to 1e−16 absolutely here and ~3× cheaper
        // than log1p, which dominated the M-step profile.
        let logF = eta >= 0 ? -Double.log(1 + e) : eta - Double.log(1 + e)
        return (x * logF - f, d)
    }
}

enum PoissonSoftplus: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        let f = softplus(eta)
        if f < rateFloor { return (x * logRateFloor - rateFloor, 0) }
        let s = logistic(eta)
        if x == 0 { return (-f, -s) }
        return (x * Double.log(f) - f, (x / f - 1) * s)
    }
}

enum PoissonExp: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        let clamped = Swift.min(eta, driveCeiling)
        let f = Double.exp(clamped)
        if f < rateFloor { return (x * logRateFloor - rateFloor, 0) }
        return (x * clamped - f, eta > driveCeiling ? 0 : x - f)
    }
}

enum BernoulliSigmoid: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        // log σ(η) = −softplus(−η), log(1 − σ(η)) = −softplus(η): exact for saturated logits.
        (x * eta - softplus(eta), x - logistic(eta))
    }
}

/// Bernoulli with a link whose range is not (0, 1): the probability is clamped into [ε, 1 − ε] and
/// the derivative is zero where the clamp is active.
@inline(__always) private func clampedBernoulli(_ x: Double, _ f: Double, _ fPrime: Double) -> (logLikelihood: Double, derivative: Double) {
    if f <= rateFloor { return (x * logRateFloor + (1 - x) * Double.log(onePlus: -rateFloor), 0) }
    if f >= 1 - rateFloor { return (x * Double.log(onePlus: -rateFloor) + (1 - x) * logRateFloor, 0) }
    return (x * Double.log(f) + (1 - x) * Double.log(onePlus: -f), (x / f - (1 - x) / (1 - f)) * fPrime)
}

enum BernoulliSoftplus: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        clampedBernoulli(x, softplus(eta), logistic(eta))
    }
}

enum BernoulliExp: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        let f = Double.exp(Swift.min(eta, driveCeiling))
        return clampedBernoulli(x, f, f)
    }
}

/// A likelihood–link pair, dispatching once per sequence to a loop specialised for that pair.
public struct StateGLMEmission: Sendable, Hashable, Codable {
    public var likelihood: StateGLMLikelihood
    public var link: StateGLMLink

    public init(likelihood: StateGLMLikelihood = .poisson, link: StateGLMLink = .sigmoid) {
        self.likelihood = likelihood
        self.link = link
    }

    /// Σ_n of the count-only term, −log x! for Poisson (zero for Bernoulli), per bin of `counts` (T × N).
    func countConstants(_ counts: Matrix<Double>) -> [Double] {
        var out = [Double](repeating: 0, count: counts.rows)
        guard likelihood == .poisson else { return out }
        let n = counts.columns
        counts.withUnsafeBufferPointer { x in
            for t in 0..<counts.rows {
                var total = 0.0
                for j in 0..<n where x[t &* n &+ j] > 1 { total -= Double.logGamma(x[t &* n &+ j] + 1) }
                out[t] = total
            }
        }
        return out
    }

    /// Turns drives into emission log-likelihoods, and optionally into weighted derivatives.
    ///
    /// `drives` is T × (S·N) (block s holds state s's drives of the N neurons). On return
    /// `logLikelihood[t·S + s]` = Σ_n log p(x_tn | η) (without the count constant). When `weights`
    /// (T × S, usually the posteriors γ) is given, each drive is overwritten by weight_ts · ∂ℓ/∂η, the
    /// matrix whose product with the design gives the gradient of Σ γ log p.
    func evaluate(
        counts: Matrix<Double>, drives: inout Matrix<Double>, states: Int,
        logLikelihood: inout [Double], weights: UnsafePointer<Double>? = nil
    ) {
        switch (likelihood, link) {
        case (.poisson, .sigmoid): Self.loop(PoissonSigmoid.self, counts, &drives, states, &logLikelihood, weights)
        case (.poisson, .softplus): Self.loop(PoissonSoftplus.self, counts, &drives, states, &logLikelihood, weights)
        case (.poisson, .exp): Self.loop(PoissonExp.self, counts, &drives, states, &logLikelihood, weights)
        case (.bernoulli, .sigmoid): Self.loop(BernoulliSigmoid.self, counts, &drives, states, &logLikelihood, weights)
        case (.bernoulli, .softplus): Self.loop(BernoulliSoftplus.self, counts, &drives, states, &logLikelihood, weights)
        case (.bernoulli, .exp): Self.loop(BernoulliExp.self, counts, &drives, states, &logLikelihood, weights)
        }
    }

    private static func loop<E: ElementwiseEmission>(
        _: E.Type, _ counts: Matrix<Double>, _ drives: inout Matrix<Double>, _ states: Int,
        _ logLikelihood: inout [Double], _ weights: UnsafePointer<Double>?
    ) {
        let t = counts.rows, n = counts.columns, width = states &* n
        precondition(drives.rows == t && drives.columns == width, "emission: drives must be T × S·N")
        if logLikelihood.count != t &* states { logLikelihood = [Double](repeating: 0, count: t &* states) }
        counts.withUnsafeBufferPointer { x in
            drives.withUnsafeMutableBufferPointer { eta in
                logLikelihood.withUnsafeMutableBufferPointer { ll in
                    for row in 0..<t {
                        let xBase = row &* n
                        for s in 0..<states {
                            let base = row &* width &+ s &* n
                            let w = weights?[row &* states &+ s] ?? 0
                            var total = 0.0
                            for j in 0..<n {
                                let r = E.evaluate(count: x[xBase &+ j], drive: eta[base &+ j])
                                total += r.logLikelihood
                                if weights != nil { eta[base &+ j] = w * r.derivative }
                            }
                            ll[row &* states &+ s] = total
                        }
                    }
                }
            }
        }
    }
}
