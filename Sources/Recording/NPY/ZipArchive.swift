import Foundation

/// A minimal ZIP reader and writer (PKWARE APPNOTE 6.3): what NPZ needs.
///
/// Reading goes through the central directory (the authoritative member list), checks every offset
/// and size against the file, accepts stored (method 0) and deflated (method 8) members, verifies
/// CRC-32, and refuses ZIP64, encryption and other methods with a clear error. A deflated member may
/// not inflate past its declared size, and the declared size may not exceed deflate's maximum ratio
/// for the compressed bytes, so a zip bomb cannot allocate more than the file justifies.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let flags: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let file: String
    let entries: [Entry]

    init(bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        let eocd = try ZipArchive.findEndOfCentralDirectory(bytes, file: file)
        var cursor = ByteCursor(bytes, file: file, offset: eocd + 4)
        let disk = try cursor.uint16("ZIP disk number")
        let cdDisk = try cursor.uint16("ZIP central directory disk")
        let entriesHere = try cursor.uint16("ZIP entry count on disk")
        let entryCount = try cursor.uint16("ZIP entry count")
        let cdSize = try cursor.uint32("ZIP central directory size")
        let cdOffset = try cursor.uint32("ZIP central directory offset")
        if entryCount == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF
            || (eocd >= 20 && ByteCursor.loadUInt32(bytes, at: eocd - 20, bigEndian: false) == 0x0706_4b50) {
            throw ArrayFileError.unsupportedFeature(file: file, feature: "ZIP64 archives", hint: "save with fewer or smaller arrays, or as separate .npy files")
        }
        guard disk == 0, cdDisk == 0, entriesHere == entryCount else {
            throw ArrayFileError.unsupportedFeature(file: file, feature: "multi-disk ZIP archives", hint: "")
        }
        guard Int(cdOffset) <= eocd, Int(cdSize) <= eocd - Int(cdOffset) else {
            throw ArrayFileError.sizeExceedsFile(file: file, field: "ZIP central directory", declared: "\(cdSize) bytes at offset \(cdOffset)", available: eocd)
        }
        // Each central record is at least 46 bytes: bound the count before reserving anything.
        guard Int(entryCount) * 46 <= Int(cdSize) else {
            throw ArrayFileError.sizeExceedsFile(file: file, field: "ZIP central directory", declared: "\(entryCount) entries", available: Int(cdSize))
        }
        var cd = ByteCursor(bytes, file: file, offset: Int(cdOffset), end: Int(cdOffset) + Int(cdSize))
        var entries: [Entry] = []
        entries.reserveCapacity(Int(entryCount))
        for _ in 0..<entryCount {
            let signature = try cd.uint32("ZIP central directory record")
            guard signature == 0x0201_4b50 else {
                throw ArrayFileError.invalidField(file: file, field: "ZIP central directory record at \(cd.offset - 4)",
                                                  expected: "signature PK\\1\\2", found: String(format: "0x%08x", signature))
            }
            try cd.skip(4, "ZIP versions")
            let flags = try cd.uint16("ZIP flags")
            let method = try cd.uint16("ZIP method")
            try cd.skip(4, "ZIP time")
            let crc = try cd.uint32("ZIP CRC-32")
            let csize = try cd.uint32("ZIP compressed size")
            let usize = try cd.uint32("ZIP uncompressed size")
            let nameLength = Int(try cd.uint16("ZIP name length"))
            let extraLength = Int(try cd.uint16("ZIP extra length"))
            let commentLength = Int(try cd.uint16("ZIP comment length"))
            try cd.skip(8, "ZIP attributes")
            let local = try cd.uint32("ZIP local header offset")
            let name = String(decoding: try cd.bytes(nameLength, "ZIP member name"), as: UTF8.self)
            try cd.skip(extraLength + commentLength, "ZIP extra field and comment")
            if csize == 0xFFFF_FFFF || usize == 0xFFFF_FFFF || local == 0xFFFF_FFFF {
                throw ArrayFileError.unsupportedFeature(file: file, feature: "ZIP64 members (\(name))", hint: "save with smaller arrays")
            }
            entries.append(Entry(name: name, method: method, flags: flags, crc32: crc, compressedSize: Int(csize),
                                 uncompressedSize: Int(usize), localHeaderOffset: Int(local)))
        }
        self.entries = entries
    }

    /// The End Of Central Directory record is the last 22+ bytes; a comment (≤ 65,535 bytes) may follow it.
    static func findEndOfCentralDirectory(_ bytes: [UInt8], file: String) throws -> Int {
        guard bytes.count >= 22 else {
            throw ArrayFileError.badMagic(file: file, expected: "a ZIP archive (NPZ)", found: "\(bytes.count) bytes")
        }
        let lowest = max(0, bytes.count - 22 - 65_535)
        var i = bytes.count - 22
        while i >= lowest {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4b, bytes[i + 2] == 5, bytes[i + 3] == 6 { return i }
            i -= 1
        }
        throw ArrayFileError.badMagic(file: file, expected: "a ZIP end-of-central-directory record (PK\\5\\6)", found: printable(bytes.prefix(4)))
    }

    /// The uncompressed bytes of `entry`, CRC-checked.
    func contents(of entry: Entry) throws -> [UInt8] {
        let member = "member \(entry.name)"
        if entry.flags & 1 != 0 {
            throw ArrayFileError.unsupportedFeature(file: file, feature: "encrypted ZIP members (\(entry.name))", hint: "")
        }
        var cursor = ByteCursor(bytes, file: file, offset: entry.localHeaderOffset)
        try cursor.require(0, member)
        let signature = try cursor.uint32("\(member) local header")
        guard signature == 0x0403_4b50 else {
            throw ArrayFileError.invalidField(file: file, field: "\(member) local header at \(entry.localHeaderOffset)",
                                              expected: "signature PK\\3\\4", found: String(format: "0x%08x", signature))
        }
        try cursor.skip(22, "\(member) local header")
        let nameLength = Int(try cursor.uint16("\(member) local name length"))
        let extraLength = Int(try cursor.uint16("\(member) local extra length"))
        try cursor.skip(nameLength + extraLength, "\(member) local name")
        guard entry.compressedSize <= cursor.remaining else {
            throw ArrayFileError.sizeExceedsFile(file: file, field: "\(member) data", declared: "\(entry.compressedSize) compressed bytes", available: cursor.remaining)
        }
        let start = cursor.offset
        let data: [UInt8]
        switch entry.method {
        case 0:
            guard entry.uncompressedSize == entry.compressedSize else {
                throw ArrayFileError.invalidField(file: file, field: "\(member) sizes", expected: "equal sizes for a stored member",
                                                  found: "\(entry.compressedSize) stored, \(entry.uncompressedSize) declared")
            }
            data = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            guard entry.uncompressedSize <= Zlib.maximumInflatedSize(compressedCount: entry.compressedSize) else {
                throw ArrayFileError.compression(file: file, field: member, reason: "declares \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed bytes, beyond deflate's maximum ratio")
            }
            do {
                data = try bytes.withUnsafeBytes { raw in
                    try Zlib.inflate(UnsafeRawBufferPointer(rebasing: raw[start..<(start + entry.compressedSize)]), format: .raw,
                                     outputLimit: entry.uncompressedSize, expectedSize: entry.uncompressedSize)
                }
            } catch let error as ZlibError {
                throw ArrayFileError.compression(file: file, field: member, reason: error.description)
            }
            guard data.count == entry.uncompressedSize else {
                throw ArrayFileError.compression(file: file, field: member, reason: "inflated to \(data.count) bytes, the archive declares \(entry.uncompressedSize)")
            }
        default:
            throw ArrayFileError.unsupportedFeature(file: file, feature: "ZIP compression method \(entry.method) (\(entry.name))", hint: "only stored and deflated members are read")
        }
        let crc = Zlib.crc32(data)
        guard crc == entry.crc32 else {
            throw ArrayFileError.checksumMismatch(file: file, member: entry.name, expected: entry.crc32, found: crc)
        }
        return data
    }

    /// Builds an archive of `members` (name, bytes), each stored or deflated, with a fixed timestamp
    /// (1980-01-01) so that equal inputs give identical files.
    static func build(_ members: [(name: String, data: [UInt8])], deflate: Bool) throws -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in members {
            let nameBytes = Array(name.utf8)
            let crc = Zlib.crc32(data)
            let payload = deflate ? try Zlib.deflate(data, format: .raw) : data
            let method: UInt16 = deflate ? 8 : 0
            precondition(payload.count < 0xFFFF_FFFF && data.count < 0xFFFF_FFFF && out.count < 0xFFFF_FFFF,
                         "ZIP64 is not written; member \(name) is too large")
            let offset = UInt32(out.count)
            func common(_ buffer: inout [UInt8]) {
                buffer.appendLittleEndian(UInt16(20))  // version needed: 2.0 (deflate)
                buffer.appendLittleEndian(UInt16(0x0800))  // flags: UTF-8 names
                buffer.appendLittleEndian(method)
                buffer.appendLittleEndian(UInt16(0))  // time 00:00
                buffer.appendLittleEndian(UInt16(0x21))  // date 1980-01-01
                buffer.appendLittleEndian(crc)
                buffer.appendLittleEndian(UInt32(payload.count))
                buffer.appendLittleEndian(UInt32(data.count))
                buffer.appendLittleEndian(UInt16(nameBytes.count))
                buffer.appendLittleEndian(UInt16(0))  // extra length
            }
            out.appendLittleEndian(UInt32(0x0403_4b50))
            common(&out)
            out.append(contentsOf: nameBytes)
            out.append(contentsOf: payload)

            central.appendLittleEndian(UInt32(0x0201_4b50))
            central.appendLittleEndian(UInt16(20))  // version made by
            common(&central)
            central.appendLittleEndian(UInt16(0))  // comment length
            central.appendLittleEndian(UInt16(0))  // disk
            central.appendLittleEndian(UInt16(0))  // internal attributes
            central.appendLittleEndian(UInt32(0))  // external attributes
            central.appendLittleEndian(offset)
            central.append(contentsOf: nameBytes)
        }
        precondition(members.count < 0xFFFF, "ZIP64 is not written; too many members")
        let cdOffset = UInt32(out.count)
        out.append(contentsOf: central)
        out.appendLittleEndian(UInt32(0x0605_4b50))
        out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(UInt16(members.count))
        out.appendLittleEndian(UInt16(members.count))
        out.appendLittleEndian(UInt32(central.count))
        out.appendLittleEndian(cdOffset)
        out.appendLittleEndian(UInt16(0))
        return out
    }
}
