import Synchronization

/// A cache of large Float buffers that tensors hand back when they die, so that the next training
/// step reuses them instead of asking malloc for fresh memory.
///
/// Why: a transformer step creates hundreds of multi-megabyte activations and gradients. glibc serves
/// such sizes with fresh `mmap`s (or grows and trims the heap), so every step paid for page faults and
/// for the kernel zeroing pages — about a quarter of the step in a profile. Shapes repeat exactly from
/// step to step, so buckets keyed by the exact element count find a match almost every time.
///
/// Safety does not rest on ownership reasoning: a pooled value is an ordinary `[Float]`, and callers
/// only write into it through `withUnsafeMutableBufferPointer`, so if some other array still shares
/// the buffer (a reshape, a captured copy, a user's `storage`), copy-on-write gives the writer a fresh
/// buffer and the sharer is untouched. To keep that rare, a buffer already in the pool is not added
/// twice (reshapes share storage, and both tensors hand it back).
enum BufferPool {
    /// Smaller buffers come from malloc's free lists cheaply; pooling them would only add locking.
    static let minimumCount = 16_384

    struct State {
        var buckets: [Int: [[Float]]] = [:]
        var bytes = 0
        var limitBytes = 1 << 30
    }

    static let state = Mutex(State())

    /// A buffer of exactly `count` elements with unspecified contents, or nil (allocate one yourself).
    @inline(__always)
    static func take(_ count: Int) -> [Float]? {
        guard count >= minimumCount else { return nil }
        return state.withLock { s -> [Float]? in
            guard let buffer = s.buckets[count]?.popLast() else { return nil }
            s.bytes -= count &* 4
            return buffer
        }
    }

    /// Offers a buffer that its owner no longer needs.
    @inline(__always)
    static func recycle(_ buffer: [Float]) {
        let count = buffer.count
        guard count >= minimumCount else { return }
        let address = buffer.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
        state.withLock { s in
            guard s.bytes + count &* 4 <= s.limitBytes else { return }
            if let bucket = s.buckets[count],
               bucket.contains(where: { $0.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) } == address }) {
                return
            }
            s.buckets[count, default: []].append(buffer)
            s.bytes += count &* 4
        }
    }
}

/// Control of the cache of activation and gradient buffers that NeuralNet keeps between training steps.
public enum TensorBufferCache {
    /// Upper bound on the bytes held by the cache (default 1 GiB). Buffers offered beyond it are freed.
    /// A training loop holds at most about one step's peak of activations and gradients in it.
    public static var limitBytes: Int {
        get { BufferPool.state.withLock { $0.limitBytes } }
        set {
            BufferPool.state.withLock { s in
                s.limitBytes = Swift.max(0, newValue)
                if s.bytes > s.limitBytes { s.buckets = [:]; s.bytes = 0 }
            }
        }
    }

    /// Bytes currently held.
    public static var cachedBytes: Int { BufferPool.state.withLock { $0.bytes } }

    /// Frees every cached buffer (e.g. after training, before a memory-hungry evaluation).
    public static func removeAll() {
        BufferPool.state.withLock { s in s.buckets = [:]; s.bytes = 0 }
    }
}

extension Tensor {
    /// A new buffer of `count` elements that `fill` must overwrite completely (skips zero-filling,
    /// which costs a full extra pass over memory for large outputs). Reuses a pooled buffer when one fits.
    @inline(__always)
    static func uninitializedStorage(_ count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        if var buffer = BufferPool.take(count) {
            buffer.withUnsafeMutableBufferPointer { fill($0.baseAddress!) }
            return buffer
        }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { fill(buffer.baseAddress!) }
            initialized = count
        }
    }

    /// A zero-filled buffer, pooled when large.
    @inline(__always)
    static func zeroedStorage(_ count: Int) -> [Float] {
        if var buffer = BufferPool.take(count) {
            buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            return buffer
        }
        return [Float](repeating: 0, count: count)
    }
}

/// Values an op saves for its backward pass (x̂ in LayerNorm, Φ(x) in GELU, softmax probabilities):
/// captured by the backward closure, and handed back to the pool when the graph is freed.
final class SavedBuffer: @unchecked Sendable {
    let values: [Float]

    init(_ values: [Float]) { self.values = values }

    deinit { BufferPool.recycle(values) }

    @inline(__always)
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        values.withUnsafeBufferPointer(body)
    }
}
