import CHDF5

extension HDF5Group {
    /// Creates a soft link `name` (relative to this group) pointing at the absolute path `target`,
    /// as NWB links a `PlaneSegmentation` to its `ImagingPlane`. The target must exist, so a typo
    /// fails here instead of leaving a dangling link for readers to trip over.
    public func createSoftLink(_ name: String, to target: String) throws {
        chdf5_silence_errors()
        let link = HDF5Path.resolve(name, relativeTo: path)
        let destination = HDF5Path.resolve(target, relativeTo: "/")
        let file = self.file
        try file.withFileID("create link", object: link) { id, site in
            try file.requireWritable(site, "create link")
            guard link != "/" else { throw site.invalid("create link", "the name is empty") }
            guard HDF5Objects.exists(id, destination) else { throw HDF5Error.objectNotFound(file: site.file, object: destination) }
            guard H5Lexists(id, link, h5Default) <= 0 else { throw HDF5Error.alreadyExists(file: site.file, object: link) }
            _ = H5Eclear2(chdf5_e_default())
            let links = try HDF5Creation.linkProperties(site)
            try site.check(H5Lcreate_soft(destination, id, link, links.id, h5Default), "create link")
        }
    }
}
