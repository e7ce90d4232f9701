import Foundation

/// A bounds-checked reader over a byte buffer in a given byte order.
///
/// Every read checks the bytes remaining first and throws `ArrayFileError.truncated` naming the field,
/// so parsers built on it never index past the end and never trust a size before comparing it with
/// what is actually left.
struct ByteCursor {
    let bytes: [UInt8]
    var offset: Int
    let end: Int
    var bigEndian: Bool
    let file: String

    init(_ bytes: [UInt8], file: String, bigEndian: Bool = false, offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.file = file
        self.bigEndian = bigEndian
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end &- offset }

    /// Throws unless `count` bytes remain (count must be non-negative).
    func require(_ count: Int, _ field: String) throws {
        guard count >= 0, count <= remaining else {
            throw ArrayFileError.truncated(file: file, field: field, offset: offset, needed: count, available: remaining)
        }
    }

    mutating func skip(_ count: Int, _ field: String) throws {
        try require(count, field)
        offset &+= count
    }

    mutating func bytes(_ count: Int, _ field: String) throws -> ArraySlice<UInt8> {
        try require(count, field)
        defer { offset &+= count }
        return bytes[offset..<(offset &+ count)]
    }

    mutating func uint8(_ field: String) throws -> UInt8 {
        try require(1, field)
        defer { offset &+= 1 }
        return bytes[offset]
    }

    mutating func uint16(_ field: String) throws -> UInt16 {
        try require(2, field)
        defer { offset &+= 2 }
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset &+ 1])
        return bigEndian ? (a << 8 | b) : (b << 8 | a)
    }

    mutating func uint32(_ field: String) throws -> UInt32 {
        try require(4, field)
        defer { offset &+= 4 }
        return Self.loadUInt32(bytes, at: offset, bigEndian: bigEndian)
    }

    mutating func int32(_ field: String) throws -> Int32 {
        Int32(bitPattern: try uint32(field))
    }

    mutating func uint64(_ field: String) throws -> UInt64 {
        let a = UInt64(try uint32(field)), b = UInt64(try uint32(field))
        return bigEndian ? (a << 32 | b) : (b << 32 | a)
    }

    static func loadUInt32(_ bytes: [UInt8], at i: Int, bigEndian: Bool) -> UInt32 {
        let b0 = UInt32(bytes[i]), b1 = UInt32(bytes[i &+ 1]), b2 = UInt32(bytes[i &+ 2]), b3 = UInt32(bytes[i &+ 3])
        return bigEndian ? (b0 << 24 | b1 << 16 | b2 << 8 | b3) : (b3 << 24 | b2 << 16 | b1 << 8 | b0)
    }
}

/// Little-endian appends for writers.
extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value)); append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}

/// Reads a whole file as bytes: one allocation of the file's size filled by `read(2)` (going
/// through `Data` cost a second full-size buffer and copy, which dominated loading large arrays).
func readFileBytes(_ url: URL) throws -> [UInt8] {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    let size = Int(try handle.seekToEnd())
    try handle.seek(toOffset: 0)
    return try readBytes(from: handle, count: size, file: url.lastPathComponent, exact: false)
}

/// Reads up to `count` bytes from the handle's position into one new array (exactly `count` when
/// `exact`, else stopping early at the end of the file).
func readBytes(from handle: FileHandle, count: Int, file: String, exact: Bool) throws -> [UInt8] {
    let fd = handle.fileDescriptor
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
        var done = 0
        while done < count {
            let n = read(fd, buffer.baseAddress! + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            if n == 0 { break }
            done += n
        }
        initialised = done
    }
    if failure != 0 {
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "\(file): read failed: \(String(cString: strerror(failure)))"])
    }
    if exact, bytes.count < count {
        throw ArrayFileError.sizeExceedsFile(file: file, field: "data", declared: "\(count) bytes", available: bytes.count)
    }
    return bytes
}
