import Testing
@testable import NeuralNet

@Suite struct TensorTests {
    @Test func creationAndAccess() {
        let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(t[1, 2] == 6 && t[0, 1] == 2)
        #expect(Tensor.zeros([2, 2]).storage == [0, 0, 0, 0])
        #expect(Tensor.ones([3]).storage == [1, 1, 1])
        #expect(Tensor(scalar: 4).item == 4 && Tensor(scalar: 4).rank == 0)
    }

    @Test func seededRandomTensorsAreReproducibleAndHaveTheRightMoments() {
        var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3)
        let a = Tensor.randomNormal([10_000], mean: 1, std: 2, generator: &g1)
        let b = Tensor.randomNormal([10_000], mean: 1, std: 2, generator: &g2)
        #expect(a.storage == b.storage)
        let mean = a.storage.reduce(0, +) / 10_000
        let variance = a.storage.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 10_000
        #expect(Swift.abs(mean - 1) < 0.06)  // 4 standard errors (2/√10⁴ = 0.02)
        #expect(Swift.abs(variance - 4) < 0.25)
        let u = Tensor.randomUniform([1000], in: -2..<3, generator: &g1)
        #expect(u.storage.allSatisfy { $0 >= -2 && $0 < 3 })
    }

    @Test func broadcastingValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect((a + Tensor([10, 20, 30], shape: [3])).storage == [11, 22, 33, 14, 25, 36])
        #expect((a * Tensor([2, 3], shape: [2, 1])).storage == [2, 4, 6, 12, 15, 18])
        let outer = Tensor([1, 2], shape: [2, 1]) - Tensor([1, 2, 3], shape: [1, 3])
        #expect(outer.dimensions == [2, 3] && outer.storage == [0, -1, -2, 1, 0, -1])
        #expect((a / 2).storage == [0.5, 1, 1.5, 2, 2.5, 3])
    }

    @Test func matmulMatchesNaiveProduct() {
        var rng = SeededGenerator(seed: 8)
        let a = Tensor.randomNormal([3, 5, 7], generator: &rng)
        let b = Tensor.randomNormal([3, 7, 4], generator: &rng)
        let c = a.matmul(b)
        #expect(c.dimensions == [3, 5, 4])
        var worst: Float = 0
        for n in 0..<3 { for i in 0..<5 { for j in 0..<4 {
            var s: Float = 0
            for k in 0..<7 { s += a[n, i, k] * b[n, k, j] }
            worst = Swift.max(worst, Swift.abs(s - c[n, i, j]))
        } } }
        #expect(worst < 1e-5)
        // Transpose flags equal explicit transposes.
        let bt = b.transposed()
        #expect(a.matmul(bt, transposeB: true).storage == c.storage)
    }

    @Test func shapeOpValues() {
        let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        #expect(x.transposed(0, 2)[3, 1, 0] == x[0, 1, 3])
        #expect(x.permuted([2, 0, 1])[1, 1, 2] == x[1, 2, 1])
        #expect(x.slice(axis: 1, 1..<2).storage == [4, 5, 6, 7, 16, 17, 18, 19])
        let joined = Tensor.concat([x.slice(axis: 2, 0..<1), x.slice(axis: 2, 1..<4)], axis: 2)
        #expect(joined.storage == x.storage)
        #expect(x.reshaped([6, -1]).dimensions == [6, 4])
        let table = Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])
        #expect(table.embeddingLookup([2, 0], shape: [1, 2]).storage == [5, 6, 1, 2])
        #expect(table.scatterAdd(axis: 0, [1, 1, 0], size: 2).storage == [5, 6, 4, 6])
    }

    @Test func reductionValues() {
        let x = Tensor([1, 5, 3, 4, 2, 6], shape: [2, 3])
        #expect(x.sum().item == 21)
        #expect(x.sum(axis: 0).storage == [5, 7, 9])
        #expect(x.sum(axis: 1, keepDims: true).dimensions == [2, 1])
        #expect(x.mean(axis: 1).storage == [3, 4])
        #expect(x.max(axis: 1).storage == [5, 6])
        #expect(x.max(axis: 0).storage == [4, 5, 6])
    }

    @Test func softmaxRowsSumToOneAndStayFiniteAtExtremeLogits() {
        let logits = Tensor([1000, -1000, 0, 999, -1000, -1000, 1000, 1000, 0.5, 2, 3, -4], shape: [3, 4])
        let p = logits.softmax()
        let logp = logits.logSoftmax()
        #expect(p.storage.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(logp.storage.allSatisfy { $0.isFinite })
        for r in 0..<3 {
            let s = (0..<4).reduce(Float(0)) { $0 + p[r, $1] }
            #expect(Swift.abs(s - 1) < 1e-6)
        }
        #expect(Swift.abs(p[0, 0] - 1 / (1 + Float.exp(-1))) < 1e-6)
        #expect(Swift.abs(logp[1, 0] - (-2000 - Float.log(2))) < 1e-3)
        // Along a non-last axis the columns sum to 1.
        let q = logits.softmax(axis: 0)
        for c in 0..<4 { #expect(Swift.abs(q[0, c] + q[1, c] + q[2, c] - 1) < 1e-6) }
    }

    @Test func geluVariants() {
        let x = Tensor([-3, -1, 0, 0.5, 2], shape: [5])
        // Reference values: x·Φ(x) from the normal CDF; tanh form from its formula.
        let exact: [Float] = [-0.0040496, -0.1586553, 0, 0.3457312, 1.9544997]
        let approx: [Float] = [-0.0036374, -0.1588080, 0, 0.3457140, 1.9545977]
        for i in 0..<5 {
            #expect(Swift.abs(x.gelu().storage[i] - exact[i]) < 1e-5)
            #expect(Swift.abs(x.gelu(.tanh).storage[i] - approx[i]) < 1e-5)
        }
    }

    @Test func sigmoidIsStableForLargeInputs() {
        let s = Tensor([-200, 200, 0], shape: [3]).sigmoid()
        #expect(s.storage == [0, 1, 0.5])
    }

    @Test func dropoutIsSeededAndPreservesTheMean() {
        let x = Tensor.ones([20_000])
        var g1 = SeededGenerator(seed: 1), g2 = SeededGenerator(seed: 1)
        let a = x.dropout(0.25, generator: &g1), b = x.dropout(0.25, generator: &g2)
        #expect(a.storage == b.storage)
        let zeros = a.storage.filter { $0 == 0 }.count
        #expect(Swift.abs(Double(zeros) / 20_000 - 0.25) < 0.0123)  // 4 standard errors
        #expect(a.storage.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3.0) < 1e-6 })
        #expect(x.dropout(0, generator: &g1) === x)
    }
}

@Suite struct AutogradTests {
    @Test func noGradModeRecordsNothing() {
        let w = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        let y = withNoGrad { (w * w).sum() }
        #expect(!y.requiresGrad && y.isLeaf)
        let z = (w * w).sum()
        #expect(z.requiresGrad && !z.isLeaf)
        // Nested scopes restore the previous mode.
        withNoGrad { withNoGrad {}; #expect(!GradMode.isEnabled) }
        #expect(GradMode.isEnabled)
    }

    @Test func noGradIsTaskLocal() async {
        // A no-grad scope on one task does not switch recording off for a concurrently running task.
        let w = Tensor([1, 2], shape: [2], requiresGrad: true)
        await withNoGrad {
            let recorded = await Task.detached { (w * 2).requiresGrad }.value
            #expect(recorded)
            #expect(!(w * 2).requiresGrad)
        }
    }

    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let w = Tensor([1, -2, 3], shape: [3], requiresGrad: true)
        (w * w).sum().backward()
        #expect(w.grad!.storage == [2, -4, 6])
        (w * 3).sum().backward()
        #expect(w.grad!.storage == [5, -1, 9])
        w.zeroGrad()
        #expect(w.grad == nil)
        (w * 3).sum().backward()
        #expect(w.grad!.storage == [3, 3, 3])
    }

    @Test func diamondGraphSumsBothPaths() {
        // y = a·b with a = x², b = x³ shares x: dy/dx = 5x⁴.
        let x = Tensor([2], shape: [1], requiresGrad: true)
        let y = (x.pow(2) * x.pow(3)).sum()
        y.backward()
        #expect(Swift.abs(x.grad!.storage[0] - 80) < 1e-3)
    }

    @Test func onlyRequestedLeavesGetGradientsAndTheGraphIsFreed() {
        let w = Tensor([1, 2], shape: [2], requiresGrad: true)
        let c = Tensor([3, 4], shape: [2])
        let hidden = w * c
        let loss = hidden.sum()
        loss.backward()
        #expect(w.grad!.storage == [3, 4])
        #expect(c.grad == nil)
        #expect(hidden.isLeaf && hidden.grad == nil)  // intermediate node and gradient released
    }

    @Test func backwardWithExplicitGradient() {
        let x = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        (x * x).backward(gradient: [1, 0, 2])
        #expect(x.grad!.storage == [2, 0, 12])
    }

    @Test func independentModelsTrainOnConcurrentTasks() async {
        // Two graphs on two tasks share no state; each gets exactly its own gradient.
        let results = await withTaskGroup(of: [Float].self) { group in
            for k in 1...2 {
                group.addTask {
                    let w = Tensor(repeating: Float(k), shape: [64], requiresGrad: true)
                    for _ in 0..<50 { (w * w).sum().backward() }
                    return w.grad!.storage
                }
            }
            var all: [[Float]] = []
            for await r in group { all.append(r) }
            return all.sorted { $0[0] < $1[0] }
        }
        #expect(results[0].allSatisfy { $0 == 100 } && results[1].allSatisfy { $0 == 200 })
    }
}
