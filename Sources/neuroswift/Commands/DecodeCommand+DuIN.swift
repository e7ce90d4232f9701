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

    func validate() throws {
        guard window.count == 2, window[0] < window[1] else { throw ValidationError("--window takes two increasing values, got \(window)") }
        guard band.isEmpty || (band.count == 2 && band[0] < band[1]) else { throw ValidationError("--band takes two increasing values, got \(band)") }
        guard folds >= 2 else { throw ValidationError("--folds must be ≥ 2, got \(folds)") }
        guard steps > 0, batchSize > 1 else { throw ValidationError("--steps must be > 0 and --batch-size > 1") }
    }

    func run() throws {
        let urls = files.map { URL(fileURLWithPath: $0) }
        for url in urls where !FileManager.default.fileExists(atPath: url.path) { throw CLIError.missingFile(path: url.path) }
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
    }
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
