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

        // Rows are independent: each writes its probabilities and its loss term; the terms are summed
        // in row order afterwards, so the result does not depend on the thread count.
        var rowLoss = [Double](repeating: 0, count: rows)
        let rowGrain = Swift.max(1, Tensor.elementwiseGrain / Swift.max(c, 1))
        let ignore = options.ignoreIndex
        let probabilities = Tensor.uninitializedStorage(logits.count) { p in
            logits.storage.withUnsafeBufferPointer { xb in
                rowLoss.withUnsafeMutableBufferPointer { lb in
                    weights.withUnsafeBufferPointer { wb in
                        let x = xb.baseAddress!, loss = lb.baseAddress!, w = wb.baseAddress!
                        Parallel.forEachRange(rows, grain: rowGrain, work: logits.count) { range in
                            for r in range {
                                let t = targets[r]
                                if t == ignore { continue }
                                let row = x + r &* c, pr = p + r &* c
                                var m = -Float.infinity
                                for j in 0..<c { m = Swift.max(m, row[j]) }
                                var s: Float = 0
                                for j in 0..<c { let e = FastMath.expNonPositive(row[j] - m); pr[j] = e; s = Relaxed.sum(s, e) }
                                let lse = m + Float.log(s)
                                let inv = 1 / s
                                for j in 0..<c { pr[j] *= inv }
                                var smooth: Float = 0
                                if eps > 0 { for j in 0..<c { smooth += w[j] * (lse - row[j]) } }
                                loss[r] = Double((1 - eps) * w[t] * (lse - row[t]) + eps / Float(c) * smooth)
                            }
                        }
                    }
                }
            }
        }
        var total: Double = 0
        var normaliser: Double = 0
        for r in 0..<rows where targets[r] != ignore {
            total += rowLoss[r]
            normaliser += Double(weights[targets[r]])
        }
        let scale = normaliser > 0 ? Float(1 / normaliser) : 0
        let result = Tensor(scalar: Float(total) * scale)
        guard shouldRecord(logits) else { return result }
        let saved = SavedBuffer(probabilities)
        result.record([logits]) { g in
            let factor = g[0] * scale
            // Σ_c a_c = (1 − ε)·w_t + (ε/C)·Σ_c w_c
            var smoothMass: Float = 0
            if eps > 0 { for j in 0..<c { smoothMass += eps / Float(c) * weights[j] } }
            logits.accumulateGrad(overwritingFirst: { gx, overwrite in
                saved.withUnsafeBufferPointer { pb in
                    weights.withUnsafeBufferPointer { wb in
                        let p = pb.baseAddress!, w = wb.baseAddress!
                        Parallel.forEachRange(rows, grain: rowGrain, work: 2 &* rows &* c) { range in
                            for r in range {
                                let t = targets[r]
                                let pr = p + r &* c, dst = gx + r &* c
                                if t == ignore {
                                    if overwrite { dst.update(repeating: 0, count: c) }
                                    continue
                                }
                                let mass = (1 - eps) * w[t] + smoothMass
                                let smoothing = eps / Float(c)
                                if overwrite {
                                    for j in 0..<c { dst[j] = factor * (mass * pr[j] - smoothing * w[j]) }
                                } else {
                                    for j in 0..<c { dst[j] += factor * (mass * pr[j] - smoothing * w[j]) }
                                }
                                dst[t] -= factor * (1 - eps) * w[t]
                            }
                        }
                    }
                }
            })
        }
        return result
    }

    /// Mean squared error between `prediction` and `target` (which broadcasts to it).
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        (prediction - target).square().mean()
    }
}
