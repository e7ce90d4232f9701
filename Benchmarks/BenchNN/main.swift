import Foundation
import NeuralNet

// Times one training step (forward, backward, AdamW) of the reference transformer of issue 5, exactly
// as Benchmarks/compare/nn_step.py times the same model in PyTorch: best of `--repeats` wall-clock steps
// after `--warmup` steps. sgemm uses OPENBLAS_NUM_THREADS threads, NeuralNet's own kernels
// `KernelThreads.count` (which defaults to the same variable). "cpuSeconds" is the least process CPU
// time of a step (all threads), a check on the wall-clock figure when the machine is shared.
// `GEMMStatistics` counts the step's sgemm calls: "gemmGFLOPS" is the floating-point rate of all of a step's
// matmuls (their FLOPs ÷ the wall-clock time spent inside them, in the step whose matmuls were fastest),
// and "peakGFLOPS" the best rate of one large square sgemm (1024³) measured in the same process, the
// ceiling to compare it with; the "CPU" variants divide by process CPU time instead of wall-clock time. Prints one JSON object on standard output.
//
//   token embedding [512, 128] + learned positions [128, 128]
//   → 4 pre-norm encoder blocks (4 heads, GELU MLP 512) → LayerNorm → Linear(128 → 512) → cross-entropy
// on a batch of 32 sequences of 128 tokens, dropout 0.

let vocabulary = 512, dModel = 128, heads = 4, layers = 4, sequence = 128, batch = 32

var repeats = 10, warmup = 2
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--repeats": repeats = Int(arguments.next() ?? "") ?? repeats
    case "--warmup": warmup = Int(arguments.next() ?? "") ?? warmup
    default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
    }
}
// The first warm-up step's loss is reported (JSON has no NaN), and the timing needs at least one step.
guard warmup >= 1, repeats >= 1 else {
    FileHandle.standardError.write(Data("--warmup and --repeats must be at least 1 (got \(warmup), \(repeats))\n".utf8)); exit(2)
}

var generator = SeededGenerator(seed: 5)
let embedding = Embedding(count: vocabulary, dimension: dModel, generator: &generator)
let positions = Tensor.randomNormal([sequence, dModel], generator: &generator, requiresGrad: true)
let blocks = (0..<layers).map { _ in
    TransformerEncoderBlock(dimension: dModel, heads: heads, feedForwardDimension: 4 * dModel, generator: &generator)
}
let finalNorm = LayerNorm(dimension: dModel)
let head = Linear(inFeatures: dModel, outFeatures: vocabulary, generator: &generator)

var parameters = embedding.parameters + [positions]
for block in blocks { parameters += block.parameters }
parameters += finalNorm.parameters + head.parameters
let optimizer = Adam.adamW(parameters: parameters, learningRate: 1e-4)

// A fixed batch: next-token-like targets from a deterministic token stream.
let tokens = (0..<(batch * sequence)).map { ($0 &* 7 &+ $0 / 13) % vocabulary }
let targets = (0..<(batch * sequence)).map { ($0 &* 7 &+ $0 / 13 &+ 1) % vocabulary }

@MainActor func step() -> Float {
    optimizer.zeroGrad()
    var x = embedding(tokens, shape: [batch, sequence]) + positions
    for block in blocks { x = block(x) }
    let logits = head(finalNorm(x))
    let loss = Tensor.crossEntropy(logits: logits, targets: targets)
    loss.backward()
    optimizer.step()
    return loss.item
}

var firstLoss = Float.nan
for i in 0..<warmup {
    let l = step()
    if i == 0 { firstLoss = l }
}
/// CPU time of the whole process (all threads), which a loaded shared machine inflates far less than wall time.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

var fastest = Double.infinity
var leastCPU = Double.infinity
var lastLoss = Float.nan
var gemm = GEMMStatistics.Totals()
gemm.seconds = .infinity
gemm.cpuSeconds = .infinity
GEMMStatistics.isEnabled = true
for _ in 0..<repeats {
    GEMMStatistics.reset()
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = processCPUSeconds()
    lastLoss = step()
    leastCPU = min(leastCPU, processCPUSeconds() - cpuStart)
    fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    let totals = GEMMStatistics.totals
    if totals.seconds < gemm.seconds { gemm.calls = totals.calls; gemm.flops = totals.flops; gemm.seconds = totals.seconds }
    gemm.cpuSeconds = min(gemm.cpuSeconds, totals.cpuSeconds)
}
GEMMStatistics.isEnabled = false

/// Best rate of a 1024³ sgemm (row-major, no transposes), the practical ceiling for the step's matmuls.
func sgemmPeakGFLOPS() -> (wall: Double, cpu: Double) {
    let n = 1024
    var generator = SeededGenerator(seed: 1)
    let a = (0..<(n * n)).map { _ in Float(generator.nextUnitInterval()) - 0.5 }
    let b = (0..<(n * n)).map { _ in Float(generator.nextUnitInterval()) - 0.5 }
    var c = [Float](repeating: 0, count: n * n)
    var best = Double.infinity, bestCPU = Double.infinity
    for _ in 0..<5 {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = processCPUSeconds()
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Float.gemm(transA: false, transB: false, m: Int32(n), n: Int32(n), k: Int32(n), alpha: 1,
                               a: pa.baseAddress!, lda: Int32(n), b: pb.baseAddress!, ldb: Int32(n), beta: 0,
                               c: pc.baseAddress!, ldc: Int32(n))
                }
            }
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        bestCPU = min(bestCPU, processCPUSeconds() - cpuStart)
    }
    return (2 * Double(n * n * n) / best / 1e9, 2 * Double(n * n * n) / bestCPU / 1e9)
}
let peak = sgemmPeakGFLOPS()

let parameterCount = parameters.reduce(0) { $0 + $1.count }
let result: [String: Any] = [
    "kernel": "transformer-step", "seconds": fastest, "cpuSeconds": leastCPU, "kernelThreads": KernelThreads.count, "repeats": repeats, "warmup": warmup,
    "blasThreads": BLASThreads.count, "parameters": parameterCount,
    "firstLoss": Double(firstLoss), "lastLoss": Double(lastLoss),
    "gemmCalls": gemm.calls, "gemmFlops": gemm.flops, "gemmSeconds": gemm.seconds,
    "gemmGFLOPS": gemm.flops / gemm.seconds / 1e9, "gemmCPUSeconds": gemm.cpuSeconds,
    "gemmCPUGFLOPS": gemm.flops / gemm.cpuSeconds / 1e9, "peakGFLOPS": peak.wall, "peakCPUGFLOPS": peak.cpu,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
