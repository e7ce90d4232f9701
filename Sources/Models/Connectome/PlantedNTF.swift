import RealModule

/// The planted-factor recipe of the methods note (§D.1 step 2, §5.1) for testing NTF on affinity-shaped
/// tensors: R components, each a Gaussian bump in time, a random subset of 2–5 animals with loadings
/// uniform(0.5, 1), and the pairs within a random group of `groupSize` neurons with weights
/// uniform(0.5, 1). X = ⟦f_t, f_w, f_a⟧ + |ε|, ε Gaussian with sd `noise` · std(⟦…⟧).
public struct PlantedNTF: Sendable {
    public let tensor: ThreeWayTensor
    public let truth: KruskalTensor
    /// The neuron group of each planted component.
    public let groups: [[Int]]
    public let neuronCount: Int

    /// - Throws: `ParameterError` for non-positive sizes or a group larger than the neuron count.
    public init(
        neurons: Int = 40, animals: Int = 8, bins: Int = 300, rank: Int = 4, groupSize: Int = 10,
        noise: Double = 0.1, seed: UInt64
    ) throws {
        try ParameterError.check(neurons >= 2 && animals >= 1 && bins >= 1 && rank >= 1, "sizes", expected: "neurons ≥ 2, animals, bins, rank ≥ 1", found: [neurons, animals, bins, rank])
        try ParameterError.check(groupSize >= 2 && groupSize <= neurons, "groupSize", expected: "2…\(neurons)", found: groupSize)
        try ParameterError.check(noise >= 0, "noise", expected: "≥ 0", found: noise)
        var rng = SeededGenerator(seed: seed)
        let pairs = NeuronPairs(neuronCount: neurons)
        var time = Matrix<Double>(rows: bins, columns: rank)
        var animal = Matrix<Double>(rows: animals, columns: rank)
        var pair = Matrix<Double>(rows: pairs.count, columns: rank)
        var groups: [[Int]] = []
        let width = Double(bins) / 20
        for r in 0..<rank {
            let centre = rng.uniform(in: 0.1 * Double(bins)..<0.9 * Double(bins))
            for t in 0..<bins { time[t, r] = Double.exp(-Double.pow((Double(t) - centre) / width, 2) / 2) }
            let subset = Array(rng.permutation(animals).prefix(min(animals, 2 + rng.uniformInt(below: 4))))
            for w in subset { animal[w, r] = rng.uniform(in: 0.5..<1) }
            let group = Array(rng.permutation(neurons).prefix(groupSize)).sorted()
            groups.append(group)
            for (a, i) in group.enumerated() {
                for j in group[(a + 1)...] { pair[pairs.index(i, j), r] = rng.uniform(in: 0.5..<1) }
            }
        }
        let truth = try KruskalTensor(factors: [time, animal, pair])
        var values = truth.full()
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        if noise > 0 {
            for k in values.indices { values[k] += abs(rng.normal(mean: 0, standardDeviation: noise * sd)) }
        }
        self.tensor = try ThreeWayTensor(shape: [bins, animals, pairs.count], values: values)
        self.truth = truth
        self.groups = groups
        self.neuronCount = neurons
    }
}
