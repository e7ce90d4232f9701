import CHDF5
import Foundation

/// Complex numbers as HDF5 has no native type for them: a two-member compound of numbers, named
/// `real`/`imag` by MATLAB v7.3 and `r`/`i` by h5py (numpy's complex64/complex128).
extension HDF5Dataset {
    /// Reads a complex dataset as interleaved (real, imaginary) pairs in row-major order, the layout
    /// of numpy's complex arrays. The members may be any integer or floating-point type; HDF5 converts
    /// them to `T` (as `readDoubles()` does), matching members by name.
    ///
    /// Throws `.typeMismatch` for any other type, including compounds whose two members are not
    /// recognisably the real and imaginary parts.
    public func readComplex<T: HDF5Scalar & BinaryFloatingPoint>(as type: T.Type) throws -> [T] {
        chdf5_silence_errors()
        let path = self.path
        return try file.withFileID("read complex", object: path) { id, site in
            let dataset = try HDF5Objects.open(id, path, as: .dataset, site)
            let stored = try site.handle(H5Dget_type(dataset.id), .datatype, "read complex")
            guard let members = HDF5ComplexType.memberNames(of: stored.id) else {
                throw HDF5Error.typeMismatch(
                    file: site.file, object: path, stored: HDF5ElementType(typeID: stored.id), requested: "complex \(T.self)")
            }
            let memory = try HDF5ComplexType.memoryType(T.self, members: members, site)
            let space = try site.handle(H5Dget_space(dataset.id), .dataspace, "read complex")
            if H5Sget_simple_extent_type(space.id) == H5S_NULL { return [] }
            let shape = try HDF5Objects.shape(ofSpace: space.id, site)
            guard let count = hdf5ElementCount(shape), count <= Int.max / 2 else {
                throw site.invalid("read complex", "shape \(shape) is too large")
            }
            guard count > 0 else { return [] }
            return try [T](unsafeUninitializedCapacity: 2 * count) { buffer, initialized in
                initialized = 0
                try site.check(
                    H5Dread(dataset.id, memory.id, chdf5_s_all(), chdf5_s_all(), h5Default, buffer.baseAddress!),
                    "read complex")
                initialized = 2 * count
            }
        }
    }
}

enum HDF5ComplexType {
    /// The (real, imaginary) member names of a two-member numeric compound, or nil when `type` is
    /// not one or its members are not named real/imag, r/i or re/im (in either order).
    static func memberNames(of type: hid_t) -> (real: String, imaginary: String)? {
        guard H5Tget_class(type) == H5T_COMPOUND, H5Tget_nmembers(type) == 2 else { return nil }
        var names: [String] = []
        for index: UInt32 in 0..<2 {
            let memberClass = H5Tget_member_class(type, index)
            guard memberClass == H5T_INTEGER || memberClass == H5T_FLOAT,
                  let pointer = H5Tget_member_name(type, index) else { return nil }
            names.append(String(cString: pointer))
            H5free_memory(pointer)
        }
        let realNames: Set<String> = ["real", "r", "re"], imaginaryNames: Set<String> = ["imag", "i", "im"]
        let lowered = names.map { $0.lowercased() }
        if realNames.contains(lowered[0]), imaginaryNames.contains(lowered[1]) { return (names[0], names[1]) }
        if realNames.contains(lowered[1]), imaginaryNames.contains(lowered[0]) { return (names[1], names[0]) }
        return nil
    }

    /// A native compound {real: T at 0, imaginary: T after it}, named like the stored members so that
    /// HDF5's conversion pairs them up.
    static func memoryType<T: HDF5Scalar>(
        _: T.Type, members: (real: String, imaginary: String), _ site: HDF5Site
    ) throws -> HDF5Handle {
        let size = MemoryLayout<T>.size
        let type = try site.handle(H5Tcreate(H5T_COMPOUND, 2 * size), .datatype, "make complex type")
        try site.check(H5Tinsert(type.id, members.real, 0, T.nativeTypeID), "make complex type")
        try site.check(H5Tinsert(type.id, members.imaginary, size, T.nativeTypeID), "make complex type")
        return type
    }
}
