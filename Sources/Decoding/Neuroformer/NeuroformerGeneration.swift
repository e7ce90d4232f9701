import Foundation

/// Settings of autoregressive spike generation (reference `generate_spikes`, methods note §A6).
public struct NeuroformerGenerationOptions: Sendable {
    /// Softmax temperature of the ID and offset draws.
    public var temperature: Float
    /// Use the recorded past window for every window (`true_past`) instead of the generated spikes.
    public var truePast: Bool
    public var seed: UInt64

    public init(temperature: Float = 1, truePast: Bool = false, seed: UInt64 = 0) {
        self.temperature = temperature
        self.truePast = truePast
        self.seed = seed
    }
}

extension NeuroformerModel {
    /// Free-running generation of `windows` consecutive current windows for each chain.
    ///
    /// Chain k starts with the recorded past before bin `starts[k]` and its modality tokens from
    /// `modalityPerBin` (needed when the model has a modality). Each window starts from [SOS]; the next
    /// ID and offset are drawn from the softmax at the last filled position (the offset restricted to
    /// the current window's bins), until EOS or the block is full. Unless `truePast`, the generated
    /// spikes become the past of later windows. All chains advance together as one batch.
    ///
    /// - Returns: per chain a raster of `windows × currentBins` bins.
    public func generate(
        from raster: SpikeRaster, starts: [Int], windows: Int, modalityPerBin: [Float]? = nil,
        options: NeuroformerGenerationOptions = .init()
    ) throws -> [SpikeRaster] {
        let c = configuration, tok = c.tokenizer, t = c.currentBlock
        try ParameterError.check(options.temperature > 0, "temperature", expected: "> 0", found: options.temperature)
        try ParameterError.check(windows >= 1, "windows", expected: "≥ 1", found: windows)
        guard raster.neurons == c.neurons else {
            throw NeuroformerError.shapeMismatch(what: "spike raster", expected: "\(c.neurons) neurons", found: "\(raster.neurons)")
        }
        for s in starts {
            guard s >= c.pastBins, s + windows * c.currentBins <= raster.bins else {
                throw NeuroformerError.shapeMismatch(
                    what: "generation start", expected: "a bin in \(c.pastBins)...\(raster.bins - windows * c.currentBins)", found: "\(s)")
            }
        }
        if c.hasModality, modalityPerBin?.count != raster.bins * c.modalityFeatures {
            throw NeuroformerError.shapeMismatch(what: "modality", expected: "\(raster.bins * c.modalityFeatures) values", found: "\(modalityPerBin?.count ?? 0)")
        }
        var generator = SeededGenerator(seed: options.seed)
        // Working rasters: the recorded data with each chain's generated windows written over it.
        var working = starts.map { _ in raster }
        for k in starts.indices {
            for b in starts[k]..<(starts[k] + windows * c.currentBins) {
                for n in 0..<c.neurons { working[k].counts[b * c.neurons + n] = 0 }
            }
        }
        let b = starts.count
        let maxCurrentOffset = c.currentBins - 1
        try withNoGrad {
            for w in 0..<windows {
                var batch = NeuroformerBatch(size: b, inputIDs: [], inputOffsets: [], targetIDs: [], targetOffsets: [], pastIDs: [], pastOffsets: [])
                for k in 0..<b {
                    let end = starts[k] + (w + 1) * c.currentBins
                    let pastSource = options.truePast ? raster : working[k]
                    let past = tok.encode(tok.spikes(in: pastSource, firstBin: end - c.currentBins - c.pastBins, count: c.pastBins), block: c.pastBlock)
                    batch.pastIDs += past.ids[0..<c.pastBlock]
                    batch.pastOffsets += past.offsets[0..<c.pastBlock]
                    batch.inputIDs += [tok.sos] + [Int](repeating: tok.pad, count: t - 1)
                    batch.inputOffsets += [0] + [Int](repeating: tok.offsetPAD, count: t - 1)
                    if let m = modalityPerBin, c.hasModality {
                        let f = c.modalityFeatures
                        batch.modality = (batch.modality ?? []) + m[((end - c.modalityTokens) * f)..<(end * f)]
                    }
                }
                var done = [Bool](repeating: false, count: b)
                for position in 0..<(t - 1) {
                    if done.allSatisfy({ $0 }) { break }
                    let out = forward(batch)
                    let li = out.idLogits.storage, ld = out.offsetLogits.storage
                    for k in 0..<b where !done[k] {
                        let row = k * t + position
                        let id = sample(li, row * tok.idVocabulary, count: tok.neurons + 2, excluding: tok.sos, temperature: options.temperature, &generator)
                        if id == tok.eos { done[k] = true; continue }
                        let dt = sample(ld, row * tok.offsetVocabulary, count: maxCurrentOffset + 1, excluding: nil,
                                        temperature: options.temperature, &generator)
                        batch.inputIDs[row + 1] = id
                        batch.inputOffsets[row + 1] = dt
                        let bin = starts[k] + w * c.currentBins + dt
                        working[k].add(bin: bin, neuron: id)
                    }
                }
            }
        }
        return starts.indices.map { k in
            let first = starts[k], count = windows * c.currentBins
            return SpikeRaster(neurons: c.neurons, bins: count, binWidth: raster.binWidth,
                               start: raster.start + Double(first) * raster.binWidth,
                               counts: Array(working[k].counts[(first * c.neurons)..<((first + count) * c.neurons)]))
        }
    }
}

/// A draw from softmax(logits[offset ..< offset + count] / temperature), skipping `excluding`.
private func sample(
    _ logits: [Float], _ offset: Int, count: Int, excluding: Int?, temperature: Float, _ generator: inout SeededGenerator
) -> Int {
    var m = -Float.infinity
    for j in 0..<count where j != excluding { m = max(m, logits[offset + j]) }
    var weights = [Double](repeating: 0, count: count)
    var total = 0.0
    for j in 0..<count where j != excluding {
        weights[j] = Double.exp(Double((logits[offset + j] - m) / temperature))
        total += weights[j]
    }
    var u = generator.nextUnitInterval() * total
    for j in 0..<count where j != excluding {
        u -= weights[j]
        if u < 0 { return j }
    }
    return (0..<count).last { $0 != excluding } ?? 0
}
