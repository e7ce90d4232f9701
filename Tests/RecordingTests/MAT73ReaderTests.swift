import Foundation
import NeuroCore
import Testing
import TestSupport
@testable import Recording

/// Decoded `Goldens/mat73.json` (scripts/goldens/mat73.py): scipy.io.loadmat's view of the v5 twin
/// of Fixtures/mat73.mat, after the script checked hdf5storage reads the v7.3 file back equal.
struct MAT73Golden: Decodable {
    let names: [String]
    let variables: [String: ArraysGolden.MATEntry]

    static func load() throws -> MAT73Golden { try Goldens.load(MAT73Golden.self, named: "mat73", in: Bundle.module) }
}

@Suite struct MAT73ReaderTests {
    @Test func fixtureMatchesGolden() throws {
        let golden = try MAT73Golden.load()
        let mat = try MATFile(url: ArraysGolden.fixture("mat73.mat"))
        #expect(mat.headerText.hasPrefix("MATLAB 7.3 MAT-file"))
        #expect(mat.names == golden.names)  // #refs# is not a variable
        for name in golden.names {
            guard let value = mat[name], let entry = golden.variables[name] else {
                Issue.record("missing \(name)"); continue
            }
            expectMATMatches(value, entry, name)
        }
        // Spot checks in MATLAB terms: column-major storage came back as MATLAB shapes in C order.
        #expect(mat["dbl"]?.shape == [2, 3] && mat["dbl"]?.doubles == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
        #expect(mat["cube"]?.shape == [2, 3, 4] && mat["cube"]?.doubles == (0..<24).map(Double.init))
        #expect(mat["u64"]?.numericArray?.values(as: UInt64.self) == [(UInt64(1) << 63) + 5])
        #expect(mat["txt"]?.string == "hello")
        #expect(try mat.value(at: "s.a.c").doubles == [1, 2, 3])
        #expect(try mat.value(at: "cel[1]").string == "ab")
        #expect(try mat.value(at: "sarr[1].y").string == "second" && mat["sarr"]?.shape == [1, 2])
        #expect(mat["empty"]?.shape == [0, 3] && mat["empty"]?.numericArray?.elementType == .float64)
    }

    /// The same data saved as v5 by scipy and as v7.3 by hdf5storage decode to equal trees.
    @Test func v73AndV5TreesAreEqual() throws {
        let v73 = try MATFile(url: ArraysGolden.fixture("mat73.mat"))
        let v5 = try MATFile(url: ArraysGolden.fixture("mat73_as_v5.mat"))
        #expect(Set(v73.names) == Set(v5.names))
        for name in v5.names {
            #expect(v73[name] == v5[name], "\(name): v7.3 \(String(describing: v73[name])) vs v5 \(String(describing: v5[name]))")
        }
    }

    @Test func truncatedOrCorruptFilesThrowTypedErrors() throws {
        let bytes = ArraysGolden.fixtureBytes("mat73.mat")
        let folder = try TemporaryDirectory()
        // Cut inside the HDF5 data: HDF5 refuses the file (its end-of-file address lies beyond the end).
        let truncated = folder.file("truncated.mat")
        try Data(bytes.prefix(bytes.count / 2)).write(to: truncated)
        #expect(throws: HDF5Error.self) { try MATFile(url: truncated) }
        // Garbage after the signature: the superblock cannot be decoded.
        var corrupt = bytes
        for i in 520..<min(corrupt.count, 600) { corrupt[i] = 0xA5 }
        let corruptURL = folder.file("corrupt.mat")
        try Data(corrupt).write(to: corruptURL)
        #expect(throws: HDF5Error.self) { try MATFile(url: corruptURL) }
        // Only the user block survives.
        let headerOnly = folder.file("header.mat")
        try Data(bytes.prefix(528)).write(to: headerOnly)
        #expect(throws: HDF5Error.self) { try MATFile(url: headerOnly) }
        // Bytes cannot go through HDF5: the bytes initialiser still names the format.
        #expect(throws: ArrayFileError.matV73(file: "m.mat")) { try MATFile(bytes: bytes, name: "m.mat") }
    }

    @Test func layoutViolationsThrowArrayFileErrors() throws {
        // h5py-written HDF5 without MATLAB's attributes (arrays.py's v73.mat).
        #expect(throws: ArrayFileError.invalidField(file: "v73.mat", field: "x", expected: "a MATLAB_class attribute (MATLAB's v7.3 layout)", found: "none")) {
            try MATFile(url: ArraysGolden.fixture("v73.mat"))
        }
        let folder = try TemporaryDirectory()
        // A "cell" that holds numbers instead of references.
        let badCell = folder.file("badcell.mat")
        do {
            let file = try HDF5File.create(at: badCell)
            let d = try file.root.createDataset("c", shape: [2, 1], values: [1.0, 2.0])
            try d.setAttribute("MATLAB_class", "cell")
            try file.close()
        }
        do {
            _ = try MATFile(url: badCell)
            Issue.record("expected an error")
        } catch let error as ArrayFileError {
            guard case .invalidField(let file, let field, _, let found) = error else { Issue.record("\(error)"); return }
            #expect(file == "badcell.mat" && field == "c" && found == "float64")
        }
        // An empty marker whose dims vector has no zero.
        let badEmpty = folder.file("badempty.mat")
        do {
            let file = try HDF5File.create(at: badEmpty)
            let e = try file.root.createDataset("e", shape: [2], values: [UInt64(2), 3])
            try e.setAttribute("MATLAB_class", "double")
            try e.setAttribute("MATLAB_empty", UInt8(1))
            try file.close()
        }
        #expect(throws: ArrayFileError.invalidField(file: "badempty.mat", field: "e (MATLAB_empty)", expected: "a dimension vector with a zero", found: "[2, 3]")) {
            try MATFile(url: badEmpty)
        }
        // A struct whose MATLAB_fields names a member that is not there.
        let badFields = folder.file("badfields.mat")
        do {
            let file = try HDF5File.create(at: badFields)
            let s = try file.root.createGroup("s")
            try s.setAttribute("MATLAB_class", "struct")
            try s.setAttribute("MATLAB_fields", ["b", "gone"])
            try s.createDataset("b", shape: [1, 1], values: [1.0]).setAttribute("MATLAB_class", "double")
            try file.close()
        }
        #expect(throws: ArrayFileError.invalidField(file: "badfields.mat", field: "s MATLAB_fields", expected: "names of members of /s", found: "gone")) {
            try MATFile(url: badFields)
        }
        // Other classes are kept as unsupported values, as in v5; a char matrix reads row by row; sparse.
        let other = folder.file("other.mat")
        do {
            let file = try HDF5File.create(at: other)
            let h = try file.root.createDataset("h", shape: [1, 1], values: [UInt8(0)])
            try h.setAttribute("MATLAB_class", "function_handle")
            // MATLAB ['ab'; 'cd'] stored column-major: a, c, b, d with HDF5 shape [2 cols, 2 rows].
            let t = try file.root.createDataset("t", shape: [2, 2], values: "acbd".utf16.map { $0 })
            try t.setAttribute("MATLAB_class", "char")
            // MATLAB sparse [0 1.5 0 0; 2 0 0 -1; 0 0 0 0]: CSC with 0-based ir/jc, row count as MATLAB_sparse.
            let sp = try file.root.createGroup("sp")
            try sp.setAttribute("MATLAB_class", "double")
            try sp.setAttribute("MATLAB_sparse", UInt64(3))
            _ = try sp.createDataset("data", shape: [3], values: [2.0, 1.5, -1.0])
            _ = try sp.createDataset("ir", shape: [3], values: [UInt64(1), 0, 1])
            _ = try sp.createDataset("jc", shape: [5], values: [UInt64(0), 1, 2, 2, 3])
            try file.close()
        }
        let mat = try MATFile(url: other)
        #expect(mat["h"] == .unsupported(className: "function_handle"))
        #expect(mat["t"] == .char(MATCharArray(shape: [2, 2], rows: ["ab", "cd"])))
        #expect(mat["sp"]?.shape == [3, 4])
        #expect(mat["sp"]?.doubles == [0, 1.5, 0, 0, 2, 0, 0, -1, 0, 0, 0, 0])
    }
}
