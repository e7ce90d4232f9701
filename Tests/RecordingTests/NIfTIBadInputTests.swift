import Foundation
import Testing
import TestSupport
@testable import Recording

/// Corrupted NIfTI, NWB and Phy inputs: each fails with a specific typed error, never a crash; and
/// 12,000 seeded mutants of a small NIfTI file never crash or allocate beyond the input's size.
@Suite struct NIfTIBadInputTests {
    static let original = [UInt8]((try? Data(contentsOf: NeuroFormatsGolden.fixture("NIfTI-i2.nii"))) ?? Data())

    static func caseName(_ error: Error) -> String {
        if let e = error as? ArrayFileError { return Mirror(reflecting: e).children.first?.label ?? "\(e)" }
        if let e = error as? RecordingError { return Mirror(reflecting: e).children.first?.label ?? "\(e)" }
        return "foreign \(type(of: error))"
    }

    static func patched(_ edits: [(Int, [UInt8])], _ base: [UInt8] = original) -> [UInt8] {
        var b = base
        for (offset, bytes) in edits { for (i, v) in bytes.enumerated() { b[offset + i] = v } }
        return b
    }
    static func le16(_ v: Int16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func le32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func f32(_ v: Float) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }

    /// (label, bytes, expected error case, a word the message must contain).
    static let niftiCases: [(String, [UInt8], String, String)] = [
        ("empty file", [], "truncated", "NIfTI header"),
        ("cut inside the header", Array(original.prefix(200)), "truncated", "NIfTI-1 header"),
        ("sizeof_hdr 349", patched([(0, le32(349))]), "badMagic", "sizeof_hdr"),
        ("magic n+3", patched([(346, [UInt8(ascii: "3")])]), "badMagic", "magic"),
        ("pair magic in a .nii", patched([(345, [UInt8(ascii: "i")])]), "invalidField", "magic"),
        ("rank 0", patched([(40, le16(0))]), "invalidField", "dim[0]"),
        ("rank 8", patched([(40, le16(8))]), "invalidField", "dim[0]"),
        ("negative extent", patched([(42, le16(-3))]), "negativeDimension", "dim[1]"),
        ("extents beyond the file", patched([(42, le16(32767)), (44, le16(32767)), (46, le16(32767))]), "sizeExceedsFile", "data"),
        ("unknown datatype", patched([(70, le16(3))]), "unsupportedDtype", "code 3"),
        ("float128 datatype", patched([(70, le16(1536)), (72, le16(128))]), "unsupportedDtype", "float128"),
        ("bitpix disagrees", patched([(72, le16(32))]), "invalidField", "bitpix"),
        ("vox_offset inside the header", patched([(108, f32(100))]), "invalidField", "vox_offset"),
        ("vox_offset NaN", patched([(108, f32(.nan))]), "invalidField", "vox_offset"),
        ("vox_offset past the end", patched([(108, f32(1_000_000))]), "sizeExceedsFile", "vox_offset"),
        ("data one byte short", Array(original.dropLast()), "sizeExceedsFile", "data"),
        ("extension size 7", patched([(348, [1, 0, 0, 0]), (352, le32(7)), (108, f32(368))],
                                     Array(original.prefix(352)) + [UInt8](repeating: 0, count: 16) + original.suffix(48)), "invalidField", "extension"),
    ]

    @Test func niftiCorruptionsHaveSpecificErrors() {
        #expect(Self.niftiCases.count >= 17)
        for (label, bytes, expected, word) in Self.niftiCases {
            do {
                _ = try NIfTIFile.decode(bytes, name: "bad.nii")
                Issue.record("\(label): accepted")
            } catch {
                #expect(Self.caseName(error) == expected, "\(label): \(error)")
                #expect("\(error)".contains(word), "\(label): \(error)")
            }
        }
    }

    @Test func niftiHeaderValuesThatFailLater() throws {
        // A non-unit quaternion fails when the qform is used, not when the file is read.
        let q = try NIfTIFile.decode(Self.patched([(252, Self.le16(1)), (254, Self.le16(0)), (256, Self.f32(1)), (260, Self.f32(1))]), name: "q.nii")
        #expect(throws: ArrayFileError.self) { try q.header.bestAffine() }
        // A valid slope with a NaN intercept: nibabel refuses too.
        let s = try NIfTIFile.decode(Self.patched([(112, Self.f32(2)), (116, Self.f32(.nan))]), name: "s.nii")
        #expect(throws: ArrayFileError.self) { try s.scaledFloats() }
        // NIfTI-2 extents whose product overflows.
        var n2 = [UInt8]((try? Data(contentsOf: NeuroFormatsGolden.fixture("NIfTI-nifti2.nii"))) ?? Data())
        for k in 1...3 { for (i, v) in withUnsafeBytes(of: Int64(1 << 40).littleEndian, Array.init).enumerated() { n2[16 + 8 * k + i] = v } }
        #expect(throws: ArrayFileError.self) { try NIfTIFile.decode(n2, name: "n2.nii") }
        // Damaged and truncated gzip streams.
        let gz = [UInt8]((try? Data(contentsOf: NeuroFormatsGolden.fixture("NIfTI-gzip.nii.gz"))) ?? Data())
        var flipped = gz
        for i in 20..<40 { flipped[i] ^= 0x5A }
        for bad in [flipped, Array(gz.prefix(gz.count / 2))] {
            do { _ = try NIfTIFile.gunzip(bad, name: "x.nii.gz"); Issue.record("accepted a damaged gzip stream") } catch {
                #expect(Self.caseName(error) == "compression", "\(error)")
            }
        }
        // An .img without its .hdr.
        let folder = try TemporaryDirectory()
        try Data([0, 0]).write(to: folder.file("lonely.img"))
        #expect(throws: ArrayFileError.self) { try NIfTIFile.read(folder.file("lonely.img")) }
    }

    @Test func niftiMutantsNeverCrashOrOverAllocate() {
        var g = SeededGenerator(seed: 20_240_604)
        var accepted = 0, rejected = 0
        let base = Self.original
        for _ in 0..<12_000 {
            var b = base
            let edits = 1 + Int(g.next() % 4)
            for _ in 0..<edits {
                // Mostly header bytes (where the structure is), sometimes a truncation.
                if g.next() % 16 == 0 {
                    b = Array(b.prefix(Int(g.next() % UInt64(b.count + 1))))
                } else if !b.isEmpty {
                    let i = Int(g.next() % UInt64(min(b.count, 352)))
                    b[i] = g.next() % 3 == 0 ? [0x00, 0xFF, 0x7F, 0x80][Int(g.next() % 4)] : UInt8(truncatingIfNeeded: g.next())
                }
            }
            do {
                let image = try NIfTIFile.decode(b, name: "m.nii")
                accepted += 1
                #expect(image.data.bytes.count <= b.count, "allocation beyond the input")
                _ = try? image.header.bestAffine()
                _ = try? image.volumeSeries()
            } catch is ArrayFileError {
                rejected += 1
            } catch {
                Issue.record("foreign error \(error)")
            }
        }
        #expect(accepted + rejected == 12_000)
        #expect(accepted > 100 && rejected > 1_000, "the mutants exercise both paths: \(accepted) accepted")
    }
}

/// Corrupted NWB tables and Phy folders.
@Suite struct NWBPhyBadInputTests {
    /// A minimal NWB-shaped file with a units table; `mutate` may damage it.
    static func makeNWB(_ url: URL, version: String = "2.4.0", type: String = "NWBFile",
                        index: [Int64] = [2, 3], times: [Double] = [0.1, 0.2, 0.3], ids: [Int64] = [0, 1], withIndex: Bool = true) throws {
        try HDF5File.writeAtomically(to: url) { f in
            try f.root.setAttribute("neurodata_type", type)
            try f.root.setAttribute("nwb_version", version)
            let units = try f.root.createGroup("units")
            _ = try units.createDataset("id", shape: [ids.count], values: ids)
            _ = try units.createDataset("spike_times", shape: [times.count], values: times)
            if withIndex { _ = try units.createDataset("spike_times_index", shape: [index.count], values: index) }
        }
    }

    static func nwbError(_ build: (URL) throws -> Void) throws -> String {
        let folder = try TemporaryDirectory()
        let url = folder.file("x.nwb")
        try build(url)
        do {
            let nwb = try NWBFile.open(url)
            defer { try? nwb.close() }
            _ = try nwb.units()
            return "accepted"
        } catch let e as RecordingError {
            return "\(e)"
        } catch {
            return "foreign \(error)"
        }
    }

    @Test func nwbCorruptions() throws {
        #expect(try Self.nwbError { try Self.makeNWB($0) } == "accepted")
        let cases: [(String, (URL) throws -> Void, String)] = [
            ("not NWB", { try Self.makeNWB($0, type: "Something") }, "neurodata_type"),
            ("NWB 1.x", { try Self.makeNWB($0, version: "1.0.5") }, "nwb_version"),
            ("decreasing index", { try Self.makeNWB($0, index: [3, 2]) }, "spike_times_index[1]"),
            ("index past the data", { try Self.makeNWB($0, index: [2, 5]) }, "spike_times_index[1]"),
            ("index short of the data", { try Self.makeNWB($0, index: [1, 2]) }, "to end at"),
            ("index length ≠ ids", { try Self.makeNWB($0, index: [3]) }, "rows (the length of id)"),
            ("no index", { try Self.makeNWB($0, withIndex: false) }, "spike_times_index"),
            ("NaN spike time", { try Self.makeNWB($0, times: [0.1, .nan, 0.3]) }, "finite"),
            ("no units table", { url in try HDF5File.writeAtomically(to: url) { f in
                try f.root.setAttribute("neurodata_type", "NWBFile"); try f.root.setAttribute("nwb_version", "2.4.0") } }, "/units"),
        ]
        for (label, build, word) in cases {
            let message = try Self.nwbError(build)
            #expect(message != "accepted" && !message.hasPrefix("foreign") && message.contains(word), "\(label): \(message)")
        }
    }

    static func phyFolder(_ edit: (URL) throws -> Void) throws -> (TemporaryDirectory, URL) {
        let folder = try TemporaryDirectory()
        let url = folder.url.appendingPathComponent("phy")
        try FileManager.default.copyItem(at: NeuroFormatsGolden.fixture("Phy-small"), to: url)
        try edit(url)
        return (folder, url)
    }

    @Test func phyCorruptions() throws {
        let cases: [(String, (URL) throws -> Void, String)] = [
            ("no params.py", { try FileManager.default.removeItem(at: $0.appendingPathComponent("params.py")) }, "notFound"),
            ("no sample_rate", { try Data("dtype = 'int16'\n".utf8).write(to: $0.appendingPathComponent("params.py")) }, "invalidField"),
            ("clusters too short", { try NPYFile.write(NumericArray([Int32(0), 3]), to: $0.appendingPathComponent("spike_clusters.npy")) }, "invalidField"),
            ("float spike times", { try NPYFile.write(NumericArray([0.5, 1.5]), to: $0.appendingPathComponent("spike_times.npy")) }, "wrongKind"),
            ("n×2 spike times", { try NPYFile.write(NumericArray(shape: [2, 2], values: [Int64(1), 2, 3, 4]), to: $0.appendingPathComponent("spike_times.npy")) }, "wrongKind"),
            ("bad cluster_group header", { try Data("id\tlabel\n0\tgood\n".utf8).write(to: $0.appendingPathComponent("cluster_group.tsv")) }, "invalidField"),
            ("non-integer cluster id", { try Data("cluster_id\tgroup\nx\tgood\n".utf8).write(to: $0.appendingPathComponent("cluster_group.tsv")) }, "invalidField"),
        ]
        for (label, edit, expected) in cases {
            let (keep, url) = try Self.phyFolder(edit)
            do {
                _ = try PhyFolder.read(url)
                Issue.record("\(label): accepted")
            } catch {
                #expect(NIfTIBadInputTests.caseName(error) == expected, "\(label): \(error)")
            }
            _ = keep
        }
    }
}
