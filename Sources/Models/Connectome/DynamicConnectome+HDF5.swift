import Foundation

/// The HDF5 layout of a fitted dynamic connectome (`neuroswift fit connectome -o out.h5`). R is the
/// selected rank, N the aligned neurons, P = N(N−1)/2 pairs in `NeuronPairs` (numpy `triu_indices(N, 1)`)
/// order, T the windows, W the animals, K the ranks swept, S the restarts:
///
///     /connectome                        @kernel, @window_length, @window_step (frames), @algorithm,
///                                        @rank (selected), @relative_error, @precision ("double" or
///                                        "single": the tensor copy NTF read), @extrapolation (0/1),
///                                        @threads (NTF workers)
///     /connectome/factors/time           float64 T × R, unit-norm columns
///     /connectome/factors/animal         float64 W × R
///     /connectome/factors/pairs          float64 P × R
///     /connectome/factors/weights        float64 R (λ, decreasing)
///     /connectome/window_start_frames    int64 T
///     /connectome/neuron_labels          strings N
///     /connectome/present                int64 W × N, 1 where the animal has the neuron
///     /connectome/diagnostics/ranks      int64 K
///     /connectome/diagnostics/errors     float64 K × S, relative error of each restart, best first
///     /connectome/diagnostics/similarity float64 K × S, kruskalAlign similarity to the rank's best
///     /connectome/affinity/<r>           float64 N × N, component r's pair factor as a matrix
///     /connectome/communities/<r>        int64 N, weighted-SBM blocks, @degree_corrected (0/1),
///                                        @description_length, @log_posterior_odds, @block_count
///     /connectome/hierarchy/<r>          int64 L × N, nested levels above the SBM blocks (row 0 =
///                                        communities/<r>, last row one block)
///     /connectome/louvain/<r>            int64 N, Louvain communities, @modularity
///
/// plus the export provenance at the root. Rows of `errors`/`similarity` are NaN-padded when a rank
/// has fewer restarts (a stopped run).
extension DynamicConnectome {
    public func write(to url: URL, provenance: ExportProvenance) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let g = try file.root.createGroup("connectome")
            try g.setAttribute("kernel", tensor.kernelName)
            try g.setAttribute("window_length", Int64(tensor.window.length))
            try g.setAttribute("window_step", Int64(tensor.window.step))
            try g.setAttribute("algorithm", fit.algorithm.rawValue)
            try g.setAttribute("rank", Int64(rank))
            try g.setAttribute("relative_error", fit.relativeError)
            try g.setAttribute("precision", ntf.precision.rawValue)
            try g.setAttribute("extrapolation", Int64(ntf.extrapolation ? 1 : 0))
            try g.setAttribute("threads", Int64(ntf.threads))
            let f = fit.factors
            for (mode, name) in ["time", "animal", "pairs"].enumerated() {
                try g.createDataset("factors/\(name)", shape: [f.factors[mode].rows, f.rank], values: f.factors[mode].elements)
            }
            try g.createDataset("factors/weights", shape: [f.rank], values: f.weights)
            let t = tensor.tensor.shape[0]
            try g.createDataset("window_start_frames", shape: [t], values: (0..<t).map { Int64(tensor.window.start($0)) })
            try g.createStringDataset("neuron_labels", values: tensor.neuronNames)
            let n = tensor.neuronNames.count
            try g.createDataset("present", shape: [tensor.present.count, n], values: tensor.present.flatMap { $0.map { Int64($0 ? 1 : 0) } })
            let k = sweep.ranks.count
            let s = sweep.ranks.map(\.fits.count).max() ?? 0
            var errors = [Double](repeating: .nan, count: k * s), sims = errors
            for (i, r) in sweep.ranks.enumerated() {
                for (j, e) in r.errors.enumerated() { errors[i * s + j] = e }
                for (j, v) in r.similarities.enumerated() { sims[i * s + j] = v }
            }
            try g.createDataset("diagnostics/ranks", shape: [k], values: sweep.ranks.map { Int64($0.rank) })
            try g.createDataset("diagnostics/errors", shape: [k, s], values: errors)
            try g.createDataset("diagnostics/similarity", shape: [k, s], values: sims)
            for (r, c) in components.enumerated() {
                try g.createDataset("affinity/\(r)", shape: [n, n], values: c.affinity.elements)
                let sbm = try g.createDataset("communities/\(r)", shape: [n], values: c.communities.best.labels.map(Int64.init))
                try sbm.setAttribute("degree_corrected", Int64(c.communities.best.degreeCorrected ? 1 : 0))
                try sbm.setAttribute("description_length", c.communities.best.descriptionLength)
                try sbm.setAttribute("log_posterior_odds", c.communities.logPosteriorOdds)
                try sbm.setAttribute("block_count", Int64(c.communities.best.blockCount))
                try g.createDataset("hierarchy/\(r)", shape: [c.hierarchy.count, n], values: c.hierarchy.flatMap { $0.map(Int64.init) })
                let lv = try g.createDataset("louvain/\(r)", shape: [n], values: c.louvain.labels.map(Int64.init))
                try lv.setAttribute("modularity", c.louvain.modularity)
            }
        }
    }
}
