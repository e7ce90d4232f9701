import CKernels
import Foundation
import RealModule

/// The one-hot HMM-GLM prior: each weight is a type times a strength,
/// W_s[n←n'] = (a_s[exc] − a_s[inh]) · softplus(ω_s), with types a_s ∈ Δ² over {inhibitory, none,
/// excitatory} drawn from Concrete(α, τ_prior), α = softmax(ρ) per pair **shared by all states** and
/// learned: α is the state-invariant connectome.
///
/// Parameters (flat): type logits ψ (S·N²·3), strength logits ω (S·N²), prior logits ρ (N²·3).
/// Training passes use a Gumbel-softmax sample of ψ whose temperature is annealed geometrically from
/// `initialTemperature` to `finalTemperature` over the epochs (the reference keeps 0.2 throughout);
/// `deterministic` replaces the sample by softmax(ψ) (the "expected type" mode); evaluation uses
/// hard argmax types. The prior term is evaluated at softmax(ψ), as in the reference.
public struct OneHotPrior: InteractionPrior {
    public var priorTemperature: Double
    public var initialTemperature: Double
    public var finalTemperature: Double
    /// Expected-type training (no Gumbel noise): deterministic, so EM is monotone and L-BFGS applies.
    public var deterministic: Bool
    /// Standard deviation of the random initial type logits.
    public var initialScale: Double
    /// Logit vectors whose softmax puts less than e^−limit on a class are halved (reference guard).
    public var saturationLimit: Double
    /// Warm starts read |w| ≤ this as "none". Types of weak couplings are barely identifiable (a weak
    /// excitatory coupling and "none" fit the data equally), so the start decides them: see docs.
    public var warmStartThreshold: Double

    public init(
        priorTemperature: Double = 0.2, initialTemperature: Double = 0.5, finalTemperature: Double = 0.2,
        deterministic: Bool = false, initialScale: Double = 0.1, saturationLimit: Double = 20,
        warmStartThreshold: Double = 0.5
    ) {
        self.warmStartThreshold = warmStartThreshold
        self.priorTemperature = priorTemperature
        self.initialTemperature = initialTemperature
        self.finalTemperature = finalTemperature
        self.deterministic = deterministic
        self.initialScale = initialScale
        self.saturationLimit = saturationLimit
    }

    public var name: String { "onehot" }
    public var isStochastic: Bool { !deterministic }

    public func parameterCount(states: Int, neurons: Int) -> Int {
        let m = neurons * neurons
        return states * m * 3 + states * m + m * 3
    }

    public func initialParameters(states: Int, neurons: Int, generator: inout SeededGenerator) -> [Double] {
        let m = neurons * neurons
        var p = [Double](repeating: 0, count: parameterCount(states: states, neurons: neurons))
        for i in 0..<(states * m * 3) { p[i] = generator.normal(mean: 0, standardDeviation: initialScale) }
        return p
    }

    public func trainingMode(epoch: Int, epochs: Int) -> WeightMode {
        if deterministic { return .expected }
        let fraction = epochs > 1 ? Double(epoch) / Double(epochs - 1) : 1
        let tau = initialTemperature * Double.pow(finalTemperature / initialTemperature, Swift.min(1, Swift.max(0, fraction)))
        return .sample(temperature: tau)
    }

    public func evaluate(
        _ parameters: [Double], states: Int, neurons: Int, mode: WeightMode, generator: inout SeededGenerator
    ) -> PriorEvaluation {
        let m = neurons * neurons, sm = states * m
        precondition(parameters.count == parameterCount(states: states, neurons: neurons), "OneHotPrior: wrong parameter count")
        let omegaBase = sm * 3, rhoBase = sm * 4
        var types = [Double](repeating: 0, count: sm * 3)   // a used in the forward pass
        var strength = [Double](repeating: 0, count: sm)    // softplus(ω)
        var weights = [Double](repeating: 0, count: sm)
        var dLogPrior = [Double](repeating: 0, count: parameters.count)  // ∂ log prior / ∂ parameters
        var logPrior = 0.0
        var typeScale = 1.0
        // log α = log-softmax(ρ) per pair, shared by the states: computed once, not once per state.
        var logAlphaAll = [Double](repeating: 0, count: m * 3), alphaAll = logAlphaAll
        parameters.withUnsafeBufferPointer { p in
            logAlphaAll.withUnsafeMutableBufferPointer { out in
                for k in 0..<m { logSoftmax3(p.baseAddress! + rhoBase + k * 3, out.baseAddress! + k * 3) }
            }
        }
        for i in 0..<(m * 3) { alphaAll[i] = FastExpLog.exp(logAlphaAll[i]) }
        // Per step this runs once per (state, pair): the CKernels pass (AVX2 + FMA, four entries per
        // vector, or its portable C version) does the types, strengths, weights and the Concrete prior
        // with its gradients. The Gumbel noise's uniforms come from `generator`, three per entry in order.
        var sigmoidOmega = [Double](repeating: 0, count: sm)  // σ(ω) = softplus′(ω), for the pullback
        let modeCode: Int32
        var uniforms: [Double] = []
        switch mode {
        case .hard: modeCode = Int32(CK_ONEHOT_HARD)
        case .expected: modeCode = Int32(CK_ONEHOT_EXPECTED)
        case .sample(let tau):
            modeCode = Int32(CK_ONEHOT_SAMPLE)
            typeScale = 1 / tau
            uniforms = [Double](repeating: 0, count: sm * 3)
            for i in 0..<(sm * 3) { uniforms[i] = generator.nextOpenUnitInterval() }
        }
        parameters.withUnsafeBufferPointer { p in
            uniforms.withUnsafeBufferPointer { u in
                logAlphaAll.withUnsafeBufferPointer { la in
                    alphaAll.withUnsafeBufferPointer { al in
                        types.withUnsafeMutableBufferPointer { ty in
                            strength.withUnsafeMutableBufferPointer { st in
                                sigmoidOmega.withUnsafeMutableBufferPointer { so in
                                    weights.withUnsafeMutableBufferPointer { w in
                                        dLogPrior.withUnsafeMutableBufferPointer { d in
                                            logPrior = ck_onehot_prior(
                                                modeCode, typeScale, Int64(states), Int64(m), p.baseAddress!, p.baseAddress! + omegaBase,
                                                u.baseAddress, la.baseAddress!, al.baseAddress!, priorTemperature, ty.baseAddress!,
                                                st.baseAddress!, so.baseAddress!, w.baseAddress!, d.baseAddress!, d.baseAddress! + rhoBase)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let isHard = mode == .hard
        let scale = typeScale
        return PriorEvaluation(weights: weights, logPrior: logPrior) { gradient, priorScale in
            var out = [Double](repeating: 0, count: parameters.count)
            for idx in 0..<sm {
                let g = gradient[idx], sp = strength[idx]
                let a0 = types[idx * 3], a1 = types[idx * 3 + 1], a2 = types[idx * 3 + 2]
                out[omegaBase + idx] = g * (a2 - a0) * sigmoidOmega[idx]
                if !isHard {
                    // ∂/∂a = (−g·sp, 0, g·sp); softmax Jacobian with 1/τ.
                    let d0 = -g * sp, d2 = g * sp
                    let mean = a0 * d0 + a2 * d2
                    out[idx * 3] = scale * a0 * (d0 - mean)
                    out[idx * 3 + 1] = scale * a1 * (0 - mean)
                    out[idx * 3 + 2] = scale * a2 * (d2 - mean)
                }
            }
            for i in 0..<out.count { out[i] -= priorScale * dLogPrior[i] }
            return out
        }
    }

    public func project(_ parameters: inout [Double], states: Int, neurons: Int) {
        let m = neurons * neurons, sm = states * m
        let vectors = sm + m
        for v in 0..<vectors {
            let base = v < sm ? v * 3 : sm * 4 + (v - sm) * 3
            // softmax class below e^−limit ⇔ (max − min) exceeds the limit (up to log 3).
            while true {
                let x0 = parameters[base], x1 = parameters[base + 1], x2 = parameters[base + 2]
                let mx = Swift.max(x0, Swift.max(x1, x2))
                // log-sum-exp ≤ max + log 3, so min − lse ≥ min − max − log 3: a spread below
                // limit − log 3 cannot saturate (the common case, decided without exp or log).
                if mx - Swift.min(x0, Swift.min(x1, x2)) < saturationLimit - 1.0986122886681098 { break }
                let lse = mx + Double.log(Double.exp(x0 - mx) + Double.exp(x1 - mx) + Double.exp(x2 - mx))
                let minLog = Swift.min(x0, Swift.min(x1, x2)) - lse
                guard minLog < -saturationLimit, minLog.isFinite else { break }
                parameters[base] *= 0.5
                parameters[base + 1] *= 0.5
                parameters[base + 2] *= 0.5
            }
        }
    }

    /// Learned type probabilities α = softmax(ρ), N × N × 3 over {inh, none, exc}.
    public func typeProbabilities(_ parameters: [Double], states: Int, neurons: Int) -> [Double] {
        let m = neurons * neurons, rhoBase = states * m * 4
        var out = [Double](repeating: 0, count: m * 3)
        for k in 0..<m {
            let x = (parameters[rhoBase + k * 3], parameters[rhoBase + k * 3 + 1], parameters[rhoBase + k * 3 + 2])
            let mx = Swift.max(x.0, Swift.max(x.1, x.2))
            let e = (Double.exp(x.0 - mx), Double.exp(x.1 - mx), Double.exp(x.2 - mx))
            let t = e.0 + e.1 + e.2
            out[k * 3] = e.0 / t
            out[k * 3 + 1] = e.1 / t
            out[k * 3 + 2] = e.2 / t
        }
        return out
    }

    /// Hard per-state types (argmax ψ), S × N × N with values −1 (inh), 0 (none), +1 (exc).
    public func hardTypes(_ parameters: [Double], states: Int, neurons: Int) -> [Int] {
        (0..<(states * neurons * neurons)).map { idx in
            let p = (parameters[idx * 3], parameters[idx * 3 + 1], parameters[idx * 3 + 2])
            if p.0 > p.1 && p.0 >= p.2 { return -1 }
            if p.2 > p.1 && p.2 > p.0 { return 1 }
            return 0
        }
    }

    public func sharedStructure(_ parameters: [Double], states: Int, neurons: Int) -> [String: (shape: [Int], values: [Double])] {
        ["type_probabilities": ([neurons, neurons, 3], typeProbabilities(parameters, states: states, neurons: neurons))]
    }

    /// Types from the sign of each weight beyond `threshold` (logit gap 4), strengths from |w|, and the
    /// prior from the type frequencies across states: a warm start from a naive or Gaussian fit.
    public func parameters(approximating weights: [Double], states: Int, neurons: Int) -> [Double] {
        parameters(approximating: weights, states: states, neurons: neurons, threshold: warmStartThreshold)
    }

    public func parameters(approximating weights: [Double], states: Int, neurons: Int, threshold: Double) -> [Double] {
        let m = neurons * neurons, sm = states * m
        precondition(weights.count == sm, "OneHotPrior: \(weights.count) weights, expected \(sm)")
        var p = [Double](repeating: 0, count: parameterCount(states: states, neurons: neurons))
        var frequency = [Double](repeating: 1, count: m * 3)  // add-one smoothing
        for idx in 0..<sm {
            let w = weights[idx]
            let type = Swift.abs(w) <= threshold ? 1 : (w > 0 ? 2 : 0)
            p[idx * 3 + type] = 4
            let magnitude = Swift.max(Swift.abs(w), 0.05)
            p[sm * 3 + idx] = magnitude + Double.log(-Double.expMinusOne(-magnitude))  // softplus⁻¹
            frequency[(idx % m) * 3 + type] += 1
        }
        for k in 0..<m {
            let total = frequency[k * 3] + frequency[k * 3 + 1] + frequency[k * 3 + 2]
            for c in 0..<3 { p[sm * 4 + k * 3 + c] = Double.log(frequency[k * 3 + c] / total) }
        }
        return p
    }
}
