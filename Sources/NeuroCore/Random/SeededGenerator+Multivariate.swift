import RealModule

// Vector- and matrix-valued distributions. Matrices that must be factorised (covariances, scales)
// come from data or fits, so a failed Cholesky is thrown (`LinearAlgebraError`), never trapped; each
// sampler also has a variant taking the precomputed `Cholesky` for hot loops.

extension SeededGenerator {
    // MARK: Dirichlet

    /// Dirichlet(α) for α of any length ≥ 1 with every αᵢ > 0.
    ///
    /// Normalised gammas, formed on the log scale (`logGamma(shape:)`, max subtracted) so tiny
    /// concentrations (α ≪ 1, where Gamma(α) draws underflow to 0) still give a valid point of the
    /// simplex rather than 0/0. When even the logs underflow (α below ~10⁻³⁰⁰), the draw is the vertex
    /// picked with probability αᵢ/Σα, the distribution's limit as α → 0.
    public mutating func dirichlet(_ alpha: [Double]) -> [Double] {
        precondition(!alpha.isEmpty, "dirichlet: empty concentration vector")
        var logs = [Double](repeating: 0, count: alpha.count)
        var largest = -Double.infinity
        for (i, a) in alpha.enumerated() {
            precondition(a > 0 && a.isFinite, "dirichlet: concentrations must be finite and > 0, found \(a)")
            let l = logGamma(shape: a)
            logs[i] = l
            if l > largest { largest = l }
        }
        guard largest > -.infinity else {
            var vertex = [Double](repeating: 0, count: alpha.count)
            vertex[categorical(probabilities: alpha)] = 1
            return vertex
        }
        var total = 0.0
        for i in logs.indices {
            let w = Double.exp(logs[i] - largest)
            logs[i] = w
            total += w
        }
        for i in logs.indices { logs[i] /= total }
        return logs
    }

    // MARK: Multivariate normal

    /// N(mean, covariance); throws when the covariance is not symmetric positive definite (only its
    /// lower triangle is read).
    public mutating func multivariateNormal(mean: [Double], covariance: Matrix<Double>) throws -> [Double] {
        precondition(
            covariance.rows == mean.count && covariance.columns == mean.count,
            "multivariateNormal: covariance is \(covariance.rows) × \(covariance.columns), mean has \(mean.count) entries")
        return multivariateNormal(mean: mean, cholesky: try Cholesky(covariance))
    }

    /// N(mean, L·Lᵀ) for a precomputed factor: mean + L·z, one allocation per draw.
    public mutating func multivariateNormal(mean: [Double], cholesky: Cholesky<Double>) -> [Double] {
        let n = mean.count
        precondition(cholesky.order == n, "multivariateNormal: factor of order \(cholesky.order), mean has \(n) entries")
        var x = [Double](repeating: 0, count: n)
        for i in 0..<n { x[i] = standardNormal() }
        cholesky.lower.withUnsafeBufferPointer { l in
            mean.withUnsafeBufferPointer { m in
                x.withUnsafeMutableBufferPointer { x in
                    // Row i of L·z needs z₀…zᵢ only, so going upwards overwrites z in place.
                    var i = n - 1
                    while i >= 0 {
                        let row = i &* n
                        var s = 0.0
                        var j = 0
                        while j <= i {
                            s += l[row &+ j] * x[j]
                            j &+= 1
                        }
                        x[i] = m[i] + s
                        i &-= 1
                    }
                }
            }
        }
        return x
    }

    // MARK: Wishart family

    /// Wishart(ν, Σ) (mean νΣ) by the Bartlett decomposition, for real ν > p − 1; throws when Σ is
    /// not symmetric positive definite.
    public mutating func wishart(degreesOfFreedom nu: Double, scale: Matrix<Double>) throws -> Matrix<Double> {
        precondition(scale.isSquare, "wishart: scale is \(scale.rows) × \(scale.columns), not square")
        return wishart(degreesOfFreedom: nu, scaleCholesky: try Cholesky(scale))
    }

    /// Wishart(ν, L·Lᵀ) for a precomputed factor: W = (L·A)(L·A)ᵀ with A the Bartlett factor
    /// (Aᵢᵢ² ~ χ²(ν − i), Aᵢⱼ ~ N(0, 1) below the diagonal).
    public mutating func wishart(degreesOfFreedom nu: Double, scaleCholesky factor: Cholesky<Double>) -> Matrix<Double> {
        let p = factor.order
        precondition(nu > Double(p - 1) && nu.isFinite, "wishart: degrees of freedom must exceed p − 1 = \(p - 1), found \(nu)")
        let a = bartlettFactor(order: p, degreesOfFreedom: nu)
        return (factor.lower * a).gramOfRows()
    }

    /// Inverse-Wishart(ν, Ψ) (mean Ψ/(ν − p − 1) for ν > p + 1), for real ν > p − 1; throws when Ψ is
    /// not symmetric positive definite.
    public mutating func inverseWishart(degreesOfFreedom nu: Double, scale: Matrix<Double>) throws -> Matrix<Double> {
        precondition(scale.isSquare, "inverseWishart: scale is \(scale.rows) × \(scale.columns), not square")
        return inverseWishart(degreesOfFreedom: nu, scaleCholesky: try Cholesky(scale))
    }

    /// Inverse-Wishart(ν, U·Uᵀ) for a precomputed factor, without inverting Ψ or the draw:
    /// X = (U·A⁻ᵀ)(U·A⁻ᵀ)ᵀ, whose inverse U⁻ᵀ·A·Aᵀ·U⁻¹ is Wishart(ν, Ψ⁻¹).
    public mutating func inverseWishart(degreesOfFreedom nu: Double, scaleCholesky factor: Cholesky<Double>) -> Matrix<Double> {
        let p = factor.order
        precondition(nu > Double(p - 1) && nu.isFinite, "inverseWishart: degrees of freedom must exceed p − 1 = \(p - 1), found \(nu)")
        let a = bartlettFactor(order: p, degreesOfFreedom: nu)
        // B = A⁻¹ by forward substitution (lower triangular, positive diagonal).
        var b = Matrix<Double>(rows: p, columns: p)
        for j in 0..<p {
            b[j, j] = 1 / a[j, j]
            for i in (j + 1)..<p {
                var s = 0.0
                for k in j..<i { s += a[i, k] * b[k, j] }
                b[i, j] = -s / a[i, i]
            }
        }
        return factor.lower.multiplied(by: b, transposingOther: true).gramOfRows()
    }

    /// The lower-triangular Bartlett factor A with A·Aᵀ ~ Wishart(ν, I).
    private mutating func bartlettFactor(order p: Int, degreesOfFreedom nu: Double) -> Matrix<Double> {
        var a = Matrix<Double>(rows: p, columns: p)
        for i in 0..<p {
            a[i, i] = chiSquared(degreesOfFreedom: nu - Double(i)).squareRoot()
            for j in 0..<i { a[i, j] = standardNormal() }
        }
        return a
    }

    // MARK: Matrix normal

    /// MN(M, U, V): the n × p matrix with vec(X) ~ N(vec(M), V ⊗ U), i.e. Cov(Xᵢⱼ, Xₖₗ) = Uᵢₖ·Vⱼₗ;
    /// throws when U or V is not symmetric positive definite.
    public mutating func matrixNormal(
        mean: Matrix<Double>, rowCovariance: Matrix<Double>, columnCovariance: Matrix<Double>
    ) throws -> Matrix<Double> {
        precondition(
            rowCovariance.rows == mean.rows && rowCovariance.columns == mean.rows,
            "matrixNormal: row covariance is \(rowCovariance.rows) × \(rowCovariance.columns), mean has \(mean.rows) rows")
        precondition(
            columnCovariance.rows == mean.columns && columnCovariance.columns == mean.columns,
            "matrixNormal: column covariance is \(columnCovariance.rows) × \(columnCovariance.columns), mean has \(mean.columns) columns")
        return matrixNormal(
            mean: mean, rowCholesky: try Cholesky(rowCovariance), columnCholesky: try Cholesky(columnCovariance))
    }

    /// MN(M, A·Aᵀ, B·Bᵀ) for precomputed factors: X = M + A·Z·Bᵀ with Z standard normal.
    public mutating func matrixNormal(
        mean: Matrix<Double>, rowCholesky: Cholesky<Double>, columnCholesky: Cholesky<Double>
    ) -> Matrix<Double> {
        precondition(
            rowCholesky.order == mean.rows && columnCholesky.order == mean.columns,
            "matrixNormal: factors of order \(rowCholesky.order) and \(columnCholesky.order) for a \(mean.rows) × \(mean.columns) mean")
        var z = Matrix<Double>(rows: mean.rows, columns: mean.columns)
        z.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = standardNormal() }
        }
        var x = (rowCholesky.lower * z).multiplied(by: columnCholesky.lower, transposingOther: true)
        x.add(mean)
        return x
    }
}
