import Foundation
import NeuroCore

/// The conjugate matrix-normal–inverse-Wishart regression of one regime's dynamics (pybasicbayes'
/// affine `AutoRegression` prior): with u_t = (x_{t−1}ᵀ, 1)ᵀ,
///
///     Q ~ IW(ν0, S0),  [A | b] | Q ~ MN(M0, Q, K0⁻¹)   (K0 a column *precision*)
///     K_n = S_uu + K0,  M_n = (S_xu + M0 K0) K_n⁻¹,
///     S_n = S0 + S_xx + M0 K0 M0ᵀ − M_n K_n M_nᵀ,  ν_n = ν0 + n.
public struct MNIWPosterior: Sendable, Equatable {
    public let dimension: Int
    /// M_n, D × (D + 1): the last column is b.
    public let mean: Matrix<Double>
    /// K_n, (D + 1) × (D + 1).
    public let columnPrecision: Matrix<Double>
    public let scale: Matrix<Double>
    public let degreesOfFreedom: Double

    /// Posterior given sufficient statistics S_xx (D × D), S_xu (D × (D+1)), S_uu ((D+1) × (D+1)) and
    /// n pairs, under M0 = [I | 0], K0 = k0·I, S0 = s0·I, ν0 = D + `degreesOffset`.
    public init(
        sxx: Matrix<Double>, sxu: Matrix<Double>, suu: Matrix<Double>, count: Int,
        columnPrecision k0: Double, scale s0: Double, degreesOffset: Double
    ) throws {
        let d = sxx.rows
        var kn = suu
        var m0k0 = Matrix<Double>(rows: d, columns: d + 1)
        for i in 0..<(d + 1) { kn[i, i] += k0 }
        for i in 0..<d { m0k0[i, i] = k0 }
        var rhs = sxu
        rhs.add(m0k0)
        let knChol = try Cholesky(kn)
        // M_n = rhs K_n⁻¹ = (K_n⁻¹ rhsᵀ)ᵀ.
        let mn = knChol.solve(rhs.transposed()).transposed()
        var sn = sxx
        for i in 0..<d { sn[i, i] += s0 + k0 }
        let mkm = (mn * kn).multiplied(by: mn, transposingOther: true)
        sn.add(mkm, scaledBy: -1)
        dimension = d
        mean = mn
        columnPrecision = kn
        scale = sn.symmetrized()
        degreesOfFreedom = Double(d) + degreesOffset + Double(count)
    }

    /// One draw of (A, b, Q).
    public func sample(generator: inout SeededGenerator) throws -> AffineDynamics {
        let d = dimension
        let q = try generator.inverseWishart(degreesOfFreedom: degreesOfFreedom, scale: scale)
        let qChol = try Cholesky(q)
        let colCov = try Cholesky(columnPrecision).inverse()
        let ab = generator.matrixNormal(mean: mean, rowCholesky: qChol, columnCholesky: try Cholesky(colCov))
        var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
        for i in 0..<d {
            for j in 0..<d { a[i * d + j] = ab[i, j] }
            b[i] = ab[i, d]
        }
        return AffineDynamics(dimension: d, a: a, b: b, q: q.symmetrized().elements)
    }
}
