import Foundation

/// One `Mk<n>=<type>,<description>,<position>,<size>,<channel>[,<date>]` line of a `.vmrk` file.
public struct BrainVisionMarker: Sendable, Hashable {
    /// "Stimulus", "Response", "Comment", "New Segment", "SyncStatus", … (`\1` unescaped to a comma).
    public let type: String
    /// e.g. "S  1", "R 12" (`\1` unescaped to a comma).
    public let description: String
    /// 1-based sample index of the marker, as stored.
    public let position: Int
    /// Length in samples (0 when the field is not a number, as MNE reads it).
    public let size: Int
    /// 0 for all channels, else the 1-based channel number.
    public let channel: Int
    /// The 20-digit `YYYYMMDDhhmmssuuuuuu` date of a "New Segment" marker, when present.
    public let date: String?
}

/// Parses `.vmrk` marker files and turns markers into annotations.
enum BrainVisionMarkerFile {
    static func parse(bytes: [UInt8], file: String) throws -> [BrainVisionMarker] {
        let text = try BrainVisionText(bytes: bytes, file: file, kind: "Marker File", identifies: "markerfile")
        guard let entries = text.section("Marker Infos") else { return [] }
        var markers = [BrainVisionMarker]()
        for entry in entries {
            guard entry.key.lowercased().hasPrefix("mk"), Int(entry.key.dropFirst(2)) != nil else {
                throw RecordingError.invalidField(
                    file: file, field: "[Marker Infos] line \(entry.line)",
                    expected: "Mk<number>=type,description,position,size,channel[,date]", found: "\"\(entry.key)=\(entry.value)\"")
            }
            let parts = entry.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 4 else {
                throw RecordingError.invalidField(
                    file: file, field: "[Marker Infos] \(entry.key)",
                    expected: "at least type,description,position,size", found: "\"\(entry.value)\"")
            }
            let positionText = parts[2].trimmingBlanks()
            guard let position = Int(positionText), position >= 0 else {
                throw RecordingError.invalidField(
                    file: file, field: "[Marker Infos] \(entry.key) position", expected: "a 1-based sample number",
                    found: "\"\(positionText)\"")
            }
            let sizeText = parts[3].trimmingBlanks()
            let size = sizeText.allSatisfy(\.isASCIIDigit) ? Int(sizeText) ?? 0 : 0
            let channel = parts.count > 4 ? Int(parts[4].trimmingBlanks()) ?? 0 : 0
            let date = parts.count > 5 ? parts[5].trimmingBlanks() : nil
            markers.append(BrainVisionMarker(
                type: parts[0].replacingOccurrences(of: "\\1", with: ","),
                description: parts[1].replacingOccurrences(of: "\\1", with: ","),
                position: position, size: size, channel: channel, date: date.flatMap { $0.isEmpty ? nil : $0 }))
        }
        return markers
    }

    /// The recording's start: the date of the first "New Segment" marker that has a valid one (UTC,
    /// microseconds kept); nil for none or an all-zero date.
    static func startTime(_ markers: [BrainVisionMarker]) -> Date? {
        for marker in markers where marker.type == "New Segment" {
            guard let date = marker.date, date.count == 20, date.allSatisfy(\.isASCIIDigit),
                  date != String(repeating: "0", count: 20) else { continue }
            let digits = date.map { Int(String($0))! }
            func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
            var components = DateComponents()
            components.calendar = Calendar(identifier: .gregorian)
            components.timeZone = TimeZone(identifier: "UTC")
            components.year = number(0 ..< 4); components.month = number(4 ..< 6); components.day = number(6 ..< 8)
            components.hour = number(8 ..< 10); components.minute = number(10 ..< 12); components.second = number(12 ..< 14)
            guard (1 ... 12).contains(components.month!), (1 ... 31).contains(components.day!), components.hour! < 24,
                  components.minute! < 60, components.second! < 61, let whole = components.date else { continue }
            return whole.addingTimeInterval(Double(number(14 ..< 20)) * 1e-6)
        }
        return nil
    }

    /// Annotations as MNE's `read_raw_brainvision` makes them: label `"<type>/<description>"`,
    /// onset `(position − 1) / rate`, duration `size / rate`; the first marker is dropped when it
    /// is a "New Segment" (it only carries the start time), later "New Segment"s are kept.
    static func annotations(_ markers: [BrainVisionMarker], samplingRate: Double) throws -> Annotations {
        let kept = markers.first?.type == "New Segment" ? Array(markers.dropFirst()) : markers
        return try Annotations(kept.map {
            Annotation(
                onset: Double($0.position - 1) / samplingRate, duration: Double($0.size) / samplingRate,
                label: "\($0.type)/\($0.description)")
        })
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0" ... "9").contains(self) }
}
