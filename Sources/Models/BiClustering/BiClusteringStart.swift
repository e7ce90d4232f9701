import Foundation
import NeuroCore

/// A given starting point for every chain (a diagnostic: e.g. the simulation's ground truth, to ask
/// what the posterior looks like around it independently of how a chain would find it). The dynamics
/// and the sticky HDP-HMM weights are drawn from their full conditionals given these latents and states
/// before the first sweep, so the chain is ordinary MCMC from that point.
public struct BiClusteringStart: Sendable, Equatable {
    public var neuronLabels: [Int]
    /// T × D stacked latents, D = clusters · (p + 1), in the sampler's column layout.
    public var latents: [Double]
    public var baselines: [Double]
    /// N × p.
    public var loadings: [Double]
    /// ξ_t, the regime governing x_{t−1} → x_t (labels below the weak-limit truncation L).
    public var states: [Int]
    /// Per-neuron r_i (ignored by the Poisson variant); nil keeps the configuration's starting value.
    public var dispersions: [Double]?

    public init(neuronLabels: [Int], latents: [Double], baselines: [Double], loadings: [Double], states: [Int], dispersions: [Double]? = nil) {
        self.neuronLabels = neuronLabels
        self.latents = latents
        self.baselines = baselines
        self.loadings = loadings
        self.states = states
        self.dispersions = dispersions
    }

    /// The ground truth of a simulation as a start.
    public init(truth: BiClusteringSimulation.Result) {
        self.init(neuronLabels: truth.neuronLabels, latents: truth.latents, baselines: truth.baselines,
                  loadings: truth.loadings, states: truth.states, dispersions: truth.dispersions)
    }

    /// Checks the sizes against the data and the configuration; throws `invalidCounts` naming the field.
    func validate(neurons: Int, bins: Int, config: BiClusteringConfiguration) throws {
        let p = config.latentDimension
        let k = (neuronLabels.max() ?? -1) + 1
        func fail(_ what: String) -> BiClusteringError { .invalidCounts("starting state: \(what)") }
        guard neuronLabels.count == neurons, neuronLabels.allSatisfy({ $0 >= 0 }), Set(neuronLabels).count == k else {
            throw fail("\(neuronLabels.count) neuron labels for \(neurons) neurons (labels must be 0..<k, all used)")
        }
        guard latents.count == bins * k * (p + 1) else { throw fail("\(latents.count) latent values for \(bins) bins × \(k) clusters × \(p + 1)") }
        guard baselines.count == neurons, loadings.count == neurons * p else { throw fail("baselines/loadings sizes") }
        guard states.count == bins, states.allSatisfy({ $0 >= 0 && $0 < config.statesTruncation }) else {
            throw fail("\(states.count) states for \(bins) bins, each below L = \(config.statesTruncation)")
        }
        if let dispersions { guard dispersions.count == neurons, dispersions.allSatisfy({ $0 > 0 }) else { throw fail("dispersions") } }
    }
}

extension BiClusteringSimulation.Result {
    /// Reads the whole ground truth of a file written by `write(to:provenance:)`.
    public static func readStart(_ url: URL) throws -> BiClusteringStart {
        let file = try HDF5File.open(at: url)
        let g = file.root
        let labels = try g.dataset("ground_truth/neuron_labels").read(as: Int32.self).map(Int.init)
        let states = try g.dataset("ground_truth/states").read(as: Int32.self).map(Int.init)
        return BiClusteringStart(
            neuronLabels: labels, latents: try g.dataset("ground_truth/latents").readDoubles(),
            baselines: try g.dataset("ground_truth/baselines").readDoubles(),
            loadings: try g.dataset("ground_truth/loadings").readDoubles(), states: states,
            dispersions: try g.dataset("ground_truth/dispersions").readDoubles())
    }
}

extension BiClusteringChain {
    /// Replaces the chain's state by `start` and draws β, π and the dynamics given it.
    func adopt(_ start: BiClusteringStart) throws {
        state.clusterCount = Set(start.neuronLabels).count
        state.labels = start.neuronLabels
        state.latents = start.latents
        state.baselines = start.baselines
        state.loadings = start.loadings
        state.states = start.states
        if let r = start.dispersions, config.likelihood == .negativeBinomial {
            state.dispersions = config.sharedDispersion ? [Double](repeating: r.reduce(0, +) / Double(r.count), count: r.count) : r
        }
        try prepareBuffers()
        state.hmm.resampleParameters(states: state.states, generator: &generator)
        // The prior draws of the dynamics have the start's dimension D only by chance: use a random
        // walk of the right size as the current value before the conditional draw.
        let d = stackedDimension
        for s in state.dynamics.indices where state.dynamics[s].dimension != d {
            state.dynamics[s] = .randomWalk(dimension: d, noise: config.newClusterNoiseVariance)
        }
        try resampleDynamics()
    }

    /// Replaces only the state sequence and draws β, π and the dynamics given it and the current latents.
    func adopt(states: [Int]) throws {
        state.states = states
        state.hmm.resampleParameters(states: state.states, generator: &generator)
        try resampleDynamics()
    }
}
