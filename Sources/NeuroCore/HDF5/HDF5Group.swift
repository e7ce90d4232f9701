import CHDF5

/// A group in an open file: a path plus the file it lives in (which it keeps alive).
///
/// Paths given to its methods are relative to the group unless they start with "/".
public struct HDF5Group: HDF5AttributeHolder, Sendable {
    public let file: HDF5File
    public let path: String

    init(file: HDF5File, path: String) {
        self.file = file
        self.path = path
    }

    /// The last path component ("/" for the root).
    public var name: String { HDF5Path.lastComponent(path) }

    /// Creates a group; missing intermediate groups in a path like "a/b/c" are created too.
    /// Throws `.alreadyExists` if something is already there.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        chdf5_silence_errors()
        let target = HDF5Path.resolve(name, relativeTo: path)
        let file = self.file
        return try file.withFileID("create group", object: target) { id, site in
            try file.requireWritable(site, "create group")
            guard target != "/" else { throw site.invalid("create group", "the name is empty") }
            guard !HDF5Objects.exists(id, target) else { throw HDF5Error.alreadyExists(file: site.file, object: target) }
            let links = try HDF5Creation.linkProperties(site)
            _ = try site.handle(H5Gcreate2(id, target, links.id, h5Default, h5Default), .group, "create group")
            return HDF5Group(file: file, path: target)
        }
    }

    /// The group at `path`; throws `.objectNotFound` or `.wrongKind`.
    public func group(_ path: String) throws -> HDF5Group {
        chdf5_silence_errors()
        let target = HDF5Path.resolve(path, relativeTo: self.path)
        let file = self.file
        return try file.withFileID("open group", object: target) { id, site in
            _ = try HDF5Objects.open(id, target, as: .group, site)
            return HDF5Group(file: file, path: target)
        }
    }

    /// The dataset at `path` with its shape, type and layout; throws `.objectNotFound` or `.wrongKind`.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        chdf5_silence_errors()
        let target = HDF5Path.resolve(path, relativeTo: self.path)
        let file = self.file
        return try file.withFileID("open dataset", object: target) { id, site in
            let dataset = try HDF5Objects.open(id, target, as: .dataset, site)
            return HDF5Dataset(file: file, path: target, layout: try HDF5Objects.layout(ofDataset: dataset.id, site))
        }
    }

    /// True when an object (not a dangling link) exists at `path`. False after `close()`.
    public func contains(_ path: String) -> Bool {
        chdf5_silence_errors()
        let target = HDF5Path.resolve(path, relativeTo: self.path)
        return (try? file.withFileID("look up", object: target) { id, _ in HDF5Objects.exists(id, target) }) ?? false
    }

    /// Names of the links directly in this group, sorted.
    public func children() throws -> [String] {
        chdf5_silence_errors()
        let path = self.path
        return try file.withFileID("list group", object: path) { id, site in
            _ = try HDF5Objects.open(id, path, as: .group, site)
            guard let links = HDF5Library.links(id, group: path) else { throw site.failure("list group") }
            return links.map(\.name).sorted()
        }
    }

    /// Depth-first listing of this group and everything below it, this group first.
    public func tree() throws -> [HDF5ObjectInfo] {
        chdf5_silence_errors()
        let path = self.path
        return try file.withFileID("list objects", object: path) { id, site in
            _ = try HDF5Objects.open(id, path, as: .group, site)
            return try HDF5Listing.walk(id, from: path, site)
        }
    }

    // MARK: Datasets

    /// Creates a numeric dataset of any rank (`[]` is a scalar) from row-major `values`.
    ///
    /// `chunks` selects chunked storage (one extent per dimension); `deflate` (0–9) compresses with
    /// zlib and, without `chunks`, picks chunks of at most about 1 MiB. Intermediate groups in
    /// `name` are created.
    @discardableResult
    public func createDataset<T: HDF5Scalar>(
        _ name: String, shape: [Int], values: [T], chunks: [Int]? = nil, deflate: Int? = nil
    ) throws -> HDF5Dataset {
        chdf5_silence_errors()
        return try createNumericDataset(name, shape: shape, values: values, chunks: chunks, deflate: deflate, fileType: nil)
    }

    /// `createDataset` with an explicit stored type (e.g. big-endian), for tests of conversions.
    @discardableResult
    func createNumericDataset<T: HDF5Scalar>(
        _ name: String, shape: [Int], values: [T], chunks: [Int]?, deflate: Int?, fileType: hid_t?
    ) throws -> HDF5Dataset {
        let target = HDF5Path.resolve(name, relativeTo: path)
        let file = self.file
        return try file.withFileID("create dataset", object: target) { id, site in
            let plan = try HDF5Creation.plan(
                shape: shape, count: values.count, elementSize: MemoryLayout<T>.stride,
                chunks: chunks, deflate: deflate, site)
            let dataset = try HDF5Creation.createDataset(
                id, file: file, at: target, type: fileType ?? T.nativeTypeID, plan: plan, site)
            if !values.isEmpty {
                try values.withUnsafeBytes { buffer in
                    try site.check(
                        H5Dwrite(dataset.id, T.nativeTypeID, chdf5_s_all(), chdf5_s_all(), h5Default, buffer.baseAddress!),
                        "write dataset")
                }
            }
            return HDF5Dataset(file: file, path: target, layout: try HDF5Objects.layout(ofDataset: dataset.id, site))
        }
    }

    /// Creates a dataset of variable-length UTF-8 strings; `shape` defaults to `[values.count]`.
    @discardableResult
    public func createStringDataset(_ name: String, values: [String], shape: [Int]? = nil) throws -> HDF5Dataset {
        chdf5_silence_errors()
        let target = HDF5Path.resolve(name, relativeTo: path)
        let file = self.file
        return try file.withFileID("create dataset", object: target) { id, site in
            let plan = try HDF5Creation.plan(
                shape: shape ?? [values.count], count: values.count, elementSize: MemoryLayout<UnsafeRawPointer>.stride,
                chunks: nil, deflate: nil, site)
            let type = try HDF5Strings.variableLengthUTF8Type(site)
            let dataset = try HDF5Creation.createDataset(id, file: file, at: target, type: type.id, plan: plan, site)
            if !values.isEmpty {
                try HDF5Strings.withCStringPointers(values) { buffer in
                    try site.check(
                        H5Dwrite(dataset.id, type.id, chdf5_s_all(), chdf5_s_all(), h5Default, buffer), "write dataset")
                }
            }
            return HDF5Dataset(file: file, path: target, layout: try HDF5Objects.layout(ofDataset: dataset.id, site))
        }
    }
}

/// Validation and property lists for creating objects.
enum HDF5Creation {
    struct Plan {
        let shape: [Int]
        let chunks: [Int]?
        let deflate: Int?
    }

    /// Link-creation properties that make missing intermediate groups.
    static func linkProperties(_ site: HDF5Site) throws -> HDF5Handle {
        let links = try site.handle(H5Pcreate(chdf5_p_link_create()), .propertyList, "make link properties")
        try site.check(H5Pset_create_intermediate_group(links.id, 1), "make link properties")
        return links
    }

    /// Checks shape, value count, chunks and deflate level; guesses chunks for deflate without any.
    static func plan(
        shape: [Int], count: Int, elementSize: Int, chunks: [Int]?, deflate: Int?, _ site: HDF5Site
    ) throws -> Plan {
        let operation = "create dataset"
        guard let expected = hdf5ElementCount(shape) else {
            throw site.invalid(operation, "shape \(shape) has a negative extent or is too large")
        }
        guard expected == count else {
            throw site.invalid(operation, "\(count) values do not fill shape \(shape) (\(expected) elements)")
        }
        if let level = deflate, !(0...9).contains(level) {
            throw site.invalid(operation, "deflate level \(level) is outside 0...9")
        }
        if let chunks {
            guard !shape.isEmpty else { throw site.invalid(operation, "a scalar dataset cannot be chunked") }
            guard chunks.count == shape.count else {
                throw site.invalid(operation, "chunks \(chunks) do not match the rank of shape \(shape)")
            }
            for (chunk, extent) in zip(chunks, shape) where chunk < 1 || (extent > 0 && chunk > extent) {
                throw site.invalid(operation, "chunks \(chunks) must be between 1 and the shape \(shape)")
            }
            return Plan(shape: shape, chunks: chunks, deflate: deflate)
        }
        if deflate != nil {
            guard !shape.isEmpty else { throw site.invalid(operation, "a scalar dataset cannot be compressed") }
            return Plan(shape: shape, chunks: guessChunks(shape, elementSize: elementSize), deflate: deflate)
        }
        return Plan(shape: shape, chunks: nil, deflate: nil)
    }

    /// Halves the largest chunk extent until a chunk holds at most 1 MiB: big enough for zlib to
    /// work well, small enough that reading a few rows does not inflate the whole dataset.
    static func guessChunks(_ shape: [Int], elementSize: Int) -> [Int] {
        var chunks = shape.map { max($0, 1) }
        let limit = 1 << 20
        while chunks.reduce(elementSize, *) > limit {
            guard let largest = chunks.indices.max(by: { chunks[$0] < chunks[$1] }), chunks[largest] > 1 else { break }
            chunks[largest] = (chunks[largest] + 1) / 2
        }
        return chunks
    }

    /// Creates the dataset (and intermediate groups) with the planned layout.
    static func createDataset(
        _ id: hid_t, file: HDF5File, at target: String, type: hid_t, plan: Plan, _ site: HDF5Site
    ) throws -> HDF5Handle {
        let operation = "create dataset"
        try file.requireWritable(site, operation)
        guard target != "/" else { throw site.invalid(operation, "the name is empty") }
        guard !HDF5Objects.exists(id, target) else { throw HDF5Error.alreadyExists(file: site.file, object: target) }
        let space: HDF5Handle
        if plan.shape.isEmpty {
            space = try site.handle(H5Screate(H5S_SCALAR), .dataspace, operation)
        } else {
            let dims = plan.shape.map { hsize_t($0) }
            // A chunked dataset with an empty dimension needs room to grow there: HDF5 rejects a
            // chunk larger than a fixed extent of zero.
            let maxDims = plan.chunks == nil ? dims : dims.map { $0 == 0 ? chdf5_s_unlimited() : $0 }
            space = try site.handle(H5Screate_simple(Int32(dims.count), dims, maxDims), .dataspace, operation)
        }
        let creation = try site.handle(H5Pcreate(chdf5_p_dataset_create()), .propertyList, operation)
        if let chunks = plan.chunks {
            let dims = chunks.map { hsize_t($0) }
            try site.check(H5Pset_chunk(creation.id, Int32(dims.count), dims), "set chunks \(chunks)")
        }
        if let level = plan.deflate {
            guard H5Zfilter_avail(chdf5_z_filter_deflate()) > 0 else {
                throw site.invalid(operation, "this HDF5 library has no deflate filter")
            }
            try site.check(H5Pset_deflate(creation.id, UInt32(level)), "set deflate(\(level))")
        }
        let links = try linkProperties(site)
        return try site.handle(
            H5Dcreate2(id, target, type, space.id, links.id, creation.id, h5Default), .dataset, operation)
    }
}
