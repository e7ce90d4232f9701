import RealModule

// MARK: Pearson correlation of two samples

extension Statistics {
    /// Pearson's r between two paired samples (scipy's `pearsonr` statistic).
    ///
    /// r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²), with the corrected two-pass sums and the
    /// result clamped to [−1, 1] against rounding. A constant sample makes r undefined: the result
    /// is NaN, as scipy returns (with a warning) — see `StatisticsError` for why this is not thrown.
    /// - Throws: `lengthMismatch` for unpaired samples, `tooFewValues` for fewer than two pairs.
    public static func pearsonCorrelation(_ x: [Double], _ y: [Double]) throws -> Double {
        try StatisticsError.checkSameLength("pearsonCorrelation: second sample", x.count, y.count)
        try StatisticsError.checkCount("pearsonCorrelation", x.count, atLeast: 2)
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                let n = Double(xp.count)
                let mx = splitMean(xp), my = splitMean(yp)
                var dxSum = 0.0, dySum = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
                for i in 0..<xp.count {
                    let dx = (xp[i] - mx.high) - mx.low, dy = (yp[i] - my.high) - my.low
                    dxSum = Relaxed.sum(dxSum, dx)
                    dySum = Relaxed.sum(dySum, dy)
                    sxx = Relaxed.multiplyAdd(dx, dx, sxx)
                    syy = Relaxed.multiplyAdd(dy, dy, syy)
                    sxy = Relaxed.multiplyAdd(dx, dy, sxy)
                }
                // Corrected two-pass: remove what the rounded means left in the deviations.
                sxx -= dxSum * dxSum / n
                syy -= dySum * dySum / n
                sxy -= dxSum * dySum / n
                guard sxx > 0, syy > 0 else { return .nan }
                let r = sxy / (sxx.squareRoot() * syy.squareRoot())
                return r.isNaN ? r : min(1, max(-1, r))
            }
        }
    }
}

// MARK: Covariance and correlation matrices

extension Statistics {
    /// The p × p sample covariance matrix of `data`, whose rows are n observations and whose columns
    /// are p variables: `numpy.cov(data, rowvar=False)`, normalised by n − 1.
    ///
    /// The columns are centred into a p × n matrix D (each mean subtracted as two parts, see
    /// `splitMean`), and C = (D·Dᵀ − d·dᵀ/n)/(n − 1) is formed by BLAS `syrk` (exactly symmetric,
    /// half the flops of a general product), where d holds the column sums of the centred data —
    /// the corrected two-pass term, ≈ 0 but absorbing what rounding leaves of the means.
    /// - Throws: `StatisticsError.tooFewValues` for fewer than two observations.
    public static func covariance(of data: Matrix<Double>) throws -> Matrix<Double> {
        try StatisticsError.checkCount("covariance: observations (rows)", data.rows, atLeast: 2)
        let (n, p) = (data.rows, data.columns)
        let (high, low) = splitColumnMeans(of: data)
        // Centred and transposed: row j of `centred` is variable j over all observations.
        var centred = Matrix<Double>(rows: p, columns: n)
        var residualSums = [Double](repeating: 0, count: p)
        data.withUnsafeBufferPointer { x in
            centred.withUnsafeMutableBufferPointer { d in
                residualSums.withUnsafeMutableBufferPointer { r in
                    for i in 0..<n {
                        let row = i &* p
                        for j in 0..<p {
                            let v = (x[row &+ j] - high[j]) - low[j]
                            d[j &* n &+ i] = v
                            r[j] += v
                        }
                    }
                }
            }
        }
        var gram = centred.gramOfRows()
        let scale = 1 / Double(n - 1)
        let invN = 1 / Double(n)
        gram.withUnsafeMutableBufferPointer { c in
            for i in 0..<p {
                for j in 0..<p {
                    let k = i &* p &+ j
                    c[k] = (c[k] - residualSums[i] * residualSums[j] * invN) * scale
                }
            }
        }
        return gram
    }

    /// The p × p Pearson correlation matrix of the columns of `data` (`numpy.corrcoef(data,
    /// rowvar=False)`): the covariance scaled by 1/(σᵢσⱼ), clamped to [−1, 1], with an exact unit
    /// diagonal. A constant column has undefined correlations: its row and column are NaN, as in numpy.
    /// - Throws: `StatisticsError.tooFewValues` for fewer than two observations.
    public static func correlation(of data: Matrix<Double>) throws -> Matrix<Double> {
        var c = try covariance(of: data)
        let p = c.rows
        let sigma = c.diagonal.map { $0 > 0 ? $0.squareRoot() : Double.nan }
        c.withUnsafeMutableBufferPointer { e in
            for i in 0..<p {
                for j in 0..<p {
                    let k = i &* p &+ j
                    if i == j {
                        e[k] = sigma[i].isNaN ? .nan : 1
                    } else {
                        let r = e[k] / sigma[i] / sigma[j]
                        e[k] = r.isNaN ? r : min(1, max(-1, r))
                    }
                }
            }
        }
        return c
    }

    /// Column means as unevaluated sums high + low (see `splitMean`), reading rows contiguously.
    static func splitColumnMeans(of data: Matrix<Double>) -> (high: [Double], low: [Double]) {
        let (n, p) = (data.rows, data.columns)
        var high = [Double](repeating: 0, count: p)
        var low = [Double](repeating: 0, count: p)
        let invN = 1 / Double(n)
        data.withUnsafeBufferPointer { x in
            high.withUnsafeMutableBufferPointer { h in
                for i in 0..<n {
                    let row = i &* p
                    for j in 0..<p { h[j] += x[row &+ j] }
                }
                for j in 0..<p { h[j] *= invN }
                low.withUnsafeMutableBufferPointer { l in
                    for i in 0..<n {
                        let row = i &* p
                        for j in 0..<p { l[j] += x[row &+ j] - h[j] }
                    }
                    for j in 0..<p { l[j] *= invN }
                }
            }
        }
        return (high, low)
    }
}
