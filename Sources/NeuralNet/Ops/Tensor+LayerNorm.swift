import RealModule

// Row sums use swift-numerics' `Relaxed` arithmetic so the compiler may reassociate and vectorise them.
// Layer normalisation over the last axis as one fused op (Ba, Kiros & Hinton 2016): one pass for the
// statistics, one for the output, and a backward pass that reuses the saved x̂ and 1/σ instead of
// recording the dozen elementwise ops the composed form would need.

extension Tensor {
    /// y = (x − μ)/√(σ² + ε) · weight + bias over the last axis, with the biased variance (as PyTorch).
    /// `weight` and `bias` are `[d]` vectors or nil (no affine transform).
    public func layerNorm(weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 1, "layerNorm: needs rank ≥ 1")
        let d = dimensions[rank - 1]
        precondition(d > 0, "layerNorm: empty last axis")
        if let w = weight { precondition(w.dimensions == [d], "layerNorm: weight \(w.shape) for last axis \(d)") }
        if let b = bias { precondition(b.dimensions == [d], "layerNorm: bias \(b.shape) for last axis \(d)") }
        let rows = count / d
        var normalised = [Float](repeating: 0, count: count)
        var inverseStd = [Float](repeating: 0, count: rows)
        var out = [Float](repeating: 0, count: count)
        let ones = [Float](repeating: 1, count: weight == nil ? d : 0)
        let zeros = [Float](repeating: 0, count: bias == nil ? d : 0)
        let wData = weight?.storage ?? ones
        let bData = bias?.storage ?? zeros
        storage.withUnsafeBufferPointer { x in
            normalised.withUnsafeMutableBufferPointer { xh in
                out.withUnsafeMutableBufferPointer { y in
                    wData.withUnsafeBufferPointer { w in
                        bData.withUnsafeBufferPointer { b in
                            for r in 0..<rows {
                                let base = r * d
                                var mean: Float = 0
                                for j in 0..<d { mean = Relaxed.sum(mean, x[base + j]) }
                                mean /= Float(d)
                                var variance: Float = 0
                                for j in 0..<d { let c = x[base + j] - mean; variance = Relaxed.multiplyAdd(c, c, variance) }
                                variance /= Float(d)
                                let rstd = 1 / (variance + epsilon).squareRoot()
                                inverseStd[r] = rstd
                                for j in 0..<d {
                                    let n = (x[base + j] - mean) * rstd
                                    xh[base + j] = n
                                    y[base + j] = n * w[j] + b[j]
                                }
                            }
                        }
                    }
                }
            }
        }
        let result = Tensor(shape: shape, storage: out)
        var inputs = [self]
        if let w = weight { inputs.append(w) }
        if let b = bias { inputs.append(b) }
        guard Tensor.shouldRecord(inputs) else { return result }

        result.record(inputs) { g in
            normalised.withUnsafeBufferPointer { xh in
                weight?.accumulateGrad { gw in
                    for r in 0..<rows { for j in 0..<d { gw[j] += g[r * d + j] * xh[r * d + j] } }
                }
                bias?.accumulateGrad { gb in
                    for r in 0..<rows { for j in 0..<d { gb[j] += g[r * d + j] } }
                }
                // dx = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = g⊙weight.
                self.accumulateGrad { gx in
                    wData.withUnsafeBufferPointer { w in
                        for r in 0..<rows {
                            let base = r * d
                            var meanG: Float = 0, meanGX: Float = 0
                            for j in 0..<d {
                                let gh = g[base + j] * w[j]
                                meanG = Relaxed.sum(meanG, gh)
                                meanGX = Relaxed.multiplyAdd(gh, xh[base + j], meanGX)
                            }
                            meanG /= Float(d)
                            meanGX /= Float(d)
                            let rstd = inverseStd[r]
                            for j in 0..<d {
                                gx[base + j] += rstd * (g[base + j] * w[j] - meanG - xh[base + j] * meanGX)
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
