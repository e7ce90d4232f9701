import CHDF5
import Foundation
import Testing
import TestSupport
@testable import NeuroCore

/// Reading stored types other than the requested one: widening, big-endian, text.
@Suite struct HDF5ConversionTests {
    @Test func narrowTypesReadAsDoubles() throws {
        let folder = try TemporaryDirectory()
        let file = try HDF5File.create(at: folder.file("narrow.h5"))
        let int16s: [Int16] = [-32_768, -1, 0, 1, 12_345, 32_767]
        let uint8s: [UInt8] = [0, 1, 128, 255]
        let float32s: [Float] = [0.1, -3.75, 1e-30, 3.4e38]
        try file.root.createDataset("i16", shape: [2, 3], values: int16s)
        try file.root.createDataset("u8", shape: [4], values: uint8s, chunks: [2], deflate: 9)
        try file.root.createDataset("f32", shape: [4], values: float32s)
        #expect(try file.root.dataset("i16").readDoubles() == [-32_768, -1, 0, 1, 12_345, 32_767])
        #expect(try file.root.dataset("u8").readDoubles() == [0, 1, 128, 255])
        #expect(try file.root.dataset("f32").readDoubles() == float32s.map { Double($0) })
        #expect(try file.root.dataset("i16").readFloats() == [-32_768, -1, 0, 1, 12_345, 32_767])
        #expect(try file.root.dataset("i16").readMatrix() == Matrix<Double>([[-32_768, -1, 0], [1, 12_345, 32_767]]))
        // Exact widening through read(as:) is allowed…
        #expect(try file.root.dataset("i16").read(as: Int32.self) == int16s.map { Int32($0) })
        #expect(try file.root.dataset("i16").read(as: Float.self) == int16s.map { Float($0) })
        #expect(try file.root.dataset("u8").read(as: Int16.self) == uint8s.map { Int16($0) })
        #expect(try file.root.dataset("u8").read(as: UInt64.self) == uint8s.map { UInt64($0) })
        #expect(try file.root.dataset("f32").read(as: Double.self) == float32s.map { Double($0) })
    }

    @Test func narrowingOrSignChangingReadsThrowTypeMismatch() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("mismatch.h5")
        let file = try HDF5File.create(at: url)
        try file.root.createDataset("f64", shape: [2], values: [0.5, 1.5])
        try file.root.createDataset("i32", shape: [2], values: [Int32(1), 70_000])
        try file.root.createDataset("i8", shape: [1], values: [Int8(-1)])
        try file.root.createDataset("u32", shape: [1], values: [UInt32.max])
        try file.root.createDataset("i64", shape: [1], values: [Int64.max])
        try file.root.createStringDataset("text", values: ["a"])
        func expectMismatch(_ path: String, stored: HDF5ElementType, requested: String, _ read: (HDF5Dataset) throws -> Any) throws {
            let dataset = try file.root.dataset(path)
            #expect(performing: { _ = try read(dataset) }, throws: { error in
                guard case HDF5Error.typeMismatch(url.path, "/" + path, stored, requested) = error else { return false }
                let text = "\(error)"
                return text.contains(url.path) && text.contains("/" + path) && text.contains(stored.description)
            })
        }
        try expectMismatch("f64", stored: .float64, requested: "Float") { try $0.read(as: Float.self) }
        try expectMismatch("f64", stored: .float64, requested: "Int64") { try $0.read(as: Int64.self) }
        try expectMismatch("i32", stored: .int32, requested: "Int16") { try $0.read(as: Int16.self) }
        try expectMismatch("i32", stored: .int32, requested: "Float") { try $0.read(as: Float.self) }
        try expectMismatch("i8", stored: .int8, requested: "UInt8") { try $0.read(as: UInt8.self) }
        try expectMismatch("u32", stored: .uint32, requested: "Int32") { try $0.read(as: Int32.self) }
        try expectMismatch("i64", stored: .int64, requested: "Double") { try $0.read(as: Double.self) }
        try expectMismatch("text", stored: .string(variableLength: true), requested: "Double") { try $0.readDoubles() }
        try expectMismatch("f64", stored: .float64, requested: "String") { try $0.readStrings() }
        // readFloats and readDoubles accept any numeric type, rounding when needed.
        #expect(try file.root.dataset("i64").readDoubles() == [9.223372036854775807e18])
        #expect(try file.root.dataset("f64").readFloats() == [0.5, 1.5])
    }

    @Test func bigEndianDatasetsReadCorrectly() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("big-endian.h5")
        let file = try HDF5File.create(at: url)
        let doubles = [1.5, -2.25, 1e-300, .pi]
        let floats: [Float] = [0.1, -7.5]
        let int16s: [Int16] = [-2, 258, Int16.min]
        let int32s: [Int32] = [1, -65_536, Int32.max]
        let uint16s: [UInt16] = [1, 0x0102, 0xFFFE]
        let int64s: [Int64] = [Int64.min, 0x0102_0304_0506_0708]
        let root = file.root
        try root.createNumericDataset("f64be", shape: [2, 2], values: doubles, chunks: nil, deflate: nil, fileType: chdf5_ieee_f64be())
        try root.createNumericDataset("f32be", shape: [2], values: floats, chunks: [1], deflate: 2, fileType: chdf5_ieee_f32be())
        try root.createNumericDataset("i16be", shape: [3], values: int16s, chunks: nil, deflate: nil, fileType: chdf5_std_i16be())
        try root.createNumericDataset("i32be", shape: [3], values: int32s, chunks: nil, deflate: nil, fileType: chdf5_std_i32be())
        try root.createNumericDataset("u16be", shape: [3], values: uint16s, chunks: nil, deflate: nil, fileType: chdf5_std_u16be())
        try root.createNumericDataset("i64be", shape: [2], values: int64s, chunks: nil, deflate: nil, fileType: chdf5_std_i64be())
        try file.close()

        // The bytes on disk really are big-endian: 1.5 is 3F F8 00 … in that order.
        let bytes = try Data(contentsOf: url)
        #expect(bytes.range(of: Data([0x3F, 0xF8, 0, 0, 0, 0, 0, 0])) != nil)

        let reopened = try HDF5File.open(at: url).root
        #expect(try reopened.dataset("f64be").elementType == .float64)
        #expect(try reopened.dataset("f64be").readDoubles() == doubles)
        #expect(try reopened.dataset("f64be").read(as: Double.self) == doubles)
        #expect(try reopened.dataset("f64be").readMatrix() == Matrix(rows: 2, columns: 2, elements: doubles))
        #expect(try reopened.dataset("f64be").readDoubles(rows: 1..<2) == [1e-300, .pi])
        #expect(try reopened.dataset("f32be").read(as: Float.self) == floats)
        #expect(try reopened.dataset("f32be").readDoubles() == floats.map { Double($0) })
        #expect(try reopened.dataset("i16be").read(as: Int16.self) == int16s)
        #expect(try reopened.dataset("i16be").readDoubles() == [-2, 258, -32_768])
        #expect(try reopened.dataset("i32be").read(as: Int64.self) == int32s.map { Int64($0) })
        #expect(try reopened.dataset("i32be").readDoubles() == int32s.map { Double($0) })
        #expect(try reopened.dataset("u16be").read(as: UInt16.self) == uint16s)
        #expect(try reopened.dataset("u16be").readFloats() == [1, 258, 65_534])
        #expect(try reopened.dataset("i64be").read(as: Int64.self) == int64s)
    }

    @Test func variableLengthStringDatasetsRoundTrip() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("vlen.h5")
        let file = try HDF5File.create(at: url)
        let names = ["spike_times", "ElectricalSeries µV", "🧠🔬", "", "tab\tand\nnewline"]
        let names1 = try file.root.createStringDataset("labels", values: names)
        #expect(names1.shape == [5])
        #expect(names1.elementType == .string(variableLength: true))
        try file.root.createStringDataset("grid", values: ["a", "b", "c", "d", "e", "f"], shape: [2, 3])
        try file.root.createStringDataset("one", values: ["only"], shape: [])
        try file.root.createStringDataset("none", values: [])
        #expect(throws: HDF5Error.self) { try file.root.createStringDataset("bad", values: ["a"], shape: [2]) }
        try file.close()

        let root = try HDF5File.open(at: url).root
        #expect(try root.dataset("labels").readStrings() == names)
        #expect(try root.dataset("grid").shape == [2, 3])
        #expect(try root.dataset("grid").readStrings() == ["a", "b", "c", "d", "e", "f"])
        #expect(try root.dataset("one").shape == [])
        #expect(try root.dataset("one").readStrings() == ["only"])
        #expect(try root.dataset("none").readStrings() == [])
        #expect(throws: HDF5Error.self) { try root.dataset("labels").readDoubles() }
    }

    @Test func fixedLengthStringDatasetsRead() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("fixed.h5")
        let file = try HDF5File.create(at: url)
        try HDF5Raw.writeFixedStrings(file, "/nullpad", ["abc", "exactly8", ""], width: 8, pad: H5T_STR_NULLPAD)
        try HDF5Raw.writeFixedStrings(file, "/nullterm", ["abc", "1234567"], width: 8, pad: H5T_STR_NULLTERM)
        try HDF5Raw.writeFixedStrings(file, "/spacepad", ["ab", "matlab  x"], width: 9, pad: H5T_STR_SPACEPAD)
        try HDF5Raw.writeFixedStringAttribute(file, on: "/nullpad", "unit", "uV")
        try file.close()
        let root = try HDF5File.open(at: url).root
        #expect(try root.dataset("nullpad").elementType == .string(variableLength: false))
        #expect(try root.dataset("nullpad").readStrings() == ["abc", "exactly8", ""])
        #expect(try root.dataset("nullterm").readStrings() == ["abc", "1234567"])
        #expect(try root.dataset("spacepad").readStrings() == ["ab", "matlab  x"])
        #expect(try root.dataset("nullpad").attribute("unit") == .strings(["uV"]))
    }

    @Test func widensExactlyFollowsValueRanges() {
        #expect(HDF5ElementType.int16.widensExactly(to: .float32))
        #expect(!HDF5ElementType.int32.widensExactly(to: .float32))
        #expect(HDF5ElementType.uint32.widensExactly(to: .float64))
        #expect(!HDF5ElementType.uint64.widensExactly(to: .float64))
        #expect(HDF5ElementType.uint8.widensExactly(to: .int16))
        #expect(!HDF5ElementType.uint16.widensExactly(to: .int16))
        #expect(!HDF5ElementType.int8.widensExactly(to: .uint64))
        #expect(!HDF5ElementType.float32.widensExactly(to: .int64))
        #expect(!HDF5ElementType.string(variableLength: true).widensExactly(to: .float64))
        #expect(HDF5ElementType.string(variableLength: true).description == "str")
        #expect(HDF5ElementType.float64.description == "float64")
        #expect(HDF5ElementType.uint16.description == "uint16")
    }
}
