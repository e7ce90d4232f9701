import Decoding
import Foundation

// Du-IN timing and validation runs, printed as one JSON object on standard output.
//
//   neuro-bench-duin steps [--repeats 5] [--warmup 2] [--batch 32]
//       one training step (forward, backward, AdamW) of each stage of Du-IN-mini — VQ-VAE and MAE on
//       4 s crops (40 patches), classifier on 3 s epochs (30 patches), 10 channels at 250 Hz — exactly
//       as Benchmarks/compare/duin.py times the same architecture in PyTorch (dropout 0, fixed batch).
//   neuro-bench-duin simulated [--seed 7] [--steps 150] [--seeds 3]
//       the simulator validation (scripts/validate_duin.py): 5-fold accuracy of every variant, scarce
//       labels (10 per word) pretrained vs scratch over seeds, shuffled labels, channel ranking.
//   neuro-bench-duin eegmmidb --data ../shared/data [--steps 150]
//       Du-IN beside ts-lr and csp-lda on identical epochs and folds (left vs right fist, runs 3/4/7/8/11/12).

let mode = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "steps"
let options: [String: String] = {
    var arguments = Array(CommandLine.arguments.dropFirst(2))
    var result = [String: String]()
    while !arguments.isEmpty {
        let key = arguments.removeFirst()
        guard key.hasPrefix("--"), !arguments.isEmpty else { FileHandle.standardError.write(Data("bad argument \(key)\n".utf8)); exit(2) }
        result[String(key.dropFirst(2))] = arguments.removeFirst()
    }
    return result
}()
func int(_ name: String, _ fallback: Int) -> Int { options[name].flatMap(Int.init) ?? fallback }

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func emit(_ object: [String: Any]) throws {
    let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    print(String(decoding: json, as: UTF8.self))
}

/// Best wall and CPU seconds of `repeats` calls after `warmup`.
func time(repeats: Int, warmup: Int, _ body: () -> Float) -> (seconds: Double, cpu: Double, loss: Double) {
    var loss: Float = 0
    for _ in 0..<warmup { loss = body() }
    var fastest = Double.infinity, leastCPU = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds, cpu = processCPUSeconds()
        loss = body()
        leastCPU = min(leastCPU, processCPUSeconds() - cpu)
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return (fastest, leastCPU, Double(loss))
}

func steps() throws {
    let repeats = int("repeats", 5), warmup = int("warmup", 2), batch = int("batch", 32)
    var config = DuINConfiguration.mini(channels: 10, samplingRate: 250)
    config.spectralWeight = 1  // the twin in compare/duin.py includes the spectral head
    config.dropout = 0
    config.attentionDropout = 0
    config.deadCodeThreshold = nil
    var g = SeededGenerator(seed: 3)
    let crop = 40 * config.patchLength, epoch = 30 * config.patchLength
    let x4 = Tensor((0..<(batch * 10 * crop)).map { _ in Float(g.standardNormal()) }, shape: [batch, 10, crop])
    let x3 = Tensor((0..<(batch * 10 * epoch)).map { _ in Float(g.standardNormal()) }, shape: [batch, 10, epoch])
    let labels = (0..<batch).map { $0 % 20 }
    let context = TrainingContext(seed: 1)

    let vq = DuINVQVAE(configuration: config, generator: &g)
    let vqOptimizer = Adam.adamW(parameters: vq.parameters, learningRate: 3e-4, weightDecay: 0.01)
    let vqTime = time(repeats: repeats, warmup: warmup) {
        vqOptimizer.zeroGrad()
        let loss = vq(x4, training: context).loss
        loss.backward()
        vqOptimizer.step()
        return loss.item
    }
    let targets = vq.codeIndices(x4)
    let mae = DuINMAE(configuration: config, generator: &g)
    let maeOptimizer = Adam.adamW(parameters: mae.parameters, learningRate: 3e-4, weightDecay: 0.05)
    let mask = DuINMAE.randomMask(batch: batch, tokens: 40, ratio: 0.5, generator: &g)
    let maeTime = time(repeats: repeats, warmup: warmup) {
        maeOptimizer.zeroGrad()
        let loss = Tensor.crossEntropy(logits: mae.logits(x4, mask: mask, training: context), targets: targets)
        loss.backward()
        maeOptimizer.step()
        return loss.item
    }
    let cls = DuINClassifierModel(configuration: config, tokens: 30, classes: 20, generator: &g)
    let clsOptimizer = Adam.adamW(parameters: cls.parameters, learningRate: 2e-4, weightDecay: 0.05)
    let clsTime = time(repeats: repeats, warmup: warmup) {
        clsOptimizer.zeroGrad()
        let loss = Tensor.crossEntropy(logits: cls(x3, training: context), targets: labels)
        loss.backward()
        clsOptimizer.step()
        return loss.item
    }
    try emit([
        "batch": batch, "repeats": repeats, "warmup": warmup, "blasThreads": BLASThreads.count, "kernelThreads": KernelThreads.count,
        "parameters": ["vqvae": vq.parameterCount, "mae": mae.parameterCount, "classifier": cls.parameterCount],
        "vqvae": ["seconds": vqTime.seconds, "cpuSeconds": vqTime.cpu, "loss": vqTime.loss],
        "mae": ["seconds": maeTime.seconds, "cpuSeconds": maeTime.cpu, "loss": maeTime.loss],
        "classifier": ["seconds": clsTime.seconds, "cpuSeconds": clsTime.cpu, "loss": clsTime.loss],
    ])
}

func accuracy(_ fitted: FittedDuIN, _ test: Epochs) throws -> Double {
    let predicted = try fitted.predict(test)
    return Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.trialCount)
}

func double(_ name: String, _ fallback: Double) -> Double { options[name].flatMap(Double.init) ?? fallback }

/// Fine-tuning recipe for pretrained encoders (`--encoder-lr-scale`, `--frozen-steps` as a fraction of
/// the classifier steps); scratch models always train every weight at the full rate.
let encoderScale = Float(double("encoder-lr-scale", 1)), frozenFraction = double("frozen-fraction", 0)

func decoder(_ pretraining: DuINDecoder.Pretraining, frozen: Bool = false, steps: Int, checkpoint: URL? = nil) -> DuINDecoder {
    var d = DuINDecoder(pretraining: pretraining, frozenEncoder: frozen, classifier: .classifier(steps: steps))
    d.pretrainedCheckpoint = checkpoint
    d.classifier.learningRate = frozen ? 3e-3 : 1e-3
    d.classifier.minimumLearningRate = 2e-5
    if checkpoint != nil && !frozen {
        d.classifier.encoderLearningRateScale = encoderScale
        d.classifier.frozenEncoderSteps = Int(frozenFraction * Double(steps))
    }
    return d
}

/// Stage 1 settings from the command line (`--codes`, `--code-dim`, `--beta`, `--dead`).
func configured(_ c: DuINConfiguration) -> DuINConfiguration {
    var c = c
    c.codes = int("codes", c.codes)
    c.codeDimension = int("code-dim", c.codeDimension)
    c.commitmentCost = Float(double("beta", Double(c.commitmentCost)))
    if let dead = options["dead"].flatMap(Float.init) { c.deadCodeThreshold = dead > 0 ? dead : nil }
    // `--spectral W`: weight of the patch log-amplitude-spectrum target (0 or absent: the reference's
    // raw-signal-only stage 1).
    if let w = options["spectral"].flatMap(Float.init) { c.spectralWeight = w > 0 ? w : nil }
    return c
}

/// Stages 1 and 2 once on unlabelled signals (no trial of any fold is involved); returns the two
/// checkpoints and the stage logs.
func pretrain(_ pool: DuINSignalPool, configuration: DuINConfiguration, cropPatches: Int, steps: Int, seed: UInt64) throws
    -> (vqvae: URL, mae: URL, vqLog: DuINStageLog, maeLog: DuINStageLog) {
    var g = SeededGenerator(seed: seed)
    let crop = cropPatches * configuration.patchLength
    var vqOptions = DuINStageOptions.vqvae(steps: steps), maeOptions = DuINStageOptions.mae(steps: steps)
    vqOptions.learningRate = 1e-3
    maeOptions.learningRate = 1e-3
    let vq = DuINVQVAE(configuration: configuration, generator: &g)
    let vqLog = try DuINTraining.trainVQVAE(vq, pool: pool, cropLength: crop, options: vqOptions, seed: g.next())
    let mae = DuINMAE(configuration: configuration, generator: &g)
    let maeLog = try DuINTraining.trainMAE(mae, tokenizer: vq, pool: pool, cropLength: crop, options: maeOptions, seed: g.next())
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("duin-bench-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let provenance = ExportProvenance(command: "neuro-bench-duin", seed: seed)
    let vqURL = folder.appendingPathComponent("vqvae.h5"), maeURL = folder.appendingPathComponent("mae.h5")
    try DuINCheckpoint.save(vq, stage: .vqvae, configuration: configuration, to: vqURL, provenance: provenance)
    try DuINCheckpoint.save(mae, stage: .mae, configuration: configuration, to: maeURL, provenance: provenance)
    return (vqURL, maeURL, vqLog, maeLog)
}

func simulated() throws {
    let seed = UInt64(int("seed", 7)), steps = int("steps", 150), seeds = int("seeds", 3), scarce = int("scarce", 10)
    var simulation = DuINSimulation()
    simulation.unlabelledSeconds = double("unlabelled-seconds", 600)
    let (series, truth) = try simulation.simulate(seed: seed)
    let result = try series.epochs(EpochingConfiguration(tmin: -0.5, tmax: 2.5, labels: Set(truth.wordLabels), baseline: nil))
    let epochs = result.epochs!
    let span = series.annotations.first { $0.label == "unlabelled" }!
    let unlabelled = try DuINSignalPool.from(series, seconds: span.onset..<span.end)
    let chance = 1 / Double(truth.wordLabels.count)
    var out: [String: Any] = ["seed": seed, "steps": steps, "words": truth.wordLabels.count, "trialsPerWord": simulation.trialsPerWord,
                              "channels": simulation.channels, "informative": truth.informative, "unlabelledSeconds": simulation.unlabelledSeconds,
                              "chance": chance, "samples": epochs.sampleCount]
    let pretrainSteps = int("pretrain-steps", 2 * steps)
    let pre = try pretrain(unlabelled, configuration: configured(DuINConfiguration.mini(channels: simulation.channels, samplingRate: simulation.samplingRate)),
                           cropPatches: 40, steps: pretrainSteps, seed: seed &+ 5)
    out["pretrainSteps"] = pretrainSteps
    var stages = [String: Double]()
    stages["vqvaePerplexity"] = DuINStageLog.tail(pre.vqLog.perplexity)
    stages["codes"] = Double(configured(DuINConfiguration.mini(channels: 1, samplingRate: 250)).codes)
    stages["maeMajorityBaseline"] = DuINStageLog.tail(pre.maeLog.majorityBaseline)
    stages["vqvaeDeadFraction"] = pre.vqLog.deadCodeFraction ?? .nan
    stages["vqvaeReconstructionFirst"] = pre.vqLog.reconstruction.prefix(5).reduce(0, +) / 5
    stages["vqvaeReconstructionLast"] = DuINStageLog.tail(pre.vqLog.reconstruction)
    if !pre.vqLog.spectral.isEmpty {
        stages["vqvaeSpectralFirst"] = pre.vqLog.spectral.prefix(5).reduce(0, +) / 5
        stages["vqvaeSpectralLast"] = DuINStageLog.tail(pre.vqLog.spectral)
    }
    stages["spectralWeight"] = Double(configured(DuINConfiguration.mini(channels: 1, samplingRate: 250)).spectralWeight ?? 0)
    stages["maeMaskedTop1"] = DuINStageLog.tail(pre.maeLog.accuracy)
    stages["maeLossFirst"] = pre.maeLog.losses.prefix(5).reduce(0, +) / 5
    stages["maeLossLast"] = DuINStageLog.tail(pre.maeLog.losses)
    out["stages"] = stages
    FileHandle.standardError.write(Data("stages: \(stages)\n".utf8))
    if int("pretrain-only", 0) == 1 { try emit(out); return }
    let start = Date()
    if int("only-scarce", 0) == 0 {
        let cv = CrossValidation(scheme: .stratifiedKFold(folds: 5))
        let splits = try cv.splits(labels: epochs.labels, groups: nil, seed: seed)
        // Full labels, 5 folds: every variant on the same folds; contributions from the scratch models.
        var variants = [String: [Double]]()
        var contributionSums = [Double](repeating: 0, count: simulation.channels)
        for (name, d) in [("scratch", decoder(.none, steps: steps)),
                          ("vqvae", decoder(.vqvae, steps: steps, checkpoint: pre.vqvae)),
                          ("mae", decoder(.mae, steps: steps, checkpoint: pre.mae)),
                          ("mae-frozen", decoder(.mae, frozen: true, steps: steps, checkpoint: pre.mae))] {
            var scores = [Double]()
            for (f, split) in splits.enumerated() {
                let fitted = try d.fit(try epochs.subset(trials: split.train), seed: seed &+ UInt64(f), monitor: SilentMonitor())
                scores.append(try accuracy(fitted, try epochs.subset(trials: split.test)))
                if name == "scratch" { for (c, v) in fitted.channelContributions.enumerated() { contributionSums[c] += v } }
            }
            variants[name] = scores
            FileHandle.standardError.write(Data("\(name): \(scores)\n".utf8))
        }
        out["fiveFold"] = variants
        out["contributions"] = contributionSums.map { $0 / Double(splits.count) }
        // Shuffled training labels (scratch), same folds.
        var shuffled = [Double]()
        for (f, split) in splits.enumerated() {
            var train = try epochs.subset(trials: split.train)
            var g = SeededGenerator(seed: seed &+ 1000 &+ UInt64(f))
            var labels = train.labels
            for i in stride(from: labels.count - 1, to: 0, by: -1) { labels.swapAt(i, g.uniformInt(below: i + 1)) }
            train = try Epochs(data: train.data, channels: train.channels, labels: labels, samplingRate: train.samplingRate, tmin: train.tmin)
            shuffled.append(try accuracy(try decoder(.none, steps: steps).fit(train, seed: seed &+ UInt64(f), monitor: SilentMonitor()),
                                         try epochs.subset(trials: split.test)))
        }
        out["shuffled"] = shuffled
    }
    // Scarce labels: `scarce` training trials per word, the rest for testing.
    var scarceScores = [String: [Double]]()
    for s in 0..<seeds {
        var g = SeededGenerator(seed: seed &+ 77 &+ UInt64(s))
        var train = [Int](), test = [Int]()
        for word in truth.wordLabels {
            var idx = epochs.labels.indices.filter { epochs.labels[$0] == word }
            for i in stride(from: idx.count - 1, to: 0, by: -1) { idx.swapAt(i, g.uniformInt(below: i + 1)) }
            train += idx.prefix(scarce)
            test += idx.dropFirst(scarce)
        }
        let trainEpochs = try epochs.subset(trials: train), testEpochs = try epochs.subset(trials: test)
        for (name, d) in [("scratch", decoder(.none, steps: steps)), ("mae", decoder(.mae, steps: steps, checkpoint: pre.mae)),
                          ("vqvae", decoder(.vqvae, steps: steps, checkpoint: pre.vqvae)),
                          ("mae-frozen", decoder(.mae, frozen: true, steps: steps, checkpoint: pre.mae))] {
            scarceScores[name, default: []].append(try accuracy(try d.fit(trainEpochs, seed: seed &+ UInt64(s), monitor: SilentMonitor()), testEpochs))
            FileHandle.standardError.write(Data("scarce seed \(s) \(name): \(scarceScores[name]!.last!)\n".utf8))
        }
    }
    out["scarce"] = scarceScores
    out["scarcePerWord"] = scarce
    out["seconds"] = Date().timeIntervalSince(start)
    try emit(out)
}

func eegmmidb() throws {
    let root = URL(fileURLWithPath: options["data"] ?? "../shared/data")
    let steps = int("steps", 150), seed = UInt64(int("seed", 42))
    let files = ["R03", "R04", "R07", "R08", "R11", "R12"].map { root.appendingPathComponent("eeg/eegmmidb-S001/S001\($0).edf") }
    guard files.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else { try emit(["available": false]); return }
    let extraction = EpochExtraction(events: ["T1", "T2"], band: 8...30, window: 0.5...2.5, labelNames: ["T1": "left", "T2": "right"])
    let full = try extraction.epochs(from: files)
    // `--channels motor` (the 21 fronto-central/central/centro-parietal sensorimotor contacts) or
    // `motor10` (the ten around C3/C4): Du-IN's region-level selection (vSMC/STG in the paper) by
    // region labels; the geometric pipelines keep all 64 channels.
    let regions: [String: [String]] = [
        "motor": ["Fc5", "Fc3", "Fc1", "Fcz", "Fc2", "Fc4", "Fc6", "C5", "C3", "C1", "Cz", "C2", "C4", "C6",
                  "Cp5", "Cp3", "Cp1", "Cpz", "Cp2", "Cp4", "Cp6"],
        "motor10": ["Fc3", "Fc4", "C5", "C3", "C1", "C2", "C4", "C6", "Cp3", "Cp4"],
    ]
    let region = options["channels"] ?? "all"
    let data: GroupedEpochs
    if let wanted = regions[region] {
        let names = full.epochs.channels.map(\.name).filter { wanted.contains($0.trimmingCharacters(in: CharacterSet(charactersIn: ". "))) }
        var selective = extraction
        selective.channels = names
        data = try selective.epochs(from: files)
    } else {
        data = full
    }
    // Unlabelled pretraining data: the six runs' continuous signals, band-passed like the epochs.
    var pool: DuINSignalPool? = nil
    for file in files {
        var series = try RecordingFile.open(file)
        series = try series.selecting(channels: data.epochs.channels.map(\.name)).filtered(band: .bandpass(8, 30))
        let part = try DuINSignalPool.from(series)
        if pool == nil { pool = DuINSignalPool(channels: part.channels) }
        pool!.append(part.segments[0], length: part.lengths[0])
    }
    let cv = CrossValidation(scheme: .stratifiedKFold(folds: 5))
    var rows = [[String: Any]]()
    for pipeline in int("skip-geometric", 0) == 1 ? [] : [BenchmarkPipeline.tangentSpaceLR, .cspLDA] {
        let report = try cv.run(pipeline.make(), on: full.epochs, seed: seed)
        rows.append(["pipeline": pipeline.name, "folds": report.folds.map(\.accuracy), "mean": report.meanAccuracy, "seconds": report.seconds])
    }
    let config = configured(DuINConfiguration.mini(channels: data.epochs.channelCount, samplingRate: data.epochs.samplingRate))
    let pre = try pretrain(pool!, configuration: config, cropPatches: 20, steps: int("pretrain-steps", 2 * steps), seed: seed)
    FileHandle.standardError.write(Data(("eegmmidb stages: perplexity \(DuINStageLog.tail(pre.vqLog.perplexity)), dead \(pre.vqLog.deadCodeFraction ?? .nan), "
        + "reconstruction \(pre.vqLog.reconstruction.prefix(5).reduce(0, +) / 5) → \(DuINStageLog.tail(pre.vqLog.reconstruction)), "
        + "MAE top-1 \(DuINStageLog.tail(pre.maeLog.accuracy)) vs majority \(DuINStageLog.tail(pre.maeLog.majorityBaseline))\n").utf8))
    if int("pretrain-only", 0) == 1 { return }
    let duin = [("duin-scratch", decoder(.none, steps: steps)), ("duin-mae", decoder(.mae, steps: steps, checkpoint: pre.mae)),
                ("duin-mae-frozen", decoder(.mae, frozen: true, steps: steps, checkpoint: pre.mae))]
    // `--variants a,b`: a subset (scratch does not depend on stages 1–2, so a codebook study can skip it).
    let wanted = Set((options["variants"] ?? "duin-scratch,duin-mae,duin-mae-frozen").split(separator: ",").map(String.init))
    for (name, d) in duin where wanted.contains(name) {
        let report = try cv.run(d, on: data.epochs, seed: seed)
        rows.append(["pipeline": name, "folds": report.folds.map(\.accuracy), "mean": report.meanAccuracy, "seconds": report.seconds])
    }
    try emit(["available": true, "maeMaskedTop1": DuINStageLog.tail(pre.maeLog.accuracy),
              "maeMajorityBaseline": DuINStageLog.tail(pre.maeLog.majorityBaseline), "codes": config.codes, "codeDimension": config.codeDimension,
              "commitment": Double(config.commitmentCost), "vqvaePerplexity": DuINStageLog.tail(pre.vqLog.perplexity),
              "trials": data.epochs.trialCount, "channels": data.epochs.channelCount, "region": region,
              "spectralWeight": Double(config.spectralWeight ?? 0), "samples": data.epochs.sampleCount,
              "rate": data.epochs.samplingRate, "steps": steps, "seed": seed, "rows": rows])
}

switch mode {
case "steps": try steps()
case "simulated": try simulated()
case "eegmmidb": try eegmmidb()
default: FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8)); exit(2)
}
