import Foundation

/// Reads and writes NumPy `.npy` files.
///
/// Reading accepts format versions 1.0–3.0, every numeric dtype (bool, signed and unsigned integers
/// of 1–8 bytes, float16/32/64, complex64/128) in either byte order, C or Fortran order, and any rank
/// including 0-d. Object arrays (`|O`, pickles) and structured dtypes are refused. The data size
/// (shape × itemsize) is checked against the bytes present before anything is allocated.
public enum NPYFile {
    /// Reads the array in the file at `url`.
    public static func read(_ url: URL) throws -> NumericArray {
        // Header first, then the data straight into its final buffer (as numpy does): one
        // allocation and no copy, which is what loading a large array costs.
        let name = url.lastPathComponent
        let header = try self.header(of: url)
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let fileSize = Int(try handle.seekToEnd())
        let available = max(0, fileSize &- header.dataOffset)
        let byteCount = try dataByteCount(header, available: available, name: name)
        try handle.seek(toOffset: UInt64(header.dataOffset))
        let data = try readBytes(from: handle, count: byteCount, file: name, exact: true)
        return finish(data, header: header)
    }

    /// Reads only the header of the file at `url` (shape and dtype without the data).
    public static func header(of url: URL) throws -> NPYHeader {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        // The fixed part is 12 bytes at most; the dict is bounded by the declared length.
        let head = [UInt8](try handle.read(upToCount: 12) ?? Data())
        var needed = 12
        if head.count >= 10 {
            needed = head[6] == 1 ? 10 &+ (Int(head[8]) | Int(head[9]) << 8)
                : 12 &+ Int(ByteCursor.loadUInt32(head + [0, 0, 0, 0], at: 8, bigEndian: false))
        }
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        let rest = [UInt8](try handle.read(upToCount: max(0, min(needed, fileSize) - head.count)) ?? Data())
        return try NPYHeader.parse(head + rest, file: url.lastPathComponent)
    }

    /// Decodes a whole `.npy` image (`name` labels errors).
    public static func read(bytes: [UInt8], name: String) throws -> NumericArray {
        let header = try NPYHeader.parse(bytes, file: name)
        let byteCount = try dataByteCount(header, available: bytes.count &- header.dataOffset, name: name)
        return finish(Array(bytes[header.dataOffset..<(header.dataOffset &+ byteCount)]), header: header)
    }

    /// shape × itemsize, checked against the `available` bytes after the header.
    static func dataByteCount(_ header: NPYHeader, available: Int, name: String) throws -> Int {
        guard let count = NumericArray.elementCount(header.shape) else {
            throw ArrayFileError.sizeExceedsFile(file: name, field: "shape \(header.shape)", declared: "more elements than an Int holds", available: available)
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: header.elementType.size)
        guard !overflow, byteCount <= available else {
            throw ArrayFileError.sizeExceedsFile(
                file: name, field: "shape \(header.shape) of \(header.descr)",
                declared: overflow ? "more bytes than an Int holds" : "\(byteCount) data bytes", available: available)
        }
        return byteCount
    }

    /// Byte order, bool normalisation and Fortran → C order on the raw data bytes.
    static func finish(_ bytes: [UInt8], header: NPYHeader) -> NumericArray {
        let type = header.elementType
        var data = bytes
        if header.byteOrder == .big { NumericArray.byteSwap(&data, componentSize: type.componentSize) }
        if type == .bool { normaliseBools(&data) }
        if header.fortranOrder {
            return NumericArray(shape: header.shape, elementType: type, fortranOrderBytes: data)
        }
        return NumericArray(shape: header.shape, elementType: type, bytes: data)
    }

    /// Encodes `array` as a version 1.0 `.npy` image (little-endian; C order unless `fortranOrder`).
    /// Falls back to version 2.0 only if the header cannot fit in 65,535 bytes.
    public static func encode(_ array: NumericArray, fortranOrder: Bool = false) -> [UInt8] {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(NPYHeader.descr(for: array.elementType))', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        // Pad with spaces so that magic + version + length + dict + '\n' is a multiple of 64 (data alignment).
        let version: UInt8 = dict.utf8.count + 11 < 65_536 ? 1 : 2
        let prefix = version == 1 ? 10 : 12
        let unpadded = prefix + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = NPYHeader.magic + [version, 0]
        if version == 1 { out.appendLittleEndian(UInt16(dict.utf8.count)) } else { out.appendLittleEndian(UInt32(dict.utf8.count)) }
        out.append(contentsOf: Array(dict.utf8))
        out.append(contentsOf: fortranOrder ? array.fortranOrderBytes : array.bytes)
        return out
    }

    /// Writes `array` to `url` atomically (readers see the old file or the complete new one).
    public static func write(_ array: NumericArray, to url: URL, fortranOrder: Bool = false) throws {
        try AtomicFile.write(Data(encode(array, fortranOrder: fortranOrder)), to: url)
    }

    static func normaliseBools(_ data: inout [UInt8]) {
        for i in data.indices where data[i] > 1 { data[i] = 1 }
    }
}
