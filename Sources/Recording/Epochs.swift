import Foundation

/// Trials cut from a recording around events: trials × channels × samples in SI units (volts).
///
/// Stored trial-major, then channel, then sample, in one contiguous `[Float]` (see `TimeSeries`
/// for why Float), so one trial is a contiguous `channels × samples` block, the layout decoders
/// and covariance estimators take. `times[i] = tmin + i / samplingRate` is in seconds relative to
/// the event; `labels[t]` is the label of trial `t` (its annotation's label).
public struct Epochs: Sendable, Hashable {
    public let data: [Float]
    public let channels: [Channel]
    public let labels: [String]
    public let samplingRate: Double
    /// Time of the first sample relative to the event, in seconds (negative for a baseline).
    public let tmin: Double
    public let sampleCount: Int

    public init(data: [Float], channels: [Channel], labels: [String], samplingRate: Double, tmin: Double) throws {
        guard samplingRate.isFinite, samplingRate > 0 else {
            throw RecordingError.invalidValue(
                type: "Epochs", field: "samplingRate", expected: "a finite rate > 0 Hz", found: "\(samplingRate)")
        }
        guard tmin.isFinite else {
            throw RecordingError.invalidValue(type: "Epochs", field: "tmin", expected: "a finite time", found: "\(tmin)")
        }
        guard !channels.isEmpty, !labels.isEmpty else {
            throw RecordingError.invalidValue(
                type: "Epochs", field: channels.isEmpty ? "channels" : "labels",
                expected: "at least one", found: "none")
        }
        let perSample = channels.count * labels.count
        guard data.count % perSample == 0, data.count > 0 else {
            throw RecordingError.invalidValue(
                type: "Epochs", field: "data",
                expected: "a non-zero multiple of \(labels.count) trials × \(channels.count) channels",
                found: "\(data.count) values")
        }
        self.data = data
        self.channels = channels
        self.labels = labels
        self.samplingRate = samplingRate
        self.tmin = tmin
        self.sampleCount = data.count / perSample
    }

    public var trialCount: Int { labels.count }
    public var channelCount: Int { channels.count }
    /// The time axis in seconds relative to the event.
    public var times: [Double] { (0 ..< sampleCount).map { tmin + Double($0) / samplingRate } }

    /// Trial `t` as a contiguous `channels × samples` block.
    public func trial(_ t: Int) -> ArraySlice<Float> {
        precondition((0 ..< trialCount).contains(t), "trial \(t) out of range")
        let size = channelCount * sampleCount
        return data[t * size ..< (t + 1) * size]
    }

    public subscript(trial: Int, channel: Int, sample: Int) -> Float {
        data[(trial &* channelCount &+ channel) &* sampleCount &+ sample]
    }

    /// The trials whose label is in `keep`, in their original order.
    public func selecting(labels keep: Set<String>) throws -> Epochs {
        let chosen = labels.indices.filter { keep.contains(labels[$0]) }
        var out = [Float]()
        out.reserveCapacity(chosen.count * channelCount * sampleCount)
        for t in chosen { out.append(contentsOf: trial(t)) }
        return try Epochs(
            data: out, channels: channels, labels: chosen.map { labels[$0] }, samplingRate: samplingRate, tmin: tmin)
    }
}
