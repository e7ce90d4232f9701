import Testing
@testable import NeuralNet

/// Finite-difference checks of every op's backward pass (tolerances justified in `GradientCheck`).
@Suite struct OpGradientTests {
    let gc = GradientCheck()

    // MARK: Broadcasting arithmetic

    static let broadcastPairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]),        // same shape
        ([2, 3], [3]),           // row vector
        ([2, 1, 4], [3, 1]),     // both operands broadcast
        ([3, 4], []),            // scalar tensor
        ([1, 4], [3, 1]),        // outer product shape
    ]

    @Test(arguments: broadcastPairs)
    func add(_ sa: [Int], _ sb: [Int]) {
        gc.check([randomInput(sa, seed: 1), randomInput(sb, seed: 2)]) { $0[0] + $0[1] }
    }

    @Test(arguments: broadcastPairs)
    func subtract(_ sa: [Int], _ sb: [Int]) {
        gc.check([randomInput(sa, seed: 3), randomInput(sb, seed: 4)]) { $0[0] - $0[1] }
        gc.check([randomInput(sb, seed: 3), randomInput(sa, seed: 4)]) { $0[0] - $0[1] }
    }

    @Test(arguments: broadcastPairs)
    func multiply(_ sa: [Int], _ sb: [Int]) {
        gc.check([randomInput(sa, seed: 5), randomInput(sb, seed: 6)]) { $0[0] * $0[1] }
    }

    @Test(arguments: broadcastPairs)
    func divide(_ sa: [Int], _ sb: [Int]) {
        gc.check([randomInput(sa, seed: 7), randomInput(sb, seed: 8, in: 0.5..<1.5)]) { $0[0] / $0[1] }
    }

    @Test func sameTensorOnBothSides() {
        gc.check([randomInput([3, 2], seed: 9)]) { $0[0] * $0[0] + $0[0] }
    }

    @Test func scalarOperations() {
        let x = randomInput([2, 3], seed: 10, in: 0.5..<1.5)
        gc.check([x]) { -$0[0] }
        gc.check([x]) { 2.5 * $0[0] - 1 }
        gc.check([x]) { (3 - $0[0]) / 4 + 0.5 }
        gc.check([x]) { 2 / $0[0] }
        gc.check([x]) { $0[0].affine(scale: -0.7, shift: 0.2) }
    }

    // MARK: Matrix products

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul2D(_ ta: Bool, _ tb: Bool) {
        let a = randomInput(ta ? [4, 3] : [3, 4], seed: 11)
        let b = randomInput(tb ? [2, 4] : [4, 2], seed: 12)
        gc.check([a, b]) { $0[0].matmul($0[1], transposeA: ta, transposeB: tb) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func batchedMatmul(_ ta: Bool, _ tb: Bool) {
        let a = randomInput(ta ? [2, 4, 3] : [2, 3, 4], seed: 13)
        let b = randomInput(tb ? [2, 2, 4] : [2, 4, 2], seed: 14)
        gc.check([a, b]) { $0[0].matmul($0[1], transposeA: ta, transposeB: tb) }
    }

    @Test func broadcastBatchMatmul() {
        // [2, 1, 3, 4] × [3, 4, 2] → [2, 3, 3, 2]: both operands broadcast over the batch.
        gc.check([randomInput([2, 1, 3, 4], seed: 15), randomInput([3, 4, 2], seed: 16)]) { $0[0].matmul($0[1]) }
        // 3-D times 2-D folds into one gemm (the Linear layer path), with and without a transposed weight.
        gc.check([randomInput([2, 3, 4], seed: 17), randomInput([4, 5], seed: 18)]) { $0[0].matmul($0[1]) }
        gc.check([randomInput([2, 3, 4], seed: 19), randomInput([5, 4], seed: 20)]) { $0[0].matmul($0[1], transposeB: true) }
        // 2-D times 3-D broadcasts the left operand.
        gc.check([randomInput([3, 4], seed: 21), randomInput([2, 4, 2], seed: 22)]) { $0[0].matmul($0[1]) }
    }

    // MARK: Shape ops

    @Test func shapeOps() {
        let x = randomInput([2, 3, 4], seed: 23)
        gc.check([x]) { $0[0].reshaped([4, -1]) }
        gc.check([x]) { $0[0].transposed() }
        gc.check([x]) { $0[0].transposed(0, 2) }
        gc.check([x]) { $0[0].permuted([1, 2, 0]) }
        gc.check([x]) { $0[0].slice(axis: 1, 1..<3) }
        gc.check([x]) { $0[0].slice(axis: -1, 0..<1) }
        gc.check([x]) { $0[0].slice(axis: 0, 1..<2) }
    }

    @Test func concatenation() {
        let a = randomInput([2, 1, 3], seed: 24), b = randomInput([2, 2, 3], seed: 25), c = randomInput([2, 3, 3], seed: 26)
        gc.check([a, b, c]) { Tensor.concat($0, axis: 1) }
        gc.check([randomInput([2, 3], seed: 27), randomInput([1, 3], seed: 28)]) { Tensor.concat($0, axis: 0) }
        gc.check([randomInput([2, 3], seed: 29), randomInput([2, 2], seed: 30)]) { Tensor.concat($0, axis: -1) }
    }

    @Test func gatherAndScatter() {
        let table = randomInput([5, 3], seed: 31)
        gc.check([table]) { $0[0].indexSelect(axis: 0, [4, 1, 1, 0]) }  // repeated index accumulates
        gc.check([table]) { $0[0].indexSelect(axis: 1, [2, 0]) }
        gc.check([table]) { $0[0].embeddingLookup([0, 3, 3, 2, 4, 0], shape: [2, 3]) }
        gc.check([randomInput([4, 3], seed: 32)]) { $0[0].scatterAdd(axis: 0, [2, 0, 2, 4], size: 5) }
        gc.check([randomInput([2, 3], seed: 33)]) { $0[0].scatterAdd(axis: 1, [1, 1, 0], size: 2) }
    }

    @Test func maskedFill() {
        let mask = Tensor([0, 1, 0, 0, 0, 1], shape: [2, 3])
        gc.check([randomInput([4, 2, 3], seed: 34)]) { $0[0].maskedFill(mask, value: -5) }
    }

    // MARK: Reductions

    @Test func reductions() {
        let x = randomInput([2, 3, 4], seed: 35)
        gc.check([x]) { $0[0].sum() }
        gc.check([x]) { $0[0].sum(axis: 1) }
        gc.check([x]) { $0[0].sum(axes: [0, 2], keepDims: true) }
        gc.check([x]) { $0[0].mean() }
        gc.check([x]) { $0[0].mean(axis: -1, keepDims: true) }
        gc.check([x]) { $0[0].mean(axes: [0, 1]) }
    }

    @Test func maxReduction() {
        let x = distinctInput([2, 3, 4], seed: 36)
        gc.check([x]) { $0[0].max() }
        gc.check([x]) { $0[0].max(axis: 1) }
        gc.check([x]) { $0[0].max(axes: [0, 2], keepDims: true) }
    }

    @Test func softmaxes() {
        let x = randomInput([2, 3, 4], seed: 37, in: -2..<2)
        gc.check([x]) { $0[0].softmax() }
        gc.check([x]) { $0[0].softmax(axis: 1) }
        gc.check([x]) { $0[0].logSoftmax() }
        gc.check([x]) { $0[0].logSoftmax(axis: 0) }
    }

    // MARK: Elementwise functions

    @Test func elementwise() {
        let x = randomInput([3, 4], seed: 38, in: -2..<2)
        let positive = randomInput([3, 4], seed: 39, in: 0.5..<2)
        gc.check([x]) { $0[0].exp() }
        gc.check([positive]) { $0[0].log() }
        gc.check([positive]) { $0[0].sqrt() }
        gc.check([positive]) { $0[0].pow(1.7) }
        gc.check([positive]) { $0[0].pow(-0.5) }
        gc.check([x]) { $0[0].pow(2) }
        gc.check([x]) { $0[0].pow(3) }
        gc.check([x]) { $0[0].tanh() }
        gc.check([x]) { $0[0].sigmoid() }
        gc.check([x]) { $0[0].silu() }
        gc.check([x]) { $0[0].gelu() }
        gc.check([x]) { $0[0].gelu(.tanh) }
    }

    @Test func kinkedFunctions() {
        let x = awayFromZero([3, 4], seed: 40)
        gc.check([x]) { $0[0].relu() }
        gc.check([x]) { $0[0].abs() }
    }

    @Test func dropoutWithFixedMask() {
        // The same seed reproduces the mask, so the op is a fixed linear map the check can probe.
        gc.check([randomInput([4, 5], seed: 41)]) { inputs in
            var rng = SeededGenerator(seed: 5)
            return inputs[0].dropout(0.3, generator: &rng)
        }
    }

    @Test func composedExpression() {
        // A small attention-like composite exercising the graph (shared inputs, several paths).
        let q = randomInput([2, 3, 4], seed: 42), k = randomInput([2, 3, 4], seed: 43), v = randomInput([2, 3, 4], seed: 44)
        gc.check([q, k, v]) { t in
            let scores = t[0].matmul(t[1], transposeB: true) * 0.5
            return scores.softmax().matmul(t[2]).gelu() + t[0]
        }
    }
}
