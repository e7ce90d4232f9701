import NeuroCore

// 1-D convolution by im2col + sgemm. For each (batch, group) the input is unfolded into a column
// matrix [C_in/g · K, L_out] (zeros where the dilated kernel hangs over the padding), and the output
// block is W_g [C_out/g, C_in/g · K] · columns. The backward pass reuses the saved columns for the
// weight gradient (G · colsᵀ) and folds Wᵀ · G back onto the input (col2im, a scatter-add).

extension Tensor {
    /// Output length of a 1-D convolution (PyTorch's formula), or nil when no output position fits.
    public static func conv1dOutputLength(inputLength: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int? {
        let span = inputLength + 2 * padding - dilation * (kernel - 1) - 1
        return span < 0 ? nil : span / stride + 1
    }

    /// Cross-correlation of `self` `[batch, C_in, L]` with `weight` `[C_out, C_in/groups, K]` plus an
    /// optional `bias` `[C_out]`, as PyTorch's `F.conv1d`: result `[batch, C_out, L_out]`.
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) -> Tensor {
        precondition(rank == 3 && weight.rank == 3, "conv1d: input must be [batch, channels, length] and weight [out, in/groups, kernel]")
        precondition(stride >= 1 && padding >= 0 && dilation >= 1 && groups >= 1, "conv1d: invalid stride/padding/dilation/groups")
        let (batch, cin, length) = (dimensions[0], dimensions[1], dimensions[2])
        let (cout, cig, kernel) = (weight.dimensions[0], weight.dimensions[1], weight.dimensions[2])
        precondition(cin % groups == 0 && cout % groups == 0 && cig == cin / groups,
                     "conv1d: weight \(weight.shape) does not fit \(cin) input channels in \(groups) groups")
        if let bias { precondition(bias.dimensions == [cout], "conv1d: bias must be [\(cout)]") }
        guard let lout = Tensor.conv1dOutputLength(inputLength: length, kernel: kernel, stride: stride, padding: padding, dilation: dilation) else {
            preconditionFailure("conv1d: kernel \(kernel) (dilation \(dilation)) is longer than the padded input \(length + 2 * padding)")
        }
        let cog = cout / groups, rowsK = cig * kernel
        let blockCols = rowsK * lout, blockW = cog * rowsK

        var columns = Tensor.zeroedStorage(batch * groups * blockCols)
        storage.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { cols in
                for b in 0..<batch {
                    for g in 0..<groups {
                        let block = cols.baseAddress! + (b * groups + g) * blockCols
                        for c in 0..<cig {
                            let channel = x.baseAddress! + (b * cin + g * cig + c) * length
                            for k in 0..<kernel {
                                let row = block + (c * kernel + k) * lout
                                let offset = k * dilation - padding
                                for t in 0..<lout {
                                    let position = t &* stride &+ offset
                                    if position >= 0 && position < length { row[t] = channel[position] }
                                }
                            }
                        }
                    }
                }
            }
        }
        let outCount = batch * cout * lout
        let out = Tensor.uninitializedStorage(outCount) { z in
            columns.withUnsafeBufferPointer { cols in
                weight.storage.withUnsafeBufferPointer { w in
                    for b in 0..<batch {
                        for g in 0..<groups {
                            Tensor.gemm(
                                transA: false, transB: false, m: Int32(cog), n: Int32(lout), k: Int32(rowsK), alpha: 1,
                                a: w.baseAddress! + g * blockW, lda: Int32(rowsK),
                                b: cols.baseAddress! + (b * groups + g) * blockCols, ldb: Int32(lout), beta: 0,
                                c: z + (b * cout + g * cog) * lout, ldc: Int32(lout))
                        }
                    }
                }
            }
            if let bias {
                bias.storage.withUnsafeBufferPointer { bb in
                    for b in 0..<batch { for o in 0..<cout {
                        let row = z + (b * cout + o) * lout
                        for t in 0..<lout { row[t] += bb[o] }
                    } }
                }
            }
        }
        let result = Tensor(shape: TensorShape([batch, cout, lout]), storage: out)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        guard Tensor.shouldRecord(inputs) else { return result }
        let wData = weight.storage
        result.record(inputs) { g in
            let gp = g.baseAddress!
            weight.accumulateGrad { dw in
                columns.withUnsafeBufferPointer { cols in
                    for b in 0..<batch {
                        for gr in 0..<groups {
                            Tensor.gemm(
                                transA: false, transB: true, m: Int32(cog), n: Int32(rowsK), k: Int32(lout), alpha: 1,
                                a: gp + (b * cout + gr * cog) * lout, lda: Int32(lout),
                                b: cols.baseAddress! + (b * groups + gr) * blockCols, ldb: Int32(lout), beta: 1,
                                c: dw + gr * blockW, ldc: Int32(rowsK))
                        }
                    }
                }
            }
            bias?.accumulateGrad { db in addConvolutionBiasGradient(gp, batch: batch, channels: cout, length: lout, into: db) }
            self.accumulateGrad { dx in
                var dcols = [Float](repeating: 0, count: blockCols)
                wData.withUnsafeBufferPointer { w in
                    dcols.withUnsafeMutableBufferPointer { dc in
                        for b in 0..<batch {
                            for gr in 0..<groups {
                                Tensor.gemm(
                                    transA: true, transB: false, m: Int32(rowsK), n: Int32(lout), k: Int32(cog), alpha: 1,
                                    a: w.baseAddress! + gr * blockW, lda: Int32(rowsK),
                                    b: gp + (b * cout + gr * cog) * lout, ldb: Int32(lout), beta: 0,
                                    c: dc.baseAddress!, ldc: Int32(lout))
                                for c in 0..<cig {
                                    let channel = dx + (b * cin + gr * cig + c) * length
                                    for k in 0..<kernel {
                                        let row = dc.baseAddress! + (c * kernel + k) * lout
                                        let offset = k * dilation - padding
                                        for t in 0..<lout {
                                            let position = t &* stride &+ offset
                                            if position >= 0 && position < length { channel[position] += row[t] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}

/// Bias gradient of a 1-d convolution or its transpose: the output gradient (batch × channels × length)
/// summed over batch and time, added into `db`.
func addConvolutionBiasGradient(_ gp: UnsafePointer<Float>, batch: Int, channels: Int, length: Int, into db: UnsafeMutablePointer<Float>) {
    for b in 0..<batch { for o in 0..<channels {
        let row = gp + (b * channels + o) * length
        var s: Float = 0
        for t in 0..<length { s += row[t] }
        db[o] += s
    } }
}
