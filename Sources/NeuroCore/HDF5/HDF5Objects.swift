import CHDF5

/// Object lookup shared by groups, datasets, attributes and the tree listing. All of these run
/// under the file's lock with its id, and open objects by absolute path.
enum HDF5Objects {
    /// True when every link along `path` exists and the last one resolves to an object
    /// (a dangling soft link does not count). Never throws: HDF5 failures mean "no".
    static func exists(_ file: hid_t, _ path: String) -> Bool {
        let components = HDF5Path.components(path)
        var prefix = [String]()
        for component in components {
            prefix.append(component)
            guard H5Lexists(file, HDF5Path.join(prefix), h5Default) > 0 else {
                _ = H5Eclear2(chdf5_e_default())
                return false
            }
        }
        let resolved = H5Oexists_by_name(file, path, h5Default) > 0
        _ = H5Eclear2(chdf5_e_default())
        return resolved
    }

    enum Kind: String {
        case group, dataset, namedType = "named datatype", other = "object"
    }

    /// Opens the object at `path` and checks its kind.
    static func open(_ file: hid_t, _ path: String, as expected: Kind, _ site: HDF5Site) throws -> HDF5Handle {
        guard exists(file, path) else { throw HDF5Error.objectNotFound(file: site.file, object: path) }
        let object = try site.handle(H5Oopen(file, path, h5Default), .object, "open object")
        let found: Kind
        switch H5Iget_type(object.id) {
        case H5I_GROUP: found = .group
        case H5I_DATASET: found = .dataset
        case H5I_DATATYPE: found = .namedType
        default: found = .other
        }
        guard found == expected else {
            throw HDF5Error.wrongKind(file: site.file, object: path, expected: expected.rawValue, found: found.rawValue)
        }
        return object
    }

    /// Shape of a dataspace: `[]` for a scalar, `[0]` for a null (empty) dataspace.
    static func shape(ofSpace space: hid_t, _ site: HDF5Site) throws -> [Int] {
        switch H5Sget_simple_extent_type(space) {
        case H5S_SCALAR: return []
        case H5S_NULL: return [0]
        default:
            let rank = try site.count(H5Sget_simple_extent_ndims(space), "read dataspace rank")
            var dims = [hsize_t](repeating: 0, count: rank)
            try site.check(H5Sget_simple_extent_dims(space, &dims, nil), "read dataspace extent")
            return dims.map { Int($0) }
        }
    }

    struct DatasetLayout {
        let shape: [Int]
        let elementType: HDF5ElementType
        let chunks: [Int]?
        let compression: String?
    }

    /// Shape, element type, chunking and filters of an open dataset.
    static func layout(ofDataset dataset: hid_t, _ site: HDF5Site) throws -> DatasetLayout {
        let space = try site.handle(H5Dget_space(dataset), .dataspace, "read dataspace")
        let type = try site.handle(H5Dget_type(dataset), .datatype, "read datatype")
        let shape = try shape(ofSpace: space.id, site)
        let plist = try site.handle(H5Dget_create_plist(dataset), .propertyList, "read creation properties")
        var chunks: [Int]? = nil
        if H5Pget_layout(plist.id) == H5D_CHUNKED {
            var dims = [hsize_t](repeating: 0, count: max(shape.count, 1))
            let rank = try site.count(H5Pget_chunk(plist.id, Int32(dims.count), &dims), "read chunk shape")
            chunks = dims.prefix(rank).map { Int($0) }
        }
        return DatasetLayout(
            shape: shape, elementType: HDF5ElementType(typeID: type.id), chunks: chunks,
            compression: try filters(plist.id, site))
    }

    /// The filter pipeline as text, e.g. "deflate(4)" or "shuffle+deflate(9)"; nil when empty.
    private static func filters(_ plist: hid_t, _ site: HDF5Site) throws -> String? {
        let count = try site.count(H5Pget_nfilters(plist), "read filters")
        guard count > 0 else { return nil }
        var names = [String]()
        for index in 0..<UInt32(count) {
            var flags: UInt32 = 0
            var valueCount = 8
            var values = [UInt32](repeating: 0, count: valueCount)
            var name = [CChar](repeating: 0, count: 64)
            var config: UInt32 = 0
            let filter = H5Pget_filter2(plist, index, &flags, &valueCount, &values, name.count, &name, &config)
            switch filter {
            case chdf5_z_filter_deflate():
                names.append(valueCount > 0 ? "deflate(\(values[0]))" : "deflate")
            case chdf5_z_filter_shuffle(): names.append("shuffle")
            case chdf5_z_filter_fletcher32(): names.append("fletcher32")
            case chdf5_z_filter_szip(): names.append("szip")
            case chdf5_z_filter_nbit(): names.append("nbit")
            case chdf5_z_filter_scaleoffset(): names.append("scaleoffset")
            case ..<0: throw site.failure("read filter \(index)")
            default: names.append("filter(\(filter))")
            }
        }
        return names.joined(separator: "+")
    }
}
