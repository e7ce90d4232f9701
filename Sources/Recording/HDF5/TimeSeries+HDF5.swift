import Foundation

/// The HDF5 layout of a `TimeSeries` (NeuroSwift's exchange format for recordings):
///
///     /timeseries/data                    float32, channels × samples, volts
///         @sampling_rate (Hz, float64), @unit = "V",
///         @start_time (ISO 8601 UTC, when known), @start_time_unix (s since 1970, float64)
///     /timeseries/channel_names           strings, one per channel
///     /timeseries/channel_kinds           strings: eeg, seeg, ecog, eog, emg, ecg, stimulus, misc
///     /timeseries/channel_units           strings: the unit each channel had in its source file
///     /timeseries/annotations/onset       float64 seconds from the first sample
///     /timeseries/annotations/duration    float64 seconds
///     /timeseries/annotations/label       strings
///
/// plus the provenance attributes every NeuroSwift export carries at the root (`ExportProvenance`).
/// The data are chunked one channel × up to 65,536 samples and deflated, so a channel or a time
/// range reads without the rest. Writes are atomic (a complete file or none).
public enum TimeSeriesHDF5 {
    static let group = "timeseries"

    /// Writes `series` to `url`.
    public static func write(_ series: TimeSeries, to url: URL, provenance: ExportProvenance) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let root = try file.root.createGroup(group)
            let data = try root.createDataset(
                "data", shape: [series.channelCount, series.sampleCount], values: series.samples,
                chunks: [1, Swift.max(1, Swift.min(series.sampleCount, 65_536))], deflate: 4)
            try data.setAttribute("sampling_rate", series.samplingRate)
            try data.setAttribute("unit", "V")
            if let start = series.startTime {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                try data.setAttribute("start_time", formatter.string(from: start))
                try data.setAttribute("start_time_unix", start.timeIntervalSince1970)
            }
            try root.createStringDataset("channel_names", values: series.channelNames)
            try root.createStringDataset("channel_kinds", values: series.channels.map(\.kind.rawValue))
            try root.createStringDataset("channel_units", values: series.channels.map(\.originalUnit))
            let notes = try root.createGroup("annotations")
            let items = series.annotations.items
            try notes.createDataset("onset", shape: [items.count], values: items.map(\.onset))
            try notes.createDataset("duration", shape: [items.count], values: items.map(\.duration))
            try notes.createStringDataset("label", values: items.map(\.label))
        }
    }

    /// Reads a file written by `write(_:to:provenance:)`.
    public static func read(_ url: URL) throws -> TimeSeries {
        try TimeSeriesHDF5Reader(url: url).read()
    }
}

/// Reads the `TimeSeriesHDF5` layout lazily: metadata at `init`, then only the requested channels'
/// rows (one row per channel, read by HDF5 without touching the others).
public struct TimeSeriesHDF5Reader: Sendable {
    public let url: URL
    public let channels: [Channel]
    public let samplingRate: Double
    public let sampleCount: Int
    public let startTime: Date?
    public let annotations: Annotations
    let file: HDF5File

    public var channelNames: [String] { channels.map(\.name) }

    public init(url: URL) throws {
        self.url = url
        let name = url.lastPathComponent
        file = try HDF5File.open(at: url)
        let root = file.root
        guard root.contains("timeseries/data") else {
            throw RecordingError.invalidField(
                file: name, field: "/timeseries/data",
                expected: "a NeuroSwift time series (channels × samples in /timeseries/data)",
                found: "no such dataset (an HDF5 file of another layout; `neuroswift info` lists its contents)")
        }
        let data = try root.dataset("timeseries/data")
        guard data.shape.count == 2, data.shape[0] > 0 else {
            throw RecordingError.invalidField(
                file: name, field: "/timeseries/data", expected: "a 2-D channels × samples array", found: "shape \(data.shape)")
        }
        guard let rate = try? data.attribute("sampling_rate").double, rate.isFinite, rate > 0 else {
            throw RecordingError.invalidField(
                file: name, field: "/timeseries/data@sampling_rate", expected: "a positive number of Hz", found: "missing or invalid")
        }
        samplingRate = rate
        sampleCount = data.shape[1]
        let count = data.shape[0]
        func strings(_ path: String) throws -> [String] {
            let values = try root.dataset(path).readStrings()
            guard values.count == count else {
                throw RecordingError.invalidField(
                    file: name, field: "/\(path)", expected: "\(count) values (one per channel)", found: "\(values.count)")
            }
            return values
        }
        let names = try strings("timeseries/channel_names")
        let kinds = root.contains("timeseries/channel_kinds") ? try strings("timeseries/channel_kinds") : names.map { _ in "eeg" }
        let units = root.contains("timeseries/channel_units") ? try strings("timeseries/channel_units") : names.map { _ in "V" }
        channels = try (0 ..< count).map { i in
            guard let kind = ChannelKind(rawValue: kinds[i]) else {
                throw RecordingError.invalidField(
                    file: name, field: "/timeseries/channel_kinds[\(i)]",
                    expected: ChannelKind.allCases.map(\.rawValue).joined(separator: ", "), found: "\"\(kinds[i])\"")
            }
            return Channel(name: names[i], kind: kind, originalUnit: units[i])
        }
        if data.hasAttribute("start_time_unix"), let seconds = try data.attribute("start_time_unix").double {
            startTime = Date(timeIntervalSince1970: seconds)
        } else {
            startTime = nil
        }
        if root.contains("timeseries/annotations/onset") {
            let onsets = try root.dataset("timeseries/annotations/onset").readDoubles()
            let durations = try root.dataset("timeseries/annotations/duration").readDoubles()
            let labels = try root.dataset("timeseries/annotations/label").readStrings()
            guard durations.count == onsets.count, labels.count == onsets.count else {
                throw RecordingError.invalidField(
                    file: name, field: "/timeseries/annotations", expected: "onset, duration and label of equal lengths",
                    found: "\(onsets.count), \(durations.count) and \(labels.count)")
            }
            annotations = try Annotations((0 ..< onsets.count).map {
                Annotation(onset: onsets[$0], duration: durations[$0], label: labels[$0])
            })
        } else {
            annotations = .empty
        }
    }

    /// Reads the named channels (all when nil) over `timeRange` seconds (everything when nil).
    public func read(channels names: [String]? = nil, timeRange: Range<Double>? = nil) throws -> TimeSeries {
        let data = try file.root.dataset("timeseries/data")
        let indices = try (names ?? channelNames).map { name in
            guard let i = channels.firstIndex(where: { $0.name == name }) else {
                throw RecordingError.unknownChannel(file: url.lastPathComponent, name: name, available: channelNames)
            }
            return i
        }
        var samples = [Float]()
        if names == nil {
            samples = try data.readFloats()
        } else {
            samples.reserveCapacity(indices.count * sampleCount)
            for i in indices { samples.append(contentsOf: try data.readFloats(rows: i ..< i + 1)) }
        }
        let series = try TimeSeries(
            samples: samples, channels: indices.map { channels[$0] }, samplingRate: samplingRate,
            startTime: startTime, annotations: annotations)
        return try timeRange.map { try series.slice(seconds: $0) } ?? series
    }
}
