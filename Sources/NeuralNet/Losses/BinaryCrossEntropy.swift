import RealModule

extension Tensor {
    /// Mean binary cross-entropy between `logits` and `targets` in [0, 1] (same shape), fused with the
    /// sigmoid: ℓ = max(x, 0) − x·y + log(1 + e^{−|x|}), which never overflows; dℓ/dx = σ(x) − y.
    public static func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor) -> Tensor {
        precondition(logits.shape == targets.shape, "binaryCrossEntropyWithLogits: \(logits.shape) vs \(targets.shape)")
        let n = logits.count
        precondition(n > 0, "binaryCrossEntropyWithLogits: empty input")
        var total: Double = 0
        let x = logits.storage, y = targets.storage
        for i in 0..<n {
            total += Double(Swift.max(x[i], 0) - x[i] * y[i] + Float.log(1 + Float.exp(-Swift.abs(x[i]))))
        }
        let result = Tensor(scalar: Float(total / Double(n)))
        guard shouldRecord(logits) else { return result }
        result.record([logits]) { g in
            let scale = g[0] / Float(n)
            logits.accumulateGrad { gx in
                for i in 0..<n { gx[i] += scale * (Tensor.logistic(x[i]) - y[i]) }
            }
        }
        return result
    }
}
