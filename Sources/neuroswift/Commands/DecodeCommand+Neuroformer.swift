import ArgumentParser
import Decoding
import Foundation

/// `neuroswift decode neuroformer`: few-shot behaviour decoding from a pretrained Neuroformer, beside
/// a ridge (Wiener filter) and a Bayesian place-field decoder on the same split.
struct DecodeNeuroformer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroformer",
        abstract: "Fine-tune a pretrained Neuroformer's behaviour head and decode held-out behaviour (vs ridge and Bayesian decoders).",
        discussion: """
            A fresh behaviour head is trained on the frozen pooled features of --shots of the training windows;
            all decoders are scored on the held-out windows (Pearson r, RMSE). Example:
              neuroswift decode neuroformer spikes.mat --behaviour trajectory.videoPositionTracking --split laps --model model.h5
            """)

    @OptionGroup var data: NeuroformerDataOptions
    @Option(help: "A model written by `neuroswift pretrain neuroformer`.", completion: .file()) var model: String
    @Option(help: "Fraction of the training windows with labels for fine-tuning (few-shot when small).") var shots = 1.0
    @Option(help: "Fine-tuning steps.") var steps = 400
    @Option(help: "Fine-tuning learning rate.") var learningRate: Float = 3e-3
    @Option(help: "Seed of the head initialisation, the shot subset and batching.") var seed: UInt64 = 0
    @Flag(help: "Print the results as JSON.") var json = false

    func validate() throws {
        guard data.behaviour != nil else { throw ValidationError("decode neuroformer needs --behaviour") }
        guard shots > 0 && shots <= 1 else { throw ValidationError("--shots must be in (0, 1], got \(shots)") }
        guard steps >= 2 else { throw ValidationError("--steps must be ≥ 2") }
    }

    func run() throws {
        let input = try data.load()
        guard FileManager.default.fileExists(atPath: model) else { throw CLIError.missingFile(path: model) }
        let pretrained = try NeuroformerCheckpoint.load(from: URL(fileURLWithPath: model))
        guard pretrained.configuration.neurons == input.raster.neurons else {
            throw ValidationError("the model has \(pretrained.configuration.neurons) neurons, the spikes \(input.raster.neurons)")
        }
        let behaviour = input.behaviour!
        let mask = try data.split.testMask(bins: input.raster.bins, behaviour: behaviour, binWidth: input.raster.binWidth, testFraction: data.testFraction)
        let trainValues = zip(behaviour, mask).filter { $0.0.isFinite && !$0.1 }.map(\.0)
        let mean = trainValues.reduce(0, +) / Double(max(trainValues.count, 1))
        let sd = (trainValues.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(trainValues.count - 1, 1))).squareRoot()
        let m = try pretrained.replacingBehaviourHead(outputs: 1, classification: false, mean: mean, scale: sd > 0 ? sd : 1, seed: seed)
        let stimulus = m.configuration.hasModality ? input.stimulus : nil
        if m.configuration.hasModality && stimulus == nil { throw ValidationError("the model was pretrained with a stimulus stream; these spikes have none") }
        let frames = try data.framesPerBin(for: m.configuration, raster: input.raster)
        let dataset = try NeuroformerDataset(raster: input.raster, configuration: m.configuration, modalityPerBin: stimulus, behaviourPerBin: behaviour,
                                             framesPerBin: frames)
        let (allTrain, test) = splitWindows(dataset, testMask: mask)
        guard allTrain.count >= 8, test.count >= 2 else { throw ValidationError("too few windows: \(allTrain.count) training, \(test.count) held out") }
        var g = SeededGenerator(seed: seed)
        let shotCount = max(8, Int(Double(allTrain.count) * shots))
        let train = shots < 1 ? g.permutation(allTrain.count).prefix(shotCount).map { allTrain[$0] }.sorted() : allTrain
        let progress = TerminalProgress()
        let start = Date()
        try NeuroformerTraining.fineTuneBehaviour(
            m, on: dataset, samples: train,
            options: .init(steps: steps, batchSize: min(64, train.count), learningRate: learningRate, warmupSteps: steps / 10, seed: seed),
            monitor: progress)
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let truth = test.map { dataset.behaviour![$0] }
        let nf = try m.predictBehaviour(on: dataset, samples: test)
        // Baselines on the same windows: counts in the past + current window.
        let c = m.configuration
        let ends = dataset.windows.map(\.endBin)
        let groups = (c.pastBins + c.currentBins) / c.currentBins
        let features = BehaviourDecodingBaselines.lagFeatures(input.raster, endBins: ends, groups: groups, binsPerGroup: c.currentBins)
        let p = groups * c.neurons
        let ridge = try BehaviourDecodingBaselines.ridge(features: features, p: p, targets: dataset.behaviour!, train: train, test: test)
        let windowCounts = BehaviourDecodingBaselines.lagFeatures(input.raster, endBins: ends, groups: 1, binsPerGroup: c.pastBins + c.currentBins)
        let bayes = BehaviourDecodingBaselines.bayesian(counts: windowCounts, neurons: c.neurons, position: dataset.behaviour!, train: train, test: test)
        func score(_ name: String, _ predicted: [Double]) throws -> DecodeNeuroformerSummary.Row {
            let rmse = (zip(predicted, truth).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(truth.count)).squareRoot()
            return .init(decoder: name, pearson: try Statistics.pearsonCorrelation(predicted, truth), rmse: rmse)
        }
        let summary = DecodeNeuroformerSummary(
            trainWindows: train.count, testWindows: test.count, seconds: seconds,
            rows: [try score("neuroformer (fine-tuned head)", nf), try score("ridge / Wiener filter", ridge), try score("Bayesian place-field", bayes)])
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        print("\(input.description); \(train.count) labelled training windows, \(test.count) held-out windows (split: \(data.split.rawValue))")
        var table = TextTable(["decoder", "Pearson r", "RMSE"], alignments: [.left, .right, .right])
        for row in summary.rows { table.append([row.decoder, fmt3(row.pearson), String(format: "%.3g", row.rmse)]) }
        print(table.render())
    }
}

struct DecodeNeuroformerSummary: Codable {
    struct Row: Codable {
        var decoder: String
        var pearson: Double
        var rmse: Double
    }
    var trainWindows: Int
    var testWindows: Int
    var seconds: Double
    var rows: [Row]
}
