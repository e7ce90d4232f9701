import Foundation
import NeuroCore
import RealModule

/// Small dense kernels on caller-owned row-major buffers, used by the sampler's hot loops so that a
/// sweep allocates nothing per element. Factorisations go through LAPACK (`Double.potrf`), products
/// through BLAS (`Double.gemm`); the triangular solves are written out because D is small (≈ 10).
enum DenseKernels {
    /// In-place lower Cholesky of the n × n SPD matrix `a` (upper triangle zeroed). False if not SPD.
    @inline(__always)
    static func cholesky(_ a: UnsafeMutablePointer<Double>, _ n: Int) -> Bool {
        if n == 0 { return true }
        let info = Double.potrf(n: Int32(n), a: a)
        if info != 0 { return false }
        for i in 0..<n {
            var j = i &+ 1
            while j < n { a[i &* n &+ j] = 0; j &+= 1 }
        }
        return true
    }

    /// x ← L⁻¹x for lower-triangular L (n × n).
    @inline(__always)
    static func solveLower(_ l: UnsafePointer<Double>, _ x: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 0..<n {
            var s = x[i]
            let row = l + i &* n
            for j in 0..<i { s -= row[j] * x[j] }
            x[i] = s / row[i]
        }
    }

    /// x ← L⁻ᵀx for lower-triangular L.
    @inline(__always)
    static func solveLowerTransposed(_ l: UnsafePointer<Double>, _ x: UnsafeMutablePointer<Double>, _ n: Int) {
        var i = n &- 1
        while i >= 0 {
            var s = x[i]
            var j = i &+ 1
            while j < n { s -= l[j &* n &+ i] * x[j]; j &+= 1 }
            x[i] = s / l[i &* n &+ i]
            i &-= 1
        }
    }

    /// out ← A⁻¹ from its Cholesky factor L (out must not alias L).
    static func inverseFromCholesky(_ l: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 0..<(n &* n) { out[i] = 0 }
        for i in 0..<n { out[i &* n &+ i] = 1 }
        if n > 0 { _ = Double.potrs(n: Int32(n), nrhs: Int32(n), a: l, b: out) }
    }

    /// C ← α·op(A)·op(B) + β·C, with op(A) m × k and op(B) k × n.
    @inline(__always)
    static func gemm(
        _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ beta: Double, _ c: UnsafeMutablePointer<Double>
    ) {
        if m == 0 || n == 0 { return }
        Double.gemm(
            transA: ta, transB: tb, m: Int32(m), n: Int32(n), k: Int32(k), alpha: alpha,
            a: a, lda: Int32(ta ? m : k), b: b, ldb: Int32(tb ? k : n), beta: beta, c: c, ldc: Int32(n))
    }

    /// y ← A·x (+ y if accumulate) for A m × n.
    @inline(__always)
    static func gemv(_ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ m: Int, _ n: Int, accumulate: Bool = false, transposed: Bool = false) {
        if m == 0 || n == 0 { return }
        Double.gemv(trans: transposed, m: Int32(m), n: Int32(n), alpha: 1, a: a, lda: Int32(n), x: x, beta: accumulate ? 1 : 0, y: y)
    }

    /// Sum of log diagonal of a Cholesky factor: ½ log det A.
    @inline(__always)
    static func halfLogDet(_ l: UnsafePointer<Double>, _ n: Int) -> Double {
        var s = 0.0
        for i in 0..<n { s += Double.log(l[i &* n &+ i]) }
        return s
    }

    /// Symmetrises in place: a ← (a + aᵀ)/2.
    @inline(__always)
    static func symmetrize(_ a: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 0..<n {
            for j in (i &+ 1)..<max(n, i &+ 1) {
                let v = 0.5 * (a[i &* n &+ j] + a[j &* n &+ i])
                a[i &* n &+ j] = v
                a[j &* n &+ i] = v
            }
        }
    }
}
