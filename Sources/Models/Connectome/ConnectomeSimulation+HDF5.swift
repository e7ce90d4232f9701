import Foundation

/// The HDF5 layout of a simulated connectome data set (`sample-data/connectome.h5`):
///
///     /animals/<k>/traces           float32, neurons × frames (ΔF/F), @frame_rate (Hz), @kind
///     /animals/<k>/neuron_labels    strings, one per row of traces
///     /ground_truth/neuron_labels   strings, the aligned neuron set
///     /ground_truth/motif_neurons   int64, motifs × neurons, 1 for members
///     /ground_truth/motif_frames    int64, motifs × 2, [start, end) frames
///     /ground_truth/motif_animals   int64, motifs × animals, 1 where the motif is active
///
/// with the export provenance at the root. `<k>` is the animal index (0, 1, …).
extension ConnectomeSimulation.Result {
    public func write(to url: URL, provenance: ExportProvenance) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let animalsGroup = try file.root.createGroup("animals")
            for (k, t) in traces.enumerated() {
                let g = try animalsGroup.createGroup(String(k))
                let d = try g.createDataset("traces", shape: [t.neuronCount, t.frameCount], values: t.signal, deflate: 4)
                try d.setAttribute("frame_rate", t.frameRate)
                try d.setAttribute("kind", t.kind.rawValue)
                _ = try g.createStringDataset("neuron_labels", values: t.neurons.map { $0.label ?? "n\($0.id)" })
            }
            let truth = try file.root.createGroup("ground_truth")
            _ = try truth.createStringDataset("neuron_labels", values: neuronLabels)
            let m = motifs.count, n = neuronLabels.count, w = traces.count
            var members = [Int64](repeating: 0, count: m * n), active = [Int64](repeating: 0, count: m * w)
            for (k, motif) in motifs.enumerated() {
                for i in motif.neurons { members[k * n + i] = 1 }
                for a in motif.animals { active[k * w + a] = 1 }
            }
            _ = try truth.createDataset("motif_neurons", shape: [m, n], values: members)
            _ = try truth.createDataset("motif_frames", shape: [m, 2], values: motifs.flatMap { [Int64($0.frames.lowerBound), Int64($0.frames.upperBound)] })
            _ = try truth.createDataset("motif_animals", shape: [m, w], values: active)
        }
    }

    /// Reads a file written by `write(to:provenance:)`.
    public init(contentsOf url: URL) throws {
        let file = try HDF5File.open(at: url)
        defer { try? file.close() }
        let traces = try ConnectomeSimulation.Result.readAnimals(file, url: url)
        let truth = try file.root.group("ground_truth")
        let labels = try truth.dataset("neuron_labels").readStrings()
        let members = try truth.dataset("motif_neurons").read(as: Int64.self)
        let frames = try truth.dataset("motif_frames").read(as: Int64.self)
        let active = try truth.dataset("motif_animals").read(as: Int64.self)
        let m = frames.count / 2, n = labels.count, w = traces.count
        guard members.count == m * n, active.count == m * w else {
            throw RecordingError.invalidField(file: url.lastPathComponent, field: "/ground_truth", expected: "motif arrays of \(m) rows", found: "\(members.count) and \(active.count) values")
        }
        let motifs = (0..<m).map { k in
            ConnectomeSimulation.Motif(
                neurons: (0..<n).filter { members[k * n + $0] != 0 }, frames: Int(frames[2 * k])..<Int(frames[2 * k + 1]),
                animals: (0..<w).filter { active[k * w + $0] != 0 })
        }
        self.init(traces: traces, motifs: motifs, neuronLabels: labels)
    }

    /// The `/animals/<k>` traces of a connectome file (simulated or converted real data).
    public static func readAnimals(_ file: HDF5File, url: URL) throws -> [CalciumTraces] {
        let group = try file.root.group("animals")
        var out: [CalciumTraces] = []
        var k = 0
        while let d = try? group.dataset("\(k)/traces") {
            guard d.shape.count == 2, case .reals(let rates) = try d.attribute("frame_rate"), let rate = rates.first else {
                throw RecordingError.invalidField(file: url.lastPathComponent, field: "/animals/\(k)/traces", expected: "neurons × frames with @frame_rate", found: "shape \(d.shape)")
            }
            let labels = try group.dataset("\(k)/neuron_labels").readStrings()
            guard labels.count == d.shape[0] else {
                throw RecordingError.invalidField(file: url.lastPathComponent, field: "/animals/\(k)/neuron_labels", expected: "\(d.shape[0]) labels", found: "\(labels.count)")
            }
            let kind = (try? d.attribute("kind")).flatMap { $0.string }.flatMap(CalciumTraces.Kind.init(rawValue:)) ?? .deltaFOverF
            out.append(try CalciumTraces(
                signal: try d.readFloats(), neurons: labels.enumerated().map { CalciumNeuron(id: $0.offset, label: $0.element) },
                frameRate: rate, kind: kind))
            k += 1
        }
        guard !out.isEmpty else {
            throw RecordingError.invalidField(file: url.lastPathComponent, field: "/animals", expected: "groups 0, 1, … with traces", found: "none")
        }
        return out
    }
}
