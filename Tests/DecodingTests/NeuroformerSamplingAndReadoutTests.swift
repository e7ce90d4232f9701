import Foundation
import Testing
@testable import Decoding

/// A 6-neuron, 1-layer model configuration small enough for generation and read-out tests.
private let tinyConfiguration = NeuroformerConfiguration(
    neurons: 6, currentBins: 4, pastBins: 8, currentBlock: 12, pastBlock: 20, dimension: 32, heads: 2,
    stateLayers: 1, historyLayers: 1, dropout: 0)

/// A Bernoulli(p) raster of 6 neurons at 10 ms bins.
private func randomRaster(bins: Int, probability p: Double, seed: UInt64) -> SpikeRaster {
    var g = SeededGenerator(seed: seed)
    let counts = (0..<(6 * bins)).map { _ in UInt16(g.nextUnitInterval() < p ? 1 : 0) }
    return SpikeRaster(neurons: 6, bins: bins, binWidth: 0.01, counts: counts)
}

@Suite struct NeuroformerSamplingTests {
    /// Draw frequencies of `sampleToken` over logits [0, 1, 2, 3].
    private func frequencies(_ options: NeuroformerGenerationOptions, excluding: Int? = nil, draws: Int = 4000) -> [Double] {
        var g = SeededGenerator(seed: 1)
        var counts = [Double](repeating: 0, count: 4)
        for _ in 0..<draws { counts[sampleToken([9, 0, 1, 2, 3], 1, count: 4, excluding: excluding, options: options, &g)] += 1 }
        return counts.map { $0 / Double(draws) }
    }

    @Test func topKAndTopPRestrictTheDraw() {
        // Softmax of [0, 1, 2, 3]: 0.032, 0.087, 0.237, 0.644.
        let plain = frequencies(.init())
        #expect(abs(plain[3] - 0.644) < 0.03 && abs(plain[0] - 0.032) < 0.015)
        let k2 = frequencies(.init(topK: 2))
        #expect(k2[0] == 0 && k2[1] == 0 && abs(k2[3] - Double.exp(1) / (1 + Double.exp(1))) < 0.03)
        #expect(frequencies(.init(topK: 1)) == [0, 0, 0, 1])
        #expect(frequencies(.init(topP: 0.5)) == [0, 0, 0, 1])  // 0.644 ≥ 0.5 already
        let p7 = frequencies(.init(topP: 0.7))                  // needs 3 and 2 (0.881)
        #expect(p7[0] == 0 && p7[1] == 0 && p7[2] > 0.2)
        let p9 = frequencies(.init(topP: 0.9))                  // 3, 2, 1 (0.968)
        #expect(p9[0] == 0 && p9[1] > 0.05)
        // Exclusion happens before the restriction; top-k then top-p.
        #expect(frequencies(.init(topK: 1), excluding: 3) == [0, 0, 1, 0])
        #expect(frequencies(.init(topK: 3, topP: 1)).first == 0)
        // A low temperature concentrates the draw like top-1.
        #expect(frequencies(.init(temperature: 0.05))[3] > 0.99)
    }

    /// `.ordered` draws the ID from the ID head (EOS keeps its probability), then the offset from the offset
    /// head restricted to the bins that keep the tokeniser's (bin, neuron) order: frequencies match that
    /// closed form.
    @Test func orderedDrawsFollowTheTruncatedProduct() {
        let idLogits: [Float] = [9, 0.5, 0, 1, 0.2, 3, -0.5]   // a leading value skipped by the offset; neurons 0..<4, SOS, EOS
        let dtLogits: [Float] = [0.3, 1, 0]
        let p0: [Double] = [0.5, 0, 1, 0.2, -0.5].map { Double.exp($0) }   // neurons then EOS (SOS never drawn)
        let q0: [Double] = dtLogits.map { Double.exp(Double($0)) }
        let p = p0.map { $0 / p0.reduce(0, +) }, q = q0.map { $0 / q0.reduce(0, +) }
        func frequencies(after previous: SpikeToken?, draws: Int = 40_000) -> [String: Double] {
            var g = SeededGenerator(seed: 3)
            var counts: [String: Double] = [:]
            for _ in 0..<draws {
                let (n, tau) = sampleOrderedToken(idLogits, 1, dtLogits, 0, neurons: 4, offsets: 3, after: previous, options: .init(), &g)
                counts[n == 5 ? "EOS" : "\(n),\(tau)", default: 0] += 1 / Double(draws)
            }
            return counts
        }
        // After neuron 2 in bin 1: neurons ≥ 2 in bins 1–2, lower neurons in bin 2 only, or EOS (p unchanged).
        var allowed: [String: Double] = ["EOS": p[4]]
        for n in 0..<4 {
            if n >= 2 {
                allowed["\(n),1"] = p[n] * q[1] / (q[1] + q[2])
                allowed["\(n),2"] = p[n] * q[2] / (q[1] + q[2])
            } else {
                allowed["\(n),2"] = p[n]
            }
        }
        let after = frequencies(after: SpikeToken(neuron: 2, offset: 1))
        #expect(Set(after.keys).isSubset(of: Set(allowed.keys)), "\(after.keys.sorted())")
        for (key, weight) in allowed { #expect(abs((after[key] ?? 0) - weight) < 0.01, "\(key)") }
        // At the start of a window every pair is allowed: the plain product of the two heads.
        let first = frequencies(after: nil)
        #expect(abs((first["EOS"] ?? 0) - p[4]) < 0.01)
        for n in 0..<4 { for tau in 0..<3 { #expect(abs((first["\(n),\(tau)"] ?? 0) - p[n] * q[tau]) < 0.01, "\(n),\(tau)") } }
        // Nothing may follow the last neuron in the last bin but itself (a count > 1) or EOS, in the ratio of
        // their ID probabilities.
        let last = frequencies(after: SpikeToken(neuron: 3, offset: 2))
        #expect(Set(last.keys).isSubset(of: ["EOS", "3,2"]))
        #expect(abs((last["EOS"] ?? 0) - p[4] / (p[4] + p[3])) < 0.01)
    }

    /// Generated windows are token sequences the tokeniser could have produced (time, then neuron, order)
    /// only with `.ordered` draws: an untrained model's independent draws step back in time.
    @Test func orderedGenerationKeepsTheTokeniserOrder() throws {
        let configuration = tinyConfiguration
        let raster = randomRaster(bins: 200, probability: 0.1, seed: 2)
        let model = try NeuroformerModel(configuration: configuration, seed: 3)
        func outOfOrder(_ sampling: NeuroformerTokenSampling) throws -> (violations: Int, spikes: Int) {
            let (rasters, tokens) = try model.generateWithTokens(from: raster, starts: [20, 60, 100], windows: 4, options: .init(seed: 4, tokenSampling: sampling))
            var violations = 0, spikes = 0
            for (k, chain) in tokens.enumerated() {
                for (w, window) in chain.enumerated() {
                    spikes += window.count
                    for (a, b) in zip(window, window.dropFirst()) where b.offset < a.offset || (b.offset == a.offset && b.neuron < a.neuron) {
                        violations += 1
                    }
                    // The raster holds exactly the drawn tokens.
                    let tok = configuration.tokenizer
                    #expect(tok.spikes(in: rasters[k], firstBin: w * 4, count: 4).count == window.count)
                }
            }
            return (violations, spikes)
        }
        let ordered = try outOfOrder(.ordered), independent = try outOfOrder(.independent)
        #expect(ordered.violations == 0 && ordered.spikes > 20, "\(ordered)")
        #expect(independent.violations > 5, "\(independent)")
    }

    @Test func greedyGenerationIgnoresTheSeedAndOptionsAreChecked() throws {
        let configuration = tinyConfiguration
        let raster = randomRaster(bins: 200, probability: 0.1, seed: 2)
        let model = try NeuroformerModel(configuration: configuration, seed: 3)
        let a = try model.generate(from: raster, starts: [20, 60], windows: 3, options: .init(seed: 1, topK: 1))
        let b = try model.generate(from: raster, starts: [20, 60], windows: 3, options: .init(seed: 2, topK: 1))
        #expect(a == b)
        let c = try model.generate(from: raster, starts: [20, 60], windows: 3, options: .init(seed: 1, topP: 0.95))
        let d = try model.generate(from: raster, starts: [20, 60], windows: 3, options: .init(seed: 2, topP: 0.95))
        #expect(c != d)
        #expect(throws: ParameterError.self) { try model.generate(from: raster, starts: [20], windows: 1, options: .init(topK: 0)) }
        #expect(throws: ParameterError.self) { try model.generate(from: raster, starts: [20], windows: 1, options: .init(topP: 0)) }
        #expect(throws: ParameterError.self) { try model.generate(from: raster, starts: [20], windows: 1, options: .init(topP: 1.5)) }
    }
}

@Suite struct NeuroformerConnectivityReadoutTests {
    @Test func doubleCentringRemovesRowAndColumnEffects() {
        // A[i, j] = exp(r_i + c_j) with one planted coupling 2 → 0 (×e) and a strongly attended source 5.
        let n = 6
        let r = [0.3, -0.2, 0.5, 0.0, 0.1, -0.4], c = [0.2, 0.0, -0.1, 0.4, -0.3, 2.0]
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = Double.exp(r[i] + c[j]) } }
        let additive = SpikeConnectivity.doubleCentred(a, neurons: n)
        #expect(additive.allSatisfy { abs($0) < 1e-9 }, "pure row + column effects must vanish: \(additive)")
        a[2 * n + 0] *= Double.exp(1)
        let s = SpikeConnectivity.doubleCentred(a, neurons: n)
        let best = (0..<(n * n)).filter { $0 / n != $0 % n }.max { s[$0] < s[$1] }
        #expect(best == 2 * n + 0)
        for i in 0..<n {
            #expect(abs((0..<n).reduce(0) { $0 + s[i * n + $1] }) < 1e-9)
            #expect(abs((0..<n).reduce(0) { $0 + s[$1 * n + i] }) < 1e-9)
        }
        // Source 5's large column effect does not make its pairs look connected.
        #expect((0..<5).allSatisfy { s[$0 * n + 5] < s[2 * n + 0] })
    }

    @Test func shuffleControlRelabelsThePastReproducibly() throws {
        let configuration = tinyConfiguration
        let raster = randomRaster(bins: 300, probability: 0.15, seed: 4)
        let data = try NeuroformerDataset(raster: raster, configuration: configuration)
        let model = try NeuroformerModel(configuration: configuration, seed: 5)
        let samples = Array(0..<data.count)
        let real = SpikeConnectivity.attention(model, on: data, samples: samples)
        let once = SpikeConnectivity.attention(model, on: data, samples: samples, shufflePastSeed: 7)
        let again = SpikeConnectivity.attention(model, on: data, samples: samples, shufflePastSeed: 7)
        #expect(once == again)
        #expect(once != real)
        #expect(real.allSatisfy { $0.isFinite && $0 > 0 } && once.allSatisfy { $0.isFinite && $0 > 0 })
    }
}
