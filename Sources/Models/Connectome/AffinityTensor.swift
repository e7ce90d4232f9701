/// The time-window × animal × neuron-pair affinity tensor, with the neuron alignment behind it.
///
/// Neurons are matched across animals by identity when every neuron of every animal has a label
/// (e.g. NeuroPAL names): the neuron set is the union of labels (in order of first appearance), and the
/// pairs involving a neuron an animal lacks are *missing* for that animal at every window, so they
/// neither count as zero affinity nor influence the fit. Without labels, animals must have the same
/// neuron count and neurons are matched by index. Animals can differ in length: the tensor keeps the
/// windows all of them cover (the shortest recording sets T).
public struct AffinityTensor: Sendable {
    /// How neurons are matched across animals.
    public enum Alignment: String, Sendable, Hashable, CaseIterable {
        /// By label when all neurons carry one, else by index.
        case automatic
        /// By `CalciumNeuron.label`; union of labels, missing pairs masked.
        case byLabel
        /// By label, keeping only neurons present in every animal (no masking).
        case commonLabels
        /// By position; all animals must have the same number of neurons.
        case byIndex
    }

    /// time windows × animals × pairs.
    public let tensor: ThreeWayTensor
    /// Name of each aligned neuron (its label, or "n<index>" when aligned by index).
    public let neuronNames: [String]
    /// `present[w][n]`: whether animal w has aligned neuron n.
    public let present: [[Bool]]
    public let window: SlidingWindow
    public let kernelName: String

    public var pairs: NeuronPairs { NeuronPairs(neuronCount: neuronNames.count) }

    /// Builds the tensor from one `CalciumTraces` per animal.
    /// - Throws: `ParameterError` for no animals, windows longer than a recording, labels missing
    ///   when alignment by label is requested, unequal neuron counts when aligned by index, fewer than
    ///   2 aligned neurons, or a kernel producing negative/non-finite affinities.
    public init(
        animals: [CalciumTraces], kernel: any PairAffinity, window: SlidingWindow, alignment: Alignment = .automatic
    ) throws {
        try ParameterError.check(!animals.isEmpty, "animals", expected: "at least one recording", found: 0)
        let labelled = animals.allSatisfy { $0.neurons.allSatisfy { $0.label != nil } }
        var mode = alignment
        if mode == .automatic { mode = labelled ? .byLabel : .byIndex }
        if mode != .byIndex && !labelled {
            throw ParameterError("alignment", expected: "labels on every neuron of every animal for \(mode.rawValue)", found: "unlabelled neurons")
        }

        // Map each animal's neurons to aligned indices.
        var names: [String] = []
        var indexOf: [[Int?]] = []  // per animal: aligned index → own row (nil when absent)
        switch mode {
        case .byIndex, .automatic:
            let n = animals[0].neuronCount
            if let other = animals.first(where: { $0.neuronCount != n }) {
                throw ParameterError("animals", expected: "equal neuron counts (\(n)) to align by index", found: other.neuronCount)
            }
            names = (0..<n).map { "n\($0)" }
            indexOf = animals.map { _ in (0..<n).map { Optional($0) } }
        case .byLabel, .commonLabels:
            var seen = Set<String>()
            for a in animals { for neuron in a.neurons where seen.insert(neuron.label!).inserted { names.append(neuron.label!) } }
            if mode == .commonLabels {
                let sets = animals.map { Set($0.neurons.map { $0.label! }) }
                names = names.filter { l in sets.allSatisfy { $0.contains(l) } }
            }
            indexOf = animals.map { a in
                var row: [String: Int] = [:]
                for (k, neuron) in a.neurons.enumerated() where row[neuron.label!] == nil { row[neuron.label!] = k }
                return names.map { row[$0] }
            }
        }
        try ParameterError.check(names.count >= 2, "animals", expected: "≥ 2 aligned neurons", found: names.count)

        let windows = animals.map { window.count(frames: $0.frameCount) }.min()!
        try ParameterError.check(windows > 0, "window.length", expected: "≤ every recording's frame count", found: window.length)
        let n = names.count
        let pairs = NeuronPairs(neuronCount: n)
        let w = animals.count
        var values = [Double](repeating: 0, count: windows * w * pairs.count)
        var missing: [Int] = []
        for (a, traces) in animals.enumerated() {
            let rows = (0..<n).compactMap { indexOf[a][$0] }
            let local = try kernel.affinities(traces.selecting(rows).matrix(), window: window)
            // Own pair index for each aligned pair (nil when either neuron is absent).
            var localIndex = [Int](repeating: -1, count: n)
            for (k, aligned) in (0..<n).filter({ indexOf[a][$0] != nil }).enumerated() { localIndex[aligned] = k }
            let localPairs = NeuronPairs(neuronCount: rows.count)
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let p = pairs.index(i, j)
                    if localIndex[i] < 0 || localIndex[j] < 0 {
                        for t in 0..<windows { missing.append((t * w + a) * pairs.count + p) }
                        continue
                    }
                    let q = localPairs.index(localIndex[i], localIndex[j])
                    for t in 0..<windows {
                        let v = local[t, q]
                        guard v >= 0, v.isFinite else {
                            throw ParameterError("kernel \(kernel.name)", expected: "finite affinities ≥ 0", found: v)
                        }
                        values[(t * w + a) * pairs.count + p] = v
                    }
                }
            }
        }
        self.tensor = try ThreeWayTensor(shape: [windows, w, pairs.count], values: values, missing: missing)
        self.neuronNames = names
        self.present = indexOf.map { $0.map { $0 != nil } }
        self.window = window
        self.kernelName = kernel.name
    }
}
