import Foundation
import NeuroCore

// Times NeuroCore's GEMM and FFT exactly as Benchmarks/compare/gemm_fft.py times numpy: best of
// `repeats` after a warm-up, wall clock, one BLAS thread unless OPENBLAS_NUM_THREADS says otherwise.
// Prints one JSON object on standard output.

func best(repeats: Int, inner: Int, _ body: () -> Void) -> Double {
    body()
    var fastest = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<inner { body() }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(inner)
        fastest = min(fastest, elapsed)
    }
    return fastest
}

var results: [[String: Any]] = []
for n in [256, 512, 1024] {
    let a = Matrix<Double>(rows: n, columns: n) { i, j in Double((i &* 31 &+ j) % 17) / 17 }
    let b = a.transposed()
    let inner = n <= 256 ? 20 : (n <= 512 ? 4 : 1)
    let seconds = best(repeats: 7, inner: inner) { _ = a * b }
    results.append(["kernel": "dgemm", "n": n, "seconds": seconds, "gflops": 2 * pow(Double(n), 3) / seconds / 1e9])
    let af = a.converted(to: Float.self)
    let bf = b.converted(to: Float.self)
    let secondsF = best(repeats: 7, inner: inner) { _ = af * bf }
    results.append(["kernel": "sgemm", "n": n, "seconds": secondsF, "gflops": 2 * pow(Double(n), 3) / secondsF / 1e9])
}
for n in [1024, 4096, 65536] {
    let signal = (0..<n).map { Double($0 % 13) }
    let fft = RealFFT<Double>(count: n)
    var output = [Double](repeating: 0, count: 2 * fft.spectrumCount)
    let inner = max(1, 2_000_000 / n)
    let seconds = signal.withUnsafeBufferPointer { s in
        output.withUnsafeMutableBufferPointer { o in best(repeats: 7, inner: inner) { fft.forward(s, into: o) } }
    }
    results.append(["kernel": "rfft-f64", "n": n, "seconds": seconds])
    // The convenience API that allocates and returns Complex values, as a user script would call it.
    let convenience = best(repeats: 7, inner: max(1, inner / 4)) { _ = fft.forward(signal) }
    results.append(["kernel": "rfft-f64-array", "n": n, "seconds": convenience])
}
// Welch PSD of 64 channels × 60 s at 250 Hz (scipy.signal.welch defaults, nperseg 500).
let channels = 64
let samples = 15_000
let eeg = Matrix<Double>(rows: channels, columns: samples) { c, t in sin(Double(t) * 0.1 + Double(c)) + Double((t &* 7 &+ c) % 11) / 11 }
let welchSeconds = best(repeats: 5, inner: 1) {
    _ = try! PowerSpectrum(welch: eeg, samplingRate: 250, configuration: .init(segmentLength: 500))
}
results.append(["kernel": "welch-64x15000", "n": samples, "seconds": welchSeconds])

let json = try JSONSerialization.data(withJSONObject: ["blasThreads": BLASThreads.count, "results": results], options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
