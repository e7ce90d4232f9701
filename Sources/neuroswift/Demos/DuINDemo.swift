import Decoding
import Foundation

/// The simulated word-reading sEEG through Du-IN: epochs around the word annotations, one train/test
/// split, a small from-scratch classifier and a VQ-VAE → MAE → fine-tuned one (pretrained on the
/// unlabelled span), and the channel contributions against the planted informative channels.
struct DuINDemo: DemoPipeline {
    let name = "duin-seeg-decoding"
    let summary = "EDF+ → word epochs −0.5…2.5 s → Du-IN scratch vs VQ-VAE+MAE-pretrained (short runs), channel contributions vs planted channels"
    let inputFile = "duin-seeg.edf"

    func run(_ input: URL) throws -> DemoOutcome {
        let truthData = try Data(contentsOf: SimulateDuIN.truthURL(for: input))
        let truth = try JSONDecoder().decode(DuINTruthFile.self, from: truthData).truth
        let series = try RecordingFile.open(input)
        let data = try EpochExtraction(events: truth.wordLabels, band: nil, window: -0.5...2.5).epochs(from: [input])
        let split = try CrossValidation(scheme: .stratifiedKFold(folds: 4)).splits(labels: data.epochs.labels, groups: nil, seed: truth.seed)[0]
        let train = try data.epochs.subset(trials: split.train), test = try data.epochs.subset(trials: split.test)
        var unlabelled: DuINSignalPool? = nil
        if let span = series.annotations.first(where: { $0.label == "unlabelled" }) {
            unlabelled = try DuINSignalPool.from(series, seconds: span.onset..<span.end)
        }
        var config = DuINConfiguration.mini(channels: data.epochs.channelCount, samplingRate: data.epochs.samplingRate)
        config.layers = 1; config.decoderLayers = 1; config.codes = 64; config.codeDimension = 16; config.innerDimension = 32
        config.heads = 2; config.feedForwardDimension = 64; config.tokenizerChannels = 16
        var table = TextTable(["model", "test accuracy", "chance", "top channels (planted: \(truth.informative.count))", "seconds"])
        var results = [String: Double]()
        for (label, mode) in [("scratch", DuINDecoder.Pretraining.none), ("VQ-VAE+MAE", .mae)] {
            let start = Date()
            var decoder = DuINDecoder(pretraining: mode, configuration: config, vqvae: .vqvae(steps: 30), mae: .mae(steps: 30),
                                      classifier: .classifier(steps: 50), unlabelled: unlabelled)
            decoder.vqvae.batchSize = 16
            decoder.mae.batchSize = 16
            decoder.classifier.batchSize = 16
            decoder.classifier.learningRate = 1e-3
            decoder.vqvae.learningRate = 1e-3
            decoder.mae.learningRate = 1e-3
            let fitted = try decoder.fit(train, seed: truth.seed, monitor: SilentMonitor())
            let predicted = try fitted.predict(test)
            let accuracy = Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.trialCount)
            let scores = fitted.channelContributions
            let top = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(truth.informative.count)
            let hits = top.filter { truth.informative.contains(fitted.channels[$0]) }.count
            results[label] = accuracy
            table.append([label, String(format: "%.3f", accuracy), String(format: "%.3f", 1 / Double(truth.wordLabels.count)),
                          "\(hits)/\(truth.informative.count) planted", String(format: "%.2f", Date().timeIntervalSince(start))])
        }
        return DemoOutcome(
            table: table,
            headline: String(format: "%d words × %d trials; test accuracy scratch %.2f, pretrained %.2f (chance %.2f)",
                             truth.wordLabels.count, truth.simulation.trialsPerWord, results["scratch"] ?? 0, results["VQ-VAE+MAE"] ?? 0,
                             1 / Double(truth.wordLabels.count)))
    }
}
