import Foundation
import NeuroCore

/// The file formats the CLI can open so far, recognised by magic bytes first and extension second.
enum FileFormat {
    case hdf5

    /// HDF5's signature, found at byte 0 or at 512, 1024, 2048, … when a user block precedes it.
    private static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    static func detect(_ url: URL) throws -> FileFormat {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw CLIError.missingFile(path: url.path)
        }
        if isFolder.boolValue { throw CLIError.unsupportedFormat(path: url.path, detail: "it is a folder") }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var offset: UInt64 = 0
        let size = try handle.seekToEnd()
        while offset + 8 <= size {
            try handle.seek(toOffset: offset)
            if let bytes = try handle.read(upToCount: 8), Array(bytes) == hdf5Signature { return .hdf5 }
            offset = offset == 0 ? 512 : offset * 2
        }
        let known = ["h5", "hdf5", "nwb", "mat"]
        let ext = url.pathExtension.lowercased()
        throw CLIError.unsupportedFormat(
            path: url.path,
            detail: known.contains(ext)
                ? "the extension is .\(ext) but the file has no HDF5 signature (truncated or not HDF5)"
                : "only HDF5 files (.h5, .hdf5, .nwb, MAT v7.3) can be described so far")
    }
}

/// Errors the CLI reports itself (the library's own errors describe themselves).
enum CLIError: Error, CustomStringConvertible {
    case missingFile(path: String)
    case unsupportedFormat(path: String, detail: String)
    case missingSampleData(path: String)

    var description: String {
        switch self {
        case .missingFile(let path): return "\(path): no such file"
        case .unsupportedFormat(let path, let detail): return "\(path): cannot open: \(detail)"
        case .missingSampleData(let path):
            return "\(path): sample data not found; run the command from the repository root, pass --data, or regenerate it with `make sample-data`"
        }
    }
}

/// The spike / calcium / imaging formats `info` describes (see `NeuroFileSummary`), recognised by
/// folder contents, extension, and for NWB the root `neurodata_type` of an HDF5 file.
enum NeuroFormat: Equatable {
    case nwb, nifti, npy, npz, mat, positionTracking, phy, suite2p

    /// nil when `url` is none of these (EEG formats, other HDF5 files). A `.mat` file that is HDF5 is
    /// MAT v7.3 when its variables carry MATLAB's `MATLAB_class` attributes; otherwise it is listed
    /// as an HDF5 tree.
    static func detect(_ url: URL) -> NeuroFormat? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue {
            func has(_ n: String) -> Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent(n).path) }
            if has("spike_times.npy") { return .phy }
            if has("F.npy") { return .suite2p }
            return nil
        }
        let lower = url.lastPathComponent.lowercased()
        for suffix in [".nii", ".nii.gz", ".hdr", ".hdr.gz", ".img", ".img.gz"] where lower.hasSuffix(suffix) { return .nifti }
        switch url.pathExtension.lowercased() {
        case "npy": return .npy
        case "npz": return .npz
        case "videopositiontracking": return .positionTracking
        default: break
        }
        let isHDF5 = (try? FileFormat.detect(url)) == .hdf5
        if isHDF5 {
            guard let file = try? HDF5File.open(at: url) else { return nil }
            defer { try? file.close() }
            if (try? file.root.attribute("neurodata_type"))?.string == "NWBFile" { return .nwb }
            guard url.pathExtension.lowercased() == "mat",
                  let variables = try? file.root.children().filter({ !$0.hasPrefix("#") }), !variables.isEmpty,
                  variables.allSatisfy({ variable in
                      ((try? file.root.group(variable)) as (any HDF5AttributeHolder)? ?? (try? file.root.dataset(variable)))?
                          .hasAttribute("MATLAB_class") ?? false
                  })
            else { return nil }
            return .mat
        }
        return url.pathExtension.lowercased() == "mat" ? .mat : nil
    }
}
