import Foundation
import Testing
import TestSupport
@testable import Recording

/// Compares a decoded MAT value with scipy.io.loadmat's view of it (recursively).
func expectMATMatches(_ value: MATValue, _ golden: ArraysGolden.MATEntry, _ path: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    switch (golden.kind, value) {
    case ("numeric", .numeric(let a)), ("numeric", .logical(let a)):
        #expect(a.shape == golden.shape, "\(path) shape \(a.shape)", sourceLocation: sourceLocation)
        let dtype = a.elementType == .bool ? "|u1" : numpyDtype(a.elementType)
        #expect(dtype.dropFirst() == (golden.dtype ?? "").dropFirst(), "\(path) dtype \(dtype)", sourceLocation: sourceLocation)
        #expect(a.doubles == golden.values, "\(path) values", sourceLocation: sourceLocation)
        if let imag = golden.imag { #expect(a.imaginaryDoubles == imag, "\(path) imag", sourceLocation: sourceLocation) }
        if let exact = golden.exact { #expect(a.values(as: UInt64.self)?.map { String($0) } == exact, "\(path) exact", sourceLocation: sourceLocation) }
    case ("char", .char(let c)):
        #expect(c.rows == golden.rows, "\(path) rows", sourceLocation: sourceLocation)
    case ("cell", .cell(let c)):
        #expect(c.shape == golden.shape, "\(path) shape", sourceLocation: sourceLocation)
        let expected = golden.cellElements ?? []
        #expect(c.elements.count == expected.count, "\(path) count", sourceLocation: sourceLocation)
        for (i, (v, g)) in zip(c.elements, expected).enumerated() { expectMATMatches(v, g, "\(path)[\(i)]", sourceLocation: sourceLocation) }
    case ("struct", .structure(let s)):
        #expect(s.shape == golden.shape, "\(path) shape", sourceLocation: sourceLocation)
        #expect(s.fieldNames == golden.fields, "\(path) fields", sourceLocation: sourceLocation)
        for (e, fields) in (golden.structElements ?? []).enumerated() {
            for (name, g) in fields {
                guard let v = s.value(field: name, element: e) else {
                    Issue.record("\(path)[\(e)].\(name) missing", sourceLocation: sourceLocation); continue
                }
                expectMATMatches(v, g, "\(path)[\(e)].\(name)", sourceLocation: sourceLocation)
            }
        }
    case ("sparse", .sparse(let s)):
        guard let dense = golden.dense else { Issue.record("\(path): no dense golden"); return }
        expectMatches(s.dense(), dense, path, sourceLocation: sourceLocation)
    default:
        Issue.record("\(path): expected \(golden.kind), found \(value.kindName)", sourceLocation: sourceLocation)
    }
}

@Suite struct MATReaderTests {
    @Test(arguments: ["v5_plain.mat", "v5_compressed.mat"])
    func scipyFixtureMatches(name: String) throws {
        let golden = name == "v5_plain.mat" ? ArraysGolden.shared.mat.plain : ArraysGolden.shared.mat.compressed
        let mat = try MATFile(url: ArraysGolden.fixture(name))
        #expect(mat.names == golden.names)
        #expect(mat.headerText.hasPrefix("MATLAB 5.0 MAT-file"))
        for (variable, g) in golden.variables {
            let value = try #require(mat[variable], "\(variable) missing")
            expectMATMatches(value, g, variable)
        }
    }

    @Test func compressedAndPlainAgree() throws {
        let a = try MATFile(url: ArraysGolden.fixture("v5_plain.mat"))
        let b = try MATFile(url: ArraysGolden.fixture("v5_compressed.mat"))
        #expect(a.names == b.names)
        for name in a.names { #expect(a[name] == b[name], "\(name)") }
    }

    @Test func kindsAndAccessors() throws {
        let mat = try MATFile(url: ArraysGolden.fixture("v5_compressed.mat"))
        #expect(mat["txt"]?.string == "hello")
        #expect(mat["rows"]?.string == "ab\ncd")
        guard case .logical(let flag)? = mat["flag"] else { Issue.record("flag is not logical"); return }
        #expect(flag.elementType == .bool && flag.doubles == [1, 0, 1])
        guard case .sparse(let s)? = mat["sprs"] else { Issue.record("sprs is not sparse"); return }
        #expect(s.rows == 3 && s.columns == 4 && s.nonZeroCount == 3)
        #expect(s.rowIndices == [1, 0, 1] && s.columnStarts == [0, 1, 2, 2, 3] && s.values == [2, 1.5, -1])
        #expect(mat["empty"]?.shape == [0, 3])
        #expect(mat["cplx"]?.numericArray?.elementType == .complex128)
        // 2×3×4 column-major in the file; C order here, as numpy shows it.
        #expect(mat["cube"]?.doubles == (0..<24).map(Double.init))
        #expect(mat["cel2"]?.cellElements?.map { $0.scalar } == [1, 2, 3, 4])
    }

    @Test func dottedPaths() throws {
        let mat = try MATFile(url: ArraysGolden.fixture("v5_plain.mat"))
        #expect(try mat.value(at: "s.a.b").scalar == 5)
        #expect(try mat.value(at: "s.a.c").doubles == [1, 2, 3])
        #expect(try mat.value(at: "s.name").string == "x")
        #expect(try mat.value(at: "sarr[1].x").doubles == [2, 3])
        #expect(try mat.value(at: "sarr[0].y").string == "first")
        #expect(try mat.value(at: "cel[1]").string == "a")
        #expect(throws: ArrayFileError.self) { try mat.value(at: "s.missing") }
        #expect(throws: ArrayFileError.self) { try mat.value(at: "nothing") }
        #expect(throws: ArrayFileError.self) { try mat.value(at: "sarr.x") }  // struct array needs an index
        #expect(throws: ArrayFileError.self) { try mat.value(at: "cel[7]") }
    }

    @Test func bigEndianFileMatches() throws {
        let golden = ArraysGolden.shared.mat.bigEndian
        let mat = try MATFile(url: ArraysGolden.fixture("v5_bigendian.mat"))
        #expect(mat.isBigEndian)
        #expect(mat.names == ["x", "k", "name", "st"])
        expectMatches(try #require(mat["x"]?.numericArray), golden.x, "x")
        expectMatches(try #require(mat["k"]?.numericArray), golden.k, "k")
        #expect(mat["name"]?.string == golden.name)
        // A double stored as miUINT8 in a small element is converted to double.
        let val = try mat.value(at: "st.val")
        #expect(val.numericArray?.elementType == .float64 && val.scalar == golden.stVal)
    }

    /// v7.3 files are read from disk (MAT73ReaderTests); as bytes they are only detected and named.
    @Test func v73IsDetectedAndNamed() {
        #expect(throws: ArrayFileError.matV73(file: "v73.mat")) {
            try MATFile(bytes: ArraysGolden.fixtureBytes("v73.mat"), name: "v73.mat")
        }
        #expect(ArrayFileError.matV73(file: "f.mat").description.contains("MATFile(url:)"))
    }
}

@Suite struct MATSharedDataTests {
    static let available = SharedData.isAvailable

    @Test(.enabled(if: available, "needs ../shared/data"))
    func nelpySpikesMatchScipy() throws {
        let golden = try #require(ArraysGolden.shared.real.nelpy)
        let mat = try MATFile(url: try #require(SharedData.file("spikes/nelpy-linear-track/spikes.mat")))
        #expect(mat.names == golden.names)
        var total = 0, nonEmpty = 0
        for unit in golden.structs {
            // path = cell indices down to the unit struct, then its element index.
            let path = "spikes" + unit.path.dropLast().map { "[\($0)]" }.joined() + "[\(unit.path.last!)].time"
            let times = try mat.value(at: path)
            let values = try #require(times.doubles)
            #expect(values.count == unit.count, "\(path)")
            #expect(abs(values.reduce(0, +) - unit.sum) <= 1e-9 * max(1, unit.sum), "\(path)")
            if let first = unit.first { #expect(values.first == first) }
            total += values.count
            if !values.isEmpty { nonEmpty += 1 }
        }
        #expect(total == 28_829 && total == golden.spikes)
        #expect(nonEmpty == 31 && nonEmpty == golden.units)
        #expect(try mat.value(at: "spikes[0][0]").shape == golden.tetrodes)
    }

    @Test(.enabled(if: available, "needs ../shared/data"))
    func triplettMatchesScipy() throws {
        let golden = try #require(ArraysGolden.shared.real.triplett)
        let mat = try MATFile(url: try #require(SharedData.file("calcium/triplett-zf-f1/zf_20151104-f1.mat")))
        #expect(mat.names == golden.names)
        let activity = try #require(mat["activity_matrix"]?.numericArray)
        expectMatches(activity, golden.activity_matrix, "activity_matrix")
        #expect(activity.shape == [114, 4245])
        expectMatches(try #require(mat["cell_coordinates"]?.numericArray), golden.cell_coordinates, "cell_coordinates")
        let cells = try #require(mat["detected_assemblies"]?.cellElements)
        #expect(mat["detected_assemblies"]?.shape == golden.detected_assemblies.shape)
        for (value, g) in zip(cells, golden.detected_assemblies.elements) {
            let a = try #require(value.numericArray)
            #expect(a.shape == g.shape && numpyDtype(a.elementType).dropFirst() == g.matlab_dtype.dropFirst())
            #expect(a.doubles.reduce(0, +) == g.sum)
        }
    }

    @Test(.enabled(if: available, "needs ../shared/data"))
    func eeglabSetMatchesScipy() throws {
        let golden = try #require(ArraysGolden.shared.real.eeglab)
        let mat = try MATFile(url: try #require(SharedData.file("eeg/eeglab-tutorial/test_raw.set")))
        #expect(mat.names == golden.names)
        guard case .structure(let eeg)? = mat["EEG"] else { Issue.record("EEG is not a struct"); return }
        #expect(eeg.fieldNames == golden.fields)
        #expect(try mat.value(at: "EEG.nbchan").scalar == golden.nbchan)
        #expect(try mat.value(at: "EEG.srate").scalar == golden.srate)
        #expect(try mat.value(at: "EEG.pnts").scalar == golden.pnts)
        #expect(try mat.value(at: "EEG.trials").scalar == golden.trials)
        #expect(try mat.value(at: "EEG.xmax").scalar == golden.xmax)
        #expect(try mat.value(at: "EEG.setname").string == golden.setname)
        #expect(try mat.value(at: "EEG.datfile").string == golden.datfile)
        #expect(golden.nbchan == 32 && golden.srate == 128)
        expectMatches(try #require(try mat.value(at: "EEG.times").numericArray), golden.times, "times")
        expectMatches(try #require(try mat.value(at: "EEG.icaweights").numericArray), golden.icaweights, "icaweights")
        #expect(try mat.value(at: "EEG.comments").shape.first == golden.comments_rows)
        guard case .structure(let events) = try mat.value(at: "EEG.event") else { Issue.record("event is not a struct"); return }
        #expect(events.shape == golden.events.shape && events.count == 154)
        #expect(events.fieldNames == golden.events.fields)
        #expect(events.values(field: "type")?.map { $0.string ?? "" } == golden.events.types)
        #expect(events.values(field: "latency")?.map { $0.scalar ?? .nan } == golden.events.latencies)
        #expect(try mat.value(at: "EEG.event[3].type").string == golden.events.types[3])
    }
}
