import Foundation
import NeuroCore

extension NWBWriter {
    /// The units' electrodes as NWB links them: a ragged `electrodes` column (a
    /// `DynamicTableRegion` of row indices, empty for units without an electrode) into
    /// `/general/extracellular_ephys/electrodes`. That table gets one row per electrode number
    /// 0…max with id = row, so the row index stored in the units table *is* the electrode number
    /// and readers that take the value (like `NWBFile.units`) and readers that follow the region
    /// (pynwb) agree. Every row belongs to one `ElectrodeGroup` on one `Device`.
    static func writeElectrodes(_ root: HDF5Group, _ units: HDF5Group, _ spikes: SpikeTrains) throws {
        let numbers = spikes.units.compactMap(\.electrode)
        if let bad = numbers.first(where: { $0 < 0 || $0 > 100_000 }) {
            throw RecordingError.invalidValue(
                type: "SpikeTrains", field: "unit electrode", expected: "an electrode number in 0…100000", found: "\(bad)")
        }
        let rows = (numbers.max() ?? -1) + 1
        let table = try writeElectrodeTable(
            root, device: "probe", group: "electrode_group", groupDescription: "electrodes of the spike-sorted units",
            locations: Array(repeating: "unknown", count: rows))

        let entries = spikes.units.compactMap { $0.electrode.map { Int64($0) } }
        var ends = [UInt64]()
        var end: UInt64 = 0
        for unit in spikes.units {
            if unit.electrode != nil { end += 1 }
            ends.append(end)
        }
        let region = try units.createDataset("electrodes", shape: [entries.count], values: entries)
        try tag(region, "DynamicTableRegion", namespace: "hdmf-common")
        try region.setAttribute("description", "the electrode of each unit")
        try region.setReferenceAttribute("table", to: table.path)
        let index = try units.createDataset("electrodes_index", shape: [ends.count], values: ends)
        try vectorIndex(index, target: region.path)
    }

    /// `/general/extracellular_ephys/electrodes`: one row per location, every row in one `ElectrodeGroup` on
    /// one `Device` (both named by the caller), with an optional `label` column.
    static func writeElectrodeTable(
        _ root: HDF5Group, device deviceName: String, group groupName: String, groupDescription: String,
        locations: [String], labels: [String]? = nil
    ) throws -> HDF5Group {
        let rows = locations.count
        let device = try root.createGroup("general/devices/\(deviceName)")
        try tag(device, "Device", namespace: "core")
        let group = try root.createGroup("general/extracellular_ephys/\(groupName)")
        try tag(group, "ElectrodeGroup", namespace: "core")
        try group.setAttribute("description", groupDescription)
        try group.setAttribute("location", "unknown")
        try group.createSoftLink("device", to: device.path)
        let table = try root.createGroup("general/extracellular_ephys/electrodes")
        try tag(table, "DynamicTable", namespace: "hdmf-common")
        try table.setAttribute("description", "metadata about extracellular electrodes")
        try table.setAttribute("colnames", ["location", "group", "group_name"] + (labels == nil ? [] : ["label"]))
        try writeIDs(table, Array(0..<rows))
        try vectorData(table.createStringDataset("location", values: locations), "the location of channel within the subject e.g. brain region")
        try vectorData(table.createReferenceDataset("group", targets: Array(repeating: group.path, count: rows)),
                       "a reference to the ElectrodeGroup this electrode is a part of")
        try vectorData(table.createStringDataset("group_name", values: Array(repeating: group.name, count: rows)),
                       "the name of the ElectrodeGroup this electrode is a part of")
        if let labels { try vectorData(table.createStringDataset("label", values: labels), "the channel name") }
        return table
    }
}
