import Foundation
import NeuroCore
import Synchronization

/// Opt-in accounting of the matrix products NeuralNet sends to sgemm: how many floating-point
/// operations (2·m·n·k per call) and how much wall-clock time they took. A benchmark turns it on to
/// report the GFLOP/s its matmuls reach inside a training step, next to the sgemm peak; when off (the
/// default) each call pays one relaxed atomic load. Time is kept twice: wall clock, and CPU time of the
/// whole process (all threads), which other work on a shared machine inflates far less.
public enum GEMMStatistics {
    static let enabled = Atomic<Bool>(false)
    static let counters = Mutex<Totals>(Totals())

    /// Whether calls are counted and timed (process-wide).
    public static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    /// Counts since the last `reset()`.
    public struct Totals: Sendable {
        /// sgemm calls (one per product, also when a batch of small products runs as one kernel call).
        public var calls = 0
        /// Floating-point operations, 2·m·n·k per product.
        public var flops = 0.0
        /// Wall-clock seconds spent in the products.
        public var seconds = 0.0
        /// Process CPU seconds (all threads) spent in the products.
        public var cpuSeconds = 0.0
        public init() {}
    }

    /// Zeroes the counters.
    public static func reset() { counters.withLock { $0 = Totals() } }

    /// The counts since `reset()`.
    public static var totals: Totals { counters.withLock { $0 } }

    @inline(__always)
    static func now() -> (wall: Double, cpu: Double) {
        var t = timespec(), c = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c)
        return (Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9, Double(c.tv_sec) + Double(c.tv_nsec) * 1e-9)
    }

    /// Adds `products` products of `flops` in total that ran since `start`.
    static func record(products: Int, flops: Double, since start: (wall: Double, cpu: Double)) {
        let end = now()
        counters.withLock {
            $0.calls += products
            $0.flops += flops
            $0.seconds += end.wall - start.wall
            $0.cpuSeconds += end.cpu - start.cpu
        }
    }
}

extension Tensor {
    /// `Float.gemm` (row-major sgemm), counted by `GEMMStatistics` when it is enabled. Every matmul in
    /// NeuralNet goes through here.
    @inline(__always)
    static func gemm(
        transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Float,
        a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int32
    ) {
        guard GEMMStatistics.isEnabled else {
            Float.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
            return
        }
        let start = GEMMStatistics.now()
        Float.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                   beta: beta, c: c, ldc: ldc)
        GEMMStatistics.record(products: 1, flops: 2 * Double(m) * Double(n) * Double(k), since: start)
    }
}
