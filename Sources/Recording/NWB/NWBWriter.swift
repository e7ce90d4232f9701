import Foundation
import NeuroCore

/// Session-level fields every NWB file carries.
public struct NWBSession: Sendable, Hashable {
    /// Globally unique identifier of the file (NWB's `identifier`).
    public var identifier: String
    public var sessionDescription: String
    public var sessionStartTime: Date
    /// Zero of every timestamp in the file; the session start unless given.
    public var timestampsReferenceTime: Date?
    public var fileCreateDate: Date

    public init(
        identifier: String = UUID().uuidString.lowercased(), sessionDescription: String, sessionStartTime: Date,
        timestampsReferenceTime: Date? = nil, fileCreateDate: Date = Date()
    ) {
        self.identifier = identifier
        self.sessionDescription = sessionDescription
        self.sessionStartTime = sessionStartTime
        self.timestampsReferenceTime = timestampsReferenceTime
        self.fileCreateDate = fileCreateDate
    }
}

/// What NWB requires about the microscope for an ophys module. `CalciumTraces` do not record any
/// of it, so the defaults say "unknown" rather than inventing values.
public struct NWBImagingPlane: Sendable, Hashable {
    public var deviceName: String
    public var description: String
    public var indicator: String
    public var location: String
    /// Nanometres; NaN when unknown (NWB requires the field, not a value).
    public var excitationLambda: Double
    public var emissionLambda: Double
    /// ROI footprints, `neurons × height × width` row-major; nil writes a 1×1 mask of weight 1 per
    /// ROI (pynwb needs a mask column, traces alone carry no footprint).
    public var imageMasks: (height: Int, width: Int, values: [Float])?

    public init(
        deviceName: String = "Microscope", description: String = "imaging plane (not described by the source)",
        indicator: String = "unknown", location: String = "unknown", excitationLambda: Double = .nan,
        emissionLambda: Double = .nan, imageMasks: (height: Int, width: Int, values: [Float])? = nil
    ) {
        self.deviceName = deviceName
        self.description = description
        self.indicator = indicator
        self.location = location
        self.excitationLambda = excitationLambda
        self.emissionLambda = emissionLambda
        self.imageMasks = imageMasks
    }

    public static func == (a: NWBImagingPlane, b: NWBImagingPlane) -> Bool {
        a.deviceName == b.deviceName && a.description == b.description && a.indicator == b.indicator
            && a.location == b.location && a.excitationLambda.bitPattern == b.excitationLambda.bitPattern
            && a.emissionLambda.bitPattern == b.emissionLambda.bitPattern && a.imageMasks?.height == b.imageMasks?.height
            && a.imageMasks?.width == b.imageMasks?.width && a.imageMasks?.values == b.imageMasks?.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(deviceName)
        hasher.combine(indicator)
        hasher.combine(location)
    }
}

/// Writes NWB 2.x files (the layout pynwb 4 writes for core 2.11.0 / hdmf-common 1.10.0) holding
/// spike trains as the `/units` table and calcium traces as an ophys processing module.
///
/// The file is written atomically (a temporary file renamed over `url`), so a failure leaves any
/// existing file untouched. Every typed object gets `neurodata_type`, `namespace` and a fresh
/// UUID `object_id`. The namespace specifications are not embedded: pynwb reads and validates
/// such files against its own bundled core schema.
public enum NWBWriter {
    /// The schema version written to the root `nwb_version` attribute.
    public static let nwbVersion = "2.11.0"

    public static func write(
        to url: URL, session: NWBSession, spikes: SpikeTrains? = nil, calcium: CalciumTraces? = nil,
        imagingPlane: NWBImagingPlane = NWBImagingPlane()
    ) throws {
        if let calcium { try validate(imagingPlane, for: calcium, file: url.lastPathComponent) }
        try HDF5File.writeAtomically(to: url) { file in
            try writeFileLevel(file.root, session)
            if let spikes { try writeUnits(file.root, spikes) }
            if let calcium { try writeOphys(file.root, calcium, imagingPlane) }
        }
    }

    // MARK: File level

    static func writeFileLevel(_ root: HDF5Group, _ session: NWBSession) throws {
        try tag(root, "NWBFile", namespace: "core")
        try root.setAttribute("nwb_version", nwbVersion)
        try root.createStringDataset("identifier", values: [session.identifier], shape: [])
        try root.createStringDataset("session_description", values: [session.sessionDescription], shape: [])
        try root.createStringDataset("session_start_time", values: [isoDate(session.sessionStartTime)], shape: [])
        try root.createStringDataset(
            "timestamps_reference_time", values: [isoDate(session.timestampsReferenceTime ?? session.sessionStartTime)], shape: [])
        try root.createStringDataset("file_create_date", values: [isoDate(session.fileCreateDate)])
        for group in ["acquisition", "analysis", "general", "processing", "stimulus/presentation", "stimulus/templates"] {
            try root.createGroup(group)
        }
    }

    /// ISO 8601 with milliseconds and an explicit offset, as pynwb parses.
    static func isoDate(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
            .dateSeparator(.dash).timeSeparator(.colon).dateTimeSeparator(.standard))
    }

    /// The three attributes every typed NWB/hdmf object carries.
    static func tag(_ object: some HDF5AttributeHolder, _ type: String, namespace: String) throws {
        try object.setAttribute("neurodata_type", type)
        try object.setAttribute("namespace", namespace)
        try object.setAttribute("object_id", UUID().uuidString.lowercased())
    }

    // MARK: Units

    static func writeUnits(_ root: HDF5Group, _ spikes: SpikeTrains) throws {
        let units = try root.createGroup("units")
        try tag(units, "Units", namespace: "core")
        try units.setAttribute("description", "spike trains written by NeuroSwift")
        var columns = ["spike_times"]
        try writeIDs(units, spikes.units.map(\.id))

        let flat = spikes.times.flatMap { $0 }
        var ends = [UInt64]()
        ends.reserveCapacity(spikes.unitCount)
        var end: UInt64 = 0
        for train in spikes.times {
            end += UInt64(train.count)
            ends.append(end)
        }
        let times = try units.createDataset("spike_times", shape: [flat.count], values: flat)
        try vectorData(times, "the spike times for each unit in seconds")
        let index = try units.createDataset("spike_times_index", shape: [ends.count], values: ends)
        try vectorIndex(index, target: times.path)

        if spikes.units.contains(where: { $0.region != nil }) {
            let column = try units.createStringDataset("location", values: spikes.units.map { $0.region ?? "" })
            try vectorData(column, "brain region of each unit")
            columns.append("location")
        }
        if spikes.units.contains(where: { $0.quality != nil }) {
            let column = try units.createStringDataset("quality", values: spikes.units.map { $0.quality ?? "" })
            try vectorData(column, "curation label of each unit (good, mua, noise, …)")
            columns.append("quality")
        }
        if spikes.units.contains(where: { $0.electrode != nil }) {
            try writeElectrodes(root, units, spikes)
            columns.append("electrodes")
        }
        try units.setAttribute("colnames", columns)
    }

    static func writeIDs(_ table: HDF5Group, _ ids: [Int]) throws {
        let id = try table.createDataset("id", shape: [ids.count], values: ids.map { Int64($0) })
        try tag(id, "ElementIdentifiers", namespace: "hdmf-common")
    }

    static func vectorData(_ column: HDF5Dataset, _ description: String) throws {
        try tag(column, "VectorData", namespace: "hdmf-common")
        try column.setAttribute("description", description)
    }

    static func vectorIndex(_ index: HDF5Dataset, target: String) throws {
        try tag(index, "VectorIndex", namespace: "hdmf-common")
        try index.setAttribute("description", "Index for VectorData '\(HDF5PathName.last(target))'")
        try index.setReferenceAttribute("target", to: target)
    }

    // MARK: Ophys

    static func validate(_ plane: NWBImagingPlane, for traces: CalciumTraces, file: String) throws {
        guard let masks = plane.imageMasks else { return }
        guard masks.height > 0, masks.width > 0, masks.values.count == traces.neuronCount * masks.height * masks.width else {
            throw RecordingError.invalidValue(
                type: "NWBImagingPlane", field: "imageMasks",
                expected: "\(traces.neuronCount) × height × width values with height, width ≥ 1",
                found: "\(masks.values.count) values for \(masks.height) × \(masks.width)")
        }
    }

    static func writeOphys(_ root: HDF5Group, _ traces: CalciumTraces, _ plane: NWBImagingPlane) throws {
        let device = try root.createGroup("general/devices/\(plane.deviceName)")
        try tag(device, "Device", namespace: "core")

        let imaging = try root.createGroup("general/optophysiology/ImagingPlane")
        try tag(imaging, "ImagingPlane", namespace: "core")
        let channel = try imaging.createGroup("OpticalChannel")
        try tag(channel, "OpticalChannel", namespace: "core")
        try channel.createStringDataset("description", values: ["optical channel"], shape: [])
        try channel.createDataset("emission_lambda", shape: [], values: [plane.emissionLambda])
        try imaging.createStringDataset("description", values: [plane.description], shape: [])
        try imaging.createDataset("excitation_lambda", shape: [], values: [plane.excitationLambda])
        try imaging.createDataset("imaging_rate", shape: [], values: [traces.frameRate])
        try imaging.createStringDataset("indicator", values: [plane.indicator], shape: [])
        try imaging.createStringDataset("location", values: [plane.location], shape: [])
        try imaging.createSoftLink("device", to: device.path)

        let module = try root.createGroup("processing/ophys")
        try tag(module, "ProcessingModule", namespace: "core")
        try module.setAttribute("description", "optical physiology written by NeuroSwift")

        let segmentation = try module.createGroup("ImageSegmentation")
        try tag(segmentation, "ImageSegmentation", namespace: "core")
        let planeSegmentation = try segmentation.createGroup("PlaneSegmentation")
        try tag(planeSegmentation, "PlaneSegmentation", namespace: "core")
        try planeSegmentation.setAttribute("description", "regions of interest of the traces")
        try writeIDs(planeSegmentation, traces.neurons.map(\.id))
        let neuronColumns = try writeNeuronColumns(planeSegmentation, traces.neurons)
        try planeSegmentation.setAttribute("colnames", ["image_mask"] + neuronColumns)
        let masks = plane.imageMasks ?? (1, 1, [Float](repeating: 1, count: traces.neuronCount))
        let maskColumn = try planeSegmentation.createDataset(
            "image_mask", shape: [traces.neuronCount, masks.height, masks.width], values: masks.values)
        try vectorData(maskColumn, plane.imageMasks == nil ? "footprints not recorded by the source (1×1 placeholder)" : "Image masks for each ROI")
        try planeSegmentation.createSoftLink("imaging_plane", to: imaging.path)
        try planeSegmentation.createGroup("reference_images")

        let containerName = traces.kind == .deltaFOverF ? "DfOverF" : "Fluorescence"
        let container = try module.createGroup(containerName)
        try tag(container, containerName, namespace: "core")
        try writeSeries(container, "RoiResponseSeries", traces.signal, traces, table: planeSegmentation.path,
                        unit: traces.kind == .fluorescence ? "a.u." : "dimensionless", description: traces.kind.rawValue)
        if let neuropil = traces.neuropil {
            try writeSeries(container, "Neuropil", neuropil, traces, table: planeSegmentation.path, unit: "a.u.",
                            description: "neuropil fluorescence")
        }
        if let deconvolved = traces.deconvolved {
            try writeSeries(container, "Deconvolved", deconvolved, traces, table: planeSegmentation.path, unit: "a.u.",
                            description: "deconvolved activity")
        }
    }

    /// Neuron metadata as plane-segmentation columns, each written only when some neuron has the
    /// value: `label` (text, "" when absent), `iscell` (int8: 1, 0, or -1 when unknown) and
    /// `cell_probability` (NaN when unknown). Returns the column names written.
    static func writeNeuronColumns(_ table: HDF5Group, _ neurons: [CalciumNeuron]) throws -> [String] {
        var names = [String]()
        if neurons.contains(where: { $0.label != nil }) {
            try vectorData(table.createStringDataset("label", values: neurons.map { $0.label ?? "" }), "label of each ROI")
            names.append("label")
        }
        if neurons.contains(where: { $0.isCell != nil }) {
            let values: [Int8] = neurons.map { $0.isCell.map { $0 ? 1 : 0 } ?? -1 }
            try vectorData(table.createDataset("iscell", shape: [values.count], values: values),
                           "1 when the ROI was classified as a cell, 0 when not, -1 when unknown")
            names.append("iscell")
        }
        if neurons.contains(where: { $0.cellProbability != nil }) {
            let values = neurons.map { $0.cellProbability ?? .nan }
            try vectorData(table.createDataset("cell_probability", shape: [values.count], values: values),
                           "classifier probability that the ROI is a cell (NaN when unknown)")
            names.append("cell_probability")
        }
        return names
    }

    /// One `RoiResponseSeries`: `data` is frames × ROIs (NWB's time-first order), so the
    /// neuron-major traces are transposed.
    static func writeSeries(
        _ container: HDF5Group, _ name: String, _ values: [Float], _ traces: CalciumTraces, table: String,
        unit: String, description: String
    ) throws {
        let series = try container.createGroup(name)
        try tag(series, "RoiResponseSeries", namespace: "core")
        try series.setAttribute("description", description)
        try series.setAttribute("comments", "no comments")
        let neurons = traces.neuronCount
        try writeRegularData(series, rowMajor: values, rows: neurons, samples: traces.frameCount, rate: traces.frameRate, unit: unit)
        let rois = try series.createDataset("rois", shape: [neurons], values: (0..<neurons).map { Int64($0) })
        try tag(rois, "DynamicTableRegion", namespace: "hdmf-common")
        try rois.setAttribute("description", "every ROI of the plane segmentation")
        try rois.setReferenceAttribute("table", to: table)
    }
}

extension NWBWriter {
    /// A regularly sampled series' `data` and `starting_time`. Our value types hold one row per channel
    /// or neuron; NWB stores time first, so the rows are transposed on the way out.
    static func writeRegularData(
        _ series: HDF5Group, rowMajor values: [Float], rows: Int, samples: Int, rate: Double, unit: String
    ) throws {
        var timeFirst = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            timeFirst.withUnsafeMutableBufferPointer { target in
                for r in 0..<rows {
                    let row = r &* samples
                    for t in 0..<samples { target[t &* rows &+ r] = source[row &+ t] }
                }
            }
        }
        let data = try series.createDataset("data", shape: [samples, rows], values: timeFirst)
        try data.setAttribute("conversion", 1.0)
        try data.setAttribute("offset", 0.0)
        try data.setAttribute("resolution", -1.0)
        try data.setAttribute("unit", unit)
        let start = try series.createDataset("starting_time", shape: [], values: [0.0])
        try start.setAttribute("rate", rate)
        try start.setAttribute("unit", "seconds")
    }
}

/// Last path component without reaching into NeuroCore internals.
enum HDF5PathName {
    static func last(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? "/" }
}
