import Foundation
import Testing
import TestSupport
@testable import Recording

/// Deterministic fuzzing of the BrainVision, EEGLAB and CSV readers: ≥ 10,000 seeded mutants of
/// each fixture's headers must each read or throw a `RecordingError` — no crash (a trap would kill
/// the test process), no hang (each run is timed), no other error type, and no output or resident
/// memory beyond what the file justifies.
@Suite struct EEGFormatMutationTests {
    static let mutants = 10_000

    /// Values that stress number parsing and sizes in text headers.
    static let textValues = [
        "0", "-1", "1", "65536", "65537", "2147483648", "99999999999999999999", "1e308", "-1e308", "nan", "inf",
        "0.000001", "", " ", ",", ",,,,", "=", "\\1", "µV", "ÿ", "\u{0}", "[Common Infos]", "[Channel Infos]",
        "[Marker Infos]", "Ch1=", "Mk1=", "INT_32", "IEEE_FLOAT_32", "VECTORIZED", "timestamps", "Marker",
    ]

    /// One text mutation: a number or field replaced by an extreme, a line deleted or duplicated, a
    /// random or copied byte, a truncation.
    static func mutateText(_ original: [UInt8], _ g: inout SeededGenerator, headerEnd: Int) -> [UInt8] {
        var b = original
        let edits = 1 + Int(g.next() % 3)
        for _ in 0 ..< edits where !b.isEmpty {
            let limit = max(1, min(b.count, headerEnd))
            let at = Int(g.next() % UInt64(limit))
            switch g.next() % 7 {
            case 0:  // replace the run of non-separators at `at` by a stress value
                var from = at, to = at
                let separators: Set<UInt8> = [0x0A, 0x0D, 0x2C, 0x3D]  // \n \r , =
                while from > 0, !separators.contains(b[from - 1]) { from -= 1 }
                while to < b.count, !separators.contains(b[to]) { to += 1 }
                b.replaceSubrange(from ..< to, with: Array(textValues[Int(g.next() % UInt64(textValues.count))].utf8))
            case 1:  // delete a line
                var from = at, to = at
                while from > 0, b[from - 1] != 0x0A { from -= 1 }
                while to < b.count, b[to] != 0x0A { to += 1 }
                b.removeSubrange(from ..< min(b.count, to + 1))
            case 2:  // duplicate a line
                var from = at, to = at
                while from > 0, b[from - 1] != 0x0A { from -= 1 }
                while to < b.count, b[to] != 0x0A { to += 1 }
                b.insert(contentsOf: Array(b[from ..< min(b.count, to + 1)]), at: from)
            case 3: b[at] = UInt8(truncatingIfNeeded: g.next())
            case 4: b[at] = b[Int(g.next() % UInt64(b.count))]
            case 5: b.removeLast(Int(g.next() % UInt64(b.count)))
            default: b.insert(contentsOf: Array(textValues[Int(g.next() % UInt64(textValues.count))].utf8), at: at)
            }
        }
        return b
    }

    /// Records an unexpected error type (a typed `RecordingError` is the only acceptable failure).
    static func expectTyped(_ error: any Error, _ what: String) {
        if !(error is RecordingError) {
            Issue.record("\(what): unexpected error type \(type(of: error)): \(error)")
        }
    }

    // MARK: BrainVision

    /// Mutated `.vhdr` and `.vmrk` (one or both) beside the fixture's unchanged `.eeg`.
    @Test func brainVisionHeaderMutants() throws {
        let folder = try TemporaryDirectory()
        let bases = ["int16_mux", "int32_vec", "float32_mux"]
        var originals = [(vhdr: [UInt8], vmrk: [UInt8], eegBytes: Int)]()
        for base in bases {
            let source = { (ext: String) in try EEGFormatGoldens.fixture("BrainVision/\(base).\(ext)") }
            let eeg = try Data(contentsOf: source("eeg"))
            try eeg.write(to: folder.file("\(base).eeg"))
            originals.append(([UInt8](try Data(contentsOf: source("vhdr"))), [UInt8](try Data(contentsOf: source("vmrk"))), eeg.count))
        }
        var g = SeededGenerator(seed: 20_261_123)
        let clock = ContinuousClock()
        let start = clock.now
        let residentBefore = NPYMutationTests.maxResidentKiB()
        var read = 0, rejected = 0
        for i in 0 ..< Self.mutants {
            let k = i % bases.count
            let (vhdr, vmrk, eegBytes) = originals[k]
            let which = g.next() % 3  // 0: header, 1: markers, 2: both
            let header = which == 1 ? vhdr : Self.mutateText(vhdr, &g, headerEnd: vhdr.count)
            let markers = which == 0 ? vmrk : Self.mutateText(vmrk, &g, headerEnd: vmrk.count)
            do {
                // Every mutant goes through the header and marker parsers in memory; every 16th
                // also through the whole file-based reader (writing files dominates the time).
                let parsed = try BrainVisionHeader(bytes: header, file: "mutant.vhdr")
                let list = try BrainVisionMarkerFile.parse(bytes: markers, file: "mutant.vmrk")
                let notes = try BrainVisionMarkerFile.annotations(list, samplingRate: parsed.samplingRate)
                #expect(notes.count <= markers.count / 4, "mutant \(i): \(notes.count) annotations")
                #expect(parsed.channels.count <= header.count / 4, "mutant \(i): \(parsed.channels.count) channels")
                if i % 16 == 0 {
                    try Data(header).write(to: folder.file("\(bases[k]).vhdr"))
                    try Data(markers).write(to: folder.file("\(bases[k]).vmrk"))
                    let reader = try BrainVisionReader(url: folder.file("\(bases[k]).vhdr"))
                    let series = try reader.read()
                    // Samples come only from the data file (≥ 2 bytes each).
                    #expect(series.samples.count <= eegBytes / 2, "mutant \(i): \(series.samples.count) samples")
                    if series.sampleCount > 2 {
                        _ = try reader.read(channels: [reader.channelNames[0]], timeRange: 0 ..< series.duration / 2)
                    }
                }
                read += 1
            } catch {
                Self.expectTyped(error, "BrainVision mutant \(i)")
                rejected += 1
            }
        }
        #expect(read + rejected == Self.mutants)
        #expect(read > Self.mutants / 20 && rejected > Self.mutants / 10, "read \(read), rejected \(rejected)")
        #expect(clock.now - start < .seconds(60))
        #expect(NPYMutationTests.maxResidentKiB() - residentBefore < 64 * 1024)
    }

    // MARK: EEGLAB

    /// The fixture's MAT body with every top-level `miCOMPRESSED` element inflated, so that
    /// mutations reach the element tags and sizes inside.
    static func inflatedBody(_ bytes: [UInt8]) throws -> [UInt8] {
        var out = [UInt8]()
        var at = 128
        func word(_ p: Int) -> Int { Int(bytes[p]) | Int(bytes[p + 1]) << 8 | Int(bytes[p + 2]) << 16 | Int(bytes[p + 3]) << 24 }
        while at + 8 <= bytes.count {
            let (type, size) = (word(at), word(at + 4))
            let payload = Array(bytes[at + 8 ..< at + 8 + size])
            if type == 15 {
                out += try Zlib.inflate(payload, outputLimit: 1 << 20)
                at += 8 + size
            } else {
                let padded = (size + 7) / 8 * 8
                out += bytes[at ..< min(bytes.count, at + 8 + padded)]
                at += 8 + padded
            }
        }
        return out
    }

    /// 32-bit little-endian fields set to extremes (sizes, dimensions, class flags), bit flips,
    /// byte copies and truncations — in the 128-byte MAT header or the element stream — and half of
    /// the mutants compressed again as one `miCOMPRESSED` element.
    @Test func eeglabSetMutants() throws {
        let folder = try EEGFormatGoldens.fixture("EEGLAB")
        var bodies = [(header: [UInt8], body: [UInt8], url: URL)]()
        for name in ["embedded.set", "external.set"] {
            let url = folder.appendingPathComponent(name)
            let bytes = [UInt8](try Data(contentsOf: url))
            bodies.append((Array(bytes[..<128]), try Self.inflatedBody(bytes), url))
            // The inflated form must still be a valid file: mutants start from a readable original.
            let plain = try MATFile(bytes: bodies.last!.header + bodies.last!.body, name: name)
            #expect(try EEGLABReader(mat: plain, url: url).read() == EEGLABReader(url: url).read())
        }
        let fdtBytes = try Data(contentsOf: folder.appendingPathComponent("external.fdt")).count
        var g = SeededGenerator(seed: 20_261_124)
        let clock = ContinuousClock()
        let start = clock.now
        let residentBefore = NPYMutationTests.maxResidentKiB()
        var read = 0, rejected = 0
        for i in 0 ..< Self.mutants {
            let (header, body, url) = bodies[i % bodies.count]
            var bytes = header + body
            let edits = 1 + Int(g.next() % 4)
            for _ in 0 ..< edits where bytes.count > 0 {
                // Favour the MAT header and element tags (8-byte aligned words) over payload bytes.
                let at = g.next() % 4 == 0
                    ? Int(g.next() % UInt64(min(128, bytes.count)))
                    : Int(g.next() % UInt64(bytes.count)) / 4 * 4
                switch g.next() % 5 {
                case 0, 1:
                    let value: UInt32 = [0, 1, 2, 7, 8, 15, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 0xFFFF, 0x1_0000][Int(g.next() % 11)]
                    for k in 0 ..< 4 where at + k < bytes.count { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
                case 2: bytes[at] ^= 1 << UInt8(g.next() % 8)
                case 3: bytes[at] = bytes[Int(g.next() % UInt64(bytes.count))]
                default: bytes.removeLast(Int(g.next() % UInt64(min(bytes.count, 256))))
                }
            }
            if g.next() % 2 == 0, bytes.count > 128 {
                let packed = try Zlib.deflate(Array(bytes[128...]))
                let n = UInt32(packed.count)
                bytes = Array(bytes[..<128]) + [15, 0, 0, 0] + (0 ..< 4).map { UInt8(truncatingIfNeeded: n >> (8 * UInt32($0))) } + packed
            }
            do {
                let mat: MATFile
                do {
                    mat = try MATFile(bytes: bytes, name: "mutant.set")
                } catch is ArrayFileError {
                    rejected += 1  // the MAT layer's own typed error
                    continue
                }
                let reader = try EEGLABReader(mat: mat, url: url)
                let series = try reader.read()
                let limit = Zlib.maximumInflatedSize(compressedCount: bytes.count) + fdtBytes
                #expect(series.samples.count * 4 <= limit, "mutant \(i): \(series.samples.count) samples")
                read += 1
            } catch {
                Self.expectTyped(error, "EEGLAB mutant \(i)")
                rejected += 1
            }
        }
        #expect(read + rejected == Self.mutants)
        #expect(read > Self.mutants / 20 && rejected > Self.mutants / 10, "read \(read), rejected \(rejected)")
        #expect(clock.now - start < .seconds(60))
        #expect(NPYMutationTests.maxResidentKiB() - residentBefore < 64 * 1024)
    }

    // MARK: CSV

    /// A Muse-like CSV: timestamps, four EEG columns, an AUX column and markers.
    static func museCSV() -> [UInt8] {
        var text = "timestamps,TP9,AF7,AF8,TP10,Right AUX,Marker\n"
        for i in 0 ..< 16 {
            let t = 1_500_000_000.0 + Double(i) / 256
            text += "\(t),\(i % 7 - 3).5,\(-i),\(Double(i) * 0.25),1e1,0,\(i % 10 == 3 ? 1 : 0)\n"
        }
        return Array(text.utf8)
    }

    /// Mutations concentrated on the header row (column names, count, separators), some in the rows.
    @Test func csvHeaderMutants() throws {
        let original = Self.museCSV()
        let headerEnd = original.firstIndex(of: 0x0A)! + 1
        _ = try CSVSignalReader.parse(bytes: original, file: "muse.csv", options: .init())  // the original reads
        var g = SeededGenerator(seed: 20_261_125)
        let clock = ContinuousClock()
        let start = clock.now
        let residentBefore = NPYMutationTests.maxResidentKiB()
        var read = 0, rejected = 0
        for i in 0 ..< Self.mutants {
            let bytes = Self.mutateText(original, &g, headerEnd: g.next() % 4 == 0 ? original.count : headerEnd)
            do {
                let (series, timestamps, _) = try CSVSignalReader.parse(bytes: bytes, file: "mutant.csv", options: .init())
                // Each value and timestamp needs at least one byte of the file.
                #expect(series.samples.count + timestamps.count <= bytes.count, "mutant \(i): \(series.samples.count) samples")
                #expect(series.annotations.count <= timestamps.count)
                read += 1
            } catch {
                Self.expectTyped(error, "CSV mutant \(i)")
                rejected += 1
            }
        }
        #expect(read + rejected == Self.mutants)
        #expect(read > Self.mutants / 20 && rejected > Self.mutants / 10, "read \(read), rejected \(rejected)")
        #expect(clock.now - start < .seconds(60))
        #expect(NPYMutationTests.maxResidentKiB() - residentBefore < 64 * 1024)
    }
}
