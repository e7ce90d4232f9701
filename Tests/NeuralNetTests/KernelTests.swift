import Foundation
import RealModule
import Testing
@testable import NeuralNet

/// Distance between two Floats in units in the last place of the reference.
private func ulps(_ value: Float, _ reference: Double) -> Double {
    let r = Float(reference)
    return Swift.abs(Double(value) - reference) / Double(r.ulp)
}

/// A dense grid plus the awkward points (0, ±1, the range ends, the polynomial switch points).
private func grid(_ range: ClosedRange<Float>, steps: Int) -> [Float] {
    let lo = range.lowerBound, hi = range.upperBound
    return (0...steps).map { lo + (hi - lo) * Float($0) / Float(steps) } + [0, -0, 1, -1, 0.55, -0.55, 0.5499999, lo, hi]
}

@Suite struct FastMathTests {
    @Test func expIsWithinTwoUlpsAndExactlyZeroBelowTheNormalRange() {
        var worst = 0.0
        for x in grid(-87.3...88.3, steps: 200_000) + grid(-1...1, steps: 20_000) {
            worst = Swift.max(worst, ulps(FastMath.exp(x), Double.exp(Double(x))))
        }
        #expect(worst <= 2, "worst exp error \(worst) ulp")
        #expect(FastMath.exp(0) == 1)
        #expect(FastMath.exp(-88) == 0 && FastMath.exp(-1e30) == 0 && FastMath.exp(-.infinity) == 0)
        #expect(FastMath.exp(89) == .infinity && FastMath.exp(.infinity) == .infinity)
        #expect(FastMath.exp(.nan).isNaN)
    }

    @Test func normalCDFKeepsItsRelativeAccuracyInTheLowerTail() {
        // Φ(x) = erfc(−x/√2)/2 in Double as the reference; relative error bounds the ulps for any magnitude.
        var worstRelative = 0.0, worstDensity = 0.0
        for x in grid(-13...9, steps: 220_000) {
            let (cdf, density) = FastMath.normalCDFAndDensity(x)
            let reference = 0.5 * Double.erfc(-Double(x) / 2.0.squareRoot())
            worstRelative = Swift.max(worstRelative, Swift.abs(Double(cdf) - reference) / reference)
            let pdf = Double.exp(-0.5 * Double(x) * Double(x)) / (2 * Double.pi).squareRoot()
            worstDensity = Swift.max(worstDensity, Swift.abs(Double(density) - pdf) / pdf)
        }
        #expect(worstRelative < 6e-7, "worst Φ relative error \(worstRelative)")
        #expect(worstDensity < 4e-7, "worst φ relative error \(worstDensity)")
        // The composed 0.5·(1 + erf(x/√2)) has no correct digit left at x = −6; this kernel keeps them.
        #expect(Swift.abs(Double(FastMath.normalCDF(-6)) / 9.865876450376981e-10 - 1) < 1e-6)
        #expect(Swift.abs(FastMath.normalCDF(0) - 0.5) <= Float(0.5).ulp)
        #expect(FastMath.normalCDF(20) == 1 && FastMath.normalCDF(-20) == 0)
        #expect(FastMath.normalCDF(.nan).isNaN)
    }

    @Test func tanhAndLogisticAreWithinAFewUlps() {
        var worstTanh = 0.0, worstLogistic = 0.0
        for x in grid(-12...12, steps: 120_000) where x != 0 {
            worstTanh = Swift.max(worstTanh, ulps(FastMath.tanh(x), Double.tanh(Double(x))))
            worstLogistic = Swift.max(worstLogistic, ulps(FastMath.logistic(x), 1 / (1 + Double.exp(-Double(x)))))
        }
        #expect(worstTanh <= 3, "worst tanh error \(worstTanh) ulp")
        #expect(worstLogistic <= 3, "worst logistic error \(worstLogistic) ulp")
        #expect(FastMath.tanh(0) == 0 && FastMath.tanh(30) == 1 && FastMath.tanh(-30) == -1)
        // e⁻ˣ below the normal range (x > 87.3) is flushed to 0, so σ(−100) ≈ 4e-44 becomes exactly 0.
        #expect(FastMath.logistic(-80) > 0 && FastMath.logistic(-100) == 0 && FastMath.logistic(100) == 1)
    }

    @Test func geluMatchesTheDoublePrecisionDefinition() {
        let values = grid(-9...9, steps: 2_000)
        let x = Tensor(values, shape: [values.count], requiresGrad: true)
        let y = x.gelu()
        y.sum().backward()
        for (i, v) in values.enumerated() {
            let d = Double(v)
            let cdf = 0.5 * Double.erfc(-d / 2.0.squareRoot())
            let pdf = Double.exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
            #expect(Swift.abs(Double(y.storage[i]) - d * cdf) <= 1e-6 * Swift.max(Swift.abs(d * cdf), 1e-3))
            #expect(Swift.abs(Double(x.grad!.storage[i]) - (cdf + d * pdf)) <= 1e-6)
        }
    }
}

@Suite struct BufferPoolTests {
    /// An element count no other test uses, so concurrent tests cannot take these buffers.
    static let count = BufferPool.minimumCount + 20_011

    @Test func recycledBuffersAreReusedButNeverHandedOutTwice() {
        var a = [Float](repeating: 1, count: Self.count)
        let address = a.withUnsafeBufferPointer { $0.baseAddress! }
        BufferPool.recycle(a)
        BufferPool.recycle(a)  // the same buffer offered twice (a reshape and its source) is kept once
        a = []
        let first = BufferPool.take(Self.count)
        #expect(first?.withUnsafeBufferPointer { $0.baseAddress! } == address)
        #expect(BufferPool.take(Self.count) == nil)
        _ = first
    }

    @Test func aBufferStillSharedWhenRecycledIsCopiedBeforeItIsWritten() {
        let kept = [Float](repeating: 3, count: Self.count + 1)
        BufferPool.recycle(kept)  // e.g. a user still holds a tensor's `storage`
        let reused = Tensor.uninitializedStorage(Self.count + 1) { p in p.update(repeating: 7, count: Self.count + 1) }
        #expect(kept.allSatisfy { $0 == 3 })
        #expect(reused.allSatisfy { $0 == 7 })
        #expect(kept.withUnsafeBufferPointer { $0.baseAddress! } != reused.withUnsafeBufferPointer { $0.baseAddress! })
        BufferPool.take(Self.count + 1).map { _ in () }  // leave the pool as found
    }

    @Test func liveTensorsOfARepeatedTrainingStepNeverShareStorage() {
        // Two steps of an MLP whose activations are pooled sizes: the second step runs on recycled
        // buffers; every tensor alive at once must still own distinct memory with the right values.
        var g = SeededGenerator(seed: 40)
        let hidden = Linear(inFeatures: 64, outFeatures: 512, generator: &g)
        let output = Linear(inFeatures: 512, outFeatures: 64, generator: &g)
        let x = Tensor.randomNormal([64, 64], generator: &g)
        var losses: [Float] = []
        for _ in 0..<3 {
            for p in hidden.parameters + output.parameters { p.zeroGrad() }
            let h = hidden(x)
            let a = h.gelu()
            let y = output(a)
            let live = [h, a, y]
            let addresses = Set(live.map { t in t.storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress!) } })
            #expect(addresses.count == live.count)
            let reference = withNoGrad { output(hidden(x).gelu()) }
            #expect(y.storage == reference.storage)
            let loss = y.square().mean()
            loss.backward()
            losses.append(loss.item)
            #expect(hidden.weight.grad != nil && output.weight.grad != nil)
        }
        // Same parameters every step (no optimiser): the recycled buffers must not leak old values in.
        #expect(losses[0] == losses[1] && losses[1] == losses[2])
    }
}

@Suite(.serialized) struct KernelThreadTests {
    /// Parameters after a few AdamW steps of a small transformer, computed with the given kernel thread
    /// count and tiny chunks (so every kernel is split into many chunks and runs in parallel).
    func train(threads: Int) -> [[Float]] {
        let previous = KernelThreads.count
        KernelThreads.count = threads
        defer { KernelThreads.count = previous }
        return Parallel.$partition.withValue(.init(grain: 64, minimumParallelWork: 0)) {
            var g = SeededGenerator(seed: 77)
            let embedding = Embedding(count: 11, dimension: 16, generator: &g)
            let block = TransformerEncoderBlock(dimension: 16, heads: 2, feedForwardDimension: 32, generator: &g)
            let norm = LayerNorm(dimension: 16)
            let head = Linear(inFeatures: 16, outFeatures: 11, generator: &g)
            let parameters = embedding.parameters + block.parameters + norm.parameters + head.parameters
            let adam = Adam.adamW(parameters: parameters, learningRate: 1e-2)
            let tokens = (0..<48).map { ($0 * 7 + $0 / 5) % 11 }
            let padding = Tensor((0..<24).map { $0 % 12 == 11 ? 1 : 0 }, shape: [2, 12])
            for _ in 0..<3 {
                adam.zeroGrad()
                var x = embedding(tokens, shape: [4, 12])
                x = block(x, causal: true, keyPaddingMask: Tensor(padding.storage + padding.storage, shape: [4, 12]))
                let logits = head(norm(x).gelu(.tanh).sigmoid() * x.tanh())
                Tensor.crossEntropy(logits: logits, targets: tokens.map { ($0 + 1) % 11 },
                                    options: .init(labelSmoothing: 0.1)).backward()
                adam.step()
            }
            return parameters.map(\.storage)
        }
    }

    @Test func resultsAreBitIdenticalForAnyThreadCount() {
        let one = train(threads: 1)
        let two = train(threads: 2)
        let three = train(threads: 3)
        #expect(one == two)
        #expect(one == three)
    }

    @Test func threadCountDefaultsToTheEnvironmentAndStaysPositive() {
        #expect(KernelThreads.count >= 1)
        let previous = KernelThreads.count
        KernelThreads.count = 0
        #expect(KernelThreads.count == 1)
        KernelThreads.count = previous
    }
}

@Suite struct FusedAttentionTests {
    @Test func aRowWithEveryKeyMaskedGetsUniformWeightsAndPassesNoGradient() {
        var rng = SeededGenerator(seed: 120)
        let layer = MultiHeadAttention(dimension: 4, heads: 2, generator: &rng)
        let x = randomInput([2, 3, 4], seed: 121)
        let padding = Tensor([1, 1, 1, 0, 0, 1], shape: [2, 3])  // batch 0: every key is padding
        let weights = layer(x, keyPaddingMask: padding).weights
        for h in 0..<2 { for i in 0..<3 { for j in 0..<3 { #expect(Swift.abs(weights[0, h, i, j] - 1 / 3) < 1e-6) } } }
        for h in 0..<2 { for i in 0..<3 { #expect(weights[1, h, i, 2] == 0) } }
        GradientCheck().check([x] + layer.parameters) { layer($0[0], keyPaddingMask: padding).output }
        GradientCheck().check([x]) { layer($0[0], causal: true, keyPaddingMask: padding).weights }
    }

    @Test func stackedSelfAttentionProjectionsMatchTheComposedOps() {
        // Self-attention runs Q, K, V as one stacked gemm; cross-attention as three. Both must agree with
        // the composed public ops, with and without biases, and pass the gradient check.
        for bias in [true, false] {
            var rng = SeededGenerator(seed: bias ? 130 : 131)
            let layer = MultiHeadAttention(dimension: 6, heads: 3, bias: bias, generator: &rng)
            let x = randomInput([2, 4, 6], seed: 132)
            let fused = layer(x, causal: true)
            let split = layer(x, keyValue: x.detached(), causal: true)  // the unstacked path on the same values
            let q = layer.query(x).reshaped([2, 4, 3, 2]).permuted([0, 2, 1, 3])
            let k = layer.key(x).reshaped([2, 4, 3, 2]).permuted([0, 2, 1, 3])
            let scores = q.matmul(k, transposeB: true) * (1 / Float(2).squareRoot())
            let composed = scores.maskedFill(MultiHeadAttention.causalMask(queries: 4, keys: 4), value: -1e30).softmax()
            for i in 0..<composed.count {
                #expect(Swift.abs(fused.weights.storage[i] - composed.storage[i]) < 1e-6)
                #expect(Swift.abs(split.weights.storage[i] - composed.storage[i]) < 1e-6)
            }
            for i in 0..<fused.output.count { #expect(Swift.abs(fused.output.storage[i] - split.output.storage[i]) < 1e-6) }
            GradientCheck().check([x] + layer.parameters) { layer($0[0], causal: true).output }
        }
    }
}

@Suite struct GradientHandOffTests {
    @Test func handedOffGradientBuffersStillSumEveryPath() {
        // h receives the output gradient of `h + …` as its own buffer, then more contributions are added
        // to it in place (through the reshape and the product); x is reached through all of them.
        let values: [Float] = (0..<6).map { Float($0) * 0.25 - 0.5 }
        let x = Tensor(values, shape: [2, 3], requiresGrad: true)
        let h = x * 3
        let y = (h + h.reshaped([3, 2]).reshaped([2, 3]) * h) + x
        let w = Tensor((0..<6).map { Float($0) - 2 }, shape: [2, 3])
        (y * w).sum().backward()
        // y = 3x + 9x² + x  →  dy/dx = 4 + 18x
        for i in 0..<6 { #expect(Swift.abs(x.grad!.storage[i] - w.storage[i] * (4 + 18 * values[i])) < 1e-5) }
        // Leaves handed the buffer keep accumulating across backward calls.
        let a = Tensor([1, 2], shape: [2], requiresGrad: true), b = Tensor([3, 4], shape: [2], requiresGrad: true)
        (a + b).sum().backward()
        (a + b).sum().backward()
        #expect(a.grad!.storage == [2, 2] && b.grad!.storage == [2, 2])
        (a + a).sum().backward()
        #expect(a.grad!.storage == [4, 4])
    }
}
