import Foundation
import Testing
import TestSupport
@testable import Recording

@Suite struct NPYReaderTests {
    static let npyNames = ArraysGolden.shared.npy.keys.sorted()

    @Test(arguments: npyNames)
    func fixtureMatchesNumpy(name: String) throws {
        let golden = try #require(ArraysGolden.shared.npy[name])
        let array = try NPYFile.read(ArraysGolden.fixture(name))
        expectMatches(array, golden, name)
        let header = try NPYFile.header(of: ArraysGolden.fixture(name))
        #expect(header.shape == golden.shape)
        #expect(header.fortranOrder == (golden.fortran_order ?? false))
        #expect([Int(header.majorVersion), Int(header.minorVersion)] == golden.version)
    }

    @Test(arguments: npyNames)
    func writeReadRoundTripIsExact(name: String) throws {
        let array = try NPYFile.read(ArraysGolden.fixture(name))
        for fortran in [false, true] {
            let image = NPYFile.encode(array, fortranOrder: fortran)
            #expect(try NPYFile.read(bytes: image, name: name) == array)
            // numpy aligns the data to 64 bytes.
            #expect(try NPYHeader.parse(image, file: name).dataOffset % 64 == 0)
        }
    }

    @Test func writesAtomicallyToDisk() throws {
        let folder = try TemporaryDirectory()
        let array = NumericArray(shape: [2, 2], values: [1.0, 2, 3, 4])
        let url = folder.file("m.npy")
        try NPYFile.write(array, to: url)
        #expect(try NPYFile.read(url) == array)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["m.npy"])
    }

    @Test func fortranOrderIsTransposedToC() throws {
        // i2_fortran.npy holds arange(-6, 6).reshape(2, 3, 2) stored column-major.
        let array = try NPYFile.read(ArraysGolden.fixture("i2_fortran.npy"))
        #expect(array.values(as: Int16.self) == (-6..<6).map { Int16($0) })
        #expect(array[1, 2, 1] == 5)
    }

    @Test func objectAndStructuredDtypesAreRefused() {
        #expect(throws: ArrayFileError.objectDtype(file: "object.npy")) {
            try NPYFile.read(ArraysGolden.fixture("object.npy"))
        }
        #expect {
            try NPYFile.read(ArraysGolden.fixture("structured.npy"))
        } throws: { error in
            if case ArrayFileError.structuredDtype = error { return true }
            return false
        }
    }

    @Test func accessorsConvert() throws {
        let array = NumericArray(shape: [2, 3], values: [Int32(1), 2, 3, 4, 5, 6])
        #expect(array.doubles == [1, 2, 3, 4, 5, 6])
        #expect(array.floats == [1, 2, 3, 4, 5, 6])
        #expect(array.int64s == [1, 2, 3, 4, 5, 6])
        let m = try array.asMatrix()
        #expect(m.rows == 2 && m.columns == 3 && m[1, 0] == 4)
        #expect(throws: ArrayFileError.self) { try NumericArray(shape: [1, 1, 1], values: [1.0]).asMatrix() }
        #expect(NumericArray.halfToFloat(0x3C00) == 1 && NumericArray.halfToFloat(0xC100) == -2.5)
        #expect(array.fortranOrderBytes == NumericArray(shape: [3, 2], values: [Int32(1), 4, 2, 5, 3, 6]).bytes)
    }

    // MARK: NPZ

    @Test(arguments: ["stored.npz", "deflated.npz"])
    func npzMatchesNumpy(name: String) throws {
        let golden = try #require(ArraysGolden.shared.npz[name])
        let npz = try NPZFile(url: ArraysGolden.fixture(name))
        #expect(npz.names == golden.names)
        for (key, g) in golden.arrays { expectMatches(try npz.array(key), g, "\(name)/\(key)") }
        #expect(throws: ArrayFileError.self) { try npz.array("missing") }
    }

    @Test(arguments: [false, true])
    func npzRoundTrip(compressed: Bool) throws {
        let folder = try TemporaryDirectory()
        let arrays: [(name: String, array: NumericArray)] = [
            ("x", NumericArray(shape: [3, 1], values: [1.5, -2, 3])),
            ("flags", NumericArray([true, false])),
            ("big", NumericArray(shape: [100, 100], values: (0..<10_000).map { Float($0 % 17) })),
        ]
        let url = folder.file("a.npz")
        try NPZFile.write(arrays, to: url, compressed: compressed)
        let back = try NPZFile(url: url)
        #expect(back.names == ["x", "flags", "big"])
        for (name, array) in arrays { #expect(back[name] == array) }
        let size = try #require(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        #expect(compressed ? size < 10_000 : size > 40_000)
    }
}

@Suite struct NPYSharedDataTests {
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"),
          arguments: ["F.npy", "Fneu.npy", "spks.npy", "iscell.npy"])
    func suite2pMatchesNumpy(name: String) throws {
        let url = try #require(SharedData.file("calcium/suite2p-plane0/\(name)"))
        let golden = try #require(ArraysGolden.shared.real.suite2p?[name])
        let array = try NPYFile.read(url)
        #expect(numpyDtype(array.elementType) == golden.dtype)
        // numpy's float32 sum (recorded in float64 after casting) is reproduced to rounding.
        expectMatches(array, golden, name, relative: 1e-9)
        #expect(try NPYFile.header(of: url).shape == golden.shape)
    }
}
