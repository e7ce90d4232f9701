import Decoding
import Foundation

// Training throughput of Neuroformer-mini (methods note §D1), timed exactly as
// Benchmarks/compare/neuroformer.py times the same architecture in PyTorch: best of `--repeats`
// wall-clock steps (zero grads, forward, loss, backward, clip 1.0, AdamW) after `--warmup` steps, on a
// fixed batch of 64 windows of the simulated hub network (32 neurons, T 24 / 48, d 64, 4 heads,
// 2 state + 2 history + 2 final blocks, dropout 0.1). Prints one JSON object.

var repeats = 10, warmup = 3, batchSize = 64
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--repeats": repeats = Int(arguments.next() ?? "") ?? repeats
    case "--warmup": warmup = Int(arguments.next() ?? "") ?? warmup
    case "--batch": batchSize = Int(arguments.next() ?? "") ?? batchSize
    default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
    }
}

var simulation = HubNetworkSimulation()
simulation.duration = 60
let sim = try simulation.simulate(seed: 1)
let configuration = NeuroformerConfiguration.mini(neurons: 32)
let data = try NeuroformerDataset(raster: sim.raster, configuration: configuration)
let model = try NeuroformerModel(configuration: configuration, seed: 0)
let batch = data.batch(Array(0..<batchSize))
let decayed = Set(model.decayedParameters.map(ObjectIdentifier.init))
let optimizer = Adam.adamW(parameters: model.parameters, learningRate: 1e-3, beta1: 0.9, beta2: 0.95, weightDecay: 0.1,
                           excludedFromDecay: model.parameters.filter { !decayed.contains(ObjectIdentifier($0)) })

var stepIndex: UInt64 = 0
@MainActor func step() -> Float {
    optimizer.zeroGrad()
    stepIndex += 1
    let loss = NeuroformerTraining.loss(model, batch, training: TrainingContext(seed: stepIndex)).total
    loss.backward()
    clipGradientNorm(optimizer.parameters, maxNorm: 1)
    optimizer.step()
    return loss.item
}

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

var firstLoss = Float.nan
for i in 0..<warmup {
    let l = step()
    if i == 0 { firstLoss = l }
}
var fastest = Double.infinity, leastCPU = Double.infinity, lastLoss = Float.nan
for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = processCPUSeconds()
    lastLoss = step()
    leastCPU = min(leastCPU, processCPUSeconds() - cpuStart)
    fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let tokens = Double(batchSize * configuration.currentBlock)
let result: [String: Any] = [
    "kernel": "neuroformer-mini-step", "seconds": fastest, "cpuSeconds": leastCPU, "tokensPerSecond": tokens / fastest,
    "batch": batchSize, "parameters": model.parameterCount, "firstLoss": Double(firstLoss), "lastLoss": Double(lastLoss),
    "blasThreads": BLASThreads.count, "kernelThreads": KernelThreads.count,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
