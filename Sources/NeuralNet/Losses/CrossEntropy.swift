import RealModule

/// Options for `crossEntropy`, matching PyTorch's `F.cross_entropy(..., reduction='mean')`.
public struct CrossEntropyOptions: Sendable {
    /// ε: the target distribution is (1 − ε)·onehot + ε/C.
    public var labelSmoothing: Float
    /// Targets equal to this contribute nothing (neither to the loss nor to the normaliser).
    public var ignoreIndex: Int?
    /// Per-class weights w_c (length C), or nil for 1.
    public var classWeights: [Float]?

    public init(labelSmoothing: Float = 0, ignoreIndex: Int? = nil, classWeights: [Float]? = nil) {
        self.labelSmoothing = labelSmoothing
        self.ignoreIndex = ignoreIndex
        self.classWeights = classWeights
    }
}

extension Tensor {
    /// Mean cross-entropy of `logits` `[..., C]` against integer `targets` (one per row), fused with
    /// log-softmax for stability and speed.
    ///
    /// Per row i with target t: ℓᵢ = −Σ_c a_c log p_ic with a_c = (1 − ε)·w_t·[c = t] + (ε/C)·w_c, and the
    /// result is Σᵢ ℓᵢ / Σᵢ w_tᵢ over rows not ignored (PyTorch's definition with weights and smoothing).
    /// The gradient is (Σ_c a_c · softmax − a) / Σ w_t. Returns 0 (with zero gradient) when every row is ignored.
    public static func crossEntropy(logits: Tensor, targets: [Int], options: CrossEntropyOptions = .init()) -> Tensor {
        precondition(logits.rank >= 1, "crossEntropy: logits need a class axis")
        let c = logits.dimensions[logits.rank - 1]
        let rows = logits.count / Swift.max(c, 1)
        precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows")
        let eps = options.labelSmoothing
        precondition(eps >= 0 && eps <= 1, "crossEntropy: label smoothing must be in [0, 1]")
        if let w = options.classWeights { precondition(w.count == c, "crossEntropy: \(w.count) class weights for \(c) classes") }
        let weights = options.classWeights ?? [Float](repeating: 1, count: c)
        for t in targets where t != options.ignoreIndex {
            precondition(t >= 0 && t < c, "crossEntropy: target \(t) out of 0..<\(c)")
        }

        var probabilities = [Float](repeating: 0, count: logits.count)
        var total: Double = 0
        var normaliser: Double = 0
        logits.storage.withUnsafeBufferPointer { x in
            probabilities.withUnsafeMutableBufferPointer { p in
                for r in 0..<rows {
                    let t = targets[r]
                    if t == options.ignoreIndex { continue }
                    let base = r * c
                    var m = -Float.infinity
                    for j in 0..<c { m = Swift.max(m, x[base + j]) }
                    var s: Float = 0
                    for j in 0..<c { let e = Float.exp(x[base + j] - m); p[base + j] = e; s += e }
                    let lse = m + Float.log(s)
                    let inv = 1 / s
                    var smooth: Float = 0
                    for j in 0..<c {
                        p[base + j] *= inv
                        if eps > 0 { smooth += weights[j] * (lse - x[base + j]) }
                    }
                    total += Double((1 - eps) * weights[t] * (lse - x[base + t]) + eps / Float(c) * smooth)
                    normaliser += Double(weights[t])
                }
            }
        }
        let scale = normaliser > 0 ? Float(1 / normaliser) : 0
        let result = Tensor(scalar: Float(total) * scale)
        guard shouldRecord(logits) else { return result }
        result.record([logits]) { g in
            let factor = g[0] * scale
            logits.accumulateGrad { gx in
                probabilities.withUnsafeBufferPointer { p in
                    for r in 0..<rows {
                        let t = targets[r]
                        if t == options.ignoreIndex { continue }
                        let base = r * c
                        // Σ_c a_c = (1 − ε)·w_t + (ε/C)·Σ_c w_c
                        var mass = (1 - eps) * weights[t]
                        if eps > 0 { for j in 0..<c { mass += eps / Float(c) * weights[j] } }
                        for j in 0..<c {
                            let a = (j == t ? (1 - eps) * weights[t] : 0) + eps / Float(c) * weights[j]
                            gx[base + j] += factor * (mass * p[base + j] - a)
                        }
                    }
                }
            }
        }
        return result
    }

    /// Mean squared error between `prediction` and `target` (which broadcasts to it).
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        (prediction - target).square().mean()
    }
}
