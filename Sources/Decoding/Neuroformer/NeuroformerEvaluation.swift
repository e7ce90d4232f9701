import Foundation

/// Held-out next-token metrics against the trivial baselines.
public struct NeuroformerTokenMetrics: Sendable, Equatable, Codable {
    /// Top-1 accuracy of the next neuron ID over spike targets (EOS and PAD excluded), the argmax taken
    /// among the neuron IDs: given that a spike comes next, which neuron. This is what the
    /// most-frequent-neuron baseline (which also knows a spike comes) is comparable with.
    public var idAccuracy: Double
    /// The same with the argmax over the whole ID vocabulary (the reference's micro-F1): a model that
    /// expects the window to end (EOS) scores 0 on that target.
    public var idAccuracyAnyToken: Double
    /// Accuracy of always predicting the most frequent neuron of these targets.
    public var mostFrequentIDAccuracy: Double
    /// Top-1 accuracy of the next offset over the same targets, and of always predicting the most
    /// frequent offset (the empirical prior's mode).
    public var offsetAccuracy: Double
    public var offsetPriorAccuracy: Double
    public var targets: Int
}

extension NeuroformerModel {
    /// Next-token accuracies on the windows `samples` (evaluation mode).
    public func tokenMetrics(on dataset: NeuroformerDataset, samples: [Int], batchSize: Int = 256) -> NeuroformerTokenMetrics {
        let tok = configuration.tokenizer, t = configuration.currentBlock
        var correctID = 0, correctAny = 0, correctDt = 0, total = 0
        var idCounts = [Int](repeating: 0, count: tok.idVocabulary), dtCounts = [Int](repeating: 0, count: tok.offsetVocabulary)
        withNoGrad {
            for start in stride(from: 0, to: samples.count, by: batchSize) {
                let chunk = Array(samples[start..<min(start + batchSize, samples.count)])
                let batch = dataset.batch(chunk)
                let out = forward(batch)
                let vi = tok.idVocabulary, vd = tok.offsetVocabulary
                let li = out.idLogits.storage, ld = out.offsetLogits.storage
                for r in 0..<(chunk.count * t) {
                    let target = batch.targetIDs[r]
                    guard target < tok.neurons else { continue }
                    total += 1
                    idCounts[target] += 1
                    dtCounts[batch.targetOffsets[r]] += 1
                    if argmax(li, r * vi, tok.neurons) == target { correctID += 1 }
                    if argmax(li, r * vi, vi) == target { correctAny += 1 }
                    if argmax(ld, r * vd, vd) == batch.targetOffsets[r] { correctDt += 1 }
                }
            }
        }
        let n = Double(max(total, 1))
        return NeuroformerTokenMetrics(
            idAccuracy: Double(correctID) / n, idAccuracyAnyToken: Double(correctAny) / n, mostFrequentIDAccuracy: Double(idCounts.max() ?? 0) / n,
            offsetAccuracy: Double(correctDt) / n, offsetPriorAccuracy: Double(dtCounts.max() ?? 0) / n, targets: total)
    }

    /// Per neuron, the spikes the model expects in the windows `samples` given each window's true prefix
    /// (Σ over the positions up to EOS of p_id(n), the softmax over the whole ID vocabulary) and the spikes
    /// the tokenised windows hold. Matching totals say the one-step predictions are calibrated rates, so
    /// a free-running generation that falls short is a sampling problem, not a fitting one.
    public func expectedSpikeCounts(on dataset: NeuroformerDataset, samples: [Int], batchSize: Int = 256) -> (expected: [Double], observed: [Double]) {
        let tok = configuration.tokenizer, t = configuration.currentBlock, vi = tok.idVocabulary
        var expected = [Double](repeating: 0, count: tok.neurons), observed = expected
        var p = [Double](repeating: 0, count: vi)
        withNoGrad {
            for start in stride(from: 0, to: samples.count, by: batchSize) {
                let chunk = Array(samples[start..<min(start + batchSize, samples.count)])
                let batch = dataset.batch(chunk)
                let li = forward(batch).idLogits.storage
                for r in 0..<(chunk.count * t) where batch.targetIDs[r] != tok.pad {
                    let target = batch.targetIDs[r]
                    if target < tok.neurons { observed[target] += 1 }
                    var m = -Float.infinity
                    for j in 0..<vi { m = max(m, li[r * vi + j]) }
                    var total = 0.0
                    for j in 0..<vi { p[j] = Double.exp(Double(li[r * vi + j] - m)); total += p[j] }
                    for n in 0..<tok.neurons { expected[n] += p[n] / total }
                }
            }
        }
        return (expected, observed)
    }

    /// Behaviour predictions for the windows `samples`: the regression value in the target's own units, or
    /// the most probable class index.
    public func predictBehaviour(on dataset: NeuroformerDataset, samples: [Int], batchSize: Int = 256) throws -> [Double] {
        guard let head = behaviourHead else {
            throw NeuroformerError.shapeMismatch(what: "model", expected: "a behaviour head", found: "none")
        }
        let c = configuration, k = c.behaviourOutputs
        let features = NeuroformerTraining.pooledFeatures(self, dataset, samples: samples, batchSize: batchSize)
        let out = withNoGrad { head(Tensor(features, shape: [samples.count, c.dimension])).storage }
        if c.behaviourIsClassification { return (0..<samples.count).map { Double(argmax(out, $0 * k, k)) } }
        return out.map { Double($0) * c.behaviourScale + c.behaviourMean }
    }
}

@inline(__always)
func argmax(_ values: [Float], _ offset: Int, _ count: Int) -> Int {
    var best = 0, value = -Float.infinity
    for j in 0..<count where values[offset + j] > value {
        value = values[offset + j]
        best = j
    }
    return best
}
