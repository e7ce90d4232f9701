import Foundation
import NeuroCore
import RealModule

/// log ∫ p(y_i | d_i + μ_t + βᵀx_t, r) N(β; 0, σ²I) dβ by a Laplace approximation at the posterior
/// mode (Newton with step halving; the log-likelihood is concave in β for NB and Poisson).
///
/// Terms that depend only on (y, r) are dropped: every cluster is compared for the same neuron, so
/// they cancel in the Gibbs weights. The mode and the Cholesky factor of the negative Hessian are kept
/// so that a neuron joining the cluster can draw its loadings from the Laplace approximation.
struct LaplaceMarginal {
    let p: Int
    let length: Int
    var beta: [Double]
    var gradient: [Double]
    var hessian: [Double]      // −∇² (positive definite), then its Cholesky factor
    var step: [Double]
    var trial: [Double]

    init(p: Int, length: Int) {
        self.p = p
        self.length = length
        beta = [Double](repeating: 0, count: p)
        gradient = beta
        step = beta
        trial = beta
        hessian = [Double](repeating: 0, count: p * p)
    }

    /// Objective f(β) = Σ_t ℓ(y_t, offset_t + βᵀx_t) − |β|²/(2σ²).
    @inline(__always)
    private static func objective(
        p: Int, length: Int, _ b: UnsafePointer<Double>, y: UnsafePointer<Double>, offset: UnsafePointer<Double>,
        rows: UnsafePointer<Double>, stride: Int, dispersion r: Double, poisson: Bool, priorVariance: Double
    ) -> Double {
        var f = 0.0
        let logR = Double.log(r)
        for t in 0..<length {
            let yt = y[t]
            if yt.isNaN { continue }
            var eta = offset[t]
            for k in 0..<p { eta += b[k] * rows[k &* stride &+ t] }
            if poisson {
                f += yt * eta - Double.exp(eta)
            } else {
                f += yt * eta - (yt + r) * CountLikelihood.logAddExp(logR, eta)
            }
        }
        var pen = 0.0
        for k in 0..<p { pen += b[k] * b[k] }
        return f - 0.5 * pen / priorVariance
    }

    /// Fits the mode from β = 0 and returns the log marginal. `rows` points at the p latent rows
    /// (each `stride` apart, length T); `offset_t` = d_i + μ_t. Returns −∞ if the fit fails.
    mutating func logMarginal(
        y: UnsafePointer<Double>, offset: UnsafePointer<Double>, rows: UnsafePointer<Double>, stride: Int,
        dispersion r: Double, poisson: Bool, priorVariance: Double
    ) -> Double {
        let p = self.p, length = self.length
        for k in 0..<p { beta[k] = 0 }
        var value = 0.0
        let logR = Double.log(r)
        let ok: Bool = beta.withUnsafeMutableBufferPointer { bb in
            gradient.withUnsafeMutableBufferPointer { gb in
                hessian.withUnsafeMutableBufferPointer { hb in
                    step.withUnsafeMutableBufferPointer { sb in
                        trial.withUnsafeMutableBufferPointer { tb in
            let b = bb.baseAddress!, g = gb.baseAddress!, h = hb.baseAddress!, s = sb.baseAddress!, tr = tb.baseAddress!
            var f = LaplaceMarginal.objective(p: p, length: length, b, y: y, offset: offset, rows: rows, stride: stride, dispersion: r, poisson: poisson, priorVariance: priorVariance)
            for iteration in 0..<40 {
                // Gradient and negative Hessian at b.
                for k in 0..<p { g[k] = -b[k] / priorVariance }
                for k in 0..<(p &* p) { h[k] = 0 }
                for k in 0..<p { h[k &* p &+ k] = 1 / priorVariance }
                for t in 0..<length {
                    let yt = y[t]
                    if yt.isNaN { continue }
                    var eta = offset[t]
                    for k in 0..<p { eta += b[k] * rows[k &* stride &+ t] }
                    let score: Double, weight: Double
                    if poisson {
                        let mu = Double.exp(eta)
                        score = yt - mu
                        weight = mu
                    } else {
                        // μ/(r+μ) computed stably as a logistic of η − log r.
                        let prob = 1 / (1 + Double.exp(logR - eta))
                        score = yt - (yt + r) * prob
                        weight = (yt + r) * prob * (1 - prob)
                    }
                    for k in 0..<p {
                        let xk = rows[k &* stride &+ t]
                        g[k] += score * xk
                        let wx = weight * xk
                        for l in 0...k { h[k &* p &+ l] += wx * rows[l &* stride &+ t] }
                    }
                }
                for k in 0..<p { for l in 0..<k { h[l &* p &+ k] = h[k &* p &+ l] } }
                guard DenseKernels.cholesky(h, p) else { return false }
                for k in 0..<p { s[k] = g[k] }
                DenseKernels.solveLower(h, s, p)
                DenseKernels.solveLowerTransposed(h, s, p)
                var decrement = 0.0
                for k in 0..<p { decrement += s[k] * g[k] }
                if decrement < 1e-10 { value = f; return true }
                var scale = 1.0
                var accepted = false
                for _ in 0..<30 {
                    for k in 0..<p { tr[k] = b[k] + scale * s[k] }
                    let ft = LaplaceMarginal.objective(p: p, length: length, tr, y: y, offset: offset, rows: rows, stride: stride, dispersion: r, poisson: poisson, priorVariance: priorVariance)
                    if ft >= f - 1e-12 { f = ft; accepted = true; break }
                    scale *= 0.5
                }
                if !accepted { value = f; return true }
                for k in 0..<p { b[k] = tr[k] }
                if iteration == 39 { value = f }
            }
            // Refresh the Hessian factor at the final point.
            for k in 0..<(p &* p) { h[k] = 0 }
            for k in 0..<p { h[k &* p &+ k] = 1 / priorVariance }
            for t in 0..<length {
                let yt = y[t]
                if yt.isNaN { continue }
                var eta = offset[t]
                for k in 0..<p { eta += b[k] * rows[k &* stride &+ t] }
                let weight: Double
                if poisson { weight = Double.exp(eta) } else {
                    let prob = 1 / (1 + Double.exp(logR - eta))
                    weight = (yt + r) * prob * (1 - prob)
                }
                for k in 0..<p { for l in 0...k { h[k &* p &+ l] += weight * rows[k &* stride &+ t] * rows[l &* stride &+ t] } }
            }
            for k in 0..<p { for l in 0..<k { h[l &* p &+ k] = h[k &* p &+ l] } }
            value = f
            return DenseKernels.cholesky(h, p)
                        }
                    }
                }
            }
        }
        guard ok, value.isFinite else { return -.infinity }
        // log m ≈ f(β̂) + (p/2)log 2π − ½ log det(−H) − (p/2) log(2πσ²).
        let halfLogDet = hessian.withUnsafeBufferPointer { DenseKernels.halfLogDet($0.baseAddress!, p) }
        return value - halfLogDet - 0.5 * Double(p) * Double.log(priorVariance)
    }

    /// A draw from N(β̂, (−H)⁻¹) after `logMarginal` succeeded.
    mutating func drawLoadings(into out: UnsafeMutablePointer<Double>, generator: inout SeededGenerator) {
        for k in 0..<p { step[k] = generator.standardNormal() }
        step.withUnsafeMutableBufferPointer { s in
            hessian.withUnsafeBufferPointer { h in DenseKernels.solveLowerTransposed(h.baseAddress!, s.baseAddress!, p) }
        }
        for k in 0..<p { out[k] = beta[k] + step[k] }
    }
}
