import Foundation

/// How samples are laid out in a BrainVision `.eeg` file.
public enum BrainVisionOrientation: String, Sendable, Hashable {
    /// Sample frames one after another, each holding every channel (`ch1 ch2 … chN ch1 …`).
    case multiplexed = "MULTIPLEXED"
    /// One contiguous run per channel (`ch1 × samples, ch2 × samples, …`).
    case vectorized = "VECTORIZED"
}

/// The binary sample types BrainVision data files use (little-endian).
public enum BrainVisionBinaryFormat: String, Sendable, Hashable {
    case int16 = "INT_16"
    case int32 = "INT_32"
    case float32 = "IEEE_FLOAT_32"

    public var bytesPerSample: Int { self == .int16 ? 2 : 4 }
}

/// One `Ch<n>=<name>,<reference>,<resolution>,<unit>` line of `[Channel Infos]`.
public struct BrainVisionChannel: Sendable, Hashable {
    /// The name with BrainVision's `\1` escape turned back into a comma.
    public let name: String
    public let reference: String
    /// Units per stored value (a stored value × resolution is the value in `unit`).
    public let resolution: Double
    public let unit: String
}

/// A parsed and validated `.vhdr` header. The data and marker file names are resolved relative to
/// the header's folder, as the format specifies.
public struct BrainVisionHeader: Sendable, Hashable {
    public let dataFile: String
    /// The marker file, or nil when the header names none.
    public let markerFile: String?
    public let orientation: BrainVisionOrientation
    public let binaryFormat: BrainVisionBinaryFormat
    /// Sampling interval in microseconds, as stored (`SamplingInterval`).
    public let samplingInterval: Double
    public let channels: [BrainVisionChannel]
    /// `DataPoints` when given (required by MNE for vectorized files; optional here: the file size
    /// decides, and a declared count must fit in the file).
    public let declaredDataPoints: Int?

    public var samplingRate: Double { 1e6 / samplingInterval }

    /// Parses the bytes of a `.vhdr` file (`file` names it in errors).
    public init(bytes: [UInt8], file: String) throws {
        let text = try BrainVisionText(bytes: bytes, file: file, kind: "Header File", identifies: "headerfile")
        func field(_ key: String, _ section: String = "Common Infos") throws -> String {
            guard let value = text.value(key, in: section), !value.isEmpty else {
                throw RecordingError.invalidField(
                    file: file, field: "[\(section)] \(key)", expected: "a value", found: "nothing (missing)")
            }
            return value
        }
        func invalid(_ key: String, _ expected: String, _ found: String, _ section: String = "Common Infos") -> RecordingError {
            .invalidField(file: file, field: "[\(section)] \(key)", expected: expected, found: "\"\(found)\"")
        }
        if let type = text.value("DataType", in: "Common Infos"), type.uppercased() != "TIMEDOMAIN" {
            throw RecordingError.unsupported(
                file: file, feature: "DataType=\(type)", hint: "only time-domain recordings (TIMEDOMAIN) are read")
        }
        dataFile = try field("DataFile")
        markerFile = text.value("MarkerFile", in: "Common Infos").flatMap { $0.isEmpty ? nil : $0 }
        let format = try field("DataFormat")
        guard format.uppercased() == "BINARY" else {
            throw RecordingError.unsupported(
                file: file, feature: "DataFormat=\(format)", hint: "only BINARY BrainVision data are read")
        }
        let orientationText = try field("DataOrientation")
        guard let orientation = BrainVisionOrientation(rawValue: orientationText.uppercased()) else {
            throw invalid("DataOrientation", "MULTIPLEXED or VECTORIZED", orientationText)
        }
        self.orientation = orientation
        let binaryText = try field("BinaryFormat", "Binary Infos")
        guard let binaryFormat = BrainVisionBinaryFormat(rawValue: binaryText.uppercased()) else {
            throw invalid("BinaryFormat", "INT_16, INT_32 or IEEE_FLOAT_32", binaryText, "Binary Infos")
        }
        self.binaryFormat = binaryFormat
        if let order = text.value("UseBigEndianOrder", in: "Binary Infos"), order.uppercased() == "YES" {
            throw RecordingError.unsupported(file: file, feature: "UseBigEndianOrder=YES", hint: "BrainVision data are little-endian")
        }
        let intervalText = try field("SamplingInterval")
        guard let interval = Double(intervalText), interval.isFinite, interval > 0, 1e6 / interval < 1e9 else {
            throw invalid("SamplingInterval", "a positive number of microseconds", intervalText)
        }
        samplingInterval = interval
        let countText = try field("NumberOfChannels")
        guard let count = Int(countText), count > 0, count <= 65_536 else {
            throw invalid("NumberOfChannels", "a channel count between 1 and 65536", countText)
        }
        if let pointsText = text.value("DataPoints", in: "Common Infos"), !pointsText.isEmpty {
            guard let points = Int(pointsText), points >= 0 else {
                throw invalid("DataPoints", "a non-negative number of samples", pointsText)
            }
            declaredDataPoints = points
        } else {
            declaredDataPoints = nil
        }
        channels = try Self.parseChannels(text, count: count, file: file)
    }

    /// `[Channel Infos]`: exactly one `Ch<n>` line for n = 1…NumberOfChannels.
    static func parseChannels(_ text: BrainVisionText, count: Int, file: String) throws -> [BrainVisionChannel] {
        guard let entries = text.section("Channel Infos") else {
            throw RecordingError.invalidField(
                file: file, field: "[Channel Infos]", expected: "a section with \(count) channel lines", found: "no such section")
        }
        var slots = [BrainVisionChannel?](repeating: nil, count: count)
        for entry in entries {
            let key = entry.key.lowercased()
            guard key.hasPrefix("ch"), let number = Int(key.dropFirst(2)), number >= 1 else {
                throw RecordingError.invalidField(
                    file: file, field: "[Channel Infos] line \(entry.line)", expected: "Ch<number>=name,reference,resolution,unit",
                    found: "\"\(entry.key)=\(entry.value)\"")
            }
            guard number <= count else {
                throw RecordingError.invalidField(
                    file: file, field: "[Channel Infos] \(entry.key)", expected: "a channel number ≤ NumberOfChannels (\(count))",
                    found: "\(number)")
            }
            guard slots[number - 1] == nil else {
                throw RecordingError.invalidField(
                    file: file, field: "[Channel Infos] \(entry.key)", expected: "one line per channel", found: "a second Ch\(number)")
            }
            var parts = entry.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            // The unit defaults to µV (older files have no unit column, PyCorder leaves it empty).
            if parts.count < 4 { parts += [String](repeating: "", count: 4 - parts.count) }
            let name = parts[0].replacingOccurrences(of: "\\1", with: ",")
            guard !name.isEmpty else {
                throw RecordingError.invalidField(
                    file: file, field: "[Channel Infos] \(entry.key)", expected: "a channel name", found: "an empty name")
            }
            let unitGiven = !parts[3].trimmingBlanks().isEmpty
            let unit = unitGiven ? parts[3].trimmingBlanks().replacingOccurrences(of: "Â", with: "") : "µV"
            let resolutionText = parts[2].trimmingBlanks()
            let resolution: Double
            if resolutionText.isEmpty {
                // An empty resolution means one stored step per unit (MNE does the same).
                resolution = 1
            } else {
                guard let r = Double(resolutionText), r.isFinite, r != 0 else {
                    throw RecordingError.invalidField(
                        file: file, field: "[Channel Infos] \(entry.key) resolution", expected: "a finite, non-zero number",
                        found: "\"\(resolutionText)\"")
                }
                resolution = r
            }
            slots[number - 1] = BrainVisionChannel(name: name, reference: parts[1], resolution: resolution, unit: unit)
        }
        if let missing = slots.firstIndex(where: { $0 == nil }) {
            throw RecordingError.invalidField(
                file: file, field: "[Channel Infos]", expected: "a line for each of the \(count) channels",
                found: "no line for Ch\(missing + 1)")
        }
        return slots.map { $0! }
    }
}
