import Foundation
import Testing
import TestSupport
@testable import NeuralNet

@Suite struct VectorQuantizerTests {
    /// `clusters` well-separated centres in `dimension` dimensions (N(0, 3²) coordinates) and
    /// `count` points drawn uniformly among them with N(0, 0.1²) noise.
    static func clustered(_ count: Int, clusters: Int, dimension: Int, centresSeed: UInt64 = 400, generator: inout SeededGenerator) -> Tensor {
        var centreGenerator = SeededGenerator(seed: centresSeed)
        let centres = (0..<(clusters * dimension)).map { _ in Float(3 * centreGenerator.standardNormal()) }
        var values = [Float](repeating: 0, count: count * dimension)
        for i in 0..<count {
            let c = generator.uniformInt(below: clusters)
            for j in 0..<dimension { values[i * dimension + j] = centres[c * dimension + j] + Float(0.1 * generator.standardNormal()) }
        }
        return Tensor(values, shape: [count, dimension])
    }

    @Test func quantisesToTheNearestCodeWithStraightThroughGradientAndLosses() {
        var rng = SeededGenerator(seed: 401)
        let vq = VectorQuantizer(codes: 4, dimension: 2, commitmentCost: 0.25, decay: nil, generator: &rng)
        vq.codebook.update { $0 = [0, 0, 1, 0, 0, 1, -1, -1] }
        let z = Tensor([0.9, 0.2, -0.7, -0.6, 0.1, 0.05, 0.2, 0.8, 0.6, 0.1, -0.2, -0.3], shape: [2, 3, 2], requiresGrad: true)
        let out = vq(z)
        #expect(out.indices == [1, 3, 0, 2, 1, 0])
        #expect(out.quantized.storage == [1, 0, -1, -1, 0, 0, 0, 1, 1, 0, 0, 0])
        #expect(out.quantized.dimensions == [2, 3, 2])
        // Perplexity of usage {0: 2, 1: 2, 2: 1, 3: 1} / 6.
        let p = [2.0, 2, 1, 1].map { $0 / 6 }
        #expect(Swift.abs(out.perplexity - Foundation.exp(-p.reduce(0) { $0 + $1 * Foundation.log($1) })) < 1e-9)
        // Losses: β·mean‖z − e‖² and mean‖z − e‖².
        let squared = zip(z.storage, out.quantized.storage).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / 12
        #expect(Swift.abs(Double(out.commitmentLoss.item) - 0.25 * squared) < 1e-6)
        #expect(Swift.abs(Double(out.codebookLoss.item) - squared) < 1e-6)

        // Straight-through: the gradient of Σ w·quantized reaches z as w, exactly.
        let w = randomInput([2, 3, 2], seed: 402)
        (out.quantized * w.detached()).sum().backward()
        #expect(z.grad!.storage == w.storage)
        #expect(vq.codebook.grad == nil)  // the quantised output does not train the codebook
        z.zeroGrad()
        // Commitment gradient: 2β(z − e)/12 to z, none to the codebook; codebook loss: 2(e − z)/12 to e.
        out.loss.backward()
        for i in 0..<12 {
            #expect(Swift.abs(z.grad!.storage[i] - 2 * 0.25 * (z.storage[i] - out.quantized.storage[i]) / 12) < 1e-6)
        }
        var expectedCodeGradient = [Float](repeating: 0, count: 8)
        for (r, k) in out.indices.enumerated() {
            for j in 0..<2 { expectedCodeGradient[k * 2 + j] += 2 * (vq.codebook.storage[k * 2 + j] - z.storage[r * 2 + j]) / 12 }
        }
        #expect(zip(vq.codebook.grad!.storage, expectedCodeGradient).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
        #expect(vq.namedParameters.map(\.name) == ["codebook"])
    }

    @Test func emaUpdateMovesCodesToTheMeansOfTheirVectors() {
        var rng = SeededGenerator(seed: 403)
        let vq = VectorQuantizer(codes: 2, dimension: 1, decay: 0.5, epsilon: 0, generator: &rng)
        vq.codebook.update { $0 = [0, 10] }
        vq.embeddingSum.update { $0 = [0, 10] }  // consistent with clusterSize = 1
        let z = Tensor([1, 2, 9], shape: [3, 1])
        _ = vq(z, training: TrainingContext(seed: 0))
        // N = 0.5·1 + 0.5·[2, 1] = [1.5, 1]; m = 0.5·[0, 10] + 0.5·[3, 9] = [1.5, 9.5]; e = m/N (ε = 0).
        #expect(vq.clusterSize.storage == [1.5, 1])
        #expect(vq.embeddingSum.storage == [1.5, 9.5])
        #expect(vq.codebook.storage == [1, 9.5])
        #expect(vq.namedParameters.isEmpty && vq.namedBuffers.map(\.name) == ["codebook", "embeddingSum", "clusterSize", "initialized"])
        // Evaluation leaves everything untouched.
        _ = vq(z)
        #expect(vq.codebook.storage == [1, 9.5])
    }

    /// On data from 8 tight clusters, a 16-code EMA quantiser initialised by k-means on its first
    /// batch uses its codebook broadly: perplexity stays far above 1 (close to the 8 clusters or
    /// more, as big clusters may split) and the quantisation error stays near the noise level.
    @Test func codebookUsageStaysHealthyOnClusteredData() {
        var rng = SeededGenerator(seed: 404)
        let vq = VectorQuantizer(codes: 16, dimension: 4, decay: 0.9, deadCodeThreshold: 0.5, kMeansInitialization: true,
                                 generator: &rng)
        var data = SeededGenerator(seed: 405)
        let training = TrainingContext(seed: 406)
        var perplexities: [Double] = []
        var error: Float = 0
        for _ in 0..<30 {
            let z = Self.clustered(256, clusters: 8, dimension: 4, generator: &data)
            let out = withNoGrad { vq(z, training: training) }
            perplexities.append(out.perplexity)
            error = out.commitmentLoss.item / 0.25
        }
        #expect(vq.initialized.storage == [1])
        #expect(perplexities.allSatisfy { $0 > 8 }, "perplexities \(perplexities)")  // observed 11.8–13.8
        #expect(error < 0.02, "mean squared quantisation error \(error)")  // noise variance 0.01 per coordinate; observed 0.008
        let test = Self.clustered(512, clusters: 8, dimension: 4, generator: &data)
        #expect(vq(test).perplexity > 8)
    }

    /// A codebook initialised far from the data sends everything to one code (perplexity 1). With
    /// dead-code restarts the unused codes are re-seeded on data and usage recovers; without, it
    /// stays collapsed (the control shows the test can fail).
    @Test func deadCodesAreRestarted() {
        func run(threshold: Float?) -> Double {
            var rng = SeededGenerator(seed: 407)
            let vq = VectorQuantizer(codes: 8, dimension: 4, decay: 0.5, deadCodeThreshold: threshold, generator: &rng)
            vq.codebook.update { e in for i in e.indices { e[i] += 100 } }
            vq.embeddingSum.update { $0 = vq.codebook.storage }
            var data = SeededGenerator(seed: 408)
            let training = TrainingContext(seed: 409)
            let first = vq(Self.clustered(128, clusters: 8, dimension: 4, generator: &data), training: training)
            #expect(first.perplexity == 1)
            var last = first.perplexity
            for _ in 0..<10 { last = vq(Self.clustered(128, clusters: 8, dimension: 4, generator: &data), training: training).perplexity }
            return last
        }
        #expect(run(threshold: 0.5) > 5)  // observed 6.4
        #expect(run(threshold: nil) < 1.5)
    }

    @Test func checkpointRestoresTheEMACodebook() throws {
        var rng = SeededGenerator(seed: 410)
        let vq = VectorQuantizer(codes: 4, dimension: 2, kMeansInitialization: true, generator: &rng)
        var data = SeededGenerator(seed: 411)
        _ = vq(Self.clustered(64, clusters: 4, dimension: 2, generator: &data), training: TrainingContext(seed: 1))
        let directory = try TemporaryDirectory()
        let url = directory.file("vq.h5")
        try Checkpoint.save(to: url, model: vq, provenance: ExportProvenance(command: "test"))
        var other = SeededGenerator(seed: 412)
        let restored = VectorQuantizer(codes: 4, dimension: 2, kMeansInitialization: true, generator: &other)
        try Checkpoint.load(from: url, into: restored)
        for (a, b) in zip(vq.namedBuffers, restored.namedBuffers) { #expect(a.tensor.storage == b.tensor.storage, "\(a.name)") }
        #expect(restored.initialized.storage == [1])
    }
}
