import Foundation

/// Reads and writes NIfTI-1 and NIfTI-2 images: single `.nii` files, gzipped `.nii.gz`, and
/// `.hdr/.img` pairs (either may be gzipped).
///
/// Reading accepts both byte orders (detected from `sizeof_hdr`), every datatype that has a portable
/// element type (all of nifti1.h except 1-bit binary, float128 and complex256), header extensions,
/// and checks the declared data size against the bytes present before copying anything. A gzip
/// stream is inflated under deflate's maximum ratio of its compressed size, so a hostile header or
/// stream cannot make the reader allocate more than the stream honestly holds.
public enum NIfTIFile {
    /// Reads the image at `url` (`.nii`, `.nii.gz`, `.hdr`, `.hdr.gz`; an `.img` opens its `.hdr`).
    public static func read(_ url: URL) throws -> NIfTIImage {
        let name = url.lastPathComponent
        let lower = name.lowercased()
        if lower.hasSuffix(".hdr") || lower.hasSuffix(".hdr.gz") || lower.hasSuffix(".img") || lower.hasSuffix(".img.gz") {
            let (hdr, img) = try pairURLs(url)
            let headerBytes = try loadBytes(hdr)
            let imageBytes = try loadBytes(img)
            return try decodePair(header: headerBytes, image: imageBytes, name: hdr.lastPathComponent)
        }
        let bytes = try loadBytes(url)
        let header = try NIfTIHeader.parse(bytes, file: name)
        guard header.isSingleFile else { return try decode(bytes, name: name) }  // throws the magic error
        let extensions = try parseExtensions(bytes, from: header.headerSize, to: header.voxOffset, header: header, name: name)
        return try NIfTIImage(header: header, data: decodeDataInPlace(consume bytes, header: header, name: name), extensions: extensions)
    }

    /// Decodes a single-file image (`bytes` already inflated).
    public static func decode(_ bytes: [UInt8], name: String) throws -> NIfTIImage {
        let header = try NIfTIHeader.parse(bytes, file: name)
        guard header.isSingleFile else {
            throw ArrayFileError.invalidField(
                file: name, field: "magic", expected: "\"n+\(header.version)\" in a single .nii file",
                found: "\"ni\(header.version)\" (the header of an .hdr/.img pair)")
        }
        let extensions = try parseExtensions(bytes, from: header.headerSize, to: header.voxOffset, header: header, name: name)
        return try NIfTIImage(header: header, data: decodeData(bytes, header: header, name: name), extensions: extensions)
    }

    /// Decodes an `.hdr/.img` pair.
    public static func decodePair(header headerBytes: [UInt8], image: [UInt8], name: String) throws -> NIfTIImage {
        let header = try NIfTIHeader.parse(headerBytes, file: name)
        let extensions = try parseExtensions(headerBytes, from: header.headerSize, to: headerBytes.count, header: header, name: name)
        return try NIfTIImage(header: header, data: decodeData(image, header: header, name: name), extensions: extensions)
    }

    // MARK: Writing

    /// Writes `image` to `url`, atomically. The container follows the extension (`.nii`, `.nii.gz`,
    /// `.hdr`/`.img` pair, optionally `.gz`); `version` (1 or 2, default the header's) and
    /// `bigEndian` choose the encoding. `vox_offset` and the magic are set for the container.
    public static func write(_ image: NIfTIImage, to url: URL, version: Int? = nil, bigEndian: Bool = false) throws {
        var header = image.header
        header.version = version ?? header.version
        precondition(header.version == 1 || header.version == 2, "NIfTI version is 1 or 2")
        header.isBigEndian = bigEndian
        let lower = url.lastPathComponent.lowercased()
        let pair = lower.hasSuffix(".hdr") || lower.hasSuffix(".hdr.gz") || lower.hasSuffix(".img") || lower.hasSuffix(".img.gz")
        let gzip = lower.hasSuffix(".gz")
        header.isSingleFile = !pair
        var extensionBlock: [UInt8] = [0, 0, 0, 0]
        if !image.extensions.isEmpty {
            extensionBlock[0] = 1
            for e in image.extensions {
                let size = (8 + e.content.count + 15) / 16 * 16
                var w = [UInt8](repeating: 0, count: size)
                for (v, o) in [(size, 0), (e.code, 4)] {
                    for k in 0..<4 {
                        let shift = 8 * (bigEndian ? 3 - k : k)
                        w[o + k] = UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: v) >> UInt32(shift))
                    }
                }
                for (i, b) in e.content.enumerated() { w[8 + i] = b }
                extensionBlock += w
            }
        }
        header.voxOffset = pair ? 0 : (header.headerSize + extensionBlock.count + 15) / 16 * 16
        var data = image.data.bytes
        if bigEndian { NumericArray.byteSwap(&data, componentSize: image.data.elementType.componentSize) }
        var headerBytes = header.encoded() + extensionBlock
        if pair {
            let (hdr, img) = try pairURLs(url, requireExisting: false)
            try AtomicFile.write(Data(gzip ? try Zlib.deflate(data, format: .gzip) : data), to: img)
            try AtomicFile.write(Data(gzip ? try Zlib.deflate(headerBytes, format: .gzip) : headerBytes), to: hdr)
        } else {
            headerBytes += [UInt8](repeating: 0, count: header.voxOffset - headerBytes.count)
            let whole = headerBytes + data
            try AtomicFile.write(Data(gzip ? try Zlib.deflate(whole, format: .gzip) : whole), to: url)
        }
    }

    /// Writes a volume series as a float32 image (see `NIfTIImage(volume:)`).
    public static func write(_ volume: VolumeSeries, to url: URL, version: Int = 1) throws {
        try write(NIfTIImage(volume: volume, version: version), to: url)
    }

    // MARK: Internals

    /// The `.hdr` and `.img` URLs of a pair named by either, keeping a `.gz` suffix on both.
    static func pairURLs(_ url: URL, requireExisting: Bool = true) throws -> (URL, URL) {
        let name = url.lastPathComponent
        let gz = name.lowercased().hasSuffix(".gz")
        let stem = gz ? String(name.dropLast(3)) : name
        let base = String(stem.dropLast(4))
        let folder = url.deletingLastPathComponent()
        let suffix = gz ? ".gz" : ""
        let hdr = folder.appendingPathComponent(base + ".hdr" + suffix)
        let img = folder.appendingPathComponent(base + ".img" + suffix)
        if requireExisting {
            for part in [hdr, img] where !FileManager.default.fileExists(atPath: part.path) {
                throw ArrayFileError.notFound(
                    file: name, name: "\(part.lastPathComponent) (an .hdr/.img pair needs both files)", available: [])
            }
        }
        return (hdr, img)
    }

    /// Reads a file, inflating it when it starts with the gzip signature.
    static func loadBytes(_ url: URL) throws -> [UInt8] {
        let raw = try readFileBytes(url)
        guard raw.count >= 2, raw[0] == 0x1F, raw[1] == 0x8B else { return raw }
        return try gunzip(raw, name: url.lastPathComponent)
    }

    /// Inflates a gzip file under deflate's maximum ratio; the trailer's ISIZE (size mod 2³²) only
    /// pre-sizes the output.
    static func gunzip(_ raw: [UInt8], name: String) throws -> [UInt8] {
        let limit = Zlib.maximumInflatedSize(compressedCount: raw.count)
        var hint: Int? = nil
        if raw.count >= 18 {
            let isize = Int(ByteCursor.loadUInt32(raw, at: raw.count - 4, bigEndian: false))
            if isize <= limit { hint = isize }
        }
        do {
            return try Zlib.inflate(raw, format: .gzip, outputLimit: limit, expectedSize: hint)
        } catch let error as ZlibError {
            throw ArrayFileError.compression(file: name, field: "gzip stream", reason: error.description)
        }
    }

    static func decodeData(_ bytes: [UInt8], header: NIfTIHeader, name: String) throws -> NumericArray {
        let type = header.datatype.elementType!
        let byteCount = header.dataByteCount!
        let available = max(0, bytes.count - header.voxOffset)
        guard header.voxOffset <= bytes.count, byteCount <= available else {
            throw ArrayFileError.sizeExceedsFile(
                file: name, field: "data (dim \(header.dimensions) of \(header.datatype) at vox_offset \(header.voxOffset))",
                declared: "\(byteCount) bytes", available: available)
        }
        var data = Array(bytes[header.voxOffset..<(header.voxOffset + byteCount)])
        if header.isBigEndian { NumericArray.byteSwap(&data, componentSize: type.componentSize) }
        return NumericArray(shape: dataShape(header), elementType: type, bytes: data)
    }

    static func dataShape(_ header: NIfTIHeader) -> [Int] {
        Array(header.dimensions.reversed() + (header.datatype.components > 1 ? [header.datatype.components] : []))
    }

    /// `decodeData` for a buffer nothing else holds: the data is moved to the front in place instead
    /// of being copied into a second buffer (the decoded image is otherwise the largest allocation).
    static func decodeDataInPlace(_ bytes: consuming [UInt8], header: NIfTIHeader, name: String) throws -> NumericArray {
        let type = header.datatype.elementType!
        let byteCount = header.dataByteCount!
        let available = max(0, bytes.count - header.voxOffset)
        guard header.voxOffset <= bytes.count, byteCount <= available else {
            throw ArrayFileError.sizeExceedsFile(
                file: name, field: "data (dim \(header.dimensions) of \(header.datatype) at vox_offset \(header.voxOffset))",
                declared: "\(byteCount) bytes", available: available)
        }
        bytes.removeLast(bytes.count - header.voxOffset - byteCount)
        bytes.removeFirst(header.voxOffset)
        if header.isBigEndian { NumericArray.byteSwap(&bytes, componentSize: type.componentSize) }
        return NumericArray(shape: dataShape(header), elementType: type, bytes: bytes)
    }

    /// Extensions between the fixed header and `limit` (the data offset, or the end of an `.hdr`).
    static func parseExtensions(_ bytes: [UInt8], from start: Int, to limit: Int, header: NIfTIHeader, name: String) throws -> [NIfTIExtension] {
        let end = min(limit, bytes.count)
        guard start + 4 <= end, bytes[start] != 0 else { return [] }
        var cursor = ByteCursor(bytes, file: name, bigEndian: header.isBigEndian, offset: start + 4, end: end)
        var result: [NIfTIExtension] = []
        while cursor.remaining >= 8 {
            let at = cursor.offset
            let size = Int(try cursor.int32("extension size"))
            let code = Int(try cursor.int32("extension code"))
            guard size >= 8, size % 16 == 0, size - 8 <= cursor.remaining else {
                throw ArrayFileError.invalidField(
                    file: name, field: "extension at byte \(at)",
                    expected: "esize a multiple of 16, ≥ 16, within the \(end - at) bytes before the data", found: "esize \(size)")
            }
            result.append(NIfTIExtension(code: code, content: Array(try cursor.bytes(size - 8, "extension content"))))
        }
        return result
    }
}
