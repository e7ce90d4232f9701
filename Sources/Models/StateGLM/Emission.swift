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
/// log(1e−8), a literal so that loops reading it need no lazy-initialisation check.
private let logRateFloor = -18.420680743952367
/// Drives beyond this are clamped before `exp`, so a diverging step cannot overflow to infinity.
private let driveCeiling = 40.0

/// One element of the emission: log p(x | η) without the x-only constant, and d/dη of it.
protocol ElementwiseEmission {
    static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double)
}

// The element functions below are branch-free (selects, `FastExpLog`) so that the loops over drives
// vectorise; glibc's exp/log, one call per element, were ~60 % of the M-step.

@inline(__always) private func softplus(_ x: Double) -> Double {
    Swift.max(x, 0) + FastExpLog.log1p(FastExpLog.exp(-Swift.abs(x)))
}

@inline(__always) private func logistic(_ x: Double) -> Double {
    let e = FastExpLog.exp(-Swift.abs(x))
    let r = 1 / (1 + e)
    return x >= 0 ? r : e * r
}

enum PoissonSigmoid: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        let e = FastExpLog.exp(-Swift.abs(eta))   // (0, 1]
        let r = 1 / (1 + e)
        let f = eta >= 0 ? r : e * r
        // log f = min(η, 0) − log(1 + e), exact for saturated drives; with e ∈ (0, 1] the plain log
        // of 1 + e is accurate to 1e−16 absolutely, all that log f needs.
        let logF = Swift.min(eta, 0) - FastExpLog.log(1 + e)
        let floored = f < rateFloor
        let ll = floored ? x * logRateFloor - rateFloor : x * logF - f
        let d = floored ? 0 : (x - f) * (1 - f)
        return (ll, d)
    }
}

enum PoissonSoftplus: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        let e = FastExpLog.exp(-Swift.abs(eta))
        let r = 1 / (1 + e)
        let s = eta >= 0 ? r : e * r
        let f = Swift.max(eta, 0) + FastExpLog.log1p(e)
        let floored = f < rateFloor
        let safeF = floored ? rateFloor : f
        let ll = floored ? x * logRateFloor - rateFloor : x * FastExpLog.log(safeF) - f
        let d = floored ? 0 : (x / safeF - 1) * s
        return (ll, d)
    }
}

enum PoissonExp: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        let clamped = Swift.min(eta, driveCeiling)
        let f = FastExpLog.exp(clamped)
        let floored = f < rateFloor
        let ll = floored ? x * logRateFloor - rateFloor : x * clamped - f
        let d = floored || eta > driveCeiling ? 0 : x - f
        return (ll, d)
    }
}

enum BernoulliSigmoid: ElementwiseEmission {
    @inline(__always) static func evaluate(count x: Double, drive eta: Double) -> (logLikelihood: Double, derivative: Double) {
        // log σ(η) = −softplus(−η), log(1 − σ(η)) = −softplus(η): exact for saturated logits.
        let e = FastExpLog.exp(-Swift.abs(eta))
        let r = 1 / (1 + e)
        let p = eta >= 0 ? r : e * r
        return (x * eta - (Swift.max(eta, 0) + FastExpLog.log1p(e)), x - p)
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
    /// matrix whose product with the design gives the gradient of Σ γ log p; without `weights` the
    /// drives are used as scratch and hold the per-element log-likelihoods on return.
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

    /// The M-step kernel over one contiguous block of `count` elements (rows of one state's gathered
    /// bins): `logLikelihood[i]` = log p(x_i | η_i) without the count constant, and `drives[i]` is
    /// overwritten by ∂/∂η. Branch-free element functions and no reduction in the loop, so it vectorises.
    func evaluateBlock(
        counts: UnsafePointer<Double>, drives: UnsafeMutablePointer<Double>, logLikelihood: UnsafeMutablePointer<Double>, count: Int
    ) {
        switch (likelihood, link) {
        case (.poisson, .sigmoid): Self.blockLoop(PoissonSigmoid.self, counts, drives, logLikelihood, count)
        case (.poisson, .softplus): Self.blockLoop(PoissonSoftplus.self, counts, drives, logLikelihood, count)
        case (.poisson, .exp): Self.blockLoop(PoissonExp.self, counts, drives, logLikelihood, count)
        case (.bernoulli, .sigmoid): Self.blockLoop(BernoulliSigmoid.self, counts, drives, logLikelihood, count)
        case (.bernoulli, .softplus): Self.blockLoop(BernoulliSoftplus.self, counts, drives, logLikelihood, count)
        case (.bernoulli, .exp): Self.blockLoop(BernoulliExp.self, counts, drives, logLikelihood, count)
        }
    }

    @inline(__always)
    private static func blockLoop<E: ElementwiseEmission>(
        _: E.Type, _ x: UnsafePointer<Double>, _ eta: UnsafeMutablePointer<Double>, _ ll: UnsafeMutablePointer<Double>, _ count: Int
    ) {
        for i in 0..<count {
            let r = E.evaluate(count: x[i], drive: eta[i])
            ll[i] = r.logLikelihood
            eta[i] = r.derivative
        }
    }

    private static func loop<E: ElementwiseEmission>(
        _: E.Type, _ counts: Matrix<Double>, _ drives: inout Matrix<Double>, _ states: Int,
        _ logLikelihood: inout [Double], _ weights: UnsafePointer<Double>?
    ) {
        let t = counts.rows, n = counts.columns, width = states &* n
        precondition(drives.rows == t && drives.columns == width, "emission: drives must be T × S·N")
        if logLikelihood.count != t &* states { logLikelihood = [Double](repeating: 0, count: t &* states) }
        if weights == nil {
            // E-step: no derivatives needed. Element values overwrite the drives in a loop without
            // reductions or optionals (so it vectorises), then each state's N values are summed.
            counts.withUnsafeBufferPointer { x in
                drives.withUnsafeMutableBufferPointer { eta in
                    logLikelihood.withUnsafeMutableBufferPointer { ll in
                        for row in 0..<t {
                            let xBase = row &* n, rowBase = row &* width
                            for s in 0..<states {
                                let base = rowBase &+ s &* n
                                for j in 0..<n { eta[base &+ j] = E.evaluate(count: x[xBase &+ j], drive: eta[base &+ j]).logLikelihood }
                            }
                            for s in 0..<states {
                                let base = rowBase &+ s &* n
                                var total = 0.0
                                for j in 0..<n { total += eta[base &+ j] }
                                ll[row &* states &+ s] = total
                            }
                        }
                    }
                }
            }
            return
        }
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
