import Foundation

/// Writes a `TimeSeries` as an EDF+C file (16-bit samples, one `EDF Annotations` signal), atomically.
///
/// Exact digital round trips: EDF stores integers, so a file read and written again keeps every
/// digital sample only if the writer uses the file's own digital/physical ranges. Those ranges are
/// not part of `Channel` (a format detail that would leak into every reader), so they travel
/// beside the series: pass `EDFReader.scalings` as `Options.scalings`. Decoding with 16-bit ranges
/// gives Float values within 0.004 digital steps of the integer, so rounding recovers it exactly.
/// Channels without a given scaling get ranges chosen from their data: physical min/max are the
/// data's min/max rounded outwards to what fits the 8-character field, digital −32768…32767 —
/// quantisation error at most half a step, (max − min)/65535/2.
///
/// A last partial record is padded with the channel's last value (EDF records are whole), so a
/// reread series can be up to one record longer. The start time is written to whole seconds.
public enum EDFWriter {
    public struct Options: Sendable {
        /// EDF+ patient field ("code sex birthdate name"; "X" for unknown), printable ASCII ≤ 80.
        public var patient: String
        /// Seconds per data record; `samplingRate × recordDuration` must be a whole number.
        public var recordDuration: Double
        /// Digital/physical ranges per channel name, e.g. `EDFReader.scalings`.
        public var scalings: [String: EDFScaling]

        public init(patient: String = "X X X X", recordDuration: Double = 1, scalings: [String: EDFScaling] = [:]) {
            self.patient = patient
            self.recordDuration = recordDuration
            self.scalings = scalings
        }
    }

    /// Writes `series` to `url` (atomically: a complete file or none).
    public static func write(_ series: TimeSeries, to url: URL, options: Options = Options()) throws {
        let data = try encode(series, options: options)
        try AtomicFile.write(data, to: url)
    }

    /// The bytes of the EDF+C file for `series`.
    public static func encode(_ series: TimeSeries, options: Options = Options()) throws -> Data {
        func invalid(_ field: String, _ expected: String, _ found: String) -> RecordingError {
            .invalidValue(type: "EDFWriter", field: field, expected: expected, found: found)
        }
        let duration = options.recordDuration
        let exactSamples = series.samplingRate * duration
        let perRecord = Int(exactSamples.rounded())
        guard duration > 0, duration.isFinite, perRecord > 0, abs(exactSamples - Double(perRecord)) < 1e-9 * exactSamples else {
            throw invalid("recordDuration", "a duration holding a whole number of samples at \(series.samplingRate) Hz", "\(duration) s")
        }
        let recordCount = (series.sampleCount + perRecord - 1) / perRecord
        let durationText = try number(duration, field: "record duration")

        // Scalings, with the physical limits exactly as they will be parsed back.
        var scalings = [EDFScaling]()
        var pminTexts = [String](), pmaxTexts = [String]()
        for (c, channel) in series.channels.enumerated() {
            let toFile = 1 / (channel.scaleToSI ?? 1)
            let (lowText, highText, dmin, dmax): (String, String, Int, Int)
            if let given = options.scalings[channel.name] {
                guard (-32768 ... 32767).contains(given.digitalMinimum), (-32768 ... 32767).contains(given.digitalMaximum),
                      given.digitalMinimum < given.digitalMaximum, given.physicalMinimum != given.physicalMaximum else {
                    throw invalid("scaling of \(channel.name)", "16-bit digital limits (min < max) and distinct physical limits", "\(given)")
                }
                lowText = try number(given.physicalMinimum, field: "physical minimum of \(channel.name)")
                highText = try number(given.physicalMaximum, field: "physical maximum of \(channel.name)")
                (dmin, dmax) = (given.digitalMinimum, given.digitalMaximum)
            } else {
                var low = Double.infinity, high = -Double.infinity
                for v in series.channel(at: c) {
                    let x = Double(v) * toFile
                    guard x.isFinite else { throw invalid("samples of \(channel.name)", "finite values", "\(v)") }
                    low = min(low, x); high = max(high, x)
                }
                if !(low < high) { low = (low.isFinite ? low : 0) - 1; high = low + 2 }
                lowText = try number(low, field: "physical minimum of \(channel.name)", rounding: .down)
                highText = try number(high, field: "physical maximum of \(channel.name)", rounding: .up)
                (dmin, dmax) = (-32768, 32767)
            }
            scalings.append(EDFScaling(
                physicalMinimum: Double(lowText)!, physicalMaximum: Double(highText)!, digitalMinimum: dmin, digitalMaximum: dmax))
            pminTexts.append(lowText); pmaxTexts.append(highText)
        }

        // Annotation TALs per record; each record starts with its time-keeping TAL.
        var tals = (0 ..< recordCount).map { r in Array("+\(seconds(Double(r) * duration))\u{14}\u{14}\u{0}".utf8) }
        for a in series.annotations {
            guard !a.label.utf8.contains(where: { $0 == 0x14 || $0 == 0x15 || $0 == 0 }) else {
                throw invalid("annotation label", "text without the TAL separators 0x00, 0x14, 0x15", a.label.debugDescription)
            }
            let record = recordCount == 0 ? 0 : max(0, min(recordCount - 1, Int((a.onset / duration).rounded(.down))))
            let sign = a.onset < 0 ? "-" : "+"
            let stamp = sign + seconds(abs(a.onset)) + (a.duration > 0 ? "\u{15}" + seconds(a.duration) : "")
            if recordCount == 0 { tals.append(Array("+0\u{14}\u{14}\u{0}".utf8)) }
            tals[record] += Array((stamp + "\u{14}" + a.label + "\u{14}\u{0}").utf8)
        }
        let annotationSamples = max(8, (tals.map(\.count).max() ?? 0) + 1) / 2 + 1
        let signalCount = series.channelCount + 1

        // Header.
        var header = [UInt8]()
        func put(_ text: String, _ width: Int, _ field: String) throws {
            let bytes = Array(text.utf8)
            guard bytes.count <= width, bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else {
                throw invalid(field, "printable ASCII of at most \(width) characters", text.debugDescription)
            }
            header += bytes + [UInt8](repeating: 0x20, count: width - bytes.count)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        var dateText = "01.01.85", timeText = "00.00.00", recording = "Startdate X X X X"
        if let start = series.startTime {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: start)
            guard let year = c.year, (1985 ... 2084).contains(year) else {
                throw invalid("startTime", "a year in 1985...2084 (EDF's 2-digit year)", "\(start)")
            }
            dateText = String(format: "%02d.%02d.%02d", c.day!, c.month!, year % 100)
            timeText = String(format: "%02d.%02d.%02d", c.hour!, c.minute!, c.second!)
            recording = String(format: "Startdate %02d-%@-%04d X X NeuroSwift", c.day!, months[c.month! - 1], year)
        }
        try put("0", 8, "version")
        try put(options.patient, 80, "patient")
        try put(recording, 80, "recording")
        try put(dateText, 8, "start date")
        try put(timeText, 8, "start time")
        try put("\(256 * (1 + signalCount))", 8, "header bytes")
        try put("EDF+C", 44, "reserved")
        try put("\(recordCount)", 8, "number of data records")
        try put(durationText, 8, "record duration")
        try put("\(signalCount)", 4, "number of signals")
        let labels = series.channels.map(\.name) + ["EDF Annotations"]
        let units = series.channels.map { $0.originalUnit.replacingOccurrences(of: "µ", with: "u").replacingOccurrences(of: "μ", with: "u") } + [""]
        for (i, l) in labels.enumerated() { try put(l, 16, "label of channel \(i)") }
        for _ in labels { try put("", 80, "transducer") }
        for (i, u) in units.enumerated() { try put(u, 8, "unit of channel \(i)") }
        for t in pminTexts + ["-1"] { try put(t, 8, "physical minimum") }
        for t in pmaxTexts + ["1"] { try put(t, 8, "physical maximum") }
        for s in scalings { try put("\(s.digitalMinimum)", 8, "digital minimum") }
        try put("-32768", 8, "digital minimum")
        for s in scalings { try put("\(s.digitalMaximum)", 8, "digital maximum") }
        try put("32767", 8, "digital maximum")
        for _ in labels { try put("", 80, "prefiltering") }
        for _ in series.channels { try put("\(perRecord)", 8, "samples per record") }
        try put("\(annotationSamples)", 8, "samples per record")
        for _ in labels { try put("", 32, "reserved") }

        // Data records.
        let recordBytes = 2 * (series.channelCount * perRecord + annotationSamples)
        var data = Data(count: header.count + recordCount * recordBytes)
        data.withUnsafeMutableBytes { raw in
            raw.copyBytes(from: header)
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + header.count
            series.samples.withUnsafeBufferPointer { samples in
                for r in 0 ..< recordCount {
                    var p = base + r * recordBytes
                    for c in 0 ..< series.channelCount {
                        let s = scalings[c]
                        let gain = s.gain, offset = s.offset
                        let toFile = 1 / (series.channels[c].scaleToSI ?? 1)
                        let row = samples.baseAddress! + c * series.sampleCount
                        for k in 0 ..< perRecord {
                            let index = min(r * perRecord + k, series.sampleCount - 1)
                            let physical = Double(row[index]) * toFile
                            let digital = ((physical - offset) / gain).rounded()
                            let clamped = Int16(max(Double(s.digitalMinimum), min(Double(s.digitalMaximum), digital)))
                            let u = UInt16(bitPattern: clamped)
                            p[0] = UInt8(u & 0xFF); p[1] = UInt8(u >> 8)
                            p += 2
                        }
                    }
                    let tal = tals[r]
                    for (k, byte) in tal.enumerated() { p[k] = byte }  // the rest stays NUL
                }
            }
        }
        return data
    }

    /// Seconds as a plain decimal (no exponent, as TALs require), to the nanosecond.
    static func seconds(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.9f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A number for an 8-character header field: the shortest exact text when one fits, else
    /// rounded in the given direction (outwards for physical limits, so the data stays in range).
    static func number(_ value: Double, field: String, rounding: FloatingPointRoundingRule = .toNearestOrEven) throws -> String {
        if value == value.rounded(), abs(value) < 1e8 {
            let text = String(Int64(value))
            if text.count <= 8 { return text }
        }
        var shortest = "\(value)"
        if shortest.hasSuffix(".0") { shortest.removeLast(2) }
        if shortest.count <= 8, !shortest.contains("e") { return shortest }
        for decimals in stride(from: 7, through: 0, by: -1) {
            let scale = pow(10.0, Double(decimals))
            let rounded = (value * scale).rounded(rounding) / scale
            let text = String(format: "%.\(decimals)f", rounded)
            if text.count <= 8 { return text }
        }
        throw RecordingError.invalidValue(
            type: "EDFWriter", field: field, expected: "a value that fits 8 characters", found: "\(value)")
    }
}

extension EDFReader {
    /// The digital/physical ranges of every channel, keyed by channel name, for `EDFWriter.Options`.
    public var scalings: [String: EDFScaling] {
        Dictionary(uniqueKeysWithValues: zip(channelNames, signalIndices.map { header.signals[$0].scaling }))
    }
}
