import Foundation
import Testing
@testable import NeuralNet

/// A tiny encoder-only transformer for sequence-to-sequence tasks of fixed length: token embedding +
/// learned positions → pre-norm blocks → final LayerNorm → per-position logits.
struct TinyTransformer: Layer {
    let embedding: Embedding
    let positions: LearnedPositionalEncoding
    let blocks: [TransformerEncoderBlock]
    let norm: LayerNorm
    let head: Linear

    init(vocabulary: Int, length: Int, dimension: Int, heads: Int, layers: Int, dropout: Float = 0, generator: inout SeededGenerator) {
        embedding = Embedding(count: vocabulary, dimension: dimension, generator: &generator)
        positions = LearnedPositionalEncoding(dimension: dimension, maxLength: length, generator: &generator)
        blocks = (0..<layers).map { _ in
            TransformerEncoderBlock(dimension: dimension, heads: heads, feedForwardDimension: 2 * dimension, dropout: dropout,
                                    generator: &generator)
        }
        norm = LayerNorm(dimension: dimension)
        head = Linear(inFeatures: dimension, outFeatures: vocabulary, generator: &generator)
    }

    /// Logits `[batch, length, vocabulary]` for `tokens` (`batch · length`, row-major).
    func callAsFunction(_ tokens: [Int], batch: Int, training: TrainingContext? = nil) -> Tensor {
        let length = tokens.count / batch
        var h = positions(embedding(tokens, shape: [batch, length]))
        for block in blocks { h = block(h, training: training) }
        return head(norm(h))
    }

    var namedParameters: [(name: String, tensor: Tensor)] {
        var all = Self.prefixed("embedding", embedding) + Self.prefixed("positions", positions)
        for (i, block) in blocks.enumerated() { all += Self.prefixed("blocks.\(i)", block) }
        return all + Self.prefixed("norm", norm) + Self.prefixed("head", head)
    }
}

/// Random sequences and their reversals.
func reversalBatch(_ batch: Int, length: Int, vocabulary: Int, generator: inout SeededGenerator) -> (inputs: [Int], targets: [Int]) {
    var inputs = [Int](repeating: 0, count: batch * length), targets = inputs
    for n in 0..<batch {
        for t in 0..<length { inputs[n * length + t] = Int(generator.next() % UInt64(vocabulary)) }
        for t in 0..<length { targets[n * length + t] = inputs[n * length + length - 1 - t] }
    }
    return (inputs, targets)
}

/// Fraction of positions where the arg-max logit is the target.
func tokenAccuracy(_ logits: Tensor, _ targets: [Int]) -> Double {
    let v = logits.dimensions.last!
    var correct = 0
    for (r, t) in targets.enumerated() {
        var best = 0
        for c in 1..<v where logits.storage[r * v + c] > logits.storage[r * v + best] { best = c }
        if best == t { correct += 1 }
    }
    return Double(correct) / Double(targets.count)
}

@Suite struct TransformerLearningTests {
    /// Reversal needs attention from position t to position 11 − t, i.e. routing by learned position
    /// alone; the loss sits on a plateau (≈ 26 % accuracy: copying the marginal) until the heads find it,
    /// then drops sharply. With these settings the held-out accuracy passes 99 % after ≈ 200 AdamW steps
    /// of 32 fresh sequences (about 10–15 s in a debug build on this machine, most of it in the
    /// unoptimised elementwise loops).
    @Test func twoLayerTransformerLearnsToReverseSequences() {
        let length = 12, vocabulary = 10, batch = 32
        var rng = SeededGenerator(seed: 7)
        let model = TinyTransformer(vocabulary: vocabulary, length: length, dimension: 32, heads: 2, layers: 2, generator: &rng)
        let optimiser = Adam.adamW(parameters: model.parameters, learningRate: 1e-2, weightDecay: 0)
        var data = SeededGenerator(seed: 8)
        let test = reversalBatch(256, length: length, vocabulary: vocabulary, generator: &data)
        let initial = tokenAccuracy(withNoGrad { model(test.inputs, batch: 256) }, test.targets)
        #expect(initial < 0.2)  // chance is 10 %
        var accuracy = 0.0
        var steps = 0
        // Train until the held-out accuracy clears 99.5 % (checked every 25 steps), at most 600 steps.
        while steps < 600 && accuracy <= 0.995 {
            let b = reversalBatch(batch, length: length, vocabulary: vocabulary, generator: &data)
            optimiser.zeroGrad()
            Tensor.crossEntropy(logits: model(b.inputs, batch: batch), targets: b.targets).backward()
            optimiser.step()
            steps += 1
            if steps % 25 == 0 { accuracy = tokenAccuracy(withNoGrad { model(test.inputs, batch: 256) }, test.targets) }
        }
        #expect(accuracy > 0.99, "held-out token accuracy \(accuracy) after \(steps) steps")
    }
}
