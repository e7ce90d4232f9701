import Foundation
import NeuroCore

/// Checks and matrix functions for symmetric positive-definite (SPD) matrices.
///
/// Everything on the SPD manifold reduces to one symmetric eigendecomposition followed by an
/// element-wise map of the eigenvalues (log, exp, power), so these are thin wrappers over
/// `SymmetricEigen.reconstructed(applying:)`.
public enum SPD {
    /// Throws unless `matrix` is square, symmetric to `symmetryTolerance` (relative to its largest
    /// entry) and positive definite: its smallest eigenvalue must exceed `relativeFloor` times the
    /// largest.
    public static func validate(
        _ matrix: Matrix<Double>, context: String = "matrix", symmetryTolerance: Double = 1e-10,
        relativeFloor: Double = 1e-14
    ) throws {
        guard matrix.isSquare else { throw RiemannianError.notSquare(context: context, rows: matrix.rows, columns: matrix.columns) }
        guard matrix.rows > 0 else { throw RiemannianError.empty(context: context) }
        guard matrix.isFinite else { throw ParameterError(context, expected: "finite values", found: "a non-finite entry") }
        let scale = matrix.elements.reduce(0) { Swift.max($0, abs($1)) }
        let asymmetry = matrix.asymmetry
        if asymmetry > symmetryTolerance * Swift.max(scale, .leastNormalMagnitude) {
            throw RiemannianError.notSymmetric(context: context, asymmetry: asymmetry)
        }
        let values = try Eigen(matrix).values
        let largest = values.last!
        let floor = relativeFloor * Swift.max(largest, 0)
        if !(values[0] > floor) || largest <= 0 {
            let rank = values.filter { $0 > 1e-10 * Swift.max(largest, 0) }.count
            throw RiemannianError.notPositiveDefinite(context: context, smallestEigenvalue: values[0], rank: rank, size: values.count)
        }
    }

    /// True when `validate` would pass.
    public static func isSPD(_ matrix: Matrix<Double>) -> Bool { (try? validate(matrix)) != nil }

    /// The matrix shrunk towards a multiple of the identity: (1 − γ)·C + γ·(tr C / n)·I, scikit-learn's
    /// `shrunk_covariance` and pyRiemann's `Shrinkage`. Any γ in (0, 1] makes a PSD matrix with a
    /// non-zero trace positive definite.
    public static func shrunk(_ matrix: Matrix<Double>, intensity: Double) throws -> Matrix<Double> {
        try ParameterError.check(intensity >= 0 && intensity <= 1, "shrinkage", expected: "a value in [0, 1]", found: intensity)
        guard matrix.isSquare else { throw RiemannianError.notSquare(context: "shrunk", rows: matrix.rows, columns: matrix.columns) }
        let n = matrix.rows
        let mu = n == 0 ? 0 : matrix.trace / Double(n)
        var out = matrix * (1 - intensity)
        out.withUnsafeMutableBufferPointer { e in
            for i in 0..<n { e[i &* n &+ i] += intensity * mu }
        }
        return out
    }

    /// The matrix with its eigenvalues clipped from below at `floor` times the largest eigenvalue:
    /// the nearest (in Frobenius norm) SPD matrix with that condition-number bound.
    public static func clipped(_ matrix: Matrix<Double>, relativeFloor: Double = 1e-10) throws -> Matrix<Double> {
        guard matrix.isSquare else { throw RiemannianError.notSquare(context: "clipped", rows: matrix.rows, columns: matrix.columns) }
        let eigen = try Eigen(matrix.symmetrized())
        let top = Swift.max(eigen.values.last ?? 0, .leastNormalMagnitude)
        return reconstruct(eigen) { Swift.max($0, relativeFloor * top) }
    }

    /// The principal matrix logarithm of an SPD matrix.
    public static func log(_ matrix: Matrix<Double>) throws -> Matrix<Double> {
        try apply(matrix, context: "log") { Foundation.log($0) }
    }

    /// The matrix exponential of a symmetric matrix (always SPD).
    public static func exp(_ matrix: Matrix<Double>) throws -> Matrix<Double> {
        reconstruct(try Eigen(matrix)) { Foundation.exp($0) }
    }

    /// The SPD square root.
    public static func sqrt(_ matrix: Matrix<Double>) throws -> Matrix<Double> {
        try apply(matrix, context: "sqrt") { $0.squareRoot() }
    }

    /// The inverse of the SPD square root.
    public static func inverseSqrt(_ matrix: Matrix<Double>) throws -> Matrix<Double> {
        try apply(matrix, context: "inverseSqrt") { 1 / $0.squareRoot() }
    }

    /// Mᵖ for an SPD M and any real p.
    public static func power(_ matrix: Matrix<Double>, _ p: Double) throws -> Matrix<Double> {
        try apply(matrix, context: "power") { Foundation.pow($0, p) }
    }

    /// Square root and inverse square root from one decomposition.
    static func sqrtAndInverseSqrt(_ matrix: Matrix<Double>, context: String) throws -> (Matrix<Double>, Matrix<Double>) {
        let eigen = try positiveEigen(matrix, context: context)
        return (reconstruct(eigen) { $0.squareRoot() }, reconstruct(eigen) { 1 / $0.squareRoot() })
    }

    static func apply(_ matrix: Matrix<Double>, context: String, _ f: (Double) -> Double) throws -> Matrix<Double> {
        reconstruct(try positiveEigen(matrix, context: context), f)
    }

    /// The eigendecomposition, failing with a diagnosis when an eigenvalue is not positive.
    static func positiveEigen(_ matrix: Matrix<Double>, context: String) throws -> Eigen {
        guard matrix.isSquare else { throw RiemannianError.notSquare(context: context, rows: matrix.rows, columns: matrix.columns) }
        let eigen = try Eigen(matrix)
        if let smallest = eigen.values.first, !(smallest > 0) {
            let top = Swift.max(eigen.values.last!, 0)
            throw RiemannianError.notPositiveDefinite(
                context: context, smallestEigenvalue: smallest, rank: eigen.values.filter { $0 > 1e-10 * top }.count,
                size: eigen.values.count)
        }
        return eigen
    }

    /// log(P·X·P) for a symmetric whitener P: the per-matrix step of the Riemannian mean and of the
    /// tangent-space map, run once per matrix per iteration, so it works in three reused buffers
    /// instead of the dozen intermediate matrices of `log(congruence(P, X))`, and rebuilds the logarithm
    /// V·diag(log λ)·Vᵀ as two rank-k updates (`dsyrk`, λ < 1 and λ ≥ 1: half the flops of a gemm).
    static func whitenedLog(_ whitener: Matrix<Double>, _ x: Matrix<Double>) throws -> Matrix<Double> {
        let n = x.rows
        precondition(whitener.rows == n && whitener.columns == n && x.columns == n, "whitenedLog: sizes differ")
        if n == 0 { return x }
        var first = [Double](repeating: 0, count: n &* n)
        var second = [Double](repeating: 0, count: n &* n)
        var values = [Double](repeating: 0, count: n)
        let nn = Int32(n)
        var finite = true
        var info: Int32 = 0
        whitener.withUnsafeBufferPointer { p in
            x.withUnsafeBufferPointer { xp in
                first.withUnsafeMutableBufferPointer { t in
                    second.withUnsafeMutableBufferPointer { w in
                        // T = P·X, W = T·P, symmetrised; then W ← its eigenvectors (columns).
                        Double.gemm(transA: false, transB: false, m: nn, n: nn, k: nn, alpha: 1, a: p.baseAddress!, lda: nn,
                                    b: xp.baseAddress!, ldb: nn, beta: 0, c: t.baseAddress!, ldc: nn)
                        Double.gemm(transA: false, transB: false, m: nn, n: nn, k: nn, alpha: 1, a: t.baseAddress!, lda: nn,
                                    b: p.baseAddress!, ldb: nn, beta: 0, c: w.baseAddress!, ldc: nn)
                        var sum = 0.0
                        for i in 0..<n {
                            for j in (i &+ 1)..<n {
                                let v = 0.5 * (w[i &* n &+ j] + w[j &* n &+ i])
                                w[i &* n &+ j] = v; w[j &* n &+ i] = v
                            }
                            for j in 0..<n { sum += w[i &* n &+ j] * 0 }
                        }
                        finite = sum == 0  // x·0 is 0 for finite x and NaN for NaN or ±∞
                        if finite { info = values.withUnsafeMutableBufferPointer { Double.syevd(n: nn, a: w.baseAddress!, w: $0.baseAddress!) } }
                    }
                }
            }
        }
        guard finite else { throw LinearAlgebraError.nonFinite(routine: "SymmetricEigen") }
        if info > 0 { throw LinearAlgebraError.noConvergence(routine: "syevd", info: Int(info)) }
        precondition(info == 0, "syevd: invalid argument \(-info)")
        if !(values[0] > 0) {
            let top = Swift.max(values[n &- 1], 0)
            throw RiemannianError.notPositiveDefinite(
                context: "log", smallestEigenvalue: values[0], rank: values.filter { $0 > 1e-10 * top }.count, size: n)
        }
        // Values ascend: the first `below` have log λ < 0. Pack V·√|log λ| for each side contiguously.
        var below = 0
        while below < n && values[below] < 1 { below &+= 1 }
        let above = n &- below
        var result = [Double](repeating: 0, count: n &* n)
        second.withUnsafeBufferPointer { v in
            first.withUnsafeMutableBufferPointer { packed in
                values.withUnsafeBufferPointer { lambda in
                    let negative = packed.baseAddress!, positive = negative + n &* below
                    var factor = [Double](repeating: 0, count: n)
                    for j in 0..<n { factor[j] = Swift.abs(Foundation.log(lambda[j])).squareRoot() }
                    factor.withUnsafeBufferPointer { f in
                        for i in 0..<n {
                            let row = i &* n
                            for j in 0..<below { negative[i &* below &+ j] = v[row &+ j] * f[j] }
                            for j in 0..<above { positive[i &* above &+ j] = v[row &+ below &+ j] * f[below &+ j] }
                        }
                    }
                    result.withUnsafeMutableBufferPointer { r in
                        var beta = 0.0
                        if above > 0 { Double.syrk(n: nn, k: Int32(above), alpha: 1, a: positive, beta: 0, c: r.baseAddress!); beta = 1 }
                        if below > 0 { Double.syrk(n: nn, k: Int32(below), alpha: -1, a: negative, beta: beta, c: r.baseAddress!) }
                        // syrk filled the lower triangle; mirror it.
                        for i in 0..<n { for j in (i &+ 1)..<n { r[i &* n &+ j] = r[j &* n &+ i] } }
                    }
                }
            }
        }
        return Matrix(rows: n, columns: n, elements: result)
    }

    /// NeuroCore's `SymmetricEigen` (LAPACK `dsyevd`), specialised for Double at this call site.
    typealias Eigen = SymmetricEigen<Double>

    /// A · B · A for symmetric A (the congruence used by every whitening step), symmetrised.
    static func congruence(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
        symmetrize(product(product(a, b), a))
    }

    /// A·B (or A·Bᵀ) through `dgemm` with a concrete Double allocation: NeuroCore's generic
    /// `multiplied(by:)` allocates its result through unspecialised generic code, element by element.
    static func product(_ a: Matrix<Double>, _ b: Matrix<Double>, transposingOther: Bool = false) -> Matrix<Double> {
        let (m, k) = (a.rows, a.columns)
        let n = transposingOther ? b.rows : b.columns
        precondition(k == (transposingOther ? b.columns : b.rows), "product: \(a.rows)×\(a.columns) by \(b.rows)×\(b.columns)")
        var c = [Double](repeating: 0, count: m * n)
        if m > 0 && n > 0 && k > 0 {
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        Double.gemm(transA: false, transB: transposingOther, m: Int32(m), n: Int32(n), k: Int32(k), alpha: 1,
                                    a: ap.baseAddress!, lda: Int32(k), b: bp.baseAddress!, ldb: Int32(b.columns), beta: 0,
                                    c: cp.baseAddress!, ldc: Int32(n))
                    }
                }
            }
        }
        return Matrix(rows: m, columns: n, elements: c)
    }

    /// V·diag(f(λ))·Vᵀ with concrete Double loops (NeuroCore's generic `reconstructed` is not
    /// specialised across modules, and this runs once per trial per iteration).
    static func reconstruct(_ eigen: Eigen, _ f: (Double) -> Double) -> Matrix<Double> {
        let n = eigen.values.count
        var scaled = eigen.vectors
        let fv = eigen.values.map(f)
        scaled.withUnsafeMutableBufferPointer { e in
            for i in 0..<n {
                let row = i &* n
                for j in 0..<n { e[row &+ j] *= fv[j] }
            }
        }
        return symmetrize(product(scaled, eigen.vectors, transposingOther: true))
    }

    /// (M + Mᵀ)/2 in place, without per-element generic calls.
    static func symmetrize(_ m: Matrix<Double>) -> Matrix<Double> {
        var out = m
        let n = m.rows
        out.withUnsafeMutableBufferPointer { e in
            for i in 0..<n {
                for j in (i &+ 1)..<n {
                    let v = 0.5 * (e[i &* n &+ j] + e[j &* n &+ i])
                    e[i &* n &+ j] = v
                    e[j &* n &+ i] = v
                }
            }
        }
        return out
    }

    /// Checks that all matrices are n × n with the same n and returns n.
    static func commonSize(_ matrices: [Matrix<Double>], context: String) throws -> Int {
        guard let first = matrices.first else { throw RiemannianError.empty(context: context) }
        guard first.isSquare else { throw RiemannianError.notSquare(context: context, rows: first.rows, columns: first.columns) }
        for m in matrices where m.rows != first.rows || m.columns != first.rows {
            if !m.isSquare { throw RiemannianError.notSquare(context: context, rows: m.rows, columns: m.columns) }
            throw RiemannianError.sizeMismatch(context: context, expected: first.rows, found: m.rows)
        }
        return first.rows
    }
}
