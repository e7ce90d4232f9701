import CHDF5

/// Every HDF5 call whose signature changed after 1.10 lives here (object info and link iteration
/// became `H5Oget_info3`/`H5Literate2` with tokens instead of addresses in 1.12, `H5Dvlen_reclaim`
/// became `H5Treclaim`, `H5Fis_hdf5` gave way to `H5Fis_accessible`), so moving to a newer
/// library touches this file only.
enum HDF5Library {
    struct ObjectInfo {
        let type: H5O_type_t
        /// Header address: identifies an object reached through several links.
        let address: UInt64
        let attributeCount: Int
    }

    /// `> 0` for an HDF5 file, `0` for another file, `< 0` when it cannot be read.
    static func isHDF5(_ path: String) -> Int32 {
        H5Fis_hdf5(path)
    }

    /// Type, address and attribute count of the object at `name` (following soft links), or nil
    /// with the reason left on the error stack.
    static func objectInfo(_ location: hid_t, _ name: String) -> ObjectInfo? {
        var info = H5O_info_t()
        let fields = chdf5_o_info_basic() | chdf5_o_info_num_attrs()
        guard H5Oget_info_by_name2(location, name, &info, fields, h5Default) >= 0 else { return nil }
        return ObjectInfo(type: info.type, address: UInt64(info.addr), attributeCount: Int(info.num_attrs))
    }

    struct Link {
        let name: String
        let type: H5L_type_t
    }

    /// The links directly inside the group at `group`, in name order.
    static func links(_ location: hid_t, group: String) -> [Link]? {
        let box = NameBox<Link>()
        var index: hsize_t = 0
        let status = withExtendedLifetime(box) {
            H5Literate_by_name(
                location, group, H5_INDEX_NAME, H5_ITER_INC, &index, collectLink,
                Unmanaged.passUnretained(box).toOpaque(), h5Default)
        }
        return status < 0 ? nil : box.items
    }

    /// Names of the attributes of the object at `object`, in name order.
    static func attributeNames(_ location: hid_t, object: String) -> [String]? {
        let box = NameBox<String>()
        var index: hsize_t = 0
        let status = withExtendedLifetime(box) {
            H5Aiterate_by_name(
                location, object, H5_INDEX_NAME, H5_ITER_INC, &index, collectAttributeName,
                Unmanaged.passUnretained(box).toOpaque(), h5Default)
        }
        return status < 0 ? nil : box.items
    }

    /// An object reference (`H5R_OBJECT`, the file address of the object header) to the object at
    /// `path`, or nil with the reason on the error stack. 1.12 replaced these 8-byte references with
    /// opaque `H5R_ref_t` values created by `H5Rcreate_object`.
    static func objectReference(_ location: hid_t, _ path: String) -> hobj_ref_t? {
        var reference = hobj_ref_t()
        guard H5Rcreate(&reference, location, path, H5R_OBJECT, -1) >= 0 else { return nil }
        return reference
    }

    /// The path of the object `reference` points to, after checking that it opens (a reference to
    /// a deleted or never-existing object fails here instead of yielding a made-up name).
    static func referencedPath(_ location: hid_t, _ reference: hobj_ref_t) -> String? {
        var reference = reference
        let object = H5Rdereference2(location, h5Default, H5R_OBJECT, &reference)
        guard object >= 0 else { return nil }
        _ = H5Oclose(object)
        let length = H5Rget_name(location, H5R_OBJECT, &reference, nil, 0)
        guard length > 0 else { return nil }
        var name = [CChar](repeating: 0, count: Int(length) + 1)
        guard H5Rget_name(location, H5R_OBJECT, &reference, &name, name.count) == length else { return nil }
        return String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The stored type of object references.
    static var objectReferenceType: hid_t { chdf5_std_ref_obj() }

    /// Frees the strings HDF5 allocated while reading variable-length data into `buffer`.
    static func reclaimVariableLength(type: hid_t, space: hid_t, buffer: UnsafeMutableRawPointer) -> herr_t {
        H5Dvlen_reclaim(type, space, h5Default, buffer)
    }
}

/// Accumulates iteration results for the C callbacks above.
private final class NameBox<Item> {
    var items: [Item] = []
}

private func collectLink(
    _ group: hid_t, _ name: UnsafePointer<CChar>?, _ info: UnsafePointer<H5L_info_t>?,
    _ client: UnsafeMutableRawPointer?
) -> herr_t {
    guard let name, let info, let client else { return -1 }
    let box = Unmanaged<NameBox<HDF5Library.Link>>.fromOpaque(client).takeUnretainedValue()
    box.items.append(HDF5Library.Link(name: String(cString: name), type: info.pointee.type))
    return 0
}

private func collectAttributeName(
    _ location: hid_t, _ name: UnsafePointer<CChar>?, _ info: UnsafePointer<H5A_info_t>?,
    _ client: UnsafeMutableRawPointer?
) -> herr_t {
    guard let name, let client else { return -1 }
    let box = Unmanaged<NameBox<String>>.fromOpaque(client).takeUnretainedValue()
    box.items.append(String(cString: name))
    return 0
}
