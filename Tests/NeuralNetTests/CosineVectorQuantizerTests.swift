import Foundation
import Testing
@testable import NeuralNet
import NeuroCore

@Suite struct CosineVectorQuantizerTests {
    /// Unit rows drawn around `clusters` random directions.
    func clustered(rows: Int, dimension: Int, clusters: Int, spread: Float, generator: inout SeededGenerator) -> [Float] {
        var centres = (0..<(clusters * dimension)).map { _ in Float(generator.standardNormal()) }
        CosineVectorQuantizer.normalizeRows(&centres, dimension: dimension)
        var data = [Float](repeating: 0, count: rows * dimension)
        for r in 0..<rows {
            let c = r % clusters
            for j in 0..<dimension { data[r * dimension + j] = centres[c * dimension + j] + spread * Float(generator.standardNormal()) }
        }
        CosineVectorQuantizer.normalizeRows(&data, dimension: dimension)
        return data
    }

    /// The straight-through gradient of Σw·q + β·mean‖u − sg(q)‖² with u = x/‖x‖ equals the finite-
    /// difference gradient of Σw·u + β·mean‖u − q₀‖² with the chosen codes q₀ held fixed.
    @Test func straightThroughGradientMatchesFiniteDifferences() throws {
        var g = SeededGenerator(seed: 3)
        let quantizer = CosineVectorQuantizer(codes: 8, dimension: 4, commitmentCost: 0.7, kMeansInitialization: false, generator: &g)
        let n = 5, d = 4
        let x0 = (0..<(n * d)).map { _ in Float(g.standardNormal()) }
        let w = (0..<(n * d)).map { _ in Float(g.standardNormal()) }
        let x = Tensor(x0, shape: [n, d], requiresGrad: true)
        let out = quantizer(x.l2Normalized())
        let loss = (out.quantized * Tensor(w, shape: [n, d])).sum() + out.commitmentLoss
        loss.backward()
        let analytic = x.grad!.storage
        let codes = quantizer.codebook.storage
        func surrogate(_ v: [Double]) -> Double {
            var total = 0.0, commit = 0.0
            for i in 0..<n {
                let norm = (0..<d).reduce(0.0) { $0 + v[i * d + $1] * v[i * d + $1] }.squareRoot()
                for j in 0..<d {
                    let u = v[i * d + j] / norm
                    total += Double(w[i * d + j]) * u
                    let diff = u - Double(codes[out.indices[i] * d + j])
                    commit += diff * diff
                }
            }
            return total + 0.7 * commit / Double(n * d)
        }
        let base = x0.map(Double.init)
        for k in 0..<(n * d) {
            var plus = base, minus = base
            plus[k] += 1e-4; minus[k] -= 1e-4
            let numeric = (surrogate(plus) - surrogate(minus)) / 2e-4
            #expect(Swift.abs(numeric - Double(analytic[k])) < 2e-3 * Swift.max(1, Swift.abs(numeric)), "component \(k): \(numeric) vs \(analytic[k])")
        }
        // The forward value is the code itself.
        for i in 0..<n { for j in 0..<d { #expect(out.quantized.storage[i * d + j] == codes[out.indices[i] * d + j]) } }
    }

    @Test func sphericalKMeansAndEMAKeepUsageHealthy() throws {
        var g = SeededGenerator(seed: 11)
        let quantizer = CosineVectorQuantizer(codes: 32, dimension: 8, deadCodeThreshold: 0.05, generator: &g)
        let context = TrainingContext(seed: 5)
        var perplexities = [Double]()
        for _ in 0..<30 {
            let batch = clustered(rows: 256, dimension: 8, clusters: 16, spread: 0.05, generator: &g)
            perplexities.append(quantizer(Tensor(batch, shape: [256, 8]), training: context).perplexity)
        }
        #expect(quantizer.initialized.storage[0] == 1)
        // 16 equally likely clusters: usage perplexity near 16 (1 would be collapse).
        #expect(perplexities.suffix(5).allSatisfy { $0 > 12 }, "perplexities \(perplexities.suffix(5))")
        // Codes stay unit vectors.
        for c in 0..<32 {
            let norm = (0..<8).reduce(Float(0)) { $0 + quantizer.codebook.storage[c * 8 + $1] * quantizer.codebook.storage[c * 8 + $1] }
            #expect(Swift.abs(norm - 1) < 1e-4)
        }
        #expect(CosineVectorQuantizer.perplexity(counts: [4, 4, 4, 4], total: 16) > 3.999)
        #expect(CosineVectorQuantizer.perplexity(counts: [16, 0, 0], total: 16) == 1)
    }

    @Test func deadCodesRestartAtBatchVectors() throws {
        var g = SeededGenerator(seed: 2)
        let quantizer = CosineVectorQuantizer(codes: 6, dimension: 3, deadCodeThreshold: 0.5, kMeansInitialization: false, generator: &g)
        // Every input points the same way, so at most one code is used; the others must restart there.
        let batch = Tensor([Float](repeating: 1 / Float(3).squareRoot(), count: 30), shape: [10, 3])
        _ = quantizer(batch, training: TrainingContext(seed: 1))
        let target = 1 / Float(3).squareRoot()
        for c in 0..<6 { for j in 0..<3 { #expect(Swift.abs(quantizer.codebook.storage[c * 3 + j] - target) < 1e-5) } }
    }

    @Test func qkNormBlockKeepsShapeAndNormalisesOutput() throws {
        var g = SeededGenerator(seed: 4)
        let block = PostNormTransformerBlock(dimension: 12, heads: 3, innerDimension: 24, feedForwardDimension: 20, generator: &g)
        let x = Tensor.randomNormal([2, 5, 12], generator: &g, requiresGrad: true)
        let y = block(x)
        #expect(y.dimensions == [2, 5, 12])
        // Post-LN: every output token has mean 0 and unit variance (LN weights start at 1, biases at 0).
        for r in 0..<10 {
            let row = y.storage[(r * 12)..<(r * 12 + 12)]
            let mean = row.reduce(0, +) / 12
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12
            #expect(Swift.abs(mean) < 1e-5 && Swift.abs(variance - 1) < 1e-3)
        }
        y.square().sum().backward()
        #expect(block.attention.queryNorm.weight!.grad != nil && x.grad != nil)
    }
}
