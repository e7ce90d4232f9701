import Dispatch
import Foundation
import Synchronization

/// How many threads NeuralNet's own kernels (elementwise ops, softmax, LayerNorm, GELU, cross-entropy)
/// may use. sgemm threads are OpenBLAS's business (`BLASThreads`).
///
/// Results never depend on this number: work is cut into chunks whose boundaries depend only on the
/// problem size, every output element is computed by exactly one chunk with the same arithmetic, and
/// partial sums (parameter gradients) are combined in chunk order. So a model trains bit-identically
/// on 1 or 2 threads.
public enum KernelThreads {
    static let value = Atomic<Int>(defaultCount())

    /// The current setting (≥ 1). Defaults to `NEUROSWIFT_THREADS`, else `OPENBLAS_NUM_THREADS`, else 1.
    public static var count: Int {
        get { value.load(ordering: .relaxed) }
        set { value.store(Swift.max(1, newValue), ordering: .relaxed) }
    }

    static func defaultCount() -> Int {
        let environment = ProcessInfo.processInfo.environment
        for name in ["NEUROSWIFT_THREADS", "OPENBLAS_NUM_THREADS"] {
            if let text = environment[name], let n = Int(text), n > 0 { return n }
        }
        return 1
    }
}

enum Parallel {
    /// How kernels cut their work. Fixed in production; tests shrink both (task-locally) so that small
    /// tensors exercise the multi-chunk, multi-thread paths.
    struct Partition: Sendable {
        /// Elements per chunk of an elementwise kernel (row kernels use grain / row length rows).
        var grain = 16_384
        /// Below this many elements of work a kernel runs on the calling thread (dispatch costs microseconds).
        var minimumParallelWork = 1 << 15
    }

    @TaskLocal static var partition = Partition()

    /// Runs `body(chunk)` for every chunk in `0..<chunks`, spread over `KernelThreads.count` threads
    /// when `work` (elements touched) is large enough. Chunks must write disjoint outputs.
    @inline(__always)
    static func forEachChunk(_ chunks: Int, work: Int, _ body: (Int) -> Void) {
        let threads = Swift.min(KernelThreads.count, chunks)
        if threads <= 1 || work < partition.minimumParallelWork {
            for c in 0..<chunks { body(c) }
            return
        }
        // Contiguous runs of chunks per thread: neighbouring chunks share cache lines at their edges.
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let start = chunks * t / threads, end = chunks * (t + 1) / threads
                for c in start..<end { box.value(c) }
            }
        }
    }

    /// Runs `body(range)` over `0..<count` cut into fixed ranges of `grain` (the last may be shorter).
    @inline(__always)
    static func forEachRange(_ count: Int, grain: Int, work: Int? = nil, _ body: (Range<Int>) -> Void) {
        let chunks = (count + grain - 1) / grain
        forEachChunk(chunks, work: work ?? count) { c in
            body((c * grain)..<Swift.min(count, (c + 1) * grain))
        }
    }
}

/// Hands a non-Sendable closure to `concurrentPerform`; chunks write disjoint memory.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
