import Testing
@testable import NeuralNet

@Suite struct AttentionTests {
    let gc = GradientCheck()

    /// Naive single-example attention in Double, straight from the definition, for one head layout.
    func reference(_ layer: MultiHeadAttention, _ x: Tensor, _ kv: Tensor, batch n: Int, causal: Bool, padding: [Bool]?) -> [Double] {
        func project(_ l: Linear, _ input: Tensor, _ row: Int) -> [Double] {
            (0..<l.outFeatures).map { o in
                var s = Double(l.bias?.storage[o] ?? 0)
                for i in 0..<l.inFeatures { s += Double(l.weight[o, i]) * Double(input[n, row, i]) }
                return s
            }
        }
        let tq = x.dimensions[1], tk = kv.dimensions[1], d = layer.dimension, h = layer.heads, dh = d / h
        let q = (0..<tq).map { project(layer.query, x, $0) }
        let k = (0..<tk).map { project(layer.key, kv, $0) }
        let v = (0..<tk).map { project(layer.value, kv, $0) }
        var merged = [[Double]](repeating: [Double](repeating: 0, count: d), count: tq)
        for head in 0..<h {
            for i in 0..<tq {
                var scores = (0..<tk).map { j -> Double in
                    var s = 0.0
                    for e in 0..<dh { s += q[i][head * dh + e] * k[j][head * dh + e] }
                    return s / Double(dh).squareRoot()
                }
                for j in 0..<tk where (causal && j > i) || (padding?[j] ?? false) { scores[j] = -.infinity }
                let m = scores.max()!
                let e = scores.map { Foundation_exp($0 - m) }
                let total = e.reduce(0, +)
                for j in 0..<tk { for c in 0..<dh { merged[i][head * dh + c] += e[j] / total * v[j][head * dh + c] } }
            }
        }
        var out: [Double] = []
        for i in 0..<tq {
            for o in 0..<d {
                var s = Double(layer.output.bias?.storage[o] ?? 0)
                for c in 0..<d { s += Double(layer.output.weight[o, c]) * merged[i][c] }
                out.append(s)
            }
        }
        return out
    }

    @Test func selfAttentionMatchesTheDefinitionWithMasks() {
        var rng = SeededGenerator(seed: 100)
        let layer = MultiHeadAttention(dimension: 6, heads: 2, generator: &rng)
        let x = randomInput([2, 4, 6], seed: 101)
        let padding = Tensor([0, 0, 0, 1, 0, 1, 0, 0], shape: [2, 4])
        let result = layer(x, causal: true, keyPaddingMask: padding)
        #expect(result.output.dimensions == [2, 4, 6] && result.weights.dimensions == [2, 2, 4, 4])
        for n in 0..<2 {
            let expected = reference(layer, x, x, batch: n, causal: true, padding: (0..<4).map { padding[n, $0] != 0 })
            for (i, e) in expected.enumerated() { #expect(Swift.abs(Double(result.output.storage[n * 24 + i]) - e) < 1e-5) }
        }
        // Weights: rows sum to 1; future and padded keys get exactly 0.
        for n in 0..<2 { for h in 0..<2 { for i in 0..<4 {
            let row = (0..<4).map { result.weights[n, h, i, $0] }
            #expect(Swift.abs(row.reduce(0, +) - 1) < 1e-6)
            for j in 0..<4 where j > i || padding[n, j] != 0 { #expect(row[j] == 0) }
        } } }
    }

    @Test func crossAttentionMatchesTheDefinition() {
        var rng = SeededGenerator(seed: 102)
        let layer = MultiHeadAttention(dimension: 4, heads: 2, keyValueDimension: 3, generator: &rng)
        let x = randomInput([2, 3, 4], seed: 103), memory = randomInput([2, 5, 3], seed: 104)
        let result = layer(x, keyValue: memory)
        #expect(result.output.dimensions == [2, 3, 4] && result.weights.dimensions == [2, 2, 3, 5])
        for n in 0..<2 {
            let expected = reference(layer, x, memory, batch: n, causal: false, padding: nil)
            for (i, e) in expected.enumerated() { #expect(Swift.abs(Double(result.output.storage[n * 12 + i]) - e) < 1e-5) }
        }
    }

    @Test func attentionGradients() {
        var rng = SeededGenerator(seed: 105)
        let selfAttention = MultiHeadAttention(dimension: 4, heads: 2, generator: &rng)
        let x = randomInput([2, 3, 4], seed: 106)
        let padding = Tensor([0, 0, 1, 0, 0, 0], shape: [2, 3])
        gc.check([x] + selfAttention.parameters) { selfAttention($0[0], causal: true, keyPaddingMask: padding).output }
        // The weights are differentiable outputs too.
        gc.check([x]) { selfAttention($0[0]).weights }
        let cross = MultiHeadAttention(dimension: 4, heads: 1, keyValueDimension: 2, generator: &rng)
        let memory = randomInput([2, 5, 2], seed: 107)
        gc.check([x, memory] + cross.parameters) { cross($0[0], keyValue: $0[1]).output }
    }

    @Test func positionalEncodings() {
        let sinusoid = SinusoidalPositionalEncoding(dimension: 6, maxLength: 10)
        #expect(sinusoid.namedParameters.isEmpty)
        // p = 3, i = 1 (columns 2, 3): angle 3 / 10000^{2/6}.
        let angle = 3 / Foundation_pow(10_000, 2.0 / 6)
        #expect(Swift.abs(Double(sinusoid.table[3, 2]) - Foundation_sin(angle)) < 1e-6)
        #expect(Swift.abs(Double(sinusoid.table[3, 3]) - Foundation_cos(angle)) < 1e-6)
        #expect(sinusoid.table[0, 0] == 0 && sinusoid.table[0, 1] == 1 && sinusoid.table[7, 0] == Float(Foundation_sin(7)))
        let x = randomInput([2, 4, 6], seed: 108)
        let y = sinusoid(x)
        #expect(y[1, 3, 2] == x[1, 3, 2] + sinusoid.table[3, 2])
        gc.check([x]) { sinusoid($0[0]) }

        var rng = SeededGenerator(seed: 109)
        let learned = LearnedPositionalEncoding(dimension: 6, maxLength: 5, generator: &rng)
        #expect(learned.weight.storage.allSatisfy { Swift.abs($0) < 0.15 })  // 7.5σ for σ = 0.02
        gc.check([x, learned.weight]) { learned($0[0]) }  // rows ≥ 4 get exactly zero gradient
    }

    @Test func transformerBlockGradients() {
        var rng = SeededGenerator(seed: 110)
        let encoder = TransformerEncoderBlock(dimension: 4, heads: 2, feedForwardDimension: 8, generator: &rng)
        #expect(encoder.namedParameters.count == 16 && encoder.parameterCount == 4 * 20 + 8 + 8 + 40 + 36)
        #expect(encoder.namedParameters.map(\.name).contains("selfAttention.query.weight"))
        let x = randomInput([2, 3, 4], seed: 111)
        let padding = Tensor([0, 0, 0, 0, 1, 0], shape: [2, 3])
        gc.check([x] + encoder.parameters) { encoder($0[0], keyPaddingMask: padding) }

        let decoder = TransformerDecoderBlock(dimension: 4, heads: 2, feedForwardDimension: 6, memoryDimension: 3, generator: &rng)
        #expect(decoder.namedParameters.map(\.name).contains("crossAttention.key.weight"))
        let memory = randomInput([2, 2, 3], seed: 112)
        gc.check([x, memory] + decoder.parameters) { decoder($0[0], memory: $0[1]) }

        // With dropout active: a fresh context per evaluation draws the same masks, so the function is
        // deterministic and the finite differences see exactly the masked network being differentiated.
        let dropping = TransformerEncoderBlock(dimension: 4, heads: 2, feedForwardDimension: 8, dropout: 0.25,
                                               attentionDropout: 0.25, generator: &rng)
        let masked = dropping(x, training: TrainingContext(seed: 5))
        #expect(masked.storage != dropping(x).storage)
        gc.check([x] + dropping.parameters) { dropping($0[0], causal: true, training: TrainingContext(seed: 5)) }
    }

    @Test func dropoutOnlyActsWhenTraining() {
        var rng = SeededGenerator(seed: 113)
        let block = TransformerEncoderBlock(dimension: 8, heads: 2, feedForwardDimension: 16, dropout: 0.3,
                                            attentionDropout: 0.3, generator: &rng)
        let x = randomInput([2, 5, 8], seed: 114)
        let eval1 = withNoGrad { block(x) }, eval2 = withNoGrad { block(x) }
        #expect(eval1.storage == eval2.storage)
        let a = withNoGrad { block(x, training: TrainingContext(seed: 1)) }
        let b = withNoGrad { block(x, training: TrainingContext(seed: 1)) }
        let c = withNoGrad { block(x, training: TrainingContext(seed: 2)) }
        #expect(a.storage == b.storage && a.storage != c.storage && a.storage != eval1.storage)
    }

    /// Output at position t must not depend on inputs at positions > t: backpropagate from one output
    /// position at a time and require the input gradient at every later position to be exactly zero
    /// (masked weights are exactly 0, so no rounding can leak), and non-zero at t itself and earlier.
    @Test func causalMaskLetsNoInformationFlowFromTheFuture() {
        var rng = SeededGenerator(seed: 115)
        let blocks = (0..<2).map { _ in
            TransformerDecoderBlock(dimension: 8, heads: 2, feedForwardDimension: 16, generator: &rng)
        }
        let positions = LearnedPositionalEncoding(dimension: 8, maxLength: 6, generator: &rng)
        let memory = randomInput([2, 4, 8], seed: 116)
        let t = 6
        let x = randomInput([2, t, 8], seed: 117)
        for position in 0..<t {
            x.zeroGrad()
            var h = positions(x)
            for block in blocks { h = block(h, memory: memory) }
            var seed = [Float](repeating: 0, count: h.count)
            var g = SeededGenerator(seed: UInt64(position))
            for n in 0..<2 { for c in 0..<8 { seed[(n * t + position) * 8 + c] = Float(g.nextUnitInterval()) + 0.5 } }
            h.backward(gradient: seed)
            let grad = x.grad!
            for n in 0..<2 {
                for p in 0..<t {
                    let row = (0..<8).map { grad[n, p, $0] }
                    if p > position {
                        #expect(row.allSatisfy { $0 == 0 }, "position \(position) sees future position \(p)")
                    } else {
                        #expect(row.contains { $0 != 0 }, "position \(position) ignores past position \(p)")
                    }
                }
            }
        }
        // Without the mask, information does flow backwards in time (the test above can fail).
        x.zeroGrad()
        let h = blocks[0](x, memory: memory, causal: false)
        var seed = [Float](repeating: 0, count: h.count)
        for c in 0..<8 { seed[c] = 1 }
        h.backward(gradient: seed)
        #expect((0..<8).contains { x.grad![0, t - 1, $0] != 0 })
    }
}

import Foundation
private func Foundation_exp(_ x: Double) -> Double { Foundation.exp(x) }
private func Foundation_pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
private func Foundation_sin(_ x: Double) -> Double { Foundation.sin(x) }
private func Foundation_cos(_ x: Double) -> Double { Foundation.cos(x) }
