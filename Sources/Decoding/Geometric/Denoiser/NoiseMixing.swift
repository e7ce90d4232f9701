import Foundation
import NeuroCore
import Recording

/// EEGdenoiseNet's semi-synthetic contamination: y = x + λ·n with λ = RMS(x) / (RMS(n)·10^(dB/10)).
///
/// Note the definition: their "dB" is 10·log10 of an **amplitude** (RMS) ratio, so RMS(x)/RMS(λn) =
/// 10^(dB/10) exactly; "2 dB" is an RMS ratio of 1.585 (a power ratio of 2.51). Kept exactly so
/// numbers compare with the published benchmark.
public enum NoiseMixing {
    public static func rms(_ x: [Double]) -> Double {
        var s = 0.0
        for v in x { s += v * v }
        return (s / Double(Swift.max(x.count, 1))).squareRoot()
    }

    /// The scale λ for `clean` and `noise` at `decibels` (EEGdenoiseNet's amplitude-ratio dB).
    public static func scale(clean: [Double], noise: [Double], decibels: Double) throws -> Double {
        try ParameterError.check(decibels.isFinite, "decibels", expected: "a finite SNR", found: decibels)
        let (rx, rn) = (rms(clean), rms(noise))
        try ParameterError.check(rx > 0 && rx.isFinite, "clean", expected: "a non-silent, finite segment", found: "RMS \(rx)")
        try ParameterError.check(rn > 0 && rn.isFinite, "noise", expected: "a non-silent, finite segment", found: "RMS \(rn)")
        return rx / (rn * Foundation.pow(10, decibels / 10))
    }

    /// y = x + λn at `decibels`.
    public static func mix(clean: [Double], noise: [Double], decibels: Double) throws -> [Double] {
        try ParameterError.check(clean.count == noise.count, "noise", expected: "\(clean.count) samples like the clean segment", found: noise.count)
        let lambda = try scale(clean: clean, noise: noise, decibels: decibels)
        return zip(clean, noise).map { $0 + lambda * $1 }
    }

    /// The achieved SNR of a mixture in EEGdenoiseNet dB: 10·log10(RMS(x)/RMS(y − x)).
    public static func decibels(clean: [Double], noisy: [Double]) -> Double {
        10 * Foundation.log10(rms(clean) / rms(zip(noisy, clean).map { $0 - $1 }))
    }
}

/// EMG-like noise for when real EMG segments are not available: Gaussian noise band-limited to
/// [low, high] Hz (zero-phase Butterworth), amplitude-modulated by a slow random envelope so that
/// muscle bursts come and go. Real EMG (EEGdenoiseNet's 5,598 segments) has a similar broad
/// 20–200 Hz spectrum but is not on this machine; results on this noise are *semi-synthetic*.
public struct EMGLikeNoise: Sendable, Hashable {
    public var low: Double
    public var high: Double
    /// Envelope = 1 + depth·(smoothed |Gaussian|) with a `burstRate` Hz low-pass.
    public var depth: Double
    public var burstRate: Double

    public init(low: Double = 20, high: Double = 120, depth: Double = 2, burstRate: Double = 2) {
        self.low = low
        self.high = high
        self.depth = depth
        self.burstRate = burstRate
    }

    /// `count` samples at `samplingRate`; the band's upper edge is capped at 0.45·fs.
    public func generate(count: Int, samplingRate: Double, generator: inout SeededGenerator) throws -> [Double] {
        try ParameterError.check(count >= 16, "count", expected: "≥ 16 samples", found: count)
        let top = Swift.min(high, 0.45 * samplingRate)
        try ParameterError.check(low > 0 && top > low, "low/high", expected: "0 < low < min(high, 0.45·fs)", found: "\(low)–\(top) Hz")
        let pad = count / 2
        let white = (0..<(count + 2 * pad)).map { _ in generator.normal(mean: 0, standardDeviation: 1) }
        let band = try SecondOrderSections.butterworth(order: 4, band: .bandpass(low, top), samplingRate: samplingRate)
        let carrier = Array(try band.filtfilt(white)[pad..<(pad + count)])
        let slow = (0..<(count + 2 * pad)).map { _ in generator.normal(mean: 0, standardDeviation: 1) }
        let smoother = try SecondOrderSections.butterworth(order: 2, band: .lowpass(Swift.min(burstRate, 0.4 * samplingRate)), samplingRate: samplingRate)
        let envelopeRaw = Array(try smoother.filtfilt(slow)[pad..<(pad + count)])
        let scale = NoiseMixing.rms(envelopeRaw)
        return zip(carrier, envelopeRaw).map { c, e in c * (1 + depth * abs(e) / Swift.max(scale, 1e-300)) }
    }
}
