import CKernels
import RealModule

// The row loops are CKernels' `ck_nn_layernorm_forward` / `_backward` (AVX2/FMA when available).
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
        // Per row only the mean and 1/σ are saved; the backward pass recomputes x̂ from x (cheaper than
        // writing and re-reading an x̂ array the size of the input).
        var meanValues = [Float](repeating: 0, count: rows)
        var rstdValues = [Float](repeating: 0, count: rows)
        let wData = weight?.storage, bData = bias?.storage
        let rowGrain = Swift.max(1, Tensor.elementwiseGrain / d)
        let out = Tensor.uninitializedStorage(count) { y in
            storage.withUnsafeBufferPointer { xb in
                meanValues.withUnsafeMutableBufferPointer { mb in
                    rstdValues.withUnsafeMutableBufferPointer { sb in
                        let x = xb.baseAddress!, meanOut = mb.baseAddress!, rstdOut = sb.baseAddress!
                        Tensor.withOptionalPointers(wData, bData) { w, b in
                            Parallel.forEachRange(rows, grain: rowGrain, work: count) { range in
                                let r = range.lowerBound
                                ck_nn_layernorm_forward(x + r &* d, y + r &* d, w, b, meanOut + r, rstdOut + r,
                                                        range.count, d, epsilon)
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

        let xData = storage, means = meanValues, inverseStd = rstdValues
        let needsX = requiresGrad, needsW = weight?.requiresGrad ?? false, needsB = bias?.requiresGrad ?? false
        result.record(inputs) { g in
            // One pass per row: x̂ recomputed, dx = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = g⊙weight, and
            // the row's share of dweight = Σ g⊙x̂ and dbias = Σ g added to its chunk's partial sums.
            // Partials are summed in chunk order afterwards, so the result does not depend on threads.
            let chunks = (rows + rowGrain - 1) / rowGrain
            var partialW = [Float](repeating: 0, count: needsW ? chunks * d : 0)
            var partialB = [Float](repeating: 0, count: needsB ? chunks * d : 0)
            let gp = g.baseAddress!
            func rowsPass(_ gx: UnsafeMutablePointer<Float>?, overwrite: Bool) {
                xData.withUnsafeBufferPointer { xb in
                    partialW.withUnsafeMutableBufferPointer { pwb in
                        partialB.withUnsafeMutableBufferPointer { pbb in
                            // (An empty buffer may still have a base address: go by the flags.)
                            let x = xb.baseAddress!, pw = needsW ? pwb.baseAddress : nil, pb = needsB ? pbb.baseAddress : nil
                            Tensor.withOptionalPointers(wData, nil) { w, _ in
                                Parallel.forEachChunk(chunks, work: 2 &* rows &* d) { chunk in
                                    let sumW = pw.map { $0 + chunk &* d }, sumB = pb.map { $0 + chunk &* d }
                                    let first = chunk &* rowGrain, count = Swift.min(rows, (chunk &+ 1) &* rowGrain) - first
                                    means.withUnsafeBufferPointer { mb in
                                        inverseStd.withUnsafeBufferPointer { sb in
                                            ck_nn_layernorm_backward(
                                                x + first &* d, gp + first &* d, w, mb.baseAddress! + first,
                                                sb.baseAddress! + first, gx.map { $0 + first &* d }, sumW, sumB, count, d,
                                                overwrite ? 0 : 1)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if needsX {
                self.accumulateGrad(overwritingFirst: { gx, overwrite in rowsPass(gx, overwrite: overwrite) })
            } else {
                rowsPass(nil, overwrite: false)
            }
            if needsW {
                weight!.accumulateGrad { gw in
                    for c in 0..<chunks { for j in 0..<d { gw[j] += partialW[c &* d &+ j] } }
                }
            }
            if needsB {
                bias!.accumulateGrad { gb in
                    for c in 0..<chunks { for j in 0..<d { gb[j] += partialB[c &* d &+ j] } }
                }
            }
        }
        return result
    }

    /// Base addresses of optional arrays (nil stays nil), valid inside `body`.
    @inline(__always)
    static func withOptionalPointers<R>(
        _ a: [Float]?, _ b: [Float]?, _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) -> R
    ) -> R {
        func withB(_ pa: UnsafePointer<Float>?) -> R {
            guard let b else { return body(pa, nil) }
            return b.withUnsafeBufferPointer { body(pa, $0.baseAddress) }
        }
        guard let a else { return withB(nil) }
        return a.withUnsafeBufferPointer { withB($0.baseAddress) }
    }
}
