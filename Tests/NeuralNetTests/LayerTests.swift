import Testing
@testable import NeuralNet

@Suite struct LayerTests {
    let gc = GradientCheck()

    @Test func linearMatchesItsFormulaAndGradients() {
        var rng = SeededGenerator(seed: 50)
        let layer = Linear(inFeatures: 4, outFeatures: 3, generator: &rng)
        #expect(layer.weight.dimensions == [3, 4] && layer.bias!.dimensions == [3])
        #expect(layer.weight.storage.allSatisfy { Swift.abs($0) <= 0.5 })  // ±1/√4
        let x = randomInput([2, 5, 4], seed: 51)
        let y = layer(x)
        #expect(y.dimensions == [2, 5, 3])
        var expected: Float = layer.bias!.storage[2]
        for k in 0..<4 { expected += x[1, 3, k] * layer.weight[2, k] }
        #expect(Swift.abs(y[1, 3, 2] - expected) < 1e-6)
        gc.check([x, layer.weight, layer.bias!]) { t in Linear(weight: t[1], bias: t[2])(t[0]) }
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"] && layer.parameterCount == 15)
    }

    @Test func embeddingGradients() {
        var rng = SeededGenerator(seed: 52)
        let embedding = Embedding(count: 6, dimension: 3, generator: &rng)
        let out = embedding([5, 0, 5, 2], shape: [2, 2])
        #expect(out.dimensions == [2, 2, 3] && out[1, 0, 1] == embedding.weight[5, 1])
        gc.check([embedding.weight]) { Embedding(weight: $0[0])([5, 0, 5, 2], shape: [2, 2]) }
    }

    @Test func layerNormNormalisesAndHasCorrectGradients() {
        let x = randomInput([3, 5], seed: 53, in: -3..<3)
        let y = LayerNorm(dimension: 5)(x)
        for r in 0..<3 {
            let row = (0..<5).map { y[r, $0] }
            let mean = row.reduce(0, +) / 5
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 5
            #expect(Swift.abs(mean) < 1e-6 && Swift.abs(variance - 1) < 1e-3)  // ε = 1e-5 shrinks it slightly
        }
        let w = randomInput([5], seed: 54, in: 0.5..<1.5), b = randomInput([5], seed: 55)
        gc.check([x, w, b]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        gc.check([randomInput([2, 3, 4], seed: 56)]) { $0[0].layerNorm(weight: nil, bias: nil) }
    }
}

@Suite struct LossTests {
    let gc = GradientCheck()

    /// Reference cross-entropy in Double straight from PyTorch's definition.
    func reference(_ logits: Tensor, _ targets: [Int], _ o: CrossEntropyOptions) -> Double {
        let c = logits.dimensions.last!
        let w = o.classWeights ?? [Float](repeating: 1, count: c)
        var total = 0.0, norm = 0.0
        for (r, t) in targets.enumerated() where t != o.ignoreIndex {
            let row = (0..<c).map { Double(logits.storage[r * c + $0]) }
            let lse = Foundation_log(row.map { Foundation_exp($0) }.reduce(0, +))
            let eps = Double(o.labelSmoothing)
            total += (1 - eps) * Double(w[t]) * (lse - row[t])
            for j in 0..<c { total += eps / Double(c) * Double(w[j]) * (lse - row[j]) }
            norm += Double(w[t])
        }
        return total / norm
    }

    static let options: [CrossEntropyOptions] = [
        .init(),
        .init(labelSmoothing: 0.1),
        .init(ignoreIndex: 1),
        .init(classWeights: [0.5, 2, 1, 1.5]),
        .init(labelSmoothing: 0.2, ignoreIndex: 3, classWeights: [1, 0.3, 2, 1]),
    ]

    @Test(arguments: options)
    func crossEntropyMatchesDefinitionAndGradients(_ options: CrossEntropyOptions) {
        let logits = randomInput([2, 3, 4], seed: 60, in: -2..<2)
        let targets = [0, 1, 3, 2, 1, 0]
        let loss = Tensor.crossEntropy(logits: logits, targets: targets, options: options)
        #expect(Swift.abs(Double(loss.item) - reference(logits, targets, options)) < 1e-5)
        gc.check([logits]) { Tensor.crossEntropy(logits: $0[0], targets: targets, options: options) }
    }

    @Test func crossEntropyOfUniformLogitsIsLogC() {
        let loss = Tensor.crossEntropy(logits: Tensor.zeros([5, 7]), targets: [0, 1, 2, 3, 6])
        #expect(Swift.abs(loss.item - Float.log(7)) < 1e-6)
        let allIgnored = Tensor.crossEntropy(logits: Tensor.zeros([2, 3], requiresGrad: true), targets: [-100, -100],
                                             options: .init(ignoreIndex: -100))
        #expect(allIgnored.item == 0)
    }

    @Test func crossEntropyStaysFiniteForExtremeLogits() {
        let logits = Tensor([1000, -1000, 0, -1000, 1000, 0], shape: [2, 3], requiresGrad: true)
        let loss = Tensor.crossEntropy(logits: logits, targets: [1, 1])
        #expect(Swift.abs(loss.item - 1000) < 1e-3)  // row 0 costs 2000, row 1 costs 0
        loss.backward()
        #expect(logits.grad!.storage.allSatisfy { $0.isFinite })
    }

    @Test func meanSquaredError() {
        let p = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
        let loss = Tensor.meanSquaredError(p, Tensor([1, 0], shape: [2]))
        #expect(loss.item == (0 + 4 + 4 + 16) / 4)
        gc.check([randomInput([3, 2], seed: 61), randomInput([2], seed: 62)]) { Tensor.meanSquaredError($0[0], $0[1]) }
    }
}

import Foundation
private func Foundation_log(_ x: Double) -> Double { Foundation.log(x) }
private func Foundation_exp(_ x: Double) -> Double { Foundation.exp(x) }

@Suite struct BinaryCrossEntropyTests {
    @Test func matchesDefinitionStaysFiniteAndHasCorrectGradients() {
        let logits = Tensor([0, 2, -3, 800, -800], shape: [5], requiresGrad: true)
        let targets = Tensor([1, 0, 1, 1, 1], shape: [5])
        let loss = Tensor.binaryCrossEntropyWithLogits(logits: logits, targets: targets)
        // −log σ(0) = log 2; −log(1 − σ(2)) = 2 + log(1 + e⁻²); −log σ(−3) = 3 + log(1 + e⁻³); 0; 800.
        let expected = (Foundation_log(2) + 2 + Foundation_log(1 + Foundation_exp(-2)) + 3
                        + Foundation_log(1 + Foundation_exp(-3)) + 0 + 800) / 5
        #expect(Swift.abs(Double(loss.item) - expected) < 1e-4)
        var rng = SeededGenerator(seed: 64)
        let t = Tensor.randomUniform([3, 4], generator: &rng)
        GradientCheck().check([randomInput([3, 4], seed: 63, in: -2..<2)]) {
            Tensor.binaryCrossEntropyWithLogits(logits: $0[0], targets: t)
        }
    }
}
