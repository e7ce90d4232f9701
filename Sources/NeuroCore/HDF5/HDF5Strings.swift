import CHDF5
import Foundation

/// Writing and reading text for datasets and attributes alike.
enum HDF5Strings {
    /// Variable-length UTF-8: what h5py and NWB write, readable as `str` in Python.
    static func variableLengthUTF8Type(_ site: HDF5Site) throws -> HDF5Handle {
        let type = try site.handle(H5Tcopy(chdf5_c_s1()), .datatype, "make string type")
        try site.check(H5Tset_size(type.id, chdf5_t_variable()), "make string type")
        try site.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "make string type")
        return type
    }

    /// Calls `body` with an array of C string pointers (the memory layout of variable-length
    /// strings). Strings are cut at an embedded NUL, which C strings cannot hold.
    static func withCStringPointers<R>(_ strings: [String], _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { for pointer in pointers { free(pointer) } }
        return try pointers.withUnsafeBufferPointer { buffer in
            try body(UnsafeRawPointer(buffer.baseAddress!))
        }
    }

    /// Reads `count` strings stored with `storedType`, variable- or fixed-length. `read` performs
    /// the HDF5 read (`H5Dread`/`H5Aread`) into the buffer with the memory type given.
    static func read(
        storedType: hid_t, count: Int, space: hid_t, _ site: HDF5Site,
        _ read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard count > 0 else { return [] }
        let memory = try site.handle(H5Tcopy(chdf5_c_s1()), .datatype, "make string type")
        let cset = H5Tget_cset(storedType)
        try site.check(H5Tset_cset(memory.id, cset == H5T_CSET_ERROR ? H5T_CSET_ASCII : cset), "make string type")
        if H5Tis_variable_str(storedType) > 0 {
            try site.check(H5Tset_size(memory.id, chdf5_t_variable()), "make string type")
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBytes { bytes in
                try site.check(read(memory.id, bytes.baseAddress!), "read strings")
            }
            defer {
                pointers.withUnsafeMutableBytes { bytes in
                    _ = HDF5Library.reclaimVariableLength(type: memory.id, space: space, buffer: bytes.baseAddress!)
                }
            }
            return pointers.map { pointer in
                guard let pointer else { return "" }
                return decode(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            }
        }
        // Fixed length: read NUL-padded so a string filling its slot keeps its last character.
        let width = H5Tget_size(storedType)
        guard width > 0 else { throw site.failure("read string size") }
        try site.check(H5Tset_size(memory.id, width), "make string type")
        try site.check(H5Tset_strpad(memory.id, H5T_STR_NULLPAD), "make string type")
        var bytes = [UInt8](repeating: 0, count: count * width)
        try bytes.withUnsafeMutableBytes { buffer in
            try site.check(read(memory.id, buffer.baseAddress!), "read strings")
        }
        return bytes.withUnsafeBytes { buffer in
            (0..<count).map { index in
                let slot = UnsafeRawBufferPointer(rebasing: buffer[(index * width)..<((index + 1) * width)])
                let end = slot.firstIndex(of: 0) ?? slot.count
                return decode(UnsafeRawBufferPointer(rebasing: slot[0..<end]))
            }
        }
    }

    /// UTF-8 decoding that repairs invalid bytes rather than failing (ASCII-declared files
    /// sometimes hold Latin-1).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

extension HDF5Strings {
    /// Reads variable-length sequences of one-byte characters (a vlen of 1-byte strings or of 8-bit
    /// integers) as strings, or returns nil when `storedType` is not such a type. MATLAB v7.3 and
    /// hdf5storage store struct field names this way (`MATLAB_fields`).
    static func readCharacterSequences(
        storedType: hid_t, count: Int, space: hid_t, _ site: HDF5Site,
        _ read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String]? {
        guard H5Tget_class(storedType) == H5T_VLEN else { return nil }
        let base = try site.handle(H5Tget_super(storedType), .datatype, "read character sequences")
        let baseClass = H5Tget_class(base.id)
        guard H5Tget_size(base.id) == 1, baseClass == H5T_STRING || baseClass == H5T_INTEGER else { return nil }
        guard count > 0 else { return [] }
        // One-byte elements have no byte order, so the stored base type serves as the memory type.
        let memory = try site.handle(H5Tvlen_create(base.id), .datatype, "make sequence type")
        var sequences = [hvl_t](repeating: hvl_t(len: 0, p: nil), count: count)
        try sequences.withUnsafeMutableBytes { bytes in
            try site.check(read(memory.id, bytes.baseAddress!), "read character sequences")
        }
        defer {
            sequences.withUnsafeMutableBytes { bytes in
                _ = HDF5Library.reclaimVariableLength(type: memory.id, space: space, buffer: bytes.baseAddress!)
            }
        }
        return sequences.map { sequence in
            guard let pointer = sequence.p, sequence.len > 0 else { return "" }
            let characters = UnsafeRawBufferPointer(start: pointer, count: sequence.len)
            let end = characters.firstIndex(of: 0) ?? characters.count
            return decode(UnsafeRawBufferPointer(rebasing: characters[0..<end]))
        }
    }
}
