import Foundation
import Testing
import TestSupport
@testable import NeuroCore

/// What h5py saw in the fixture file (Goldens/hdf5_h5py.json, written by scripts/goldens/hdf5_h5py.py).
struct H5pyGolden: Decodable {
    struct Dataset: Decodable {
        let dtype: String
        let shape: [Int]
        let chunks: [Int]?
        let compression: String?
        /// Flattened row-major values: `str(int)` / `repr(float)` for numbers, the text for strings.
        let values: [String]
        let sum: Double?
    }

    struct Attribute: Decodable {
        let dtype: String
        let shape: [Int]
        let values: [String]
    }

    struct SharedFile: Decodable {
        struct Element: Decodable {
            let index: [Int]
            let value: Double
        }
        let file: String
        let dataset: String
        let dtype: String
        let shape: [Int]
        let sum: Double
        let absSum: Double
        let sumOfSquares: Double
        let elements: [Element]
    }

    let h5pyVersion: String
    let hdf5Version: String
    let datasets: [String: Dataset]
    let attributes: [String: [String: Attribute]]
    let sharedData: SharedFile?
}

@Suite struct HDF5H5pyGoldenTests {
    static let fixtureVariable = "NEUROSWIFT_H5PY_FIXTURE"

    /// Writes the fixture (to `$NEUROSWIFT_H5PY_FIXTURE` when the golden script asks for it) and
    /// checks every dataset and attribute against what h5py read from the same bytes.
    @Test func fixtureMatchesWhatH5pySees() throws {
        let folder = try TemporaryDirectory()
        let requested = ProcessInfo.processInfo.environment[Self.fixtureVariable]
        let url = requested.map { URL(fileURLWithPath: $0) } ?? folder.file("fixture.h5")
        try HDF5Fixture.write(to: url)
        let file = try HDF5File.open(at: url)
        // While the script regenerates the golden, the old JSON may be stale: only write.
        if requested != nil { return }

        let golden = try Goldens.load(H5pyGolden.self, named: "hdf5_h5py", in: Bundle.module)
        let tree = try file.tree()
        let datasetPaths = tree.filter { $0.kind == .dataset }.map(\.path)
        #expect(Set(datasetPaths) == Set(golden.datasets.keys))
        #expect(datasetPaths.count == 10 * 9 + 3 + 2)

        for path in datasetPaths.sorted() {
            let expected = try #require(golden.datasets[path], "h5py did not see \(path)")
            let dataset = try file.root.dataset(path)
            #expect(dataset.elementType.description == expected.dtype, "\(path)")
            #expect(dataset.shape == expected.shape, "\(path)")
            #expect(dataset.chunks == expected.chunks, "\(path)")
            #expect(dataset.compression == expected.compression, "\(path)")
            try compareValues(dataset, expected, path)
        }

        let objectsWithAttributes = tree.filter { !$0.attributes.isEmpty }
        #expect(Set(objectsWithAttributes.map(\.path)) == Set(golden.attributes.keys))
        for object in objectsWithAttributes {
            let expected = try #require(golden.attributes[object.path])
            #expect(object.attributes.map(\.name) == expected.keys.sorted(), "\(object.path)")
            for attribute in object.attributes {
                let want = try #require(expected[attribute.name])
                #expect(matches(attribute.value, want), "\(object.path) @\(attribute.name): \(attribute.value) vs h5py \(want.dtype) \(want.values)")
            }
        }
        // Spot checks of the golden itself, so a silently emptied JSON cannot pass.
        #expect(golden.datasets["/numeric/int64/rank1"]?.values.first == "-9223372036854775808")
        #expect(golden.datasets["/numeric/uint64/rank2"]?.values[1] == "18446744073709551615")
        #expect(golden.datasets["/strings/names"]?.values == HDF5Fixture.names)
        #expect(golden.attributes["/attributes"]?["unit"]?.values == [HDF5Fixture.unit])
        #expect(golden.attributes["/attributes"]?["emoji"]?.values == [HDF5Fixture.emoji])
        #expect(golden.datasets["/chunked/float32/rank3"]?.compression == "deflate(4)")
    }

    private func compareValues(_ dataset: HDF5Dataset, _ expected: H5pyGolden.Dataset, _ path: String) throws {
        switch dataset.elementType {
        case .int8: #expect(try dataset.read(as: Int8.self).map(String.init) == expected.values, "\(path)")
        case .int16: #expect(try dataset.read(as: Int16.self).map(String.init) == expected.values, "\(path)")
        case .int32: #expect(try dataset.read(as: Int32.self).map(String.init) == expected.values, "\(path)")
        case .int64: #expect(try dataset.read(as: Int64.self).map(String.init) == expected.values, "\(path)")
        case .uint8: #expect(try dataset.read(as: UInt8.self).map(String.init) == expected.values, "\(path)")
        case .uint16: #expect(try dataset.read(as: UInt16.self).map(String.init) == expected.values, "\(path)")
        case .uint32: #expect(try dataset.read(as: UInt32.self).map(String.init) == expected.values, "\(path)")
        case .uint64: #expect(try dataset.read(as: UInt64.self).map(String.init) == expected.values, "\(path)")
        case .float32, .float64:
            // Python's repr and Swift's description both print the shortest round-tripping
            // digits, but parse rather than compare text to stay independent of formatting.
            let values = try dataset.readDoubles()
            #expect(values == expected.values.map { Double($0) ?? .nan }, "\(path)")
            if let sum = expected.sum {
                #expect(abs(values.reduce(0, +) - sum) <= 1e-12 * max(1, values.map(abs).reduce(0, +)), "\(path)")
            }
        case .string:
            #expect(try dataset.readStrings() == expected.values, "\(path)")
        default:
            Issue.record("unexpected type \(dataset.elementType) at \(path)")
        }
    }

    private func matches(_ value: HDF5AttributeValue, _ expected: H5pyGolden.Attribute) -> Bool {
        switch value {
        case .integers(let values):
            return expected.dtype.hasPrefix("int") && values.map(String.init) == expected.values
        case .unsignedIntegers(let values):
            return expected.dtype.hasPrefix("uint") && values.map(String.init) == expected.values
        case .reals(let values):
            return expected.dtype.hasPrefix("float") && values == expected.values.map { Double($0) ?? .nan }
        case .strings(let values):
            return expected.dtype == "str" && values == expected.values
        case .unsupported:
            return false
        }
    }

    /// The Flavell lab's whole-brain GCaMP traces: shape, sums and elements as h5py reads them.
    @Test(.enabled(if: SharedData.file("calcium/flavell-swf702/2022-07-26-31-data.h5") != nil))
    func sharedCalciumTracesMatchH5py() throws {
        let golden = try #require(try Goldens.load(H5pyGolden.self, named: "hdf5_h5py", in: Bundle.module).sharedData)
        let url = try #require(SharedData.file(golden.file))
        let file = try HDF5File.open(at: url)
        let dataset = try file.root.dataset(golden.dataset)
        #expect(dataset.shape == golden.shape)
        #expect(dataset.elementType.description == golden.dtype)
        let matrix = try dataset.readMatrix()
        #expect([matrix.rows, matrix.columns] == golden.shape)
        let values = matrix.elements
        let absSum = values.reduce(0) { $0 + abs($1) }
        let sumOfSquares = values.reduce(0) { $0 + $1 * $1 }
        #expect(abs(absSum - golden.absSum) <= 1e-12 * golden.absSum)
        #expect(abs(sumOfSquares - golden.sumOfSquares) <= 1e-12 * golden.sumOfSquares)
        // The traces are z-scored per neuron, so the plain sum cancels to rounding noise: compare
        // it on the scale of the absolute sum.
        #expect(abs(values.reduce(0, +) - golden.sum) <= 1e-12 * golden.absSum)
        for element in golden.elements {
            #expect(matrix[element.index[0], element.index[1]] == element.value)
        }
        // Lazy row reads agree with the full read.
        let rows = try dataset.readDoubles(rows: 100..<103)
        #expect(rows == Array(values[(100 * matrix.columns)..<(103 * matrix.columns)]))
    }
}
