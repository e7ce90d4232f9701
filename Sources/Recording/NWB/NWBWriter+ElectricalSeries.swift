import Foundation
import NeuroCore

extension NWBWriter {
    /// Writes a continuous recording as NWB: the electrodes table (one row per channel, its name in
    /// the `label` column and `location`), one `ElectricalSeries` at `/acquisition/ElectricalSeries`
    /// (time × channels float32 volts, regular `starting_time` + rate) and, when the series has
    /// annotations, a `TimeIntervals` table `/intervals/epochs` whose tags are the annotation labels.
    /// `NWBFile.timeSeries()` reads such a file back to an equal `TimeSeries` (names, rate,
    /// samples, annotations).
    public static func write(
        to url: URL, session: NWBSession, signals: TimeSeries, locations: [String]? = nil, description: String = "continuous recording"
    ) throws {
        if let locations, locations.count != signals.channelCount {
            throw RecordingError.invalidValue(
                type: "NWBWriter", field: "locations", expected: "\(signals.channelCount) entries (one per channel)", found: "\(locations.count)")
        }
        try HDF5File.writeAtomically(to: url) { file in
            let root = file.root
            try writeFileLevel(root, session)
            let table = try writeElectrodeTable(
                root, device: "amplifier", group: "electrodes_group", groupDescription: "all recorded channels",
                locations: locations ?? Array(repeating: "unknown", count: signals.channelCount), labels: signals.channelNames).path
            try writeElectricalSeries(root, signals, electrodes: table, description: description)
            if !signals.annotations.isEmpty { try writeEpochs(root, signals.annotations) }
        }
    }

    static func writeElectricalSeries(_ root: HDF5Group, _ signals: TimeSeries, electrodes table: String, description: String) throws {
        let series = try root.createGroup("acquisition/ElectricalSeries")
        try tag(series, "ElectricalSeries", namespace: "core")
        try series.setAttribute("description", description)
        try series.setAttribute("comments", "no comments")
        let c = signals.channelCount
        try writeRegularData(series, rowMajor: signals.samples, rows: c, samples: signals.sampleCount, rate: signals.samplingRate, unit: "volts")
        let region = try series.createDataset("electrodes", shape: [c], values: (0..<c).map { Int64($0) })
        try tag(region, "DynamicTableRegion", namespace: "hdmf-common")
        try region.setAttribute("description", "the electrode of each channel")
        try region.setReferenceAttribute("table", to: table)
    }

    static func writeEpochs(_ root: HDF5Group, _ annotations: Annotations) throws {
        let table = try root.createGroup("intervals/epochs")
        try tag(table, "TimeIntervals", namespace: "core")
        try table.setAttribute("description", "annotations of the recording (label in tags)")
        try table.setAttribute("colnames", ["start_time", "stop_time", "tags"])
        try writeIDs(table, Array(annotations.indices))
        try vectorData(table.createDataset("start_time", shape: [annotations.count], values: annotations.map(\.onset)), "Start time of epoch, in seconds")
        try vectorData(table.createDataset("stop_time", shape: [annotations.count], values: annotations.map(\.end)), "Stop time of epoch, in seconds")
        let tags = try table.createStringDataset("tags", values: annotations.map(\.label))
        try vectorData(tags, "user-defined tags")
        let index = try table.createDataset("tags_index", shape: [annotations.count], values: (0..<annotations.count).map { UInt64($0 + 1) })
        try vectorIndex(index, target: tags.path)
    }
}

extension NWBFile {
    /// The file's first `ElectricalSeries` (under /acquisition, else anywhere) as a `TimeSeries` of
    /// `kind` channels, with the rows of every `/intervals` table as annotations (labels from the
    /// tags, else the table name): what `NWBWriter.write(to:session:signals:)` stores.
    public func timeSeries(kind: ChannelKind = .seeg) throws -> TimeSeries {
        let electrical = try seriesList().filter { $0.neurodataType == "ElectricalSeries" }
        guard let path = (electrical.first { $0.path.hasPrefix("/acquisition/") } ?? electrical.first)?.path else {
            throw RecordingError.invalidField(file: name, field: "ElectricalSeries", expected: "at least one ElectricalSeries", found: "none")
        }
        let series = try electricalSeries(path, kind: kind).series
        var items = [Annotation]()
        for table in try intervalTableNames() { items += try intervals(table).annotations() }
        items.sort { $0.onset < $1.onset }
        return try TimeSeries(samples: series.samples, channels: series.channels, samplingRate: series.samplingRate,
                              annotations: try Annotations(items))
    }
}

extension NWBFile {
    /// True when `url` is an HDF5 file whose root says `neurodata_type = NWBFile`.
    public static func isNWB(_ url: URL) -> Bool {
        guard let file = try? HDF5File.open(at: url) else { return false }
        defer { try? file.close() }
        return (try? file.root.attribute("neurodata_type"))?.string == "NWBFile"
    }
}
