extension Tensor {
    /// Rows scaled to unit L2 norm: x / √(Σx² + ε) along the last axis (ε keeps zero rows finite).
    public func l2Normalized(epsilon: Float = 1e-12) -> Tensor {
        self / (square().sum(axis: -1, keepDims: true) + epsilon).sqrt()
    }

    /// Symmetric InfoNCE (CLIP's loss; Radford et al. 2021) between paired embeddings `a` and `b`,
    /// both `[n, d]`: with unit-normalised rows and logits S = â·b̂ᵀ / τ, the loss is the mean of the
    /// cross-entropy of each row of S against its own index (a → b) and of each column (b → a). Pair i
    /// is the positive and the other n − 1 items of the batch are the negatives.
    ///
    /// `logitScale`, when given, is a learnable scalar s with 1/τ = exp(s) (CLIP's parameterisation,
    /// which keeps τ positive); otherwise `temperature` is fixed.
    public static func symmetricInfoNCE(_ a: Tensor, _ b: Tensor, temperature: Float = 0.07, logitScale: Tensor? = nil) -> Tensor {
        precondition(a.rank == 2 && a.shape == b.shape, "symmetricInfoNCE: embeddings must both be [n, d], got \(a.shape) and \(b.shape)")
        precondition(temperature > 0, "symmetricInfoNCE: temperature must be positive")
        let n = a.dimensions[0]
        var logits = a.l2Normalized().matmul(b.l2Normalized(), transposeB: true)
        if let logitScale {
            precondition(logitScale.count == 1, "symmetricInfoNCE: logitScale must be a scalar")
            logits = logits * logitScale.reshaped([1, 1]).exp()
        } else {
            logits = logits * (1 / temperature)
        }
        let targets = Array(0..<n)
        let forward = crossEntropy(logits: logits, targets: targets)
        let backward = crossEntropy(logits: logits.transposed(), targets: targets)
        return (forward + backward) * 0.5
    }
}
