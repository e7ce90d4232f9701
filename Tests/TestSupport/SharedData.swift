import Foundation

/// Locates `../shared/data` (the real recordings beside the repository) for tests that use it.
///
/// Tests that need a file call `SharedData.file("eeg/...")` and skip when it returns nil, so a
/// user's fresh clone without `../shared` still passes; CI always has the folder.
public enum SharedData {
    /// The repository root, found from this source file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data`, or nil when it is absent.
    public static var root: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A file under `../shared/data`, or nil when the folder or the file is absent.
    public static func file(_ relativePath: String) -> URL? {
        guard let url = root?.appendingPathComponent(relativePath),
              FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url
    }

    /// True when the shared data folder is present (use with `.enabled(if:)`).
    public static var isAvailable: Bool { root != nil }
}

/// A fresh temporary folder, removed when the value is deinitialised.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("neuroswift-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}
