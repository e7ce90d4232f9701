import Foundation

/// Connectivity read-outs: Neuroformer's past-window attention and the lagged cross-correlation
/// baseline it must always be reported beside (methods note §A4, §D1).
public enum SpikeConnectivity {
    /// Attention enrichment `[target][source]` (N × N, row-major).
    ///
    /// For every query position whose next-token target is neuron i, the past cross-attention weights
    /// (averaged over heads and history blocks), renormalised over the past window's spike tokens, onto
    /// tokens of neuron j are summed into A[i, j]; the share uniform attention over those spike tokens
    /// would give (count of j's tokens / spike tokens) is summed alike, and the score is their ratio
    /// (1 = no preference). Pairs never observed score 1. Renormalising over spike tokens (the methods
    /// note divides by uniform mass over all T_past tokens) keeps the SOS/EOS/PAD tokens, whose share
    /// varies with how busy a window is, from confounding the score with firing rates.
    ///
    /// - Parameter shufflePastSeed: when set, the shuffle control: in every window the past tokens' neuron
    ///   IDs are relabelled by a random permutation of the neurons (offsets, counts and the current window
    ///   untouched), so no past token carries its real source. A read-out that measures connectivity, not
    ///   a per-neuron attention preference, then scores hub edges at chance (AUROC ≈ 0.5).
    public static func attention(
        _ model: NeuroformerModel, on dataset: NeuroformerDataset, samples: [Int], batchSize: Int = 128,
        shufflePastSeed: UInt64? = nil
    ) -> [Double] {
        let c = model.configuration, n = c.neurons, t = c.currentBlock, tp = c.pastBlock, h = c.heads
        guard c.historyLayers > 0 else { return [Double](repeating: 1, count: n * n) }
        var mass = [Double](repeating: 0, count: n * n), expected = [Double](repeating: 0, count: n * n)
        var shuffle = SeededGenerator(seed: shufflePastSeed ?? 0)
        withNoGrad {
            for start in stride(from: 0, to: samples.count, by: batchSize) {
                let chunk = Array(samples[start..<min(start + batchSize, samples.count)])
                var batch = dataset.batch(chunk)
                if shufflePastSeed != nil {
                    for s in 0..<chunk.count {
                        let relabel = shuffle.permutation(n)
                        for j in 0..<tp where batch.pastIDs[s * tp + j] < n { batch.pastIDs[s * tp + j] = relabel[batch.pastIDs[s * tp + j]] }
                    }
                }
                let out = model.forward(batch)
                // Mean over heads and layers: [b, T, Tp].
                var weights = [Double](repeating: 0, count: chunk.count * t * tp)
                let scale = 1 / Double(h * out.pastAttention.count)
                for layer in out.pastAttention {
                    let w = layer.storage
                    for s in 0..<chunk.count {
                        for head in 0..<h {
                            let base = (s * h + head) * t * tp
                            for q in 0..<(t * tp) { weights[s * t * tp + q] += Double(w[base + q]) * scale }
                        }
                    }
                }
                for s in 0..<chunk.count {
                    var sourceCount = [Int](repeating: 0, count: n)
                    var spikes = 0
                    for j in 0..<tp { let id = batch.pastIDs[s * tp + j]; if id < n { sourceCount[id] += 1; spikes += 1 } }
                    guard spikes > 0 else { continue }
                    for q in 0..<t {
                        let target = batch.targetIDs[s * t + q]
                        guard target < n else { continue }
                        let row = (s * t + q) * tp
                        var total = 0.0
                        for j in 0..<tp where batch.pastIDs[s * tp + j] < n { total += weights[row + j] }
                        guard total > 0 else { continue }
                        for j in 0..<tp {
                            let source = batch.pastIDs[s * tp + j]
                            if source < n { mass[target * n + source] += weights[row + j] / total }
                        }
                        for source in 0..<n where sourceCount[source] > 0 {
                            expected[target * n + source] += Double(sourceCount[source]) / Double(spikes)
                        }
                    }
                }
            }
        }
        return zip(mass, expected).map { $1 > 0 ? $0 / $1 : 1 }
    }

    /// The connectivity read-out reported as final, with and without modality streams: the log of the
    /// attention enrichment (`attention(_:on:samples:)`, already divided by each source's token share,
    /// i.e. its expected attention under the token-frequency baseline) double-centred over the
    /// off-diagonal pairs: S = L − (r_i + c_j) for the least-squares additive fit r_i + c_j over i ≠ j
    /// (alternating row and column centring), so every row and column of S sums to zero.
    ///
    /// Why both centrings: a source neuron whose tokens are attended more whatever comes next (a hub, or a
    /// stimulus-driven neuron whose past spikes the behaviour head or the stimulus timing needs) raises
    /// its whole column, and a target predicted from a sharper or flatter attention raises its whole row;
    /// neither is a connection. What remains is how much more source j is attended when the next spike is
    /// i than its own and i's averages predict. The diagonal is 0 (self-coupling is not scored).
    public static func doubleCentred(_ scores: [Double], neurons n: Int) -> [Double] {
        precondition(scores.count == n * n, "SpikeConnectivity.doubleCentred: scores must be N × N")
        guard n > 2 else { return [Double](repeating: 0, count: n * n) }
        var s = scores.map { Double.log(max($0, 1e-12)) }
        for i in 0..<n { s[i * n + i] = 0 }
        // With the diagonal missing, one pass of row and column centring leaves a 1/(N−1) share of the
        // transposed effects behind; alternating passes converge to the exact additive fit.
        for _ in 0..<100 {
            var change = 0.0
            for i in 0..<n {
                var mean = 0.0
                for j in 0..<n where j != i { mean += s[i * n + j] }
                mean /= Double(n - 1)
                for j in 0..<n where j != i { s[i * n + j] -= mean }
                change = max(change, abs(mean))
            }
            for j in 0..<n {
                var mean = 0.0
                for i in 0..<n where i != j { mean += s[i * n + j] }
                mean /= Double(n - 1)
                for i in 0..<n where i != j { s[i * n + j] -= mean }
                change = max(change, abs(mean))
            }
            if change < 1e-12 { break }
        }
        return s
    }

    /// `scores` `[target][source]` divided by each source's mean score over the other targets: how
    /// specifically source j's tokens are attended when predicting target i, with the per-source level
    /// (which tracks firing rate: a neuron with twice the tokens does not get twice the attention)
    /// removed.
    public static func sourceNormalised(_ scores: [Double], neurons n: Int) -> [Double] {
        var result = scores
        for j in 0..<n {
            var mean = 0.0
            for i in 0..<n where i != j { mean += scores[i * n + j] }
            mean /= Double(max(n - 1, 1))
            for i in 0..<n { result[i * n + j] = mean > 0 ? scores[i * n + j] / mean : 1 }
        }
        return result
    }

    /// Lagged cross-correlation `[target][source]`: the Pearson correlation between source j's counts in
    /// bin b and target i's summed counts in bins b + lags, over `bins` (N × N, row-major; the diagonal
    /// is 0).
    public static func laggedCrossCorrelation(_ raster: SpikeRaster, bins: Range<Int>? = nil, lags: ClosedRange<Int> = 1...2) -> [Double] {
        let n = raster.neurons
        let r = bins ?? 0..<raster.bins
        let usable = r.lowerBound..<(r.upperBound - lags.upperBound)
        guard usable.count > 1 else { return [Double](repeating: 0, count: n * n) }
        let m = usable.count
        // Source series x_j(b) and lagged target series y_i(b) = Σ_lag s_i(b + lag), centred.
        var x = [Double](repeating: 0, count: n * m), y = [Double](repeating: 0, count: n * m)
        for (k, b) in usable.enumerated() {
            for j in 0..<n {
                x[j * m + k] = Double(raster[b, j])
                var s = 0.0
                for lag in lags { s += Double(raster[b + lag, j]) }
                y[j * m + k] = s
            }
        }
        func centre(_ v: inout [Double]) -> [Double] {
            var norms = [Double](repeating: 0, count: n)
            for j in 0..<n {
                var mean = 0.0
                for k in 0..<m { mean += v[j * m + k] }
                mean /= Double(m)
                var ss = 0.0
                for k in 0..<m { v[j * m + k] -= mean; ss += v[j * m + k] * v[j * m + k] }
                norms[j] = ss.squareRoot()
            }
            return norms
        }
        let nx = centre(&x), ny = centre(&y)
        let X = Matrix<Double>(rows: n, columns: m, elements: x), Y = Matrix<Double>(rows: n, columns: m, elements: y)
        let product = Y.multiplied(by: X, transposingSelf: false, transposingOther: true)  // [target][source]
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where i != j && nx[j] > 0 && ny[i] > 0 { result[i * n + j] = product[i, j] / (nx[j] * ny[i]) }
        }
        return result
    }

    /// ROC AUC of `scores` `[target][source]` for separating `positive` pairs from `negative` pairs
    /// (both as `target * n + source` indices).
    public static func auroc(_ scores: [Double], positive: [Int], negative: [Int]) throws -> Double {
        try Metrics.rocAUC(isPositive: positive.map { _ in true } + negative.map { _ in false },
                           scores: positive.map { scores[$0] } + negative.map { scores[$0] })
    }
}
