import CHDF5
import Foundation
@testable import NeuroCore

/// Deterministic test values and the shared fixture file for the HDF5 suites.
enum HDF5TestValues {
    /// Shapes used for every rank; rank 0 is a scalar.
    static let shapes: [[Int]] = [[], [7], [3, 5], [2, 3, 4], [2, 3, 2, 3]]
    /// Chunk shapes for the chunked variants of ranks 1–4 (index = rank).
    static let chunkShapes: [[Int]?] = [nil, [3], [2, 2], [1, 2, 3], [1, 2, 2, 2]]

    /// Integers covering both extremes first, then a scrambled spread (negative for signed types).
    static func values<T: FixedWidthInteger>(_: T.Type, count: Int) -> [T] {
        (0..<count).map { index in
            switch index {
            case 0: return count == 1 ? T(truncatingIfNeeded: 42) : T.min
            case 1: return T.max
            default: return T(truncatingIfNeeded: (index &* 2_654_435_761) &- 1_000 &* index)
            }
        }
    }

    /// Floats with fractions that are not exact in binary, negatives and a large magnitude.
    static func values<T: BinaryFloatingPoint>(_: T.Type, count: Int) -> [T] {
        (0..<count).map { index in
            if count == 1 { return T(0.1) }
            if index == 1 { return T(-1.0e30) }
            return T(Double(index) * 0.37 - 2.2)
        }
    }

    static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }
}

/// The file the h5py golden describes: every numeric type at ranks 0–4 (contiguous and chunked
/// with deflate), attributes of every type, UTF-8 strings, and an NWB-like series.
enum HDF5Fixture {
    static let numericTypes: [String] = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"]
    static let unit = "ElectricalSeries µV"
    static let emoji = "🧠🔬 neurons"
    static let labels = ["alpha", "µV", "🧠", ""]
    static let names = ["alpha", "µV", "🧠 brain", ""]
    static let grid = ["a", "b", "c", "d"]

    static func write(to url: URL) throws {
        try HDF5File.writeAtomically(to: url) { file in
            let root = file.root
            try root.setAttribute("title", "NeuroSwift h5py fixture")
            try root.setAttribute("format_version", Int32(1))
            try writeNumeric(root)
            let attributes = try root.createGroup("attributes")
            try writeAttributes(attributes)
            let strings = try root.createGroup("strings")
            try strings.createStringDataset("names", values: names)
            try strings.createStringDataset("grid", values: grid, shape: [2, 2])
            try strings.createStringDataset("scalar", values: ["only"], shape: [])
            let series = try root.createGroup("acquisition/ElectricalSeries")
            try series.setAttribute("neurodata_type", "ElectricalSeries")
            let data = try series.createDataset(
                "data", shape: [100, 4], values: (0..<400).map { Float(sin(Double($0) * 0.05)) * 1e-4 },
                chunks: [25, 4], deflate: 4)
            try data.setAttribute("unit", "volts")
            try data.setAttribute("conversion", 1e-6)
            try data.setAttribute("resolution", -1.0)
            try series.createDataset("timestamps", shape: [100], values: (0..<100).map { Double($0) / 30_000 })
        }
    }

    private static func writeNumeric(_ root: HDF5Group) throws {
        func write<T: HDF5Scalar>(_ values: (Int) -> [T]) throws {
            let name = T.hdf5ElementType.description
            for (rank, shape) in HDF5TestValues.shapes.enumerated() {
                let count = HDF5TestValues.elementCount(shape)
                try root.createDataset("numeric/\(name)/rank\(rank)", shape: shape, values: values(count))
                if let chunks = HDF5TestValues.chunkShapes[rank] {
                    try root.createDataset("chunked/\(name)/rank\(rank)", shape: shape, values: values(count), chunks: chunks, deflate: 4)
                }
            }
        }
        try write { HDF5TestValues.values(Int8.self, count: $0) }
        try write { HDF5TestValues.values(Int16.self, count: $0) }
        try write { HDF5TestValues.values(Int32.self, count: $0) }
        try write { HDF5TestValues.values(Int64.self, count: $0) }
        try write { HDF5TestValues.values(UInt8.self, count: $0) }
        try write { HDF5TestValues.values(UInt16.self, count: $0) }
        try write { HDF5TestValues.values(UInt32.self, count: $0) }
        try write { HDF5TestValues.values(UInt64.self, count: $0) }
        try write { HDF5TestValues.values(Float.self, count: $0) }
        try write { HDF5TestValues.values(Double.self, count: $0) }
    }

    private static func writeAttributes(_ group: HDF5Group) throws {
        func write<T: HDF5Scalar>(_ values: (Int) -> [T]) throws {
            let name = T.hdf5ElementType.description
            try group.setAttribute("scalar_\(name)", values(1)[0])
            try group.setAttribute("array_\(name)", values(5))
        }
        try write { HDF5TestValues.values(Int8.self, count: $0) }
        try write { HDF5TestValues.values(Int16.self, count: $0) }
        try write { HDF5TestValues.values(Int32.self, count: $0) }
        try write { HDF5TestValues.values(Int64.self, count: $0) }
        try write { HDF5TestValues.values(UInt8.self, count: $0) }
        try write { HDF5TestValues.values(UInt16.self, count: $0) }
        try write { HDF5TestValues.values(UInt32.self, count: $0) }
        try write { HDF5TestValues.values(UInt64.self, count: $0) }
        try write { HDF5TestValues.values(Float.self, count: $0) }
        try write { HDF5TestValues.values(Double.self, count: $0) }
        try group.setAttribute("unit", unit)
        try group.setAttribute("emoji", emoji)
        try group.setAttribute("empty", "")
        try group.setAttribute("labels", labels)
    }
}

/// Raw HDF5 calls for objects the wrapper deliberately does not write (big-endian data,
/// fixed-length strings, references, compounds), used to check that reading them works.
enum HDF5Raw {
    /// Runs `body` with the file id of an open (writable) file.
    static func withID(_ file: HDF5File, _ body: (hid_t) throws -> Void) throws {
        try file.withFileID("raw test access", object: "/") { id, _ in try body(id) }
    }

    /// Writes a fixed-length, space- or NUL-padded ASCII string dataset.
    static func writeFixedStrings(_ file: HDF5File, _ name: String, _ values: [String], width: Int, pad: H5T_str_t) throws {
        try withID(file) { id in
            let type = H5Tcopy(chdf5_c_s1())
            defer { H5Tclose(type) }
            H5Tset_size(type, width)
            H5Tset_strpad(type, pad)
            var dims = [hsize_t(values.count)]
            let space = H5Screate_simple(1, &dims, nil)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(id, name, type, space, h5Default, h5Default, h5Default)
            precondition(dataset >= 0)
            defer { H5Dclose(dataset) }
            var bytes = [UInt8]()
            for value in values {
                var slot = Array(value.utf8.prefix(width))
                slot += Array(repeating: pad == H5T_STR_SPACEPAD ? UInt8(ascii: " ") : 0, count: width - slot.count)
                bytes += slot
            }
            precondition(H5Dwrite(dataset, type, chdf5_s_all(), chdf5_s_all(), h5Default, bytes) >= 0)
        }
    }

    /// Adds a scalar fixed-length ASCII string attribute (as MATLAB and older NWB writers do).
    static func writeFixedStringAttribute(_ file: HDF5File, on object: String, _ name: String, _ value: String) throws {
        try withID(file) { id in
            let type = H5Tcopy(chdf5_c_s1())
            defer { H5Tclose(type) }
            H5Tset_size(type, max(value.utf8.count, 1))
            H5Tset_strpad(type, H5T_STR_NULLPAD)
            let scalar = H5Screate(H5S_SCALAR)
            defer { H5Sclose(scalar) }
            let attribute = H5Acreate_by_name(id, object, name, type, scalar, h5Default, h5Default, h5Default)
            precondition(attribute >= 0)
            defer { H5Aclose(attribute) }
            var bytes = Array(value.utf8)
            if bytes.isEmpty { bytes = [0] }
            precondition(H5Awrite(attribute, type, bytes) >= 0)
        }
    }

    /// Adds an object-reference attribute pointing at `target` and a compound attribute to `object`.
    static func writeUnsupportedAttributes(_ file: HDF5File, on object: String, referencing target: String) throws {
        try withID(file) { id in
            var reference = hobj_ref_t()
            precondition(H5Rcreate(&reference, id, target, H5R_OBJECT, -1) >= 0)
            let scalar = H5Screate(H5S_SCALAR)
            defer { H5Sclose(scalar) }
            let refAttribute = H5Acreate_by_name(id, object, "link", chdf5_std_ref_obj(), scalar, h5Default, h5Default, h5Default)
            precondition(refAttribute >= 0)
            precondition(H5Awrite(refAttribute, chdf5_std_ref_obj(), &reference) >= 0)
            H5Aclose(refAttribute)

            struct Pair { var a: Int32; var b: Double }
            let compound = H5Tcreate(H5T_COMPOUND, MemoryLayout<Pair>.size)
            defer { H5Tclose(compound) }
            H5Tinsert(compound, "a", MemoryLayout<Pair>.offset(of: \Pair.a)!, chdf5_native_int32())
            H5Tinsert(compound, "b", MemoryLayout<Pair>.offset(of: \Pair.b)!, chdf5_native_double())
            var dims = [hsize_t(2)]
            let space = H5Screate_simple(1, &dims, nil)
            defer { H5Sclose(space) }
            let pairAttribute = H5Acreate_by_name(id, object, "pairs", compound, space, h5Default, h5Default, h5Default)
            precondition(pairAttribute >= 0)
            var pairs = [Pair(a: 1, b: 2.5), Pair(a: 3, b: 4.5)]
            precondition(H5Awrite(pairAttribute, compound, &pairs) >= 0)
            H5Aclose(pairAttribute)
        }
    }

    /// Adds a soft link and an external link at `/links`.
    static func writeLinks(_ file: HDF5File, softTarget: String) throws {
        try withID(file) { id in
            let group = H5Gcreate2(id, "/links", h5Default, h5Default, h5Default)
            precondition(group >= 0)
            H5Gclose(group)
            precondition(H5Lcreate_soft(softTarget, id, "/links/soft", h5Default, h5Default) >= 0)
            precondition(H5Lcreate_soft("/nowhere", id, "/links/dangling", h5Default, h5Default) >= 0)
            precondition(H5Lcreate_external("other.h5", "/x", id, "/links/external", h5Default, h5Default) >= 0)
        }
    }
}
