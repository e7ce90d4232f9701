import Foundation

/// What a channel records; decides default units, filters and which decoders use it.
public enum ChannelKind: String, Sendable, Hashable, Codable, CaseIterable {
    case eeg, seeg, ecog, eog, emg, ecg, stimulus, misc

    /// The kind an EDF/BrainVision label implies, by the usual prefixes ("EEG Fpz-Cz", "EOG left").
    /// Labels without a known prefix are EEG, the convention of MNE's readers.
    public init(inferringFrom label: String) {
        let upper = label.uppercased()
        let prefixes: [(String, ChannelKind)] = [
            ("EEG", .eeg), ("SEEG", .seeg), ("ECOG", .ecog), ("EOG", .eog), ("EMG", .emg),
            ("ECG", .ecg), ("EKG", .ecg), ("STI", .stimulus), ("TRIG", .stimulus), ("STATUS", .stimulus),
        ]
        self = prefixes.first { upper.hasPrefix($0.0) }?.1 ?? .eeg
    }
}

/// One recorded channel: its name, kind and the unit the file stored it in.
///
/// Samples are always held in SI units in memory (volts for electrophysiology); `originalUnit`
/// keeps the file's own label (e.g. "uV") so that writers can restore it.
public struct Channel: Sendable, Hashable, Codable {
    public let name: String
    public let kind: ChannelKind
    public let originalUnit: String

    public init(name: String, kind: ChannelKind, originalUnit: String = "V") {
        self.name = name
        self.kind = kind
        self.originalUnit = originalUnit
    }

    /// The factor that converts the file's unit to SI (e.g. 1e-6 for "uV"), or nil for a unit
    /// this library does not know how to scale (kept as is, like MNE does).
    public var scaleToSI: Double? { Channel.siScale(of: originalUnit) }

    static func siScale(of unit: String) -> Double? {
        let trimmed = unit.trimmingCharacters(in: .whitespaces)
        let prefixes: [(String, Double)] = [
            ("n", 1e-9), ("u", 1e-6), ("µ", 1e-6), ("μ", 1e-6), ("m", 1e-3), ("", 1), ("k", 1e3),
        ]
        for base in ["V", "A", "T", "s"] {
            for (prefix, factor) in prefixes where trimmed == prefix + base { return factor }
        }
        return nil
    }
}
