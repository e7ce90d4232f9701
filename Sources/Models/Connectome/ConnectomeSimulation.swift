import RealModule

/// Calcium traces of several animals with planted functional motifs: each motif is a (neuron group ×
/// time interval × animal subset) in which the group shares a latent driver, the ground truth for the
/// dynamic-connectome pipeline (methods note §D.1 step 3).
///
/// Motif k's interval starts within the k-th of `motifCount` equal segments of the recording, so
/// motifs follow one another as stimulus epochs do (they overlap only when `intervalFraction` exceeds
/// 1/`motifCount`). Per animal and neuron, spikes are Poisson per frame at `backgroundRate`; inside an active motif a
/// shared event train (Poisson at `motifRate` per frame, the same in every animal where the motif is
/// active: stimulus-locked) makes each member fire with probability
/// `participation`. Fluorescence is ΔF/F-like: each spike adds an amplitude around 1 (±20 %) that
/// decays exponentially with time constant `decay` seconds, plus a slow per-neuron drift and white
/// Gaussian noise of sd `noise`. Neurons carry labels "N00", "N01", … (identities shared across
/// animals); with `dropout` > 0 each animal misses each neuron with that probability (never a motif's
/// member in an animal where the motif is active), as imaging does.
public struct ConnectomeSimulation: Sendable, Hashable {
    public struct Motif: Sendable, Hashable, Codable {
        /// Aligned neuron indices of the group.
        public let neurons: [Int]
        /// Frames [start, end).
        public let frames: Range<Int>
        /// Animals in which the motif is active.
        public let animals: [Int]
    }

    public var animals = 6
    public var neurons = 30
    public var frames = 1200
    public var frameRate = 4.0
    public var motifCount = 3
    public var groupSize = 8
    /// Length of each motif's interval as a fraction of the recording.
    public var intervalFraction = 0.2
    public var backgroundRate = 0.01
    public var motifRate = 0.15
    public var participation = 0.9
    public var decay = 1.0
    public var noise = 0.1
    public var dropout = 0.0

    public init() {}

    public struct Result: Sendable {
        public let traces: [CalciumTraces]
        public let motifs: [Motif]
        public let neuronLabels: [String]
    }

    /// - Throws: `ParameterError` for inconsistent sizes or rates.
    public func simulate(seed: UInt64) throws -> Result {
        try ParameterError.check(animals >= 1 && neurons >= 2 && frames >= 10, "sizes", expected: "animals ≥ 1, neurons ≥ 2, frames ≥ 10", found: [animals, neurons, frames])
        try ParameterError.check(groupSize >= 2 && groupSize <= neurons, "groupSize", expected: "2…\(neurons)", found: groupSize)
        try ParameterError.check(motifCount >= 0, "motifCount", expected: "≥ 0", found: motifCount)
        try ParameterError.check(intervalFraction > 0 && intervalFraction <= 1, "intervalFraction", expected: "in (0, 1]", found: intervalFraction)
        for (name, p) in [("backgroundRate", backgroundRate), ("motifRate", motifRate), ("participation", participation), ("dropout", dropout)] {
            try ParameterError.check(p >= 0 && p <= 1, name, expected: "a probability in [0, 1]", found: p)
        }
        try ParameterError.check(frameRate > 0 && decay > 0 && noise >= 0, "frameRate/decay/noise", expected: "> 0, > 0, ≥ 0", found: [frameRate, decay, noise])
        var rng = SeededGenerator(seed: seed)
        let labels = (0..<neurons).map { "N" + ($0 < 10 ? "0" : "") + String($0) }
        let length = max(2, Int(intervalFraction * Double(frames)))
        var motifs: [Motif] = []
        for k in 0..<motifCount {
            let group = Array(rng.permutation(neurons).prefix(groupSize)).sorted()
            // Staggered like stimulus epochs: motif k starts at a random frame of the k-th of
            // `motifCount` equal segments (clamped so the interval fits).
            let segment = frames / motifCount
            let start = min(frames - length, k * segment + rng.uniformInt(below: max(1, segment)))
            let count = min(animals, max(1, 2 + rng.uniformInt(below: max(1, animals - 1))))
            let subset = Array(rng.permutation(animals).prefix(count)).sorted()
            motifs.append(Motif(neurons: group, frames: start..<(start + length), animals: subset))
        }
        // Stimulus-locked drivers: a motif's event train is the same in every animal where it is active
        // (as when all animals receive the same stimulus schedule), so each motif is one CP component.
        let motifEvents: [[Bool]] = motifs.map { m in (0..<frames).map { t in m.frames.contains(t) && rng.bernoulli(probability: motifRate) } }
        let keep = Double.exp(-1 / (decay * frameRate))
        var out: [CalciumTraces] = []
        for a in 0..<animals {
            var needed = Set<Int>()
            for m in motifs where m.animals.contains(a) { needed.formUnion(m.neurons) }
            let present = (0..<neurons).filter { needed.contains($0) || !rng.bernoulli(probability: dropout) }
            var signal = [Float](repeating: 0, count: present.count * frames)
            let events: [[Bool]] = motifs.indices.map { k in motifs[k].animals.contains(a) ? motifEvents[k] : [] }
            for (row, n) in present.enumerated() {
                let drift = rng.uniform(in: 0..<0.3), period = rng.uniform(in: 0.3..<1.0) * Double(frames), phase = rng.uniform(in: 0..<(2 * .pi))
                var c = 0.0
                for t in 0..<frames {
                    var spikes = rng.bernoulli(probability: backgroundRate) ? 1 : 0
                    for (k, m) in motifs.enumerated() where !events[k].isEmpty && events[k][t] && m.neurons.contains(n) && rng.bernoulli(probability: participation) {
                        spikes += 1
                    }
                    c *= keep
                    for _ in 0..<spikes { c += rng.uniform(in: 0.8..<1.2) }
                    let slow = drift * Double.sin(2 * .pi * Double(t) / period + phase)
                    signal[row * frames + t] = Float(c + slow + rng.normal(mean: 0, standardDeviation: noise))
                }
            }
            out.append(try CalciumTraces(
                signal: signal, neurons: present.map { CalciumNeuron(id: $0, label: labels[$0]) }, frameRate: frameRate, kind: .deltaFOverF))
        }
        return Result(traces: out, motifs: motifs, neuronLabels: labels)
    }
}
