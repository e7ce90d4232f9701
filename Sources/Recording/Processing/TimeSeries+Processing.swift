import Foundation
import NeuroCore

/// A filter that can run forwards and backwards over a signal (zero phase).
public protocol ZeroPhaseFilter: Sendable {
    /// The zero-phase output for `x`, same length.
    func filtfilt(_ x: [Double]) throws -> [Double]
}

extension FIRFilter: ZeroPhaseFilter {}
extension SecondOrderSections: ZeroPhaseFilter {}

extension TimeSeries {
    /// The channel kinds processed by default: everything but stimulus channels, whose values are
    /// event codes that filtering or interpolation would corrupt.
    public static let signalKinds: Set<ChannelKind> = Set(ChannelKind.allCases).subtracting([.stimulus])

    /// The series with `filter` applied forwards and backwards to each channel whose kind is in
    /// `kinds` (others copied unchanged). Computed in Double, stored as Float; channels run in parallel.
    public func filtered(_ filter: some ZeroPhaseFilter, kinds: Set<ChannelKind> = TimeSeries.signalKinds) throws -> TimeSeries {
        let channelData = try concurrentMap(count: channelCount) { c -> [Float] in
            let input = self.channel(at: c)
            guard kinds.contains(self.channels[c].kind) else { return Array(input) }
            return try filter.filtfilt(input.map(Double.init)).map(Float.init)
        }
        return try TimeSeries(
            samples: Array(channelData.joined()), channels: channels, samplingRate: samplingRate,
            startTime: startTime, annotations: annotations)
    }

    /// Zero-phase filtering by MNE's default design for `band` (a Hamming-window FIR of automatic
    /// length, `FIRFilter.automatic`), or a Butterworth of `iirOrder` applied forwards and backwards.
    public func filtered(band: FilterBand, iirOrder: Int? = nil, kinds: Set<ChannelKind> = TimeSeries.signalKinds) throws -> TimeSeries {
        if let iirOrder {
            return try filtered(SecondOrderSections.butterworth(order: iirOrder, band: band, samplingRate: samplingRate), kinds: kinds)
        }
        return try filtered(FIRFilter.automatic(band: band, samplingRate: samplingRate), kinds: kinds)
    }

    /// The series resampled by up/down (`PolyphaseResampler`, scipy's `resample_poly`); the rate
    /// becomes rate·up/down. Stimulus channels keep the code of the nearest earlier input sample
    /// instead of being interpolated. Annotations (in seconds) are unchanged.
    public func resampled(up: Int, down: Int, window: FIRWindow = .kaiser(beta: 5)) throws -> TimeSeries {
        let resampler = try PolyphaseResampler(up: up, down: down, window: window)
        let n = resampler.outputLength(for: sampleCount)
        let (u, d) = (resampler.up, resampler.down)
        let channelData = try concurrentMap(count: channelCount) { c -> [Float] in
            let input = self.channel(at: c)
            if self.channels[c].kind == .stimulus {
                return (0..<n).map { j in input[input.startIndex + min(self.sampleCount - 1, j * d / u)] }
            }
            return resampler.resample(input.map(Double.init)).map(Float.init)
        }
        return try TimeSeries(
            samples: Array(channelData.joined()), channels: channels, samplingRate: samplingRate * Double(u) / Double(d),
            startTime: startTime, annotations: annotations)
    }

    /// The series resampled to `rate` Hz; the ratio rate/samplingRate must be rational with both
    /// rates given to a millihertz (e.g. 160 → 250 Hz is up 25, down 16).
    public func resampled(to rate: Double, window: FIRWindow = .kaiser(beta: 5)) throws -> TimeSeries {
        try ParameterError.check(rate.isFinite && rate > 0, "rate", expected: "a finite rate > 0 Hz", found: rate)
        let (newMilli, oldMilli) = ((rate * 1000).rounded(), (samplingRate * 1000).rounded())
        try ParameterError.check(
            abs(newMilli - rate * 1000) < 1e-6 && abs(oldMilli - samplingRate * 1000) < 1e-6 && newMilli < 1e12 && oldMilli < 1e12,
            "rate", expected: "rates that are whole numbers of millihertz (\(samplingRate) Hz → \(rate) Hz)", found: rate)
        return try resampled(up: Int(newMilli), down: Int(oldMilli), window: window)
    }
}
