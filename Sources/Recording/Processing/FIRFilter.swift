import Foundation
import NeuroCore
import RealModule

/// A linear-phase FIR filter: odd-length, symmetric taps designed by the window method.
///
/// `init(band:length:samplingRate:window:scale:)` is `scipy.signal.firwin`: the ideal response
/// (a sum of sinc functions, one per pass band) truncated to `length` taps, tapered by a symmetric
/// window and scaled to unit gain at the centre of the first pass band (0 Hz for a lowpass or
/// bandstop, Nyquist for a highpass, the band centre for a bandpass).
/// `automatic(band:samplingRate:window:)` picks the length and transition bands by MNE's rules.
public struct FIRFilter: Sendable, Hashable {
    /// The impulse response, `length` taps.
    public let taps: [Double]

    /// A filter with the given taps (at least one, all finite).
    public init(taps: [Double]) throws {
        try ParameterError.check(!taps.isEmpty, "taps", expected: "at least one tap", found: "none")
        try ParameterError.check(taps.allSatisfy(\.isFinite), "taps", expected: "finite values", found: "a non-finite tap")
        self.taps = taps
    }

    public var length: Int { taps.count }
    /// The group delay in samples, (length − 1) / 2, removed by zero-phase filtering.
    public var delay: Double { Double(taps.count - 1) / 2 }

    /// The window-method design of `scipy.signal.firwin(length, cutoffs, window=window,
    /// pass_zero=..., scale=scale, fs=samplingRate)`, edges of `band` being the cutoffs (−6 dB points).
    /// Filters that pass the Nyquist frequency (highpass, bandstop) need an odd length.
    public init(
        band: FilterBand, length: Int, samplingRate: Double, window: FIRWindow = .hamming, scale: Bool = true
    ) throws {
        try band.validate(samplingRate: samplingRate)
        try ParameterError.check(length >= 1, "length", expected: "≥ 1 tap", found: length)
        try ParameterError.check(
            !band.passesNyquist || length % 2 == 1, "length",
            expected: "an odd length for a filter that passes the Nyquist frequency", found: length)
        // Edges relative to Nyquist, with 0 and 1 added where the band reaches them.
        var edges = band.edges.map { 2 * $0 / samplingRate }
        if band.passesZero { edges.insert(0, at: 0) }
        if band.passesNyquist { edges.append(1) }
        let bands = stride(from: 0, to: edges.count, by: 2).map { (edges[$0], edges[$0 + 1]) }

        let alpha = 0.5 * Double(length - 1)
        let w = window.coefficients(length)
        var h = [Double](repeating: 0, count: length)
        for i in 0..<length {
            let m = Double(i) - alpha
            var value = 0.0
            for (left, right) in bands {
                value += right * FIRFilter.sinc(right * m) - left * FIRFilter.sinc(left * m)
            }
            h[i] = value * w[i]
        }
        if scale {
            let (left, right) = bands[0]
            let f = left == 0 ? 0 : (right == 1 ? 1 : 0.5 * (left + right))
            var s = 0.0
            for i in 0..<length { s += h[i] * Double.cos(Double.pi * (Double(i) - alpha) * f) }
            for i in 0..<length { h[i] /= s }
        }
        self.taps = h
    }

    /// The filter MNE's `filter_data(..., method='fir', fir_design='firwin', phase='zero',
    /// filter_length='auto', l/h_trans_bandwidth='auto')` would choose for `band`:
    ///
    /// - transition bandwidth at a low edge `l`: min(max(0.25·l, 2 Hz), l); at a high edge `h`:
    ///   min(max(0.25·h, 2 Hz), fs/2 − h) (for a bandstop the transitions lie inside the stop band,
    ///   each at most half its width);
    /// - length: ceil(factor · fs / narrowest transition) samples, made odd (factor 3.3 for Hamming,
    ///   3.1 Hann, 5.0 Blackman — MNE's `_length_factors`);
    /// - cutoffs (−6 dB) at the centre of each transition band, so the given edges are pass-band edges.
    ///
    /// One `firwin` filter is designed with these cutoffs; MNE builds multi-edge filters from one
    /// `firwin` per transition band, so for a bandpass with unequal transitions its taps differ
    /// slightly from these (the band edges and attenuation are the same).
    public static func automatic(band: FilterBand, samplingRate fs: Double, window: FIRWindow = .hamming) throws -> FIRFilter {
        try band.validate(samplingRate: fs)
        guard let factor = window.lengthFactor else {
            throw ParameterError("window", expected: "hamming, hann or blackman for an automatic length", found: "\(window)")
        }
        let nyquist = fs / 2
        func lowTransition(_ l: Double) -> Double { min(max(0.25 * l, 2), l) }
        func highTransition(_ h: Double) -> Double { min(max(0.25 * h, 2), nyquist - h) }
        let designed: FilterBand
        let narrowest: Double
        switch band {
        case .lowpass(let h):
            let t = highTransition(h)
            designed = .lowpass(h + t / 2)
            narrowest = t
        case .highpass(let l):
            let t = lowTransition(l)
            designed = .highpass(l - t / 2)
            narrowest = t
        case .bandpass(let l, let h):
            let (tl, th) = (lowTransition(l), highTransition(h))
            designed = .bandpass(l - tl / 2, h + th / 2)
            narrowest = min(tl, th)
        case .bandstop(let l, let h):
            let half = (h - l) / 2
            let (tl, th) = (min(highTransition(l), half), min(lowTransition(h), half))
            designed = .bandstop(l + tl / 2, h - th / 2)
            narrowest = min(tl, th)
        }
        var length = max(Int((factor / narrowest * fs).rounded(.up)), 1)
        length += (length - 1) % 2
        return try FIRFilter(band: designed, length: length, samplingRate: fs, window: window)
    }

    /// sin(πx)/(πx), 1 at 0.
    static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let y = Double.pi * x
        return Double.sin(y) / y
    }
}
