import NeuroCore

// Transposed 1-D convolution, the adjoint of `conv1d` with the same weight: GEMM then col2im.
// For each (batch, group) the columns Wᵀ_g [C_out/g · K, L_in] = W_gᵀ · X_g are scattered onto the
// output (position t·stride + k·dilation − padding). The backward pass is the forward of conv1d:
// the output gradient is unfolded (im2col) into columns G_c, then dX_g = W_g · G_c and
// dW_g += X_g · G_cᵀ.

extension Tensor {
    /// Output length of a transposed 1-D convolution (PyTorch's formula), or nil when it is not positive.
    public static func convTranspose1dOutputLength(
        inputLength: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int = 0, dilation: Int = 1
    ) -> Int? {
        let length = (inputLength - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1
        return length > 0 ? length : nil
    }

    /// Transposed convolution of `self` `[batch, C_in, L]` with `weight` `[C_in, C_out/groups, K]`
    /// (PyTorch's `nn.ConvTranspose1d` layout) plus an optional `bias` `[C_out]`, as `F.conv_transpose1d`:
    /// result `[batch, C_out, L_out]`, L_out = (L − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1.
    /// With the same weight it is the adjoint of `conv1d` (weight read as `[C_out_conv, C_in_conv/groups, K]`).
    public func convTranspose1d(
        weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        precondition(rank == 3 && weight.rank == 3, "convTranspose1d: input must be [batch, channels, length] and weight [in, out/groups, kernel]")
        precondition(stride >= 1 && padding >= 0 && dilation >= 1 && groups >= 1 && outputPadding >= 0,
                     "convTranspose1d: invalid stride/padding/outputPadding/dilation/groups")
        precondition(outputPadding < Swift.max(stride, dilation), "convTranspose1d: output padding must be smaller than stride or dilation")
        let (batch, cin, length) = (dimensions[0], dimensions[1], dimensions[2])
        let (win, cog, kernel) = (weight.dimensions[0], weight.dimensions[1], weight.dimensions[2])
        precondition(win == cin && cin % groups == 0, "convTranspose1d: weight \(weight.shape) does not fit \(cin) input channels in \(groups) groups")
        let cout = cog * groups, cig = cin / groups
        if let bias { precondition(bias.dimensions == [cout], "convTranspose1d: bias must be [\(cout)]") }
        guard let lout = Tensor.convTranspose1dOutputLength(inputLength: length, kernel: kernel, stride: stride, padding: padding,
                                                            outputPadding: outputPadding, dilation: dilation) else {
            preconditionFailure("convTranspose1d: the output length is not positive")
        }
        let rowsK = cog * kernel, blockW = cig * rowsK, blockCols = rowsK * length

        var columns = Tensor.zeroedStorage(blockCols)
        let out = Tensor.uninitializedStorage(batch * cout * lout) { z in
            z.update(repeating: 0, count: batch * cout * lout)
            storage.withUnsafeBufferPointer { x in
                weight.storage.withUnsafeBufferPointer { w in
                    columns.withUnsafeMutableBufferPointer { cols in
                        let cp = cols.baseAddress!
                        for b in 0..<batch {
                            for g in 0..<groups {
                                Tensor.gemm(
                                    transA: true, transB: false, m: Int32(rowsK), n: Int32(length), k: Int32(cig), alpha: 1,
                                    a: w.baseAddress! + g * blockW, lda: Int32(rowsK),
                                    b: x.baseAddress! + (b * cin + g * cig) * length, ldb: Int32(length), beta: 0,
                                    c: cp, ldc: Int32(length))
                                // col2im: scatter each column row onto its output channel.
                                for o in 0..<cog {
                                    let channel = z + (b * cout + g * cog + o) * lout
                                    for k in 0..<kernel {
                                        let row = cp + (o * kernel + k) * length
                                        let offset = k * dilation - padding
                                        for t in 0..<length {
                                            let position = t &* stride &+ offset
                                            if position >= 0 && position < lout { channel[position] += row[t] }
                                        }
                                    }
                                }
                            }
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
        columns = []
        let result = Tensor(shape: TensorShape([batch, cout, lout]), storage: out)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        guard Tensor.shouldRecord(inputs) else { return result }
        let xData = storage, wData = weight.storage
        let needInput = requiresGrad, needWeight = weight.requiresGrad
        result.record(inputs) { g in
            let gp = g.baseAddress!
            bias?.accumulateGrad { db in addConvolutionBiasGradient(gp, batch: batch, channels: cout, length: lout, into: db) }
            guard needInput || needWeight else { return }
            var gcols = [Float](repeating: 0, count: blockCols)
            gcols.withUnsafeMutableBufferPointer { gc in
                let cp = gc.baseAddress!
                for b in 0..<batch {
                    for gr in 0..<groups {
                        // im2col of the output gradient (zeros where the kernel hangs over the ends).
                        for o in 0..<cog {
                            let channel = gp + (b * cout + gr * cog + o) * lout
                            for k in 0..<kernel {
                                let row = cp + (o * kernel + k) * length
                                let offset = k * dilation - padding
                                for t in 0..<length {
                                    let position = t &* stride &+ offset
                                    row[t] = position >= 0 && position < lout ? channel[position] : 0
                                }
                            }
                        }
                        if needWeight {
                            weight.accumulateGrad { dw in
                                xData.withUnsafeBufferPointer { x in
                                    Tensor.gemm(
                                        transA: false, transB: true, m: Int32(cig), n: Int32(rowsK), k: Int32(length), alpha: 1,
                                        a: x.baseAddress! + (b * cin + gr * cig) * length, lda: Int32(length),
                                        b: cp, ldb: Int32(length), beta: 1,
                                        c: dw + gr * blockW, ldc: Int32(rowsK))
                                }
                            }
                        }
                        if needInput {
                            self.accumulateGrad { dx in
                                wData.withUnsafeBufferPointer { w in
                                    Tensor.gemm(
                                        transA: false, transB: false, m: Int32(cig), n: Int32(length), k: Int32(rowsK), alpha: 1,
                                        a: w.baseAddress! + gr * blockW, lda: Int32(rowsK),
                                        b: cp, ldb: Int32(length), beta: 1,
                                        c: dx + (b * cin + gr * cig) * length, ldc: Int32(length))
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
