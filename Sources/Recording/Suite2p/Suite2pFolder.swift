import Foundation

/// A suite2p `plane0` folder read as `CalciumTraces`, with notes on what was skipped.
public struct Suite2pPlane: Sendable {
    public let traces: CalciumTraces
    /// Files that were present but not read, and why (e.g. `stat.npy` is a pickle).
    public let notes: [String]
}

/// Reads suite2p output: `F.npy` (ROIs × frames fluorescence), `Fneu.npy` (neuropil), `spks.npy`
/// (deconvolved), `iscell.npy` (ROIs × 2: decision, probability). `stat.npy` and `ops.npy` are
/// pickled Python objects and are never unpickled: they are listed in `notes`. Because the frame
/// rate lives in `ops.npy`, the caller gives it.
public enum Suite2pFolder {
    public static func read(_ folder: URL, frameRate: Double) throws -> Suite2pPlane {
        let name = folder.lastPathComponent
        func url(_ n: String) -> URL { folder.appendingPathComponent(n) }
        func exists(_ n: String) -> Bool { FileManager.default.fileExists(atPath: url(n).path) }
        guard exists("F.npy") else {
            throw ArrayFileError.notFound(file: name, name: "F.npy", available: (try? FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()) ?? [])
        }
        let f = try NPYFile.read(url("F.npy"))
        guard f.rank == 2, f.shape[0] > 0 else {
            throw ArrayFileError.wrongKind(name: "\(name)/F.npy", expected: "a 2-D ROIs × frames array", found: "shape \(f.shape)")
        }
        func companion(_ n: String) throws -> [Float]? {
            guard exists(n) else { return nil }
            let a = try NPYFile.read(url(n))
            guard a.shape == f.shape else {
                throw ArrayFileError.wrongKind(name: "\(name)/\(n)", expected: "shape \(f.shape) (as F.npy)", found: "shape \(a.shape)")
            }
            return a.floats
        }
        var neurons = (0..<f.shape[0]).map { CalciumNeuron(id: $0) }
        if exists("iscell.npy") {
            let a = try NPYFile.read(url("iscell.npy"))
            guard a.rank == 2, a.shape[0] == f.shape[0], a.shape[1] >= 1 else {
                throw ArrayFileError.wrongKind(name: "\(name)/iscell.npy", expected: "\(f.shape[0]) × 2", found: "shape \(a.shape)")
            }
            let v = a.doubles, k = a.shape[1]
            neurons = neurons.map { n in
                CalciumNeuron(id: n.id, isCell: v[n.id * k] != 0, cellProbability: k > 1 ? v[n.id * k + 1] : nil)
            }
        }
        var notes: [String] = []
        for pickle in ["stat.npy", "ops.npy"] where exists(pickle) {
            notes.append("\(pickle) skipped: it holds pickled Python objects, which are never unpickled")
        }
        let traces = try CalciumTraces(
            signal: f.floats, neurons: neurons, frameRate: frameRate, kind: .fluorescence,
            neuropil: companion("Fneu.npy"), deconvolved: companion("spks.npy"))
        return Suite2pPlane(traces: traces, notes: notes)
    }
}
