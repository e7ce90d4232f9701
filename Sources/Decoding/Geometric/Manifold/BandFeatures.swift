import Foundation
import NeuroCore
import Recording

/// Step 1 of the manifold pipeline: per channel, the log power in a few frequency bands.
///
/// Spectra are Welch estimates (NeuroCore `PowerSpectrum`, Hann window, 1 s segments or the whole
/// epoch if shorter, half overlap), integrated over each band. Log power because band power is
/// multiplicative across trials and channels; the log makes it additive and roughly Gaussian.
public struct BandFeatures: Sendable, Hashable {
    /// Frequency bands in Hz, each [low, high].
    public var bands: [ClosedRange<Double>]
    /// Added before the log (in V²) so silent channels give a finite value.
    public var floor: Double

    public init(bands: [ClosedRange<Double>] = [4...8, 8...13, 13...20, 20...30], floor: Double = 1e-30) {
        self.bands = bands
        self.floor = floor
    }

    public func validate() throws {
        try ParameterError.check(!bands.isEmpty, "bands", expected: "at least one band", found: "none")
        for band in bands {
            try ParameterError.check(band.lowerBound >= 0 && band.upperBound > band.lowerBound, "bands", expected: "0 ≤ low < high", found: band)
        }
    }

    /// Features of every trial: trials × channels × bands, row-major.
    public func transform(_ epochs: Epochs) throws -> [Double] {
        try validate()
        let nyquist = epochs.samplingRate / 2
        for band in bands {
            try ParameterError.check(band.upperBound <= nyquist, "bands", expected: "bands below Nyquist (\(nyquist) Hz)", found: band)
        }
        let (c, t, b) = (epochs.channelCount, epochs.sampleCount, bands.count)
        let segment = Swift.min(t, Swift.max(8, Int(epochs.samplingRate.rounded())))
        let configuration = WelchConfiguration(segmentLength: segment)
        var out = [Double](repeating: 0, count: epochs.trialCount * c * b)
        for trial in 0..<epochs.trialCount {
            let block = epochs.trial(trial)
            let x = Matrix<Double>(rows: c, columns: t, elements: block.map(Double.init))
            let spectrum = try PowerSpectrum(welch: x, samplingRate: epochs.samplingRate, configuration: configuration)
            for (k, band) in bands.enumerated() {
                let power = try spectrum.bandPower(low: band.lowerBound, high: band.upperBound)
                for ch in 0..<c { out[(trial * c + ch) * b + k] = Foundation.log(power[ch] + floor) }
            }
        }
        return out
    }
}
