import Foundation
import Recording

// Times NeuroSwift's file readers exactly as Benchmarks/compare/formats.py times nibabel, numpy and
// pynwb on the same files: best of `repeats` wall-clock runs after a warm-up. Arguments are
// `kind=path` pairs (kind: nifti, npy, nwb-units); prints one JSON object on standard output.
//
// What is timed is what a user gets from the reference call:
//   nifti      NIfTIFile.read + scaledFloats()   ~ nibabel.load(path).get_fdata()
//              (inflate, parse, decode, apply scl_slope/inter; Float32 here, float64 in nibabel)
//   npy        NPYFile.read                       ~ numpy.load(path)
//   nwb-units  NWBFile.open + units() + close     ~ NWBHDF5IO(path).read() + every unit's spike times

func best(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var fastest = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
}

var results: [[String: Any]] = []
for argument in CommandLine.arguments.dropFirst() {
    let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
    guard parts.count == 2 else {
        FileHandle.standardError.write(Data("expected kind=path, got \(argument)\n".utf8))
        exit(2)
    }
    let (kind, path) = (parts[0], parts[1])
    let url = URL(fileURLWithPath: path)
    var check = 0.0
    let seconds: Double
    do {
        switch kind {
        case "nifti":
            seconds = try best(repeats: 7) {
                let values = try NIfTIFile.read(url).scaledFloats()
                check = Double(values.count)
            }
        case "npy":
            seconds = try best(repeats: 7) { check = Double(try NPYFile.read(url).count) }
        case "nwb-units":
            seconds = try best(repeats: 7) {
                let nwb = try NWBFile.open(url)
                check = Double(try nwb.units().spikeCount)
                try nwb.close()
            }
        default:
            FileHandle.standardError.write(Data("unknown kind \(kind)\n".utf8))
            exit(2)
        }
    } catch {
        FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
        exit(1)
    }
    results.append(["kind": kind, "path": path, "seconds": seconds, "count": check])
}
let json = try JSONSerialization.data(withJSONObject: ["results": results], options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
