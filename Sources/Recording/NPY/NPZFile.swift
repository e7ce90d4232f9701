import Foundation

/// A NumPy `.npz` archive: named arrays, each a `.npy` member of a ZIP file (stored by `np.savez`,
/// deflated by `np.savez_compressed`). Names are the member names without `.npy`, in archive order.
public struct NPZFile: Sendable {
    public let names: [String]
    public let arrays: [String: NumericArray]

    /// Reads every array of the archive at `url`.
    public init(url: URL) throws {
        try self.init(bytes: readFileBytes(url), name: url.lastPathComponent)
    }

    /// Decodes an archive image (`name` labels errors).
    public init(bytes: [UInt8], name: String) throws {
        let archive = try ZipArchive(bytes: bytes, file: name)
        var names: [String] = []
        var arrays: [String: NumericArray] = [:]
        for entry in archive.entries where !entry.name.hasSuffix("/") {
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            let member = try archive.contents(of: entry)
            guard arrays[key] == nil else {
                throw ArrayFileError.invalidField(file: name, field: "member \(entry.name)", expected: "unique names", found: "a repeated name")
            }
            arrays[key] = try NPYFile.read(bytes: member, name: "\(name)/\(entry.name)")
            names.append(key)
        }
        self.names = names
        self.arrays = arrays
    }

    /// The array called `name`.
    public subscript(name: String) -> NumericArray? { arrays[name] }

    /// The array called `name`, or an error listing the names present.
    public func array(_ name: String) throws -> NumericArray {
        guard let array = arrays[name] else { throw ArrayFileError.notFound(file: "npz", name: "array '\(name)'", available: names) }
        return array
    }

    /// Encodes named arrays as an archive image, deflated (like `np.savez_compressed`) or stored (`np.savez`).
    public static func encode(_ arrays: [(name: String, array: NumericArray)], compressed: Bool) throws -> [UInt8] {
        try ZipArchive.build(arrays.map { (name: $0.name + ".npy", data: NPYFile.encode($0.array)) }, deflate: compressed)
    }

    /// Writes named arrays to `url` atomically.
    public static func write(_ arrays: [(name: String, array: NumericArray)], to url: URL, compressed: Bool = true) throws {
        try AtomicFile.write(Data(encode(arrays, compressed: compressed)), to: url)
    }
}
