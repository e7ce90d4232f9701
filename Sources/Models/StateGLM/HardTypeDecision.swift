import Foundation

extension OneHotPrior {
    /// The hard types at evaluation, decided by the model's own MAP criterion instead of argmax ψ alone.
    ///
    /// Argmax ψ leaves many weak couplings typed inh/exc: a weak typed coupling and "none" fit the
    /// data almost equally, so for them training noise and the start decide (notes §5.2: precision
    /// 0.41 for "connection exists" in the reference). Here every typed coupling W_s[n←n'] is
    /// checked against "none" with the hard-type posterior the model defines: the expected
    /// complete-data log-likelihood of neuron n in state s with and without it (Σ_t γ_ts [log p(x_tn |
    /// η − W h_tn') − log p(x_tn | η)], exact, over the training posteriors) plus the categorical
    /// prior log-odds log α_none − log α_type of the learned, state-shared type probabilities (the
    /// τ → 0 limit of the Concrete prior). Couplings are tried from the weakest up within each row
    /// and dropped while that sum is positive; no magnitude threshold enters.
    ///
    /// Returns new parameters (dropped couplings get the "none" logit raised 4 above the others) and
    /// the number dropped.
    public func pruningHardTypes(
        of model: StateGLMModel, sequences: [StateGLMSequence], posteriors: [Matrix<Double>]
    ) -> (parameters: [Double], dropped: Int) {
        let states = model.states, n = model.neurons, m = n * n, k = n + 1
        var parameters = model.priorParameters
        let weights = model.weights(mode: .hard)
        let types = hardTypes(parameters, states: states, neurons: n)
        let alpha = typeProbabilities(parameters, states: states, neurons: n)
        let emission = model.configuration.emission
        var dropped = 0
        for s in 0..<states {
            // This state's bins with weight, over all sequences: design rows, counts, γ.
            var design: [Double] = [], counts: [Double] = [], gamma: [Double] = []
            for (sequence, posterior) in zip(sequences, posteriors) {
                for t in 0..<sequence.binCount where posterior[t, s] >= posteriorCutoff {
                    gamma.append(posterior[t, s])
                    sequence.design.withUnsafeBufferPointer { d in design.append(contentsOf: d[(t * k)..<((t + 1) * k)]) }
                    sequence.counts.withUnsafeBufferPointer { x in counts.append(contentsOf: x[(t * n)..<((t + 1) * n)]) }
                }
            }
            let rows = gamma.count
            guard rows > 0 else { continue }
            var eta = [Double](repeating: 0, count: rows), trial = [Double](repeating: 0, count: rows)
            var x = [Double](repeating: 0, count: rows)
            var ll = [Double](repeating: 0, count: rows), trialLL = [Double](repeating: 0, count: rows)
            var scratch = [Double](repeating: 0, count: rows)
            for target in 0..<n {
                let row = s * m + target * n
                let bias = model.bias(state: s, neuron: target)
                for t in 0..<rows {
                    var drive = bias
                    for source in 0..<n { drive += weights[row + source] * design[t * k + source] }
                    eta[t] = drive
                    x[t] = counts[t * n + target]
                }
                func expected(_ drives: [Double], into out: inout [Double]) -> Double {
                    scratch = drives
                    x.withUnsafeBufferPointer { xp in
                        scratch.withUnsafeMutableBufferPointer { d in
                            out.withUnsafeMutableBufferPointer { o in
                                emission.evaluateBlock(counts: xp.baseAddress!, drives: d.baseAddress!, logLikelihood: o.baseAddress!, count: rows)
                            }
                        }
                    }
                    var total = 0.0
                    for t in 0..<rows { total += gamma[t] * out[t] }
                    return total
                }
                var current = expected(eta, into: &ll)
                let candidates = (0..<n).filter { types[row + $0] != 0 }.sorted { Swift.abs(weights[row + $0]) < Swift.abs(weights[row + $1]) }
                for source in candidates {
                    let w = weights[row + source]
                    for t in 0..<rows { trial[t] = eta[t] - w * design[t * k + source] }
                    let candidate = expected(trial, into: &trialLL)
                    let pair = target * n + source
                    let typeClass = types[row + source] + 1   // 0 inh, 2 exc
                    let gain = candidate - current + Foundation.log(alpha[pair * 3 + 1]) - Foundation.log(alpha[pair * 3 + typeClass])
                    guard gain > 0 else { continue }
                    swap(&eta, &trial)
                    current = candidate
                    let base = (row + source) * 3
                    parameters[base + 1] = Swift.max(parameters[base], parameters[base + 2]) + 4
                    dropped += 1
                }
            }
        }
        return (parameters, dropped)
    }
}
