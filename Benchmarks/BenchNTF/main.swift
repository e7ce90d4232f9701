import Foundation
import Models

// Non-negative CP on a tensor stored by Benchmarks/compare/ntf.py (or scripts/validate_connectome.py)
// as the float64 dataset /tensor (shape I × J × K) of an HDF5 file. Two modes, one JSON object on
// standard output:
//
//   neuro-bench-ntf fit   --tensor T.h5 --rank R [--algorithm hals] [--tol 1e-6] [--max-iter 500] [--fits 5] [--seed 1]
//                         [--precision double|single] [--threads N] [--inner-sweeps N] [--extrapolation on|off] [--cycles N] [--fusion on|off]
//                         (omitted: the library defaults)
//       times `--fits` fits from seeds seed, seed+1, …: wall-clock seconds and the relative-error trace of each
//   neuro-bench-ntf sweep --tensor T.h5 --ranks 1,2,…,7 --restarts 4 [--tol 1e-6] [--seed 1] --output F.h5
//       the rank sweep: per rank the restart errors and similarities; the best fit's factors go to
//       F.h5 as /rank<R>/{factor0,factor1,factor2,weights}
//   neuro-bench-ntf sbm   --graphs G.json [--seed 13] [--sbm-restarts 1]
//       NestedWeightedSBM on each graph of G.json ({"graphs": [{"name", "nodes", "edges": [[i, j, w], …]}]},
//       written by Benchmarks/compare/sbm.py): per graph the seconds, the chosen model (DC or NDC) and
//       the node labels of every level of the hierarchy

var mode = "fit", tensorPath = "", rank = 4, algorithm = "hals", tol = 1e-6, maxIter = 500, fits = 5, seed: UInt64 = 1
var ranks = [1, 2, 3, 4, 5, 6, 7], restarts = 4, output = "", graphsPath = ""
// Omitted NTF flags take the library defaults (NonNegativeCP.defaultPrecision/-Threads/-Extrapolation).
var precision = NonNegativeCP.defaultPrecision, threads = NonNegativeCP.defaultThreads, innerSweeps = NonNegativeCP.defaultInnerSweeps, sbmRestarts = 1
var extrapolation = NonNegativeCP.defaultExtrapolation, cycles = NonNegativeCP.defaultCycles, fusion = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
if let first = arguments.next() { mode = first }
while let argument = arguments.next() {
    let value = arguments.next() ?? ""
    switch argument {
    case "--tensor": tensorPath = value
    case "--rank": rank = Int(value) ?? rank
    case "--algorithm": algorithm = value
    case "--tol": tol = Double(value) ?? tol
    case "--max-iter": maxIter = Int(value) ?? maxIter
    case "--fits": fits = Int(value) ?? fits
    case "--seed": seed = UInt64(value) ?? seed
    case "--ranks": ranks = value.split(separator: ",").compactMap { Int($0) }
    case "--restarts": restarts = Int(value) ?? restarts
    case "--output": output = value
    case "--graphs": graphsPath = value
    case "--precision": precision = NonNegativeCP.Precision(rawValue: value) ?? precision
    case "--threads": threads = Int(value) ?? threads
    case "--inner-sweeps": innerSweeps = Int(value) ?? innerSweeps
    case "--extrapolation": extrapolation = value == "on"
    case "--cycles": cycles = Int(value) ?? cycles
    case "--fusion": fusion = value == "on"
    case "--sbm-restarts": sbmRestarts = Int(value) ?? sbmRestarts
    default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
    }
}

/// CPU time of the whole process (all threads): on a shared machine the ratio of CPU times is the
/// load-independent comparison.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

if mode == "sbm" {
    let data = try Data(contentsOf: URL(fileURLWithPath: graphsPath))
    let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    var results: [[String: Any]] = []
    for case let entry as [String: Any] in root["graphs"] as! [Any] {
        let edges = (entry["edges"] as! [[Double]]).map { (Int($0[0]), Int($0[1]), $0[2]) }
        let graph = try AffinityGraph(nodeCount: entry["nodes"] as! Int, edges: edges)
        let start = DispatchTime.now().uptimeNanoseconds
        let hierarchy = NestedWeightedSBM(sbm: WeightedSBM(restarts: sbmRestarts)).fit(graph, seed: seed)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        results.append([
            "name": entry["name"] as! String, "seconds": seconds, "levels": hierarchy.levels,
            "degree_corrected": hierarchy.base.best.degreeCorrected,
            "blocks": hierarchy.base.best.blockCount,
        ])
    }
    emit(["graphs": results])
    exit(0)
}

let file = try HDF5File.open(at: URL(fileURLWithPath: tensorPath))
let dataset = try file.root.dataset("tensor")
let tensor = try ThreeWayTensor(shape: dataset.shape, values: try dataset.readDoubles())
try file.close()
guard let method = NonNegativeCP.Algorithm(rawValue: algorithm) else { FileHandle.standardError.write(Data("bad --algorithm\n".utf8)); exit(2) }

switch mode {
case "fit":
    let model = try NonNegativeCP(
        rank: rank, algorithm: method, maxIterations: maxIter, tolerance: tol, innerSweeps: innerSweeps, precision: precision,
        threads: threads, extrapolation: extrapolation, cycles: cycles, fusePairStep: fusion)
    var runs: [[String: Any]] = []
    for k in 0..<fits {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = processCPUSeconds()
        let result = try model.fit(tensor, seed: seed + UInt64(k))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        runs.append([
            "seconds": seconds, "cpu_seconds": processCPUSeconds() - cpuStart, "iterations": result.iterations,
            "errors": result.errorTrace,
        ])
    }
    emit([
        "algorithm": algorithm, "rank": rank, "shape": tensor.shape, "precision": precision.rawValue, "threads": threads,
        "inner_sweeps": innerSweeps, "cycles": cycles, "fusion": fusion, "extrapolation": extrapolation, "avx2": CPUFeatures.hasAVX2FMA, "runs": runs,
    ])
case "sweep":
    let start = DispatchTime.now().uptimeNanoseconds
    let sweep = try NTFRankSweep(
        tensor, ranks: ranks, restarts: restarts, options: NonNegativeCP(rank: 1, algorithm: method, maxIterations: maxIter, tolerance: tol), seed: seed)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if !output.isEmpty {
        try HDF5File.writeAtomically(to: URL(fileURLWithPath: output)) { out in
            for r in sweep.ranks {
                let f = r.best.factors
                for n in 0..<3 {
                    try out.root.createDataset("rank\(r.rank)/factor\(n)", shape: [f.factors[n].rows, f.rank], values: f.factors[n].elements)
                }
                try out.root.createDataset("rank\(r.rank)/weights", shape: [f.rank], values: f.weights)
            }
        }
    }
    emit([
        "seconds": seconds, "selected_rank": sweep.selectedRank(),
        "ranks": sweep.ranks.map { ["rank": $0.rank, "errors": $0.errors, "similarities": $0.similarities, "mean_similarity": $0.meanSimilarity] },
    ])
default:
    FileHandle.standardError.write(Data("mode must be fit or sweep\n".utf8)); exit(2)
}
