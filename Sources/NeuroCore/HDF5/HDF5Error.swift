import CHDF5

/// Errors from the HDF5 wrapper.
///
/// Every case names the file; cases about an object name its path inside the file, and `library`
/// carries HDF5's own message, read from its error stack (HDF5's automatic printing to stderr is
/// switched off, so this message is the only place the details go).
public enum HDF5Error: Error, Sendable, CustomStringConvertible {
    /// Nothing exists at the path.
    case fileNotFound(file: String)
    /// The file exists but carries no HDF5 signature.
    case notHDF5(file: String)
    /// The file looks like HDF5 but the library refused to open it (truncated, unreadable, locked).
    case cannotOpen(file: String, message: String)
    case cannotCreate(file: String, message: String)
    /// The `HDF5File` was closed before the operation.
    case fileClosed(file: String, operation: String)
    case readOnly(file: String, object: String, operation: String)
    case objectNotFound(file: String, object: String)
    /// The object exists but is, say, a group where a dataset was asked for.
    case wrongKind(file: String, object: String, expected: String, found: String)
    case alreadyExists(file: String, object: String)
    case attributeNotFound(file: String, object: String, attribute: String)
    /// Reading the stored type as the requested one would lose information (or make no sense).
    case typeMismatch(file: String, object: String, stored: HDF5ElementType, requested: String)
    /// Arguments that do not fit the object (value count vs shape, rows out of range, bad chunks).
    case invalidArgument(file: String, object: String, operation: String, reason: String)
    /// An HDF5 call failed; `message` is HDF5's error stack, outermost description first.
    case library(file: String, object: String, operation: String, message: String)

    /// The file every case refers to.
    public var file: String {
        switch self {
        case .fileNotFound(let file), .notHDF5(let file), .cannotOpen(let file, _), .cannotCreate(let file, _),
             .fileClosed(let file, _), .readOnly(let file, _, _), .objectNotFound(let file, _),
             .wrongKind(let file, _, _, _), .alreadyExists(let file, _), .attributeNotFound(let file, _, _),
             .typeMismatch(let file, _, _, _), .invalidArgument(let file, _, _, _), .library(let file, _, _, _):
            return file
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "\(file): no such file"
        case .notHDF5(let file):
            return "\(file): not an HDF5 file"
        case .cannotOpen(let file, let message):
            return "\(file): cannot open as HDF5: \(message)"
        case .cannotCreate(let file, let message):
            return "\(file): cannot create HDF5 file: \(message)"
        case .fileClosed(let file, let operation):
            return "\(file): cannot \(operation): the file is closed"
        case .readOnly(let file, let object, let operation):
            return "\(file): \(object): cannot \(operation): the file is open read-only"
        case .objectNotFound(let file, let object):
            return "\(file): no object at \(object)"
        case .wrongKind(let file, let object, let expected, let found):
            return "\(file): \(object) is a \(found), not a \(expected)"
        case .alreadyExists(let file, let object):
            return "\(file): \(object) already exists"
        case .attributeNotFound(let file, let object, let attribute):
            return "\(file): \(object) has no attribute '\(attribute)'"
        case .typeMismatch(let file, let object, let stored, let requested):
            return "\(file): \(object) stores \(stored), which cannot be read as \(requested) without loss"
        case .invalidArgument(let file, let object, let operation, let reason):
            return "\(file): \(object): cannot \(operation): \(reason)"
        case .library(let file, let object, let operation, let message):
            return "\(file): \(object): \(operation) failed: \(message)"
        }
    }
}

// MARK: - HDF5's error stack

/// One entry of HDF5's per-thread error stack.
struct HDF5ErrorFrame {
    let function: String
    let description: String
    let minor: String
}

/// Collects frames during `H5Ewalk2`; passed to the C callback as client data.
private final class HDF5ErrorFrameBox {
    var frames: [HDF5ErrorFrame] = []
}

/// The C callback for `H5Ewalk2`: a plain function so it converts to `@convention(c)`.
private func collectErrorFrame(
    _ index: UInt32, _ entry: UnsafePointer<H5E_error2_t>?, _ client: UnsafeMutableRawPointer?
) -> herr_t {
    guard let entry, let client else { return 0 }
    let box = Unmanaged<HDF5ErrorFrameBox>.fromOpaque(client).takeUnretainedValue()
    let error = entry.pointee
    let function = error.func_name.map { String(cString: $0) } ?? "?"
    let description = error.desc.map { String(cString: $0) } ?? ""
    var buffer = [CChar](repeating: 0, count: 256)
    var kind = H5E_MINOR
    let length = H5Eget_msg(error.min_num, &kind, &buffer, buffer.count)
    let minor = length > 0 ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : ""
    box.frames.append(HDF5ErrorFrame(function: function, description: description, minor: minor))
    return 0
}

enum HDF5ErrorStack {
    /// Reads and clears the calling thread's HDF5 error stack.
    static func frames() -> [HDF5ErrorFrame] {
        let box = HDF5ErrorFrameBox()
        withExtendedLifetime(box) {
            let client = Unmanaged.passUnretained(box).toOpaque()
            _ = H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, collectErrorFrame, client)
        }
        _ = H5Eclear2(chdf5_e_default())
        return box.frames
    }

    /// The stack as one line: the API call's own description, then the innermost cause, which is
    /// where HDF5 says what was actually wrong ("truncated file: eof = …", "file signature not found").
    static func message() -> String {
        let frames = frames()
        guard let outer = frames.first, let inner = frames.last else { return "unknown HDF5 error" }
        var text = "\(outer.function): \(outer.description)"
        if frames.count > 1 {
            text += " (\(inner.function): \(inner.description)"
            if !inner.minor.isEmpty { text += "; \(inner.minor)" }
            text += ")"
        } else if !outer.minor.isEmpty {
            text += " (\(outer.minor))"
        }
        return text
    }
}
