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
    /// f's gradient and −∇²f at the trial point; swapped with the current ones when a step is accepted.
    var trialGradient: [Double]
    var trialHessian: [Double]

    init(p: Int, length: Int) {
        self.p = p
        self.length = length
        beta = [Double](repeating: 0, count: p)
        gradient = beta
        step = beta
        trial = beta
        trialGradient = beta
        hessian = [Double](repeating: 0, count: p * p)
        trialHessian = hessian
    }

    /// One pass over the bins at β: f(β) = Σ_t ℓ(y_t, offset_t + βᵀx_t) − |β|²/(2σ²), its gradient g and
    /// the lower triangle of −∇²f (h). One exp and one log per bin: with e = e^{−|η − log r|} ∈ (0, 1],
    /// log(r + e^η) = max(log r, η) + log(1 + e) and μ/(r + μ) = 1/(1 + e) or e/(1 + e). log(1 + e) rather
    /// than log1p(e) (twice the cost): its absolute error stays at rounding level, which is all a sum of
    /// O(1) terms needs.
    @inline(__always)
    private static func evaluate(
        p: Int, length: Int, _ b: UnsafePointer<Double>, y: UnsafePointer<Double>, offset: UnsafePointer<Double>,
        rows: UnsafePointer<Double>, stride: Int, dispersion r: Double, logR: Double, poisson: Bool, priorVariance: Double,
        gradient g: UnsafeMutablePointer<Double>, hessian h: UnsafeMutablePointer<Double>
    ) -> Double {
        var f = 0.0
        var pen = 0.0
        for k in 0..<p {
            pen += b[k] * b[k]
            g[k] = -b[k] / priorVariance
            for l in 0..<p { h[k &* p &+ l] = 0 }
            h[k &* p &+ k] = 1 / priorVariance
        }
        if p == 2 && !poisson {
            // The default p = 2 with the sums in registers (the general loop below goes through g and h
            // in memory at every bin).
            let r0 = rows, r1 = rows + stride, b0 = b[0], b1 = b[1]
            var g0 = 0.0, g1 = 0.0, h00 = 0.0, h10 = 0.0, h11 = 0.0
            for t in 0..<length {
                let yt = y[t]
                if yt.isNaN { continue }
                let x0 = r0[t], x1 = r1[t]
                var eta = offset[t]
                eta += b0 * x0
                eta += b1 * x1
                let diff = eta - logR
                let e = Double.exp(-Swift.abs(diff))
                let onePlus = 1 + e
                f += yt * eta - (yt + r) * (Swift.max(eta, logR) + Double.log(onePlus))
                let prob = diff > 0 ? 1 / onePlus : e / onePlus
                let score = yt - (yt + r) * prob
                let weight = (yt + r) * prob * (1 - prob)
                g0 += score * x0
                g1 += score * x1
                let w0 = weight * x0, w1 = weight * x1
                h00 += w0 * x0
                h10 += w1 * x0
                h11 += w1 * x1
            }
            g[0] += g0
            g[1] += g1
            h[0] += h00
            h[2] += h10
            h[3] += h11
            return f - 0.5 * pen / priorVariance
        }
        for t in 0..<length {
            let yt = y[t]
            if yt.isNaN { continue }
            var eta = offset[t]
            for k in 0..<p { eta += b[k] * rows[k &* stride &+ t] }
            let score: Double, weight: Double
            if poisson {
                let mu = Double.exp(eta)
                f += yt * eta - mu
                score = yt - mu
                weight = mu
            } else {
                let diff = eta - logR
                let e = Double.exp(-Swift.abs(diff))
                let onePlus = 1 + e
                f += yt * eta - (yt + r) * (Swift.max(eta, logR) + Double.log(onePlus))
                let prob = diff > 0 ? 1 / onePlus : e / onePlus
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
        return f - 0.5 * pen / priorVariance
    }

    /// In-place lower Cholesky of the small p × p matrix whose lower triangle `h` holds (upper
    /// triangle zeroed). False if not positive definite.
    @inline(__always)
    private static func smallCholesky(_ h: UnsafeMutablePointer<Double>, _ p: Int) -> Bool {
        for j in 0..<p {
            var diagonal = h[j &* p &+ j]
            for k in 0..<j { diagonal -= h[j &* p &+ k] * h[j &* p &+ k] }
            guard diagonal > 0, diagonal.isFinite else { return false }
            let root = diagonal.squareRoot()
            h[j &* p &+ j] = root
            var i = j &+ 1
            while i < p {
                var v = h[i &* p &+ j]
                for k in 0..<j { v -= h[i &* p &+ k] * h[j &* p &+ k] }
                h[i &* p &+ j] = v / root
                h[j &* p &+ i] = 0
                i &+= 1
            }
        }
        return true
    }

    /// Fits the mode by damped Newton and returns the log marginal. `rows` points at the p latent rows
    /// (each `stride` apart, length T); `offset_t` = d_i + μ_t. Returns −∞ if the fit fails.
    ///
    /// The Newton start is β = 0, or `start` when given (a warm start, e.g. the neuron's current
    /// loadings for its own cluster): the objective is strictly concave, so the mode, and with it the
    /// value, does not depend on the start beyond the stopping tolerance (Newton decrement < 10⁻¹⁰).
    /// Each pass over the bins gives f, g and −∇²f together, so an accepted step costs one pass and the
    /// factor kept for `drawLoadings` is the one at the returned mode.
    mutating func logMarginal(
        y: UnsafePointer<Double>, offset: UnsafePointer<Double>, rows: UnsafePointer<Double>, stride: Int,
        dispersion r: Double, poisson: Bool, priorVariance: Double, start: UnsafePointer<Double>? = nil
    ) -> Double {
        let p = self.p, length = self.length
        for k in 0..<p { beta[k] = start?[k] ?? 0 }
        var value = 0.0
        let logR = Double.log(r)
        let ok: Bool = beta.withUnsafeMutableBufferPointer { bb in
            gradient.withUnsafeMutableBufferPointer { gb in
                hessian.withUnsafeMutableBufferPointer { hb in
                    step.withUnsafeMutableBufferPointer { sb in
                        trial.withUnsafeMutableBufferPointer { tb in
                            trialGradient.withUnsafeMutableBufferPointer { tgb in
                                trialHessian.withUnsafeMutableBufferPointer { thb in
            let b = bb.baseAddress!, s = sb.baseAddress!, tr = tb.baseAddress!
            var g = gb.baseAddress!, h = hb.baseAddress!, tg = tgb.baseAddress!, th = thb.baseAddress!
            var f = LaplaceMarginal.evaluate(
                p: p, length: length, b, y: y, offset: offset, rows: rows, stride: stride, dispersion: r, logR: logR,
                poisson: poisson, priorVariance: priorVariance, gradient: g, hessian: h)
            guard f.isFinite else { return false }
            var factored = false
            for _ in 0..<40 {
                guard LaplaceMarginal.smallCholesky(h, p) else { return false }
                factored = true
                for k in 0..<p { s[k] = g[k] }
                DenseKernels.solveLower(h, s, p)
                DenseKernels.solveLowerTransposed(h, s, p)
                var decrement = 0.0
                for k in 0..<p { decrement += s[k] * g[k] }
                if decrement < 1e-10 { break }
                var scale = 1.0
                var accepted = false
                for _ in 0..<30 {
                    for k in 0..<p { tr[k] = b[k] + scale * s[k] }
                    let ft = LaplaceMarginal.evaluate(
                        p: p, length: length, tr, y: y, offset: offset, rows: rows, stride: stride, dispersion: r, logR: logR,
                        poisson: poisson, priorVariance: priorVariance, gradient: tg, hessian: th)
                    if ft >= f - 1e-12 { f = ft; accepted = true; break }
                    scale *= 0.5
                }
                // No ascent along the Newton direction: b is the mode to rounding, and h already holds
                // the factor at b.
                if !accepted { break }
                for k in 0..<p { b[k] = tr[k] }
                swap(&g, &tg)
                swap(&h, &th)
                factored = false
            }
            value = f
            // The factor at the final point must end up in `hessian` for `drawLoadings`.
            if h != hb.baseAddress! {
                for k in 0..<(p &* p) { hb[k] = h[k] }
                for k in 0..<p { gb[k] = g[k] }
            }
            return factored || LaplaceMarginal.smallCholesky(hb.baseAddress!, p)
                                }
                            }
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
