import Foundation
import Testing
@testable import Recording

/// The zlib helpers in NeuroCore (tested here, beside their main users, the NPZ and MAT readers).
@Suite struct NPYInflateTests {
    static func sample(_ n: Int) -> [UInt8] {
        var g = SeededGenerator(seed: 11)
        // Compressible but not trivial: a small alphabet.
        return (0..<n).map { _ in UInt8(g.next() % 7) &+ 65 }
    }

    @Test(arguments: [ZlibFormat.zlib, .raw, .gzip])
    func roundTrip(format: ZlibFormat) throws {
        let input = Self.sample(200_000)
        let packed = try Zlib.deflate(input, format: format)
        #expect(packed.count < input.count / 2)
        let unpacked = try Zlib.inflate(packed, format: format, outputLimit: input.count)
        #expect(unpacked == input)
    }

    @Test func emptyInputRoundTrips() throws {
        let packed = try Zlib.deflate([UInt8](), format: .zlib)
        #expect(try Zlib.inflate(packed, outputLimit: 0) == [])
    }

    @Test func outputCapStopsABomb() throws {
        // 10 MB of zeros deflates to ~10 kB; a 1 MB cap must stop it early.
        let bomb = try Zlib.deflate([UInt8](repeating: 0, count: 10_000_000))
        #expect(bomb.count < 20_000)
        #expect(throws: ZlibError.outputLimitExceeded(limit: 1_000_000)) {
            try Zlib.inflate(bomb, outputLimit: 1_000_000)
        }
    }

    @Test func truncatedStreamIsReported() throws {
        let packed = try Zlib.deflate(Self.sample(5000))
        #expect {
            try Zlib.inflate(Array(packed.prefix(packed.count / 2)), outputLimit: 10_000)
        } throws: { error in
            if case ZlibError.truncatedStream = error { return true }
            return false
        }
    }

    @Test func corruptStreamIsReported() throws {
        var packed = try Zlib.deflate(Self.sample(5000))
        packed[0] = 0x00  // breaks the zlib header check
        #expect {
            try Zlib.inflate(packed, outputLimit: 10_000)
        } throws: { error in
            if case ZlibError.corruptStream = error { return true }
            return false
        }
    }

    @Test func crc32MatchesKnownValue() {
        // CRC-32 of "123456789" is 0xCBF43926 (the standard check value).
        #expect(Zlib.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func maximumInflatedSizeFollowsDeflateRatio() {
        #expect(Zlib.maximumInflatedSize(compressedCount: 10) == 10 * 1032 + 1024)
        #expect(Zlib.maximumInflatedSize(compressedCount: Int.max) == Int.max)
    }
}
