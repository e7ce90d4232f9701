import ArgumentParser
import Decoding
import Foundation

/// Options shared by the Neuroformer commands that read spikes and split them.
struct NeuroformerDataOptions: ParsableArguments {
    @Argument(help: "Spikes: a `simulate neuroformer` .h5, a MatClust spikes.mat, an NWB file or a Phy folder.", completion: .file())
    var spikes: String
    @Option(help: "Behaviour: the simulation .h5, a .videoPositionTracking file or a CSV of time,value rows.", completion: .file())
    var behaviour: String?
    @Option(help: "Bin width in seconds for spike-time inputs.") var binWidth = 0.01
    @Option(help: "Held-out split: time (the last --test-fraction) or laps (every 4th lap of a track position).")
    var split: NeuroformerSplit = .time
    @Option(help: "Fraction of the recording held out with --split time.") var testFraction = 0.2
    @Flag(help: "Do not use the simulation's stimulus as a modality stream.") var noStimulus = false
    @Option(help: """
        Grey video frames as a frame stream: an NPY array or an HDF5 file with a `frames` dataset, frames × height × width \
        (any numeric type). A model pretrained with frames needs them again in decode and generate.
        """, completion: .file())
    var frames: String?
    @Option(help: "Frames per second of --frames (default: one frame per spike bin, frame k = bin k).") var frameRate: Double?
    @Option(help: "Time of the first frame on the spikes' clock in seconds (default: the first spike bin).") var frameStart: Double?

    func validate() throws {
        guard binWidth > 0 else { throw ValidationError("--bin-width must be > 0, got \(binWidth)") }
        guard testFraction > 0 && testFraction < 1 else { throw ValidationError("--test-fraction must be in (0, 1), got \(testFraction)") }
        if let frameRate, !(frameRate > 0 && frameRate.isFinite) { throw ValidationError("--frame-rate must be > 0, got \(frameRate)") }
        if frames == nil && (frameRate != nil || frameStart != nil) { throw ValidationError("--frame-rate and --frame-start need --frames") }
    }

    /// The video of --frames, if given.
    func loadVideo() throws -> NeuroformerVideo? {
        guard let frames else { return nil }
        let url = URL(fileURLWithPath: frames)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError.missingFile(path: frames) }
        let shape: [Int], pixels: [Float]
        switch url.pathExtension.lowercased() {
        case "npy":
            let array = try NPYFile.read(url)
            shape = array.shape
            guard !array.elementType.isComplex else { throw CLIError.unsupportedFormat(path: frames, detail: "complex frames; expected grey values") }
            pixels = array.floats
        case "h5", "hdf5":
            let file = try HDF5File.open(at: url)
            defer { try? file.close() }
            guard file.root.contains("frames") else { throw CLIError.unsupportedFormat(path: frames, detail: "no `frames` dataset (frames × height × width)") }
            let dataset = try file.root.dataset("frames")
            shape = dataset.shape
            pixels = try dataset.readFloats()
        default:
            throw CLIError.unsupportedFormat(path: frames, detail: "frames must be an .npy array or an HDF5 file with a `frames` dataset")
        }
        guard shape.count == 3 else {
            throw CLIError.unsupportedFormat(path: frames, detail: "frames must be frames × height × width, found shape \(shape)")
        }
        return try NeuroformerVideo(frames: shape[0], height: shape[1], width: shape[2], pixels: pixels, frameRate: frameRate, start: frameStart)
    }

    /// Per-bin frames for a model's frame stream, checking that the model and --frames agree.
    func framesPerBin(for configuration: NeuroformerConfiguration, raster: SpikeRaster) throws -> [Float]? {
        let video = try loadVideo()
        guard configuration.hasFrames else {
            if video != nil { throw ValidationError("the model has no frame stream (it was pretrained without --frames); drop --frames") }
            return nil
        }
        guard let video else {
            throw ValidationError("the model was pretrained with video frames (\(configuration.frameHeight ?? 0)×\(configuration.frameWidth ?? 0) pixels); pass them with --frames")
        }
        guard video.height == configuration.frameHeight, video.width == configuration.frameWidth else {
            throw NeuroformerError.shapeMismatch(what: "frames", expected: "\(configuration.frameHeight ?? 0)×\(configuration.frameWidth ?? 0) pixels (the model's frame stream)",
                                                 found: "\(video.height)×\(video.width)")
        }
        return try video.framesPerBin(for: raster)
    }

    func load() throws -> NeuroformerInput {
        var input = try NeuroformerInput.load(spikes: spikes, binWidth: binWidth, behaviour: behaviour)
        if noStimulus { input.stimulus = nil }
        return input
    }
}

struct PretrainNeuroformer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroformer",
        abstract: "Pretrain a Neuroformer (spike-token GPT with past-window and modality cross-attention) on spikes.",
        discussion: """
            Trains on the training windows only (see --split); reports held-out next-neuron accuracy against the
            most-frequent-neuron baseline and, for simulated data, hub-edge recovery from attention beside a
            lagged cross-correlation. Example:
              neuroswift pretrain neuroformer sample-data/neuroformer.h5 --behaviour sample-data/neuroformer.h5 --config mini -o model.h5
            """)

    @OptionGroup var data: NeuroformerDataOptions
    @Option(help: "Model size: mini (methods note §D1) or tiny.") var config = "mini"
    @Option(name: [.short, .long], help: "Output model file (HDF5).") var output: String
    @Option(help: "Optimiser steps.") var steps = 1000
    @Option(help: "Windows per mini-batch.") var batchSize = 64
    @Option(help: "Peak learning rate.") var learningRate: Float = 1e-3
    @Option(help: "Linear warm-up steps.") var warmup = 200
    @Option(help: "Weight of the behaviour head's loss (with --behaviour).") var behaviourWeight: Float = 1
    @Option(help: "Token budget of the current window (default: the preset's; windows with more spikes keep their last ones).") var currentBlock: Int?
    @Option(help: "Token budget of the past window (default: the preset's).") var pastBlock: Int?
    @Option(help: "Side of the square frame patches that become frame tokens (must divide the frame height and width).") var framePatch: Int?
    @Option(help: "Cross-attention blocks onto the frame tokens.") var frameLayers = 1
    @Option(help: "Seed of the initialisation, batching and dropout.") var seed: UInt64 = 0
    @Flag(help: "Print the results as JSON.") var json = false

    func validate() throws {
        if data.frames == nil && framePatch != nil { throw ValidationError("--frame-patch needs --frames") }
        if let framePatch, framePatch < 1 { throw ValidationError("--frame-patch must be ≥ 1, got \(framePatch)") }
        if let currentBlock, currentBlock < 3 { throw ValidationError("--current-block must be ≥ 3, got \(currentBlock)") }
        if let pastBlock, pastBlock < 3 { throw ValidationError("--past-block must be ≥ 3, got \(pastBlock)") }
        guard frameLayers >= 1 else { throw ValidationError("--frame-layers must be ≥ 1, got \(frameLayers)") }
        guard NeuroformerConfiguration.preset(config, neurons: 1) != nil else { throw ValidationError("--config must be mini or tiny, got \(config)") }
        guard steps >= 1, batchSize >= 2, warmup >= 0, warmup < steps else {
            throw ValidationError("need --steps ≥ 1, --batch-size ≥ 2 and 0 ≤ --warmup < --steps")
        }
    }

    func run() throws {
        let input = try data.load()
        var c = NeuroformerConfiguration.preset(config, neurons: input.raster.neurons)!
        c.binWidth = input.raster.binWidth
        if let currentBlock { c.currentBlock = currentBlock }
        if let pastBlock { c.pastBlock = pastBlock }
        if input.stimulus != nil {
            c.modalityFeatures = 1
            c.modalityTokens = c.pastBins + c.currentBins
            c.modalityLayers = 1
        }
        var framesPerBin: [Float]?
        if let video = try data.loadVideo() {
            // The largest of 8, 4, 2, 1 that divides the frame unless --frame-patch says otherwise.
            let divides: (Int) -> Bool = { p in video.height % p == 0 && video.width % p == 0 }
            let patch: Int = framePatch ?? ([8, 4, 2].first(where: divides) ?? 1)
            guard video.height % patch == 0, video.width % patch == 0 else {
                throw ValidationError("--frame-patch \(patch) must divide the frame size \(video.height)×\(video.width)")
            }
            let statistics = video.pixelStatistics
            c.frameHeight = video.height
            c.frameWidth = video.width
            c.framePatch = patch
            c.frameLayers = frameLayers
            c.framePixelMean = statistics.mean
            c.framePixelScale = statistics.scale
            framesPerBin = try video.framesPerBin(for: input.raster)
        }
        let mask = try data.split.testMask(bins: input.raster.bins, behaviour: input.behaviour, binWidth: input.raster.binWidth,
                                           testFraction: data.testFraction)
        if let behaviour = input.behaviour {
            let values = zip(behaviour, mask).filter { $0.0.isFinite && !$0.1 }.map(\.0)
            let mean = values.reduce(0, +) / Double(max(values.count, 1))
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))).squareRoot()
            c.behaviourOutputs = 1
            c.behaviourMean = mean
            c.behaviourScale = sd > 0 ? sd : 1
        }
        let dataset = try NeuroformerDataset(raster: input.raster, configuration: c, modalityPerBin: input.stimulus, behaviourPerBin: input.behaviour,
                                             framesPerBin: framesPerBin)
        let (train, test) = splitWindows(dataset, testMask: mask)
        let model = try NeuroformerModel(configuration: c, seed: seed)
        let options = NeuroformerTrainingOptions(
            steps: steps, batchSize: batchSize, learningRate: learningRate, warmupSteps: warmup, seed: seed,
            weights: .init(behaviour: behaviourWeight))
        let progress = TerminalProgress()
        let start = Date()
        let report = try NeuroformerTraining.pretrain(model, on: dataset, samples: train, options: options, monitor: progress)
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let tokens = Double(report.progress.step * batchSize * c.currentBlock)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try NeuroformerCheckpoint.save(model, to: URL(fileURLWithPath: output),
                                       provenance: ExportProvenance(command: command, seed: seed, inputs: [URL(fileURLWithPath: data.spikes)]))
        var summary = PretrainSummary(
            parameters: model.parameterCount, trainWindows: train.count, testWindows: test.count, steps: report.progress.step,
            seconds: seconds, tokensPerSecond: tokens / max(seconds, 1e-9),
            metrics: model.tokenMetrics(on: dataset, samples: test))
        let truncated = dataset.truncatedWindows(train)
        summary.truncatedCurrentWindows = truncated.current
        summary.truncatedPastWindows = truncated.past
        if let truth = input.truth {
            let n = c.neurons
            let hub = truth.hubEdges, all = truth.hubEdges + truth.weakEdges, none = truth.nonEdges
            let attention = SpikeConnectivity.attention(model, on: dataset, samples: test)
            let final = SpikeConnectivity.doubleCentred(attention, neurons: n)
            let shuffled = SpikeConnectivity.attention(model, on: dataset, samples: test, shufflePastSeed: seed &+ 1)
            let xcorr = SpikeConnectivity.laggedCrossCorrelation(input.raster, bins: 0..<Int(Double(input.raster.bins) * (1 - data.testFraction)))
            summary.attentionHubAUROC = try SpikeConnectivity.auroc(attention, positive: hub, negative: none)
            summary.attentionAllEdgeAUROC = try SpikeConnectivity.auroc(attention, positive: all, negative: none)
            let normalised = SpikeConnectivity.sourceNormalised(attention, neurons: n)
            summary.sourceNormalisedHubAUROC = try SpikeConnectivity.auroc(normalised, positive: hub, negative: none)
            summary.sourceNormalisedAllEdgeAUROC = try SpikeConnectivity.auroc(normalised, positive: all, negative: none)
            summary.finalHubAUROC = try SpikeConnectivity.auroc(final, positive: hub, negative: none)
            summary.finalAllEdgeAUROC = try SpikeConnectivity.auroc(final, positive: all, negative: none)
            summary.shuffledAttentionHubAUROC = try SpikeConnectivity.auroc(shuffled, positive: hub, negative: none)
            summary.shuffledFinalHubAUROC = try SpikeConnectivity.auroc(SpikeConnectivity.doubleCentred(shuffled, neurons: n), positive: hub, negative: none)
            summary.crossCorrelationHubAUROC = try SpikeConnectivity.auroc(xcorr, positive: hub, negative: none)
            summary.crossCorrelationAllEdgeAUROC = try SpikeConnectivity.auroc(xcorr, positive: all, negative: none)
            let outgoing = (0..<n).map { j in (0..<n).filter { $0 != j }.reduce(0.0) { $0 + attention[$1 * n + j] } }
            summary.topSources = Array(outgoing.indices.sorted { outgoing[$0] > outgoing[$1] }.prefix(truth.simulation.hubs))
            summary.directionality = Double(all.filter { e in final[e] > final[(e % n) * n + e / n] }.count) / Double(max(all.count, 1))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        print("wrote \(output): Neuroformer-\(config), \(summary.parameters) parameters; \(input.description)")
        print(String(format: "%d steps on %d training windows in %.1f s (%.0f tokens/s); %d held-out windows",
                     summary.steps, train.count, seconds, summary.tokensPerSecond, test.count))
        var table = TextTable(["held-out metric", "value", "baseline"], alignments: [.left, .right, .right])
        let m = summary.metrics
        table.append(["next-neuron accuracy", fmt3(m.idAccuracy), fmt3(m.mostFrequentIDAccuracy) + " (most frequent)"])
        table.append(["  argmax over all tokens", fmt3(m.idAccuracyAnyToken), ""])
        table.append(["next-offset accuracy", fmt3(m.offsetAccuracy), fmt3(m.offsetPriorAccuracy) + " (prior mode)"])
        if let a = summary.attentionHubAUROC, let x = summary.crossCorrelationHubAUROC {
            table.append(["hub-edge AUROC (attention)", fmt3(a), fmt3(x) + " (lagged xcorr)"])
            table.append(["hub-edge AUROC (attention / source mean)", fmt3(summary.sourceNormalisedHubAUROC ?? .nan), ""])
            table.append(["hub-edge AUROC (final: double-centred)", fmt3(summary.finalHubAUROC ?? .nan), fmt3(x) + " (lagged xcorr)"])
            table.append(["  shuffle control, raw / final", fmt3(summary.shuffledAttentionHubAUROC ?? .nan) + " / " + fmt3(summary.shuffledFinalHubAUROC ?? .nan), "0.5 (chance)"])
            table.append(["all-edge AUROC (attention)", fmt3(summary.attentionAllEdgeAUROC ?? .nan), fmt3(summary.crossCorrelationAllEdgeAUROC ?? .nan) + " (lagged xcorr)"])
            table.append(["top sources by attention", summary.topSources.map(String.init).joined(separator: ","), "hubs 0..<\(input.truth!.simulation.hubs)"])
            table.append(["edges with S[i,j] > S[j,i] (final)", fmt3(summary.directionality ?? .nan), "0.5 (chance)"])
        }
        print(table.render())
    }
}

struct PretrainSummary: Codable {
    var parameters: Int
    var trainWindows: Int
    var testWindows: Int
    var steps: Int
    var seconds: Double
    var tokensPerSecond: Double
    var metrics: NeuroformerTokenMetrics
    var attentionHubAUROC: Double?
    var attentionAllEdgeAUROC: Double?
    var sourceNormalisedHubAUROC: Double?
    var sourceNormalisedAllEdgeAUROC: Double?
    /// The documented final read-out (`SpikeConnectivity.doubleCentred` of the attention enrichment).
    var finalHubAUROC: Double?
    var finalAllEdgeAUROC: Double?
    /// Shuffle control: the same read-outs with the past window's neuron identities permuted.
    var shuffledAttentionHubAUROC: Double?
    var shuffledFinalHubAUROC: Double?
    var crossCorrelationHubAUROC: Double?
    var crossCorrelationAllEdgeAUROC: Double?
    /// Fractions of the training windows with more spikes than the current / past block holds.
    var truncatedCurrentWindows: Double?
    var truncatedPastWindows: Double?
    var topSources: [Int] = []
    var directionality: Double?
}

func fmt3(_ x: Double) -> String { String(format: "%.3f", x) }
