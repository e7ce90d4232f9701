import Foundation
import Testing
@testable import Decoding
import TestSupport

/// Session 7: the stage 1 transposed-convolution head of the methods note (§D2) and stage 3 model
/// selection on validation trials.
@Suite struct DuINDecoderHeadTests {
    @Test func transposedConvolutionStackFollowsTheMethodsNote() throws {
        let mini = DuINConfiguration.mini(channels: 10, samplingRate: 250)
        #expect(mini.decoderHead == .transposedConvolution)
        // §D2: 80 → 64 → 64 → 16; kernels 3 / 5 / 9; strides 1 / 5 / 5 (paddings give 40 tokens → 1000 samples).
        #expect(mini.decoderStack.map { [$0.kernel, $0.stride, $0.padding, $0.outputPadding] } == [[3, 1, 1, 0], [5, 5, 0, 0], [9, 5, 2, 0]])
        var g = SeededGenerator(seed: 11)
        var small = mini
        small.layers = 1
        small.decoderLayers = 1
        let vq = DuINVQVAE(configuration: small, generator: &g)
        #expect(vq.head == nil)
        #expect(vq.upsampler.map(\.weight.dimensions) == [[80, 64, 3], [64, 64, 5], [64, 16, 9]])
        let x = Tensor((0..<(2 * 10 * 1000)).map { _ in Float(g.standardNormal()) }, shape: [2, 10, 1000])
        #expect(withNoGrad { vq(x).reconstruction.dimensions } == [2, 10, 1000])
        // Every patch length gets a stack that restores M · patch samples exactly (160 Hz: patch 16, tokenizer stride 3).
        for (rate, tokens) in [(160.0, 7), (200.0, 5), (100.0, 3), (1000.0, 2)] {
            let c = DuINConfiguration.mini(channels: 3, samplingRate: rate)
            var length = tokens
            for l in c.decoderStack {
                #expect(l.outputPadding >= 0 && l.outputPadding < l.stride)
                length = Tensor.convTranspose1dOutputLength(inputLength: length, kernel: l.kernel, stride: l.stride, padding: l.padding,
                                                            outputPadding: l.outputPadding)!
            }
            #expect(length == tokens * c.patchLength, "rate \(rate): \(length) for \(tokens) × \(c.patchLength)")
        }
    }

    /// The overlapping kernels let each token shape its neighbours' samples (a per-token linear head
    /// cannot): the reconstruction's gradient with respect to one token's code reaches the next patch.
    @Test func neighbouringTokensShapeEachPatchOnlyWithTheTransposedHead() throws {
        for head in [DuINDecoderHead.transposedConvolution, .linear] {
            var c = DuINTests.tinyConfiguration()
            c.decoderHead = head
            c.decoderChannels = 8
            var g = SeededGenerator(seed: 12)
            let vq = DuINVQVAE(configuration: c, generator: &g)
            let m = 4, p = c.patchLength
            let h = Tensor((0..<(m * c.modelDimension)).map { _ in Float(g.standardNormal()) }, shape: [1, m, c.modelDimension], requiresGrad: true)
            var patches: Tensor
            if let linear = vq.head {
                patches = linear(h).reshaped([1, m * p, c.spatialDimension])
            } else {
                patches = h.permuted([0, 2, 1])
                for layer in vq.upsampler { patches = layer(patches) }
                patches = patches.permuted([0, 2, 1])
            }
            // d(sum of patch 2's samples)/d(token 1): nonzero only when tokens overlap.
            let weights = Tensor((0..<(m * p * c.spatialDimension)).map { ($0 / c.spatialDimension) / p == 2 ? 1 : 0 }, shape: [1, m * p, c.spatialDimension])
            (patches * weights).sum().backward()
            let token1 = h.grad!.storage[(1 * c.modelDimension)..<(2 * c.modelDimension)]
            let reaches = token1.contains { $0 != 0 }
            #expect(reaches == (head == .transposedConvolution), "\(head): token 1 reaches patch 2 = \(reaches)")
        }
    }

    @Test func legacyCheckpointsWithoutAHeadFieldReadAsTheLinearHead() throws {
        var c = DuINTests.tinyConfiguration()
        c.decoderHead = nil
        c.decoderChannels = nil
        var g = SeededGenerator(seed: 13)
        let vq = DuINVQVAE(configuration: c, generator: &g)
        #expect(vq.head != nil && vq.upsampler.isEmpty)
        let json = try JSONEncoder().encode(c)
        let decoded = try JSONDecoder().decode(DuINConfiguration.self, from: json)
        #expect(decoded.decoderHead == nil)
        #expect(vq.namedParameters.contains { $0.name.hasPrefix("head.") })
    }

    /// With validation trials, the state kept is the one of the best validation accuracy: evaluating
    /// the trained model on them reproduces the logged maximum, at the logged step.
    @Test func validationSelectsTheBestClassifierState() throws {
        let config = DuINTests.tinyConfiguration()
        var g = SeededGenerator(seed: 14)
        let model = DuINClassifierModel(configuration: config, tokens: 4, classes: 3, generator: &g)
        let (x, y) = DuINFineTuningTests.data(config, trials: 12, tokens: 4, seed: 15)
        let (vx, vy) = DuINFineTuningTests.data(config, trials: 9, tokens: 4, seed: 16)
        var options = DuINStageOptions.classifier(steps: 12)
        options.batchSize = 6
        options.learningRate = 1e-2
        let samples = 4 * config.patchLength
        let log = try DuINTraining.trainClassifier(model, data: x, labels: y, samples: samples, options: options,
                                                   validation: DuINValidationSet(data: vx, labels: vy, every: 3), seed: 17)
        #expect(log.validationSteps == [3, 6, 9, 12])
        let best = log.validationAccuracy.max()!
        let selected = try #require(log.selectedStep)
        #expect(log.validationAccuracy[log.validationSteps.firstIndex(of: selected)!] == best)
        let p = DuINTraining.probabilities(model, data: vx, samples: samples)
        let hits = zip(p, vy).filter { row, label in row.indices.max { row[$0] < row[$1] } == label }.count
        #expect(Double(hits) / Double(vy.count) == best)
        #expect(throws: ParameterError.self) {
            try DuINTraining.trainClassifier(model, data: x, labels: y, samples: samples, options: options,
                                             validation: DuINValidationSet(data: [0], labels: [0]), seed: 1)
        }
    }
}
