import Foundation
import Testing
@testable import Decoding

/// 4 neurons, 4×4 frames cut into four 2×2 patches; in every bin exactly one random neuron k fires and
/// that bin's frame lights patch k. Returns the raster and the frames (bin-major, row-major pixels).
private func litPatchData(bins: Int, seed: UInt64) -> (SpikeRaster, [Float]) {
    var g = SeededGenerator(seed: seed)
    var counts = [UInt16](repeating: 0, count: 4 * bins)
    var frames = [Float](repeating: 0, count: 16 * bins)
    for b in 0..<bins {
        let k = g.uniformInt(below: 4)
        counts[b * 4 + k] = 1
        let row0 = (k / 2) * 2, col0 = (k % 2) * 2
        for y in row0..<(row0 + 2) { for x in col0..<(col0 + 2) { frames[b * 16 + y * 4 + x] = 1 } }
    }
    return (SpikeRaster(neurons: 4, bins: bins, binWidth: 0.01, counts: counts), frames)
}

private let frameConfiguration = NeuroformerConfiguration(
    neurons: 4, currentBins: 4, pastBins: 4, currentBlock: 8, pastBlock: 8, dimension: 32, heads: 2,
    stateLayers: 1, historyLayers: 1, dropout: 0, frameHeight: 4, frameWidth: 4, framePatch: 2)

@Suite struct NeuroformerFrameTests {
    @Test func patchesFollowTimeThenRowMajorPatchOrder() throws {
        let c = frameConfiguration
        #expect(c.patchesPerFrame == 4 && c.patchFeatures == 4 && c.frameTokens == 32)
        let frames = (0..<(10 * 16)).map(Float.init)
        let patches = NeuroformerDataset.framePatches(frames, endingAt: 9, configuration: c)
        #expect(patches.count == 32 * 4)
        // First token: bin 1 (= 9 − 8), top-left patch; then its top-right patch; last token: bin 8, bottom-right.
        #expect(Array(patches[0..<4]) == [16, 17, 20, 21])
        #expect(Array(patches[4..<8]) == [18, 19, 22, 23])
        let last: [Float] = [138, 139, 142, 143]  // 8 × 16 + (10, 11, 14, 15)
        #expect(Array(patches[124...]) == last)
    }

    @Test func frameStreamHasShapesAndReceivesGradients() throws {
        let (raster, frames) = litPatchData(bins: 60, seed: 1)
        let data = try NeuroformerDataset(raster: raster, configuration: frameConfiguration, framesPerBin: frames)
        let model = try NeuroformerModel(configuration: frameConfiguration, seed: 2)
        let batch = data.batch([0, 1, 2])
        #expect(batch.frames?.count == 3 * 32 * 4)
        let out = model.forward(batch)
        #expect(out.idLogits.dimensions == [3, 8, 7] && out.offsetLogits.dimensions == [3, 8, 7])
        #expect(model.namedParameters.contains { $0.name.hasPrefix("framePatch.") }
                && model.namedParameters.contains { $0.name.hasPrefix("frame.0.") })
        NeuroformerTraining.loss(model, batch).total.backward()
        let embedding = try #require(model.framePatchEmbedding)
        let grad = try #require(embedding.weight.grad)
        #expect(grad.storage.contains { abs($0) > 1e-8 }, "no gradient reaches the patch embedding")
        // Frames are required when configured, and a bad patch size is rejected.
        #expect(throws: NeuroformerError.self) { try NeuroformerDataset(raster: raster, configuration: frameConfiguration) }
        var bad = frameConfiguration
        bad.framePatch = 3
        #expect(throws: ParameterError.self) { try bad.validate() }
        // Generation needs the frames too, and uses them.
        #expect(throws: NeuroformerError.self) { try model.generate(from: raster, starts: [10], windows: 1) }
        let generated = try model.generate(from: raster, starts: [10], windows: 2, framesPerBin: frames, options: .init(seed: 3))
        #expect(generated[0].bins == 8)
    }

    @Test func tinyModelReadsTheNeuronFromTheFrames() throws {
        // Which neuron fires in a bin is random; only the frame tells. A model trained on the real frames
        // must beat chance (0.25) clearly; one trained on frames of other bins must not.
        let (raster, frames) = litPatchData(bins: 400, seed: 4)
        var shuffled = [Float](repeating: 0, count: frames.count)
        var g = SeededGenerator(seed: 5)
        let order = g.permutation(400)
        for b in 0..<400 { shuffled[(b * 16)..<(b * 16 + 16)] = frames[(order[b] * 16)..<(order[b] * 16 + 16)] }
        func accuracy(_ frames: [Float]) throws -> Double {
            let data = try NeuroformerDataset(raster: raster, configuration: frameConfiguration, framesPerBin: frames)
            let model = try NeuroformerModel(configuration: frameConfiguration, seed: 6)
            let samples = Array(0..<data.count)
            try NeuroformerTraining.pretrain(model, on: data, samples: samples, options: .init(
                steps: 200, batchSize: 16, learningRate: 3e-3, warmupSteps: 20, weightDecay: 0))
            return model.tokenMetrics(on: data, samples: samples).idAccuracy
        }
        let real = try accuracy(frames), control = try accuracy(shuffled)
        #expect(real > 0.45 && real > control + 0.15, "accuracy with the frames \(real), with frames of other bins \(control)")
        #expect(control < 0.4, "accuracy with frames of other bins \(control)")
    }
}
