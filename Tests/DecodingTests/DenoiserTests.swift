import Foundation
import Testing
@testable import Decoding

@Suite struct DenoiserTests {
    @Test(arguments: [-7.0, -3.5, 0, 2])
    func mixingHitsTheRequestedAmplitudeRatio(_ db: Double) throws {
        var g = SeededGenerator(seed: 11)
        let clean = (0..<320).map { Foundation.sin(Double($0) * 0.2) + 0.3 * g.normal(mean: 0, standardDeviation: 1) }
        let noise = try EMGLikeNoise(low: 20, high: 72).generate(count: 320, samplingRate: 160, generator: &g)
        let noisy = try NoiseMixing.mix(clean: clean, noise: noise, decibels: db)
        // EEGdenoiseNet's dB is 10·log10 of the RMS ratio (not 20·log10).
        let ratio = NoiseMixing.rms(clean) / NoiseMixing.rms(zip(noisy, clean).map { $0 - $1 })
        #expect(abs(ratio - Foundation.pow(10, db / 10)) < 1e-12 * ratio)
        #expect(abs(NoiseMixing.decibels(clean: clean, noisy: noisy) - db) < 1e-10)
    }

    @Test func metricsClosedForms() throws {
        let x = (0..<200).map { Foundation.sin(Double($0) * 0.3) }
        #expect(abs(try DenoisingMetrics.correlation(x, x) - 1) < 1e-12)
        #expect(try DenoisingMetrics.relativeRMSE(x, x) == 0)
        #expect(abs(try DenoisingMetrics.relativeRMSE(x.map { 2 * $0 }, x) - 1) < 1e-12)
        #expect(abs(try DenoisingMetrics.correlation(x.map { -3 * $0 + 1 }, x) + 1) < 1e-12)
        #expect(abs(try DenoisingMetrics.spectralRelativeRMSE(x.map { 2 * $0 }, x, samplingRate: 100) - 3) < 1e-9)  // PSD scales by 4
        // Raw noisy input with uncorrelated noise: CC ≈ r/√(1 + r²).
        var g = SeededGenerator(seed: 3)
        let clean = (0..<20000).map { _ in g.normal(mean: 0, standardDeviation: 1) }
        let noise = (0..<20000).map { _ in g.normal(mean: 0, standardDeviation: 1) }
        let noisy = try NoiseMixing.mix(clean: clean, noise: noise, decibels: 2)
        let r = Foundation.pow(10, 0.2)
        #expect(abs(try DenoisingMetrics.correlation(noisy, clean) - r / (1 + r * r).squareRoot()) < 0.01)
    }

    @Test func lowPassBaselineRemovesHighFrequencies() throws {
        let fs = 160.0
        let slow = (0..<320).map { Foundation.sin(2 * Double.pi * 5 * Double($0) / fs) }
        let fast = (0..<320).map { Foundation.sin(2 * Double.pi * 60 * Double($0) / fs) }
        let out = try LowPassBaseline().denoise(zip(slow, fast).map { $0 + $1 }, samplingRate: fs)
        #expect(try DenoisingMetrics.correlation(out, slow) > 0.99)
    }

    @Test func attentionDenoiserTrainsAndBeatsTheRawInput() throws {
        var g = SeededGenerator(seed: 21)
        let length = 64
        func cleanSegment() -> [Double] {
            let f = g.uniform(in: 2.0..<8.0), phase = g.uniform(in: 0..<6.28)
            return (0..<length).map { Foundation.sin(2 * Double.pi * f * Double($0) / 64 + phase) }
        }
        var noisy: [[Double]] = [], clean: [[Double]] = []
        for _ in 0..<96 {
            let x = cleanSegment()
            let n = (0..<length).map { _ in g.normal(mean: 0, standardDeviation: 1) }
            noisy.append(try NoiseMixing.mix(clean: x, noise: n, decibels: -2)); clean.append(x)
        }
        let configuration = ATATConfiguration(segmentLength: length, patchLength: 8, bottleneck: 4, modelWidth: 16, heads: 2, blocks: 1,
                                              feedForwardWidth: 32, trainingSteps: 120, batchSize: 16, learningRate: 3e-3)
        let model = try ATATDenoiser(noisy: noisy, clean: clean, configuration: configuration, seed: 1)
        let late: Double = model.lossHistory.suffix(10).reduce(0, +)
        let early: Double = model.lossHistory.prefix(10).reduce(0, +)
        #expect(late < 0.6 * early)
        let outputs = try model.denoise(Array(noisy.prefix(32)))
        var rawCC = 0.0, modelCC = 0.0
        for i in 0..<32 {
            rawCC += try DenoisingMetrics.correlation(noisy[i], clean[i])
            modelCC += try DenoisingMetrics.correlation(outputs[i], clean[i])
        }
        let margin: Double = 0.05 * 32
        #expect(modelCC > rawCC + margin)
        let gates = try model.gates(Array(noisy.prefix(2)))
        #expect(gates.count == 2 && gates[0].count == 8 && gates[0].allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func rejectsBadInput() throws {
        #expect(throws: ParameterError.self) { try NoiseMixing.mix(clean: [1, 2], noise: [1], decibels: 0) }
        #expect(throws: ParameterError.self) { try NoiseMixing.mix(clean: [0, 0], noise: [1, 1], decibels: 0) }
        #expect(throws: ParameterError.self) { try NoiseMixing.mix(clean: [1, 2], noise: [1, 1], decibels: .nan) }
        #expect(throws: ParameterError.self) { try DenoisingMetrics.correlation([1], [1, 2]) }
        #expect(throws: ParameterError.self) { try ATATDenoiser(noisy: [[1]], clean: [[1]], configuration: .init(segmentLength: 64, patchLength: 8), seed: 0) }
        #expect(throws: ParameterError.self) { try ATATDenoiser(noisy: [], clean: [], seed: 0) }
        #expect(throws: ParameterError.self) { try ATATConfiguration(segmentLength: 100, patchLength: 16).validate() }
    }
}
