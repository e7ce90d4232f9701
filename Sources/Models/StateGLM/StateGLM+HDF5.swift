import Foundation

/// HDF5 layout of a simulated HMM-GLM data set (`neuroswift simulate stateglm`):
///
///     /spikes/counts                   uint16, sequences × T × N   @bin_width (s)
///     /ground_truth/states             int32, sequences × T
///     /ground_truth/weights            float64, S × N × N (W_s[n ← n'])
///     /ground_truth/types              int8, S × N × N (−1 inh, 0 none, +1 exc)
///     /ground_truth/type_probabilities float64, N × N × 3 (generator α over inh, none, exc)
///     /ground_truth/bias               float64, N
///     /ground_truth/transition         float64, S × S
///     /ground_truth/history_basis      float64, K
///     /ground_truth  @type_concentration @max_strength @bias_half_width @likelihood @link
///
/// plus the provenance attributes at the root.
extension StateGLMSimulation.Result {
    public func write(to url: URL, provenance: ExportProvenance, binWidth: Double = 0.01) throws {
        let sim = simulation
        let (m, t, n, s) = (counts.count, sim.binsPerSequence, sim.neurons, sim.states)
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let spikes = try file.root.createGroup("spikes")
            var flat = [UInt16]()
            flat.reserveCapacity(m * t * n)
            for c in counts { flat += c.elements.map { UInt16(Swift.min($0, 65_535)) } }
            let data = try spikes.createDataset("counts", shape: [m, t, n], values: flat, chunks: [1, t, n], deflate: 4)
            try data.setAttribute("bin_width", binWidth)
            try data.setAttribute("axes", "sequence, bin, neuron")
            let truth = try file.root.createGroup("ground_truth")
            _ = try truth.createDataset("states", shape: [m, t], values: self.truth.states.flatMap { $0.map { Int32($0) } }, chunks: [1, t], deflate: 4)
            _ = try truth.createDataset("weights", shape: [s, n, n], values: self.truth.weights)
            _ = try truth.createDataset("types", shape: [s, n, n], values: self.truth.types.map { Int8($0) })
            _ = try truth.createDataset("type_probabilities", shape: [n, n, 3], values: self.truth.typeProbabilities)
            _ = try truth.createDataset("bias", shape: [n], values: self.truth.bias)
            _ = try truth.createDataset("transition", shape: [s, s], values: self.truth.transition.elements)
            _ = try truth.createDataset("history_basis", shape: [sim.basis.length], values: sim.basis.weights)
            try truth.setAttribute("type_concentration", sim.typeConcentration)
            try truth.setAttribute("max_strength", sim.maxStrength)
            try truth.setAttribute("bias_half_width", sim.biasHalfWidth)
            try truth.setAttribute("likelihood", sim.emission.likelihood.rawValue)
            try truth.setAttribute("link", sim.emission.link.rawValue)
        }
    }

    /// Reads a file written by `write(to:provenance:binWidth:)`.
    public init(contentsOf url: URL) throws {
        let file = try HDF5File.open(at: url)
        let countsSet = try file.root.dataset("spikes/counts")
        let shape = countsSet.shape
        guard shape.count == 3 else {
            throw RecordingError.invalidField(file: url.path, field: "/spikes/counts", expected: "sequences × T × N", found: "shape \(shape)")
        }
        let (m, t, n) = (shape[0], shape[1], shape[2])
        let values = try countsSet.readDoubles()
        let weightsSet = try file.root.dataset("ground_truth/weights")
        let s = weightsSet.shape.first ?? 0
        let truth = try file.root.group("ground_truth")
        func text(_ name: String) throws -> String { try truth.attribute(name).string ?? "" }
        guard let likelihood = StateGLMLikelihood(rawValue: try text("likelihood")), let link = StateGLMLink(rawValue: try text("link")) else {
            throw RecordingError.invalidField(file: url.path, field: "/ground_truth@likelihood/link", expected: "poisson|bernoulli, sigmoid|softplus|exp", found: "other")
        }
        let transition = try truth.dataset("transition").readDoubles()
        let simulation = StateGLMSimulation(
            states: s, neurons: n, basis: try HistoryBasis(weights: try truth.dataset("history_basis").readDoubles()),
            binsPerSequence: t, sequences: m, typeConcentration: try truth.attribute("type_concentration").doubles ?? [],
            maxStrength: try truth.attribute("max_strength").double ?? 3, biasHalfWidth: try truth.attribute("bias_half_width").double ?? 0.05,
            selfTransition: transition.first ?? 0.98, emission: StateGLMEmission(likelihood: likelihood, link: link))
        let states = try truth.dataset("states").read(as: Int32.self).map(Int.init)
        self.init(
            simulation: simulation,
            counts: (0..<m).map { Matrix(rows: t, columns: n, elements: Array(values[($0 * t * n)..<(($0 + 1) * t * n)])) },
            truth: StateGLMSimulation.Truth(
                weights: try weightsSet.readDoubles(), types: try truth.dataset("types").read(as: Int8.self).map(Int.init),
                typeProbabilities: try truth.dataset("type_probabilities").readDoubles(), bias: try truth.dataset("bias").readDoubles(),
                transition: Matrix(rows: s, columns: s, elements: transition),
                states: (0..<m).map { Array(states[($0 * t)..<(($0 + 1) * t)]) }))
    }
}

/// HDF5 layout of a fitted HMM-GLM (`neuroswift fit stateglm`):
///
///     /model  @prior @likelihood @link @states @neurons @per_state_bias @stickiness @bin_width
///     /model/weights              float64, S × N × N (evaluation weights: hard types for one-hot)
///     /model/bias                 float64, N or S × N
///     /model/transition           float64, S × S
///     /model/history_basis        float64, K
///     /model/parameters           float64, the flat parameter vector (bias, then the prior's)
///     /model/types                int8, S × N × N (one-hot only: −1 inh, 0 none, +1 exc)
///     /model/prior/backbone       float64, N × N (Gaussian: learned shared mean W̄)
///     /model/prior/type_probabilities  float64, N × N × 3 (one-hot: learned α, the connectome)
///     /states/posterior_<i>       float64, T × S (γ of sequence i)
///     /states/viterbi_<i>         int32, T
///     /fit/objective_trace        float64, epochs + 1   @best_restart @log_likelihood_per_bin
///     /fit/restart_objectives     float64, restarts
extension StateGLMFit {
    public func write(to url: URL, sequences: [StateGLMSequence], provenance: ExportProvenance, binWidth: Double? = nil) throws {
        let model = self.model
        let (s, n) = (model.states, model.neurons)
        let posteriors = sequences.map { model.posterior($0) }
        let paths = sequences.map { model.viterbi($0) }
        let bins = Double(sequences.reduce(0) { $0 + $1.binCount })
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let group = try file.root.createGroup("model")
            try group.setAttribute("prior", model.prior.name)
            try group.setAttribute("likelihood", model.configuration.emission.likelihood.rawValue)
            try group.setAttribute("link", model.configuration.emission.link.rawValue)
            try group.setAttribute("states", s)
            try group.setAttribute("neurons", n)
            try group.setAttribute("per_state_bias", model.configuration.perStateBias ? 1 : 0)
            try group.setAttribute("stickiness", model.configuration.stickiness)
            if let binWidth { try group.setAttribute("bin_width", binWidth) }
            _ = try group.createDataset("weights", shape: [s, n, n], values: model.weights(mode: .hard))
            _ = try group.createDataset("bias", shape: model.configuration.perStateBias ? [s, n] : [n], values: model.bias)
            _ = try group.createDataset("transition", shape: [s, s], values: model.transition.elements)
            _ = try group.createDataset("history_basis", shape: [model.configuration.basis.length], values: model.configuration.basis.weights)
            _ = try group.createDataset("parameters", shape: [model.parameterVector.count], values: model.parameterVector)
            if let onehot = model.prior as? OneHotPrior {
                _ = try group.createDataset("types", shape: [s, n, n], values: onehot.hardTypes(model.priorParameters, states: s, neurons: n).map { Int8($0) })
            }
            let shared = model.prior.sharedStructure(model.priorParameters, states: s, neurons: n)
            if !shared.isEmpty {
                let priorGroup = try group.createGroup("prior")
                for (name, item) in shared.sorted(by: { $0.key < $1.key }) {
                    _ = try priorGroup.createDataset(name, shape: item.shape, values: item.values)
                }
            }
            let states = try file.root.createGroup("states")
            for (i, (post, path)) in zip(posteriors, paths).enumerated() {
                _ = try states.createDataset("posterior_\(i)", shape: [post.posteriors.rows, s], values: post.posteriors.elements)
                _ = try states.createDataset("viterbi_\(i)", shape: [path.count], values: path.map { Int32($0) })
            }
            let fitGroup = try file.root.createGroup("fit")
            let trace = try fitGroup.createDataset("objective_trace", shape: [objectiveTrace.count], values: objectiveTrace)
            try trace.setAttribute("meaning", "log p(x | θ) + prior scale · log prior(θ) + transition log-prior, before each epoch and after the last")
            _ = try fitGroup.createDataset("restart_objectives", shape: [restartObjectives.count], values: restartObjectives)
            try fitGroup.setAttribute("best_restart", bestRestart)
            try fitGroup.setAttribute("log_likelihood_per_bin", posteriors.reduce(0) { $0 + $1.logLikelihood } / bins)
            try fitGroup.setAttribute("stopped_early", stoppedEarly ? 1 : 0)
        }
    }
}
