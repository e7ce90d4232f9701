import Foundation

/// One regime's affine latent dynamics x_t = b + A·x_{t−1} + ε, ε ~ N(0, Q), on the stacked latent
/// vector of dimension D (row-major D × D matrices).
public struct AffineDynamics: Sendable, Codable, Equatable {
    public var dimension: Int
    public var a: [Double]
    public var b: [Double]
    public var q: [Double]

    public init(dimension: Int, a: [Double], b: [Double], q: [Double]) {
        precondition(a.count == dimension * dimension && b.count == dimension && q.count == dimension * dimension)
        self.dimension = dimension
        self.a = a
        self.b = b
        self.q = q
    }

    /// A = I, b = 0, Q = noise·I: the random walk a new cluster starts with.
    public static func randomWalk(dimension d: Int, noise: Double) -> AffineDynamics {
        var a = [Double](repeating: 0, count: d * d), q = a
        for i in 0..<d { a[i * d + i] = 1; q[i * d + i] = noise }
        return AffineDynamics(dimension: d, a: a, b: [Double](repeating: 0, count: d), q: q)
    }

    /// The dynamics restricted to the coordinates `keep` (in order).
    func restricted(to keep: [Int]) -> AffineDynamics {
        let n = keep.count, d = dimension
        var na = [Double](repeating: 0, count: n * n), nq = na, nb = [Double](repeating: 0, count: n)
        for (i, ki) in keep.enumerated() {
            nb[i] = b[ki]
            for (j, kj) in keep.enumerated() {
                na[i * n + j] = a[ki * d + kj]
                nq[i * n + j] = q[ki * d + kj]
            }
        }
        return AffineDynamics(dimension: n, a: na, b: nb, q: nq)
    }

    /// The dynamics with `extra` coordinates appended: identity/0/noise·I on the new block, no cross terms.
    func extended(by extra: Int, noise: Double) -> AffineDynamics {
        let d = dimension, n = d + extra
        var na = [Double](repeating: 0, count: n * n), nq = na, nb = [Double](repeating: 0, count: n)
        for i in 0..<d {
            nb[i] = b[i]
            for j in 0..<d { na[i * n + j] = a[i * d + j]; nq[i * n + j] = q[i * d + j] }
        }
        for i in d..<n { na[i * n + i] = 1; nq[i * n + i] = noise }
        return AffineDynamics(dimension: n, a: na, b: nb, q: nq)
    }

    /// Reparametrises under x′ = R·x + s (R invertible with inverse `rInverse`):
    /// A′ = R A R⁻¹, b′ = R b + s − A′ s, Q′ = R Q Rᵀ.
    func transformed(r: [Double], rInverse: [Double], shift s: [Double]) -> AffineDynamics {
        let d = dimension
        func mul(_ x: [Double], _ y: [Double], transposeY: Bool = false) -> [Double] {
            var out = [Double](repeating: 0, count: d * d)
            for i in 0..<d { for k in 0..<d {
                let xv = x[i * d + k]
                if xv == 0 { continue }
                for j in 0..<d { out[i * d + j] += xv * (transposeY ? y[j * d + k] : y[k * d + j]) }
            } }
            return out
        }
        let na = mul(mul(r, a), rInverse)
        let nq = mul(mul(r, q), r, transposeY: true)
        var nb = [Double](repeating: 0, count: d)
        for i in 0..<d {
            var v = s[i]
            for j in 0..<d { v += r[i * d + j] * b[j] - na[i * d + j] * s[j] }
            nb[i] = v
        }
        var result = AffineDynamics(dimension: d, a: na, b: nb, q: nq)
        // Keep Q exactly symmetric.
        for i in 0..<d { for j in (i + 1)..<max(d, i + 1) {
            let v = 0.5 * (result.q[i * d + j] + result.q[j * d + i])
            result.q[i * d + j] = v; result.q[j * d + i] = v
        } }
        return result
    }
}
