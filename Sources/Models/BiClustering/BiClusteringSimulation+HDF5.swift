import Foundation
import NeuroCore

/// The HDF5 layout of a simulated bi-clustering data set (`sample-data/bicluster.h5`):
///
///     /counts/data                     int32, neurons × bins   @bin_width (s), @start (s)
///     /ground_truth/neuron_labels      int32, neurons
///     /ground_truth/states             int32, bins (regime governing x_{t−1} → x_t)
///     /ground_truth/latents            float64, bins × clusters·(p + 1)  @latent_dimension
///     /ground_truth/baselines          float64, neurons
///     /ground_truth/loadings           float64, neurons × p
///     /ground_truth/dispersions        float64, neurons
///
/// plus the provenance attributes at the root. `BiClusteringSimulation.Result.readCounts` reads the
/// counts back (this is also how `neuroswift fit bicluster` opens such a file).
extension BiClusteringSimulation.Result {
    public func write(to url: URL, provenance: ExportProvenance) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let n = counts.unitCount, t = counts.binCount, p = latentDimension
            let data = try file.root.createDataset(
                "counts/data", shape: [n, t], values: counts.counts.map { Int32($0) }, deflate: 4)
            try data.setAttribute("bin_width", counts.binWidth)
            try data.setAttribute("start", counts.start)
            let truth = try file.root.createGroup("ground_truth")
            try truth.createDataset("neuron_labels", shape: [n], values: neuronLabels.map { Int32($0) })
            try truth.createDataset("states", shape: [t], values: states.map { Int32($0) })
            let lat = try truth.createDataset("latents", shape: [t, latents.count / t], values: latents, deflate: 4)
            try lat.setAttribute("latent_dimension", Int32(p))
            try truth.createDataset("baselines", shape: [n], values: baselines)
            try truth.createDataset("loadings", shape: [n, p], values: loadings)
            try truth.createDataset("dispersions", shape: [n], values: dispersions)
        }
    }

    /// Reads `/counts/data` (neurons × bins, with `@bin_width`) of a file in this layout.
    public static func readCounts(_ url: URL) throws -> SpikeCounts {
        let file = try HDF5File.open(at: url)
        let data = try file.root.dataset("counts/data")
        guard data.shape.count == 2 else {
            throw RecordingError.invalidField(file: url.path, field: "/counts/data", expected: "a 2-D neurons × bins array", found: "shape \(data.shape)")
        }
        guard case .reals(let widths) = try data.attribute("bin_width"), let width = widths.first, width > 0 else {
            throw RecordingError.invalidField(file: url.path, field: "/counts/data@bin_width", expected: "a positive number of seconds", found: "missing or invalid")
        }
        let values = try data.readDoubles()
        let units = (0..<data.shape[0]).map { SpikeUnit(id: $0) }
        return try SpikeCounts(counts: values, units: units, binWidth: width)
    }

    /// Reads the ground-truth neuron labels and states of a file in this layout.
    public static func readTruth(_ url: URL) throws -> (neuronLabels: [Int], states: [Int]) {
        let file = try HDF5File.open(at: url)
        let labels = try file.root.dataset("ground_truth/neuron_labels").read(as: Int32.self).map(Int.init)
        let states = try file.root.dataset("ground_truth/states").read(as: Int32.self).map(Int.init)
        return (labels, states)
    }
}
