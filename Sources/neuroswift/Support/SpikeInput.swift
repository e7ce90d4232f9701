import Foundation
import Models

/// Opens any spike input the loaders read as binned counts: a units × bins count matrix (CSV/TXT,
/// NPY, or a `neuroswift simulate bicluster` HDF5 file), or spike trains (NWB units table, Phy folder)
/// that are binned at `binWidth` seconds first.
enum SpikeInput {
    static func counts(_ path: String, binWidth: Double?) throws -> (counts: SpikeCounts, description: String) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CLIError.missingFile(path: path)
        }
        if isDirectory.boolValue {
            let trains = try PhyFolder.read(url)
            return (try bin(trains, binWidth, path), "Phy folder, \(trains.unitCount) units binned at \(binWidth ?? 0) s")
        }
        switch url.pathExtension.lowercased() {
        case "nwb":
            let file = try NWBFile.open(url)
            defer { try? file.close() }
            let trains = try file.units()
            return (try bin(trains, binWidth, path), "NWB units table, \(trains.unitCount) units binned at \(binWidth ?? 0) s")
        case "npy":
            let array = try NPYFile.read(url)
            guard array.rank == 2 else { throw CLIError.unsupportedFormat(path: path, detail: "expected a 2-D units × bins count array, found shape \(array.shape)") }
            let counts = try SpikeCounts(
                counts: array.doubles, units: (0..<array.shape[0]).map { SpikeUnit(id: $0) }, binWidth: binWidth ?? 1)
            return (counts, "NPY count matrix")
        case "h5", "hdf5":
            var counts = try BiClusteringSimulation.Result.readCounts(url)
            if let binWidth, abs(binWidth - counts.binWidth) > 1e-12 {
                counts = try SpikeCounts(counts: counts.counts, units: counts.units, binWidth: binWidth, start: counts.start)
            }
            return (counts, "count matrix (/counts/data)")
        case "csv", "txt", "tsv":
            return (try SpikeTextFiles.readCounts(url, binWidth: binWidth ?? 1), "text count matrix (rows = units)")
        default:
            throw CLIError.unsupportedFormat(path: path, detail: "not a spike input (use a count matrix .csv/.npy/.h5, an NWB file or a Phy folder)")
        }
    }

    private static func bin(_ trains: SpikeTrains, _ width: Double?, _ path: String) throws -> SpikeCounts {
        guard let width else { throw CLIError.unsupportedFormat(path: path, detail: "it holds spike times: give --bin-width (seconds) to bin them") }
        return try trains.binned(width: width)
    }
}
