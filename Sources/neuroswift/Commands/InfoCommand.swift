import ArgumentParser
import Foundation
import NeuroCore
import Recording

/// `neuroswift info FILE`: what a file holds, without loading its data.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a file or folder: a recording's channels and rates; NWB, NIfTI, NPY/NPZ, MAT, Phy, suite2p contents; any other HDF5 file's tree.",
        discussion: """
            Recordings: EDF/EDF+/BDF (.edf, .bdf), BrainVision (.vhdr), EEGLAB (.set), CSV with a \
            timestamps column (.csv) and NeuroSwift time series (.h5 with /timeseries/data). Other HDF5 \
            files (.h5, .hdf5, .nwb, and .mat without MATLAB's layout) are listed as groups and datasets \
            with shapes, types and attributes.
            Spikes, calcium and imaging: NWB 2.x (units, electrodes, intervals, series), NIfTI \
            (.nii, .nii.gz, .hdr/.img), NPY/NPZ, MAT v5 and v7.3, video position tracking, and Phy/Kilosort \
            or suite2p plane folders.
            """)

    @Argument(help: "The file to describe.", completion: .file())
    var file: String

    @Option(help: "Show at most this many attributes per object.")
    var maxAttributes = 12

    func run() throws {
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError.missingFile(path: url.path) }
        if let format = NeuroFormat.detect(url) {
            print(try NeuroFileSummary.describe(url, format: format))
            return
        }
        let ext = url.pathExtension.lowercased()
        let hdf5Extensions = ["h5", "hdf5", "nwb", "mat"]
        if hdf5Extensions.contains(ext) || (try? RecordingFile.format(of: url)) == .hdf5 {
            // HDF5 (or claims to be): a time series export gets the recording summary, others the tree.
            let format = try FileFormat.detect(url)
            switch format {
            case .hdf5:
                if let summary = try? RecordingSummary(url: url) {
                    print(summary.render())
                } else {
                    print(try describeHDF5(url))
                }
            }
            return
        }
        print(try RecordingSummary(url: url).render())
    }

    private func describeHDF5(_ url: URL) throws -> String {
        let file = try HDF5File.open(at: url)
        let objects = try file.tree()
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        var lines = ["\(url.lastPathComponent): HDF5" + (size.map { ", \(ByteCount.describe($0))" } ?? "") + ", \(objects.count) objects"]
        var table = TextTable(["path", "kind", "type", "shape", "storage"], alignments: [.left, .left, .left, .left, .left])
        var attributeLines: [String: [String]] = [:]
        for object in objects {
            let kind: String
            switch object.kind {
            case .group: kind = "group"
            case .dataset: kind = "dataset"
            case .namedType: kind = "type"
            case .other: kind = "other"
            }
            let shape = object.shape.map { "(" + $0.map(String.init).joined(separator: ", ") + ")" } ?? ""
            var storage = [String]()
            if let chunks = object.chunks { storage.append("chunks (" + chunks.map(String.init).joined(separator: ", ") + ")") }
            if let compression = object.compression { storage.append(compression) }
            table.append([object.path, kind, object.elementType.map { "\($0)" } ?? "", shape, storage.joined(separator: " ")])
            let shown = object.attributes.prefix(maxAttributes).map { "    @\($0.name) = \(Self.abbreviate("\($0.value)"))" }
            let hidden = object.attributes.count - shown.count
            attributeLines[object.path] = shown + (hidden > 0 ? ["    … \(hidden) more attributes"] : [])
        }
        // Attributes go under their object's row.
        let rendered = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append(contentsOf: rendered.prefix(2))
        for (object, row) in zip(objects, rendered.dropFirst(2)) {
            lines.append(row)
            lines.append(contentsOf: attributeLines[object.path] ?? [])
        }
        return lines.joined(separator: "\n")
    }

    private static func abbreviate(_ text: String, limit: Int = 100) -> String {
        let oneLine = text.replacingOccurrences(of: "\n", with: "⏎")
        return oneLine.count <= limit ? oneLine : String(oneLine.prefix(limit)) + "…"
    }
}

/// Human-readable byte counts (1.5 MB), decimal units as `ls -h --si` and most file managers use.
enum ByteCount {
    static func describe(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
