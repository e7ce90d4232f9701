import Foundation

/// Reads NWB 2.x files (HDF5): the units table as `SpikeTrains`, the electrodes table, and
/// `TimeIntervals` tables (epochs, trials).
///
/// Ragged columns (`spike_times` + `spike_times_index`, `tags` + `tags_index`) follow hdmf's
/// VectorIndex convention: `index[i]` is the end (exclusive) of row `i` in the data column. The
/// index is checked to be non-decreasing and to end exactly at the data's length before anything is
/// split, so a damaged table throws instead of producing shifted rows.
public struct NWBFile: Sendable {
    public let url: URL
    public let file: HDF5File
    /// The root `nwb_version` attribute (e.g. "2.4.0").
    public let nwbVersion: String

    var name: String { url.lastPathComponent }

    /// Opens `url` read-only and checks that the root says `neurodata_type = NWBFile`.
    public static func open(_ url: URL) throws -> NWBFile {
        let file = try HDF5File.open(at: url)
        let root = file.root
        let type = (try? root.attribute("neurodata_type"))?.string
        guard type == "NWBFile" else {
            try? file.close()
            throw RecordingError.invalidField(
                file: url.lastPathComponent, field: "root attribute neurodata_type", expected: "NWBFile (an NWB 2.x file)",
                found: type.map { "\"\($0)\"" } ?? "none")
        }
        let version = (try? root.attribute("nwb_version"))?.string ?? ""
        guard version.hasPrefix("2.") else {
            try? file.close()
            throw RecordingError.invalidField(
                file: url.lastPathComponent, field: "root attribute nwb_version", expected: "2.x", found: version.isEmpty ? "none" : version)
        }
        return NWBFile(url: url, file: file, nwbVersion: version)
    }

    public func close() throws { try file.close() }

    // MARK: Units

    /// The `/units` table: one unit per row, ids from `id`, spike times from the ragged
    /// `spike_times` column (sorted per unit here: NWB does not require sorted times), region from
    /// `location`, quality from `quality`, and the electrode from the (first) `electrodes` entry
    /// when those columns exist. Empty strings become nil.
    public func units(path: String = "/units") throws -> SpikeTrains {
        let table = try requireGroup(path, what: "a units table")
        let ids = try readIDs(table)
        var times = try readRagged(table, column: "spike_times", rows: ids.count) { try $0.readDoubles() }
        for i in times.indices {
            if let bad = times[i].first(where: { !$0.isFinite }) {
                throw RecordingError.invalidField(file: name, field: "\(path)/spike_times of unit \(ids[i])", expected: "finite times", found: "\(bad)")
            }
            times[i].sort()
        }
        let locations = try optionalStrings(table, "location", rows: ids.count)
        let qualities = try optionalStrings(table, "quality", rows: ids.count)
        var electrodes: [Int?] = Array(repeating: nil, count: ids.count)
        if table.contains("electrodes") {
            if table.contains("electrodes_index") {
                let lists = try readRagged(table, column: "electrodes", rows: ids.count) { try $0.readDoubles() }
                electrodes = lists.map { $0.first.map { Int($0) } }
            } else {
                let values = try table.dataset("electrodes").readDoubles()
                if values.count == ids.count { electrodes = values.map { Int($0) } }
            }
        }
        let units = ids.indices.map { i in
            SpikeUnit(id: ids[i], region: locations?[i].nilIfEmpty, quality: qualities?[i].nilIfEmpty, electrode: electrodes[i])
        }
        return try SpikeTrains(units: units, times: times)
    }

    // MARK: Electrodes and intervals

    /// `/general/extracellular_ephys/electrodes`.
    public func electrodes() throws -> NWBElectrodeTable {
        let path = "/general/extracellular_ephys/electrodes"
        let table = try requireGroup(path, what: "an electrodes table")
        let ids = try readIDs(table)
        let blank = [String](repeating: "", count: ids.count)
        func coordinate(_ c: String) throws -> [Double]? {
            guard table.contains(c) else { return nil }
            let v = try table.dataset(c).readDoubles()
            guard v.count == ids.count else { throw columnLength(path, c, v.count, ids.count) }
            return v
        }
        return NWBElectrodeTable(
            ids: ids, locations: try optionalStrings(table, "location", rows: ids.count) ?? blank,
            groupNames: try optionalStrings(table, "group_name", rows: ids.count) ?? blank,
            x: try coordinate("x"), y: try coordinate("y"), z: try coordinate("z"))
    }

    /// The names of the tables under `/intervals` (e.g. ["epochs", "trials"]).
    public func intervalTableNames() throws -> [String] {
        guard file.root.contains("/intervals") else { return [] }
        return try file.root.group("/intervals").children()
    }

    /// `/intervals/<name>`: start and stop times, with tags when the table has them.
    public func intervals(_ tableName: String = "epochs") throws -> NWBIntervals {
        let path = "/intervals/\(tableName)"
        let table = try requireGroup(path, what: "a TimeIntervals table")
        let ids = try readIDs(table)
        let start = try table.dataset("start_time").readDoubles()
        let stop = try table.dataset("stop_time").readDoubles()
        guard start.count == ids.count else { throw columnLength(path, "start_time", start.count, ids.count) }
        guard stop.count == ids.count else { throw columnLength(path, "stop_time", stop.count, ids.count) }
        for i in ids.indices where !(start[i].isFinite && stop[i].isFinite && stop[i] >= start[i]) {
            throw RecordingError.invalidField(
                file: name, field: "\(path) row \(i)", expected: "finite start ≤ stop", found: "\(start[i]) – \(stop[i])")
        }
        var tags = [[String]](repeating: [], count: ids.count)
        if table.contains("tags") {
            tags = try readRagged(table, column: "tags", rows: ids.count) { try $0.readStrings() }
        }
        return NWBIntervals(name: tableName, ids: ids, startTimes: start, stopTimes: stop, tags: tags)
    }

    // MARK: Table helpers

    func requireGroup(_ path: String, what: String) throws -> HDF5Group {
        guard file.root.contains(path) else {
            throw RecordingError.invalidField(file: name, field: path, expected: what, found: "nothing at that path")
        }
        return try file.root.group(path)
    }

    func columnLength(_ table: String, _ column: String, _ found: Int, _ expected: Int) -> RecordingError {
        .invalidField(file: name, field: "\(table)/\(column)", expected: "\(expected) rows (the length of id)", found: "\(found)")
    }

    func readIDs(_ table: HDF5Group) throws -> [Int] {
        guard table.contains("id") else {
            throw RecordingError.invalidField(file: name, field: "\(table.path)/id", expected: "an id column", found: "none")
        }
        let values = try table.dataset("id").readDoubles()
        return try values.map { v in
            guard v.isFinite, v == v.rounded(), abs(v) < 9e15 else {
                throw RecordingError.invalidField(file: name, field: "\(table.path)/id", expected: "integer ids", found: "\(v)")
            }
            return Int(v)
        }
    }

    func optionalStrings(_ table: HDF5Group, _ column: String, rows: Int) throws -> [String]? {
        guard table.contains(column) else { return nil }
        let ds = try table.dataset(column)
        guard ds.elementType.isString else { return nil }
        let values = try ds.readStrings()
        guard values.count == rows else { throw columnLength(table.path, column, values.count, rows) }
        return values
    }

    /// Splits `column` by `column_index` into `rows` lists.
    func readRagged<T>(_ table: HDF5Group, column: String, rows: Int, read: (HDF5Dataset) throws -> [T]) throws -> [[T]] {
        let field = "\(table.path)/\(column)"
        guard table.contains(column) else {
            throw RecordingError.invalidField(file: name, field: field, expected: "a \(column) column", found: "none")
        }
        guard table.contains(column + "_index") else {
            throw RecordingError.invalidField(file: name, field: field + "_index", expected: "the index of the ragged column \(column)", found: "none")
        }
        let data = try read(table.dataset(column))
        let rawIndex = try table.dataset(column + "_index").readDoubles()
        guard rawIndex.count == rows else { throw columnLength(table.path, column + "_index", rawIndex.count, rows) }
        var result: [[T]] = []
        result.reserveCapacity(rows)
        var previous = 0
        for (i, v) in rawIndex.enumerated() {
            guard v.isFinite, v == v.rounded(), v >= Double(previous), v <= Double(data.count) else {
                throw RecordingError.invalidField(
                    file: name, field: field + "_index[\(i)]",
                    expected: "a non-decreasing end offset in \(previous)…\(data.count)", found: "\(v)")
            }
            let end = Int(v)
            result.append(Array(data[previous..<end]))
            previous = end
        }
        guard previous == data.count else {
            throw RecordingError.invalidField(
                file: name, field: field + "_index", expected: "to end at the \(data.count) values of \(column)", found: "last offset \(previous)")
        }
        return result
    }
}

fileprivate extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
