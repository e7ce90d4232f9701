import Foundation

/// One NWB `TimeSeries` (or subtype) found in a file: enough to list it and choose a reader.
public struct NWBSeriesInfo: Sendable, Hashable {
    /// Absolute path of the series group (e.g. "/acquisition/ElectricalSeries").
    public let path: String
    /// The `neurodata_type` attribute ("ElectricalSeries", "RoiResponseSeries", "SpatialSeries", …).
    public let neurodataType: String
    /// Shape of `data` (time first).
    public let shape: [Int]
    /// The `unit` attribute of `data`.
    public let unit: String
    /// Samples per second when the series uses `starting_time` + `rate`, else nil (it has `timestamps`).
    public let rate: Double?
    public var name: String { String(path.split(separator: "/").last ?? "") }
    public var sampleCount: Int { shape.first ?? 0 }
}

/// An NWB `ElectricalSeries` read as a `TimeSeries`, with the electrodes it records from.
public struct NWBElectricalSeries: Sendable, Hashable {
    /// Samples in SI units (`data · conversion · channel_conversion + offset`); channels named
    /// after the electrodes' `label` column when present, else "E<id>".
    public let series: TimeSeries
    /// Rows of the electrodes table, one per channel (the series' `electrodes` region).
    public let electrodeRows: [Int]
    /// The electrodes' `id`s and `location`s (empty when the file has no electrodes table).
    public let electrodeIDs: [Int]
    public let locations: [String]
    /// `starting_time` (or the first timestamp) in seconds from the session start.
    public let startingTime: Double
}

/// Reads the `TimeSeries` family: `ElectricalSeries` (sEEG/ECoG/LFP) as `TimeSeries`, ophys
/// `RoiResponseSeries` (Fluorescence, DfOverF) as `CalciumTraces`, and behavioural
/// `TimeSeries`/`SpatialSeries` as `CovariateSeries`.
///
/// Stored values become physical ones as NWB defines: `data · conversion + offset` (`offset`
/// since NWB 2.4; 0 before), per channel also `· channel_conversion` for electrical series. Time
/// is either `starting_time` with a `rate` attribute or a `timestamps` dataset with one time per
/// sample; both are honoured.
extension NWBFile {
    /// Every group under /acquisition, /processing and /stimulus whose `neurodata_type` ends in
    /// "Series" and that holds a `data` dataset, in path order.
    public func seriesList() throws -> [NWBSeriesInfo] {
        var found: [NWBSeriesInfo] = []
        for top in ["/acquisition", "/processing", "/stimulus"] where file.root.contains(top) {
            for info in try file.root.group(top).tree() where info.kind == .group {
                guard let type = info.attributes.first(where: { $0.name == "neurodata_type" })?.value.string,
                    type.hasSuffix("Series")
                else { continue }
                let group = try file.root.group(info.path)
                guard group.contains("data") else { continue }
                let data = try group.dataset("data")
                let unit = (try? data.attribute("unit"))?.string ?? ""
                var rate: Double? = nil
                if group.contains("starting_time") {
                    rate = (try? group.dataset("starting_time").attribute("rate"))?.double
                }
                found.append(NWBSeriesInfo(path: info.path, neurodataType: type, shape: data.shape, unit: unit, rate: rate))
            }
        }
        return found
    }

    /// The `ElectricalSeries` at `path` (e.g. "/acquisition/ElectricalSeries",
    /// "/processing/ecephys/LFP/LFP"). Channels get `kind`; NWB does not say whether electrodes
    /// are depth (sEEG), surface (ECoG) or extracellular, so the caller does. Series stored with
    /// `timestamps` must be evenly sampled (every interval within 1 % of the mean) to become a
    /// `TimeSeries`.
    public func electricalSeries(_ path: String, kind: ChannelKind = .seeg) throws -> NWBElectricalSeries {
        let core = try readSeries(path, expecting: ["ElectricalSeries"])
        var values = core.values
        let channels = core.columns
        if core.group.contains("channel_conversion") {
            let factors = try core.group.dataset("channel_conversion").readDoubles()
            guard factors.count == channels else {
                throw RecordingError.invalidField(
                    file: name, field: "\(path)/channel_conversion", expected: "\(channels) factors (one per channel)", found: "\(factors.count)")
            }
            values.withUnsafeMutableBufferPointer { v in
                for t in 0..<core.frames {
                    let row = t &* channels
                    for c in 0..<channels { v[row &+ c] = (v[row &+ c] - core.offset) * factors[c] + core.offset }
                }
            }
        }
        var rows = Array(0..<channels)
        if core.group.contains("electrodes") {
            let region = try core.group.dataset("electrodes").readDoubles()
            guard region.count == channels else {
                throw RecordingError.invalidField(
                    file: name, field: "\(path)/electrodes", expected: "\(channels) electrode rows (one per channel)", found: "\(region.count)")
            }
            rows = try region.map { v in
                guard v.isFinite, v >= 0, v == v.rounded(), v < 1e12 else {
                    throw RecordingError.invalidField(file: name, field: "\(path)/electrodes", expected: "row indices ≥ 0", found: "\(v)")
                }
                return Int(v)
            }
        }
        let electrodeTablePath = "/general/extracellular_ephys/electrodes"
        var ids: [Int] = []
        var locations: [String] = []
        var names = rows.map { "E\($0)" }
        if file.root.contains(electrodeTablePath) {
            let table = try electrodes()
            for (c, r) in rows.enumerated() where r >= table.count {
                throw RecordingError.invalidField(
                    file: name, field: "\(path)/electrodes[\(c)]", expected: "a row of the \(table.count)-row electrodes table", found: "\(r)")
            }
            ids = rows.map { table.ids[$0] }
            locations = rows.map { table.locations[$0] }
            names = ids.map { "E\($0)" }
            if let labels = try optionalStrings(try file.root.group(electrodeTablePath), "label", rows: table.count) {
                let picked = rows.map { labels[$0] }
                if Set(picked).count == picked.count, !picked.contains("") { names = picked }
            }
        }
        let rate = try evenRate(core, path: path)
        let siUnit = core.unit.lowercased() == "volts" || core.unit == "V"
        let channelList = names.map { Channel(name: $0, kind: kind, originalUnit: siUnit ? "V" : core.unit) }
        // data is time × channels; TimeSeries is channel-major.
        var samples = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            samples.withUnsafeMutableBufferPointer { dst in
                for t in 0..<core.frames {
                    let row = t &* channels
                    for c in 0..<channels { dst[c &* core.frames &+ t] = Float(src[row &+ c]) }
                }
            }
        }
        let series = try TimeSeries(samples: samples, channels: channelList, samplingRate: rate)
        return NWBElectricalSeries(
            series: series, electrodeRows: rows, electrodeIDs: ids, locations: locations, startingTime: core.startingTime)
    }

    /// The ophys `RoiResponseSeries` at `path` (e.g. "/processing/ophys/Fluorescence/RoiResponseSeries")
    /// as neurons × frames traces. The kind is ΔF/F when the parent container is a `DfOverF`,
    /// fluorescence otherwise; neuron ids are the ROI rows of the `rois` region.
    public func roiResponseSeries(_ path: String) throws -> TimestampedCalciumTraces {
        let core = try readSeries(path, expecting: ["RoiResponseSeries"])
        let rois = core.columns
        var ids = Array(0..<rois)
        if core.group.contains("rois") {
            let region = try core.group.dataset("rois").readDoubles()
            guard region.count == rois else {
                throw RecordingError.invalidField(file: name, field: "\(path)/rois", expected: "\(rois) ROI rows (one per column of data)", found: "\(region.count)")
            }
            ids = region.map { $0.isFinite && abs($0) < 1e15 ? Int($0) : -1 }
        }
        let parent = String(path.split(separator: "/").dropLast().joined(separator: "/"))
        let parentType = (try? file.root.group("/" + parent).attribute("neurodata_type"))?.string
        var signal = [Float](repeating: 0, count: core.values.count)
        core.values.withUnsafeBufferPointer { src in
            signal.withUnsafeMutableBufferPointer { dst in
                for t in 0..<core.frames {
                    let row = t &* rois
                    for n in 0..<rois { dst[n &* core.frames &+ t] = Float(src[row &+ n]) }
                }
            }
        }
        let rate: Double
        if let r = core.rate {
            rate = r
        } else if let t = core.timestamps, t.count > 1, t[t.count - 1] > t[0] {
            rate = Double(t.count - 1) / (t[t.count - 1] - t[0])
        } else {
            throw RecordingError.invalidField(file: name, field: "\(path)/timestamps", expected: "times spanning > 0 s", found: "\(core.frames) frame(s)")
        }
        let traces = try CalciumTraces(
            signal: signal, neurons: ids.map { CalciumNeuron(id: $0) }, frameRate: rate,
            kind: parentType == "DfOverF" ? .deltaFOverF : .fluorescence)
        return TimestampedCalciumTraces(traces: traces, timestamps: core.timestamps)
    }

    /// A behavioural `TimeSeries` or `SpatialSeries` (e.g. "/processing/behavior/Position/position")
    /// as covariates with one time per sample. Columns are named x, y, z for a spatial series of
    /// up to three dimensions, else the series name (one column) or "name[i]".
    public func covariates(_ path: String) throws -> CovariateSeries {
        let core = try readSeries(path, expecting: nil)
        let seriesName = String(path.split(separator: "/").last ?? "series")
        let names: [String]
        if core.type == "SpatialSeries", core.columns <= 3 {
            names = Array(["x", "y", "z"].prefix(core.columns))
        } else if core.columns == 1 {
            names = [seriesName]
        } else {
            names = (0..<core.columns).map { "\(seriesName)[\($0)]" }
        }
        var columnMajor = [Double](repeating: 0, count: core.values.count)
        for t in 0..<core.frames {
            for c in 0..<core.columns { columnMajor[c &* core.frames &+ t] = core.values[t &* core.columns &+ c] }
        }
        let times = core.timestamps ?? (0..<core.frames).map { core.startingTime + Double($0) / core.rate! }
        return try CovariateSeries(
            names: names, units: Array(repeating: core.unit, count: names.count), timestamps: times, values: columnMajor)
    }

    // MARK: Shared reading

    struct SeriesCore {
        let group: HDF5Group
        let type: String
        /// Row-major time × columns, already `· conversion + offset`.
        let values: [Double]
        let frames: Int
        let columns: Int
        let unit: String
        let offset: Double
        let rate: Double?
        let timestamps: [Double]?
        let startingTime: Double
    }

    func readSeries(_ path: String, expecting types: [String]?) throws -> SeriesCore {
        let group = try requireGroup(path, what: types.map { "a " + $0.joined(separator: " or ") } ?? "a TimeSeries")
        let type = (try? group.attribute("neurodata_type"))?.string ?? ""
        if let types, !types.contains(type) {
            throw RecordingError.invalidField(
                file: name, field: "\(path) neurodata_type", expected: types.joined(separator: " or "), found: type.isEmpty ? "none" : type)
        }
        guard group.contains("data") else {
            throw RecordingError.invalidField(file: name, field: "\(path)/data", expected: "a data dataset", found: "none")
        }
        let data = try group.dataset("data")
        guard data.elementType.isNumeric, (1...2).contains(data.rank) else {
            throw RecordingError.invalidField(
                file: name, field: "\(path)/data", expected: "numeric data of rank 1 or 2 (time first)", found: "\(data.elementType) \(data.shape)")
        }
        let frames = data.shape[0]
        let columns = data.rank == 2 ? data.shape[1] : 1
        guard frames > 0, columns > 0 else {
            throw RecordingError.invalidField(file: name, field: "\(path)/data", expected: "at least one sample and one column", found: "shape \(data.shape)")
        }
        let conversion = (try? data.attribute("conversion"))?.double ?? 1
        let offset = (try? data.attribute("offset"))?.double ?? 0
        guard conversion.isFinite, conversion != 0, offset.isFinite else {
            throw RecordingError.invalidField(
                file: name, field: "\(path)/data conversion, offset", expected: "finite values, conversion ≠ 0", found: "\(conversion), \(offset)")
        }
        var values = try data.readDoubles()
        if conversion != 1 || offset != 0 {
            values.withUnsafeMutableBufferPointer { v in
                for i in v.indices { v[i] = v[i] * conversion + offset }
            }
        }
        let unit = (try? data.attribute("unit"))?.string ?? ""
        var rate: Double? = nil
        var timestamps: [Double]? = nil
        var start = 0.0
        if group.contains("starting_time") {
            let st = try group.dataset("starting_time")
            start = try st.readDoubles().first ?? 0
            let r = (try? st.attribute("rate"))?.double ?? .nan
            guard r.isFinite, r > 0, start.isFinite else {
                throw RecordingError.invalidField(
                    file: name, field: "\(path)/starting_time", expected: "a finite time with a rate attribute > 0", found: "\(start) at rate \(r)")
            }
            rate = r
        } else if group.contains("timestamps") {
            let t = try group.dataset("timestamps").readDoubles()
            guard t.count == frames else {
                throw RecordingError.invalidField(file: name, field: "\(path)/timestamps", expected: "\(frames) times (one per sample)", found: "\(t.count)")
            }
            for i in t.indices where !t[i].isFinite || (i > 0 && t[i] < t[i - 1]) {
                throw RecordingError.invalidField(file: name, field: "\(path)/timestamps[\(i)]", expected: "finite, non-decreasing times", found: "\(t[i])")
            }
            timestamps = t
            start = t[0]
        } else {
            throw RecordingError.invalidField(file: name, field: path, expected: "starting_time (with rate) or timestamps", found: "neither")
        }
        return SeriesCore(
            group: group, type: type, values: values, frames: frames, columns: columns, unit: unit, offset: offset,
            rate: rate, timestamps: timestamps, startingTime: start)
    }

    /// The sampling rate of an evenly sampled series (from `rate`, or checked from `timestamps`).
    func evenRate(_ core: SeriesCore, path: String) throws -> Double {
        if let r = core.rate { return r }
        guard let t = core.timestamps, t.count > 1, t[t.count - 1] > t[0] else {
            throw RecordingError.invalidField(file: name, field: "\(path)/timestamps", expected: "times spanning > 0 s", found: "\(core.frames) sample(s)")
        }
        let mean = (t[t.count - 1] - t[0]) / Double(t.count - 1)
        for i in 1..<t.count where abs((t[i] - t[i - 1]) - mean) > 0.01 * mean {
            throw RecordingError.unsupported(
                file: name, feature: "\(path): unevenly sampled electrical series (interval \(t[i] - t[i - 1]) s at sample \(i), mean \(mean) s)",
                hint: "read it with covariates(_:), which keeps every timestamp")
        }
        return 1 / mean
    }
}
