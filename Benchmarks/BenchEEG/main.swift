import Foundation
import Recording

// Times full reads of EDF files exactly as Benchmarks/compare/eeg_read.py times MNE and pyedflib:
// for each file, open the reader and read every channel (header parse + all samples scaled to
// volts), best of `--repeats` wall-clock repetitions after one warm-up read. Prints one JSON object.
//   neuro-bench-eeg [--repeats N] FILE.edf ...

var arguments = Array(CommandLine.arguments.dropFirst())
var repeats = 7
if let i = arguments.firstIndex(of: "--repeats"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
    repeats = n
    arguments.removeSubrange(i...(i + 1))
}
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: neuro-bench-eeg [--repeats N] FILE.edf ...\n".utf8))
    exit(2)
}
let urls = arguments.map { URL(fileURLWithPath: $0) }

/// Reads every file once; returns the sample count so that the work cannot be optimised away.
func readAll() throws -> Int {
    var total = 0
    for url in urls {
        let series = try EDFReader(url: url).read()
        total &+= series.samples.count
    }
    return total
}

do {
    var samples = try readAll()  // warm-up (page cache, first-touch allocations)
    var fastest = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        samples = try readAll()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let bytes = try urls.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? NSNumber)?.intValue ?? 0) }
    let json = try JSONSerialization.data(
        withJSONObject: ["files": urls.count, "bytes": bytes, "samples": samples, "seconds": fastest, "repeats": repeats],
        options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("neuro-bench-eeg: \(error)\n".utf8))
    exit(1)
}
