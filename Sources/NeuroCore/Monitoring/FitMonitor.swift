import Synchronization

/// One progress report from long-running work (a fit, a chain, an epoch of training).
///
/// The library never prints: estimators describe what they are doing through these events and the
/// caller decides how to show them (the CLI draws a progress bar on a terminal).
public struct FitProgress: Sendable, Equatable {
    /// What is running, e.g. `"gibbs chain 2"` or `"epoch"`.
    public var stage: String
    /// Iterations completed so far in this stage (1-based once the first one finishes).
    public var iteration: Int
    /// Planned number of iterations, when known.
    public var total: Int?
    /// Objective after this iteration (log-likelihood, loss, …), when the method has one.
    public var objective: Double?

    public init(stage: String, iteration: Int, total: Int? = nil, objective: Double? = nil) {
        self.stage = stage
        self.iteration = iteration
        self.total = total
        self.objective = objective
    }

    /// Completed fraction in 0…1, or nil when the total is unknown.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, max(0, Double(iteration) / Double(total)))
    }
}

/// Receives progress from estimators and can ask them to stop early.
///
/// An estimator that sees `shouldStop` return true finishes the current iteration and returns a valid,
/// partial result whose trace says it did not converge. Monitors are called from whichever thread
/// runs the work, so they must be `Sendable`.
public protocol FitMonitor: Sendable {
    func report(_ progress: FitProgress)
    var shouldStop: Bool { get }
}

/// A monitor that ignores every event and never stops the work; the default for library calls.
public struct SilentMonitor: FitMonitor {
    public init() {}
    public func report(_ progress: FitProgress) {}
    public var shouldStop: Bool { false }
}

/// A monitor that forwards events to a closure and can be stopped from any thread.
public final class ClosureMonitor: FitMonitor {
    private let handler: @Sendable (FitProgress) -> Void
    private let stopped = Atomic<Bool>(false)

    public init(_ handler: @escaping @Sendable (FitProgress) -> Void) {
        self.handler = handler
    }

    public func report(_ progress: FitProgress) { handler(progress) }

    public var shouldStop: Bool { stopped.load(ordering: .relaxed) }

    /// Asks the running work to stop after its current iteration.
    public func requestStop() { stopped.store(true, ordering: .relaxed) }
}

/// Records every event; useful in tests and for building a trace after the fact.
public final class RecordingMonitor: FitMonitor {
    private let events = Mutex<[FitProgress]>([])
    private let stopAfter: Int?

    /// - Parameter stopAfter: ask the work to stop once this many events have arrived.
    public init(stopAfter: Int? = nil) { self.stopAfter = stopAfter }

    public func report(_ progress: FitProgress) { events.withLock { $0.append(progress) } }

    public var recorded: [FitProgress] { events.withLock { $0 } }

    public var shouldStop: Bool {
        guard let stopAfter else { return false }
        return events.withLock { $0.count >= stopAfter }
    }
}
