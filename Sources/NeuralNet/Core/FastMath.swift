// Branch-free Float kernels for exp, the normal CDF Φ and tanh, written so that the loops calling
// them auto-vectorise (libm's expf/erff are opaque calls, one element at a time, and were ~10 % of a
// transformer step). Selects replace branches, the integer part of the exponent comes from the
// float's bit pattern (no trapping conversions), and the polynomials were fitted for this file by
// Lawson-weighted least squares (a minimax approximation) in double precision.
//
// Accuracy against a double-precision reference (Tests/NeuralNetTests/FastMathTests.swift):
//   exp       ≤ 2 ulp on [−87.3, 88.3]; exactly 0 below −87.33 (where the result would be subnormal)
//   Φ         relative error ≤ 5e-7 (≤ 7 ulp) for all x, so the lower tail stays accurate, unlike
//             0.5·(1 + erf(x/√2)), which loses all digits below x ≈ −5 to cancellation
//   φ         relative error ≤ 3e-7
//   tanh      ≤ 3 ulp

enum FastMath {
    static let log2e: Float = 1.44269504088896341
    // ln 2 split so that n·ln2High is exact for |n| ≤ 2⁸.
    static let ln2High: Float = 0.693145751953125
    static let ln2Low: Float = 1.42860676533018704e-06
    /// 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer held in the low mantissa bits.
    static let roundingMagic: Float = 12582912
    static let expLowest: Float = -87.33654
    static let expHighest: Float = 88.37626

    /// eʳ ≈ 1 + r + r²·(c₂ + c₃r + c₄r² + c₅r³ + c₆r⁴) on |r| ≤ ln2/2 (relative fit error 3e-9).
    @inline(__always)
    static func expReduced(_ r: Float) -> Float {
        var q: Float = 0.00138146110008887
        q = q * r + 0.00836871003530622
        q = q * r + 0.04166838740855007
        q = q * r + 0.16666520687563116
        q = q * r + 0.4999999345147263
        return 1 + r + r * r * q
    }

    /// e^(high + low), where `high` carries the bulk of the argument exactly and `low` is small: the
    /// range reduction subtracts n·ln2 from `high` before adding `low`, so no rounding of high + low
    /// enters the result. Use `exp(_:)` for a plain argument. NaN propagates through the arithmetic
    /// (no select needed); `nonPositive` callers (softmax, Gaussians) skip the overflow handling.
    @inline(__always)
    static func exp(high: Float, low: Float, nonPositive: Bool = false) -> Float {
        let x = high + low
        let clamped = nonPositive ? Swift.max(x, expLowest) : Swift.min(Swift.max(x, expLowest), expHighest)
        let shifted = clamped * log2e + roundingMagic
        let n = shifted - roundingMagic
        let exponent = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: roundingMagic.bitPattern)
        let r = ((high - n * ln2High) + low) - n * ln2Low
        let scale = Float(bitPattern: UInt32(bitPattern: (exponent &+ 127) << 23))
        var y = expReduced(r) * scale
        y = x < expLowest ? 0 : y
        if !nonPositive { y = x > expHighest ? .infinity : y }
        return y
    }

    @inline(__always)
    static func exp(_ x: Float) -> Float { exp(high: x, low: 0) }

    /// eˣ for x ≤ 0 (or NaN), e.g. x − max in a softmax.
    @inline(__always)
    static func expNonPositive(_ x: Float) -> Float { exp(high: x, low: 0, nonPositive: true) }

    /// Φ(x) = P(N(0,1) ≤ x) and the density φ(x) = e^(−x²/2)/√(2π) together, through erfc: with
    /// z = |x|/√2 and t = 2/(2 + z), erfc(z) = t·e^(−z²)·Q(2t − 1), where Q (= erfcx(z)/t, smooth and between
    /// 0.28 and 1) is a degree-8 polynomial (relative fit error 4e-8 on z ∈ [0, 10]). Φ = erfc/2 for x ≤ 0
    /// and 1 − erfc/2 above, so the lower tail keeps its relative accuracy. The one exponential e^(−x²/2)
    /// serves both results; −x²/2 is formed from x split into 12 high bits (whose square is exact) and
    /// the rest, so its rounding does not grow with x².
    @inline(__always)
    static func normalCDFAndDensity(_ x: Float) -> (cdf: Float, density: Float) {
        let ax = Swift.min(Swift.abs(x), 14)
        let z = ax * 0.707106781186547524
        let t = 2 / (2 + z)
        let v = 2 * t - 1
        var q: Float = -2.3073912363805182e-04
        q = q * v + 3.7733832954579827e-04
        q = q * v + 1.4895278289895758e-03
        q = q * v + -3.2186480035444470e-03
        q = q * v + -1.0741788818695697e-02
        q = q * v + 1.8217593169796778e-02
        q = q * v + 1.3973481561518256e-01
        q = q * v + 3.4358048666369850e-01
        q = q * v + 5.1079137145342712e-01
        let high = Float(bitPattern: ax.bitPattern & 0xFFFF_F000)
        let low = ax - high
        let gauss = exp(high: -0.5 * high * high, low: -0.5 * (high + ax) * low, nonPositive: true)
        let halfErfc = 0.5 * t * gauss * q
        let cdf = x > 0 ? 1 - halfErfc : halfErfc
        return (cdf, 0.398942280401432678 * gauss)
    }

    @inline(__always)
    static func normalCDF(_ x: Float) -> Float { normalCDFAndDensity(x).cdf }

    /// tanh x: x + x³·Q(x²) for |x| < 0.55 (no cancellation near 0), else sign(x)·(1 − 2/(e^{2|x|} + 1)).
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let ax = Swift.abs(x)
        let w = x * x
        var q: Float = -0.00627423291072503
        q = q * w + 0.02107167396702164
        q = q * w + -0.05385230854051525
        q = q * w + 0.1333258612358427
        q = q * w + -0.33333317559141845
        let small = x + x * w * q
        let large = 1 - 2 / (exp(2 * ax) + 1)
        let signedLarge = Float(bitPattern: large.bitPattern | (x.bitPattern & 0x8000_0000))
        return ax < 0.55 ? small : signedLarge
    }

    /// σ(x) = 1/(1 + e⁻ˣ) without overflow: e^(−|x|) ≤ 1 is the only exponential taken.
    @inline(__always)
    static func logistic(_ x: Float) -> Float {
        let e = expNonPositive(-Swift.abs(x))
        let r = 1 / (1 + e)
        return x >= 0 ? r : e * r
    }
}
