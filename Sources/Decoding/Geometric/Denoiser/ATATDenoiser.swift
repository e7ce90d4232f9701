import Foundation
import NeuralNet
import NeuroCore

/// Settings of the attention denoiser (a CPU-sized reading of AT-AT, Choi 2025, arXiv 2502.05332).
public struct ATATConfiguration: Sendable, Hashable {
    /// Samples per segment (EEGdenoiseNet: 2 s) and per patch (one transformer token).
    public var segmentLength: Int
    public var patchLength: Int
    /// Autoencoder bottleneck width per patch.
    public var bottleneck: Int
    /// Transformer width, heads, blocks and feed-forward width.
    public var modelWidth: Int
    public var heads: Int
    public var blocks: Int
    public var feedForwardWidth: Int
    public var trainingSteps: Int
    public var batchSize: Int
    public var learningRate: Float
    /// Weight of the log-spectrum loss (a differentiable stand-in for AT-AT's spectral discriminator).
    public var spectralWeight: Float
    /// Weight of the autoencoder's own reconstruction loss.
    public var autoencoderWeight: Float

    public init(
        segmentLength: Int = 320, patchLength: Int = 16, bottleneck: Int = 6, modelWidth: Int = 32, heads: Int = 4,
        blocks: Int = 2, feedForwardWidth: Int = 64, trainingSteps: Int = 400, batchSize: Int = 32,
        learningRate: Float = 2e-3, spectralWeight: Float = 0.05, autoencoderWeight: Float = 0.5
    ) {
        self.segmentLength = segmentLength
        self.patchLength = patchLength
        self.bottleneck = bottleneck
        self.modelWidth = modelWidth
        self.heads = heads
        self.blocks = blocks
        self.feedForwardWidth = feedForwardWidth
        self.trainingSteps = trainingSteps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.spectralWeight = spectralWeight
        self.autoencoderWeight = autoencoderWeight
    }

    public func validate() throws {
        try ParameterError.check(patchLength >= 2 && segmentLength >= 2 * patchLength && segmentLength % patchLength == 0, "segmentLength/patchLength",
                                 expected: "a segment that is a whole number (≥ 2) of patches", found: "\(segmentLength)/\(patchLength)")
        try ParameterError.check(bottleneck >= 1 && bottleneck < patchLength, "bottleneck", expected: "1…\(patchLength - 1)", found: bottleneck)
        try ParameterError.check(modelWidth >= 1 && heads >= 1 && modelWidth % heads == 0, "modelWidth/heads", expected: "a width divisible by the heads", found: "\(modelWidth)/\(heads)")
        try ParameterError.check(blocks >= 1 && feedForwardWidth >= 1, "blocks/feedForwardWidth", expected: "≥ 1", found: "\(blocks), \(feedForwardWidth)")
        try ParameterError.check(trainingSteps >= 1 && batchSize >= 1, "trainingSteps/batchSize", expected: "≥ 1", found: "\(trainingSteps), \(batchSize)")
        try ParameterError.check(learningRate > 0 && spectralWeight >= 0 && autoencoderWeight >= 0, "learningRate/weights", expected: "rate > 0, weights ≥ 0", found: "\(learningRate), \(spectralWeight), \(autoencoderWeight)")
    }
}

/// An autoencoder-gated transformer denoiser for single-channel EEG segments.
///
/// 1. A per-patch bottleneck autoencoder (patch → `bottleneck` → patch) gives a cheap reconstruction r.
/// 2. The correlation-based noise proxy: per patch, c = corr(input patch, r patch). Where muscle noise
///    dominates, the input and the smooth reconstruction disagree and c drops.
/// 3. A gate g = σ(a·(1 − c) + b) (a, b learned) decides where the transformer acts: the output is
///    g·T(x) + (1 − g)·r, with T a small patch-token transformer encoder.
/// Trained on (noisy, clean) pairs with MSE + autoencoder MSE + log-spectrum MSE. What AT-AT adds and
/// this does not: its adversarial discriminator (replaced by the spectral loss) and its size.
/// Inputs are standardised per segment (divided by their std, as EEGdenoiseNet does) and outputs scaled back.
public struct ATATDenoiser: Sendable {
    public let configuration: ATATConfiguration
    let model: ATATModel
    /// Training loss per step.
    public let lossHistory: [Double]

    /// Trains on pairs (each `segmentLength` samples).
    public init(noisy: [[Double]], clean: [[Double]], configuration: ATATConfiguration = .init(), seed: UInt64, monitor: any FitMonitor = SilentMonitor()) throws {
        try configuration.validate()
        try ParameterError.check(!noisy.isEmpty && noisy.count == clean.count, "pairs", expected: "equal, non-zero numbers of noisy and clean segments", found: "\(noisy.count) vs \(clean.count)")
        let l = configuration.segmentLength
        for (k, (a, b)) in zip(noisy, clean).enumerated() {
            try ParameterError.check(a.count == l && b.count == l, "pairs[\(k)]", expected: "\(l) samples each", found: "\(a.count), \(b.count)")
        }
        var generator = SeededGenerator(seed: seed)
        let model = ATATModel(configuration, generator: &generator)
        let optimiser = Adam(parameters: model.parameters, learningRate: configuration.learningRate)
        // Standardise each pair by the noisy segment's std.
        var x = [Float](), y = [Float]()
        x.reserveCapacity(noisy.count * l); y.reserveCapacity(noisy.count * l)
        for (a, b) in zip(noisy, clean) {
            let s = Swift.max(standardDeviation(a), 1e-30)
            let m = a.reduce(0, +) / Double(l)
            x += a.map { Float(($0 - m) / s) }
            y += b.map { Float(($0 - m) / s) }
        }
        var history: [Double] = []
        let count = noisy.count, batch = Swift.min(configuration.batchSize, count)
        var order = Array(0..<count)
        var cursor = count
        for step in 0..<configuration.trainingSteps {
            if monitor.shouldStop { break }
            var picked: [Int] = []
            while picked.count < batch {
                if cursor == count { order.shuffle(using: &generator); cursor = 0 }
                picked.append(order[cursor]); cursor += 1
            }
            var bx = [Float](), by = [Float]()
            bx.reserveCapacity(batch * l); by.reserveCapacity(batch * l)
            for i in picked { bx += x[(i * l)..<((i + 1) * l)]; by += y[(i * l)..<((i + 1) * l)] }
            let input = Tensor(bx, shape: [batch, l]), target = Tensor(by, shape: [batch, l])
            optimiser.zeroGrad()
            let loss = model.loss(input, target)
            loss.backward()
            _ = clipGradientNorm(model.parameters, maxNorm: 1)
            optimiser.step()
            history.append(Double(loss.item))
            if step % 20 == 0 { monitor.report(FitProgress(stage: "AT-AT", iteration: step + 1, total: configuration.trainingSteps, objective: Double(loss.item))) }
        }
        self.configuration = configuration
        self.model = model
        self.lossHistory = history
    }

    /// Denoises segments of `segmentLength` samples.
    public func denoise(_ segments: [[Double]]) throws -> [[Double]] {
        let l = configuration.segmentLength
        for (k, s) in segments.enumerated() {
            try ParameterError.check(s.count == l, "segments[\(k)]", expected: "\(l) samples", found: s.count)
        }
        guard !segments.isEmpty else { return [] }
        var x = [Float](), stats: [(Double, Double)] = []
        for a in segments {
            let s = Swift.max(standardDeviation(a), 1e-30), m = a.reduce(0, +) / Double(l)
            stats.append((m, s))
            x += a.map { Float(($0 - m) / s) }
        }
        let out = withNoGrad { model.forward(Tensor(x, shape: [segments.count, l])).output }
        return (0..<segments.count).map { i in
            (0..<l).map { Double(out.storage[i * l + $0]) * stats[i].1 + stats[i].0 }
        }
    }

    /// Per patch of each segment, the gate value g ∈ (0, 1): where the transformer was applied.
    public func gates(_ segments: [[Double]]) throws -> [[Double]] {
        let l = configuration.segmentLength
        var x = [Float]()
        for a in segments {
            try ParameterError.check(a.count == l, "segments", expected: "\(l) samples", found: a.count)
            let s = Swift.max(standardDeviation(a), 1e-30), m = a.reduce(0, +) / Double(l)
            x += a.map { Float(($0 - m) / s) }
        }
        let g = withNoGrad { model.forward(Tensor(x, shape: [segments.count, l])).gate }
        let p = l / configuration.patchLength
        return (0..<segments.count).map { i in (0..<p).map { Double(g.storage[i * p + $0]) } }
    }

    public var parameterCount: Int { model.parameterCount }
}

func standardDeviation(_ a: [Double]) -> Double {
    let m = a.reduce(0, +) / Double(Swift.max(a.count, 1))
    var s = 0.0
    for v in a { s += (v - m) * (v - m) }
    return (s / Double(Swift.max(a.count, 1))).squareRoot()
}

struct ATATModel: Layer, @unchecked Sendable {
    let configuration: ATATConfiguration
    let encoder: Linear
    let decoder: Linear
    let embed: Linear
    let positions: SinusoidalPositionalEncoding
    let blocks: [TransformerEncoderBlock]
    let norm: LayerNorm
    let unembed: Linear
    /// Gate slope a and offset b.
    let gateSlope: Tensor
    let gateOffset: Tensor
    /// Real DFT as a fixed matrix [L, 2·(L/2+1)] (cos | −sin) for the differentiable spectral loss.
    let dft: Tensor

    init(_ c: ATATConfiguration, generator: inout SeededGenerator) {
        configuration = c
        encoder = Linear(inFeatures: c.patchLength, outFeatures: c.bottleneck, generator: &generator)
        decoder = Linear(inFeatures: c.bottleneck, outFeatures: c.patchLength, generator: &generator)
        embed = Linear(inFeatures: c.patchLength, outFeatures: c.modelWidth, generator: &generator)
        positions = SinusoidalPositionalEncoding(dimension: c.modelWidth, maxLength: c.segmentLength / c.patchLength)
        blocks = (0..<c.blocks).map { _ in TransformerEncoderBlock(dimension: c.modelWidth, heads: c.heads, feedForwardDimension: c.feedForwardWidth, generator: &generator) }
        norm = LayerNorm(dimension: c.modelWidth)
        unembed = Linear(inFeatures: c.modelWidth, outFeatures: c.patchLength, generator: &generator)
        gateSlope = Tensor([4], shape: [1], requiresGrad: true)
        gateOffset = Tensor([-1], shape: [1], requiresGrad: true)
        let l = c.segmentLength, bins = l / 2 + 1
        var table = [Float](repeating: 0, count: l * 2 * bins)
        for t in 0..<l {
            for k in 0..<bins {
                let angle = 2 * Double.pi * Double(k * t % l) / Double(l)
                table[t * 2 * bins + k] = Float(Foundation.cos(angle))
                table[t * 2 * bins + bins + k] = Float(-Foundation.sin(angle))
            }
        }
        dft = Tensor(table, shape: [l, 2 * bins])
    }

    struct Output { let output: Tensor; let reconstruction: Tensor; let gate: Tensor }

    /// `x`: [batch, L] → denoised [batch, L], autoencoder reconstruction, gate [batch, patches].
    func forward(_ x: Tensor) -> Output {
        let b = x.dimensions[0], p = configuration.segmentLength / configuration.patchLength, q = configuration.patchLength
        let patches = x.reshaped([b, p, q])
        let reconstruction = decoder(encoder(patches).tanh())
        // Correlation-based noise proxy per patch.
        let xc = patches - patches.mean(axis: -1, keepDims: true)
        let rc = reconstruction - reconstruction.mean(axis: -1, keepDims: true)
        let numerator = (xc * rc).sum(axis: -1)
        let denominator = ((xc * xc).sum(axis: -1) * (rc * rc).sum(axis: -1) + 1e-6).sqrt()
        let correlation = numerator / denominator
        let gate = ((1 - correlation) * gateSlope + gateOffset).sigmoid()  // [b, p]
        var h = positions(embed(patches))
        for block in blocks { h = block(h) }
        let transformed = unembed(norm(h))
        let g = gate.reshaped([b, p, 1])
        let out = g * transformed + (1 - g) * reconstruction
        return Output(output: out.reshaped([b, configuration.segmentLength]), reconstruction: reconstruction.reshaped([b, configuration.segmentLength]), gate: gate)
    }

    func logPower(_ x: Tensor) -> Tensor {
        let bins = configuration.segmentLength / 2 + 1
        let spectrum = x.matmul(dft)
        let re = spectrum.slice(axis: -1, 0..<bins), im = spectrum.slice(axis: -1, bins..<(2 * bins))
        return (re * re + im * im + 1e-3).log()
    }

    func loss(_ x: Tensor, _ clean: Tensor) -> Tensor {
        let out = forward(x)
        var loss = Tensor.meanSquaredError(out.output, clean)
        if configuration.autoencoderWeight > 0 { loss = loss + configuration.autoencoderWeight * Tensor.meanSquaredError(out.reconstruction, clean) }
        if configuration.spectralWeight > 0 { loss = loss + configuration.spectralWeight * Tensor.meanSquaredError(logPower(out.output), logPower(clean)) }
        return loss
    }

    var namedParameters: [(name: String, tensor: Tensor)] {
        var all = Self.prefixed("encoder", encoder) + Self.prefixed("decoder", decoder) + Self.prefixed("embed", embed)
        for (i, block) in blocks.enumerated() { all += Self.prefixed("block\(i)", block) }
        all += Self.prefixed("norm", norm) + Self.prefixed("unembed", unembed)
        return all + [("gateSlope", gateSlope), ("gateOffset", gateOffset)]
    }
}
