import Testing
@testable import NeuralNet

@Suite struct OptimizerTests {
    /// A parameter whose gradient is set directly (as if from a backward pass).
    func parameter(_ values: [Float], grad: [Float]) -> Tensor {
        let p = Tensor(values, shape: [values.count], requiresGrad: true)
        p.gradStorage = grad
        return p
    }

    @Test func sgdMomentumFollowsTheClosedForm() {
        // Constant gradient g: steps move by η·g, then η·g·(1 + μ), then η·g·(1 + μ + μ²).
        let p = parameter([1, -2], grad: [0.5, -1])
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
        sgd.step(); sgd.step(); sgd.step()
        let moved: Float = 0.1 * (1 + 1.9 + 2.71)
        #expect(Swift.abs(p.storage[0] - (1 - 0.5 * moved)) < 1e-6)
        #expect(Swift.abs(p.storage[1] - (-2 + 1 * moved)) < 1e-6)
    }

    @Test func sgdNesterovAndWeightDecay() {
        let p = parameter([2], grad: [1])
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.5, weightDecay: 0.1, nesterov: true)
        sgd.step()  // d = 1 + 0.2 = 1.2, b = 1.2, step = d + μb = 1.8
        #expect(Swift.abs(p.storage[0] - (2 - 0.18)) < 1e-6)
        let untouched = Tensor([3], shape: [1], requiresGrad: true)  // no gradient: skipped
        SGD(parameters: [untouched], learningRate: 1).step()
        #expect(untouched.storage == [3])
    }

    @Test func adamFirstStepIsLearningRateTimesSign() {
        // With bias correction, m̂ = g and v̂ = g² after one step, so Δp = −η·g/(|g| + ε).
        let p = parameter([1, 1, 1], grad: [3, -0.01, 200])
        let adam = Adam(parameters: [p], learningRate: 0.01)
        adam.step()
        for (value, sign) in zip(p.storage, [Float(-1), 1, -1]) {
            #expect(Swift.abs(value - (1 + 0.01 * sign)) < 1e-5)
        }
        #expect(adam.steps == [1])
    }

    @Test func adamWDecaysDecoupledAndRespectsExclusions() {
        // Zero gradients: Adam's step is 0, so AdamW only shrinks by (1 − ηλ); coupled L2 instead moves
        // by η·sign(p); excluded parameters do not move at all.
        let a = parameter([2, -4], grad: [0, 0])
        let b = parameter([2, -4], grad: [0, 0])
        let excluded = parameter([2, -4], grad: [0, 0])
        let adamW = Adam.adamW(parameters: [a, excluded], learningRate: 0.1, weightDecay: 0.5, excludedFromDecay: [excluded])
        adamW.step()
        #expect(a.storage == [2 * 0.95, -4 * 0.95])
        #expect(excluded.storage == [2, -4])
        let adam = Adam(parameters: [b], learningRate: 0.1, weightDecay: .l2(0.5))
        adam.step()
        #expect(Swift.abs(b.storage[0] - 1.9) < 1e-5 && Swift.abs(b.storage[1] - (-3.9)) < 1e-5)
    }

    @Test func adamMinimisesAQuadratic() {
        let x = Tensor([3, -2, 0.5], shape: [3], requiresGrad: true)
        let target = Tensor([1, 2, 3], shape: [3])
        let adam = Adam(parameters: [x], learningRate: 0.1)
        for _ in 0..<300 {
            adam.zeroGrad()
            Tensor.meanSquaredError(x, target).backward()
            adam.step()
        }
        for i in 0..<3 { #expect(Swift.abs(x.storage[i] - target.storage[i]) < 1e-2) }
    }
}

@Suite struct LearningTests {
    @Test func mlpSolvesXOR() {
        var rng = SeededGenerator(seed: 2024)
        let hidden = Linear(inFeatures: 2, outFeatures: 8, generator: &rng)
        let output = Linear(inFeatures: 8, outFeatures: 2, generator: &rng)
        let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
        let labels = [0, 1, 1, 0]
        let optimiser = Adam(parameters: hidden.parameters + output.parameters, learningRate: 0.05)
        var loss: Float = .infinity
        for _ in 0..<300 {
            optimiser.zeroGrad()
            let l = Tensor.crossEntropy(logits: output(hidden(x).tanh()), targets: labels)
            loss = l.item
            l.backward()
            optimiser.step()
        }
        let logits = withNoGrad { output(hidden(x).tanh()) }
        let predictions = (0..<4).map { logits[$0, 1] > logits[$0, 0] ? 1 : 0 }
        #expect(predictions == labels)
        #expect(loss < 0.05)
    }
}

@Suite struct TrainingUtilityTests {
    @Test func clippingRescalesToTheGlobalNorm() {
        let a = Tensor([0, 0], shape: [2], requiresGrad: true), b = Tensor([0], shape: [1], requiresGrad: true)
        a.gradStorage = [3, 0]
        b.gradStorage = [4]
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        #expect(norm == 5)
        #expect(Swift.abs(a.gradStorage![0] - 0.6) < 1e-6 && Swift.abs(b.gradStorage![0] - 0.8) < 1e-6)
        // Under the limit: untouched.
        #expect(clipGradientNorm([a, b], maxNorm: 10) <= 1.0001 && Swift.abs(b.gradStorage![0] - 0.8) < 1e-6)
    }

    @Test func warmupCosineSchedule() {
        let s = WarmupCosineSchedule(base: 1, warmupSteps: 4, totalSteps: 14, minimum: 0.1)
        #expect(s.learningRate(at: 0) == 0.25 && s.learningRate(at: 3) == 1)
        #expect(s.learningRate(at: 4) == 1)
        #expect(Swift.abs(s.learningRate(at: 9) - 0.55) < 1e-6)  // halfway: mean of base and minimum
        #expect(s.learningRate(at: 14) == 0.1 && s.learningRate(at: 100) == 0.1)
    }

    @Test func stepSchedule() {
        let s = StepSchedule(base: 0.1, stepSize: 3, gamma: 0.5)
        #expect([0, 2, 3, 6].map(s.learningRate(at:)) == [0.1, 0.1, 0.05, 0.025])
    }
}
