import Foundation

/// The spiking network of the methods note §D1: a discrete-time nonlinear Hawkes (Bernoulli GLM)
/// network with hub neurons, directed connections, a shared stimulus and a behavioural variable.
///
///     p_i(b) = min(0.9, r_i Δ · exp(Σ_j W_ij [s_j(b−1) + 0.5 s_j(b−2)] + g_i · stim(b))),  s_i(b) ~ Bernoulli(p_i(b))
///
/// Hubs 0..<hubs each project with weight `hubWeight` to `targetsPerHub` distinct non-hub targets;
/// `weakEdges` random non-hub edges have weight `weakWeight`. The stimulus is a sum of two sinusoids
/// (periods 2 s and 0.7 s) driving the last `stimulusNeurons` neurons with gain `stimulusGain`. The
/// behaviour is the stimulus-driven group's spike count smoothed by an exponential (τ = 0.25 s) and
/// lagged by 50 ms: a slow variable read out of the population, as running speed is in the reference data.
public struct HubNetworkSimulation: Sendable, Equatable {
    public var neurons = 32
    public var hubs = 3
    public var targetsPerHub = 8
    public var weakEdges = 12
    public var hubWeight = 2.0
    public var weakWeight = 1.0
    public var hubRate = 8.0
    public var baseRate = 4.0
    public var stimulusNeurons = 8
    public var stimulusGain = 1.0
    public var binWidth = 0.01
    public var duration = 1200.0

    public init() {}

    public struct Result: Sendable {
        public var simulation: HubNetworkSimulation
        public var raster: SpikeRaster
        /// One value per bin.
        public var stimulus: [Float]
        public var behaviour: [Double]
        /// `[target][source]`, N × N row-major.
        public var weights: [Double]

        /// Pair indices (`target * N + source`) of the hub → target edges, the weak edges, and the
        /// unconnected off-diagonal pairs.
        public var hubEdges: [Int] { pairs { w, _ in w == simulation.hubWeight } }
        public var weakEdges: [Int] { pairs { w, _ in w > 0 && w != simulation.hubWeight } }
        public var nonEdges: [Int] { pairs { w, diagonal in w == 0 && !diagonal } }

        private func pairs(_ keep: (Double, Bool) -> Bool) -> [Int] {
            let n = simulation.neurons
            return (0..<(n * n)).filter { keep(weights[$0], $0 / n == $0 % n) }
        }
    }

    public func validate() throws {
        try ParameterError.check(hubs >= 1 && neurons >= hubs + targetsPerHub * hubs, "neurons",
                                 expected: "≥ hubs × (1 + targetsPerHub) = \(hubs * (1 + targetsPerHub))", found: neurons)
        try ParameterError.check(stimulusNeurons >= 0 && stimulusNeurons <= neurons, "stimulusNeurons", expected: "in 0...\(neurons)", found: stimulusNeurons)
        try ParameterError.check(binWidth > 0 && duration >= 1, "duration", expected: "≥ 1 s with a positive bin width", found: duration)
        try ParameterError.check(weakEdges >= 0, "weakEdges", expected: "≥ 0", found: weakEdges)
    }

    public func simulate(seed: UInt64) throws -> Result {
        try validate()
        var g = SeededGenerator(seed: seed)
        let n = neurons
        var w = [Double](repeating: 0, count: n * n)
        let others = Array(hubs..<n)
        let order = g.permutation(others.count).map { others[$0] }
        for h in 0..<hubs {
            for k in 0..<targetsPerHub { w[order[h * targetsPerHub + k] * n + h] = hubWeight }
        }
        var placed = 0, attempts = 0
        while placed < weakEdges && attempts < 100_000 {
            attempts += 1
            let i = others[g.uniformInt(below: others.count)], j = others[g.uniformInt(below: others.count)]
            guard i != j, w[i * n + j] == 0, w[j * n + i] == 0 else { continue }
            w[i * n + j] = weakWeight
            placed += 1
        }
        let bins = Int((duration / binWidth).rounded())
        let phase1 = g.uniform(in: 0..<(2 * Double.pi)), phase2 = g.uniform(in: 0..<(2 * Double.pi))
        let stimulus = (0..<bins).map { b -> Float in
            let t = Double(b) * binWidth
            return Float(0.7 * Double.sin(2 * Double.pi * t / 2 + phase1) + 0.3 * Double.sin(2 * Double.pi * t / 0.7 + phase2))
        }
        let rates = (0..<n).map { $0 < hubs ? hubRate : baseRate }
        let gains = (0..<n).map { $0 >= n - stimulusNeurons ? stimulusGain : 0 }
        var counts = [UInt16](repeating: 0, count: bins * n)
        var drive = [Double](repeating: 0, count: n)
        for b in 0..<bins {
            for i in 0..<n { drive[i] = gains[i] * Double(stimulus[b]) }
            for lag in 1...2 where b >= lag {
                let factor = lag == 1 ? 1.0 : 0.5
                for j in 0..<n where counts[(b - lag) * n + j] > 0 {
                    for i in 0..<n where w[i * n + j] != 0 { drive[i] += factor * w[i * n + j] }
                }
            }
            for i in 0..<n {
                let p = min(0.9, rates[i] * binWidth * Double.exp(drive[i]))
                if g.nextUnitInterval() < p { counts[b * n + i] = 1 }
            }
        }
        // Behaviour: smoothed spike count of the stimulus-driven group, 5 bins later.
        let decay = Double.exp(-binWidth / 0.25)
        var smooth = [Double](repeating: 0, count: bins)
        var state = 0.0
        for b in 0..<bins {
            var s = 0.0
            for i in (n - stimulusNeurons)..<n { s += Double(counts[b * n + i]) }
            state = decay * state + (1 - decay) * s / binWidth
            smooth[b] = state
        }
        let lag = 5
        let behaviour = (0..<bins).map { b in b >= lag ? smooth[b - lag] : smooth[0] }
        let raster = SpikeRaster(neurons: n, bins: bins, binWidth: binWidth, counts: counts)
        return Result(simulation: self, raster: raster, stimulus: stimulus, behaviour: behaviour, weights: w)
    }
}

extension HubNetworkSimulation.Result {
    /// Layout: `/spikes/counts` (uint8, bins × neurons, deflate; `@bin_width`), `/stimulus` and
    /// `/behaviour` (float32, one per bin), `/ground_truth/weights` (float64 N × N, [target][source]),
    /// `/ground_truth/hubs`, and the settings as root attributes.
    public func write(to url: URL, provenance: ExportProvenance) throws {
        let s = simulation, r = raster
        try HDF5File.writeAtomically(to: url) { file in
            try provenance.write(to: file)
            let root = file.root
            try root.setAttribute("simulation", "neuroformer hub network")
            for (name, value) in [("hub_weight", s.hubWeight), ("weak_weight", s.weakWeight), ("hub_rate", s.hubRate),
                                  ("base_rate", s.baseRate), ("stimulus_gain", s.stimulusGain), ("duration", s.duration)] {
                try root.setAttribute(name, value)
            }
            for (name, value) in [("hubs", s.hubs), ("targets_per_hub", s.targetsPerHub), ("weak_edges", s.weakEdges), ("stimulus_neurons", s.stimulusNeurons)] {
                try root.setAttribute(name, Int64(value))
            }
            let counts = try root.createDataset("spikes/counts", shape: [r.bins, r.neurons], values: r.counts.map { UInt8(min($0, 255)) }, deflate: 6)
            try counts.setAttribute("bin_width", r.binWidth)
            try root.createDataset("stimulus", shape: [r.bins], values: stimulus, deflate: 6)
            try root.createDataset("behaviour", shape: [r.bins], values: behaviour.map { Float($0) }, deflate: 6)
            try root.createDataset("ground_truth/weights", shape: [s.neurons, s.neurons], values: weights)
            try root.createDataset("ground_truth/hubs", shape: [s.hubs], values: (0..<s.hubs).map { Int32($0) })
        }
    }

    public init(contentsOf url: URL) throws {
        let file = try HDF5File.open(at: url)
        defer { try? file.close() }
        let root = file.root
        guard root.contains("spikes/counts"), root.contains("ground_truth/weights") else {
            throw NeuroformerError.shapeMismatch(what: url.lastPathComponent, expected: "a `simulate neuroformer` file (/spikes/counts, /ground_truth/weights)", found: "other contents")
        }
        let counts = try root.dataset("spikes/counts")
        let shape = counts.shape
        let binWidth = try counts.attribute("bin_width").double ?? 0.01
        var s = HubNetworkSimulation()
        s.neurons = shape[1]
        s.binWidth = binWidth
        s.duration = Double(shape[0]) * binWidth
        func real(_ name: String, _ fallback: Double) -> Double { (try? root.attribute(name).double ?? fallback) ?? fallback }
        func integer(_ name: String, _ fallback: Int) -> Int { Int((try? root.attribute(name).double ?? Double(fallback)) ?? Double(fallback)) }
        s.hubWeight = real("hub_weight", s.hubWeight); s.weakWeight = real("weak_weight", s.weakWeight)
        s.hubRate = real("hub_rate", s.hubRate); s.baseRate = real("base_rate", s.baseRate)
        s.stimulusGain = real("stimulus_gain", s.stimulusGain)
        s.hubs = integer("hubs", s.hubs); s.targetsPerHub = integer("targets_per_hub", s.targetsPerHub)
        s.weakEdges = integer("weak_edges", s.weakEdges); s.stimulusNeurons = integer("stimulus_neurons", s.stimulusNeurons)
        let values = try counts.read(as: UInt8.self).map { UInt16($0) }
        self.init(
            simulation: s, raster: SpikeRaster(neurons: shape[1], bins: shape[0], binWidth: binWidth, counts: values),
            stimulus: try root.dataset("stimulus").readFloats(), behaviour: try root.dataset("behaviour").readDoubles(),
            weights: try root.dataset("ground_truth/weights").readDoubles())
    }
}
