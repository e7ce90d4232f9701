import Foundation

/// A mini-batch of tokenised windows, flattened row-major (`[size, block]`).
public struct NeuroformerBatch: Sendable {
    public var size: Int
    public var inputIDs: [Int]
    public var inputOffsets: [Int]
    public var targetIDs: [Int]
    public var targetOffsets: [Int]
    public var pastIDs: [Int]
    public var pastOffsets: [Int]
    /// `[size, modalityTokens, modalityFeatures]`, when the model has a modality stream.
    public var modality: [Float]?
    /// `[size, frameTokens, patchFeatures]`, when the model has a frame stream.
    public var frames: [Float]?
    /// One target per window: a standardised value (regression) or a class index (classification).
    public var behaviour: [Float]?
}

/// The windows of one recording, tokenised once, with their optional modality tokens and behaviour
/// targets.
///
/// Modality tokens are the per-bin features (`features` per bin, e.g. a stimulus or a position) of the
/// past and current windows, one token per bin; the behaviour target of a window is the value at the
/// last bin of its current window (the reference samples behaviour once per 50 ms window).
public struct NeuroformerDataset: Sendable {
    public let configuration: NeuroformerConfiguration
    public let windows: [TokenizedWindow]
    /// Per window: `modalityTokens × modalityFeatures` values.
    public let modality: [[Float]]?
    /// Per window: the raw behaviour target.
    public let behaviour: [Double]?
    /// Per window: `frameTokens × patchFeatures` patch pixels (see `framePatches`).
    public let frames: [[Float]]?

    /// - Parameters:
    ///   - modalityPerBin: `raster.bins × configuration.modalityFeatures` values, bin-major.
    ///   - behaviourPerBin: one value per bin (class index when classifying); NaN marks missing values,
    ///     whose windows are dropped.
    ///   - framesPerBin: `raster.bins × frameHeight × frameWidth` grey values, bin-major then row-major,
    ///     when the configuration has a frame stream.
    public init(
        raster: SpikeRaster, configuration: NeuroformerConfiguration, bins: Range<Int>? = nil,
        modalityPerBin: [Float]? = nil, behaviourPerBin: [Double]? = nil, framesPerBin: [Float]? = nil
    ) throws {
        try configuration.validate()
        guard raster.neurons == configuration.neurons else {
            throw NeuroformerError.shapeMismatch(what: "spike raster", expected: "\(configuration.neurons) neurons", found: "\(raster.neurons)")
        }
        let f = configuration.modalityFeatures
        if f > 0 {
            guard let m = modalityPerBin, m.count == raster.bins * f else {
                throw NeuroformerError.shapeMismatch(
                    what: "modality", expected: "\(raster.bins) bins × \(f) features", found: "\(modalityPerBin?.count ?? 0) values")
            }
            guard configuration.modalityTokens == configuration.pastBins + configuration.currentBins else {
                throw NeuroformerError.shapeMismatch(
                    what: "modality tokens", expected: "one per past and current bin (\(configuration.pastBins + configuration.currentBins))",
                    found: "\(configuration.modalityTokens)")
            }
        }
        if configuration.hasFrames {
            guard let frames = framesPerBin, frames.count == raster.bins * configuration.framePixels else {
                throw NeuroformerError.shapeMismatch(
                    what: "frames", expected: "\(raster.bins) bins × \(configuration.frameHeight ?? 0)×\(configuration.frameWidth ?? 0) pixels",
                    found: "\(framesPerBin?.count ?? 0) values")
            }
        }
        if configuration.behaviourOutputs > 0 {
            guard let b = behaviourPerBin, b.count == raster.bins else {
                throw NeuroformerError.shapeMismatch(what: "behaviour", expected: "\(raster.bins) values", found: "\(behaviourPerBin?.count ?? 0)")
            }
            if configuration.behaviourIsClassification,
               let bad = b.first(where: { $0.isFinite && ($0 != $0.rounded() || $0 < 0 || $0 >= Double(configuration.behaviourOutputs)) }) {
                throw NeuroformerError.shapeMismatch(
                    what: "behaviour classes", expected: "integers in 0..<\(configuration.behaviourOutputs)", found: "\(bad)")
            }
        }
        let tokenizer = configuration.tokenizer
        var ends = tokenizer.windowEnds(bins: bins ?? 0..<raster.bins)
        if configuration.behaviourOutputs > 0, let b = behaviourPerBin { ends = ends.filter { b[$0 - 1].isFinite } }
        self.configuration = configuration
        windows = ends.map { tokenizer.window(endingAt: $0, in: raster) }
        if f > 0, let m = modalityPerBin {
            let span = configuration.modalityTokens
            modality = ends.map { e in Array(m[((e - span) * f)..<(e * f)]) }
        } else {
            modality = nil
        }
        behaviour = configuration.behaviourOutputs > 0 ? ends.map { behaviourPerBin![$0 - 1] } : nil
        if configuration.hasFrames, let framesPerBin {
            frames = ends.map { Self.framePatches(framesPerBin, endingAt: $0, configuration: configuration) }
        } else {
            frames = nil
        }
    }

    /// The frame tokens of the window whose current part ends at bin `end`: the frames of the past and
    /// current bins in time order, each cut into `framePatch`-square patches in row-major patch order,
    /// a patch's pixels row-major (`frameTokens × patchFeatures` values). This is the patch embedding's
    /// input, the CPU-sized stand-in for the reference's Conv3d stem (kernel = stride, so a Conv3d with
    /// a temporal kernel of 1 is exactly a Linear on these patches).
    public static func framePatches(_ framesPerBin: [Float], endingAt end: Int, configuration c: NeuroformerConfiguration) -> [Float] {
        guard let p = c.framePatch, let h = c.frameHeight, let w = c.frameWidth else { return [] }
        let span = c.pastBins + c.currentBins, pixels = h * w
        var out = [Float](); out.reserveCapacity(c.frameTokens * c.patchFeatures)
        for bin in (end - span)..<end {
            let frame = bin * pixels
            for py in stride(from: 0, to: h, by: p) {
                for px in stride(from: 0, to: w, by: p) {
                    for y in py..<(py + p) { out += framesPerBin[(frame + y * w + px)..<(frame + y * w + px + p)] }
                }
            }
        }
        if c.framePixelMean != nil || c.framePixelScale != nil {
            let mean = Float(c.framePixelMean ?? 0), inverse = Float(1 / (c.framePixelScale ?? 1))
            for k in out.indices { out[k] = (out[k] - mean) * inverse }
        }
        return out
    }

    public var count: Int { windows.count }

    /// Fractions of the windows `samples` whose current / past window holds more spikes than its block
    /// (`block − 2`): those lose their earliest spikes, and a model trained on many of them learns that
    /// busy windows start late and end after `block − 2` spikes, so it generates too few spikes there.
    public func truncatedWindows(_ samples: [Int]) -> (current: Double, past: Double) {
        guard !samples.isEmpty else { return (0, 0) }
        var current = 0, past = 0
        for i in samples {
            let w = windows[i]
            if w.spikeCount > configuration.currentBlock - 2 { current += 1 }
            if w.pastSpikeCount > configuration.pastBlock - 2 { past += 1 }
        }
        return (Double(current) / Double(samples.count), Double(past) / Double(samples.count))
    }

    public func batch(_ indices: [Int]) -> NeuroformerBatch {
        let c = configuration
        var batch = NeuroformerBatch(size: indices.count, inputIDs: [], inputOffsets: [], targetIDs: [], targetOffsets: [],
                                     pastIDs: [], pastOffsets: [])
        for i in indices {
            let w = windows[i]
            batch.inputIDs += w.inputIDs
            batch.inputOffsets += w.inputOffsets
            batch.targetIDs += w.targetIDs
            batch.targetOffsets += w.targetOffsets
            batch.pastIDs += w.pastIDs
            batch.pastOffsets += w.pastOffsets
        }
        if let modality { batch.modality = indices.flatMap { modality[$0] } }
        if let frames { batch.frames = indices.flatMap { frames[$0] } }
        if let behaviour {
            batch.behaviour = indices.map { i in
                c.behaviourIsClassification ? Float(behaviour[i]) : Float((behaviour[i] - c.behaviourMean) / c.behaviourScale)
            }
        }
        return batch
    }
}

/// Errors from Neuroformer data, checkpoints and settings.
public enum NeuroformerError: Error, Sendable, Equatable, CustomStringConvertible {
    case shapeMismatch(what: String, expected: String, found: String)
    case notANeuroformerCheckpoint(file: String, reason: String)
    case tooFewWindows(needed: Int, found: Int)

    public var description: String {
        switch self {
        case .shapeMismatch(let what, let expected, let found): return "\(what): expected \(expected), found \(found)"
        case .notANeuroformerCheckpoint(let file, let reason): return "\(file): not a Neuroformer model (\(reason))"
        case .tooFewWindows(let needed, let found): return "need at least \(needed) windows, found \(found)"
        }
    }
}
