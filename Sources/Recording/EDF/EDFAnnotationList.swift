import Foundation

/// One EDF+ time-stamped annotation list (TAL): `+onset[\x15duration]\x14label\x14…\x14\x00`.
struct TimeStampedAnnotationList: Equatable {
    var onset: Double
    var duration: Double?
    /// The labels in order; a time-keeping TAL starts with an empty label.
    var labels: [String]
}

/// Parses the TALs in one annotation signal's bytes of one data record (trailing NULs are padding).
///
/// Strict where the EDF+ specification is unambiguous (sign before the onset, digits with at most
/// one point, `\x14` after the time stamp, a terminating `\x00`, UTF-8 labels); labels are kept
/// verbatim, including text like "+0.000000" that some clinical writers put after an unterminated
/// time-keeping TAL (MNE reads those the same way).
func parseTimeStampedAnnotationLists(
    _ bytes: UnsafeRawBufferPointer, file: String, record: Int
) throws -> [TimeStampedAnnotationList] {
    var lists = [TimeStampedAnnotationList]()
    var i = 0
    let n = bytes.count
    func fail(_ expected: String, _ found: String) -> RecordingError {
        .invalidAnnotation(file: file, record: record, expected: expected, found: "\(found) at byte \(i)")
    }
    func number(_ what: String, allowSign: Bool) throws -> Double {
        let start = i
        if allowSign {
            guard i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") else {
                throw fail("a TAL onset starting with '+' or '-'", i < n ? String(format: "byte 0x%02X", bytes[i]) : "the end")
            }
            i += 1
        }
        var digits = 0, points = 0
        while i < n, (bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == UInt8(ascii: ".") {
            if bytes[i] == UInt8(ascii: ".") { points += 1 } else { digits += 1 }
            i += 1
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< i]), as: UTF8.self)
        guard digits > 0, points <= 1, let value = Double(text), value.isFinite else {
            throw fail("a decimal \(what)", "\"\(text)\"")
        }
        return value
    }
    while i < n {
        if bytes[i] == 0 { i += 1; continue }  // padding after the last TAL
        let onset = try number("onset", allowSign: true)
        var duration: Double?
        if i < n, bytes[i] == 0x15 {
            i += 1
            duration = try number("duration", allowSign: false)
        }
        guard i < n, bytes[i] == 0x14 else {
            throw fail("0x14 after the TAL time stamp", i < n ? String(format: "byte 0x%02X", bytes[i]) : "the end")
        }
        i += 1
        var labels = [String]()
        while true {
            let start = i
            while i < n, bytes[i] != 0x14, bytes[i] != 0 { i += 1 }
            guard i < n, bytes[i] == 0x14 else {
                throw fail("a label ending in 0x14", i < n ? "a NUL inside a label" : "the end of the record")
            }
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start ..< i])
            guard let label = String(validating: raw, as: UTF8.self) else {
                throw fail("UTF-8 label text", "invalid UTF-8")
            }
            labels.append(label)
            i += 1
            if i < n, bytes[i] == 0 { i += 1; break }
            guard i < n else { throw fail("0x00 ending the TAL", "the end of the record") }
        }
        lists.append(TimeStampedAnnotationList(onset: onset, duration: duration, labels: labels))
    }
    return lists
}
