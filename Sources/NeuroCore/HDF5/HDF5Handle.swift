import CHDF5

/// `H5P_DEFAULT` as an id (the macro imports as `Int32`).
let h5Default: hid_t = chdf5_p_default()

/// Owns one HDF5 id and closes it when the last reference goes away, so every early `throw`
/// releases what it opened. Ids are `Int64`, which makes the class `Sendable` without `@unchecked`.
final class HDF5Handle: Sendable {
    enum Kind: Sendable {
        case object, group, dataset, dataspace, datatype, attribute, propertyList
    }

    let id: hid_t
    let kind: Kind

    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    deinit {
        chdf5_silence_errors()
        switch kind {
        case .object: _ = H5Oclose(id)
        case .group: _ = H5Gclose(id)
        case .dataset: _ = H5Dclose(id)
        case .dataspace: _ = H5Sclose(id)
        case .datatype: _ = H5Tclose(id)
        case .attribute: _ = H5Aclose(id)
        case .propertyList: _ = H5Pclose(id)
        }
    }
}

/// Where an operation happens (file and object path), to turn failed HDF5 calls into `HDF5Error`s.
struct HDF5Site: Sendable {
    let file: String
    let object: String

    func failure(_ operation: String) -> HDF5Error {
        .library(file: file, object: object, operation: operation, message: HDF5ErrorStack.message())
    }

    func invalid(_ operation: String, _ reason: String) -> HDF5Error {
        .invalidArgument(file: file, object: object, operation: operation, reason: reason)
    }

    /// Wraps a freshly returned id, throwing HDF5's message when it is negative.
    func handle(_ id: hid_t, _ kind: HDF5Handle.Kind, _ operation: String) throws(HDF5Error) -> HDF5Handle {
        guard id >= 0 else { throw failure(operation) }
        return HDF5Handle(id, kind)
    }

    /// Checks an `herr_t` (or `htri_t`) status.
    func check(_ status: Int32, _ operation: String) throws(HDF5Error) {
        guard status >= 0 else { throw failure(operation) }
    }

    /// A non-negative count returned by HDF5 (ranks, filter counts), or the error it signals.
    func count(_ value: Int32, _ operation: String) throws(HDF5Error) -> Int {
        guard value >= 0 else { throw failure(operation) }
        return Int(value)
    }
}

// MARK: - Paths

/// Object paths inside a file: always absolute, single slashes, no trailing slash ("/" is the root).
enum HDF5Path {
    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }

    static func join(_ components: [String]) -> String {
        "/" + components.joined(separator: "/")
    }

    /// `path` if it is absolute, else `path` below `base`.
    static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return join(components(path)) }
        return join(components(base) + components(path))
    }

    static func child(_ name: String, of parent: String) -> String {
        parent == "/" ? "/" + name : parent + "/" + name
    }

    static func lastComponent(_ path: String) -> String {
        components(path).last ?? "/"
    }
}

/// Product of a shape, or nil on overflow or a negative extent.
func hdf5ElementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for extent in shape {
        guard extent >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: extent)
        if overflow { return nil }
        count = product
    }
    return count
}
