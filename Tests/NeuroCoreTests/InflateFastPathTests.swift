import Testing
@testable import NeuroCore

/// The libdeflate whole-buffer path and its fallback to zlib's streaming inflate agree.
@Suite struct InflateFastPathTests {
    private let data: [UInt8] = (0..<200_000).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ ($0 >> 7)) }

    @Test(arguments: [ZlibFormat.raw, .zlib, .gzip])
    func declaredSizeTakesTheFastPathAndWrongSizesFallBack(format: ZlibFormat) throws {
        let compressed = try Zlib.deflate(data, format: format)
        let limit = Zlib.maximumInflatedSize(compressedCount: compressed.count)
        #expect(try Zlib.inflate(compressed, format: format, outputLimit: limit, expectedSize: data.count) == data)
        // Too small or too large a declared size only costs the fast path, never correctness.
        #expect(try Zlib.inflate(compressed, format: format, outputLimit: limit, expectedSize: data.count / 3) == data)
        #expect(try Zlib.inflate(compressed, format: format, outputLimit: limit, expectedSize: data.count * 2) == data)
        #expect(try Zlib.inflate(compressed, format: format, outputLimit: limit) == data)
    }

    @Test func corruptStreamsStillGiveZlibErrors() throws {
        var compressed = try Zlib.deflate(data, format: .gzip)
        compressed[compressed.count / 2] ^= 0xFF
        #expect(throws: ZlibError.self) {
            try Zlib.inflate(compressed, format: .gzip, outputLimit: 1 << 20, expectedSize: data.count)
        }
        let truncated = Array(try Zlib.deflate(data, format: .zlib).prefix(100))
        #expect(throws: ZlibError.self) {
            try Zlib.inflate(truncated, format: .zlib, outputLimit: 1 << 20, expectedSize: data.count)
        }
        // The declared size never lets the output pass the caller's cap.
        #expect(throws: ZlibError.outputLimitExceeded(limit: 1000)) {
            try Zlib.inflate(try Zlib.deflate(data), format: .zlib, outputLimit: 1000, expectedSize: data.count)
        }
    }
}
