/// Whether operations record themselves on the autograd graph.
///
/// The flag is task-local rather than global so that a no-grad evaluation on one task never switches
/// recording off for a model training on another. Outside any task it falls back to a thread-local
/// value, so synchronous code behaves the same way.
public enum GradMode {
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` with gradient recording switched off: results have `requiresGrad == false` and hold
/// no graph, so evaluation does not keep activations alive.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false) { try body() }
}

/// Async variant of `withNoGrad(_:)`.
@discardableResult
public func withNoGrad<R>(_ body: () async throws -> R) async rethrows -> R {
    try await GradMode.$isEnabled.withValue(false) { try await body() }
}
