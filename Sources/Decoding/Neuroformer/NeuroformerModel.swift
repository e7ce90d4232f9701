import Foundation

/// What one forward pass produces.
public struct NeuroformerOutput {
    /// `[b, T, idVocabulary]` and `[b, T, offsetVocabulary]`: next-token logits at every position.
    public let idLogits: Tensor
    public let offsetLogits: Tensor
    /// `[b, d]`: the final features averaged over positions (padding included, as in the reference).
    public let pooled: Tensor
    /// `[b, d]`: the embedded modality tokens averaged over tokens, when there is a modality.
    public let modalityPooled: Tensor?
    /// `[b, outputs]`: behaviour predictions, when the model has a behaviour head.
    public let behaviour: Tensor?
    /// Per past cross-attention block: weights `[b, heads, T, T_past]`.
    public let pastAttention: [Tensor]
}

/// A Neuroformer (Antoniades et al. 2024): a GPT-style spike-token decoder that cross-attends to the
/// past window and to other modalities (methods note §A3–A5).
///
/// Token embedding e_k = E_id[x_k] + PE_sin(τ_k) + p_k (ID table shared between current and past
/// tokens, sinusoidal code of the offset index, separate learned position tables initialised at 0),
/// then dropout. Current tokens pass `stateLayers` causal self-attention blocks, `historyLayers`
/// cross-attention blocks onto the raw past embeddings, `modalityLayers` cross-attention blocks onto the
/// modality tokens, and `stateLayers` final causal blocks; two bias-free heads give the next neuron ID
/// and offset. The contrastive term projects pooled neural and modality features through one shared
/// bias-free Linear; the behaviour head reads the pooled features.
///
/// Deviation: a modality token is embedded as Linear → GELU → Linear → LayerNorm. The reference's
/// ProjectNorm puts the LayerNorm first, which over a single scalar feature outputs a constant.
public struct NeuroformerModel: Layer {
    public let configuration: NeuroformerConfiguration
    public let idEmbedding: Embedding
    public let currentPosition: LearnedPositionalEncoding
    public let pastPosition: LearnedPositionalEncoding
    /// Fixed sinusoidal codes of the offset tokens `[offsetVocabulary, d]`.
    public let offsetTable: Tensor
    public let stateBlocks: [NeuroformerBlock]
    public let historyBlocks: [NeuroformerBlock]
    public let modalityIn: Linear?
    public let modalityOut: Linear?
    public let modalityNorm: LayerNorm?
    public let modalityPosition: Tensor?
    public let modalityBlocks: [NeuroformerBlock]
    public let finalBlocks: [NeuroformerBlock]
    public let idHead: Linear
    public let offsetHead: Linear
    public let contrastiveProjection: Linear?
    public let behaviourHead: Linear?
    /// Video-frame stream: patch embedding Linear(p² → d) → LayerNorm → ReLU (the reference's Conv3d stem
    /// → LayerNorm → ReLU, with kernel = stride), plus a sinusoidal code of the token index (the
    /// reference computes one and then drops it; here frames keep their place in time and space), attended
    /// by `frameLayers` cross-attention blocks of their own, between the past-window and modality blocks
    /// as in the reference's order.
    public let framePatchEmbedding: Linear?
    public let frameNorm: LayerNorm?
    public let framePosition: Tensor?
    public let frameBlocks: [NeuroformerBlock]

    public init(configuration c: NeuroformerConfiguration, seed: UInt64) throws {
        try c.validate()
        configuration = c
        var g = SeededGenerator(seed: seed)
        let tok = c.tokenizer, d = c.dimension
        // GPT-2 initialisation scale for the ID table (the reference's _init_weights: N(0, 0.02)).
        idEmbedding = Embedding(weight: Tensor.randomNormal([tok.idVocabulary, d], std: 0.02, generator: &g, requiresGrad: true))
        currentPosition = LearnedPositionalEncoding(weight: Tensor.zeros([c.currentBlock, d], requiresGrad: true))
        pastPosition = LearnedPositionalEncoding(weight: Tensor.zeros([c.pastBlock, d], requiresGrad: true))
        offsetTable = SinusoidalPositionalEncoding(dimension: d, maxLength: tok.offsetVocabulary).table
        stateBlocks = (0..<c.stateLayers).map { _ in NeuroformerBlock(dimension: d, heads: c.heads, dropout: c.dropout, generator: &g) }
        historyBlocks = (0..<c.historyLayers).map { _ in NeuroformerBlock(dimension: d, heads: c.heads, dropout: c.dropout, generator: &g) }
        if c.hasModality {
            modalityIn = Linear(inFeatures: c.modalityFeatures, outFeatures: d, generator: &g)
            modalityOut = Linear(inFeatures: d, outFeatures: d, generator: &g)
            modalityNorm = LayerNorm(dimension: d)
            modalityPosition = SinusoidalPositionalEncoding(dimension: d, maxLength: c.modalityTokens).table
            modalityBlocks = (0..<c.modalityLayers).map { _ in NeuroformerBlock(dimension: d, heads: c.heads, dropout: c.dropout, generator: &g) }
            contrastiveProjection = Linear(inFeatures: d, outFeatures: d, bias: false, generator: &g)
        } else {
            modalityIn = nil; modalityOut = nil; modalityNorm = nil; modalityPosition = nil
            modalityBlocks = []
            contrastiveProjection = nil
        }
        finalBlocks = (0..<c.stateLayers).map { _ in NeuroformerBlock(dimension: d, heads: c.heads, dropout: c.dropout, generator: &g) }
        idHead = Linear(inFeatures: d, outFeatures: tok.idVocabulary, bias: false, generator: &g)
        offsetHead = Linear(inFeatures: d, outFeatures: tok.offsetVocabulary, bias: false, generator: &g)
        behaviourHead = c.behaviourOutputs > 0 ? Linear(inFeatures: d, outFeatures: c.behaviourOutputs, generator: &g) : nil
        // Created last so that models without frames draw the same initial weights as before.
        if c.hasFrames {
            framePatchEmbedding = Linear(inFeatures: c.patchFeatures, outFeatures: d, generator: &g)
            frameNorm = LayerNorm(dimension: d)
            framePosition = SinusoidalPositionalEncoding(dimension: d, maxLength: c.frameTokens).table
            frameBlocks = (0..<(c.frameLayers ?? 1)).map { _ in NeuroformerBlock(dimension: d, heads: c.heads, dropout: c.dropout, generator: &g) }
        } else {
            framePatchEmbedding = nil; frameNorm = nil; framePosition = nil; frameBlocks = []
        }
    }

    /// The same network with a fresh behaviour head of `outputs` outputs (for fine-tuning a pretrained
    /// model on a new target); every other parameter tensor is shared.
    public func replacingBehaviourHead(outputs: Int, classification: Bool, mean: Double, scale: Double, seed: UInt64) throws -> NeuroformerModel {
        var c = configuration
        c.behaviourOutputs = outputs
        c.behaviourIsClassification = classification
        c.behaviourMean = mean
        c.behaviourScale = scale
        try c.validate()
        var g = SeededGenerator(seed: seed)
        return NeuroformerModel(copying: self, configuration: c,
                                behaviourHead: outputs > 0 ? Linear(inFeatures: c.dimension, outFeatures: outputs, generator: &g) : nil)
    }

    private init(copying m: NeuroformerModel, configuration: NeuroformerConfiguration, behaviourHead: Linear?) {
        self.configuration = configuration
        idEmbedding = m.idEmbedding; currentPosition = m.currentPosition; pastPosition = m.pastPosition
        offsetTable = m.offsetTable; stateBlocks = m.stateBlocks; historyBlocks = m.historyBlocks
        modalityIn = m.modalityIn; modalityOut = m.modalityOut; modalityNorm = m.modalityNorm
        modalityPosition = m.modalityPosition; modalityBlocks = m.modalityBlocks; finalBlocks = m.finalBlocks
        idHead = m.idHead; offsetHead = m.offsetHead; contrastiveProjection = m.contrastiveProjection
        framePatchEmbedding = m.framePatchEmbedding; frameNorm = m.frameNorm; framePosition = m.framePosition
        frameBlocks = m.frameBlocks
        self.behaviourHead = behaviourHead
    }

    /// The forward pass on a batch (dropout when `training` is non-nil).
    public func forward(_ batch: NeuroformerBatch, training: TrainingContext? = nil) -> NeuroformerOutput {
        let c = configuration, b = batch.size, t = c.currentBlock, tp = c.pastBlock
        precondition(batch.inputIDs.count == b * t && batch.pastIDs.count == b * tp, "NeuroformerModel: batch does not fit the blocks")
        var x = currentPosition(idEmbedding(batch.inputIDs, shape: [b, t]) + offsetTable.embeddingLookup(batch.inputOffsets, shape: [b, t]))
        x = x.dropout(c.dropout, training: training)
        var past = pastPosition(idEmbedding(batch.pastIDs, shape: [b, tp]) + offsetTable.embeddingLookup(batch.pastOffsets, shape: [b, tp]))
        past = past.dropout(c.dropout, training: training)
        for block in stateBlocks { x = block.forward(x, causal: true, training: training).output }
        var attention: [Tensor] = []
        for block in historyBlocks {
            let r = block.forward(x, keyValue: past, training: training)
            x = r.output
            attention.append(r.attention)
        }
        if let framePatchEmbedding, let frameNorm, let framePosition {
            guard let frames = batch.frames else { preconditionFailure("NeuroformerModel: the model needs frame tokens") }
            let patches = Tensor(frames, shape: [b, c.frameTokens, c.patchFeatures])
            let tokens = frameNorm(framePatchEmbedding(patches)).relu() + framePosition
            for block in frameBlocks { x = block.forward(x, keyValue: tokens, training: training).output }
        }
        var modalityPooled: Tensor?
        if let modalityIn, let modalityOut, let modalityNorm, let modalityPosition {
            guard let values = batch.modality else { preconditionFailure("NeuroformerModel: the model needs modality tokens") }
            let m = Tensor(values, shape: [b, c.modalityTokens, c.modalityFeatures])
            let tokens = modalityNorm(modalityOut(modalityIn(m).gelu())) + modalityPosition
            for block in modalityBlocks { x = block.forward(x, keyValue: tokens, training: training).output }
            modalityPooled = tokens.mean(axis: 1)
        }
        for block in finalBlocks { x = block.forward(x, causal: true, training: training).output }
        let pooled = x.mean(axis: 1)
        return NeuroformerOutput(
            idLogits: idHead(x), offsetLogits: offsetHead(x), pooled: pooled, modalityPooled: modalityPooled,
            behaviour: behaviourHead.map { $0(pooled) }, pastAttention: attention)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var p = Self.prefixed("idEmbedding", idEmbedding) + Self.prefixed("currentPosition", currentPosition)
            + Self.prefixed("pastPosition", pastPosition)
        for (i, blk) in stateBlocks.enumerated() { p += Self.prefixed("state.\(i)", blk) }
        for (i, blk) in historyBlocks.enumerated() { p += Self.prefixed("history.\(i)", blk) }
        if let modalityIn, let modalityOut, let modalityNorm {
            p += Self.prefixed("modalityIn", modalityIn) + Self.prefixed("modalityOut", modalityOut) + Self.prefixed("modalityNorm", modalityNorm)
        }
        for (i, blk) in modalityBlocks.enumerated() { p += Self.prefixed("modality.\(i)", blk) }
        if let framePatchEmbedding, let frameNorm {
            p += Self.prefixed("framePatch", framePatchEmbedding) + Self.prefixed("frameNorm", frameNorm)
        }
        for (i, blk) in frameBlocks.enumerated() { p += Self.prefixed("frame.\(i)", blk) }
        for (i, blk) in finalBlocks.enumerated() { p += Self.prefixed("final.\(i)", blk) }
        p += Self.prefixed("idHead", idHead) + Self.prefixed("offsetHead", offsetHead)
        if let contrastiveProjection { p += Self.prefixed("contrastiveProjection", contrastiveProjection) }
        if let behaviourHead { p += Self.prefixed("behaviourHead", behaviourHead) }
        return p
    }

    /// The parameters AdamW decays: Linear weights only (not biases, norms, embeddings or positions).
    public var decayedParameters: [Tensor] {
        namedParameters.filter { $0.tensor.rank == 2 && !$0.name.hasPrefix("idEmbedding") && !$0.name.hasSuffix("Position.weight") }.map(\.tensor)
    }
}
