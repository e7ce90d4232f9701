import Foundation

/// Settings of autoregressive spike generation (reference `generate_spikes`, methods note §A6).
public struct NeuroformerGenerationOptions: Sendable {
    /// Softmax temperature of the ID and offset draws.
    public var temperature: Float
    /// Use the recorded past window for every window (`true_past`) instead of the generated spikes.
    public var truePast: Bool
    public var seed: UInt64
    /// Top-k sampling: draw only among the `topK` most probable tokens (nil: all).
    public var topK: Int?
    /// Nucleus (top-p) sampling: draw only among the most probable tokens whose probabilities first sum
    /// to at least `topP` (nil: all). Applied after `topK`, as in the reference's `top_k_top_p_filtering`.
    public var topP: Double?

    public init(temperature: Float = 1, truePast: Bool = false, seed: UInt64 = 0, topK: Int? = nil, topP: Double? = nil) {
        self.temperature = temperature
        self.truePast = truePast
        self.seed = seed
        self.topK = topK
        self.topP = topP
    }

    public func validate() throws {
        try ParameterError.check(temperature > 0, "temperature", expected: "> 0", found: temperature)
        if let topK { try ParameterError.check(topK >= 1, "topK", expected: "≥ 1", found: topK) }
        if let topP { try ParameterError.check(topP > 0 && topP <= 1, "topP", expected: "in (0, 1]", found: topP) }
    }
}

extension NeuroformerModel {
    /// Free-running generation of `windows` consecutive current windows for each chain.
    ///
    /// Chain k starts with the recorded past before bin `starts[k]` and its modality tokens from
    /// `modalityPerBin` (needed when the model has a modality) and frames from `framesPerBin` (needed
    /// when it has a frame stream). Each window starts from [SOS]; the next
    /// ID and offset are drawn from the softmax at the last filled position (the offset restricted to
    /// the current window's bins), until EOS or the block is full. Unless `truePast`, the generated
    /// spikes become the past of later windows. All chains advance together as one batch.
    ///
    /// - Returns: per chain a raster of `windows × currentBins` bins.
    public func generate(
        from raster: SpikeRaster, starts: [Int], windows: Int, modalityPerBin: [Float]? = nil,
        framesPerBin: [Float]? = nil, options: NeuroformerGenerationOptions = .init()
    ) throws -> [SpikeRaster] {
        let c = configuration, tok = c.tokenizer, t = c.currentBlock
        try options.validate()
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
        if c.hasFrames, framesPerBin?.count != raster.bins * c.framePixels {
            throw NeuroformerError.shapeMismatch(what: "frames", expected: "\(raster.bins * c.framePixels) values", found: "\(framesPerBin?.count ?? 0)")
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
                    if let frames = framesPerBin, c.hasFrames {
                        batch.frames = (batch.frames ?? []) + NeuroformerDataset.framePatches(frames, endingAt: end, configuration: c)
                    }
                }
                var done = [Bool](repeating: false, count: b)
                for position in 0..<(t - 1) {
                    if done.allSatisfy({ $0 }) { break }
                    let out = forward(batch)
                    let li = out.idLogits.storage, ld = out.offsetLogits.storage
                    for k in 0..<b where !done[k] {
                        let row = k * t + position
                        let id = sampleToken(li, row * tok.idVocabulary, count: tok.neurons + 2, excluding: tok.sos, options: options, &generator)
                        if id == tok.eos { done[k] = true; continue }
                        let dt = sampleToken(ld, row * tok.offsetVocabulary, count: maxCurrentOffset + 1, excluding: nil,
                                             options: options, &generator)
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

/// A draw from softmax(logits[offset ..< offset + count] / temperature), skipping `excluding`, restricted
/// to the `topK` most probable tokens and then to the smallest most-probable set whose probability
/// reaches `topP` (ties broken by the lower index, so the restriction is deterministic).
func sampleToken(
    _ logits: [Float], _ offset: Int, count: Int, excluding: Int?, options: NeuroformerGenerationOptions,
    _ generator: inout SeededGenerator
) -> Int {
    var m = -Float.infinity
    for j in 0..<count where j != excluding { m = max(m, logits[offset + j]) }
    var weights = [Double](repeating: 0, count: count)
    var total = 0.0
    for j in 0..<count where j != excluding {
        weights[j] = Double.exp(Double((logits[offset + j] - m) / options.temperature))
        total += weights[j]
    }
    if options.topK != nil || options.topP != nil {
        let order = (0..<count).filter { $0 != excluding }.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 < $1) }
        var keep = min(options.topK ?? order.count, order.count)
        if let p = options.topP {
            var cumulative = 0.0
            for (rank, j) in order.prefix(keep).enumerated() {
                cumulative += weights[j] / total
                if cumulative >= p { keep = rank + 1; break }
            }
        }
        total = 0
        for (rank, j) in order.enumerated() {
            if rank >= keep { weights[j] = 0 } else { total += weights[j] }
        }
    }
    var u = generator.nextUnitInterval() * total
    for j in 0..<count where j != excluding && weights[j] > 0 {
        u -= weights[j]
        if u < 0 { return j }
    }
    return (0..<count).last { $0 != excluding && weights[$0] > 0 } ?? 0
}
