import CHDF5

/// Object references: how NWB/hdmf point from one object to another (a `VectorIndex`'s `target`,
/// a `DynamicTableRegion`'s `table`, the `group` column of an electrodes table). They are stored
/// as HDF5 object references so h5py sees `h5py.Reference` values and pynwb resolves them; here
/// they are written from and read back as absolute object paths.
extension HDF5AttributeHolder {
    /// Sets (or replaces) a scalar object-reference attribute pointing at the object at `path`
    /// (absolute, or relative to the root). Throws `.objectNotFound` when nothing is there.
    public func setReferenceAttribute(_ name: String, to path: String) throws {
        chdf5_silence_errors()
        let object = self.path
        let target = HDF5Path.resolve(path, relativeTo: "/")
        let file = self.file
        try file.withFileID("write attribute '\(name)'", object: object) { id, site in
            try file.requireWritable(site, "write attribute '\(name)'")
            var reference = try HDF5References.create(id, to: target, site)
            let attribute = try HDF5AttributeIO.create(
                id, object: object, name: name, type: HDF5Library.objectReferenceType, shape: [], site)
            try site.check(
                H5Awrite(attribute.id, HDF5Library.objectReferenceType, &reference), "write attribute '\(name)'")
        }
    }

    /// The paths an object-reference attribute points to (one for a scalar attribute). Throws
    /// `.typeMismatch` for any other attribute type and `.library` for a dangling reference.
    public func referenceAttribute(_ name: String) throws -> [String] {
        chdf5_silence_errors()
        let object = self.path
        return try file.withFileID("read attribute '\(name)'", object: object) { id, site in
            guard HDF5Objects.exists(id, object) else { throw HDF5Error.objectNotFound(file: site.file, object: object) }
            guard H5Aexists_by_name(id, object, name, h5Default) > 0 else {
                throw HDF5Error.attributeNotFound(file: site.file, object: object, attribute: name)
            }
            let operation = "read attribute '\(name)'"
            let attribute = try site.handle(H5Aopen_by_name(id, object, name, h5Default, h5Default), .attribute, operation)
            let type = try site.handle(H5Aget_type(attribute.id), .datatype, operation)
            let space = try site.handle(H5Aget_space(attribute.id), .dataspace, operation)
            let count = try HDF5References.checkedCount(type: type.id, space: space.id, requestedBy: name, site)
            let references = try [hobj_ref_t](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = 0
                if count > 0 {
                    try site.check(H5Aread(attribute.id, HDF5Library.objectReferenceType, buffer.baseAddress!), operation)
                }
                initialized = count
            }
            return try references.map { try HDF5References.path(id, of: $0, site) }
        }
    }
}

extension HDF5Group {
    /// Creates a one-dimensional dataset of object references to `targets` (absolute paths, or
    /// relative to this group), e.g. the `group` column of an NWB electrodes table.
    @discardableResult
    public func createReferenceDataset(_ name: String, targets: [String]) throws -> HDF5Dataset {
        chdf5_silence_errors()
        let target = HDF5Path.resolve(name, relativeTo: path)
        let resolved = targets.map { HDF5Path.resolve($0, relativeTo: path) }
        let file = self.file
        return try file.withFileID("create dataset", object: target) { id, site in
            let references = try resolved.map { try HDF5References.create(id, to: $0, site) }
            let plan = try HDF5Creation.plan(
                shape: [references.count], count: references.count, elementSize: MemoryLayout<hobj_ref_t>.stride,
                chunks: nil, deflate: nil, site)
            let dataset = try HDF5Creation.createDataset(
                id, file: file, at: target, type: HDF5Library.objectReferenceType, plan: plan, site)
            if !references.isEmpty {
                try references.withUnsafeBytes { buffer in
                    try site.check(
                        H5Dwrite(dataset.id, HDF5Library.objectReferenceType, chdf5_s_all(), chdf5_s_all(), h5Default,
                                 buffer.baseAddress!),
                        "write dataset")
                }
            }
            return HDF5Dataset(file: file, path: target, layout: try HDF5Objects.layout(ofDataset: dataset.id, site))
        }
    }
}

extension HDF5Dataset {
    /// The paths an object-reference dataset points to, row-major. Throws `.typeMismatch` for any
    /// other element type (region references included) and `.library` for a dangling reference.
    public func readReferences() throws -> [String] {
        chdf5_silence_errors()
        let path = self.path
        return try file.withFileID("read references", object: path) { id, site in
            let dataset = try HDF5Objects.open(id, path, as: .dataset, site)
            let type = try site.handle(H5Dget_type(dataset.id), .datatype, "read references")
            let space = try site.handle(H5Dget_space(dataset.id), .dataspace, "read references")
            let count = try HDF5References.checkedCount(type: type.id, space: space.id, requestedBy: nil, site)
            let references = try [hobj_ref_t](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = 0
                if count > 0 {
                    try site.check(
                        H5Dread(dataset.id, HDF5Library.objectReferenceType, chdf5_s_all(), chdf5_s_all(), h5Default,
                                buffer.baseAddress!),
                        "read references")
                }
                initialized = count
            }
            return try references.map { try HDF5References.path(id, of: $0, site) }
        }
    }
}

/// Creation and resolution under the file lock.
enum HDF5References {
    static func create(_ file: hid_t, to target: String, _ site: HDF5Site) throws -> hobj_ref_t {
        guard HDF5Objects.exists(file, target) else { throw HDF5Error.objectNotFound(file: site.file, object: target) }
        guard let reference = HDF5Library.objectReference(file, target) else {
            throw site.failure("make a reference to '\(target)'")
        }
        return reference
    }

    static func path(_ file: hid_t, of reference: hobj_ref_t, _ site: HDF5Site) throws -> String {
        guard reference != 0, let path = HDF5Library.referencedPath(file, reference) else {
            throw site.invalid("resolve reference", "reference \(reference) does not point at an object in the file")
        }
        return path
    }

    /// Element count of a reference attribute or dataset, after checking the type really is an
    /// object reference (region references are 12 bytes and would overrun an 8-byte buffer).
    static func checkedCount(type: hid_t, space: hid_t, requestedBy attribute: String?, _ site: HDF5Site) throws -> Int {
        guard H5Tequal(type, HDF5Library.objectReferenceType) > 0 else {
            let stored = HDF5ElementType(typeID: type)
            if let attribute {
                throw HDF5Error.typeMismatch(file: site.file, object: "\(site.object) attribute '\(attribute)'", stored: stored, requested: "object reference")
            }
            throw HDF5Error.typeMismatch(file: site.file, object: site.object, stored: stored, requested: "object reference")
        }
        if H5Sget_simple_extent_type(space) == H5S_NULL { return 0 }
        let shape = try HDF5Objects.shape(ofSpace: space, site)
        guard let count = hdf5ElementCount(shape) else { throw site.invalid("read references", "shape \(shape) is too large") }
        return count
    }
}
