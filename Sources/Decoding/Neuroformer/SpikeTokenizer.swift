import Foundation

/// One spike as a token pair: the neuron and its bin offset from the start of its window.
public struct SpikeToken: Sendable, Hashable {
    public var neuron: Int
    public var offset: Int
    public init(neuron: Int, offset: Int) {
        self.neuron = neuron
        self.offset = offset
    }
}

/// The token sequences of one training sample: the current window as model input and next-token
/// targets, and the past window as context.
public struct TokenizedWindow: Sendable, Equatable {
    /// Bin index one past the end of the current window.
    public var endBin: Int
    /// `currentBlock` input tokens: SOS, spikes, EOS, PAD…; targets are the inputs shifted left by one.
    public var inputIDs: [Int]
    public var inputOffsets: [Int]
    public var targetIDs: [Int]
    public var targetOffsets: [Int]
    /// `pastBlock` tokens of the past window (same layout as the inputs).
    public var pastIDs: [Int]
    public var pastOffsets: [Int]
    /// Spikes in the current and past windows before the blocks cut them (more than `block − 2` means
    /// the earliest ones were dropped).
    public var spikeCount: Int = 0
    public var pastSpikeCount: Int = 0
}

/// Neuroformer's tokenisation (reference `Tokenizer` / `NFDataloader.get_interval`, methods note §A2).
///
/// Each spike of a window becomes (neuron ID, bin offset within the window), listed bin by bin and,
/// inside a bin, by ascending neuron; a count k repeats the token k times. A window of block size T is
/// `[SOS] + the last T − 2 spikes + [EOS]`, padded with PAD to T + 1 tokens; the model reads tokens
/// 0..<T and predicts tokens 1...T. The offset sequence is `[0] + offsets + [EOS_dt]`, padded with
/// PAD_dt. Vocabularies: IDs 0..<N then SOS, EOS, PAD; offsets 0...max(current, past) bins then EOS_dt,
/// PAD_dt (the SOS offset is 0).
public struct SpikeTokenizer: Sendable, Equatable {
    public let neurons: Int
    public let currentBins: Int
    public let pastBins: Int
    public let currentBlock: Int
    public let pastBlock: Int

    public init(neurons: Int, currentBins: Int, pastBins: Int, currentBlock: Int, pastBlock: Int) {
        precondition(neurons > 0 && currentBins > 0 && pastBins > 0 && currentBlock >= 3 && pastBlock >= 3,
                     "SpikeTokenizer: invalid sizes")
        self.neurons = neurons
        self.currentBins = currentBins
        self.pastBins = pastBins
        self.currentBlock = currentBlock
        self.pastBlock = pastBlock
    }

    public var sos: Int { neurons }
    public var eos: Int { neurons + 1 }
    public var pad: Int { neurons + 2 }
    public var idVocabulary: Int { neurons + 3 }
    public var maxOffset: Int { Swift.max(currentBins, pastBins) }
    public var offsetEOS: Int { maxOffset + 1 }
    public var offsetPAD: Int { maxOffset + 2 }
    public var offsetVocabulary: Int { maxOffset + 3 }

    /// The spikes of bins `[first, first + count)` as tokens in (bin, neuron) order.
    public func spikes(in raster: SpikeRaster, firstBin: Int, count: Int) -> [SpikeToken] {
        var tokens: [SpikeToken] = []
        for b in Swift.max(0, firstBin)..<Swift.min(raster.bins, firstBin + count) {
            for n in 0..<raster.neurons {
                let k = raster[b, n]
                for _ in 0..<k { tokens.append(SpikeToken(neuron: n, offset: b - firstBin)) }
            }
        }
        return tokens
    }

    /// `[SOS] + last (block − 2) spikes + [EOS]` padded to `block + 1` tokens (IDs, offsets).
    public func encode(_ spikes: [SpikeToken], block: Int) -> (ids: [Int], offsets: [Int]) {
        let kept = spikes.suffix(block - 2)
        var ids = [sos], offsets = [0]
        ids.reserveCapacity(block + 1)
        offsets.reserveCapacity(block + 1)
        for s in kept {
            ids.append(s.neuron)
            offsets.append(s.offset)
        }
        ids.append(eos)
        offsets.append(offsetEOS)
        while ids.count < block + 1 {
            ids.append(pad)
            offsets.append(offsetPAD)
        }
        return (ids, offsets)
    }

    /// The spikes a token sequence encodes: tokens after SOS up to the first EOS (or the end), skipping
    /// special IDs and offsets. The inverse of `encode` for windows that fit their block.
    public func decode(ids: [Int], offsets: [Int]) -> [SpikeToken] {
        precondition(ids.count == offsets.count, "SpikeTokenizer.decode: \(ids.count) IDs and \(offsets.count) offsets")
        var result: [SpikeToken] = []
        for (k, (id, dt)) in zip(ids, offsets).enumerated() {
            if id == eos { break }
            if k == 0 && id == sos { continue }
            guard id >= 0 && id < neurons, dt >= 0 && dt <= maxOffset else { continue }
            result.append(SpikeToken(neuron: id, offset: dt))
        }
        return result
    }

    /// The training sample whose current window ends at bin `endBin` (exclusive).
    public func window(endingAt endBin: Int, in raster: SpikeRaster) -> TokenizedWindow {
        let currentSpikes = spikes(in: raster, firstBin: endBin - currentBins, count: currentBins)
        let pastSpikes = spikes(in: raster, firstBin: endBin - currentBins - pastBins, count: pastBins)
        let current = encode(currentSpikes, block: currentBlock)
        let past = encode(pastSpikes, block: pastBlock)
        return TokenizedWindow(
            endBin: endBin,
            inputIDs: Array(current.ids[0..<currentBlock]), inputOffsets: Array(current.offsets[0..<currentBlock]),
            targetIDs: Array(current.ids[1...currentBlock]), targetOffsets: Array(current.offsets[1...currentBlock]),
            pastIDs: Array(past.ids[0..<pastBlock]), pastOffsets: Array(past.offsets[0..<pastBlock]),
            spikeCount: currentSpikes.count, pastSpikeCount: pastSpikes.count)
    }

    /// End bins of the non-overlapping current windows that have a full past window inside `bins`.
    public func windowEnds(bins: Range<Int>) -> [Int] {
        let first = bins.lowerBound + pastBins + currentBins
        guard first <= bins.upperBound else { return [] }
        return Array(stride(from: first, through: bins.upperBound, by: currentBins))
    }
}
