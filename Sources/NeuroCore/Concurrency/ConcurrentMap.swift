import Dispatch

/// Runs `body` for 0..<count concurrently and returns the results in order, rethrowing the first
/// error; small batches run inline (the dispatch cost would dominate).
public func concurrentMap<T: Sendable>(count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
    if count < 8 { return try (0..<count).map(body) }
    let slots = ResultSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { i in slots.store(Result { try body(i) }, at: i) }
    return try slots.values()
}

/// One slot per iteration of `concurrentPerform`: each iteration writes only its own index and the
/// slots are read after all have finished, so no two threads touch one slot.
private final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Result<T, any Error>?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    func store(_ result: Result<T, any Error>, at index: Int) { storage[index] = result }

    func values() throws -> [T] { try storage.map { try $0!.get() } }

    deinit {
        _ = storage.deinitialize()
        storage.deallocate()
    }
}
