import Benchmark
import NeuroCore

/// GEMM and FFT kernels through NeuroCore's wrappers (one BLAS thread, as in CI).
let benchmarks: @Sendable () -> Void = {
    BLASThreads.count = 1
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(2), maxIterations: 1_000)

    for n in [256, 512, 1024] {
        let a = Matrix<Double>(rows: n, columns: n) { i, j in Double((i &* 31 &+ j) % 17) / 17 }
        let b = a.transposed()
        Benchmark("dgemm \(n)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(a * b) }
        }
        let af = a.converted(to: Float.self)
        let bf = b.converted(to: Float.self)
        Benchmark("sgemm \(n)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(af * bf) }
        }
    }

    for n in [1024, 4096] {
        let signal = (0..<n).map { Double($0 % 13) }
        let fft = RealFFT<Double>(count: n)
        var output = [Double](repeating: 0, count: 2 * fft.spectrumCount)
        Benchmark("rfft f64 \(n)", configuration: .init(scalingFactor: .kilo)) { benchmark in
            signal.withUnsafeBufferPointer { s in
                output.withUnsafeMutableBufferPointer { o in
                    for _ in benchmark.scaledIterations { fft.forward(s, into: o) }
                }
            }
            blackHole(output)
        }
    }
}
