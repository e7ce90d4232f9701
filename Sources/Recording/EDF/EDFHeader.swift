import Foundation

/// The sample width of the family: EDF stores 16-bit, BDF 24-bit little-endian two's complement.
public enum EDFFormat: String, Sendable, Hashable {
    case edf, bdf

    public var bytesPerSample: Int { self == .edf ? 2 : 3 }
    /// The representable digital range.
    public var digitalRange: ClosedRange<Int> { self == .edf ? -32768 ... 32767 : -8_388_608 ... 8_388_607 }
    /// The label of the annotation (TAL) signals.
    public var annotationLabel: String { self == .edf ? "EDF Annotations" : "BDF Annotations" }
}

/// Whether records are contiguous in time: plain EDF/BDF (no annotation signal required),
/// EDF+C/BDF+C (contiguous) or EDF+D/BDF+D (records carry their own onsets, gaps allowed).
public enum EDFContinuity: String, Sendable, Hashable {
    case plain, continuous, discontinuous
}

/// The maps from digital samples to physical values of one signal (physical values in the
/// signal's own unit): `physical = (digital − dmin)·(pmax − pmin)/(dmax − dmin) + pmin`.
public struct EDFScaling: Sendable, Hashable, Codable {
    public let physicalMinimum: Double
    public let physicalMaximum: Double
    public let digitalMinimum: Int
    public let digitalMaximum: Int

    public init(physicalMinimum: Double, physicalMaximum: Double, digitalMinimum: Int, digitalMaximum: Int) {
        self.physicalMinimum = physicalMinimum
        self.physicalMaximum = physicalMaximum
        self.digitalMinimum = digitalMinimum
        self.digitalMaximum = digitalMaximum
    }

    /// Physical units per digital step (MNE's `cal`).
    public var gain: Double {
        (physicalMaximum - physicalMinimum) / Double(digitalMaximum - digitalMinimum)
    }

    /// The physical value of digital 0 (MNE's `offsets`), so that `physical = digital·gain + offset`.
    public var offset: Double { physicalMinimum - Double(digitalMinimum) * gain }
}

/// One signal's header fields (256 bytes per signal spread over the header's columns).
public struct EDFSignal: Sendable, Hashable {
    public let label: String
    public let transducer: String
    public let physicalDimension: String
    public let scaling: EDFScaling
    public let prefiltering: String
    public let samplesPerRecord: Int
    public let reserved: String

    /// True for `EDF Annotations` / `BDF Annotations` TAL signals, which hold text, not samples.
    public let isAnnotation: Bool
}

/// A parsed and validated EDF/BDF header: the fixed 256 bytes plus 256 bytes per signal.
///
/// Every count is checked against the file size before anything is sized from it, so a corrupt
/// header can never make a reader allocate more than the file justifies.
public struct EDFHeader: Sendable, Hashable {
    public let format: EDFFormat
    public let continuity: EDFContinuity
    /// Local patient identification (free text; EDF+ structures it as "code sex birthdate name").
    public let patient: String
    /// Local recording identification (EDF+: "Startdate dd-MMM-yyyy admincode technician equipment").
    public let recording: String
    /// Start date-time from the header (UTC by convention; EDF stores no time zone). The EDF+
    /// recording field's 4-digit year is preferred to the header's 2-digit one, as MNE does.
    public let startTime: Date?
    public let headerBytes: Int
    /// The number of data records in the header (`-1` while a recording is still being written).
    public let declaredRecordCount: Int
    /// The number of complete data records used: the declared count, or for `-1` the count the
    /// file size holds.
    public let recordCount: Int
    /// Seconds per data record.
    public let recordDuration: Double
    public let signals: [EDFSignal]

    /// Bytes per data record (all signals).
    public var recordBytes: Int {
        signals.reduce(0) { $0 + $1.samplesPerRecord } * format.bytesPerSample
    }

    /// Sampling rate of signal `index` in Hz.
    public func samplingRate(ofSignal index: Int) -> Double {
        Double(signals[index].samplesPerRecord) / recordDuration
    }

    /// Indices of the annotation (TAL) signals.
    public var annotationSignalIndices: [Int] { signals.indices.filter { signals[$0].isAnnotation } }
    /// Indices of the data (non-annotation) signals.
    public var dataSignalIndices: [Int] { signals.indices.filter { !signals[$0].isAnnotation } }
}

// MARK: - Parsing

extension EDFHeader {
    static let fixedBytes = 256
    static let bytesPerSignalHeader = 256

    /// Parses the fixed part of the header (256 bytes) and returns the signal count it declares,
    /// checked against the file size (so that the caller reads exactly the signal headers).
    static func signalCount(fixed bytes: [UInt8], fileSize: Int, file: String) throws -> Int {
        guard bytes.count >= fixedBytes, fileSize >= fixedBytes else {
            throw RecordingError.truncated(
                file: file, field: "fixed header", expectedBytes: fixedBytes, foundBytes: min(fileSize, bytes.count))
        }
        let fields = FieldCursor(bytes: bytes, file: file)
        let count = try fields.integer(at: 252, width: 4, field: "number of signals")
        guard count > 0 else {
            throw RecordingError.invalidField(
                file: file, field: "number of signals", expected: "at least 1", found: "\(count)")
        }
        let needed = fixedBytes + count * bytesPerSignalHeader
        guard needed <= fileSize else {
            throw RecordingError.truncated(
                file: file, field: "header of \(count) signals", expectedBytes: needed, foundBytes: fileSize)
        }
        return count
    }

    /// Parses a complete header (`256 · (1 + signals)` bytes) of a file of `fileSize` bytes.
    static func parse(_ bytes: [UInt8], fileSize: Int, file: String) throws -> EDFHeader {
        let signalCount = try signalCount(fixed: bytes, fileSize: fileSize, file: file)
        let expectedHeader = fixedBytes + signalCount * bytesPerSignalHeader
        guard bytes.count >= expectedHeader else {
            throw RecordingError.truncated(
                file: file, field: "signal headers", expectedBytes: expectedHeader, foundBytes: bytes.count)
        }
        let f = FieldCursor(bytes: bytes, file: file)

        // Version: "0" then spaces (EDF), or 0xFF "BIOSEMI" (BDF).
        let format: EDFFormat
        if bytes[0] == 0xFF, Array(bytes[1 ..< 8]) == Array("BIOSEMI".utf8) {
            format = .bdf
        } else if bytes[0] == UInt8(ascii: "0"), bytes[1 ..< 8].allSatisfy({ $0 == 0x20 }) {
            format = .edf
        } else {
            throw RecordingError.invalidField(
                file: file, field: "version", expected: "\"0       \" (EDF) or 0xFF \"BIOSEMI\" (BDF)",
                found: FieldCursor.describe(bytes[0 ..< 8]))
        }
        let patient = f.freeText(at: 8, width: 80)
        let recording = f.freeText(at: 88, width: 80)
        let startTime = try f.startTime(dateAt: 168, timeAt: 176, recordingField: recording)
        let headerBytes = try f.integer(at: 184, width: 8, field: "number of bytes in header record")
        guard headerBytes == expectedHeader else {
            throw RecordingError.invalidField(
                file: file, field: "number of bytes in header record",
                expected: "\(expectedHeader) (256 + 256 × \(signalCount) signals)", found: "\(headerBytes)")
        }
        let reserved = try f.asciiText(at: 192, width: 44, field: "reserved")
        let continuity: EDFContinuity
        if reserved.hasPrefix("EDF+C") || reserved.hasPrefix("BDF+C") {
            continuity = .continuous
        } else if reserved.hasPrefix("EDF+D") || reserved.hasPrefix("BDF+D") {
            continuity = .discontinuous
        } else {
            continuity = .plain
        }
        let declaredRecords = try f.integer(at: 236, width: 8, field: "number of data records")
        guard declaredRecords >= -1 else {
            throw RecordingError.invalidField(
                file: file, field: "number of data records", expected: "a count ≥ 0 (or -1 for unknown)",
                found: "\(declaredRecords)")
        }
        let recordDuration = try f.decimal(at: 244, width: 8, field: "duration of a data record")
        guard recordDuration.isFinite, recordDuration >= 0 else {
            throw RecordingError.invalidField(
                file: file, field: "duration of a data record", expected: "a duration ≥ 0 s",
                found: "\(recordDuration)")
        }

        // Signal headers: each field is a column of `signalCount` entries.
        var offset = fixedBytes
        func column(_ width: Int) -> Int {
            defer { offset += width * signalCount }
            return offset
        }
        let labelAt = column(16), transducerAt = column(80), unitAt = column(8)
        let pminAt = column(8), pmaxAt = column(8), dminAt = column(8), dmaxAt = column(8)
        let prefilterAt = column(80), samplesAt = column(8), reservedAt = column(32)

        var signals = [EDFSignal]()
        signals.reserveCapacity(signalCount)
        var recordSamples = 0
        let dataBytes = fileSize - headerBytes
        for i in 0 ..< signalCount {
            let label = try f.asciiText(at: labelAt + 16 * i, width: 16, field: "label of signal \(i)")
            let name = "signal \(i) (\(label))"
            let transducer = try f.asciiText(at: transducerAt + 80 * i, width: 80, field: "transducer of \(name)")
            let unit = try f.unitText(at: unitAt + 8 * i, field: "physical dimension of \(name)")
            let pmin = try f.decimal(at: pminAt + 8 * i, width: 8, field: "physical minimum of \(name)")
            let pmax = try f.decimal(at: pmaxAt + 8 * i, width: 8, field: "physical maximum of \(name)")
            let dmin = try f.integer(at: dminAt + 8 * i, width: 8, field: "digital minimum of \(name)")
            let dmax = try f.integer(at: dmaxAt + 8 * i, width: 8, field: "digital maximum of \(name)")
            let prefiltering = try f.asciiText(at: prefilterAt + 80 * i, width: 80, field: "prefiltering of \(name)")
            let samples = try f.integer(at: samplesAt + 8 * i, width: 8, field: "number of samples per record of \(name)")
            let signalReserved = try f.asciiText(at: reservedAt + 32 * i, width: 32, field: "reserved field of \(name)")

            for (value, field) in [(dmin, "digital minimum"), (dmax, "digital maximum")]
            where !format.digitalRange.contains(value) {
                throw RecordingError.invalidField(
                    file: file, field: "\(field) of \(name)",
                    expected: "a \(format == .edf ? 16 : 24)-bit value in \(format.digitalRange)", found: "\(value)")
            }
            guard dmin < dmax else {
                throw RecordingError.invalidField(
                    file: file, field: "digital minimum/maximum of \(name)",
                    expected: "digital minimum < digital maximum", found: "\(dmin) and \(dmax)")
            }
            guard pmin != pmax else {
                throw RecordingError.invalidField(
                    file: file, field: "physical minimum/maximum of \(name)",
                    expected: "physical minimum ≠ physical maximum", found: "both \(pmin)")
            }
            // A single signal cannot hold more samples per record than the data bytes can store.
            guard samples > 0, samples <= max(0, dataBytes) / format.bytesPerSample || declaredRecords == 0 else {
                throw RecordingError.invalidField(
                    file: file, field: "number of samples per record of \(name)",
                    expected: "1 ... \(max(0, dataBytes) / format.bytesPerSample) (what the data bytes can hold)",
                    found: "\(samples)")
            }
            recordSamples += samples  // ≤ 9999 × file size: cannot overflow
            signals.append(EDFSignal(
                label: label, transducer: transducer, physicalDimension: unit,
                scaling: EDFScaling(physicalMinimum: pmin, physicalMaximum: pmax, digitalMinimum: dmin, digitalMaximum: dmax),
                prefiltering: prefiltering, samplesPerRecord: samples, reserved: signalReserved,
                isAnnotation: label == format.annotationLabel))
        }
        if recordDuration == 0, signals.contains(where: { !$0.isAnnotation }) {
            throw RecordingError.invalidField(
                file: file, field: "duration of a data record",
                expected: "a duration > 0 s (0 is only allowed for annotation-only files)", found: "0")
        }
        for (i, signal) in signals.enumerated() where !signal.isAnnotation {
            let rate = Double(signal.samplesPerRecord) / recordDuration
            guard rate.isFinite, rate > 0 else {
                throw RecordingError.invalidField(
                    file: file, field: "sampling rate of signal \(i) (\(signal.label))",
                    expected: "a finite rate > 0 Hz (samples per record / record duration)",
                    found: "\(signal.samplesPerRecord) / \(recordDuration) s")
            }
        }
        if continuity != .plain, !signals.contains(where: \.isAnnotation) {
            throw RecordingError.invalidField(
                file: file, field: "signals", expected: "an \"\(format.annotationLabel)\" signal (required by \(reserved.prefix(5)))",
                found: "none")
        }

        let recordBytes = recordSamples * format.bytesPerSample
        let available = dataBytes / recordBytes
        let recordCount: Int
        if declaredRecords == -1 {
            recordCount = available  // a recording that was not closed: use what is there, like MNE
        } else {
            guard declaredRecords <= available else {
                let (needed, overflow) = declaredRecords.multipliedReportingOverflow(by: recordBytes)
                throw RecordingError.truncated(
                    file: file, field: "\(declaredRecords) data records of \(recordBytes) bytes",
                    expectedBytes: overflow ? Int.max : headerBytes + needed, foundBytes: fileSize)
            }
            recordCount = declaredRecords
        }
        return EDFHeader(
            format: format, continuity: continuity, patient: patient, recording: recording,
            startTime: startTime, headerBytes: headerBytes, declaredRecordCount: declaredRecords,
            recordCount: recordCount, recordDuration: recordDuration, signals: signals)
    }
}

// MARK: - Field decoding

/// Reads fixed-width ASCII header fields with validation that names the field.
struct FieldCursor {
    let bytes: [UInt8]
    let file: String

    /// Field bytes without trailing spaces and NULs (some writers pad with NUL).
    func trimmed(at offset: Int, width: Int) -> ArraySlice<UInt8> {
        var slice = bytes[offset ..< offset + width]
        while let last = slice.last, last == 0x20 || last == 0 { slice = slice.dropLast() }
        while let first = slice.first, first == 0x20 { slice = slice.dropFirst() }
        return slice
    }

    static func describe(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "\"\(String(decoding: bytes, as: UTF8.self))\"" }
        return "bytes [" + bytes.map { String(format: "%02X", $0) }.joined(separator: " ") + "]"
    }

    func integer(at offset: Int, width: Int, field: String) throws -> Int {
        let text = trimmed(at: offset, width: width)
        var digits = text[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = Int(String(decoding: text, as: UTF8.self)) else {
            throw RecordingError.invalidField(file: file, field: field, expected: "an integer", found: Self.describe(text))
        }
        return value
    }

    /// A decimal number; a comma is accepted as the decimal separator, as MNE does.
    func decimal(at offset: Int, width: Int, field: String) throws -> Double {
        let text = trimmed(at: offset, width: width)
        // Byte-level checks and the comma swap: the header has 8 such fields per signal, and
        // Foundation's string replacement dominated opening a 64-channel file.
        let allowed = text.allSatisfy { b in
            switch b {
            case 0x30 ... 0x39, UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","),
                 UInt8(ascii: "e"), UInt8(ascii: "E"): true
            default: false
            }
        }
        let string = String(decoding: text.lazy.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        guard !text.isEmpty, allowed, let value = Double(string), value.isFinite else {
            throw RecordingError.invalidField(file: file, field: field, expected: "a decimal number", found: Self.describe(text))
        }
        return value
    }

    /// A text field that must be printable ASCII, as the EDF specification requires.
    func asciiText(at offset: Int, width: Int, field: String) throws -> String {
        let text = trimmed(at: offset, width: width)
        if let bad = text.firstIndex(where: { $0 < 0x20 || $0 > 0x7E }) {
            throw RecordingError.invalidField(
                file: file, field: field, expected: "printable ASCII",
                found: String(format: "byte 0x%02X at position %d", text[bad], bad - offset))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A unit: printable ASCII, plus Latin-1 'µ' (0xB5), which clinical writers use for "µV".
    func unitText(at offset: Int, field: String) throws -> String {
        let text = trimmed(at: offset, width: 8)
        if let bad = text.firstIndex(where: { ($0 < 0x20 || $0 > 0x7E) && $0 != 0xB5 }) {
            throw RecordingError.invalidField(
                file: file, field: field, expected: "printable ASCII",
                found: String(format: "byte 0x%02X at position %d", text[bad], bad - offset))
        }
        return String(text.map { Character(Unicode.Scalar($0)) })
    }

    /// Free text decoded as Latin-1 (identification fields sometimes hold accented names).
    func freeText(at offset: Int, width: Int) -> String {
        String(trimmed(at: offset, width: width).map { Character(Unicode.Scalar($0)) })
    }

    /// The start date-time: "dd.mm.yy" and "hh.mm.ss" (years 85–99 → 1985–1999, 00–84 → 2000–2084),
    /// with the 4-digit year of an EDF+ "Startdate dd-MMM-yyyy" recording field preferred.
    func startTime(dateAt: Int, timeAt: Int, recordingField: String) throws -> Date? {
        func triple(_ at: Int, _ field: String, _ format: String) throws -> (Int, Int, Int) {
            let text = bytes[at ..< at + 8]
            let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
                throw RecordingError.invalidField(file: file, field: field, expected: format, found: Self.describe(text))
            }
            let v = parts.map { Int(String(decoding: $0, as: UTF8.self))! }
            return (v[0], v[1], v[2])
        }
        var (day, month, year) = try triple(dateAt, "start date", "dd.mm.yy")
        let (hour, minute, second) = try triple(timeAt, "start time", "hh.mm.ss")
        guard (1 ... 12).contains(month), (1 ... 31).contains(day) else {
            throw RecordingError.invalidField(
                file: file, field: "start date", expected: "dd.mm.yy with a valid day and month",
                found: FieldCursor.describe(bytes[dateAt ..< dateAt + 8]))
        }
        year += year >= 85 ? 1900 : 2000
        let parts = recordingField.split(separator: " ", omittingEmptySubsequences: false)
        if parts.count >= 2, parts[0] == "Startdate" {
            let date = parts[1].split(separator: "-")
            let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            if date.count == 3, let d = Int(date[0]), let m = months.firstIndex(of: date[1].uppercased()),
               let y = Int(date[2]), date[2].count == 4 {
                (day, month, year) = (d, m + 1, y)
            }
        }
        guard (1 ... 12).contains(month), (1 ... 31).contains(day), hour < 24, minute < 60, second < 61 else {
            throw RecordingError.invalidField(
                file: file, field: "start date/time", expected: "a valid calendar date and time",
                found: String(format: "%02d.%02d.%04d %02d.%02d.%02d", day, month, year, hour, minute, second))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else {
            throw RecordingError.invalidField(
                file: file, field: "start date", expected: "a valid calendar date",
                found: String(format: "%02d.%02d.%04d", day, month, year))
        }
        return date
    }
}
