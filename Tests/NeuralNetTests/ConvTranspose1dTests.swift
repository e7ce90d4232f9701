import Foundation
import Testing
import TestSupport
@testable import NeuralNet

@Suite struct ConvTranspose1dTests {
    let gc = GradientCheck()

    /// Direct transposed convolution in Double from the definition: every input sample spreads
    /// x[c, t] · W[c, o, k] onto output position t·stride + k·dilation − padding.
    func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: Int, outputPadding: Int, dilation: Int, groups: Int) -> [Double] {
        let (batch, cin, length) = (x.dimensions[0], x.dimensions[1], x.dimensions[2])
        let (cog, kernel) = (w.dimensions[1], w.dimensions[2])
        let cout = cog * groups, cig = cin / groups
        let lout = (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1
        var out = [Double](repeating: 0, count: batch * cout * lout)
        for n in 0..<batch {
            for o in 0..<cout { for t in 0..<lout { out[(n * cout + o) * lout + t] = Double(b?.storage[o] ?? 0) } }
            for c in 0..<cin {
                let g = c / cig
                for o in 0..<cog { for k in 0..<kernel { for t in 0..<length {
                    let p = t * stride + k * dilation - padding
                    if p >= 0 && p < lout { out[(n * cout + g * cog + o) * lout + p] += Double(x[n, c, t]) * Double(w[c, o, k]) }
                } } }
            }
        }
        return out
    }

    static let configurations: [(stride: Int, padding: Int, outputPadding: Int, dilation: Int, groups: Int)] = [
        (1, 0, 0, 1, 1), (5, 2, 0, 1, 1), (3, 1, 2, 1, 1), (2, 1, 1, 2, 2), (1, 2, 0, 3, 4),
    ]

    @Test(arguments: 0..<configurations.count)
    func matchesTheDefinitionAndHasCorrectGradients(_ index: Int) {
        let c = Self.configurations[index]
        var rng = SeededGenerator(seed: 300 + UInt64(index))
        let conv = ConvTranspose1d(inChannels: 4, outChannels: 4, kernelSize: 3, stride: c.stride, padding: c.padding,
                                   outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups, generator: &rng)
        #expect(conv.weight.dimensions == [4, 4 / c.groups, 3])
        let x = randomInput([2, 4, 6], seed: 310 + UInt64(index))
        let y = conv(x)
        let lout = conv.outputLength(6)!
        #expect(y.dimensions == [2, 4, lout])
        let expected = reference(x, conv.weight, conv.bias, stride: c.stride, padding: c.padding, outputPadding: c.outputPadding,
                                 dilation: c.dilation, groups: c.groups)
        #expect(zip(y.storage, expected).allSatisfy { Swift.abs(Double($0) - $1) < 1e-5 })
        gc.check([x] + conv.parameters) { conv($0[0]) }
    }

    /// ⟨conv1d(x; W), y⟩ = ⟨x, convTranspose1d(y; W)⟩ for the same weight W (no bias), with the
    /// output padding that restores conv1d's input length.
    @Test(arguments: [(1, 0, 1, 1), (5, 2, 1, 1), (3, 1, 2, 2), (2, 3, 1, 2)])
    func isTheAdjointOfConv1d(_ setting: (Int, Int, Int, Int)) {
        let (stride, padding, dilation, groups) = setting
        let (cin, cout, kernel, length) = (4, 6, 5, 23)
        let w = randomInput([cout, cin / groups, kernel], seed: 400 + UInt64(stride))
        let x = randomInput([3, cin, length], seed: 410 + UInt64(padding))
        let forward = x.conv1d(weight: w, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let lconv = forward.dimensions[2]
        let y = randomInput([3, cout, lconv], seed: 420 + UInt64(dilation))
        let bare = Tensor.convTranspose1dOutputLength(inputLength: lconv, kernel: kernel, stride: stride, padding: padding, dilation: dilation)!
        let back = y.convTranspose1d(weight: w, stride: stride, padding: padding, outputPadding: length - bare, dilation: dilation, groups: groups)
        #expect(back.dimensions == [3, cin, length])
        let lhs = zip(forward.storage, y.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.storage, back.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(Swift.abs(lhs - rhs) < 1e-4 * Swift.max(1, Swift.abs(lhs)), "⟨conv x, y⟩ = \(lhs), ⟨x, convᵀ y⟩ = \(rhs)")
        #expect(Swift.abs(lhs) > 1e-3)
    }

    @Test func outputLengthFollowsPyTorchsFormula() {
        // L_out = (L − 1)s − 2p + d(K − 1) + op + 1
        #expect(Tensor.convTranspose1dOutputLength(inputLength: 40, kernel: 3, stride: 1, padding: 1) == 40)
        #expect(Tensor.convTranspose1dOutputLength(inputLength: 40, kernel: 5, stride: 5, padding: 0) == 200)
        #expect(Tensor.convTranspose1dOutputLength(inputLength: 200, kernel: 9, stride: 5, padding: 2) == 1000)
        #expect(Tensor.convTranspose1dOutputLength(inputLength: 10, kernel: 3, stride: 2, padding: 1, outputPadding: 1, dilation: 2) == 22)
        #expect(Tensor.convTranspose1dOutputLength(inputLength: 1, kernel: 1, stride: 1, padding: 1) == nil)
    }
}
