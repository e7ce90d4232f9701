import Foundation

/// A numeric dataset at a named path inside any HDF5 file (e.g. `gcamp/trace_array` in the
/// Flavell lab's worm files), read as a matrix or as calcium traces.
///
/// Many labs store their processed data as bare HDF5 datasets with no schema; the caller names the
/// dataset and says which axis is time, and this reader checks the shape and the optional
/// timestamps against each other before building a value.
public enum HDF5Matrix {
    /// Which axis of a rank-2 dataset indexes time.
    public enum Orientation: String, Sendable, CaseIterable {
        /// Rows are frames (time), columns are neurons/channels: `frames × neurons` (Flavell, pandas).
        case framesByNeurons
        /// Rows are neurons/channels, columns are frames: `neurons × frames` (suite2p, MATLAB habits).
        case neuronsByFrames
    }

    /// The rank-1 or rank-2 numeric dataset at `path` as a Double matrix (a rank-1 dataset of n
    /// values is one row of n columns).
    public static func read(_ url: URL, path: String) throws -> Matrix<Double> {
        let file = try HDF5File.open(at: url)
        defer { try? file.close() }
        return try read(file, path: path)
    }

    public static func read(_ file: HDF5File, path: String) throws -> Matrix<Double> {
        let ds = try dataset(file, path)
        switch ds.rank {
        case 1: return Matrix(rows: 1, columns: ds.shape[0], elements: try ds.readDoubles())
        case 2: return try ds.readMatrix()
        default:
            throw RecordingError.invalidField(
                file: file.url.lastPathComponent, field: path, expected: "a rank-1 or rank-2 numeric dataset",
                found: "shape \(ds.shape)")
        }
    }

    /// The traces at `path` with time along `orientation`. Frame times come from
    /// `timestampsPath` when given (a rank-1 dataset with one non-decreasing time per frame, seconds;
    /// the frame rate is then the mean rate `(n−1)/(t_last−t_first)`), else from `frameRate`.
    public static func calciumTraces(
        _ url: URL, path: String, orientation: Orientation = .framesByNeurons,
        timestampsPath: String? = nil, frameRate: Double? = nil, kind: CalciumTraces.Kind = .normalized
    ) throws -> TimestampedCalciumTraces {
        let file = try HDF5File.open(at: url)
        defer { try? file.close() }
        let name = url.lastPathComponent
        let ds = try dataset(file, path)
        guard ds.rank == 2 else {
            throw RecordingError.invalidField(file: name, field: path, expected: "a rank-2 numeric dataset (frames × neurons)", found: "shape \(ds.shape)")
        }
        let raw = try ds.readFloats()
        let (frames, neurons) = orientation == .framesByNeurons ? (ds.shape[0], ds.shape[1]) : (ds.shape[1], ds.shape[0])
        guard frames > 0, neurons > 0 else {
            throw RecordingError.invalidField(file: name, field: path, expected: "at least one frame and one neuron", found: "shape \(ds.shape)")
        }
        var signal: [Float]
        if orientation == .framesByNeurons {
            signal = [Float](repeating: 0, count: raw.count)
            raw.withUnsafeBufferPointer { src in
                signal.withUnsafeMutableBufferPointer { dst in
                    for f in 0..<frames {
                        let row = f &* neurons
                        for n in 0..<neurons { dst[n &* frames &+ f] = src[row &+ n] }
                    }
                }
            }
        } else {
            signal = raw
        }
        var timestamps: [Double]? = nil
        var rate = frameRate
        if let timestampsPath {
            let t = try dataset(file, timestampsPath).readDoubles()
            guard t.count == frames else {
                throw RecordingError.invalidField(
                    file: name, field: timestampsPath, expected: "\(frames) times (one per frame of \(path))", found: "\(t.count)")
            }
            for i in t.indices where !t[i].isFinite || (i > 0 && t[i] < t[i - 1]) {
                throw RecordingError.invalidField(file: name, field: "\(timestampsPath)[\(i)]", expected: "finite, non-decreasing times", found: "\(t[i])")
            }
            if rate == nil, frames > 1, t[frames - 1] > t[0] { rate = Double(frames - 1) / (t[frames - 1] - t[0]) }
            timestamps = t
        }
        guard let rate else {
            throw RecordingError.invalidValue(
                type: "HDF5Matrix", field: "frameRate", expected: "a frame rate or a timestamps dataset spanning > 0 s", found: "neither")
        }
        let traces = try CalciumTraces(signal: signal, neurons: (0..<neurons).map { CalciumNeuron(id: $0) }, frameRate: rate, kind: kind)
        return TimestampedCalciumTraces(traces: traces, timestamps: timestamps)
    }

    static func dataset(_ file: HDF5File, _ path: String) throws -> HDF5Dataset {
        guard file.root.contains(path) else {
            throw RecordingError.invalidField(file: file.url.lastPathComponent, field: path, expected: "a dataset at that path", found: "nothing")
        }
        let ds = try file.root.dataset(path)
        guard ds.elementType.isNumeric else {
            throw RecordingError.invalidField(
                file: file.url.lastPathComponent, field: path, expected: "a numeric dataset", found: "\(ds.elementType)")
        }
        return ds
    }
}

/// Calcium traces with the recorded time of each frame, for sources whose frames are not evenly
/// spaced (volumetric confocal imaging, dropped frames). `traces.frameRate` is the mean rate.
public struct TimestampedCalciumTraces: Sendable, Hashable {
    public let traces: CalciumTraces
    /// One time per frame in seconds, as stored (nil when the source has none).
    public let timestamps: [Double]?
}
