import Foundation
import Testing
import TestSupport
@testable import NeuralNet

@Suite struct Conv1dTests {
    let gc = GradientCheck()

    /// Direct convolution in Double from the definition.
    func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: Int, dilation: Int, groups: Int) -> [Double] {
        let (batch, cin, length) = (x.dimensions[0], x.dimensions[1], x.dimensions[2])
        let (cout, cig, kernel) = (w.dimensions[0], w.dimensions[1], w.dimensions[2])
        let lout = (length + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
        let cog = cout / groups
        var out: [Double] = []
        for n in 0..<batch { for o in 0..<cout { for t in 0..<lout {
            var s = Double(b?.storage[o] ?? 0)
            let g = o / cog
            for c in 0..<cig { for k in 0..<kernel {
                let p = t * stride - padding + k * dilation
                if p >= 0 && p < length { s += Double(w[o, c, k]) * Double(x[n, g * cig + c, p]) }
            } }
            out.append(s)
        } } }
        _ = cin
        return out
    }

    static let configurations: [(stride: Int, padding: Int, dilation: Int, groups: Int)] = [
        (1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 2), (3, 1, 2, 4),
    ]

    @Test(arguments: 0..<configurations.count)
    func matchesTheDefinitionAndHasCorrectGradients(_ index: Int) {
        let c = Self.configurations[index]
        var rng = SeededGenerator(seed: 200 + UInt64(index))
        let conv = Conv1d(inChannels: 4, outChannels: 4, kernelSize: 3, stride: c.stride, padding: c.padding, dilation: c.dilation,
                          groups: c.groups, generator: &rng)
        let x = randomInput([2, 4, 9], seed: 210 + UInt64(index))
        let y = conv(x)
        let lout = Tensor.conv1dOutputLength(inputLength: 9, kernel: 3, stride: c.stride, padding: c.padding, dilation: c.dilation)!
        #expect(y.dimensions == [2, 4, lout])
        let expected = reference(x, conv.weight, conv.bias, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        #expect(zip(y.storage, expected).allSatisfy { Swift.abs(Double($0) - $1) < 1e-5 })
        gc.check([x] + conv.parameters) { conv($0[0]) }
    }

    @Test func outputLengthFollowsPyTorchsFormula() {
        // L_out = ⌊(L + 2p − d(K − 1) − 1)/s⌋ + 1
        #expect(Tensor.conv1dOutputLength(inputLength: 10, kernel: 3, stride: 1, padding: 0, dilation: 1) == 8)
        #expect(Tensor.conv1dOutputLength(inputLength: 10, kernel: 3, stride: 2, padding: 1, dilation: 1) == 5)
        #expect(Tensor.conv1dOutputLength(inputLength: 10, kernel: 3, stride: 1, padding: 0, dilation: 4) == 2)
        #expect(Tensor.conv1dOutputLength(inputLength: 4, kernel: 3, stride: 1, padding: 0, dilation: 3) == nil)
    }
}

@Suite struct NormalizationTests {
    let gc = GradientCheck()

    @Test func groupNormNormalisesEachGroupAndHasCorrectGradients() {
        let norm = GroupNorm(groups: 2, channels: 4)
        let x = randomInput([3, 4, 5], seed: 220, in: -3..<3)
        let y = norm(x)
        for n in 0..<3 { for g in 0..<2 {
            let values = (2 * g..<2 * g + 2).flatMap { c in (0..<5).map { Double(y[n, c, $0]) } }
            let mean = values.reduce(0, +) / 10
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 10
            #expect(Swift.abs(mean) < 1e-5 && Swift.abs(variance - 1) < 1e-3)
        } }
        let w = randomInput([4], seed: 221, in: 0.5..<1.5), b = randomInput([4], seed: 222)
        let affine = GroupNorm(groups: 2, channels: 4)
        affine.weight!.update { $0 = w.storage }
        affine.bias!.update { $0 = b.storage }
        gc.check([x] + affine.parameters) { affine($0[0]) }
        // Rank 2 (no positions): each group holds channels only. (Groups of 2 values are a poor FD
        // subject: the output is ≈ ±1 whatever the values, so use 3 channels per group.)
        gc.check([randomInput([2, 6], seed: 223)]) { GroupNorm(groups: 2, channels: 6, affine: false)($0[0]) }
    }

    @Test func batchNormTrainingStatisticsRunningEstimatesAndGradients() {
        let bn = BatchNorm1d(channels: 3, momentum: 0.1)
        let x = randomInput([4, 3, 5], seed: 230, in: -2..<4)
        let y = bn(x, training: TrainingContext(seed: 0))
        for c in 0..<3 {
            let values = (0..<4).flatMap { n in (0..<5).map { Double(y[n, c, $0]) } }
            let mean = values.reduce(0, +) / 20
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 20
            #expect(Swift.abs(mean) < 1e-5 && Swift.abs(variance - 1) < 1e-3)
            let raw = (0..<4).flatMap { n in (0..<5).map { Double(x[n, c, $0]) } }
            let m = raw.reduce(0, +) / 20
            let unbiased = raw.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 19
            #expect(Swift.abs(Double(bn.runningMean.storage[c]) - 0.1 * m) < 1e-5)
            #expect(Swift.abs(Double(bn.runningVariance.storage[c]) - (0.9 + 0.1 * unbiased)) < 1e-5)
        }
        // Evaluation uses the running estimates: (x − μ_run)/√(σ²_run + ε).
        let e = bn(x)
        let expected = (x[1, 2, 3] - bn.runningMean.storage[2]) / (bn.runningVariance.storage[2] + 1e-5).squareRoot()
        #expect(Swift.abs(e[1, 2, 3] - expected) < 1e-5)
        #expect(bn.namedBuffers.map(\.name) == ["runningMean", "runningVariance"])

        let training = TrainingContext(seed: 0)
        gc.check([x] + bn.parameters) { bn($0[0], training: training) }
        gc.check([randomInput([6, 3], seed: 231)]) { BatchNorm1d(channels: 3)($0[0], training: training) }
        gc.check([x]) { bn($0[0]) }
    }

    @Test func checkpointsCarryBuffers() throws {
        let bn = BatchNorm1d(channels: 2)
        _ = bn(randomInput([5, 2], seed: 232, in: 1..<3), training: TrainingContext(seed: 0))
        let directory = try TemporaryDirectory()
        let url = directory.file("bn.h5")
        try Checkpoint.save(to: url, model: bn, provenance: ExportProvenance(command: "test"))
        let fresh = BatchNorm1d(channels: 2)
        try Checkpoint.load(from: url, into: fresh)
        #expect(fresh.runningMean.storage == bn.runningMean.storage && fresh.runningVariance.storage == bn.runningVariance.storage)
        #expect(fresh.runningMean.storage != [0, 0])
    }
}

@Suite struct GraphAndContrastiveTests {
    let gc = GradientCheck()

    @Test func normalisedAdjacencyOfAPath() {
        // Path 0–1–2 with self loops: degrees 2, 3, 2.
        let a = NormalizedAdjacency(nodeCount: 3, edges: [(0, 1), (2, 1), (1, 0)])
        #expect(a.rowStart == [0, 2, 5, 7] && a.columns == [0, 1, 0, 1, 2, 1, 2])
        let expected: [Float] = [1.0 / 2, 1 / Float(6).squareRoot(), 1 / Float(6).squareRoot(), 1.0 / 3, 1 / Float(6).squareRoot(),
                                 1 / Float(6).squareRoot(), 1.0 / 2]
        #expect(zip(a.values, expected).allSatisfy { Swift.abs($0 - $1) < 1e-7 })
        // Â has eigenvalue 1 with eigenvector D^{1/2}·1, so Â·√d = √d.
        let sqrtDegree = Tensor([2, 3, 2].map { Float($0).squareRoot() }, shape: [3, 1])
        let propagated = sqrtDegree.propagated(by: a)
        #expect(zip(propagated.storage, sqrtDegree.storage).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
    }

    @Test func graphConvolutionGradients() {
        let a = NormalizedAdjacency(nodeCount: 4, edges: [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)], weights: [1, 2, 0.5, 1, 1])
        var rng = SeededGenerator(seed: 240)
        let layer = GraphConvolution(inFeatures: 3, outFeatures: 2, generator: &rng)
        let x = randomInput([2, 4, 3], seed: 241)
        #expect(layer(x, adjacency: a).dimensions == [2, 4, 2])
        gc.check([x] + layer.parameters) { layer($0[0], adjacency: a) }
        gc.check([randomInput([4, 3], seed: 242)]) { $0[0].propagated(by: a) }
    }

    /// CLIP's loss in Double straight from the definition.
    func reference(_ a: Tensor, _ b: Tensor, scale: Double) -> Double {
        let n = a.dimensions[0], d = a.dimensions[1]
        func normalised(_ t: Tensor) -> [[Double]] {
            (0..<n).map { i in
                let row = (0..<d).map { Double(t[i, $0]) }
                let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return row.map { $0 / norm }
            }
        }
        let x = normalised(a), y = normalised(b)
        let s = (0..<n).map { i in (0..<n).map { j in scale * zip(x[i], y[j]).reduce(0) { $0 + $1.0 * $1.1 } } }
        var total = 0.0
        for i in 0..<n {
            total += Foundation.log((0..<n).map { Foundation.exp(s[i][$0]) }.reduce(0, +)) - s[i][i]
            total += Foundation.log((0..<n).map { Foundation.exp(s[$0][i]) }.reduce(0, +)) - s[i][i]
        }
        return total / Double(2 * n)
    }

    @Test func symmetricInfoNCEMatchesTheDefinitionAndHasCorrectGradients() {
        let a = randomInput([5, 4], seed: 250), b = randomInput([5, 4], seed: 251)
        let loss = Tensor.symmetricInfoNCE(a, b, temperature: 0.5)
        #expect(Swift.abs(Double(loss.item) - reference(a, b, scale: 2)) < 1e-5)
        gc.check([a, b]) { Tensor.symmetricInfoNCE($0[0], $0[1], temperature: 0.5) }
        let scale = Tensor([0.3], shape: [1], requiresGrad: true)
        let learned = Tensor.symmetricInfoNCE(a, b, logitScale: scale)
        #expect(Swift.abs(Double(learned.item) - reference(a, b, scale: Foundation.exp(0.3))) < 1e-5)
        gc.check([a, b, scale]) { Tensor.symmetricInfoNCE($0[0], $0[1], logitScale: $0[2]) }
        // Perfectly aligned orthogonal pairs at a low temperature cost almost nothing; swapping the
        // pairing costs a lot.
        let eye = Tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], shape: [3, 3])
        #expect(Tensor.symmetricInfoNCE(eye, eye * 2, temperature: 0.05).item < 1e-6)
        let swapped = Tensor([0, 1, 0, 1, 0, 0, 0, 0, 1], shape: [3, 3])
        #expect(Tensor.symmetricInfoNCE(eye, swapped, temperature: 0.05).item > 10)
    }
}
