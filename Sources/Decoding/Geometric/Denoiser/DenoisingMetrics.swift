import Foundation
import NeuroCore

/// EEGdenoiseNet's metrics between a denoised segment ŷ and the clean one x.
public enum DenoisingMetrics {
    /// Pearson correlation coefficient CC(ŷ, x).
    public static func correlation(_ estimate: [Double], _ clean: [Double]) throws -> Double {
        try check(estimate, clean)
        let n = Double(clean.count)
        let (ma, mb) = (estimate.reduce(0, +) / n, clean.reduce(0, +) / n)
        var (sab, saa, sbb) = (0.0, 0.0, 0.0)
        for i in clean.indices {
            let (a, b) = (estimate[i] - ma, clean[i] - mb)
            sab += a * b; saa += a * a; sbb += b * b
        }
        guard saa > 0, sbb > 0 else { return 0 }
        return sab / (saa * sbb).squareRoot()
    }

    /// Temporal RRMSE: RMS(ŷ − x) / RMS(x).
    public static func relativeRMSE(_ estimate: [Double], _ clean: [Double]) throws -> Double {
        try check(estimate, clean)
        return NoiseMixing.rms(zip(estimate, clean).map { $0 - $1 }) / Swift.max(NoiseMixing.rms(clean), 1e-300)
    }

    /// Spectral RRMSE: RMS(PSD(ŷ) − PSD(x)) / RMS(PSD(x)), with Welch PSDs (Hann, segments of
    /// min(n, fs) samples, half overlap), as EEGdenoiseNet computes it on Welch spectra.
    public static func spectralRelativeRMSE(_ estimate: [Double], _ clean: [Double], samplingRate: Double) throws -> Double {
        try check(estimate, clean)
        let configuration = WelchConfiguration(segmentLength: Swift.min(clean.count, Swift.max(8, Int(samplingRate.rounded()))))
        let pe = try PowerSpectrum(welch: estimate, samplingRate: samplingRate, configuration: configuration).power.elements
        let pc = try PowerSpectrum(welch: clean, samplingRate: samplingRate, configuration: configuration).power.elements
        return NoiseMixing.rms(zip(pe, pc).map { $0 - $1 }) / Swift.max(NoiseMixing.rms(pc), 1e-300)
    }

    static func check(_ a: [Double], _ b: [Double]) throws {
        try ParameterError.check(a.count == b.count && !a.isEmpty, "segments", expected: "two non-empty segments of equal length", found: "\(a.count) vs \(b.count)")
    }
}
