// Branch-free Double exp and log, written so that loops calling them can be auto-vectorised: glibc's
// exp/log are opaque calls, one element at a time, and were ~60 % of the HMM-GLM M-step. Selects
// replace branches, the exponent is built from (or read out of) the bit pattern with the 1.5·2⁵²
// rounding trick, so no integer↔float conversion instruction is needed (SSE2 has none for Int64).
//
// Accuracy (Tests/NeuroCoreTests/FastExpLogTests.swift, against glibc): exp ≤ 2 ulp on [−708, 709];
// log ≤ 2 ulp on positive normal numbers. Domain notes are on each function.

/// Scalar kernels meant to be inlined into hot loops in other modules (hence `@inlinable`).
public enum FastExpLog {
    // The constants are literals inside the bodies, not static lets: a static let read from another
    // module goes through a lazy-initialisation accessor, which stops the caller's loop from vectorising.

    /// eˣ. Arguments are clamped into [−708, 709]: below, the result is e^−708 ≈ 3e−308 instead of a
    /// subnormal or zero (callers that need an exact 0 must select it); above, e^709 instead of +∞.
    /// NaN propagates.
    @inlinable @inline(__always)
    public static func exp(_ x: Double) -> Double {
        let clamped = Swift.min(Swift.max(x, -708), 709)
        // 1.5·2⁵² added to |y| < 2⁵¹ rounds y to an integer held in the low mantissa bits.
        let roundingMagic = 6755399441055744.0
        let shifted = clamped * 1.4426950408889634 + roundingMagic
        let n = shifted - roundingMagic
        let k = Int64(bitPattern: shifted.bitPattern) &- Int64(bitPattern: roundingMagic.bitPattern)
        // ln 2 split so that n·ln2High is exact for |n| < 2¹¹ (ln2High has 32 significant bits).
        let r = (clamped - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10   // |r| ≤ ln2/2
        // Taylor series to r¹³: the remainder r¹⁴/14! < 5e−18 on |r| ≤ 0.347, below half an ulp.
        var p = 1.6059043836821613e-10
        p = p * r + 2.08767569878681e-09
        p = p * r + 2.505210838544172e-08
        p = p * r + 2.755731922398589e-07
        p = p * r + 2.7557319223985893e-06
        p = p * r + 2.48015873015873e-05
        p = p * r + 1.984126984126984e-04
        p = p * r + 1.3888888888888889e-03
        p = p * r + 8.333333333333333e-03
        p = p * r + 4.1666666666666664e-02
        p = p * r + 0.16666666666666666
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let scale = Double(bitPattern: UInt64(bitPattern: (k &+ 1023) &<< 52))
        return p * scale
    }

    /// ln x for positive normal x (≥ 2.2e−308, finite). Zero, negative, subnormal, infinite and NaN
    /// arguments give meaningless finite values: the callers floor their arguments first.
    @inlinable @inline(__always)
    public static func log(_ x: Double) -> Double {
        let bits = x.bitPattern
        // Mantissa m ∈ [1, 2) and the biased exponent as an exact Double via the 2⁵² trick.
        var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        var e = Double(bitPattern: (bits &>> 52) | 0x4330_0000_0000_0000) - 4503599627371519   // 2⁵² + 1023
        // Bring m into [√½, √2) so that |s| below is at most 0.1716.
        let big = m > 1.4142135623730951
        m = big ? m * 0.5 : m
        e = big ? e + 1 : e
        let f = m - 1
        let s = f / (m + 1)
        let z = s * s
        // ln m = 2 atanh(s) = 2s + 2s³/3 + …: the series to s²³ leaves < 1e−18 for z ≤ 0.0295.
        var q = 1.0 / 23
        q = q * z + 1.0 / 21
        q = q * z + 1.0 / 19
        q = q * z + 1.0 / 17
        q = q * z + 1.0 / 15
        q = q * z + 1.0 / 13
        q = q * z + 1.0 / 11
        q = q * z + 1.0 / 9
        q = q * z + 1.0 / 7
        q = q * z + 1.0 / 5
        q = q * z + 1.0 / 3
        // With s = f/(2 + f): 2s = f − s·f, so ln m = f − s·(f − 2z·q), whose leading term f is exact.
        let lnM = f - s * (f - 2 * z * q)
        return e * 6.93147180369123816490e-01 + (lnM + e * 1.90821492927058770002e-10)
    }

    /// ln(1 + x) for x > −1 with 1 + x normal: the rounding of 1 + x is corrected to first order
    /// (u = 1 + x; ln u − ((u − 1) − x)/u), so tiny x keep their relative accuracy.
    @inlinable @inline(__always)
    public static func log1p(_ x: Double) -> Double {
        let u = 1 + x
        return log(u) - ((u - 1) - x) / u
    }
}
