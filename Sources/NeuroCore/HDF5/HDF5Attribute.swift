import CHDF5

/// The value of an attribute, widened to one of a few Swift representations.
///
/// Scalar and array attributes both become arrays (a scalar is a one-element array); variable-length
/// sequences of single characters (MATLAB v7.3's `MATLAB_fields`) read as strings. Types this
/// wrapper does not decode (references, compounds, enums) come back as `.unsupported` with a short
/// description, never as a crash, so listing any file works.
public enum HDF5AttributeValue: Sendable, Equatable, CustomStringConvertible {
    case integers([Int64])
    case unsignedIntegers([UInt64])
    case reals([Double])
    case strings([String])
    case unsupported(String)

    /// Single values print bare (`5`, `0.25`, `ElectricalSeries µV`), arrays in brackets.
    public var description: String {
        switch self {
        case .integers(let values): return Self.format(values.map { String($0) })
        case .unsignedIntegers(let values): return Self.format(values.map { String($0) })
        case .reals(let values): return Self.format(values.map { String($0) })
        case .strings(let values):
            return values.count == 1 ? values[0] : Self.format(values.map { String(reflecting: $0) })
        case .unsupported(let what): return "<\(what)>"
        }
    }

    private static func format(_ items: [String]) -> String {
        items.count == 1 ? items[0] : "[" + items.joined(separator: ", ") + "]"
    }

    /// The text of a single-string attribute (NWB's `unit`, `neurodata_type`, …).
    public var string: String? {
        if case .strings(let values) = self, values.count == 1 { return values[0] }
        return nil
    }

    /// Numeric values as `Double` (integers converted), nil for text and unsupported values.
    public var doubles: [Double]? {
        switch self {
        case .integers(let values): return values.map { Double($0) }
        case .unsignedIntegers(let values): return values.map { Double($0) }
        case .reals(let values): return values
        default: return nil
        }
    }

    /// A single numeric value as `Double`.
    public var double: Double? {
        guard let values = doubles, values.count == 1 else { return nil }
        return values[0]
    }
}

/// A named attribute.
public struct HDF5Attribute: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let value: HDF5AttributeValue

    public init(name: String, value: HDF5AttributeValue) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name) = \(value)" }
}

/// Groups and datasets both carry attributes; the implementation is shared through this protocol.
public protocol HDF5AttributeHolder: Sendable {
    var file: HDF5File { get }
    /// Absolute path of the object inside the file.
    var path: String { get }
}

extension HDF5AttributeHolder {
    /// Sets (or replaces) a scalar numeric attribute.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        chdf5_silence_errors()
        try writeAttribute(name, shape: [], type: T.nativeTypeID, count: 1) { write in
            try withUnsafeBytes(of: value) { try write($0.baseAddress!) }
        }
    }

    /// Sets (or replaces) a one-dimensional numeric attribute.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        chdf5_silence_errors()
        try writeAttribute(name, shape: [values.count], type: T.nativeTypeID, count: values.count) { write in
            try values.withUnsafeBytes { try write($0.baseAddress!) }
        }
    }

    /// Sets (or replaces) a scalar variable-length UTF-8 string attribute, as NWB writes them.
    public func setAttribute(_ name: String, _ value: String) throws {
        chdf5_silence_errors()
        try writeStringAttribute(name, shape: [], values: [value])
    }

    /// Sets (or replaces) a one-dimensional array of variable-length UTF-8 strings
    /// (NWB's `colnames`, for example).
    public func setAttribute(_ name: String, _ values: [String]) throws {
        chdf5_silence_errors()
        try writeStringAttribute(name, shape: [values.count], values: values)
    }

    public func hasAttribute(_ name: String) -> Bool {
        chdf5_silence_errors()
        let path = self.path
        return (try? file.withFileID("read attribute", object: path) { id, _ in
            HDF5Objects.exists(id, path) && H5Aexists_by_name(id, path, name, h5Default) > 0
        }) ?? false
    }

    public func attribute(_ name: String) throws -> HDF5AttributeValue {
        chdf5_silence_errors()
        let path = self.path
        return try file.withFileID("read attribute '\(name)'", object: path) { id, site in
            guard HDF5Objects.exists(id, path) else { throw HDF5Error.objectNotFound(file: site.file, object: path) }
            guard H5Aexists_by_name(id, path, name, h5Default) > 0 else {
                throw HDF5Error.attributeNotFound(file: site.file, object: path, attribute: name)
            }
            return try HDF5AttributeIO.read(id, object: path, name: name, site)
        }
    }

    /// All attributes, sorted by name.
    public func attributes() throws -> [HDF5Attribute] {
        chdf5_silence_errors()
        let path = self.path
        return try file.withFileID("list attributes", object: path) { id, site in
            guard HDF5Objects.exists(id, path) else { throw HDF5Error.objectNotFound(file: site.file, object: path) }
            return try HDF5AttributeIO.readAll(id, object: path, site)
        }
    }

    // MARK: Writing

    private func writeAttribute(
        _ name: String, shape: [Int], type: hid_t, count: Int,
        _ withBuffer: (_ write: (UnsafeRawPointer) throws -> Void) throws -> Void
    ) throws {
        let path = self.path
        let file = self.file
        try file.withFileID("write attribute '\(name)'", object: path) { id, site in
            try file.requireWritable(site, "write attribute '\(name)'")
            let attribute = try HDF5AttributeIO.create(id, object: path, name: name, type: type, shape: shape, site)
            if count > 0 {
                try withBuffer { buffer in
                    try site.check(H5Awrite(attribute.id, type, buffer), "write attribute '\(name)'")
                }
            }
        }
    }

    private func writeStringAttribute(_ name: String, shape: [Int], values: [String]) throws {
        let path = self.path
        let file = self.file
        try file.withFileID("write attribute '\(name)'", object: path) { id, site in
            try file.requireWritable(site, "write attribute '\(name)'")
            let type = try HDF5Strings.variableLengthUTF8Type(site)
            let attribute = try HDF5AttributeIO.create(id, object: path, name: name, type: type.id, shape: shape, site)
            if !values.isEmpty {
                try HDF5Strings.withCStringPointers(values) { buffer in
                    try site.check(H5Awrite(attribute.id, type.id, buffer), "write attribute '\(name)'")
                }
            }
        }
    }
}

/// Attribute creation and decoding, run under the file lock.
enum HDF5AttributeIO {
    /// Creates the attribute, replacing an existing one of the same name.
    static func create(
        _ file: hid_t, object: String, name: String, type: hid_t, shape: [Int], _ site: HDF5Site
    ) throws -> HDF5Handle {
        guard HDF5Objects.exists(file, object) else { throw HDF5Error.objectNotFound(file: site.file, object: object) }
        if H5Aexists_by_name(file, object, name, h5Default) > 0 {
            try site.check(H5Adelete_by_name(file, object, name, h5Default), "replace attribute '\(name)'")
        }
        let space: HDF5Handle
        if shape.isEmpty {
            space = try site.handle(H5Screate(H5S_SCALAR), .dataspace, "make dataspace")
        } else {
            let dims = shape.map { hsize_t($0) }
            space = try site.handle(H5Screate_simple(Int32(dims.count), dims, nil), .dataspace, "make dataspace")
        }
        return try site.handle(
            H5Acreate_by_name(file, object, name, type, space.id, h5Default, h5Default, h5Default),
            .attribute, "create attribute '\(name)'")
    }

    static func readAll(_ file: hid_t, object: String, _ site: HDF5Site) throws -> [HDF5Attribute] {
        guard let names = HDF5Library.attributeNames(file, object: object) else {
            throw site.failure("list attributes")
        }
        return try names.sorted().map { name in
            HDF5Attribute(name: name, value: try read(file, object: object, name: name, site))
        }
    }

    static func read(_ file: hid_t, object: String, name: String, _ site: HDF5Site) throws -> HDF5AttributeValue {
        let operation = "read attribute '\(name)'"
        let attribute = try site.handle(H5Aopen_by_name(file, object, name, h5Default, h5Default), .attribute, operation)
        let type = try site.handle(H5Aget_type(attribute.id), .datatype, operation)
        let space = try site.handle(H5Aget_space(attribute.id), .dataspace, operation)
        let shape = try HDF5Objects.shape(ofSpace: space.id, site)
        let count = H5Sget_simple_extent_type(space.id) == H5S_NULL ? 0 : (hdf5ElementCount(shape) ?? 0)
        let element = HDF5ElementType(typeID: type.id)

        func numbers<T: HDF5Scalar>(_: T.Type) throws -> [T] {
            guard count > 0 else { return [] }
            return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = 0
                try site.check(H5Aread(attribute.id, T.nativeTypeID, buffer.baseAddress!), operation)
                initialized = count
            }
        }

        switch element.numericKind {
        case .signed: return .integers(try numbers(Int64.self))
        case .unsigned: return .unsignedIntegers(try numbers(UInt64.self))
        case .floatingPoint: return .reals(try numbers(Double.self))
        case nil: break
        }
        if element.isString {
            return .strings(try HDF5Strings.read(storedType: type.id, count: count, space: space.id, site) { memory, buffer in
                H5Aread(attribute.id, memory, buffer)
            })
        }
        if let characters = try HDF5Strings.readCharacterSequences(storedType: type.id, count: count, space: space.id, site, { memory, buffer in
            H5Aread(attribute.id, memory, buffer)
        }) {
            return .strings(characters)
        }
        return .unsupported(shape.isEmpty ? "\(element)" : "\(element) \(shape)")
    }
}
