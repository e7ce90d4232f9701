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
        // Plain Character matching (no Foundation trimming or string building): readers call this
        // for every channel of every file.
        let blank = { (c: Character) in c.isWhitespace && !c.isNewline }
        var trimmed = Substring(unit)
        while let c = trimmed.first, blank(c) { trimmed = trimmed.dropFirst() }
        while let c = trimmed.last, blank(c) { trimmed = trimmed.dropLast() }
        guard let base = trimmed.last, "VATs".contains(base) else { return nil }
        switch trimmed.dropLast() {
        case "n": return 1e-9
        case "u", "µ", "μ": return 1e-6
        case "m": return 1e-3
        case "": return 1
        case "k": return 1e3
        default: return nil
        }
    }
}
