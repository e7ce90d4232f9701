import Foundation
import NeuroCore
import Synchronization

/// A `FitMonitor` that draws a progress bar on standard error, only when it is a terminal, so piped
/// output and CI logs stay clean. Redraws at most ten times a second.
final class TerminalProgress: FitMonitor {
    private struct State {
        var lastDraw = Date.distantPast
        var drewSomething = false
    }

    private let enabled: Bool
    private let state = Mutex(State())

    init(enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.enabled = enabled
    }

    var shouldStop: Bool { false }

    func report(_ progress: FitProgress) {
        guard enabled else { return }
        let isLast = progress.total.map { progress.iteration >= $0 } ?? false
        let line: String? = state.withLock { state in
            let now = Date()
            guard isLast || now.timeIntervalSince(state.lastDraw) >= 0.1 else { return nil }
            state.lastDraw = now
            state.drewSomething = true
            return Self.render(progress)
        }
        if let line { FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8)) }
    }

    /// Ends the bar's line so that later output starts on a fresh one.
    func finish() {
        guard enabled, state.withLock({ $0.drewSomething }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func render(_ progress: FitProgress, width: Int = 30) -> String {
        var line = progress.stage
        if let fraction = progress.fraction, let total = progress.total {
            let filled = Int((fraction * Double(width)).rounded(.down))
            line += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            line += " \(progress.iteration)/\(total)"
        } else {
            line += " \(progress.iteration)"
        }
        if let objective = progress.objective { line += String(format: "  objective %.6g", objective) }
        return line
    }
}
