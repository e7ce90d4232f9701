import Foundation

/// Reads the binary video position-tracking format (`*.videoPositionTracking`, the Trodes camera
/// module's output, as in the nelpy linear-track data): an ASCII header
///
///     <Start settings>
///     clockrate: 30000
///     Fields: <time uint32><xloc uint16><yloc uint16><xloc2 uint16><yloc2 uint16>
///     <End settings>
///
/// followed by packed little-endian records laid out as `Fields` says. The first field is the
/// time in clock ticks (divided by `clockrate` to give seconds); every other field becomes a
/// column. The layout is taken from `Fields` rather than assumed, so single- and dual-LED files
/// (and other field lists) read alike.
public struct PositionTrackingFile: Sendable {
    /// The header's `key: value` lines, keys as written.
    public let settings: [String: String]
    /// Clock ticks per second (`clockrate`).
    public let clockRate: Double
    /// The record fields in file order, time first: (name, numpy-style type name).
    public let fields: [(name: String, type: String)]
    /// The positions: one column per non-time field, unit "pixel", times in seconds.
    public let series: CovariateSeries

    static let endMarker = Array("<End settings>\n".utf8)
    static let startMarker = Array("<Start settings>".utf8)
    /// Headers are a few hundred bytes; anything beyond this without an end marker is not this format.
    static let maximumHeaderBytes = 65_536

    public static func read(_ url: URL) throws -> PositionTrackingFile {
        try read(Data(contentsOf: url), name: url.lastPathComponent)
    }

    public static func read(_ data: Data, name: String) throws -> PositionTrackingFile {
        let bytes = [UInt8](data)
        guard bytes.starts(with: startMarker) else {
            throw RecordingError.invalidField(
                file: name, field: "header", expected: "to start with \"<Start settings>\"",
                found: "\"\(String(decoding: bytes.prefix(16), as: UTF8.self))\"")
        }
        guard let end = find(endMarker, in: bytes, limit: maximumHeaderBytes) else {
            throw RecordingError.invalidField(
                file: name, field: "header", expected: "\"<End settings>\" within \(maximumHeaderBytes) bytes", found: "no end marker")
        }
        let headerText = String(decoding: bytes[startMarker.count..<end], as: UTF8.self)
        var settings: [String: String] = [:]
        for line in headerText.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            settings[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let rateText = settings["clockrate"], let rate = Double(rateText), rate.isFinite, rate > 0 else {
            throw RecordingError.invalidField(
                file: name, field: "clockrate", expected: "a positive number of ticks per second", found: settings["clockrate"] ?? "none")
        }
        let fields = try parseFields(settings["Fields"], name: name)
        let recordSize = fields.reduce(0) { $0 + $1.size }
        let bodyStart = end + endMarker.count
        let bodyCount = bytes.count - bodyStart
        guard bodyCount % recordSize == 0 else {
            let n = bodyCount / recordSize
            throw RecordingError.truncated(
                file: name, field: "record \(n) (\(recordSize)-byte records)",
                expectedBytes: bodyStart + (n + 1) * recordSize, foundBytes: bytes.count)
        }
        let n = bodyCount / recordSize
        var times = [Double](repeating: 0, count: n)
        var values = [Double](repeating: 0, count: (fields.count - 1) * n)
        bytes.withUnsafeBytes { raw in
            var offset = bodyStart
            for r in 0..<n {
                for (f, field) in fields.enumerated() {
                    let v = field.decode(raw, offset)
                    if f == 0 { times[r] = v / rate } else { values[(f &- 1) &* n &+ r] = v }
                    offset &+= field.size
                }
            }
        }
        let names = fields.dropFirst().map(\.name)
        let series = try CovariateSeries(
            names: names, units: Array(repeating: "pixel", count: names.count), timestamps: times, values: values)
        return PositionTrackingFile(
            settings: settings, clockRate: rate, fields: fields.map { ($0.name, $0.type) }, series: series)
    }

    // MARK: Fields

    struct Field {
        let name: String
        let type: String
        let size: Int
        let decode: (UnsafeRawBufferPointer, Int) -> Double
    }

    /// Parses `<time uint32><xloc uint16>…` into fields with little-endian decoders.
    static func parseFields(_ text: String?, name: String) throws -> [Field] {
        guard let text, !text.isEmpty else {
            throw RecordingError.invalidField(file: name, field: "Fields", expected: "a field list such as <time uint32><xloc uint16>", found: "none")
        }
        var fields: [Field] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let parts = rest[rest.index(after: open)..<close].split(separator: " ")
            rest = rest[rest.index(after: close)...]
            guard parts.count == 2, let field = makeField(String(parts[0]), String(parts[1])) else {
                throw RecordingError.invalidField(
                    file: name, field: "Fields", expected: "<name type> with type (u)int8/16/32/64 or float32/64",
                    found: "<\(parts.joined(separator: " "))>")
            }
            fields.append(field)
        }
        guard fields.count >= 2 else {
            throw RecordingError.invalidField(file: name, field: "Fields", expected: "a time field and at least one value field", found: text)
        }
        var seen = Set<String>()
        for f in fields where !seen.insert(f.name).inserted {
            throw RecordingError.invalidField(file: name, field: "Fields", expected: "unique field names", found: "\(f.name) twice")
        }
        return fields
    }

    static func makeField(_ name: String, _ type: String) -> Field? {
        func le<T: FixedWidthInteger>(_: T.Type) -> (UnsafeRawBufferPointer, Int) -> Double {
            { raw, o in Double(T(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: T.self))) }
        }
        switch type {
        case "uint8": return Field(name: name, type: type, size: 1, decode: le(UInt8.self))
        case "int8": return Field(name: name, type: type, size: 1, decode: le(Int8.self))
        case "uint16": return Field(name: name, type: type, size: 2, decode: le(UInt16.self))
        case "int16": return Field(name: name, type: type, size: 2, decode: le(Int16.self))
        case "uint32": return Field(name: name, type: type, size: 4, decode: le(UInt32.self))
        case "int32": return Field(name: name, type: type, size: 4, decode: le(Int32.self))
        case "uint64": return Field(name: name, type: type, size: 8, decode: le(UInt64.self))
        case "int64": return Field(name: name, type: type, size: 8, decode: le(Int64.self))
        case "float32":
            return Field(name: name, type: type, size: 4) { raw, o in
                Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
            }
        case "float64", "double":
            return Field(name: name, type: type, size: 8) { raw, o in
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
            }
        default: return nil
        }
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], limit: Int) -> Int? {
        let last = min(bytes.count, limit) - needle.count
        guard last >= 0 else { return nil }
        outer: for i in 0...last {
            for j in needle.indices where bytes[i &+ j] != needle[j] { continue outer }
            return i
        }
        return nil
    }
}
