import Foundation
import NeuralNet
import NeuroCore
import Recording

/// The paper's manifold pipeline as an epoch classifier (`ricci-gcn`): band features → channel graph →
/// Laplacian eigenmap → Ollivier–Ricci flow → two-layer GCN → flattened node embeddings → linear
/// softmax head.
///
/// Everything data-dependent is learned inside `fit` from the training epochs only (no leakage across
/// CV folds). The channel graph is one graph for all trials: a channel's descriptor is its standardised
/// log band power over all training trials, so channels whose band power rises and falls together are
/// near. The eigenmap places channels in ℝ^m; eigenmap distances (scaled to mean 1) are the edge lengths
/// the Ricci flow evolves; the GCN propagates with affinities exp(−ℓ_flowed). Per trial, each node's input
/// is its standardised band powers plus its eigenmap coordinates. The readout concatenates node
/// embeddings rather than averaging them, because left/right motor imagery lives in *which* channels
/// change, which mean pooling would erase.
public struct RicciGCNClassifier: EpochClassifier {
    public var features: BandFeatures
    /// k of the channel kNN graph.
    public var neighbours: Int
    /// Eigenmap dimensions m.
    public var eigenmapDimensions: Int
    public var flow: RicciFlowConfiguration
    public var hiddenWidth: Int
    public var embeddingWidth: Int
    /// Full-batch Adam steps.
    public var trainingSteps: Int
    public var learningRate: Float
    /// Coupled L2 weight decay (Adam), the regulariser small EEG sets need.
    public var weightDecay: Float

    public init(
        features: BandFeatures = .init(), neighbours: Int = 4, eigenmapDimensions: Int = 3,
        flow: RicciFlowConfiguration = .init(curvature: .init(alpha: 0.5, solver: .exact), iterations: 10, step: 0.3, lengthFloor: 1e-3),
        hiddenWidth: Int = 16, embeddingWidth: Int = 4, trainingSteps: Int = 300, learningRate: Float = 0.01, weightDecay: Float = 1e-3
    ) {
        self.features = features
        self.neighbours = neighbours
        self.eigenmapDimensions = eigenmapDimensions
        self.flow = flow
        self.hiddenWidth = hiddenWidth
        self.embeddingWidth = embeddingWidth
        self.trainingSteps = trainingSteps
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public func validate() throws {
        try features.validate()
        try flow.validate()
        try ParameterError.check(neighbours >= 1, "neighbours", expected: "≥ 1", found: neighbours)
        try ParameterError.check(eigenmapDimensions >= 1, "eigenmapDimensions", expected: "≥ 1", found: eigenmapDimensions)
        try ParameterError.check(hiddenWidth >= 1 && embeddingWidth >= 1, "hiddenWidth/embeddingWidth", expected: "≥ 1", found: "\(hiddenWidth), \(embeddingWidth)")
        try ParameterError.check(trainingSteps >= 1, "trainingSteps", expected: "≥ 1", found: trainingSteps)
        try ParameterError.check(learningRate > 0 && weightDecay >= 0, "learningRate/weightDecay", expected: "rate > 0, decay ≥ 0", found: "\(learningRate), \(weightDecay)")
    }

    public func fit(_ epochs: Epochs, seed: UInt64, monitor: any FitMonitor) throws -> FittedRicciGCN {
        try validate()
        let classes = Array(Set(epochs.labels)).sorted()
        try ParameterError.check(classes.count >= 2, "labels", expected: "at least two classes", found: classes)
        let (trials, channels, bands) = (epochs.trialCount, epochs.channelCount, features.bands.count)
        try ParameterError.check(channels > neighbours, "neighbours", expected: "fewer than the \(channels) channels", found: neighbours)
        try ParameterError.check(channels - 1 >= eigenmapDimensions, "eigenmapDimensions", expected: "< \(channels) channels", found: eigenmapDimensions)

        // 1. Band features, standardised per (channel, band) on the training trials.
        let raw = try features.transform(epochs)
        let width = channels * bands
        var mean = [Double](repeating: 0, count: width), scale = [Double](repeating: 0, count: width)
        for t in 0..<trials { for k in 0..<width { mean[k] += raw[t * width + k] } }
        for k in 0..<width { mean[k] /= Double(trials) }
        for t in 0..<trials { for k in 0..<width { let d = raw[t * width + k] - mean[k]; scale[k] += d * d } }
        for k in 0..<width { scale[k] = Swift.max((scale[k] / Double(Swift.max(trials - 1, 1))).squareRoot(), 1e-12) }
        let z = (0..<raw.count).map { (raw[$0] - mean[$0 % width]) / scale[$0 % width] }

        // 2. Channel graph from each channel's standardised band powers across training trials.
        let descriptor = Matrix<Double>(rows: channels, columns: trials * bands) { c, column in
            let (t, b) = (column / bands, column % bands)
            return z[(t * channels + c) * bands + b]
        }
        let channelGraph = try ChannelGraph(features: descriptor, neighbours: neighbours)
        monitor.report(FitProgress(stage: "channel graph", iteration: 1, total: 4))

        // 3. Laplacian eigenmap; eigenmap distances become edge lengths (mean 1).
        let eigenmap = try LaplacianEigenmap(affinity: channelGraph.affinityMatrix, dimensions: eigenmapDimensions)
        let g0 = channelGraph.graph
        var lengths = (0..<g0.edgeCount).map { eigenmap.distance(g0.sources[$0], g0.targets[$0]) }
        let meanLength = lengths.reduce(0, +) / Double(Swift.max(lengths.count, 1))
        lengths = lengths.map { Swift.max($0 / Swift.max(meanLength, 1e-300), 1e-3) }
        monitor.report(FitProgress(stage: "eigenmap", iteration: 2, total: 4))

        // 4. Ricci flow.
        let flowed = try g0.withLengths(lengths).ricciFlow(flow)
        monitor.report(FitProgress(stage: "Ricci flow", iteration: 3, total: 4))
        let g = flowed.graph
        let adjacency = NormalizedAdjacency(
            nodeCount: channels, edges: (0..<g.edgeCount).map { (g.sources[$0], g.targets[$0]) },
            weights: g.lengths.map { Float(Swift.max(Foundation.exp(-$0), 1e-6)) })

        // 5. GCN + linear head, trained full-batch with Adam.
        var generator = SeededGenerator(seed: seed)
        let inputWidth = bands + eigenmapDimensions
        let coordinates = (0..<channels * eigenmapDimensions).map { Float(eigenmap.embedding[$0 / eigenmapDimensions, $0 % eigenmapDimensions]) }
        let network = RicciGCNNetwork(
            layer1: GraphConvolution(inFeatures: inputWidth, outFeatures: hiddenWidth, generator: &generator),
            layer2: GraphConvolution(inFeatures: hiddenWidth, outFeatures: embeddingWidth, generator: &generator),
            head: Linear(inFeatures: channels * embeddingWidth, outFeatures: classes.count, generator: &generator),
            adjacency: adjacency, channels: channels, bands: bands, coordinates: coordinates, eigenmapDimensions: eigenmapDimensions)
        let input = network.nodeInputs(z, trials: trials)
        let targets = epochs.labels.map { classes.firstIndex(of: $0)! }
        let optimiser = Adam(parameters: network.parameters, learningRate: learningRate, weightDecay: .l2(weightDecay))
        var lastLoss: Float = .nan
        for step in 0..<trainingSteps {
            if monitor.shouldStop { break }
            optimiser.zeroGrad()
            let loss = Tensor.crossEntropy(logits: network.logits(input), targets: targets)
            loss.backward()
            optimiser.step()
            lastLoss = loss.item
            if step % 25 == 0 || step == trainingSteps - 1 {
                monitor.report(FitProgress(stage: "GCN", iteration: step + 1, total: trainingSteps, objective: Double(lastLoss)))
            }
        }
        return FittedRicciGCN(
            classes: classes, configuration: self, mean: mean, scale: scale, channelGraph: channelGraph, eigenmap: eigenmap,
            flow: flowed, network: network, finalLoss: Double(lastLoss), channelCount: channels)
    }
}

/// The trained Ricci-GCN pipeline: every fitted stage, inspectable.
public struct FittedRicciGCN: FittedEpochClassifier {
    public let classes: [String]
    public let configuration: RicciGCNClassifier
    /// Training mean and standard deviation of each (channel, band) log power.
    public let mean: [Double]
    public let scale: [Double]
    public let channelGraph: ChannelGraph
    public let eigenmap: LaplacianEigenmap
    public let flow: RicciFlowResult
    let network: RicciGCNNetwork
    /// Training cross-entropy after the last step.
    public let finalLoss: Double
    let channelCount: Int

    func standardisedFeatures(_ epochs: Epochs) throws -> [Double] {
        try ParameterError.check(epochs.channelCount == channelCount, "epochs", expected: "\(channelCount) channels as in training", found: epochs.channelCount)
        let raw = try configuration.features.transform(epochs)
        let width = mean.count
        return (0..<raw.count).map { (raw[$0] - mean[$0 % width]) / scale[$0 % width] }
    }

    /// Geometry-aware epoch embeddings (trials × channels·embeddingWidth), the GCN readout.
    public func embeddings(_ epochs: Epochs) throws -> Matrix<Double> {
        let z = try standardisedFeatures(epochs)
        let e = withNoGrad { network.embed(network.nodeInputs(z, trials: epochs.trialCount)) }
        let columns = e.count / epochs.trialCount
        return Matrix(rows: epochs.trialCount, columns: columns, elements: e.storage.map(Double.init))
    }

    public func probabilities(_ epochs: Epochs) throws -> Matrix<Double> {
        let z = try standardisedFeatures(epochs)
        let p = withNoGrad { network.logits(network.nodeInputs(z, trials: epochs.trialCount)).softmax(axis: -1) }
        return Matrix(rows: epochs.trialCount, columns: classes.count, elements: p.storage.map(Double.init))
    }
}

/// Two graph convolutions on a fixed channel graph, concatenated node readout, linear head.
struct RicciGCNNetwork: Layer, @unchecked Sendable {
    let layer1: GraphConvolution
    let layer2: GraphConvolution
    let head: Linear
    let adjacency: NormalizedAdjacency
    let channels: Int
    let bands: Int
    let coordinates: [Float]
    let eigenmapDimensions: Int

    /// `[trials, channels, bands + m]`: standardised band powers, then the channel's eigenmap coordinates.
    func nodeInputs(_ z: [Double], trials: Int) -> Tensor {
        let width = bands + eigenmapDimensions
        var x = [Float](repeating: 0, count: trials * channels * width)
        for t in 0..<trials {
            for c in 0..<channels {
                let out = (t * channels + c) * width
                for b in 0..<bands { x[out + b] = Float(z[(t * channels + c) * bands + b]) }
                for k in 0..<eigenmapDimensions { x[out + bands + k] = coordinates[c * eigenmapDimensions + k] }
            }
        }
        return Tensor(x, shape: [trials, channels, width])
    }

    func embed(_ x: Tensor) -> Tensor {
        let h = layer1(x, adjacency: adjacency).relu()
        let e = layer2(h, adjacency: adjacency).relu()
        return e.reshaped([x.dimensions[0], channels * layer2.linear.outFeatures])
    }

    func logits(_ x: Tensor) -> Tensor { head(embed(x)) }

    var namedParameters: [(name: String, tensor: Tensor)] {
        Self.prefixed("gcn1", layer1) + Self.prefixed("gcn2", layer2) + Self.prefixed("head", head)
    }
}
