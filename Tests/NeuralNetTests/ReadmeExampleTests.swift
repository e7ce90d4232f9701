import Testing
@testable import NeuralNet

/// The README's NeuralNet example, so the documentation cannot rot.
@Suite struct ReadmeExampleTests {
    @Test func neuralNetExampleLearnsXOR() {
        // --- README example (keep in sync) ---
        var rng = SeededGenerator(seed: 1)
        let hidden = Linear(inFeatures: 2, outFeatures: 8, generator: &rng)
        let output = Linear(inFeatures: 8, outFeatures: 2, generator: &rng)
        let optimizer = Adam.adamW(parameters: hidden.parameters + output.parameters, learningRate: 0.05)
        let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
        let y = [0, 1, 1, 0]
        for _ in 0..<300 {
            let loss = Tensor.crossEntropy(logits: output(hidden(x).tanh()), targets: y)
            optimizer.zeroGrad(); loss.backward(); optimizer.step()
        }
        // --- end of README example ---
        let logits = withNoGrad { output(hidden(x).tanh()) }
        let predicted = (0..<4).map { logits[$0, 0] > logits[$0, 1] ? 0 : 1 }
        #expect(predicted == y)
    }
}
