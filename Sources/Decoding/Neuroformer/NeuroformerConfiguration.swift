import Foundation

/// Shape of a Neuroformer model and of its tokenisation (Antoniades et al. 2024, ICLR).
///
/// Times are counted in bins of `binWidth` seconds: the current window holds `currentBins` bins and the
/// past window the `pastBins` bins before it. `currentBlock` / `pastBlock` are the token budgets of the
/// two windows (the most recent spikes are kept when a window overflows, as the reference does).
public struct NeuroformerConfiguration: Sendable, Equatable, Codable {
    public var neurons: Int
    public var binWidth: Double
    public var currentBins: Int
    public var pastBins: Int
    public var currentBlock: Int
    public var pastBlock: Int
    public var dimension: Int
    public var heads: Int
    /// Causal self-attention blocks over the current window (the reference's `layers.state`), also used
    /// as the count of final causal blocks (v1.5 ignores `layers.self_att`).
    public var stateLayers: Int
    /// Cross-attention blocks onto the past window (`layers.state_history`).
    public var historyLayers: Int
    /// Cross-attention blocks onto the modality tokens (0 when there is no modality).
    public var modalityLayers: Int
    /// Features per modality token (0: no modality input) and tokens per window.
    public var modalityFeatures: Int
    public var modalityTokens: Int
    /// Behaviour head outputs: 0 none, 1 regression (MSE), ≥ 2 classes (cross-entropy).
    public var behaviourOutputs: Int
    public var behaviourIsClassification: Bool
    public var dropout: Float
    /// Temperature τ of the neural↔modality contrastive term (`clip_temp`).
    public var contrastiveTemperature: Float
    /// Mean and standard deviation used to standardise a regression target (stored with the model).
    public var behaviourMean: Double
    public var behaviourScale: Double
    /// Video frames as optional feature tokens (the "frames of a video"): one grey frame of
    /// `frameHeight × frameWidth` pixels per past and current bin, cut into square patches of side
    /// `framePatch`, each patch a token (nil: no frame stream). Optional so that models saved before
    /// frames existed still load.
    public var frameHeight: Int?
    public var frameWidth: Int?
    public var framePatch: Int?
    /// Cross-attention blocks onto the frame tokens (default 1 when there are frames).
    public var frameLayers: Int?
    /// Pixel standardisation of the frame stream, (v − mean) / scale, fixed at pretraining so that later
    /// videos are scaled as the model saw its training video (nil: pixels used as given).
    public var framePixelMean: Double?
    public var framePixelScale: Double?

    public init(
        neurons: Int, binWidth: Double = 0.01, currentBins: Int = 5, pastBins: Int = 15, currentBlock: Int = 24,
        pastBlock: Int = 48, dimension: Int = 64, heads: Int = 4, stateLayers: Int = 2, historyLayers: Int = 2,
        modalityLayers: Int = 0, modalityFeatures: Int = 0, modalityTokens: Int = 0, behaviourOutputs: Int = 0,
        behaviourIsClassification: Bool = false, dropout: Float = 0.1, contrastiveTemperature: Float = 0.5,
        behaviourMean: Double = 0, behaviourScale: Double = 1, frameHeight: Int? = nil, frameWidth: Int? = nil,
        framePatch: Int? = nil, frameLayers: Int? = nil
    ) {
        self.frameHeight = frameHeight
        self.frameWidth = frameWidth
        self.framePatch = framePatch
        self.frameLayers = frameLayers
        self.neurons = neurons
        self.binWidth = binWidth
        self.currentBins = currentBins
        self.pastBins = pastBins
        self.currentBlock = currentBlock
        self.pastBlock = pastBlock
        self.dimension = dimension
        self.heads = heads
        self.stateLayers = stateLayers
        self.historyLayers = historyLayers
        self.modalityLayers = modalityLayers
        self.modalityFeatures = modalityFeatures
        self.modalityTokens = modalityTokens
        self.behaviourOutputs = behaviourOutputs
        self.behaviourIsClassification = behaviourIsClassification
        self.dropout = dropout
        self.contrastiveTemperature = contrastiveTemperature
        self.behaviourMean = behaviourMean
        self.behaviourScale = behaviourScale
    }

    /// The reduced "mini" configuration of the methods note (§D1): 10 ms bins, 50 / 150 ms windows,
    /// 24 / 48 tokens, d = 64, 4 heads, 2 state + 2 history + 2 final blocks, dropout 0.1.
    public static func mini(neurons: Int) -> NeuroformerConfiguration { NeuroformerConfiguration(neurons: neurons) }

    /// The named presets the CLI accepts.
    public static func preset(_ name: String, neurons: Int) -> NeuroformerConfiguration? {
        switch name {
        case "mini": return .mini(neurons: neurons)
        case "tiny":
            return NeuroformerConfiguration(neurons: neurons, currentBlock: 16, pastBlock: 24, dimension: 32, heads: 2,
                                            stateLayers: 1, historyLayers: 1, dropout: 0)
        default: return nil
        }
    }

    public var tokenizer: SpikeTokenizer {
        SpikeTokenizer(neurons: neurons, currentBins: currentBins, pastBins: pastBins, currentBlock: currentBlock, pastBlock: pastBlock)
    }

    /// Throws a `ParameterError` for shapes the model cannot be built with.
    public func validate() throws {
        try ParameterError.check(neurons >= 1, "neurons", expected: "≥ 1", found: neurons)
        try ParameterError.check(binWidth > 0 && binWidth.isFinite, "binWidth", expected: "a positive number of seconds", found: binWidth)
        try ParameterError.check(currentBins >= 1, "currentBins", expected: "≥ 1", found: currentBins)
        try ParameterError.check(pastBins >= 1, "pastBins", expected: "≥ 1", found: pastBins)
        try ParameterError.check(currentBlock >= 3, "currentBlock", expected: "≥ 3 (SOS, a spike, EOS)", found: currentBlock)
        try ParameterError.check(pastBlock >= 3, "pastBlock", expected: "≥ 3", found: pastBlock)
        try ParameterError.check(dimension >= 2 && dimension % 2 == 0, "dimension", expected: "an even number ≥ 2", found: dimension)
        try ParameterError.check(heads >= 1 && dimension % heads == 0, "heads", expected: "a divisor of dimension \(dimension)", found: heads)
        try ParameterError.check(stateLayers >= 1, "stateLayers", expected: "≥ 1", found: stateLayers)
        try ParameterError.check(historyLayers >= 0, "historyLayers", expected: "≥ 0", found: historyLayers)
        try ParameterError.check(modalityFeatures >= 0 && modalityTokens >= 0, "modality", expected: "non-negative sizes", found: "\(modalityFeatures)×\(modalityTokens)")
        try ParameterError.check((modalityFeatures == 0) == (modalityTokens == 0), "modalityTokens",
                                 expected: "0 exactly when modalityFeatures is 0", found: modalityTokens)
        try ParameterError.check(modalityLayers >= 0, "modalityLayers", expected: "≥ 0", found: modalityLayers)
        try ParameterError.check(behaviourOutputs >= 0 && !(behaviourIsClassification && behaviourOutputs == 1),
                                 "behaviourOutputs", expected: "0, 1 (regression) or ≥ 2 classes", found: behaviourOutputs)
        try ParameterError.check((0..<1).contains(dropout), "dropout", expected: "in [0, 1)", found: dropout)
        try ParameterError.check(contrastiveTemperature > 0, "contrastiveTemperature", expected: "> 0", found: contrastiveTemperature)
        try ParameterError.check(behaviourScale > 0 && behaviourScale.isFinite, "behaviourScale", expected: "> 0", found: behaviourScale)
        if let p = framePatch {
            let h = frameHeight ?? 0, w = frameWidth ?? 0
            try ParameterError.check(p >= 1 && h >= p && w >= p && h % p == 0 && w % p == 0, "framePatch",
                                     expected: "a patch side ≥ 1 dividing the frame size \(h)×\(w)", found: p)
            try ParameterError.check((frameLayers ?? 1) >= 1, "frameLayers", expected: "≥ 1", found: frameLayers ?? 1)
            if let s = framePixelScale { try ParameterError.check(s > 0 && s.isFinite, "framePixelScale", expected: "> 0", found: s) }
        } else {
            try ParameterError.check(frameHeight == nil && frameWidth == nil && frameLayers == nil, "framePatch",
                                     expected: "set whenever the frame size or frame layers are", found: "nil")
        }
    }

    public var hasModality: Bool { modalityFeatures > 0 }

    /// Whether the model has a video-frame stream.
    public var hasFrames: Bool { framePatch != nil }
    /// Pixels per frame (0 without frames).
    public var framePixels: Int { (frameHeight ?? 0) * (frameWidth ?? 0) }
    /// Patches per frame, pixels per patch, and frame tokens per window (one frame per past and current bin).
    public var patchesPerFrame: Int { framePatch.map { ((frameHeight ?? 0) / $0) * ((frameWidth ?? 0) / $0) } ?? 0 }
    public var patchFeatures: Int { framePatch.map { $0 * $0 } ?? 0 }
    public var frameTokens: Int { hasFrames ? (pastBins + currentBins) * patchesPerFrame : 0 }
}
