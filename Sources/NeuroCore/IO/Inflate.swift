import CLibdeflate
import CZlib
import Foundation

/// The framing of a deflate stream.
public enum ZlibFormat: Sendable {
    /// RFC 1950: 2-byte header and Adler-32 trailer (MAT `miCOMPRESSED`, PNG).
    case zlib
    /// RFC 1951 without framing (ZIP members, hence NPZ).
    case raw
    /// RFC 1952 (`.gz` files, e.g. `.nii.gz`).
    case gzip

    var windowBits: Int32 {
        switch self {
        case .zlib: return 15
        case .raw: return -15
        case .gzip: return 31
        }
    }
}

/// Failures of zlib inflation and deflation.
public enum ZlibError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stream would produce more than `limit` bytes: a corrupt size, a zip bomb, or a wrong cap.
    case outputLimitExceeded(limit: Int)
    /// The compressed bytes are not a valid stream (zlib's message).
    case corruptStream(message: String)
    /// The input ended before the end-of-stream marker, after producing `produced` bytes.
    case truncatedStream(produced: Int)
    /// zlib itself failed (out of memory, version mismatch).
    case libraryFailure(code: Int32)

    public var description: String {
        switch self {
        case .outputLimitExceeded(let limit):
            return "compressed data inflates beyond the allowed \(limit) bytes"
        case .corruptStream(let message):
            return "corrupt compressed data: \(message)"
        case .truncatedStream(let produced):
            return "compressed data ends early (after \(produced) inflated bytes)"
        case .libraryFailure(let code):
            return "zlib failed with code \(code)"
        }
    }
}

/// zlib inflation and deflation over byte buffers.
///
/// Inflation is streamed through a fixed 64 KiB window into a growing output whose size is capped by
/// the caller: a corrupt or hostile stream can never make us allocate more than `outputLimit` bytes.
/// Callers derive the cap from what the container declares, or from deflate's maximum ratio
/// (`maximumInflatedSize(compressedCount:)`) when nothing is declared.
public enum Zlib {
    /// Deflate never expands data by more than 1032:1 (258-byte matches coded in 2 bits, RFC 1951),
    /// so a stream of `n` compressed bytes cannot honestly produce more than this.
    public static func maximumInflatedSize(compressedCount n: Int) -> Int {
        let (product, overflow) = n.multipliedReportingOverflow(by: 1032)
        return overflow ? Int.max : product &+ 1024
    }

    /// Inflates a complete stream. Throws `outputLimitExceeded` as soon as the output would pass
    /// `outputLimit`, `truncatedStream` if the input ends before the stream does. Bytes after the
    /// end of the stream are ignored. `expectedSize` (when known) only pre-sizes the output.
    public static func inflate(
        _ input: UnsafeRawBufferPointer, format: ZlibFormat = .zlib, outputLimit: Int, expectedSize: Int? = nil
    ) throws -> [UInt8] {
        if let size = expectedSize ?? gzipDeclaredSize(input, format: format), size > 0, size <= outputLimit,
           let output = wholeBufferInflate(input, format: format, capacity: size) {
            return output
        }
        return try streamingInflate(input, format: format, outputLimit: outputLimit, expectedSize: expectedSize)
    }

    /// The fast path: libdeflate decompresses the whole stream into a buffer of the declared size in one
    /// call, 2–3× faster than zlib. It cannot grow the buffer, so it returns nil when the declared
    /// size is wrong or the data are bad, and the caller falls back to zlib's streaming inflate, which
    /// produces the precise error.
    private static func wholeBufferInflate(_ input: UnsafeRawBufferPointer, format: ZlibFormat, capacity: Int) -> [UInt8]? {
        guard let base = input.baseAddress, let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var succeeded = false
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var consumed = 0
            var produced = 0
            let result: libdeflate_result
            switch format {
            case .raw:
                result = libdeflate_deflate_decompress_ex(decompressor, base, input.count, buffer.baseAddress, capacity, &consumed, &produced)
            case .zlib:
                result = libdeflate_zlib_decompress_ex(decompressor, base, input.count, buffer.baseAddress, capacity, &consumed, &produced)
            case .gzip:
                result = libdeflate_gzip_decompress_ex(decompressor, base, input.count, buffer.baseAddress, capacity, &consumed, &produced)
            }
            succeeded = result == LIBDEFLATE_SUCCESS
            count = succeeded ? produced : 0
        }
        return succeeded ? output : nil
    }

    /// A single-member gzip stream ends with its uncompressed size mod 2³² (ISIZE), exact below 4 GiB.
    private static func gzipDeclaredSize(_ input: UnsafeRawBufferPointer, format: ZlibFormat) -> Int? {
        guard format == .gzip, input.count >= 18 else { return nil }
        let trailer = input.count - 4
        return (0..<4).reduce(0) { $0 | Int(input[trailer + $1]) << (8 * $1) }
    }

    private static func streamingInflate(
        _ input: UnsafeRawBufferPointer, format: ZlibFormat, outputLimit: Int, expectedSize: Int?
    ) throws -> [UInt8] {
        var stream = z_stream()
        let initCode = czlib_inflate_init2(&stream, format.windowBits)
        guard initCode == Z_OK else { throw ZlibError.libraryFailure(code: initCode) }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        output.reserveCapacity(Swift.min(expectedSize ?? input.count &* 4, outputLimit, 1 << 26))
        let chunkSize = 1 << 16
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }

        guard let base = input.baseAddress, input.count > 0 else { throw ZlibError.truncatedStream(produced: 0) }
        var consumed = 0
        while true {
            if stream.avail_in == 0 && consumed < input.count {
                let take = Swift.min(input.count &- consumed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: base.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(take)
                consumed &+= take
            }
            stream.next_out = chunk
            stream.avail_out = uInt(chunkSize)
            let code = CZlib.inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize &- Int(stream.avail_out)
            if produced > 0 {
                guard output.count &+ produced <= outputLimit else {
                    throw ZlibError.outputLimitExceeded(limit: outputLimit)
                }
                output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
            }
            switch code {
            case Z_STREAM_END:
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: either the input is exhausted or (impossible here) no output room.
                if stream.avail_in == 0 && consumed >= input.count {
                    throw ZlibError.truncatedStream(produced: output.count)
                }
                continue
            case Z_NEED_DICT:
                throw ZlibError.corruptStream(message: "stream needs a preset dictionary")
            case Z_DATA_ERROR:
                throw ZlibError.corruptStream(message: stream.msg.map { String(cString: $0) } ?? "data error")
            default:
                throw ZlibError.libraryFailure(code: code)
            }
        }
    }

    /// Inflates `input` (any contiguous byte collection).
    public static func inflate(
        _ input: [UInt8], format: ZlibFormat = .zlib, outputLimit: Int, expectedSize: Int? = nil
    ) throws -> [UInt8] {
        try input.withUnsafeBytes {
            try inflate($0, format: format, outputLimit: outputLimit, expectedSize: expectedSize)
        }
    }

    /// Deflates `input` into a complete stream at `level` (0 = store … 9 = smallest; zlib's default is 6).
    public static func deflate(_ input: UnsafeRawBufferPointer, format: ZlibFormat = .zlib, level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        let initCode = czlib_deflate_init2(&stream, level, format.windowBits)
        guard initCode == Z_OK else { throw ZlibError.libraryFailure(code: initCode) }
        defer { deflateEnd(&stream) }

        var output: [UInt8] = []
        let chunkSize = 1 << 16
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var consumed = 0
        let base = input.baseAddress
        while true {
            if stream.avail_in == 0 && consumed < input.count, let base {
                let take = Swift.min(input.count &- consumed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: base.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(take)
                consumed &+= take
            }
            stream.next_out = chunk
            stream.avail_out = uInt(chunkSize)
            let flush = consumed >= input.count ? Z_FINISH : Z_NO_FLUSH
            let code = CZlib.deflate(&stream, flush)
            let produced = chunkSize &- Int(stream.avail_out)
            output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
            if code == Z_STREAM_END { return output }
            guard code == Z_OK || code == Z_BUF_ERROR else { throw ZlibError.libraryFailure(code: code) }
        }
    }

    /// Deflates `input`.
    public static func deflate(_ input: [UInt8], format: ZlibFormat = .zlib, level: Int32 = 6) throws -> [UInt8] {
        try input.withUnsafeBytes { try deflate($0, format: format, level: level) }
    }

    /// CRC-32 (ISO 3309, as in ZIP and gzip) of `bytes`, continuing from `crc`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = uLong(crc)
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let take = Swift.min(bytes.count &- offset, Int(UInt32.max))
            value = CZlib.crc32(value, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(take))
            offset &+= take
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// CRC-32 of `bytes`.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }
}
