import Foundation
import Testing
@testable import Recording

/// Deterministic fuzzing of the NPY, NPZ and MAT readers: 12,000 mutants of the small fixtures must
/// each either read or throw an `ArrayFileError` — no crash (a trap would kill the test process), no
/// hang (the whole run is timed), and no output larger than the file justifies.
@Suite struct NPYMutationTests {
    static let fixtures: [(name: String, reader: NPYBadInputTests.Reader)] = [
        ("f8_c.npy", .npy), ("i2_fortran.npy", .npy), ("c8_be.npy", .npy), ("u4_v3.npy", .npy), ("u8_scalar.npy", .npy),
        ("stored.npz", .npz), ("deflated.npz", .npz),
        ("v5_plain.mat", .mat), ("v5_compressed.mat", .mat), ("v5_bigendian.mat", .mat),
    ]

    static func maxResidentKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss)
    }

    /// Bytes held by a decoded MAT value (arrays and strings), to bound what a mutant produced.
    static func decodedBytes(_ value: MATValue) -> Int {
        switch value {
        case .numeric(let a), .logical(let a): return a.bytes.count
        case .char(let c): return c.rows.reduce(0) { $0 + $1.utf8.count }
        case .cell(let c): return c.elements.reduce(0) { $0 + decodedBytes($1) }
        case .structure(let s): return s.fieldValues.joined().reduce(0) { $0 + decodedBytes($1) }
        case .sparse(let s): return 16 * s.values.count + 8 * s.columnStarts.count
        case .unsupported: return 0
        }
    }

    static func mutate(_ original: [UInt8], _ g: inout SeededGenerator) -> [UInt8] {
        var b = original
        let edits = 1 + Int(g.next() % 4)
        for _ in 0..<edits where !b.isEmpty {
            let at = Int(g.next() % UInt64(b.count))
            switch g.next() % 6 {
            case 0: b[at] = UInt8(truncatingIfNeeded: g.next())  // random byte
            case 1: b[at] ^= 1 << UInt8(g.next() % 8)  // bit flip
            case 2: b.removeLast(Int(g.next() % UInt64(min(b.count, 64))))  // truncation
            case 3:  // a 32-bit field set to an extreme (sizes, counts, offsets)
                let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 0xFFFF][Int(g.next() % 6)]
                for k in 0..<4 where at + k < b.count { b[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
            case 4: b.insert(contentsOf: [UInt8](repeating: UInt8(truncatingIfNeeded: g.next()), count: 1 + Int(g.next() % 8)), at: at)
            default: b[at] = b[Int(g.next() % UInt64(b.count))]  // copy another byte (plausible values)
            }
        }
        return b
    }

    @Test func mutantsNeverCrashHangOrOverAllocate() throws {
        let originals = Self.fixtures.map { (ArraysGolden.fixtureBytes($0.name), $0.reader) }
        var g = SeededGenerator(seed: 20_251_123)
        let start = Date()
        let residentBefore = Self.maxResidentKiB()
        var read = 0, rejected = 0
        let total = 12_000
        for i in 0..<total {
            let (original, reader) = originals[i % originals.count]
            let bytes = Self.mutate(original, &g)
            do {
                let produced: Int
                switch reader {
                case .npy: produced = try NPYFile.read(bytes: bytes, name: "m.npy").bytes.count
                case .npz: produced = try NPZFile(bytes: bytes, name: "m.npz").arrays.values.reduce(0) { $0 + $1.bytes.count }
                case .mat: produced = try MATFile(bytes: bytes, name: "m.mat").variables.values.reduce(0) { $0 + Self.decodedBytes($1) }
                }
                // Uncompressed formats cannot produce more than the file; compressed ones at most deflate's ratio.
                let limit = reader == .npy ? bytes.count : Zlib.maximumInflatedSize(compressedCount: bytes.count)
                #expect(produced <= limit, "mutant \(i): \(produced) bytes from a \(bytes.count)-byte file")
                read += 1
            } catch is ArrayFileError {
                rejected += 1
            } catch {
                Issue.record("mutant \(i): unexpected error type \(type(of: error)): \(error)")
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(read + rejected == total)
        #expect(rejected > total / 10 && read > total / 20, "read \(read), rejected \(rejected)")
        #expect(elapsed < 60, "took \(elapsed) s")
        // Peak resident memory may not grow by more than 64 MB over the whole run.
        #expect(Self.maxResidentKiB() - residentBefore < 64 * 1024)
    }
}
