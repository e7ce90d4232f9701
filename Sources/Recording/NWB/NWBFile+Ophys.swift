import Foundation
import NeuroCore

extension NWBFile {
    /// Calcium traces from an ophys processing module: the `RoiResponseSeries` named `series` in
    /// `Fluorescence` (raw F) or `DfOverF` (ΔF/F), whichever the module has, with neuron ids from
    /// the plane segmentation its `rois` region points to and the frame rate from
    /// `starting_time@rate`. `Neuropil` and `Deconvolved` series beside it (as `NWBWriter` writes
    /// them) become the companions. Series with explicit `timestamps` instead of a rate are not
    /// read (calcium traces need a regular frame rate).
    public func calciumTraces(module: String = "ophys", series: String = "RoiResponseSeries") throws -> CalciumTraces {
        let moduleGroup = try requireGroup("/processing/\(module)", what: "an ophys processing module")
        let kind: CalciumTraces.Kind
        let container: HDF5Group
        if moduleGroup.contains("Fluorescence/\(series)") {
            kind = .fluorescence
            container = try moduleGroup.group("Fluorescence")
        } else if moduleGroup.contains("DfOverF/\(series)") {
            kind = .deltaFOverF
            container = try moduleGroup.group("DfOverF")
        } else {
            throw RecordingError.invalidField(
                file: name, field: "\(moduleGroup.path)/Fluorescence|DfOverF/\(series)", expected: "a RoiResponseSeries", found: "none")
        }
        let main = try container.group(series)
        guard main.contains("starting_time"), let rate = try main.dataset("starting_time").attribute("rate").double else {
            throw RecordingError.invalidField(file: name, field: "\(main.path)/starting_time@rate", expected: "a frame rate", found: "none")
        }
        let roiTable = try main.dataset("rois").referenceAttribute("table")
        guard roiTable.count == 1 else {
            throw RecordingError.invalidField(file: name, field: "\(main.path)/rois@table", expected: "one reference", found: "\(roiTable.count)")
        }
        let table = try file.root.group(roiTable[0])
        let allIDs = try readIDs(table)
        let rows = try main.dataset("rois").readDoubles().map { row -> Int in
            guard row >= 0, row == row.rounded(), row < Double(allIDs.count) else {
                throw RecordingError.invalidField(file: name, field: "\(main.path)/rois", expected: "row indices below \(allIDs.count)", found: "\(row)")
            }
            return Int(row)
        }
        let ids = rows.map { allIDs[$0] }
        let labels = try optionalStrings(table, "label", rows: allIDs.count)
        let isCell = try optionalNumbers(table, "iscell", rows: allIDs.count)
        let probability = try optionalNumbers(table, "cell_probability", rows: allIDs.count)
        let neurons = rows.map { row in
            CalciumNeuron(
                id: allIDs[row], label: labels.flatMap { $0[row].isEmpty ? nil : $0[row] },
                isCell: isCell.flatMap { $0[row] < 0 ? nil : $0[row] != 0 },
                cellProbability: probability.flatMap { $0[row].isNaN ? nil : $0[row] })
        }
        let signal = try neuronMajor(main, neurons: ids.count)
        var companions: [String: [Float]] = [:]
        for other in ["Neuropil", "Deconvolved"] where container.contains(other) {
            companions[other] = try neuronMajor(try container.group(other), neurons: ids.count)
        }
        return try CalciumTraces(
            signal: signal, neurons: neurons, frameRate: rate, kind: kind,
            neuropil: companions["Neuropil"], deconvolved: companions["Deconvolved"])
    }

    private func optionalNumbers(_ table: HDF5Group, _ column: String, rows: Int) throws -> [Double]? {
        guard table.contains(column) else { return nil }
        let values = try table.dataset(column).readDoubles()
        guard values.count == rows else { throw columnLength(table.path, column, values.count, rows) }
        return values
    }

    /// `data` (frames × ROIs) transposed to neuron-major order.
    private func neuronMajor(_ series: HDF5Group, neurons: Int) throws -> [Float] {
        let data = try series.dataset("data")
        guard data.rank == 2, data.shape[1] == neurons else {
            throw RecordingError.invalidField(file: name, field: "\(data.path)", expected: "frames × \(neurons) ROIs", found: "shape \(data.shape)")
        }
        let values = try data.readFloats()
        let frames = data.shape[0]
        var result = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for t in 0..<frames {
                    let row = t &* neurons
                    for n in 0..<neurons { target[n &* frames &+ t] = source[row &+ n] }
                }
            }
        }
        return result
    }
}
