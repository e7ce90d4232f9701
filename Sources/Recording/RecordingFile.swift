import Foundation

/// A reader that opens a recording's metadata first and reads channels and time ranges on demand.
/// `read(channels: nil, timeRange: nil)` is the whole recording; a lazy reader must return exactly
/// what slicing that whole read gives (the conformance suite checks it for every reader).
public protocol RecordingReader: Sendable {
    var channelNames: [String] { get }
    func read(channels: [String]?, timeRange: Range<Double>?) throws -> TimeSeries
}

extension EDFReader: RecordingReader {}
extension BrainVisionReader: RecordingReader {}
extension EEGLABReader: RecordingReader {}
extension CSVSignalReader: RecordingReader {}
extension TimeSeriesHDF5Reader: RecordingReader {}

/// The recording formats `RecordingFile.open` reads.
public enum RecordingFormat: String, Sendable, CaseIterable {
    case edf = "EDF/EDF+"
    case bdf = "BDF/BDF+"
    case brainVision = "BrainVision"
    case eeglab = "EEGLAB"
    case csv = "CSV"
    case hdf5 = "HDF5 time series"
}

/// The one entry point that opens any supported recording, choosing the reader by content (EDF and
/// BDF headers, the HDF5 signature, BrainVision's first line, a MAT v5 header) and by extension
/// (`.vhdr`, `.set`, `.csv`), with errors that say what to open instead.
public enum RecordingFile {
    /// The extensions `open` accepts, for messages.
    public static let supportedExtensions = [".edf", ".bdf", ".vhdr", ".set", ".csv", ".h5", ".hdf5"]

    /// HDF5's signature, at byte 0 or at 512, 1024, 2048, … after a user block.
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The format of `url`, or an error explaining why it cannot be opened.
    public static func format(of url: URL) throws -> RecordingFormat {
        let name = url.lastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw RecordingError.invalidField(file: url.path, field: "file", expected: "an existing file", found: "no such file")
        }
        guard !isFolder.boolValue else {
            throw RecordingError.unknownFormat(file: name, detail: "it is a folder", supported: supportedExtensions)
        }
        let ext = url.pathExtension.lowercased()
        let base = url.deletingPathExtension().lastPathComponent
        switch ext {
        case "vmrk": throw RecordingError.notTheEntryFile(file: name, role: "a BrainVision marker file", open: ".vhdr header (\(base).vhdr)")
        case "eeg": throw RecordingError.notTheEntryFile(file: name, role: "a BrainVision data file", open: ".vhdr header (\(base).vhdr)")
        case "fdt": throw RecordingError.notTheEntryFile(file: name, role: "an EEGLAB data file", open: ".set file (\(base).set)")
        default: break
        }
        let head = try firstBytes(url, count: 128)
        if head.count >= 8 {
            if head[0] == 0xFF, Array(head[1 ..< 8]) == Array("BIOSEMI".utf8) { return .bdf }
            if head[0] == 0x30, head[1 ..< 8].allSatisfy({ $0 == 0x20 }) { return .edf }
        }
        if try hasHDF5Signature(url) { return .hdf5 }
        let text = String(decoding: head.prefix(64), as: UTF8.self).lowercased().replacingOccurrences(of: " ", with: "")
        if text.hasPrefix("brainvision") || text.hasPrefix("\u{FEFF}brainvision") {
            if text.contains("markerfile") {
                throw RecordingError.notTheEntryFile(file: name, role: "a BrainVision marker file", open: ".vhdr header (\(base).vhdr)")
            }
            return .brainVision
        }
        if text.hasPrefix("matlab"), ext == "set" { return .eeglab }
        switch ext {
        case "vhdr", "ahdr": return .brainVision
        case "set": return .eeglab
        case "csv": return .csv
        case "edf", "bdf":
            throw RecordingError.invalidField(
                file: name, field: "header", expected: ext == "edf" ? "an EDF header starting with \"0       \"" : "a BDF header starting with 0xFF \"BIOSEMI\"",
                found: head.isEmpty ? "an empty file" : "other bytes")
        case "h5", "hdf5":
            throw RecordingError.invalidField(file: name, field: "signature", expected: "the HDF5 signature", found: "none (truncated or not HDF5)")
        default:
            throw RecordingError.unknownFormat(
                file: name, detail: ext.isEmpty ? "no extension and no known header" : "unknown extension .\(ext)",
                supported: supportedExtensions)
        }
    }

    /// A lazy reader for `url` (metadata read, no samples yet).
    public static func reader(for url: URL) throws -> any RecordingReader {
        switch try format(of: url) {
        case .edf, .bdf: return try EDFReader(url: url)
        case .brainVision: return try BrainVisionReader(url: url)
        case .eeglab: return try EEGLABReader(url: url)
        case .csv: return try CSVSignalReader(url: url)
        case .hdf5: return try TimeSeriesHDF5Reader(url: url)
        }
    }

    /// The whole recording at `url`. An EDF/BDF file whose channels have different sampling rates
    /// throws `mixedSamplingRates`: read it with `EDFReader` one rate at a time, or at one common
    /// rate with `EDFReader.read(channels:timeRange:resamplingTo:)`.
    public static func open(_ url: URL) throws -> TimeSeries {
        // An NWB file is HDF5 too: read its first ElectricalSeries with the /intervals annotations.
        if try format(of: url) == .hdf5, NWBFile.isNWB(url) {
            let file = try NWBFile.open(url)
            defer { try? file.close() }
            return try file.timeSeries()
        }
        return try reader(for: url).read(channels: nil, timeRange: nil)
    }

    static func firstBytes(_ url: URL, count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: count) ?? Data())
    }

    static func hasHDF5Signature(_ url: URL) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        var offset: UInt64 = 0
        while offset + 8 <= size {
            try handle.seek(toOffset: offset)
            if let bytes = try handle.read(upToCount: 8), Array(bytes) == hdf5Signature { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }
}
