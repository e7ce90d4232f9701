import Decoding
import Foundation

// Timing and validation harness for the manifold pipeline and the denoiser (issue 9, part 2).
// Driven by Benchmarks/compare/ricci.py (timings beside GraphRicciCurvature) and
// scripts/validate_ricci.py (ricci-gcn CV and the denoising benchmark). Prints JSON on stdout.
//
//   neuro-bench-ricci curvature FILE [--alpha A] [--solver exact|sinkhorn] [--repeats R]
//   neuro-bench-ricci flow FILE [--alpha A] [--iterations N] [--step S] [--repeats R]
//   neuro-bench-ricci gcn DIR --runs 4,8,12 [--folds K] [--seed S] [--tmin T] [--tmax T]
//   neuro-bench-ricci denoise DIR [--train 3,4,7,8] [--test 11,12] [--db -7,-4,-1,2] [--steps N] [--seed S]
// FILE: first line "nodes", then one "i j length" line per edge.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else { fail("usage: neuro-bench-ricci curvature|flow|gcn|denoise PATH [options]") }
let command = arguments.removeFirst(), path = arguments.removeFirst()
var options: [String: String] = [:]
var k = 0
while k + 1 < arguments.count { options[arguments[k]] = arguments[k + 1]; k += 2 }
@MainActor func option(_ name: String, _ fallback: String) -> String { options["--" + name] ?? fallback }
@MainActor func list(_ name: String, _ fallback: String) -> [Int] { option(name, fallback).split(separator: ",").compactMap { Int($0) } }

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func loadGraph(_ path: String) throws -> WeightedGraph {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    let n = Int(lines[0].trimmingCharacters(in: .whitespaces))!
    var edges: [(Int, Int)] = [], lengths: [Double] = []
    for line in lines.dropFirst() {
        let f = line.split(separator: " ")
        edges.append((Int(f[0])!, Int(f[1])!)); lengths.append(Double(f[2])!)
    }
    return try WeightedGraph(nodeCount: n, edges: edges, lengths: lengths)
}

/// CPU time of the whole process (all threads): on a shared machine it is inflated far less than wall time.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Least CPU seconds of the timed runs of `best`, for the JSON output.
nonisolated(unsafe) var leastCPU = Double.infinity

func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var fastest = Double.infinity
    leastCPU = .infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = processCPUSeconds()
        try body()
        leastCPU = min(leastCPU, processCPUSeconds() - cpuStart)
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
}

func runFile(_ dir: String, _ run: Int) -> String { String(format: "%@/S001R%02d.edf", dir, run) }

/// Epochs of the given runs' T1/T2 annotations, concatenated.
func loadEpochs(_ dir: String, runs: [Int], tmin: Double, tmax: Double) throws -> Epochs {
    var data: [Float] = [], labels: [String] = []
    var channels: [Channel] = [], rate = 0.0, start = 0.0
    for run in runs {
        let series = try EDFReader(url: URL(fileURLWithPath: runFile(dir, run))).read()
        let result = try series.epochs(EpochingConfiguration(tmin: tmin, tmax: tmax, labels: ["T1", "T2"], baseline: nil))
        guard let e = result.epochs else { continue }
        data += e.data; labels += e.labels; channels = e.channels; rate = e.samplingRate; start = e.tmin
    }
    return try Epochs(data: data, channels: channels, labels: labels, samplingRate: rate, tmin: start)
}

func subset(_ e: Epochs, _ indices: [Int]) throws -> Epochs {
    let block = e.channelCount * e.sampleCount
    var data = [Float](); data.reserveCapacity(indices.count * block)
    for i in indices { data += e.data[(i * block)..<((i + 1) * block)] }
    return try Epochs(data: data, channels: e.channels, labels: indices.map { e.labels[$0] }, samplingRate: e.samplingRate, tmin: e.tmin)
}

do {
    switch command {
    case "curvature":
        let graph = try loadGraph(path)
        let alpha = Double(option("alpha", "0.5"))!
        let solver: TransportSolver = option("solver", "exact") == "sinkhorn" ? .sinkhorn(regularization: 0.1) : .exact
        var kappa: [Double] = []
        let seconds = try best(Int(option("repeats", "5"))!) { kappa = try graph.ollivierRicciCurvature(.init(alpha: alpha, solver: solver)).edges }
        emit(["seconds": seconds, "cpu_seconds": leastCPU, "curvature": kappa, "edges": graph.edgeCount, "nodes": graph.nodeCount])
    case "flow":
        let graph = try loadGraph(path)
        let configuration = RicciFlowConfiguration(
            curvature: .init(alpha: Double(option("alpha", "0.5"))!, solver: .exact),
            iterations: Int(option("iterations", "10"))!, step: Double(option("step", "0.5"))!, delta: 1e-4)
        var lengths: [Double] = []
        let seconds = try best(Int(option("repeats", "3"))!) { lengths = try graph.ricciFlow(configuration).graph.lengths }
        emit(["seconds": seconds, "cpu_seconds": leastCPU, "lengths": lengths])
    case "gcn":
        let epochs = try loadEpochs(path, runs: list("runs", "4,8,12"), tmin: Double(option("tmin", "0.5"))!, tmax: Double(option("tmax", "2.5"))!)
        let seed = UInt64(option("seed", "0"))!
        let splits = try StratifiedKFold(folds: Int(option("folds", "5"))!).splits(epochs.labels, seed: seed)
        var folds: [[String: Any]] = []
        let classifier = RicciGCNClassifier()
        let start = Date()
        for (f, split) in splits.enumerated() {
            let fitted = try classifier.fit(try subset(epochs, split.train), seed: seed &+ UInt64(f), monitor: SilentMonitor())
            let test = try subset(epochs, split.test)
            let predicted = try fitted.predict(test)
            let correct = zip(predicted, test.labels).filter { $0 == $1 }.count
            let trainPredicted = try fitted.predict(try subset(epochs, split.train))
            let trainCorrect = zip(trainPredicted, split.train.map { epochs.labels[$0] }).filter { $0 == $1 }.count
            folds.append(["train": split.train, "test": split.test, "accuracy": Double(correct) / Double(split.test.count),
                          "trainAccuracy": Double(trainCorrect) / Double(split.train.count),
                          "finalLoss": fitted.finalLoss, "flowConverged": fitted.flow.converged,
                          "edges": fitted.channelGraph.graph.edgeCount])
        }
        emit(["trials": epochs.trialCount, "channels": epochs.channelCount, "samples": epochs.sampleCount,
              "labels": epochs.labels, "samplingRate": epochs.samplingRate, "folds": folds,
              "seconds": Date().timeIntervalSince(start)])
    case "denoise":
        let seed = UInt64(option("seed", "0"))!
        let length = 320
        func segments(_ runs: [Int]) throws -> ([[Double]], Double) {
            var out: [[Double]] = [], rate = 160.0
            for run in runs {
                let series = try EDFReader(url: URL(fileURLWithPath: runFile(path, run))).read()
                rate = series.samplingRate
                // Remove drift and line noise from the "clean" reference: 1 Hz high-pass.
                let cleaned = try series.filtered(band: .highpass(1))
                for c in stride(from: 0, to: cleaned.channelCount, by: 4) {
                    let x = cleaned.channel(at: c).map(Double.init)
                    for s in stride(from: length, to: x.count - 2 * length, by: 2 * length) { out.append(Array(x[s..<(s + length)])) }
                }
            }
            return (out, rate)
        }
        let (trainClean, rate) = try segments(list("train", "3,4,7,8"))
        let (testCleanAll, _) = try segments(list("test", "11,12"))
        let testClean = Array(testCleanAll.prefix(Int(option("test-count", "400"))!))
        var generator = SeededGenerator(seed: seed)
        let noiseModel = EMGLikeNoise(low: 20, high: 72)
        var noisy: [[Double]] = [], clean: [[Double]] = []
        for _ in 0..<Int(option("pairs", "3"))! {
            for x in trainClean {
                let n = try noiseModel.generate(count: length, samplingRate: rate, generator: &generator)
                let db = generator.uniform(in: -7.0..<2.0)
                noisy.append(try NoiseMixing.mix(clean: x, noise: n, decibels: db)); clean.append(x)
            }
        }
        let start = Date()
        let model = try ATATDenoiser(noisy: noisy, clean: clean, configuration: .init(segmentLength: length, trainingSteps: Int(option("steps", "600"))!), seed: seed)
        let trainSeconds = Date().timeIntervalSince(start)
        let baseline = LowPassBaseline()
        var rows: [[String: Any]] = []
        for db in option("db", "-7,-4,-1,2").split(separator: ",").compactMap({ Double($0) }) {
            var mixed: [[Double]] = []
            for x in testClean {
                let n = try noiseModel.generate(count: length, samplingRate: rate, generator: &generator)
                mixed.append(try NoiseMixing.mix(clean: x, noise: n, decibels: db))
            }
            let methods: [(String, [[Double]])] = [
                ("raw", mixed), ("lowpass30", try mixed.map { try baseline.denoise($0, samplingRate: rate) }), ("atat", try model.denoise(mixed)),
            ]
            for (name, estimate) in methods {
                var cc = 0.0, rt = 0.0, rf = 0.0
                for (e, x) in zip(estimate, testClean) {
                    cc += try DenoisingMetrics.correlation(e, x)
                    rt += try DenoisingMetrics.relativeRMSE(e, x)
                    rf += try DenoisingMetrics.spectralRelativeRMSE(e, x, samplingRate: rate)
                }
                let n = Double(testClean.count)
                rows.append(["db": db, "method": name, "cc": cc / n, "rrmseTemporal": rt / n, "rrmseSpectral": rf / n])
            }
        }
        emit(["trainPairs": noisy.count, "testSegments": testClean.count, "samplingRate": rate, "segmentLength": length,
              "parameters": model.parameterCount, "trainSeconds": trainSeconds, "finalLoss": model.lossHistory.last ?? .nan,
              "firstLoss": model.lossHistory.first ?? .nan, "rows": rows])
    default:
        fail("unknown command \(command)")
    }
} catch {
    fail("error: \(error)")
}
