import Foundation

/// A multichannel signal sampled at one rate: channels × samples, in SI units (volts).
///
/// Samples are stored channel-major in one contiguous `[Float]` (channel `c` occupies
/// `samples[c * sampleCount ..< (c + 1) * sampleCount]`), so one channel is a contiguous run that
/// filters and FFTs take without copying. `Float` because every acquisition format stores at most
/// 24 bits per sample (EDF 16, BDF 24, BrainVision int16/int32/float32): a 24-bit ADC value has
/// 7 significant digits, which Float's 24-bit mantissa holds exactly, at half the memory and
/// bandwidth of Double. Statistics accumulated over a signal should use Double (see `matrix()`).
///
/// Times are seconds from the first sample; `startTime` is the wall-clock time of that sample when
/// the file records it. Transforms return new values.
public struct TimeSeries: Sendable, Hashable {
    public let channels: [Channel]
    public let samplingRate: Double
    public let sampleCount: Int
    /// Channel-major samples in SI units, `channels.count × sampleCount`.
    public let samples: [Float]
    public let startTime: Date?
    public let annotations: Annotations

    public init(
        samples: [Float], channels: [Channel], samplingRate: Double,
        startTime: Date? = nil, annotations: Annotations = .empty
    ) throws {
        guard samplingRate.isFinite, samplingRate > 0 else {
            throw RecordingError.invalidValue(
                type: "TimeSeries", field: "samplingRate", expected: "a finite rate > 0 Hz", found: "\(samplingRate)")
        }
        guard !channels.isEmpty else {
            throw RecordingError.invalidValue(
                type: "TimeSeries", field: "channels", expected: "at least one channel", found: "none")
        }
        guard samples.count % channels.count == 0 else {
            throw RecordingError.invalidValue(
                type: "TimeSeries", field: "samples",
                expected: "a multiple of the \(channels.count) channels", found: "\(samples.count) samples")
        }
        var names = Set<String>()
        for channel in channels where !names.insert(channel.name).inserted {
            throw RecordingError.invalidValue(
                type: "TimeSeries", field: "channels", expected: "unique channel names",
                found: "\"\(channel.name)\" twice")
        }
        self.samples = samples
        self.channels = channels
        self.samplingRate = samplingRate
        self.sampleCount = samples.count / channels.count
        self.startTime = startTime
        self.annotations = annotations
    }

    public var channelCount: Int { channels.count }
    /// Duration in seconds (`sampleCount / samplingRate`).
    public var duration: Double { Double(sampleCount) / samplingRate }
    public var channelNames: [String] { channels.map(\.name) }

    /// The samples of channel `index` (a contiguous slice of `samples`).
    public func channel(at index: Int) -> ArraySlice<Float> {
        precondition(channels.indices.contains(index), "channel index \(index) out of range")
        return samples[index * sampleCount ..< (index + 1) * sampleCount]
    }

    /// The samples of the channel named `name`.
    public func channel(named name: String) throws -> [Float] {
        Array(channel(at: try index(of: name)))
    }

    /// The sample at `channel`, `sample`.
    public subscript(channel: Int, sample: Int) -> Float {
        samples[channel &* sampleCount &+ sample]
    }

    /// A series with only the named channels, in the order given.
    public func selecting(channels names: [String]) throws -> TimeSeries {
        let indices = try names.map { try index(of: $0) }
        var out = [Float]()
        out.reserveCapacity(indices.count * sampleCount)
        for i in indices { out.append(contentsOf: channel(at: i)) }
        return try TimeSeries(
            samples: out, channels: indices.map { channels[$0] }, samplingRate: samplingRate,
            startTime: startTime, annotations: annotations)
    }

    /// The samples whose times `i / samplingRate` lie in `seconds` (half-open), with the start
    /// time advanced and the overlapping annotations moved to the new origin.
    public func slice(seconds: Range<Double>) throws -> TimeSeries {
        guard seconds.lowerBound.isFinite, seconds.upperBound.isFinite, seconds.lowerBound >= 0 else {
            throw RecordingError.invalidValue(
                type: "TimeSeries", field: "slice", expected: "a finite range within 0..<\(duration) s",
                found: "\(seconds)")
        }
        let first = Int(min(Double(sampleCount), (seconds.lowerBound * samplingRate).rounded(.up)))
        let end = max(first, Int(min(Double(sampleCount), (seconds.upperBound * samplingRate).rounded(.up))))
        return try slice(samples: first ..< end)
    }

    /// The samples with indices in `range` (clamped to the series).
    public func slice(samples range: Range<Int>) throws -> TimeSeries {
        let first = max(0, min(range.lowerBound, sampleCount))
        let end = max(first, min(range.upperBound, sampleCount))
        let n = end - first
        var out = [Float]()
        out.reserveCapacity(n * channelCount)
        for c in 0 ..< channelCount {
            out.append(contentsOf: samples[c * sampleCount + first ..< c * sampleCount + end])
        }
        let offset = Double(first) / samplingRate
        return try TimeSeries(
            samples: out, channels: channels, samplingRate: samplingRate,
            startTime: startTime?.addingTimeInterval(offset),
            annotations: annotations.shifted(toWindow: offset ..< offset + Double(n) / samplingRate))
    }

    /// The same series with other annotations.
    public func replacingAnnotations(_ annotations: Annotations) -> TimeSeries {
        try! TimeSeries(
            samples: samples, channels: channels, samplingRate: samplingRate,
            startTime: startTime, annotations: annotations)
    }

    /// The samples as a `channels × samples` Double matrix (for covariance and linear algebra).
    public func matrix() -> Matrix<Double> {
        Matrix(rows: channelCount, columns: sampleCount, elements: samples.map { Double($0) })
    }

    func index(of name: String) throws -> Int {
        guard let i = channels.firstIndex(where: { $0.name == name }) else {
            throw RecordingError.unknownChannel(file: "TimeSeries", name: name, available: channelNames)
        }
        return i
    }
}
