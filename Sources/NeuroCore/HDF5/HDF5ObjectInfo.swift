import CHDF5

/// One entry of a file listing (`HDF5File.tree()`), enough to print an `h5ls -v`-like summary.
public struct HDF5ObjectInfo: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case group, dataset, namedType, other
    }

    public let path: String
    public let kind: Kind
    /// Datasets only.
    public let shape: [Int]?
    /// Datasets and named datatypes.
    public let elementType: HDF5ElementType?
    public let chunks: [Int]?
    public let compression: String?
    public let attributes: [HDF5Attribute]

    public init(
        path: String, kind: Kind, shape: [Int]? = nil, elementType: HDF5ElementType? = nil,
        chunks: [Int]? = nil, compression: String? = nil, attributes: [HDF5Attribute] = []
    ) {
        self.path = path
        self.kind = kind
        self.shape = shape
        self.elementType = elementType
        self.chunks = chunks
        self.compression = compression
        self.attributes = attributes
    }

    /// One line: path, kind, then type, shape and storage for datasets.
    public var description: String {
        var parts = [path, kind.rawValue]
        if let elementType { parts.append(elementType.description) }
        if let shape { parts.append("[" + shape.map(String.init).joined(separator: ", ") + "]") }
        if let chunks { parts.append("chunks [" + chunks.map(String.init).joined(separator: ", ") + "]") }
        if let compression { parts.append(compression) }
        return parts.joined(separator: "  ")
    }
}

extension HDF5File {
    /// Every object in the file, depth-first from "/" (listed first), children sorted by name.
    ///
    /// Soft links are followed (an object reached twice is listed twice but a group is descended
    /// into once, so cycles terminate); external and dangling links are listed as `.other`
    /// without opening anything.
    public func tree() throws -> [HDF5ObjectInfo] {
        chdf5_silence_errors()
        return try withFileID("list objects", object: "/") { id, site in
            try HDF5Listing.walk(id, from: "/", site)
        }
    }
}

enum HDF5Listing {
    static func walk(_ file: hid_t, from start: String, _ site: HDF5Site) throws -> [HDF5ObjectInfo] {
        var listing = [HDF5ObjectInfo]()
        var visitedGroups = Set<UInt64>()

        func visit(_ path: String, followable: Bool) throws {
            let here = HDF5Site(file: site.file, object: path)
            guard followable, let info = HDF5Library.objectInfo(file, path) else {
                _ = H5Eclear2(chdf5_e_default())
                listing.append(HDF5ObjectInfo(path: path, kind: .other))
                return
            }
            let attributes = try HDF5AttributeIO.readAll(file, object: path, here)
            switch info.type {
            case H5O_TYPE_GROUP:
                listing.append(HDF5ObjectInfo(path: path, kind: .group, attributes: attributes))
                guard visitedGroups.insert(info.address).inserted else { return }
                guard let links = HDF5Library.links(file, group: path) else { throw here.failure("list group") }
                for link in links.sorted(by: { $0.name < $1.name }) {
                    let followable = link.type == H5L_TYPE_HARD || link.type == H5L_TYPE_SOFT
                    try visit(HDF5Path.child(link.name, of: path), followable: followable)
                }
            case H5O_TYPE_DATASET:
                let dataset = try here.handle(H5Oopen(file, path, h5Default), .object, "open dataset")
                let layout = try HDF5Objects.layout(ofDataset: dataset.id, here)
                listing.append(HDF5ObjectInfo(
                    path: path, kind: .dataset, shape: layout.shape, elementType: layout.elementType,
                    chunks: layout.chunks, compression: layout.compression, attributes: attributes))
            case H5O_TYPE_NAMED_DATATYPE:
                let type = try here.handle(H5Topen2(file, path, h5Default), .datatype, "open named datatype")
                listing.append(HDF5ObjectInfo(
                    path: path, kind: .namedType, elementType: HDF5ElementType(typeID: type.id), attributes: attributes))
            default:
                listing.append(HDF5ObjectInfo(path: path, kind: .other, attributes: attributes))
            }
        }

        try visit(start, followable: true)
        return listing
    }
}
