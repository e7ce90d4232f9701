import Foundation

/// Plain-text spike data: one spike time per line, and comma/whitespace-separated count matrices
/// and label columns (the Allen `Y.csv` / `Lab_neuron.csv` layout).
public enum SpikeTextFiles {
    /// The unit of the numbers in a spike-time file.
    public enum TimeUnit: Double, Sendable {
        case seconds = 1, milliseconds = 1e-3, microseconds = 1e-6
    }

    /// Reads one spike time per line (blank lines and `#` comments skipped), converted to seconds
    /// and sorted ascending.
    public static func readSpikeTimes(_ url: URL, unit: TimeUnit) throws -> [Double] {
        let name = url.lastPathComponent
        var times: [Double] = []
        for (i, raw) in String(decoding: try readFileBytes(url), as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let v = Double(line), v.isFinite else {
                throw RecordingError.invalidField(file: name, field: "line \(i + 1)", expected: "a number", found: "\"\(line.prefix(40))\"")
            }
            times.append(v * unit.rawValue)
        }
        times.sort()
        return times
    }

    /// Reads a numeric matrix: rows on lines, values separated by commas (or whitespace). Every
    /// row must have the same number of values. Returns (rows, columns, row-major values).
    public static func readMatrix(_ url: URL) throws -> (rows: Int, columns: Int, values: [Double]) {
        let name = url.lastPathComponent
        var values: [Double] = []
        var columns = -1, rows = 0
        for (i, raw) in String(decoding: try readFileBytes(url), as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.contains(",") ? line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                : line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if columns < 0 { columns = fields.count }
            guard fields.count == columns else {
                throw RecordingError.invalidField(file: name, field: "line \(i + 1)", expected: "\(columns) values", found: "\(fields.count)")
            }
            for (j, f) in fields.enumerated() {
                guard let v = Double(f) else {
                    throw RecordingError.invalidField(file: name, field: "line \(i + 1), column \(j + 1)", expected: "a number", found: "\"\(f.prefix(40))\"")
                }
                values.append(v)
            }
            rows += 1
        }
        guard rows > 0 else {
            throw RecordingError.invalidField(file: name, field: "contents", expected: "at least one row of numbers", found: "none")
        }
        return (rows, columns, values)
    }

    /// A label column (one integer per line, or a single row) such as `Lab_neuron.csv`.
    public static func readLabels(_ url: URL) throws -> [Int] {
        let m = try readMatrix(url)
        guard m.rows == 1 || m.columns == 1 else {
            throw RecordingError.invalidField(file: url.lastPathComponent, field: "shape", expected: "one column or one row", found: "\(m.rows) × \(m.columns)")
        }
        return try m.values.map { v in
            guard v == v.rounded(), abs(v) < 1e15 else {
                throw RecordingError.invalidField(file: url.lastPathComponent, field: "labels", expected: "integers", found: "\(v)")
            }
            return Int(v)
        }
    }

    /// A units × bins count matrix (e.g. Allen `Y.csv`, 0.5 s bins) as `SpikeCounts`, units numbered
    /// from 0 (or with `regions` labels as their region names).
    public static func readCounts(_ url: URL, binWidth: Double, start: Double = 0, regions: [String]? = nil) throws -> SpikeCounts {
        let m = try readMatrix(url)
        if let regions, regions.count != m.rows {
            throw RecordingError.invalidField(file: url.lastPathComponent, field: "regions", expected: "\(m.rows) labels (one per unit row)", found: "\(regions.count)")
        }
        let units = (0..<m.rows).map { SpikeUnit(id: $0, region: regions?[$0]) }
        return try SpikeCounts(counts: m.values, units: units, binWidth: binWidth, start: start)
    }
}
