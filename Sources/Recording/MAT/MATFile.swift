import Foundation

/// A MATLAB level-5 MAT-file (v5, v6, v7: uncompressed and `miCOMPRESSED` elements, either byte order).
///
/// All variables are decoded at open (`MATValue` trees). v7.3 files are HDF5 inside: `init(url:)`
/// reads them through NeuroCore's HDF5 wrapper into the same tree (MATFile+V73.swift);
/// `init(bytes:name:)` cannot (HDF5 needs a file) and throws `ArrayFileError.matV73` for them.
///
/// Paths: `value(at:)` takes dotted paths of field names with optional 0-based C-order indices into
/// cell and struct arrays, e.g. `"EEG.srate"`, `"EEG.event[3].type"`, `"spikes[0][0][3][9].time"`.
public struct MATFile: Sendable {
    /// The 116-byte descriptive text ("MATLAB 5.0 MAT-file, Platform: …").
    public let headerText: String
    /// True when the file was written big-endian (`MI` indicator).
    public let isBigEndian: Bool
    /// True for MAT v7.3 (HDF5 inside), false for v5/v6/v7.
    public let isHDF5: Bool
    /// Variable names in file order.
    public let names: [String]
    public let variables: [String: MATValue]

    /// Reads the file at `url` (v5/v6/v7, or v7.3 through HDF5).
    public init(url: URL) throws {
        if try MATFile.hasHDF5Signature(url) {
            try self.init(v73: url)
        } else {
            try self.init(bytes: readFileBytes(url), name: url.lastPathComponent)
        }
    }

    init(headerText: String, isBigEndian: Bool, isHDF5: Bool, names: [String], variables: [String: MATValue], file: String) {
        self.headerText = headerText
        self.isBigEndian = isBigEndian
        self.isHDF5 = isHDF5
        self.names = names
        self.variables = variables
        self.file = file
    }

    /// Decodes a MAT-file image (`name` labels errors).
    public init(bytes: [UInt8], name: String) throws {
        var parser = try MATParser(bytes: bytes, file: name)
        headerText = parser.headerText
        isBigEndian = parser.bigEndian
        isHDF5 = false
        let parsed = try parser.parseVariables()
        var names: [String] = []
        var variables: [String: MATValue] = [:]
        for (key, value) in parsed {
            if variables[key] == nil { names.append(key) }
            variables[key] = value
        }
        self.names = names
        self.variables = variables
        self.file = name
    }

    private let file: String

    /// The variable called `name`.
    public subscript(name: String) -> MATValue? { variables[name] }

    /// The value at a dotted path (see the type's documentation), or an error naming what is missing.
    public func value(at path: String) throws -> MATValue {
        var components = try MATFile.parsePath(path, file: file)
        guard case .field(let first)? = components.first else {
            throw ArrayFileError.invalidField(file: file, field: "path", expected: "a variable name first", found: path)
        }
        components.removeFirst()
        guard var current = variables[first] else {
            throw ArrayFileError.notFound(file: file, name: "variable '\(first)'", available: names)
        }
        var walked = first
        for component in components {
            switch component {
            case .field(let field):
                guard case .structure(let s) = current else {
                    throw ArrayFileError.wrongKind(name: walked, expected: "a struct (to take .\(field))", found: current.kindName)
                }
                guard s.count == 1 else {
                    throw ArrayFileError.wrongKind(name: walked, expected: "a 1×1 struct (index it first, e.g. \(walked)[0].\(field))", found: "a struct array of shape \(s.shape)")
                }
                guard let next = s.value(field: field) else {
                    throw ArrayFileError.notFound(file: file, name: "field '\(field)' in \(walked)", available: s.fieldNames)
                }
                current = next
                walked += ".\(field)"
            case .index(let i):
                switch current {
                case .cell(let c) where i >= 0 && i < c.elements.count:
                    current = c.elements[i]
                case .structure(let s) where i >= 0 && i < s.count:
                    current = .structure(MATStruct(shape: [1, 1], fieldNames: s.fieldNames,
                                                   fieldValues: s.fieldValues.map { [$0[i]] }, className: s.className))
                default:
                    throw ArrayFileError.wrongKind(name: walked, expected: "a cell or struct array with an element \(i)", found: "\(current.kindName) of shape \(current.shape)")
                }
                walked += "[\(i)]"
            }
        }
        return current
    }

    enum PathComponent: Equatable { case field(String), index(Int) }

    static func parsePath(_ path: String, file: String) throws -> [PathComponent] {
        var out: [PathComponent] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let nameEnd = rest.firstIndex(of: "[") ?? rest.endIndex
            let name = rest[..<nameEnd]
            guard !name.isEmpty else { throw ArrayFileError.invalidField(file: file, field: "path", expected: "field names separated by '.'", found: path) }
            out.append(.field(String(name)))
            rest = rest[nameEnd...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) else {
                    throw ArrayFileError.invalidField(file: file, field: "path", expected: "indices like [0]", found: path)
                }
                out.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
        }
        return out
    }
}
