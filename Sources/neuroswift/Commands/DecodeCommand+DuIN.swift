import ArgumentParser
import Decoding
import Foundation

/// `neuroswift decode duin`: cross-validated Du-IN word (or class) decoding with channel contributions.
struct DecodeDuIN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duin",
        abstract: "Cross-validate Du-IN (VQ-VAE/MAE-pretrained, from-scratch or frozen-encoder) on annotated sEEG/EEG.",
        discussion: """
            Epochs are cut around every annotation in --events (default: all labels except 'unlabelled').
            --mode mae/vqvae pretrains inside each fold on the training trials (plus spans annotated
            'unlabelled' with --use-unlabelled); --pretrained starts every fold from a checkpoint of
            `neuroswift pretrain duin` instead. Example:
              neuroswift decode duin sample-data/duin-seeg.edf --mode mae --steps 150 --use-unlabelled
            --save-model fits once more on every trial after cross-validation and saves that classifier
            (HDF5); --model predicts with a saved classifier instead of training:
              neuroswift decode duin new.edf --model words.h5
            """)

    enum Mode: String, ExpressibleByArgument, CaseIterable { case scratch, vqvae, mae, frozen }

    @Argument(help: "Recordings with event annotations.", completion: .file())
    var files: [String]
    @Option(help: "Comma-separated annotation labels, one class each (default: every label except 'unlabelled').")
    var events: String?
    @Option(parsing: .upToNextOption, help: "Epoch window in seconds around each event (start end).")
    var window: [Double] = [-0.5, 2.5]
    @Option(parsing: .upToNextOption, help: "Pass band in Hz (low high); default none.") var band: [Double] = []
    @Option(help: "scratch, vqvae, mae (fine-tuned) or frozen (MAE encoder, head only).") var mode: Mode = .mae
    @Option(help: "VQ-VAE or MAE checkpoint to start the encoder from (skips in-fold pretraining).") var pretrained: String?
    @Option(help: "Optimiser steps per stage.") var steps = 200
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Keep the k channels of largest contribution (screened inside each fold).") var selectChannels: Int?
    @Flag(help: "Add the spans annotated 'unlabelled' to the pretraining data.") var useUnlabelled = false
    @Option(help: "Stratified folds.") var folds = 5
    @Option(parsing: .upToNextOption, help: "Channels to use (default: every signal channel).") var channels: [String] = []
    @Option(help: "Seed.") var seed: UInt64 = 42
    @Flag(help: "Print the results as JSON.") var json = false
    @Option(help: "Fine-tuning a pretrained encoder: its learning rate relative to the head's (1 = the reference).") var encoderLrScale: Float = 1
    @Option(help: "Fine-tuning a pretrained encoder: fraction of the steps that train the head alone first.") var frozenFraction = 0.0
    @Option(help: "After cross-validation, fit on every trial and save that classifier here (HDF5 checkpoint).") var saveModel: String?
    @Option(help: "Predict with a classifier saved by --save-model (no training); reports accuracy against the files' labels.")
    var model: String?

    func validate() throws {
        guard window.count == 2, window[0] < window[1] else { throw ValidationError("--window takes two increasing values, got \(window)") }
        guard band.isEmpty || (band.count == 2 && band[0] < band[1]) else { throw ValidationError("--band takes two increasing values, got \(band)") }
        guard folds >= 2 else { throw ValidationError("--folds must be ≥ 2, got \(folds)") }
        guard steps > 0, batchSize > 1 else { throw ValidationError("--steps must be > 0 and --batch-size > 1") }
        guard encoderLrScale >= 0, (0..<1).contains(frozenFraction) else { throw ValidationError("--encoder-lr-scale must be ≥ 0 and --frozen-fraction in [0, 1)") }
        guard model == nil || saveModel == nil else { throw ValidationError("--model predicts with a saved classifier; it cannot be combined with --save-model") }
    }

    func run() throws {
        let urls = files.map { URL(fileURLWithPath: $0) }
        for url in urls where !FileManager.default.fileExists(atPath: url.path) { throw CLIError.missingFile(path: url.path) }
        if let model { return try predict(urls, model: URL(fileURLWithPath: model)) }
        var labels = events.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        var unlabelled: DuINSignalPool? = nil
        for url in urls {
            let series = try RecordingFile.open(url)
            if events == nil { labels += series.annotations.labels.filter { $0 != "unlabelled" && !labels.contains($0) } }
            if useUnlabelled {
                let keep = channels.isEmpty ? series.channels.filter { $0.kind != .stimulus }.map(\.name) : channels
                let selected = try series.selecting(channels: keep)
                for span in series.annotations where span.label == "unlabelled" && span.duration > 0 {
                    let part = try DuINSignalPool.from(selected, seconds: span.onset..<span.end)
                    if unlabelled == nil { unlabelled = DuINSignalPool(channels: part.channels) }
                    unlabelled!.append(part.segments[0], length: part.lengths[0])
                }
            }
        }
        guard Set(labels).count >= 2 else { throw ValidationError("need at least two event labels, found \(labels)") }
        let extraction = EpochExtraction(events: labels, band: band.isEmpty ? nil : band[0]...band[1], window: window[0]...window[1],
                                         channels: channels.isEmpty ? nil : channels)
        let data = try extraction.epochs(from: urls)
        var decoder = DuINDecoder(
            pretraining: mode == .scratch ? .none : (mode == .vqvae ? .vqvae : .mae), frozenEncoder: mode == .frozen,
            vqvae: .vqvae(steps: steps).with(batchSize: batchSize), mae: .mae(steps: steps).with(batchSize: batchSize),
            classifier: .classifier(steps: steps).with(batchSize: batchSize), selectTopChannels: selectChannels, unlabelled: unlabelled)
        decoder.pretrainedCheckpoint = pretrained.map { URL(fileURLWithPath: $0) }
        if mode != .scratch && mode != .frozen {
            decoder.classifier.encoderLearningRateScale = encoderLrScale
            decoder.classifier.frozenEncoderSteps = Int(frozenFraction * Double(steps))
        }
        let splits = try CrossValidation(scheme: .stratifiedKFold(folds: folds)).splits(labels: data.epochs.labels, groups: nil, seed: seed)
        let progress = TerminalProgress()
        var accuracies = [Double](), contributions = [String: [Double]]()
        let start = Date()
        for (f, split) in splits.enumerated() {
            let train = try data.epochs.subset(trials: split.train), test = try data.epochs.subset(trials: split.test)
            let fitted = try decoder.fit(train, seed: seed &+ UInt64(f), monitor: progress)
            let predicted = try fitted.predict(test)
            accuracies.append(Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.trialCount))
            for (name, score) in zip(fitted.channelNames, fitted.channelContributions) { contributions[name, default: []].append(score) }
        }
        if let saveModel {
            let fitted = try decoder.fit(data.epochs, seed: seed, monitor: progress)
            let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            try fitted.save(to: URL(fileURLWithPath: saveModel), provenance: ExportProvenance(command: command, seed: seed))
        }
        progress.finish()
        let classes = Set(data.epochs.labels).count
        let mean = accuracies.reduce(0, +) / Double(accuracies.count)
        let sd = (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(accuracies.count - 1, 1))).squareRoot()
        let ranking = contributions.map { (name: $0.key, score: $0.value.reduce(0, +) / Double($0.value.count)) }.sorted { $0.score > $1.score }
        if json {
            let summary = DuINDecodeSummary(mode: mode.rawValue, classes: classes, trials: data.epochs.trialCount, channels: data.epochs.channelCount,
                                            foldAccuracies: accuracies, meanAccuracy: mean, chance: 1 / Double(classes),
                                            channelRanking: ranking.map(\.name), channelScores: ranking.map(\.score),
                                            seconds: Date().timeIntervalSince(start))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        print(String(format: "Du-IN (%@) on %d trials × %d channels × %d samples at %.0f Hz, %d classes, %d-fold CV: accuracy %.3f ± %.3f (chance %.3f), %.1f s",
                     mode.rawValue, data.epochs.trialCount, data.epochs.channelCount, data.epochs.sampleCount, data.epochs.samplingRate,
                     classes, folds, mean, sd, 1 / Double(classes), Date().timeIntervalSince(start)))
        var table = TextTable(["channel", "contribution (mean |W|)"])
        for row in ranking { table.append([row.name, String(format: "%.4f", row.score)]) }
        print(table.render())
        if let saveModel { print("classifier fitted on all \(data.epochs.trialCount) trials saved to \(saveModel)") }
    }

    /// `--model`: the saved classifier's predictions for every epoch of the files (its classes,
    /// its channels), scored against their labels.
    func predict(_ urls: [URL], model url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError.missingFile(path: url.path) }
        let fitted = try FittedDuIN.load(url)
        let labels = events.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? fitted.classes
        let extraction = EpochExtraction(events: labels, band: band.isEmpty ? nil : band[0]...band[1], window: window[0]...window[1],
                                         channels: channels.isEmpty ? fitted.channelNames : channels)
        let epochs = try extraction.epochs(from: urls).epochs
        let predicted = try fitted.predict(epochs)
        let correct = zip(predicted, epochs.labels).filter { $0 == $1 }.count
        let accuracy = Double(correct) / Double(max(epochs.trialCount, 1))
        if json {
            let summary = DuINPredictSummary(model: url.path, classes: fitted.classes, trials: epochs.trialCount, accuracy: accuracy,
                                             chance: 1 / Double(fitted.classes.count), labels: epochs.labels, predictions: predicted)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        print(String(format: "Du-IN classifier %@ on %d trials × %d channels: accuracy %.3f (%d/%d, chance %.3f)",
                     url.lastPathComponent, epochs.trialCount, fitted.channelNames.count, accuracy, correct, epochs.trialCount,
                     1 / Double(fitted.classes.count)))
        var table = TextTable(["class", "trials", "predicted as it", "correct"])
        for c in fitted.classes {
            table.append([c, "\(epochs.labels.filter { $0 == c }.count)", "\(predicted.filter { $0 == c }.count)",
                          "\(zip(predicted, epochs.labels).filter { $0 == c && $1 == c }.count)"])
        }
        print(table.render())
    }
}

struct DuINPredictSummary: Codable {
    var model: String
    var classes: [String]
    var trials: Int
    var accuracy: Double
    var chance: Double
    var labels: [String]
    var predictions: [String]
}

struct DuINDecodeSummary: Codable {
    var mode: String
    var classes: Int
    var trials: Int
    var channels: Int
    var foldAccuracies: [Double]
    var meanAccuracy: Double
    var chance: Double
    var channelRanking: [String]
    var channelScores: [Double]
    var seconds: Double
}
