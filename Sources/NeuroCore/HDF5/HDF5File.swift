import CHDF5
import Foundation
import Synchronization

/// An open HDF5 file: the project's exchange format (NWB recordings, exports, checkpoints).
///
/// Groups and datasets are values that hold the file and their path; every operation opens what it
/// needs by path and closes it before returning. So no HDF5 object id outlives a call, `close()`
/// really closes (and flushes) the file, and a `HDF5Dataset` kept after `close()` throws
/// `.fileClosed` instead of touching a stale id. The file id sits behind a mutex, which also
/// serialises operations on one file (HDF5 itself holds a global lock, so nothing is lost).
///
/// HDF5 prints its error stack to stderr unless told not to, per thread; every public entry point
/// silences it first and turns failures into `HDF5Error`s carrying the stack's message.
public final class HDF5File: Sendable {
    public enum Mode: Sendable {
        case readOnly, readWrite
    }

    public let url: URL
    public let mode: Mode
    /// The file id while open.
    private let state: Mutex<hid_t?>

    private init(url: URL, mode: Mode, id: hid_t) {
        self.url = url
        self.mode = mode
        self.state = Mutex(id)
    }

    deinit {
        chdf5_silence_errors()
        state.withLock { id in
            if let open = id { _ = H5Fclose(open) }
            id = nil
        }
    }

    /// The file's path, as used in error messages.
    public var path: String { url.path }

    /// Creates (or truncates) a file, open for writing.
    public static func create(at url: URL) throws -> HDF5File {
        chdf5_silence_errors()
        let id = H5Fcreate(url.path, chdf5_acc_trunc(), h5Default, h5Default)
        guard id >= 0 else { throw HDF5Error.cannotCreate(file: url.path, message: HDF5ErrorStack.message()) }
        return HDF5File(url: url, mode: .readWrite, id: id)
    }

    /// Opens an existing file. Missing files, other formats and damaged HDF5 files throw distinct
    /// `HDF5Error` cases naming the path; nothing is printed.
    public static func open(at url: URL, mode: Mode = .readOnly) throws -> HDF5File {
        chdf5_silence_errors()
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw HDF5Error.fileNotFound(file: path)
        }
        if isFolder.boolValue { throw HDF5Error.cannotOpen(file: path, message: "it is a folder") }
        // Checking the signature first gives "not an HDF5 file" rather than a page of stack.
        let signature = HDF5Library.isHDF5(path)
        if signature == 0 { throw HDF5Error.notHDF5(file: path) }
        if signature < 0 { throw HDF5Error.cannotOpen(file: path, message: HDF5ErrorStack.message()) }
        let flags = mode == .readOnly ? chdf5_acc_rdonly() : chdf5_acc_rdwr()
        let id = H5Fopen(path, flags, h5Default)
        guard id >= 0 else { throw HDF5Error.cannotOpen(file: path, message: HDF5ErrorStack.message()) }
        return HDF5File(url: url, mode: mode, id: id)
    }

    /// Writes a whole file atomically: `body` fills a new file at a temporary path beside `url`,
    /// which is closed and then renamed over `url`. If `body` throws, nothing is left behind and an
    /// existing file at `url` is untouched.
    @discardableResult
    public static func writeAtomically<T>(to url: URL, _ body: (HDF5File) throws -> T) throws -> T {
        chdf5_silence_errors()
        return try AtomicFile.write(to: url) { temporary in
            let file = try HDF5File.create(at: temporary)
            let result: T
            do {
                result = try body(file)
            } catch {
                try? file.close()
                throw error
            }
            try file.close()
            return result
        }
    }

    /// The root group "/".
    public var root: HDF5Group { HDF5Group(file: self, path: "/") }

    public var isOpen: Bool { state.withLock { $0 != nil } }

    /// Closes the file, flushing what was written. Closing twice is harmless.
    public func close() throws {
        chdf5_silence_errors()
        let path = self.path
        try state.withLock { (id: inout hid_t?) throws(HDF5Error) -> Void in
            guard let open = id else { return }
            id = nil
            if H5Fclose(open) < 0 {
                throw HDF5Error.library(file: path, object: "/", operation: "close", message: HDF5ErrorStack.message())
            }
        }
    }

    /// Flushes buffered writes to the operating system without closing.
    public func flush() throws {
        chdf5_silence_errors()
        try withFileID("flush", object: "/") { id, site in
            try site.check(H5Fflush(id, H5F_SCOPE_GLOBAL), "flush")
        }
    }

    // MARK: Internal access

    /// Runs `body` with the open file id under the file's lock; throws `.fileClosed` after `close()`.
    /// `body` must not call back into public API of the same file (the lock is not re-entrant).
    func withFileID<R: Sendable>(
        _ operation: String, object: String, _ body: (hid_t, HDF5Site) throws -> R
    ) throws -> R {
        let site = HDF5Site(file: path, object: object)
        return try state.withLock { (id: inout hid_t?) throws -> R in
            guard let open = id else { throw HDF5Error.fileClosed(file: site.file, operation: operation) }
            return try body(open, site)
        }
    }

    func requireWritable(_ site: HDF5Site, _ operation: String) throws {
        if mode == .readOnly {
            throw HDF5Error.readOnly(file: site.file, object: site.object, operation: operation)
        }
    }
}
