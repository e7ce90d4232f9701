import Foundation

/// Reads signals stored as comma-separated text with a header row, one timestamp column, an
/// optional marker column and one column per channel, e.g. the Muse/eeg-notebooks files:
///
///     timestamps,TP9,AF7,AF8,TP10,Right AUX,Marker
///     1486223115.483,-44.922,27.832,32.715,58.105,82.031,0
///
/// - Sampling rate: `1 / median(t[i+1] − t[i])`. The median, not the mean or the nominal rate,
///   because consumer devices stamp samples in bursts (jittered or repeated stamps) and drop a few:
///   the median interval is the spacing of the bulk of the samples and ignores the outliers. The
///   samples are then taken as uniformly spaced at that rate (`timestamps` keeps the originals).
/// - Markers: every row whose marker value is not 0 becomes an annotation of duration 0 at
///   `row / rate` seconds (the time of that sample in the series, so epochs cut at the marked
///   sample), labelled by the value ("1", "2"; non-integers as Swift prints them).
/// - Units: values are in `Options.unit` (µV by default, as Muse exports) and converted to volts.
/// - Start time: the first timestamp as Unix seconds when it lies in 2001…2286 (1e9…1e10 s),
///   which is how LSL/Muse tools stamp; otherwise none.
///
/// Parsing is strict: every row must have the header's number of fields and every field must be a
/// finite number; errors name the line and the column. Timestamps must not decrease.
public struct CSVSignalReader: Sendable {
    public struct Options: Sendable {
        public var timestampColumn: String
        /// The marker column, or nil for none (a missing marker column is also accepted).
        public var markerColumn: String?
        /// The unit of the signal columns.
        public var unit: String

        public init(timestampColumn: String = "timestamps", markerColumn: String? = "Marker", unit: String = "µV") {
            self.timestampColumn = timestampColumn
            self.markerColumn = markerColumn
            self.unit = unit
        }
    }

    public let url: URL
    /// The whole recording (CSV text cannot be read by ranges without scanning it).
    public let series: TimeSeries
    /// The timestamp of every row, as written.
    public let timestamps: [Double]
    /// The median interval between consecutive timestamps, in seconds.
    public let medianInterval: Double

    public var channels: [Channel] { series.channels }
    public var channelNames: [String] { series.channelNames }
    public var samplingRate: Double { series.samplingRate }
    public var sampleCount: Int { series.sampleCount }
    public var annotations: Annotations { series.annotations }

    public init(url: URL, options: Options = Options()) throws {
        let bytes: [UInt8]
        do {
            bytes = try readFileBytes(url)
        } catch {
            throw RecordingError.invalidField(
                file: url.lastPathComponent, field: "file", expected: "a readable file", found: error.localizedDescription)
        }
        self.url = url
        (series, timestamps, medianInterval) = try Self.parse(bytes: bytes, file: url.lastPathComponent, options: options)
    }

    /// The named channels (all when nil) over `timeRange` seconds (everything when nil).
    public func read(channels names: [String]? = nil, timeRange: Range<Double>? = nil) throws -> TimeSeries {
        var out = series
        if let names { out = try out.selecting(channels: names) }
        if let timeRange { out = try out.slice(seconds: timeRange) }
        return out
    }

    // MARK: Parsing

    static func parse(bytes: [UInt8], file: String, options: Options) throws -> (TimeSeries, [Double], Double) {
        // Lines (LF or CRLF); a final newline is optional, blank trailing lines are ignored.
        var lines = [Range<Int>]()
        var start = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            lines.append(start ..< (i > start && bytes[i - 1] == 0x0D ? i - 1 : i))
            start = i + 1
        }
        if start < bytes.count { lines.append(start ..< (bytes.last == 0x0D ? bytes.count - 1 : bytes.count)) }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let headerLine = lines.first else {
            throw RecordingError.invalidField(file: file, field: "line 1", expected: "a header row of column names", found: "an empty file")
        }
        var names = String(decoding: bytes[headerLine], as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
        guard let timeColumn = names.firstIndex(of: options.timestampColumn) else {
            throw RecordingError.invalidField(
                file: file, field: "line 1 (header)", expected: "a \"\(options.timestampColumn)\" column",
                found: "columns \(names.joined(separator: ", "))")
        }
        let markerColumn = options.markerColumn.flatMap { names.firstIndex(of: $0) }
        let signalColumns = names.indices.filter { $0 != timeColumn && $0 != markerColumn }
        guard !signalColumns.isEmpty else {
            throw RecordingError.invalidField(
                file: file, field: "line 1 (header)", expected: "at least one signal column", found: "only \(names.joined(separator: ", "))")
        }
        if let empty = signalColumns.first(where: { names[$0].isEmpty }) {
            throw RecordingError.invalidField(file: file, field: "line 1 (header), column \(empty + 1)", expected: "a column name", found: "an empty name")
        }
        let rows = lines.count - 1
        guard rows >= 2 else {
            throw RecordingError.invalidField(
                file: file, field: "rows", expected: "at least 2 data rows (to estimate the sampling rate)", found: "\(rows)")
        }
        let scale = Channel.siScale(of: options.unit) ?? 1
        let columnCount = names.count
        var values = [Float](repeating: 0, count: signalColumns.count * rows)
        var stamps = [Double](repeating: 0, count: rows)
        var markers = [(row: Int, value: Double)]()
        // Where each column goes: -1 timestamp, -2 marker, else the channel row.
        var target = [Int](repeating: 0, count: columnCount)
        for (k, c) in signalColumns.enumerated() { target[c] = k }
        target[timeColumn] = -1
        if let markerColumn { target[markerColumn] = -2 }

        var scratch = [CChar](repeating: 0, count: 64)
        for (r, line) in lines.dropFirst().enumerated() {
            var column = 0
            var position = line.lowerBound
            while true {
                var end = position
                while end < line.upperBound && bytes[end] != 0x2C { end += 1 }
                guard column < columnCount else {
                    throw RecordingError.invalidField(
                        file: file, field: "line \(r + 2)", expected: "\(columnCount) fields (as the header)", found: "more")
                }
                guard let value = number(bytes, position ..< end, scratch: &scratch) else {
                    let text = String(decoding: bytes[position ..< end], as: UTF8.self)
                    throw RecordingError.invalidField(
                        file: file, field: "line \(r + 2), column \(column + 1) (\(names[column]))", expected: "a finite number",
                        found: text.isEmpty ? "an empty field" : "\"\(text.prefix(40))\"")
                }
                switch target[column] {
                case -1: stamps[r] = value
                case -2: if value != 0 { markers.append((r, value)) }
                case let k: values[k &* rows &+ r] = Float(value * scale)
                }
                column += 1
                if end >= line.upperBound { break }
                position = end + 1
            }
            guard column == columnCount else {
                throw RecordingError.invalidField(
                    file: file, field: "line \(r + 2)", expected: "\(columnCount) fields (as the header)", found: "\(column)")
            }
            if r > 0, stamps[r] < stamps[r - 1] {
                throw RecordingError.invalidField(
                    file: file, field: "line \(r + 2), column \(timeColumn + 1) (\(names[timeColumn]))",
                    expected: "a timestamp ≥ the previous one (\(stamps[r - 1]))", found: "\(stamps[r])")
            }
        }
        var intervals = [Double](repeating: 0, count: rows - 1)
        for i in 0 ..< rows - 1 { intervals[i] = stamps[i + 1] - stamps[i] }
        intervals.sort()
        let median = intervals.count % 2 == 1
            ? intervals[intervals.count / 2] : (intervals[intervals.count / 2 - 1] + intervals[intervals.count / 2]) / 2
        guard median > 0 else {
            throw RecordingError.invalidField(
                file: file, field: "column \(names[timeColumn])", expected: "increasing timestamps (a positive median interval)",
                found: "a median interval of \(median) s")
        }
        let rate = 1 / median
        let annotations = try Annotations(markers.map { row, value in
            let label = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
            return Annotation(onset: Double(row) / rate, label: label)
        })
        let startTime = (1e9 ... 1e10).contains(stamps[0]) ? Date(timeIntervalSince1970: stamps[0]) : nil
        let series = try TimeSeries(
            samples: values,
            channels: signalColumns.map { Channel(name: names[$0], kind: ChannelKind(inferringFrom: names[$0]), originalUnit: options.unit) },
            samplingRate: rate, startTime: startTime, annotations: annotations)
        return (series, stamps, median)
    }

    /// The finite number in `bytes[range]` (surrounding spaces allowed), or nil.
    static func number(_ bytes: [UInt8], _ range: Range<Int>, scratch: inout [CChar]) -> Double? {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, bytes[lower] == 0x20 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 { upper -= 1 }
        let count = upper - lower
        guard count > 0, count < scratch.count else { return nil }
        return scratch.withUnsafeMutableBufferPointer { buffer -> Double? in
            for k in 0 ..< count {
                let b = bytes[lower + k]
                // Digits, sign, point, exponent only: strtod would also take "nan", "inf", hex.
                guard (0x30 ... 0x39).contains(b) || b == 0x2B || b == 0x2D || b == 0x2E || b == 0x65 || b == 0x45 else { return nil }
                buffer[k] = CChar(bitPattern: b)
            }
            buffer[count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard end == buffer.baseAddress! + count, value.isFinite else { return nil }
            return value
        }
    }
}
