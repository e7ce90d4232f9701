import Foundation
import NeuroCore

/// The interval whose mean is subtracted from each channel of an epoch, in seconds relative to
/// the event; nil ends mean the epoch's start or end (MNE's `baseline=(None, 0)` is the default).
public struct Baseline: Sendable, Hashable {
    public var start: Double?
    public var end: Double?

    public init(start: Double? = nil, end: Double? = 0) {
        self.start = start
        self.end = end
    }
}

/// Settings for cutting epochs around annotations; defaults are MNE's `Epochs` defaults.
public struct EpochingConfiguration: Sendable, Hashable {
    /// First and last sample times relative to each event, in seconds (both included).
    public var tmin: Double
    public var tmax: Double
    /// The annotation labels to epoch; nil means every label that gets an event code.
    public var labels: Set<String>?
    /// Mean removal per channel (stimulus channels excepted); nil keeps the data as is.
    public var baseline: Baseline?
    /// Peak-to-peak limits in volts per channel kind (MNE's `reject`, e.g. `[.eeg: 150e-6]`):
    /// an epoch where any channel of that kind spans more than its limit is dropped.
    public var rejection: [ChannelKind: Double]
    /// Drop epochs overlapping an annotation whose label starts with "bad" (any case), as MNE's
    /// `reject_by_annotation=True`.
    public var rejectByAnnotation: Bool

    public init(
        tmin: Double = -0.2, tmax: Double = 0.5, labels: Set<String>? = nil, baseline: Baseline? = Baseline(),
        rejection: [ChannelKind: Double] = [:], rejectByAnnotation: Bool = true
    ) {
        self.tmin = tmin
        self.tmax = tmax
        self.labels = labels
        self.baseline = baseline
        self.rejection = rejection
        self.rejectByAnnotation = rejectByAnnotation
    }

    public func validate() throws {
        try ParameterError.check(tmin.isFinite && tmax.isFinite && tmin <= tmax, "tmin/tmax",
                                 expected: "finite times with tmin ≤ tmax", found: "\(tmin)…\(tmax) s")
        if let baseline {
            let start = baseline.start ?? tmin
            let end = baseline.end ?? tmax
            try ParameterError.check(
                start.isFinite && end.isFinite && start <= end && start >= tmin - 1e-9 && end <= tmax + 1e-9,
                "baseline", expected: "an interval within the epoch \(tmin)…\(tmax) s", found: "\(start)…\(end) s")
        }
        for (kind, limit) in rejection {
            try ParameterError.check(limit.isFinite && limit > 0, "rejection[\(kind.rawValue)]",
                                     expected: "a peak-to-peak limit > 0 V", found: limit)
        }
    }
}

/// An annotation that did not become an epoch, and why.
public struct DroppedEpoch: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The window tmin…tmax around the event extends outside the recording.
        case outsideRecording
        /// The window overlaps a "bad…" annotation.
        case badAnnotation(String)
        /// These channels' peak-to-peak amplitudes (volts) exceeded the limits for their kinds.
        case peakToPeak([ExceededLimit])
    }

    public struct ExceededLimit: Sendable, Hashable {
        public let channel: String
        public let kind: ChannelKind
        public let peakToPeak: Double
        public let limit: Double
    }

    /// Index of the annotation in the series' annotations.
    public let annotationIndex: Int
    public let label: String
    public let onset: Double
    public let reason: Reason
}

/// Epochs cut from a series, with MNE-style event codes and a drop log.
public struct EpochingResult: Sendable, Hashable {
    /// The kept epochs; nil when every candidate was dropped.
    public let epochs: Epochs?
    /// Event code per label, as `mne.events_from_annotations`: the sorted distinct labels (those
    /// not starting with "bad" or "edge") numbered from 1.
    public let eventCodes: [String: Int]
    /// Per kept epoch: its event code and the sample index of its event.
    public let codes: [Int]
    public let eventSamples: [Int]
    public let dropped: [DroppedEpoch]
}

extension TimeSeries {
    /// Cuts an epoch around every selected annotation's onset.
    ///
    /// The event sample is onset·fs rounded half to even (MNE's `time_as_index`), and the epoch
    /// covers samples round(tmin·fs) … round(tmax·fs) around it, so times are exact multiples of
    /// 1/fs. Baseline correction happens before rejection, as in MNE. Values are computed in Double.
    public func epochs(_ configuration: EpochingConfiguration) throws -> EpochingResult {
        try configuration.validate()
        let fs = samplingRate
        let isBad = { (label: String) in label.lowercased().hasPrefix("bad") }
        let codable = annotations.labels.filter { !isBad($0) && !$0.lowercased().hasPrefix("edge") }.sorted()
        let eventCodes = Dictionary(uniqueKeysWithValues: codable.enumerated().map { ($1, $0 + 1) })
        let wanted = configuration.labels ?? Set(codable)
        for label in wanted where eventCodes[label] == nil {
            throw ParameterError("labels", expected: "annotation labels of this recording (\(codable))", found: label)
        }
        let first = Int((configuration.tmin * fs).rounded(.toNearestOrEven))
        let last = Int((configuration.tmax * fs).rounded(.toNearestOrEven))
        let length = last - first + 1
        let times = (0..<length).map { Double(first + $0) / fs }
        // Baseline sample range [b0, b1): times ≥ start and ≤ end (MNE's rescale indices).
        var baselineRange: Range<Int>? = nil
        if let baseline = configuration.baseline {
            let b0 = baseline.start.map { s in times.firstIndex { $0 >= s - 1e-12 } ?? length } ?? 0
            let b1 = baseline.end.map { e in (times.lastIndex { $0 <= e + 1e-12 } ?? -1) + 1 } ?? length
            try ParameterError.check(b1 > b0, "baseline", expected: "at least one sample", found: "\(baseline)")
            baselineRange = b0 ..< b1
        }
        let bads = configuration.rejectByAnnotation ? annotations.items.filter { isBad($0.label) } : []
        let (p, n) = (channelCount, sampleCount)

        var data = [Float]()
        var labels = [String]()
        var codes = [Int]()
        var eventSamples = [Int]()
        var dropped = [DroppedEpoch]()
        var epoch = [Double](repeating: 0, count: p * length)
        for (index, annotation) in annotations.enumerated() where wanted.contains(annotation.label) {
            let event = Int((annotation.onset * fs).rounded(.toNearestOrEven))
            func drop(_ reason: DroppedEpoch.Reason) {
                dropped.append(DroppedEpoch(annotationIndex: index, label: annotation.label, onset: annotation.onset, reason: reason))
            }
            let start = event + first
            guard start >= 0, start + length <= n else {
                drop(.outsideRecording)
                continue
            }
            let (windowStart, windowEnd) = (Double(start) / fs, Double(start + length - 1) / fs)
            if let bad = bads.first(where: { $0.onset <= windowEnd && $0.end >= windowStart }) {
                drop(.badAnnotation(bad.label))
                continue
            }
            samples.withUnsafeBufferPointer { s in
                for c in 0..<p {
                    let source = c &* n &+ start
                    let target = c &* length
                    for i in 0..<length { epoch[target &+ i] = Double(s[source &+ i]) }
                    if let range = baselineRange, channels[c].kind != .stimulus {
                        var mean = 0.0
                        for i in range { mean += epoch[target &+ i] }
                        mean /= Double(range.count)
                        for i in 0..<length { epoch[target &+ i] -= mean }
                    }
                }
            }
            var exceeded = [DroppedEpoch.ExceededLimit]()
            for c in 0..<p {
                guard let limit = configuration.rejection[channels[c].kind] else { continue }
                let row = epoch[c * length ..< (c + 1) * length]
                let span = row.max()! - row.min()!
                if span > limit {
                    exceeded.append(.init(channel: channels[c].name, kind: channels[c].kind, peakToPeak: span, limit: limit))
                }
            }
            if !exceeded.isEmpty {
                drop(.peakToPeak(exceeded))
                continue
            }
            data.append(contentsOf: epoch.lazy.map(Float.init))
            labels.append(annotation.label)
            codes.append(eventCodes[annotation.label]!)
            eventSamples.append(event)
        }
        let epochs = labels.isEmpty ? nil : try Epochs(
            data: data, channels: channels, labels: labels, samplingRate: fs, tmin: Double(first) / fs)
        return EpochingResult(epochs: epochs, eventCodes: eventCodes, codes: codes, eventSamples: eventSamples, dropped: dropped)
    }
}
