import NeuralNet
import NeuroCore
import RealModule

/// What one stage-1 forward pass produced.
public struct DuINVQVAEOutput {
    /// `[batch, channels, samples]`.
    public let reconstruction: Tensor
    /// Channel-masked mean squared reconstruction error.
    public let reconstructionLoss: Tensor
    /// MSE of the predicted against the standardised log-amplitude spectra of the patches, already
    /// multiplied by `spectralWeight` (nil when the configuration has no spectral target).
    public let spectralLoss: Tensor?
    public let quantizer: VectorQuantizerOutput
    /// Reconstruction (+ weighted spectral reconstruction) + commitment.
    public var loss: Tensor {
        let base = reconstructionLoss + quantizer.commitmentLoss
        return spectralLoss.map { base + $0 } ?? base
    }
}

/// Stage 1, the Du-IN VQ-VAE ("neural tokenizer"): encoder → u = ℓ2norm(W₂ tanh(W₁h)) → cosine codebook
/// (straight-through) → LayerNorm → Linear → regressor transformer → a stack of transposed
/// convolutions without activations back to M · patch samples of S features (the reference's
/// `TimeRGSHead`; `DuINConfiguration.decoderStack`) → Linear(S → S) → per-subject de-mix to the C channels.
///
/// `decoderHead = .linear` replaces the stack with a per-token linear map to the token's own patch
/// (this port's head before session 7, kept so that its checkpoints load).
/// With `spectralWeight` set (Du-IN-mini) a second per-token head also reconstructs each patch's
/// log-amplitude spectrum, so that the codes describe band power (high gamma), not only the waveform.
public struct DuINVQVAE: Layer {
    public let configuration: DuINConfiguration
    public let encoder: DuINEncoder
    public let preProjection: Linear
    public let codeProjection: Linear
    public let quantizer: CosineVectorQuantizer
    public let postNorm: LayerNorm
    public let postProjection: Linear
    public let regressor: DuINTransformer
    /// Per-token Linear(d → patch · S) when `decoderHead` is `.linear`.
    public let head: Linear?
    /// The transposed-convolution stack when `decoderHead` is `.transposedConvolution`.
    public let upsampler: [ConvTranspose1d]
    public let mix: Linear
    public let demix: [Linear]
    /// Per-token Linear(d → C · bins) predicting each patch's log-amplitude spectrum per channel, when
    /// `configuration.spectralWeight` is set.
    public let spectralHead: Linear?

    public init(configuration c: DuINConfiguration, generator: inout SeededGenerator) {
        configuration = c
        let d = c.modelDimension
        encoder = DuINEncoder(configuration: c, generator: &generator)
        preProjection = Linear(inFeatures: d, outFeatures: d, generator: &generator)
        codeProjection = Linear(inFeatures: d, outFeatures: c.codeDimension, generator: &generator)
        quantizer = CosineVectorQuantizer(
            codes: c.codes, dimension: c.codeDimension, commitmentCost: c.commitmentCost, decay: c.codebookDecay,
            deadCodeThreshold: c.deadCodeThreshold, generator: &generator)
        postNorm = LayerNorm(dimension: c.codeDimension)
        postProjection = Linear(inFeatures: c.codeDimension, outFeatures: d, generator: &generator)
        regressor = DuINTransformer(configuration: c, layers: c.decoderLayers, maxTokens: DuINEncoder.maxTokens, generator: &generator)
        if (c.decoderHead ?? .linear) == .linear {
            head = Linear(inFeatures: d, outFeatures: c.patchLength * c.spatialDimension, generator: &generator)
            upsampler = []
        } else {
            head = nil
            let width = c.decoderChannels ?? 64
            let widths = [d, width, width, c.spatialDimension]
            upsampler = c.decoderStack.enumerated().map { i, l in
                ConvTranspose1d(inChannels: widths[i], outChannels: widths[i + 1], kernelSize: l.kernel, stride: l.stride, padding: l.padding,
                                outputPadding: l.outputPadding, generator: &generator)
            }
        }
        mix = Linear(inFeatures: c.spatialDimension, outFeatures: c.spatialDimension, generator: &generator)
        demix = (0..<c.subjects).map { _ in Linear(inFeatures: c.spatialDimension, outFeatures: c.channels, generator: &generator) }
        spectralHead = c.spectralWeight == nil ? nil
            : Linear(inFeatures: d, outFeatures: c.channels * c.spectralBins, generator: &generator)
    }

    /// Log-amplitude spectrum of every patch of every channel of `x` `[batch, C, M·patch]`, laid out
    /// `[batch, M, C · bins]` (the spectral head's output), each (channel, bin) standardised over the
    /// batch's patches so that every frequency weighs alike in the loss. A DFT on short patches, off the
    /// graph (the targets need no gradient).
    public static func patchSpectra(_ x: Tensor, patchLength p: Int) -> Tensor {
        let b = x.dimensions[0], c = x.dimensions[1], t = x.dimensions[2], m = t / p, bins = p / 2 + 1
        var cosines = [Float](repeating: 0, count: bins * p), sines = cosines
        for k in 0..<bins {
            for j in 0..<p {
                let phase = 2 * Double.pi * Double(k * j) / Double(p)
                cosines[k * p + j] = Float(Double.cos(phase)); sines[k * p + j] = Float(Double.sin(phase))
            }
        }
        let scale = 1 / Float(p).squareRoot(), width = c * bins
        var out = [Float](repeating: 0, count: b * m * width)
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { o in
                for s in 0..<b {
                    for ch in 0..<c {
                        let row = (s &* c &+ ch) &* t
                        for patch in 0..<m {
                            let start = row &+ patch &* p, dst = (s &* m &+ patch) &* width &+ ch &* bins
                            for k in 0..<bins {
                                var re: Float = 0, im: Float = 0
                                for j in 0..<p { re += xs[start &+ j] * cosines[k &* p &+ j]; im += xs[start &+ j] * sines[k &* p &+ j] }
                                // A floor of 0.05 z-units keeps the log of near-empty bins bounded.
                                o[dst &+ k] = Float.log(0.05 + scale * (re * re + im * im).squareRoot())
                            }
                        }
                    }
                }
                // Standardise each (channel, bin) column over the batch × patches rows.
                let rows = b * m
                for column in 0..<width {
                    var mean: Float = 0, square: Float = 0
                    for r in 0..<rows { let v = o[r &* width &+ column]; mean += v; square += v * v }
                    mean /= Float(rows)
                    let sd = Swift.max(1e-4, (square / Float(rows) - mean * mean).squareRoot())
                    for r in 0..<rows { o[r &* width &+ column] = (o[r &* width &+ column] - mean) / sd }
                }
            }
        }
        return Tensor(out, shape: [b, m, width])
    }

    /// The unit vectors the codebook quantises, `[batch, M, codeDimension]`.
    public func codeVectors(_ x: Tensor, subject: Int = 0, training: TrainingContext? = nil) -> Tensor {
        codeProjection(preProjection(encoder(x, subject: subject, training: training)).tanh()).l2Normalized()
    }

    /// Code index of every patch (`[batch · M]`, row-major), in evaluation mode: the MAE's targets.
    public func codeIndices(_ x: Tensor, subject: Int = 0) -> [Int] {
        withNoGrad { quantizer.assign(codeVectors(x, subject: subject).storage) }
    }

    /// `x` `[batch, channels, M·patch]`; `channelMask` (C values, 1 = real channel) weights the error.
    public func callAsFunction(_ x: Tensor, subject: Int = 0, channelMask: [Float]? = nil, training: TrainingContext? = nil) -> DuINVQVAEOutput {
        let b = x.dimensions[0], t = x.dimensions[2], c = configuration
        let u = codeVectors(x, subject: subject, training: training)
        let q = quantizer(u, training: training)
        let h = regressor(postProjection(postNorm(q.quantized)), training: training)
        let patches: Tensor  // [b, T, S]
        if let head {
            patches = head(h).reshaped([b, t, c.spatialDimension])
        } else {
            var z = h.permuted([0, 2, 1])  // [b, d, M]
            for layer in upsampler { z = layer(z) }
            precondition(z.dimensions[2] == t, "DuINVQVAE: the transposed-convolution stack gives \(z.dimensions[2]) samples for \(t)")
            patches = z.permuted([0, 2, 1])
        }
        let y = demix[subject](mix(patches)).permuted([0, 2, 1])  // [b, C, T]
        var error = (y - x).square()
        if let channelMask {
            precondition(channelMask.count == c.channels, "DuINVQVAE: channel mask needs \(c.channels) values")
            let active = Swift.max(channelMask.reduce(0, +), 1)
            error = error * Tensor(channelMask.map { $0 * Float(c.channels) / active }, shape: [1, c.channels, 1])
        }
        var spectral: Tensor? = nil
        if let spectralHead, let weight = c.spectralWeight {
            let target = Self.patchSpectra(x, patchLength: c.patchLength)
            spectral = (spectralHead(h) - target).square().mean() * weight
        }
        return DuINVQVAEOutput(reconstruction: y, reconstructionLoss: error.mean(), spectralLoss: spectral, quantizer: q)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var named = Self.prefixed("encoder", encoder) + Self.prefixed("preProjection", preProjection)
        named += Self.prefixed("codeProjection", codeProjection)
        named += Self.prefixed("postNorm", postNorm) + Self.prefixed("postProjection", postProjection)
        named += Self.prefixed("regressor", regressor)
        if let head { named += Self.prefixed("head", head) }
        for (i, layer) in upsampler.enumerated() { named += Self.prefixed("upsampler\(i)", layer) }
        named += Self.prefixed("mix", mix)
        for (i, layer) in demix.enumerated() { named += Self.prefixed("demix\(i)", layer) }
        if let spectralHead { named += Self.prefixed("spectralHead", spectralHead) }
        return named
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        Self.prefixedBuffers("encoder", encoder) + Self.prefixedBuffers("quantizer", quantizer)
    }
}

/// Stage 2, the Du-IN MAE: a freshly initialised encoder whose masked tokens are replaced by a
/// learned mask vector; a linear head predicts each patch's VQ-VAE code. Two passes with complementary
/// masks make every patch predicted exactly once from its context.
public struct DuINMAE: Layer {
    public let configuration: DuINConfiguration
    public let encoder: DuINEncoder
    /// `[d]`, initialised to ones as in the reference.
    public let maskEmbedding: Tensor
    public let tokenHead: Linear

    public init(configuration c: DuINConfiguration, generator: inout SeededGenerator) {
        configuration = c
        encoder = DuINEncoder(configuration: c, generator: &generator)
        maskEmbedding = Tensor.ones([c.modelDimension], requiresGrad: true)
        tokenHead = Linear(inFeatures: c.modelDimension, outFeatures: c.codes, generator: &generator)
    }

    /// A mask over `batch × tokens` patches with round(ratio·tokens) masked per sample (true = masked).
    public static func randomMask(batch: Int, tokens: Int, ratio: Double, generator: inout SeededGenerator) -> [Bool] {
        let masked = Swift.min(tokens - 1, Swift.max(1, Int((ratio * Double(tokens)).rounded())))
        var mask = [Bool](repeating: false, count: batch * tokens)
        for s in 0..<batch {
            var order = Array(0..<tokens)
            for i in stride(from: tokens - 1, to: 0, by: -1) { order.swapAt(i, generator.uniformInt(below: i + 1)) }
            for j in order.prefix(masked) { mask[s * tokens + j] = true }
        }
        return mask
    }

    /// Code logits `[batch, M, codes]`: masked positions from pass 1 (`mask`), the others from pass 2
    /// (the complement).
    public func logits(_ x: Tensor, mask: [Bool], subject: Int = 0, training: TrainingContext? = nil) -> Tensor {
        let tokens = encoder.tokens(x, subject: subject, training: training)
        let b = tokens.dimensions[0], m = tokens.dimensions[1]
        precondition(mask.count == b * m, "DuINMAE: mask has \(mask.count) entries for \(b)×\(m) patches")
        let first = Tensor(mask.map { $0 ? 1 : 0 }, shape: [b, m, 1])
        let second = 1 - first
        let pass1 = encoder.transformer(tokens * second + maskEmbedding * first, training: training)
        let pass2 = encoder.transformer(tokens * first + maskEmbedding * second, training: training)
        return tokenHead(pass1 * first + pass2 * second)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("encoder", encoder) + [("maskEmbedding", maskEmbedding)] + Self.prefixed("tokenHead", tokenHead)
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] { Self.prefixedBuffers("encoder", encoder) }
}

/// Stage 3: the encoder followed by flatten(M × d) → hidden → ReLU → classes (`.mlp`, the note's head)
/// or flatten → classes (`.linear`, the LP-FT head that a logistic-regression probe initialises).
public struct DuINClassifierModel: Layer {
    public enum Head: String, Sendable, Codable { case mlp, linear }
    public let configuration: DuINConfiguration
    public let encoder: DuINEncoder
    /// nil for the linear head.
    public let hidden: Linear?
    public let output: Linear
    public let tokens: Int

    public init(configuration c: DuINConfiguration, tokens: Int, classes: Int, head: Head = .mlp, generator: inout SeededGenerator) {
        configuration = c
        self.tokens = tokens
        encoder = DuINEncoder(configuration: c, generator: &generator)
        let width = tokens * c.modelDimension
        hidden = head == .mlp ? Linear(inFeatures: width, outFeatures: c.classifierHidden, generator: &generator) : nil
        output = Linear(inFeatures: hidden == nil ? width : c.classifierHidden, outFeatures: classes, generator: &generator)
    }

    /// Class logits `[batch, classes]`. With `frozenEncoder` the encoder runs in evaluation mode
    /// outside the graph, so only the head learns.
    public func callAsFunction(_ x: Tensor, subject: Int = 0, frozenEncoder: Bool = false, training: TrainingContext? = nil) -> Tensor {
        let b = x.dimensions[0]
        let h = frozenEncoder ? withNoGrad { encoder(x, subject: subject).detached() } : encoder(x, subject: subject, training: training)
        let flat = h.reshaped([b, tokens * configuration.modelDimension]).dropout(configuration.dropout, training: training)
        guard let hidden else { return output(flat) }
        return output(hidden(flat).relu())
    }

    /// The flattened encoder output (evaluation mode) of trials `data` (`[n, channels, samples]`): the
    /// features the linear head sees, one row per trial.
    public func features(_ data: [Float], samples: Int, batchSize: Int = 50) -> [[Double]] {
        let c = configuration.channels, n = data.count / (c * samples), width = tokens * configuration.modelDimension
        var rows = [[Double]]()
        rows.reserveCapacity(n)
        withNoGrad {
            var start = 0
            while start < n {
                let end = Swift.min(n, start + batchSize)
                let h = encoder(Tensor(Array(data[(start * c * samples)..<(end * c * samples)]), shape: [end - start, c, samples]))
                for i in 0..<(end - start) { rows.append(h.storage[(i * width)..<((i + 1) * width)].map(Double.init)) }
                start = end
            }
        }
        return rows
    }

    /// Sets the linear head to `weights` (`classes × features`) and `bias`.
    public func setLinearHead(_ weights: [[Double]], bias: [Double]) throws {
        let width = tokens * configuration.modelDimension
        try ParameterError.check(hidden == nil, "head", expected: "a linear head", found: "an MLP head")
        try ParameterError.check(weights.count == output.outFeatures && bias.count == output.outFeatures && weights.allSatisfy { $0.count == width },
                                 "weights", expected: "\(output.outFeatures) × \(width) and \(output.outFeatures) biases",
                                 found: "\(weights.count) × \(weights.first?.count ?? 0) and \(bias.count)")
        output.weight.update { w in for (k, row) in weights.enumerated() { for (j, v) in row.enumerated() { w[k * width + j] = Float(v) } } }
        output.bias?.update { b in for (k, v) in bias.enumerated() { b[k] = Float(v) } }
    }

    /// Trainable parameters: everything, or only the head when the encoder is frozen.
    public func trainableParameters(frozenEncoder: Bool) -> [Tensor] {
        frozenEncoder ? (hidden?.parameters ?? []) + output.parameters : parameters
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("encoder", encoder) + (hidden.map { Self.prefixed("hidden", $0) } ?? []) + Self.prefixed("output", output)
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] { Self.prefixedBuffers("encoder", encoder) }
}

extension DuINEncoder {
    /// Copies every parameter and buffer of `other` (same configuration) into this encoder: how the
    /// classifier starts from a pretrained VQ-VAE or MAE encoder.
    public func copyWeights(from other: DuINEncoder) throws {
        let mine = namedParameters + namedBuffers, theirs = other.namedParameters + other.namedBuffers
        try ParameterError.check(mine.map(\.name) == theirs.map(\.name) && zip(mine, theirs).allSatisfy { $0.tensor.dimensions == $1.tensor.dimensions },
                                 "encoder", expected: "an encoder of the same configuration", found: "\(other.configuration)")
        for (a, b) in zip(mine, theirs) { a.tensor.update { $0 = b.tensor.storage } }
    }
}
