import Testing
@testable import Models

@Suite struct AffinityTests {
    /// Deterministic pseudo-noise for traces (no RNG coupling to library internals).
    static func traces(_ n: Int, _ f: Int, seed: UInt64, shared: [(neurons: [Int], frames: Range<Int>)] = []) -> Matrix<Double> {
        var rng = SeededGenerator(seed: seed)
        var m = Matrix<Double>(rows: n, columns: f) { _, _ in rng.normal(mean: 0, standardDeviation: 1) }
        for s in shared {
            let driver = (0..<f).map { _ in rng.normal(mean: 0, standardDeviation: 3) }
            for i in s.neurons { for t in s.frames { m[i, t] += driver[t] } }
        }
        return m
    }

    @Test func pairIndexingFollowsTriuOrder() {
        let pairs = NeuronPairs(neuronCount: 5)
        #expect(pairs.count == 10)
        var p = 0
        for i in 0..<5 {
            for j in (i + 1)..<5 {
                #expect(pairs.index(i, j) == p)
                #expect(pairs.index(j, i) == p)
                #expect(pairs.neurons(of: p) == (i, j))
                p += 1
            }
        }
        let m = pairs.matrix(from: (0..<10).map(Double.init))
        #expect(m[1, 3] == 5 && m[3, 1] == 5 && m[2, 2] == 0)
        #expect(pairs.strengths([1, 0, 0, 0, 0, 0, 0, 0, 0, 2]) == [1, 1, 0, 2, 2])
    }

    /// Differential affinity against a direct evaluation of its definition (σ = 0, so d is the
    /// central difference of the raw trace).
    @Test func differentialAffinityMatchesDefinition() throws {
        let x = Self.traces(4, 50, seed: 1)
        let window = try SlidingWindow(length: 10, step: 7)
        let a = try DifferentialAffinity(smoothing: 0).affinities(x, window: window)
        #expect(a.rows == 6 && a.columns == 6)
        var z = Matrix<Double>(rows: 4, columns: 50)
        var sds = [Double]()
        for i in 0..<4 {
            let d = (0..<50).map { t -> Double in
                let lo = max(0, t - 1), hi = min(49, t + 1)
                return (x[i, hi] - x[i, lo]) / Double(hi - lo)
            }
            let m = d.reduce(0, +) / 50
            sds.append((d.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 50).squareRoot())
            for t in 0..<50 { z[i, t] = d[t] }
        }
        let median = (sds.sorted()[1] + sds.sorted()[2]) / 2  // the scale floor
        for i in 0..<4 { for t in 0..<50 { z[i, t] /= max(sds[i], median) } }
        #expect(sds.contains { $0 < median })  // the floor was exercised
        let pairs = NeuronPairs(neuronCount: 4)
        var negatives = 0
        for k in 0..<6 {
            for i in 0..<4 {
                for j in (i + 1)..<4 {
                    var s = 0.0
                    for t in (7 * k)..<(7 * k + 10) { s += z[i, t] * z[j, t] }
                    if s < 0 { negatives += 1 }
                    #expect(abs(a[k, pairs.index(i, j)] - max(0, s / 10)) < 1e-12)
                }
            }
        }
        #expect(negatives > 0)  // the rectification was exercised
    }

    /// Shared transients in one interval raise the affinity of the driven pair there, and only there.
    @Test func differentialAffinityLocalisesSharedActivity() throws {
        let x = Self.traces(5, 400, seed: 2, shared: [(neurons: [0, 1, 2], frames: 200..<300)])
        let window = try SlidingWindow(length: 50, step: 50)
        let a = try DifferentialAffinity(smoothing: 1).affinities(x, window: window)
        let pairs = NeuronPairs(neuronCount: 5)
        let driven = pairs.index(0, 1), control = pairs.index(3, 4)
        for k in 0..<8 {
            if k == 4 || k == 5 {
                #expect(a[k, driven] > 5 * max(a[k, control], 0.05))
            } else {
                #expect(a[k, driven] < 0.5)
            }
        }
        #expect(a.elements.allSatisfy { $0 >= 0 && $0.isFinite })
    }

    @Test func windowedCorrelationMatchesPearson() throws {
        let x = Self.traces(3, 40, seed: 3)
        let window = try SlidingWindow(length: 12, step: 9)
        let a = try WindowedCorrelation().affinities(x, window: window)
        #expect(a.rows == 4)
        for k in 0..<4 {
            for (i, j) in [(0, 1), (0, 2), (1, 2)] {
                let xs = (0..<12).map { x[i, 9 * k + $0] }, ys = (0..<12).map { x[j, 9 * k + $0] }
                let r = try Statistics.pearsonCorrelation(xs, ys)
                #expect(abs(a[k, NeuronPairs(neuronCount: 3).index(i, j)] - max(0, r)) < 1e-10)
            }
        }
    }

    @Test func rejectsWindowLongerThanRecording() throws {
        let x = Self.traces(3, 20, seed: 4)
        #expect(throws: ParameterError.self) { try WindowedCorrelation().affinities(x, window: SlidingWindow(length: 21, step: 1)) }
        #expect(throws: ParameterError.self) { try SlidingWindow(length: 1, step: 1) }
    }

    static func calcium(_ x: Matrix<Double>, labels: [String?]) throws -> CalciumTraces {
        try CalciumTraces(
            signal: x.elements.map(Float.init), neurons: labels.enumerated().map { CalciumNeuron(id: $0.offset, label: $0.element) },
            frameRate: 2, kind: .deltaFOverF)
    }

    /// Animal B lacks neuron "b" and lists its neurons in another order: pairs are aligned by label,
    /// B's pairs with "b" are missing at every window, and its (a, c) pair carries its own affinity.
    @Test func alignsByLabelAndMasksMissingPairs() throws {
        let xa = Self.traces(3, 60, seed: 5), xb = Self.traces(2, 80, seed: 6)
        let a = try Self.calcium(xa, labels: ["a", "b", "c"])
        let b = try Self.calcium(xb, labels: ["c", "a"])
        let window = try SlidingWindow(length: 20, step: 10)
        let kernel = WindowedCorrelation()
        let built = try AffinityTensor(animals: [a, b], kernel: kernel, window: window)
        #expect(built.neuronNames == ["a", "b", "c"])
        #expect(built.present[1] == [true, false, true])
        let t = built.tensor
        #expect(t.shape == [5, 2, 3])  // min(5, 7) windows
        #expect(t.missing.count == 5 * 2)
        let ownB = try kernel.affinities(b.matrix(), window: window)
        let ownA = try kernel.affinities(a.matrix(), window: window)
        for k in 0..<5 {
            #expect(abs(t[k, 1, 1] - ownB[k, 0]) < 1e-6)  // aligned pair (a, c) = B's pair (c, a)
            #expect(abs(t[k, 0, 2] - ownA[k, 2]) < 1e-6)  // A's pair (b, c)
            #expect(t.missing.contains((k * 2 + 1) * 3 + 0))  // B's (a, b)
            #expect(t.missing.contains((k * 2 + 1) * 3 + 2))  // B's (b, c)
        }
        let common = try AffinityTensor(animals: [a, b], kernel: kernel, window: window, alignment: .commonLabels)
        #expect(common.neuronNames == ["a", "c"] && common.tensor.missing.isEmpty)
    }

    @Test func unlabelledAnimalsNeedEqualCounts() throws {
        let a = try Self.calcium(Self.traces(3, 60, seed: 7), labels: [nil, nil, nil])
        let b = try Self.calcium(Self.traces(4, 60, seed: 8), labels: [nil, nil, nil, nil])
        let window = try SlidingWindow(length: 20, step: 10)
        #expect(throws: ParameterError.self) { try AffinityTensor(animals: [a, b], kernel: WindowedCorrelation(), window: window) }
        #expect(throws: ParameterError.self) {
            try AffinityTensor(animals: [a], kernel: WindowedCorrelation(), window: window, alignment: .byLabel)
        }
        let same = try AffinityTensor(animals: [a, a], kernel: WindowedCorrelation(), window: window)
        #expect(same.neuronNames == ["n0", "n1", "n2"] && same.tensor.shape == [5, 2, 3])
    }
}
