import Foundation
import NeuroCore
import Recording

/// Labelled epochs with the recording (run, session) each trial came from.
public struct GroupedEpochs: Sendable {
    public let epochs: Epochs
    /// The index into `groupNames` of each trial's recording.
    public let groups: [Int]
    public let groupNames: [String]

    public init(epochs: Epochs, groups: [Int], groupNames: [String]) throws {
        try ParameterError.check(groups.count == epochs.trialCount, "groups", expected: "one per trial (\(epochs.trialCount))", found: groups.count)
        self.epochs = epochs
        self.groups = groups
        self.groupNames = groupNames
    }
}

/// Recording files → band-passed, windowed, labelled epochs: the front end of `neuroswift decode eeg`
/// and of the benchmark's real data sets.
///
/// Each file is filtered as a whole (zero-phase, MNE's default FIR design, or a Butterworth of
/// `iirOrder` forwards and backwards) before epochs are cut, so filter edges never fall inside a
/// trial; no baseline is removed (covariance estimators centre each trial).
public struct EpochExtraction: Sendable, Hashable {
    /// Annotation labels to keep (at least two).
    public var events: [String]
    /// Pass band in Hz, or nil for none.
    public var band: ClosedRange<Double>?
    /// Window relative to each event, seconds (both ends included).
    public var window: ClosedRange<Double>
    /// Channels to keep by name; nil keeps every EEG-kind channel (every channel if none is EEG).
    public var channels: [String]?
    /// Butterworth order for an IIR filter instead of the FIR default.
    public var iirOrder: Int?
    /// Rename labels after epoching (e.g. "T1" → "left"); unmapped labels stay.
    public var labelNames: [String: String]

    public init(events: [String], band: ClosedRange<Double>? = 8...30, window: ClosedRange<Double> = 0.5...2.5,
                channels: [String]? = nil, iirOrder: Int? = nil, labelNames: [String: String] = [:]) {
        self.events = events
        self.band = band
        self.window = window
        self.channels = channels
        self.iirOrder = iirOrder
        self.labelNames = labelNames
    }

    public func epochs(from files: [URL]) throws -> GroupedEpochs {
        try ParameterError.check(!files.isEmpty, "files", expected: "at least one recording", found: 0)
        try ParameterError.check(Set(events).count >= 2, "events", expected: "at least two distinct event labels", found: events)
        var data = [Float]()
        var labels = [String]()
        var groups = [Int]()
        var reference: Epochs? = nil
        for (g, file) in files.enumerated() {
            var series = try RecordingFile.open(file)
            let names: [String]
            if let channels {
                names = channels
            } else {
                let eeg = series.channels.filter { $0.kind == .eeg }.map(\.name)
                names = eeg.isEmpty ? series.channels.filter { $0.kind != .stimulus }.map(\.name) : eeg
            }
            series = try series.selecting(channels: names)
            if let band {
                series = try series.filtered(band: .bandpass(band.lowerBound, band.upperBound), iirOrder: iirOrder)
            }
            let present = Set(series.annotations.labels)
            let wanted = Set(events).intersection(present)
            guard !wanted.isEmpty else { continue }
            let result = try series.epochs(EpochingConfiguration(
                tmin: window.lowerBound, tmax: window.upperBound, labels: wanted, baseline: nil, rejectByAnnotation: true))
            guard let epochs = result.epochs else { continue }
            if let reference {
                guard epochs.channels.map(\.name) == reference.channels.map(\.name), epochs.sampleCount == reference.sampleCount,
                      epochs.samplingRate == reference.samplingRate else {
                    throw ParameterError("files", expected: "recordings with the same channels and sampling rate as \(files[0].lastPathComponent)", found: file.lastPathComponent)
                }
            } else {
                reference = epochs
            }
            data.append(contentsOf: epochs.data)
            labels.append(contentsOf: epochs.labels.map { labelNames[$0] ?? $0 })
            groups.append(contentsOf: Array(repeating: g, count: epochs.trialCount))
        }
        guard let reference else {
            throw ParameterError("events", expected: "labels present in the recordings' annotations", found: events)
        }
        let epochs = try Epochs(data: data, channels: reference.channels, labels: labels, samplingRate: reference.samplingRate, tmin: reference.tmin)
        return try GroupedEpochs(epochs: epochs, groups: groups, groupNames: files.map(\.lastPathComponent))
    }
}
