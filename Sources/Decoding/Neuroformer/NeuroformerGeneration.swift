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
    /// How each spike's (ID, offset) pair is drawn from the two heads.
    public var tokenSampling: NeuroformerTokenSampling

    public init(
        temperature: Float = 1, truePast: Bool = false, seed: UInt64 = 0, topK: Int? = nil, topP: Double? = nil,
        tokenSampling: NeuroformerTokenSampling = .independent
    ) {
        self.temperature = temperature
        self.truePast = truePast
        self.seed = seed
        self.topK = topK
        self.topP = topP
        self.tokenSampling = tokenSampling
    }

    public func validate() throws {
        try ParameterError.check(temperature > 0, "temperature", expected: "> 0", found: temperature)
        if let topK { try ParameterError.check(topK >= 1, "topK", expected: "≥ 1", found: topK) }
        if let topP { try ParameterError.check(topP > 0 && topP <= 1, "topP", expected: "in (0, 1]", found: topP) }
    }
}

/// How generation draws a spike's (neuron ID, offset) pair. The two heads predict the next ID and the
/// next offset separately from the same position, so their product can put mass on pairs the tokeniser
/// never emits: a spike in an earlier bin than the previous one, or a lower neuron in the same bin.
public enum NeuroformerTokenSampling: String, Sendable, CaseIterable, Codable {
    /// ID then offset, independently (the reference's `generate_spikes`; the default): sequences can
    /// step back in time.
    case independent
    /// ID from the ID head, then the offset from the offset head restricted to continuations of the
    /// tokeniser's order (after the previous offset, or the same offset for a neuron ≥ the previous one),
    /// so every generated window is a sequence the model could have been trained on. Measured on the
    /// simulator it generates about a third fewer spikes: the offset head of a briefly trained model
    /// still puts mass before the previous offset, and moving that mass later runs the window's clock
    /// fast, so EOS comes early. Kept as a diagnostic, not as the default.
    case ordered
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
        try generateWithTokens(from: raster, starts: starts, windows: windows, modalityPerBin: modalityPerBin,
                               framesPerBin: framesPerBin, options: options).rasters
    }

    /// `generate`, also returning each chain's generated token sequences window by window, in draw order.
    func generateWithTokens(
        from raster: SpikeRaster, starts: [Int], windows: Int, modalityPerBin: [Float]? = nil,
        framesPerBin: [Float]? = nil, options: NeuroformerGenerationOptions = .init()
    ) throws -> (rasters: [SpikeRaster], tokens: [[[SpikeToken]]]) {
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
        var tokens = [[[SpikeToken]]](repeating: [], count: b)
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
                var previous = [SpikeToken?](repeating: nil, count: b)
                for k in 0..<b { tokens[k].append([]) }
                for position in 0..<(t - 1) {
                    if done.allSatisfy({ $0 }) { break }
                    let out = forward(batch)
                    let li = out.idLogits.storage, ld = out.offsetLogits.storage
                    for k in 0..<b where !done[k] {
                        let row = k * t + position
                        let id: Int, dt: Int
                        switch options.tokenSampling {
                        case .independent:
                            id = sampleToken(li, row * tok.idVocabulary, count: tok.neurons + 2, excluding: tok.sos, options: options, &generator)
                            dt = id == tok.eos ? 0 : sampleToken(ld, row * tok.offsetVocabulary, count: maxCurrentOffset + 1, excluding: nil,
                                                                 options: options, &generator)
                        case .ordered:
                            (id, dt) = sampleOrderedToken(li, row * tok.idVocabulary, ld, row * tok.offsetVocabulary, neurons: tok.neurons,
                                                          offsets: maxCurrentOffset + 1, after: previous[k], options: options, &generator)
                        }
                        if id == tok.eos { done[k] = true; continue }
                        previous[k] = SpikeToken(neuron: id, offset: dt)
                        tokens[k][w].append(SpikeToken(neuron: id, offset: dt))
                        batch.inputIDs[row + 1] = id
                        batch.inputOffsets[row + 1] = dt
                        let bin = starts[k] + w * c.currentBins + dt
                        working[k].add(bin: bin, neuron: id)
                    }
                }
            }
        }
        let rasters = starts.indices.map { k in
            let first = starts[k], count = windows * c.currentBins
            return SpikeRaster(neurons: c.neurons, bins: count, binWidth: raster.binWidth,
                               start: raster.start + Double(first) * raster.binWidth,
                               counts: Array(working[k].counts[(first * c.neurons)..<((first + count) * c.neurons)]))
        }
        return (rasters, tokens)
    }
}

/// A draw from softmax(logits[offset ..< offset + count] / temperature), skipping `excluding`, restricted
/// to the `topK` most probable tokens and then to the smallest most-probable set whose probability
/// reaches `topP` (ties broken by the lower index, so the restriction is deterministic).
func sampleToken(
    _ logits: [Float], _ offset: Int, count: Int, excluding: Int?, options: NeuroformerGenerationOptions,
    _ generator: inout SeededGenerator
) -> Int {
    let (weights, total) = filteredWeights(logits, offset, count: count, excluding: excluding, options: options)
    var u = generator.nextUnitInterval() * total
    for j in 0..<count where j != excluding && weights[j] > 0 {
        u -= weights[j]
        if u < 0 { return j }
    }
    return (0..<count).last { $0 != excluding && weights[$0] > 0 } ?? 0
}

/// Unnormalised softmax weights of `logits[offset ..< offset + count]` at the options' temperature, with
/// `excluding` at 0 and the top-k / top-p restriction applied; and their sum.
func filteredWeights(
    _ logits: [Float], _ offset: Int, count: Int, excluding: Int?, options: NeuroformerGenerationOptions
) -> (weights: [Double], total: Double) {
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
    return (weights, total)
}

/// A (neuron, offset) draw for `.ordered` sampling, or `(EOS, 0)`. The ID comes first, from the ID head
/// as it is (so the chance that the window ends, p_id(EOS), is the model's own), leaving out only the
/// neurons that cannot follow `previous` (a lower neuron when the previous spike is in the last bin);
/// the offset then comes from the offset head restricted to the bins that keep the (bin, neuron) order:
/// after the previous offset, or equal to it when the neuron is not lower. `idLogits` cover neurons
/// 0..<neurons, then SOS (never drawn) and EOS; `offsetLogits` the current window's offsets 0..<offsets.
/// Each head is filtered (temperature, top-k, top-p) on its own first.
///
/// Truncating the product p_id · p_dt to the allowed pairs instead would renormalise the dropped mass
/// onto EOS as well and end windows early: generated rates fell by about 40 % that way.
func sampleOrderedToken(
    _ idLogits: [Float], _ idOffset: Int, _ offsetLogits: [Float], _ offsetOffset: Int, neurons: Int, offsets: Int,
    after previous: SpikeToken?, options: NeuroformerGenerationOptions, _ generator: inout SeededGenerator
) -> (id: Int, offset: Int) {
    let eos = neurons + 1
    let lastOffset = previous?.offset ?? 0, lastNeuron = previous?.neuron ?? 0
    var (pid, idTotal) = filteredWeights(idLogits, idOffset, count: neurons + 2, excluding: neurons, options: options)
    if lastOffset >= offsets - 1 {
        for n in 0..<min(lastNeuron, neurons) { idTotal -= pid[n]; pid[n] = 0 }
    }
    guard idTotal > 0 else { return (eos, 0) }
    var u = generator.nextUnitInterval() * idTotal
    var id = eos
    for j in 0..<(neurons + 2) where pid[j] > 0 {
        u -= pid[j]
        id = j
        if u < 0 { break }
    }
    if id == eos { return (eos, 0) }
    let earliest = id >= lastNeuron ? lastOffset : lastOffset + 1
    let (pdt, _) = filteredWeights(offsetLogits, offsetOffset, count: offsets, excluding: nil, options: options)
    var weights = (0..<offsets).map { $0 >= earliest ? pdt[$0] : 0 }
    var total = weights.reduce(0, +)
    if total <= 0 {
        // Top-k / top-p removed every allowed bin: fall back to the unfiltered head on those bins.
        let (raw, _) = filteredWeights(offsetLogits, offsetOffset, count: offsets, excluding: nil,
                                       options: NeuroformerGenerationOptions(temperature: options.temperature))
        weights = (0..<offsets).map { $0 >= earliest ? raw[$0] : 0 }
        total = weights.reduce(0, +)
    }
    var v = generator.nextUnitInterval() * total
    for tau in earliest..<offsets where weights[tau] > 0 {
        v -= weights[tau]
        if v < 0 { return (id, tau) }
    }
    return (id, (earliest..<offsets).last { weights[$0] > 0 } ?? offsets - 1)
}
