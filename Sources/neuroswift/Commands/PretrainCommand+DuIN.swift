import ArgumentParser
import Decoding
import Foundation

/// `neuroswift pretrain duin`: Du-IN stage 1 (VQ-VAE neural tokenizer) and stage 2 (masked code
/// prediction) on whole recordings, labels unused.
struct PretrainDuIN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duin",
        abstract: "Du-IN self-supervised pretraining: VQ-VAE tokenizer (stage 1) and/or masked code modelling (stage 2).",
        discussion: """
            Every file is z-scored per channel and cut into random crops. --stage all writes the VQ-VAE to
            <output stem>.vqvae.h5 and the MAE to --output. Example:
              neuroswift pretrain duin sample-data/duin-seeg.edf --output duin-mae.h5 --steps 300
            then: neuroswift decode duin sample-data/duin-seeg.edf --pretrained duin-mae.h5
            """)

    enum Stage: String, ExpressibleByArgument, CaseIterable { case vqvae, mae, all }

    @Argument(help: "Recordings (EDF/BDF/BrainVision/EEGLAB/NWB…); labels are ignored.", completion: .file())
    var files: [String]
    @Option(help: "Checkpoint to write (HDF5).") var output: String
    @Option(help: "Stage: vqvae, mae (needs --tokenizer) or all.") var stage: Stage = .all
    @Option(help: "VQ-VAE checkpoint whose codes are the MAE's targets (--stage mae).") var tokenizer: String?
    @Option(help: "Optimiser steps per stage.") var steps = 300
    @Option(help: "Crops per batch.") var batchSize = 32
    @Option(help: "Crop length in seconds (rounded down to whole 100 ms patches).") var cropSeconds = 3.0
    @Option(parsing: .upToNextOption, help: "Channels to use (default: every signal channel).") var channels: [String] = []
    @Option(help: "Seed for initialisation, crops, masks and dropout.") var seed: UInt64 = 42
    @Option(help: "Codebook size K (default 512; fewer codes keep usage healthy on small or low-structure data such as scalp EEG).")
    var codes: Int?
    @Option(help: "Code dimension (default 32).") var codeDimension: Int?
    @Option(help: "Commitment weight β (default 1 as in the reference; 0.25 resists collapse).") var commitment: Float?
    @Option(help: "Restart codes whose EMA usage per batch falls below this many assignments (0 disables; default 0.01).")
    var deadCodeThreshold: Float?
    @Option(help: "Weight of the patch log-amplitude-spectrum reconstruction target (default 0: the raw signal only, as the reference).")
    var spectralWeight: Float?

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be > 0, got \(steps)") }
        guard batchSize > 1 else { throw ValidationError("--batch-size must be > 1, got \(batchSize)") }
        guard cropSeconds > 0 else { throw ValidationError("--crop-seconds must be > 0, got \(cropSeconds)") }
        if stage == .mae && tokenizer == nil { throw ValidationError("--stage mae needs --tokenizer <vqvae checkpoint>") }
        if let codes, codes < 2 { throw ValidationError("--codes must be ≥ 2, got \(codes)") }
        if let codeDimension, codeDimension < 1 { throw ValidationError("--code-dimension must be ≥ 1, got \(codeDimension)") }
        if let commitment, !(commitment >= 0) { throw ValidationError("--commitment must be ≥ 0, got \(commitment)") }
        if let spectralWeight, !(spectralWeight >= 0) { throw ValidationError("--spectral-weight must be ≥ 0, got \(spectralWeight)") }
    }

    func run() throws {
        let urls = files.map { URL(fileURLWithPath: $0) }
        for url in urls where !FileManager.default.fileExists(atPath: url.path) { throw CLIError.missingFile(path: url.path) }
        var pool: DuINSignalPool? = nil
        var rate: Double? = nil
        var names: [String] = []
        for url in urls {
            var series = try RecordingFile.open(url)
            let keep = channels.isEmpty ? series.channels.filter { $0.kind != .stimulus }.map(\.name) : channels
            series = try series.selecting(channels: keep)
            if let rate, rate != series.samplingRate || names != keep {
                throw ValidationError("\(url.path): channels or sampling rate differ from \(urls[0].lastPathComponent)")
            }
            rate = series.samplingRate
            names = keep
            let part = try DuINSignalPool.from(series)
            if pool == nil { pool = DuINSignalPool(channels: part.channels) }
            pool!.append(part.segments[0], length: part.lengths[0])
        }
        guard let pool, let rate else { throw ValidationError("no recordings given") }
        var configuration = DuINConfiguration.mini(channels: pool.channels, samplingRate: rate)
        if let codes { configuration.codes = codes }
        if let codeDimension { configuration.codeDimension = codeDimension }
        if let commitment { configuration.commitmentCost = commitment }
        if let deadCodeThreshold { configuration.deadCodeThreshold = deadCodeThreshold > 0 ? deadCodeThreshold : nil }
        if let spectralWeight { configuration.spectralWeight = spectralWeight > 0 ? spectralWeight : nil }
        if let tokenizer { configuration = try DuINCheckpoint.inspect(URL(fileURLWithPath: tokenizer)).configuration }
        let crop = Int(cropSeconds * rate) / configuration.patchLength * configuration.patchLength
        guard crop >= configuration.patchLength, crop <= pool.shortestSegment else {
            throw ValidationError("--crop-seconds \(cropSeconds) gives \(crop) samples; recordings hold \(pool.shortestSegment)")
        }
        let output = URL(fileURLWithPath: self.output)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let provenance = ExportProvenance(command: command, seed: seed, inputs: urls)
        var generator = SeededGenerator(seed: seed)
        let progress = TerminalProgress()
        var table = TextTable(["stage", "steps", "final loss", "detail", "checkpoint"], alignments: [.left, .right, .right, .left, .left])

        var vq: DuINVQVAE
        if let tokenizer {
            vq = try DuINCheckpoint.loadVQVAE(URL(fileURLWithPath: tokenizer))
        } else {
            vq = DuINVQVAE(configuration: configuration, generator: &generator)
            let log = try DuINTraining.trainVQVAE(vq, pool: pool, cropLength: crop, options: .vqvae(steps: steps).with(batchSize: batchSize),
                                                  seed: generator.next(), monitor: progress)
            progress.finish()
            let target = stage == .vqvae ? output : output.deletingPathExtension().appendingPathExtension("vqvae.h5")
            try DuINCheckpoint.save(vq, stage: .vqvae, configuration: configuration, to: target, provenance: provenance)
            table.append(["VQ-VAE", "\(log.losses.count)", String(format: "%.4f", DuINStageLog.tail(log.losses)),
                          String(format: "recon MSE %.3f (z-units), perplexity %.1f of %d, dead %.0f%%", DuINStageLog.tail(log.reconstruction),
                                 DuINStageLog.tail(log.perplexity), configuration.codes, 100 * (log.deadCodeFraction ?? 0)),
                          target.lastPathComponent])
        }
        if stage != .vqvae {
            let mae = DuINMAE(configuration: configuration, generator: &generator)
            let log = try DuINTraining.trainMAE(mae, tokenizer: vq, pool: pool, cropLength: crop, options: .mae(steps: steps).with(batchSize: batchSize),
                                                seed: generator.next(), monitor: progress)
            progress.finish()
            try DuINCheckpoint.save(mae, stage: .mae, configuration: configuration, to: output, provenance: provenance)
            table.append(["MAE", "\(log.losses.count)", String(format: "%.4f", DuINStageLog.tail(log.losses)),
                          String(format: "masked-code top-1 %.3f (majority code %.3f)", DuINStageLog.tail(log.accuracy),
                                 DuINStageLog.tail(log.majorityBaseline)), output.lastPathComponent])
        }
        print(String(format: "Du-IN pretraining on %d recording(s): %d channels at %.0f Hz, crops of %d samples (%d patches), d = %d",
                     urls.count, configuration.channels, rate, crop, crop / configuration.patchLength, configuration.modelDimension))
        print(table.render())
    }
}

extension DuINStageOptions {
    func with(batchSize: Int) -> DuINStageOptions {
        var copy = self
        copy.batchSize = batchSize
        return copy
    }
}
