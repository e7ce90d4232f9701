import Foundation

/// Errors from writing files.
public enum FileWriteError: Error, Sendable, CustomStringConvertible {
    case cannotCreateTemporary(path: String, reason: String)
    case cannotReplace(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateTemporary(let path, let reason):
            return "\(path): cannot create a temporary file beside it: \(reason)"
        case .cannotReplace(let path, let reason):
            return "\(path): cannot move the finished file into place: \(reason)"
        }
    }
}

/// Writes a file so that readers see either the old file or the complete new one, never a part.
///
/// `body` writes to a temporary path in the destination's folder (same file system, so the final
/// `rename(2)` is atomic). If `body` throws, or the process dies, the destination is untouched and
/// the temporary file is removed (or left as an obviously named `.*.partial-*` file after a crash).
public enum AtomicFile {
    public static func write<T>(to destination: URL, _ body: (URL) throws -> T) throws -> T {
        let folder = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        let temporary = folder.appendingPathComponent(".\(name).partial-\(UUID().uuidString)")
        guard FileManager.default.isWritableFile(atPath: folder.path) else {
            throw FileWriteError.cannotCreateTemporary(
                path: destination.path, reason: "folder \(folder.path) is missing or not writable")
        }
        let result: T
        do {
            result = try body(temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FileWriteError.cannotReplace(path: destination.path, reason: reason)
        }
        return result
    }

    /// Writes `data` atomically.
    public static func write(_ data: Data, to destination: URL) throws {
        try write(to: destination) { temporary in
            do {
                try data.write(to: temporary)
            } catch {
                throw FileWriteError.cannotCreateTemporary(
                    path: destination.path, reason: error.localizedDescription)
            }
        }
    }
}
