import Foundation
import Testing
@testable import NeuroCore

/// Complex compounds and character sequences as numpy/h5py and MATLAB v7.3 store them
/// (Goldens/hdf5_compound.h5, written by scripts/goldens/hdf5_compound.py with the values below).
@Suite struct HDF5CompoundTests {
    static func fixture() throws -> HDF5File {
        let url = try #require(Bundle.module.url(forResource: "hdf5_compound", withExtension: "h5", subdirectory: "Goldens"))
        return try HDF5File.open(at: url)
    }

    @Test func numpyComplexReadsAsInterleavedPairs() throws {
        let file = try Self.fixture()
        let c128 = try file.root.dataset("c128")
        #expect(c128.elementType == .compound && c128.shape == [1, 3])
        #expect(try c128.readComplex(as: Double.self) == [1, 2, -3.5, 0.25, 0, -1])
        #expect(try file.root.dataset("c64").readComplex(as: Float.self) == [1.5, -2.5, 3, 4])
        // Float data widens to Double; Double narrows to Float as readFloats() does.
        #expect(try file.root.dataset("c64").readComplex(as: Double.self) == [1.5, -2.5, 3, 4])
        #expect(try c128.readComplex(as: Float.self) == [1, 2, -3.5, 0.25, 0, -1])
    }

    @Test func membersAreMatchedByNameNotPosition() throws {
        // {imag: <i2, real: >i2} stored imag first and big-endian real: (7, -1), (-8, 300).
        let values = try Self.fixture().root.dataset("matlab_int16").readComplex(as: Double.self)
        #expect(values == [-1, 7, 300, -8])
    }

    @Test func otherTypesAreRefused() throws {
        let file = try Self.fixture()
        #expect(throws: HDF5Error.self) { try file.root.dataset("not_complex").readComplex(as: Double.self) }
        do {
            _ = try file.root.dataset("c128").read(as: Double.self)
            Issue.record("a compound read as plain numbers must fail")
        } catch let error as HDF5Error {
            guard case .typeMismatch(_, let object, let stored, _) = error else { Issue.record("\(error)"); return }
            #expect(object == "/c128" && stored == .compound)
        }
    }

    @Test func characterSequenceAttributesReadAsStrings() throws {
        let group = try Self.fixture().root.group("s")
        #expect(try group.attribute("MATLAB_fields") == .strings(["zeta", "alpha", "mid"]))
        #expect(try group.attribute("int8_sequences") == .strings(["héllo", ""]))
        // A sequence of non-characters stays undecoded rather than misread.
        guard case .unsupported = try group.attribute("float_sequences") else {
            Issue.record("float sequences must not decode as text"); return
        }
    }
}
