import ArgumentParser
import Foundation
import NeuroCore
import Recording

/// `neuroswift convert IN OUT`: any readable recording to EDF+ or to NeuroSwift's HDF5 layout.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a recording (EDF/BDF, BrainVision, EEGLAB, CSV, HDF5) to EDF+ or HDF5; NIfTI + atlas or MAT v5 to HDF5; Phy or suite2p to NWB.",
        discussion: """
            The output format follows OUT's extension. Signals are written in volts to HDF5 \
            (/timeseries/data, with channel names, kinds, units and annotations) and as 16-bit EDF+ \
            with an annotation signal. `IN.nii.gz OUT.h5 --atlas atlas.nii.gz` writes the mean time \
            series of each atlas label (/regions/mean, /regions/labels, /regions/voxel_counts). A MAT v5 \
            file converts to HDF5 variable by variable (numeric and logical arrays as datasets in C order \
            with MATLAB's shape, char as strings, struct and cell as groups, sparse as data/ir/jc; each \
            object tagged with @MATLAB_class and @matlab_shape). A Phy/Kilosort folder converts to an NWB \
            units table and a suite2p plane folder to NWB ophys (Fluorescence, Neuropil, Deconvolved; \
            --frame-rate is required because suite2p keeps it in a pickle). Writes are atomic: OUT is \
            complete or untouched.
            """)

    @Argument(help: "The recording to read.", completion: .file()) var input: String
    @Argument(help: "The file to write (.edf, .h5, .hdf5 or .nwb).", completion: .file()) var output: String
    @Option(help: "Only these channels, comma-separated (e.g. to take one sampling rate of an EDF file).")
    var channels: String?
    @Option(help: "A label atlas (NIfTI, same grid as IN): write IN's region mean time series to HDF5.", completion: .file())
    var atlas: String?
    @Option(help: "suite2p → NWB: the imaging frame rate in Hz.") var frameRate: Double?
    @Option(help: "NWB output: the session start (ISO 8601); default now.") var sessionStart: String?
    @Flag(help: "Replace OUT if it exists.") var force = false

    /// Output formats for signals; NWB output (from Phy/suite2p folders) is handled separately.
    enum Target { case edf, hdf5 }

    func run() throws {
        let inURL = URL(fileURLWithPath: input), outURL = URL(fileURLWithPath: output)
        let target: Target
        switch outURL.pathExtension.lowercased() {
        case "edf": target = .edf
        case "h5", "hdf5": target = .hdf5
        case "nwb":
            try checkPaths(inURL, outURL)
            print(try Self.writeNWB(input: inURL, output: outURL, frameRate: frameRate, sessionStart: sessionStart))
            return
        default:
            throw ValidationError("cannot tell the output format from \"\(outURL.lastPathComponent)\": use .edf (EDF+), .h5/.hdf5 (HDF5) or .nwb")
        }
        try checkPaths(inURL, outURL)
        if let atlas {
            guard target == .hdf5 else { throw ValidationError("--atlas writes region time series to HDF5: give OUT a .h5 extension") }
            print(try Self.writeAtlasRegions(input: inURL, atlas: URL(fileURLWithPath: atlas), output: outURL))
            return
        }
        if target == .hdf5, NeuroFormat.detect(inURL) == .mat {
            print(try Self.writeMATAsHDF5(input: inURL, output: outURL))
            return
        }
        let picked = channels?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let series = try RecordingFile.reader(for: inURL).read(channels: picked, timeRange: nil)
        switch target {
        case .hdf5:
            let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            try TimeSeriesHDF5.write(series, to: outURL, provenance: ExportProvenance(command: command, inputs: [inURL]))
        case .edf:
            let ready = try Self.edfCompatible(series)
            guard let duration = Self.recordDuration(for: ready.samplingRate) else {
                throw ValidationError(
                    "EDF records hold a whole number of samples, which \(ready.samplingRate) Hz does not allow for any record " +
                    "duration up to 1 s; convert to HDF5 (.h5) instead")
            }
            try EDFWriter.write(ready, to: outURL, options: EDFWriter.Options(recordDuration: duration))
        }
        print("wrote \(output): \(series.channelCount) channels × \(series.sampleCount) samples at \(RecordingSummary.number(series.samplingRate)) Hz, \(series.annotations.count) annotations")
    }

    /// Input exists, differs from the output, and the output is only replaced with --force.
    private func checkPaths(_ inURL: URL, _ outURL: URL) throws {
        guard inURL.standardizedFileURL.path != outURL.standardizedFileURL.path else {
            throw ValidationError("input and output are the same file")
        }
        guard FileManager.default.fileExists(atPath: inURL.path) else { throw CLIError.missingFile(path: input) }
        if FileManager.default.fileExists(atPath: outURL.path), !force {
            throw ValidationError("\(output) exists; pass --force to replace it")
        }
    }

    /// The longest record duration (≤ 1 s, ≤ 8 characters) holding a whole number of samples.
    static func recordDuration(for rate: Double) -> Double? {
        [1, 0.5, 0.25, 0.2, 0.125, 0.1, 0.05, 0.04, 0.025, 0.02, 0.01].first { d in
            let n = rate * d
            return n >= 1 && abs(n - n.rounded()) < 1e-9 * n
        }
    }

    /// EDF headers are ASCII: unit labels like "°C" become "degC" (µ is handled by the writer).
    static func edfCompatible(_ series: TimeSeries) throws -> TimeSeries {
        let channels = series.channels.map { c -> Channel in
            let unit = c.originalUnit.replacingOccurrences(of: "°", with: "deg")
            let ascii = String(unit.unicodeScalars.filter { $0.isASCII || $0 == "µ" || $0 == "μ" }.map(Character.init))
            return Channel(name: c.name, kind: c.kind, originalUnit: ascii)
        }
        return try TimeSeries(
            samples: series.samples, channels: channels, samplingRate: series.samplingRate,
            startTime: series.startTime, annotations: series.annotations)
    }
}
