import CLAPACKE
import COpenBLAS
import RealModule

/// The element types that BLAS and LAPACK work on (`Float` and `Double`), with one entry point per
/// routine so that `Matrix<Float>` and `Matrix<Double>` share all their code.
///
/// All matrices are row-major; LAPACKE is called with `LAPACK_ROW_MAJOR`. Sizes are `Int32` because
/// Debian's OpenBLAS is LP64, so one matrix may hold at most 2³¹ − 1 elements per dimension.
public protocol BLASScalar: BinaryFloatingPoint, Real, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    static func gemm(
        transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Self,
        a: UnsafePointer<Self>, lda: Int32, b: UnsafePointer<Self>, ldb: Int32, beta: Self,
        c: UnsafeMutablePointer<Self>, ldc: Int32)
    static func gemv(
        trans: Bool, m: Int32, n: Int32, alpha: Self, a: UnsafePointer<Self>, lda: Int32,
        x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)
    static func dot(n: Int32, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self
    static func axpy(n: Int32, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    static func syrk(
        n: Int32, k: Int32, alpha: Self, a: UnsafePointer<Self>, beta: Self, c: UnsafeMutablePointer<Self>)

    /// Cholesky factor, lower triangle (`?potrf`). Returns LAPACK's `info`.
    static func potrf(n: Int32, a: UnsafeMutablePointer<Self>) -> Int32
    /// Solves with a Cholesky factor (`?potrs`), `nrhs` right-hand sides stored row-major n × nrhs.
    static func potrs(n: Int32, nrhs: Int32, a: UnsafePointer<Self>, b: UnsafeMutablePointer<Self>) -> Int32
    /// Symmetric eigendecomposition by divide and conquer (`?syevd`), values ascending.
    static func syevd(n: Int32, a: UnsafeMutablePointer<Self>, w: UnsafeMutablePointer<Self>) -> Int32
    /// Thin SVD by divide and conquer (`?gesdd`, jobz = "S").
    static func gesdd(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>,
        u: UnsafeMutablePointer<Self>, vt: UnsafeMutablePointer<Self>) -> Int32
    /// LU factorisation with partial pivoting (`?getrf`).
    static func getrf(n: Int32, a: UnsafeMutablePointer<Self>, ipiv: UnsafeMutablePointer<Int32>) -> Int32
    /// Solves with an LU factorisation (`?getrs`).
    static func getrs(
        n: Int32, nrhs: Int32, a: UnsafePointer<Self>, ipiv: UnsafePointer<Int32>,
        b: UnsafeMutablePointer<Self>) -> Int32
    /// Inverse from an LU factorisation (`?getri`).
    static func getri(n: Int32, a: UnsafeMutablePointer<Self>, ipiv: UnsafePointer<Int32>) -> Int32
    /// Reciprocal condition number estimate in the 1-norm from an LU factorisation (`?gecon`).
    static func gecon(n: Int32, a: UnsafePointer<Self>, anorm: Self) -> (info: Int32, rcond: Self)
}

@inline(__always) private func transpose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }
private let rowMajor = Int32(LAPACK_ROW_MAJOR)
private let lower = CChar(UInt8(ascii: "L"))
private let vectors = CChar(UInt8(ascii: "V"))
private let thin = CChar(UInt8(ascii: "S"))
private let oneNorm = CChar(UInt8(ascii: "1"))

extension Double: BLASScalar {
    public static func gemm(
        transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Double,
        a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32, beta: Double,
        c: UnsafeMutablePointer<Double>, ldc: Int32
    ) {
        cblas_dgemm(CblasRowMajor, transpose(transA), transpose(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    public static func gemv(
        trans: Bool, m: Int32, n: Int32, alpha: Double, a: UnsafePointer<Double>, lda: Int32,
        x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(CblasRowMajor, transpose(trans), m, n, alpha, a, lda, x, 1, beta, y, 1)
    }
    public static func dot(n: Int32, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        cblas_ddot(n, x, 1, y, 1)
    }
    public static func axpy(n: Int32, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(n, alpha, x, 1, y, 1)
    }
    public static func syrk(
        n: Int32, k: Int32, alpha: Double, a: UnsafePointer<Double>, beta: Double, c: UnsafeMutablePointer<Double>
    ) {
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, n, k, alpha, a, k, beta, c, n)
    }
    public static func potrf(n: Int32, a: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dpotrf(rowMajor, lower, n, a, n)
    }
    public static func potrs(n: Int32, nrhs: Int32, a: UnsafePointer<Double>, b: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dpotrs(rowMajor, lower, n, nrhs, a, n, b, nrhs)
    }
    public static func syevd(n: Int32, a: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dsyevd(rowMajor, vectors, lower, n, a, n, w)
    }
    public static func gesdd(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>,
        u: UnsafeMutablePointer<Double>, vt: UnsafeMutablePointer<Double>
    ) -> Int32 {
        let k = min(m, n)
        return LAPACKE_dgesdd(rowMajor, thin, m, n, a, n, s, u, k, vt, n)
    }
    public static func getrf(n: Int32, a: UnsafeMutablePointer<Double>, ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgetrf(rowMajor, n, n, a, n, ipiv)
    }
    public static func getrs(
        n: Int32, nrhs: Int32, a: UnsafePointer<Double>, ipiv: UnsafePointer<Int32>, b: UnsafeMutablePointer<Double>
    ) -> Int32 {
        LAPACKE_dgetrs(rowMajor, CChar(UInt8(ascii: "N")), n, nrhs, a, n, ipiv, b, nrhs)
    }
    public static func getri(n: Int32, a: UnsafeMutablePointer<Double>, ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_dgetri(rowMajor, n, a, n, ipiv)
    }
    public static func gecon(n: Int32, a: UnsafePointer<Double>, anorm: Double) -> (info: Int32, rcond: Double) {
        var rcond = 0.0
        let info = LAPACKE_dgecon(rowMajor, oneNorm, n, a, n, anorm, &rcond)
        return (info, rcond)
    }
}

extension Float: BLASScalar {
    public static func gemm(
        transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Float,
        a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int32
    ) {
        cblas_sgemm(CblasRowMajor, transpose(transA), transpose(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    public static func gemv(
        trans: Bool, m: Int32, n: Int32, alpha: Float, a: UnsafePointer<Float>, lda: Int32,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(CblasRowMajor, transpose(trans), m, n, alpha, a, lda, x, 1, beta, y, 1)
    }
    public static func dot(n: Int32, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(n, x, 1, y, 1)
    }
    public static func axpy(n: Int32, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(n, alpha, x, 1, y, 1)
    }
    public static func syrk(
        n: Int32, k: Int32, alpha: Float, a: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>
    ) {
        cblas_ssyrk(CblasRowMajor, CblasLower, CblasNoTrans, n, k, alpha, a, k, beta, c, n)
    }
    public static func potrf(n: Int32, a: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_spotrf(rowMajor, lower, n, a, n)
    }
    public static func potrs(n: Int32, nrhs: Int32, a: UnsafePointer<Float>, b: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_spotrs(rowMajor, lower, n, nrhs, a, n, b, nrhs)
    }
    public static func syevd(n: Int32, a: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_ssyevd(rowMajor, vectors, lower, n, a, n, w)
    }
    public static func gesdd(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>,
        u: UnsafeMutablePointer<Float>, vt: UnsafeMutablePointer<Float>
    ) -> Int32 {
        let k = min(m, n)
        return LAPACKE_sgesdd(rowMajor, thin, m, n, a, n, s, u, k, vt, n)
    }
    public static func getrf(n: Int32, a: UnsafeMutablePointer<Float>, ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgetrf(rowMajor, n, n, a, n, ipiv)
    }
    public static func getrs(
        n: Int32, nrhs: Int32, a: UnsafePointer<Float>, ipiv: UnsafePointer<Int32>, b: UnsafeMutablePointer<Float>
    ) -> Int32 {
        LAPACKE_sgetrs(rowMajor, CChar(UInt8(ascii: "N")), n, nrhs, a, n, ipiv, b, nrhs)
    }
    public static func getri(n: Int32, a: UnsafeMutablePointer<Float>, ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_sgetri(rowMajor, n, a, n, ipiv)
    }
    public static func gecon(n: Int32, a: UnsafePointer<Float>, anorm: Float) -> (info: Int32, rcond: Float) {
        var rcond: Float = 0
        let info = LAPACKE_sgecon(rowMajor, oneNorm, n, a, n, anorm, &rcond)
        return (info, rcond)
    }
}
