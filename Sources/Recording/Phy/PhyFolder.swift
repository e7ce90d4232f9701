import Foundation

/// Reads a Phy / Kilosort output folder into `SpikeTrains`.
///
/// Uses `spike_times.npy` (sample indices, any integer type, shape (n,) or (n, 1)),
/// `spike_clusters.npy` (or `spike_templates.npy` when clusters are absent), `params.py` for
/// `sample_rate`, and `cluster_group.tsv` (or `cluster_KSLabel.tsv`) for the curation label
/// (`quality`). `params.py` is Python, but it is never executed: only a line
/// `sample_rate = <number>` is parsed, strictly.
public enum PhyFolder {
    public static func read(_ folder: URL) throws -> SpikeTrains {
        let name = folder.lastPathComponent
        func file(_ n: String) -> URL { folder.appendingPathComponent(n) }
        func exists(_ n: String) -> Bool { FileManager.default.fileExists(atPath: file(n).path) }
        for required in ["spike_times.npy", "params.py"] where !exists(required) {
            throw ArrayFileError.notFound(file: name, name: required, available: (try? FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()) ?? [])
        }
        let rate = try sampleRate(fromParams: String(decoding: readFileBytes(file("params.py")), as: UTF8.self), file: "\(name)/params.py")
        let samples = try integerColumn(NPYFile.read(file("spike_times.npy")), file: "\(name)/spike_times.npy")
        let labelFile = exists("spike_clusters.npy") ? "spike_clusters.npy" : "spike_templates.npy"
        guard exists(labelFile) else {
            throw ArrayFileError.notFound(file: name, name: "spike_clusters.npy (or spike_templates.npy)", available: [])
        }
        let labels = try integerColumn(NPYFile.read(file(labelFile)), file: "\(name)/\(labelFile)")
        guard labels.count == samples.count else {
            throw RecordingError.invalidField(
                file: "\(name)/\(labelFile)", field: "length", expected: "\(samples.count) labels (one per spike)", found: "\(labels.count)")
        }
        var groups: [Int: String] = [:]
        for tsv in ["cluster_group.tsv", "cluster_KSLabel.tsv"] where exists(tsv) {
            groups = try clusterGroups(String(decoding: readFileBytes(file(tsv)), as: UTF8.self), file: "\(name)/\(tsv)")
            break
        }
        let ids = Set(labels.map { Int($0) }).union(groups.keys).sorted()
        let units = ids.map { SpikeUnit(id: $0, quality: groups[$0]) }
        let times = samples.map { Double($0) / rate }
        return try SpikeTrains(spikeTimes: times, labels: labels.map { Int($0) }, units: units)
    }

    /// The value of `sample_rate = <number>` in a `params.py` text. Comments (`#`) and other
    /// assignments are ignored; the number must be a plain decimal literal (`30000`, `30000.`,
    /// `3e4`, `2.5e+04`), finite and positive. Anything else (an expression, a name) throws.
    public static func sampleRate(fromParams text: String, file: String) throws -> Double {
        var found: Double? = nil
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "sample_rate" else { continue }
            let literal = parts[1].trimmingCharacters(in: .whitespaces)
            guard isDecimalLiteral(literal), let value = Double(literal), value.isFinite, value > 0 else {
                throw RecordingError.invalidField(file: file, field: "sample_rate", expected: "a positive number literal", found: "\"\(literal)\"")
            }
            guard found == nil else {
                throw RecordingError.invalidField(file: file, field: "sample_rate", expected: "one assignment", found: "several")
            }
            found = value
        }
        guard let rate = found else {
            throw RecordingError.invalidField(file: file, field: "sample_rate", expected: "a line `sample_rate = <Hz>`", found: "none")
        }
        return rate
    }

    /// digits [. digits] [e[±]digits], or . digits …; no sign, no underscores, no names.
    static func isDecimalLiteral(_ s: String) -> Bool {
        var chars = Array(s.utf8)[...]
        func digits() -> Int {
            var n = 0
            while let c = chars.first, (48...57).contains(c) { chars.removeFirst(); n += 1 }
            return n
        }
        var mantissa = digits()
        if chars.first == UInt8(ascii: ".") { chars.removeFirst(); mantissa += digits() }
        guard mantissa > 0 else { return false }
        if let c = chars.first, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            chars.removeFirst()
            if let s = chars.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { chars.removeFirst() }
            guard digits() > 0 else { return false }
        }
        return chars.isEmpty
    }

    /// `cluster_id<TAB>group` rows after a header naming those two columns.
    static func clusterGroups(_ text: String, file: String) throws -> [Int: String] {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        guard let header = lines.first, header.count >= 2, header[0] == "cluster_id" else {
            throw RecordingError.invalidField(file: file, field: "header", expected: "cluster_id<TAB>group", found: lines.first?.joined(separator: "\\t") ?? "an empty file")
        }
        var groups: [Int: String] = [:]
        for (i, row) in lines.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            guard row.count >= 2, let id = Int(row[0]) else {
                throw RecordingError.invalidField(file: file, field: "row \(i + 2)", expected: "an integer cluster id and a label", found: row.joined(separator: "\\t"))
            }
            groups[id] = row[1]
        }
        return groups
    }

    /// A 1-D (or n × 1) integer array as Int64.
    static func integerColumn(_ array: NumericArray, file: String) throws -> [Int64] {
        guard array.rank == 1 || (array.rank == 2 && array.shape[1] == 1) else {
            throw ArrayFileError.wrongKind(name: file, expected: "a 1-D or n×1 array", found: "shape \(array.shape)")
        }
        guard let values = array.int64s, array.elementType != .bool else {
            throw ArrayFileError.wrongKind(name: file, expected: "integers", found: "\(array.elementType)")
        }
        if array.elementType == .uint64, let big = values.first(where: { $0 < 0 }) {
            throw RecordingError.invalidField(file: file, field: "values", expected: "sample indices below 2⁶³", found: "\(UInt64(bitPattern: big))")
        }
        return values
    }
}
