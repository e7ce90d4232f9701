import NeuralNet
import NeuroCore

/// Stage 1 regression head (`DuINConfiguration.decoderHead`).
public enum DuINDecoderHead: String, Sendable, Codable, Hashable, CaseIterable {
    /// Per-token Linear(d → patch · spatial features): each token reconstructs only its own patch.
    case linear
    /// The reference's ConvTranspose1d stack (no activations), whose overlapping kernels let
    /// neighbouring tokens shape each patch.
    case transposedConvolution
}

/// Sizes of a Du-IN model (Zheng et al., NeurIPS 2024). The defaults are the CPU-sized "Du-IN-mini"
/// of the methods note (§D2: 250 Hz, 100 ms patches, d = 80, 4 blocks, codebook 512 × 32); the
/// reference model is `.reference` (1 kHz, d = 160, 8 blocks, codebook 2048 × 64).
public struct DuINConfiguration: Sendable, Codable, Hashable {
    /// Input channels C (after channel selection).
    public var channels: Int
    /// Samples per patch (100 ms at the sampling rate).
    public var patchLength: Int
    /// Width of the per-subject spatial mix (the "region-level" signal).
    public var spatialDimension: Int = 16
    /// Tokenizer: first convolution's kernel and stride (padding kernel/2), hidden channels.
    public var tokenizerKernel: Int = 9
    public var tokenizerStride: Int = 5
    public var tokenizerChannels: Int = 32
    /// Transformer encoder: blocks, heads, inner (Q/K/V) width, feed-forward width.
    public var layers: Int = 4
    public var heads: Int = 4
    public var innerDimension: Int = 128
    public var feedForwardDimension: Int = 160
    public var dropout: Float = 0.1
    public var attentionDropout: Float = 0.1
    /// Stage 1: codebook size and code dimension, commitment β, EMA decay, decoder blocks, dead-code
    /// restart threshold (EMA usage per batch; nil disables restarts as in the reference).
    public var codes: Int = 512
    public var codeDimension: Int = 32
    public var commitmentCost: Float = 1
    public var codebookDecay: Float = 0.99
    public var decoderLayers: Int = 2
    /// Stage 1 regression head after the decoder blocks: the reference's stack of transposed
    /// convolutions (`.transposedConvolution`), or a per-token Linear(d → patch · 16) (`.linear`, what
    /// this port used before session 7). nil reads as `.linear` so that older checkpoints still load.
    public var decoderHead: DuINDecoderHead? = .transposedConvolution
    /// Channels of the transposed-convolution stack (§D2: 64 for d = 80; the reference uses 128).
    public var decoderChannels: Int? = 64
    public var deadCodeThreshold: Float? = 0.01
    /// Stage 1: weight of a second reconstruction target, every patch's log-amplitude spectrum per
    /// channel (standardised per channel and frequency over the batch), beside the raw-signal MSE.
    /// nil is the reference (raw signal only). A zero-mean random carrier whose *envelope* carries the
    /// information (high gamma) cannot be reconstructed in mean square — its best prediction is zero
    /// whatever the envelope — so raw-signal codes spend themselves on the 1/f background; the
    /// amplitude spectrum (as LaBraM's Fourier targets) makes the codes describe band power.
    /// Opt-in (nil in `.mini` too): with the reference codebook settings (β = 1) it made stage 1 collapse
    /// on the simulator in 150-step runs, and it has not yet beaten training from scratch (docs/duin.md).
    /// Optional so that checkpoints written before it existed decode as the reference.
    public var spectralWeight: Float? = nil
    /// Stage 2: fraction of patches masked in the first pass (the second masks the complement).
    public var maskRatio: Double = 0.5
    /// Stage 3: hidden width of the flatten → hidden → classes head.
    public var classifierHidden: Int = 128
    /// Number of subjects (one spatial mix and one de-subject map each).
    public var subjects: Int = 1

    public init(channels: Int, patchLength: Int) {
        self.channels = channels
        self.patchLength = patchLength
    }

    /// Du-IN-mini for `channels` at `samplingRate`: 100 ms patches, the tokenizer stride chosen so
    /// that each patch gives about five steps.
    public static func mini(channels: Int, samplingRate: Double) -> DuINConfiguration {
        let patch = Swift.max(4, Int((0.1 * samplingRate).rounded()))
        var c = DuINConfiguration(channels: channels, patchLength: patch)
        c.tokenizerStride = Swift.max(1, patch / 5)
        c.tokenizerKernel = Swift.min(2 * c.tokenizerStride - 1, patch)
        return c
    }

    /// The reference sizes (1 kHz, 10 channels, d = 160, 8 blocks of 8 × 64 heads, codebook 2048 × 64).
    public static var reference: DuINConfiguration {
        var c = DuINConfiguration(channels: 10, patchLength: 100)
        c.tokenizerKernel = 19; c.tokenizerStride = 10; c.tokenizerChannels = 128
        c.layers = 8; c.heads = 8; c.innerDimension = 512; c.feedForwardDimension = 320
        c.dropout = 0.2; c.attentionDropout = 0.2
        c.codes = 2048; c.codeDimension = 64; c.decoderLayers = 4; c.deadCodeThreshold = nil
        c.decoderChannels = 128
        return c
    }

    /// Time steps per patch after the strided tokenizer convolution.
    public var tokenSteps: Int {
        Tensor.conv1dOutputLength(inputLength: patchLength, kernel: tokenizerKernel, stride: tokenizerStride,
                                  padding: tokenizerKernel / 2, dilation: 1) ?? 0
    }

    /// The transposed-convolution stack of the stage 1 head, M tokens → M · patch samples: (kernel,
    /// stride, padding, output padding) of its three layers. §D2 for 100 ms at 250 Hz (d 80 → 64 → 64 →
    /// 16; kernels 3 / 5 / 9; strides 1 / 5 / 5): a "same" kernel-3 mix across tokens, a
    /// non-overlapping upsampling by u₁, then an overlapping one by u₂ (kernel 2u₂ − 1) with u₁u₂ = patch;
    /// u₂ is the tokenizer stride when it divides the patch, else the divisor of the patch nearest it.
    public var decoderStack: [(kernel: Int, stride: Int, padding: Int, outputPadding: Int)] {
        let p = patchLength, s = Swift.max(1, tokenizerStride)
        let divisors = (1...p).filter { p % $0 == 0 }
        let u2 = p % s == 0 ? s : divisors.min { (Swift.abs($0 - s), -$0) < (Swift.abs($1 - s), -$1) }!
        let u1 = p / u2
        let k3 = 2 * u2 - 1, p3 = u2 / 2
        return [(3, 1, 1, 0), (u1, u1, 0, 0), (k3, u2, p3, u2 + 2 * p3 - k3)]
    }

    /// Frequency bins of a patch's amplitude spectrum (0 … Nyquist).
    public var spectralBins: Int { patchLength / 2 + 1 }

    /// Token width d = steps × spatial features (time-major flatten of the tokenizer output).
    public var modelDimension: Int { tokenSteps * spatialDimension }

    /// Throws a `ParameterError` naming the first inconsistent size.
    public func validate() throws {
        try ParameterError.check(channels > 0, "channels", expected: "> 0", found: channels)
        try ParameterError.check(patchLength >= 2, "patchLength", expected: "≥ 2", found: patchLength)
        try ParameterError.check(tokenSteps > 0, "tokenizerKernel/Stride", expected: "at least one step per patch of \(patchLength)",
                                 found: "\(tokenizerKernel)/\(tokenizerStride)")
        try ParameterError.check(heads > 0 && innerDimension % heads == 0, "heads", expected: "a divisor of innerDimension \(innerDimension)", found: heads)
        try ParameterError.check(layers > 0 && decoderLayers > 0, "layers", expected: "> 0", found: "\(layers)/\(decoderLayers)")
        try ParameterError.check(codes > 1 && codeDimension > 0, "codes", expected: "> 1 codes of dimension > 0", found: "\(codes)×\(codeDimension)")
        try ParameterError.check(maskRatio > 0 && maskRatio < 1, "maskRatio", expected: "in (0, 1)", found: maskRatio)
        try ParameterError.check(subjects > 0, "subjects", expected: "> 0", found: subjects)
        try ParameterError.check((spectralWeight ?? 0) >= 0, "spectralWeight", expected: "≥ 0", found: spectralWeight ?? 0)
        try ParameterError.check((decoderChannels ?? 64) > 0, "decoderChannels", expected: "> 0", found: decoderChannels ?? 0)
        try ParameterError.check((0..<1).contains(codebookDecay), "codebookDecay", expected: "in [0, 1)", found: codebookDecay)
    }
}
