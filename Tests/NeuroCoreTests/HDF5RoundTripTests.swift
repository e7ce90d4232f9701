import Foundation
import Testing
import TestSupport
@testable import NeuroCore

/// Write → close → reopen → read for every scalar type, every rank 0–4, contiguous and chunked.
@Suite struct HDF5RoundTripTests {
    enum Layout: String, CaseIterable, Sendable { case contiguous, chunkedDeflate }

    /// Ranks 0–4 contiguous, 1–4 chunked (a scalar cannot be chunked: see `scalarCannotBeChunked`).
    static let cases: [(Int, Layout)] = (0...4).map { ($0, .contiguous) } + (1...4).map { ($0, .chunkedDeflate) }

    @Test(arguments: cases)
    func everyScalarTypeRoundTrips(rank: Int, layout: Layout) throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("roundtrip.h5")
        let shape = HDF5TestValues.shapes[rank]
        let count = HDF5TestValues.elementCount(shape)
        let chunks = layout == .chunkedDeflate ? HDF5TestValues.chunkShapes[rank] : nil
        let deflate = layout == .chunkedDeflate ? 4 : nil

        let file = try HDF5File.create(at: url)
        func write<T: HDF5Scalar & Equatable>(_ values: [T]) throws {
            let name = "\(T.self)"
            let dataset = try file.root.createDataset(name, shape: shape, values: values, chunks: chunks, deflate: deflate)
            #expect(dataset.shape == shape)
            #expect(dataset.elementType == T.hdf5ElementType)
            #expect(dataset.chunks == chunks)
            #expect(dataset.compression == (deflate == nil ? nil : "deflate(4)"))
            #expect(dataset.count == count)
        }
        let int8s = HDF5TestValues.values(Int8.self, count: count)
        let int16s = HDF5TestValues.values(Int16.self, count: count)
        let int32s = HDF5TestValues.values(Int32.self, count: count)
        let int64s = HDF5TestValues.values(Int64.self, count: count)
        let uint8s = HDF5TestValues.values(UInt8.self, count: count)
        let uint16s = HDF5TestValues.values(UInt16.self, count: count)
        let uint32s = HDF5TestValues.values(UInt32.self, count: count)
        let uint64s = HDF5TestValues.values(UInt64.self, count: count)
        let floats = HDF5TestValues.values(Float.self, count: count)
        let doubles = HDF5TestValues.values(Double.self, count: count)
        let ints = HDF5TestValues.values(Int.self, count: count)
        let uints = HDF5TestValues.values(UInt.self, count: count)
        try write(int8s); try write(int16s); try write(int32s); try write(int64s)
        try write(uint8s); try write(uint16s); try write(uint32s); try write(uint64s)
        try write(floats); try write(doubles); try write(ints); try write(uints)
        try file.close()

        let reopened = try HDF5File.open(at: url)
        func check<T: HDF5Scalar & Equatable>(_ expected: [T]) throws {
            let dataset = try reopened.root.dataset("\(T.self)")
            #expect(dataset.shape == shape)
            #expect(dataset.chunks == chunks)
            #expect(try dataset.read(as: T.self) == expected, "\(T.self) rank \(rank) \(layout)")
        }
        try check(int8s); try check(int16s); try check(int32s); try check(int64s)
        try check(uint8s); try check(uint16s); try check(uint32s); try check(uint64s)
        try check(floats); try check(doubles); try check(ints); try check(uints)
        // Int and UInt are stored as the 64-bit types and read back through them.
        #expect(try reopened.root.dataset("Int").elementType == .int64)
        #expect(try reopened.root.dataset("UInt").read(as: UInt64.self) == uints.map { UInt64($0) })
        // Every numeric type also reads as Double, converted by HDF5 exactly as Swift converts.
        #expect(try reopened.root.dataset("Int16").readDoubles() == int16s.map { Double($0) })
        #expect(try reopened.root.dataset("UInt64").readDoubles() == uint64s.map { Double($0) })
        #expect(try reopened.root.dataset("Int64").readDoubles() == int64s.map { Double($0) })
        #expect(try reopened.root.dataset("Float").readDoubles() == floats.map { Double($0) })
        #expect(try reopened.root.dataset("Double").readFloats() == doubles.map { Float($0) })
    }

    @Test func scalarCannotBeChunked() throws {
        let folder = try TemporaryDirectory()
        let file = try HDF5File.create(at: folder.file("scalar.h5"))
        #expect {
            try file.root.createDataset("x", shape: [], values: [1.0], chunks: [1])
        } throws: { error in
            guard case HDF5Error.invalidArgument(_, "/x", _, let reason) = error else { return false }
            return reason.contains("scalar")
        }
        #expect(throws: HDF5Error.self) { try file.root.createDataset("y", shape: [], values: [1.0], deflate: 4) }
        #expect(!file.root.contains("x") && !file.root.contains("y"))
    }

    @Test func deflateWithoutChunksGuessesChunksAndCompresses() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("deflate.h5")
        let zeros = [Double](repeating: 0, count: 512 * 1024)  // 4 MiB of zeros
        let file = try HDF5File.create(at: url)
        let dataset = try file.root.createDataset("zeros", shape: [1024, 512], values: zeros, deflate: 6)
        #expect(dataset.compression == "deflate(6)")
        let chunks = try #require(dataset.chunks)
        #expect(chunks.reduce(8, *) <= 1 << 20)
        #expect(chunks == [256, 512])  // 1024 halved twice: 256 × 512 × 8 bytes = 1 MiB
        try file.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        #expect(size < 100_000, "4 MiB of zeros compressed to \(size) bytes")
        #expect(try HDF5File.open(at: url).root.dataset("zeros").readDoubles() == zeros)
    }

    @Test func emptyDatasetsRoundTrip() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("empty.h5")
        let file = try HDF5File.create(at: url)
        try file.root.createDataset("contiguous", shape: [0, 3], values: [Double]())
        try file.root.createDataset("chunked", shape: [0, 3], values: [Float](), chunks: [4, 3], deflate: 1)
        try file.close()
        let reopened = try HDF5File.open(at: url)
        #expect(try reopened.root.dataset("contiguous").shape == [0, 3])
        #expect(try reopened.root.dataset("contiguous").readDoubles().isEmpty)
        #expect(try reopened.root.dataset("chunked").read(as: Float.self).isEmpty)
        #expect(try reopened.root.dataset("chunked").readMatrix() == Matrix<Double>(rows: 0, columns: 3))
    }

    @Test func groupsNestAndListTheirChildren() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("groups.h5")
        let file = try HDF5File.create(at: url)
        let deep = try file.root.createGroup("processing/ecephys/LFP")
        #expect(deep.path == "/processing/ecephys/LFP")
        #expect(deep.name == "LFP")
        let ecephys = try file.root.group("processing/ecephys")
        try ecephys.createDataset("b", shape: [2], values: [1, 2])
        try ecephys.createDataset("a/inner", shape: [1], values: [Int16(3)])  // intermediate group "a"
        #expect(try ecephys.children() == ["LFP", "a", "b"])
        #expect(try file.root.children() == ["processing"])
        #expect(file.root.contains("/processing/ecephys/a/inner"))
        #expect(ecephys.contains("a/inner"))
        #expect(!ecephys.contains("a/missing"))
        #expect(!ecephys.contains("b/below-a-dataset"))
        #expect(try deep.group("/processing").path == "/processing")
        #expect(try ecephys.dataset("a/inner").read(as: Int16.self) == [3])
        #expect(throws: HDF5Error.self) { try file.root.createGroup("processing/ecephys") }
    }

    @Test func matrixAndRowReadsMatchFullRead() throws {
        let folder = try TemporaryDirectory()
        let file = try HDF5File.create(at: folder.file("rows.h5"))
        let rows = 37, columns = 6
        let values = (0..<(rows * columns)).map { Double($0) * 0.5 - 7 }
        let matrix = try file.root.createDataset("m", shape: [rows, columns], values: values, chunks: [8, 6], deflate: 3)
        let full = try matrix.readDoubles()
        for range in [0..<1, 0..<37, 5..<13, 36..<37, 20..<20, 7..<30] {
            #expect(try matrix.readDoubles(rows: range) == Array(full[(range.lowerBound * columns)..<(range.upperBound * columns)]))
            #expect(try matrix.readFloats(rows: range) == full[(range.lowerBound * columns)..<(range.upperBound * columns)].map { Float($0) })
        }
        let read = try matrix.readMatrix()
        #expect(read.rows == rows && read.columns == columns)
        #expect(read[5, 4] == values[5 * columns + 4])
        #expect(read.elements == values)

        let cube = (0..<(4 * 3 * 2)).map { Int32($0) }
        let tensor = try file.root.createDataset("t", shape: [4, 3, 2], values: cube)
        #expect(try tensor.readDoubles(rows: 1..<3) == (6..<18).map { Double($0) })
        #expect(try tensor.read(as: Int64.self, rows: 3..<4) == (18..<24).map { Int64($0) })
        let series = try file.root.createDataset("v", shape: [10], values: (0..<10).map { UInt16($0) })
        #expect(try series.readDoubles(rows: 2..<5) == [2, 3, 4])

        #expect(throws: HDF5Error.self) { try matrix.readDoubles(rows: 30..<38) }
        #expect(throws: HDF5Error.self) { try tensor.readMatrix() }
        let scalar = try file.root.createDataset("s", shape: [], values: [1.5])
        #expect(try scalar.readDoubles() == [1.5])
        #expect(throws: HDF5Error.self) { try scalar.readDoubles(rows: 0..<1) }
    }
}
