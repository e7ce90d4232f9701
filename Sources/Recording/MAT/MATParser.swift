import Foundation

/// Decodes MAT v5 data elements (MathWorks, "MAT-File Format", R2019b, chapter 1).
///
/// Layout: a 128-byte header, then data elements. Each element has an 8-byte tag (type, byte count)
/// — or the 4-byte "small element" tag when the data fit in 4 bytes — and is padded to 8 bytes,
/// except `miCOMPRESSED`, whose zlib stream holds further elements. `miMATRIX` holds sub-elements:
/// array flags, dimensions, name, then class-specific parts. Every count is checked against the
/// bytes remaining in its enclosing element before anything is allocated.
struct MATParser {
    static let maximumDepth = 64

    let bytes: [UInt8]
    let file: String
    let bigEndian: Bool
    let headerText: String

    // Data types (miXXX).
    static let miINT8: UInt32 = 1, miUINT8: UInt32 = 2, miINT16: UInt32 = 3, miUINT16: UInt32 = 4
    static let miINT32: UInt32 = 5, miUINT32: UInt32 = 6, miSINGLE: UInt32 = 7, miDOUBLE: UInt32 = 9
    static let miINT64: UInt32 = 12, miUINT64: UInt32 = 13, miMATRIX: UInt32 = 14, miCOMPRESSED: UInt32 = 15
    static let miUTF8: UInt32 = 16, miUTF16: UInt32 = 17, miUTF32: UInt32 = 18

    static let classNames = [1: "cell", 2: "struct", 3: "object", 4: "char", 5: "sparse", 6: "double", 7: "single",
                             8: "int8", 9: "uint8", 10: "int16", 11: "uint16", 12: "int32", 13: "uint32",
                             14: "int64", 15: "uint64", 16: "function handle", 17: "opaque"]

    init(bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 520, Array(bytes[512..<520]) == hdf5Signature { throw ArrayFileError.matV73(file: file) }
        if bytes.count >= 8, Array(bytes[0..<8]) == hdf5Signature { throw ArrayFileError.matV73(file: file) }
        guard bytes.count >= 128 else {
            if bytes.starts(with: Array("MATLAB".utf8)) {
                throw ArrayFileError.truncated(file: file, field: "MAT header", offset: 0, needed: 128, available: bytes.count)
            }
            throw ArrayFileError.badMagic(file: file, expected: "a 128-byte MAT v5 header", found: "\(bytes.count) bytes")
        }
        switch (bytes[126], bytes[127]) {
        case (0x49, 0x4D): bigEndian = false  // "IM": written little-endian
        case (0x4D, 0x49): bigEndian = true  // "MI"
        default:
            if bytes[0] == 0 || bytes[1] == 0 {
                throw ArrayFileError.unsupportedFeature(file: file, feature: "MAT v4 files (no v5 header)", hint: "re-save in MATLAB with -v7")
            }
            throw ArrayFileError.badMagic(file: file, expected: "MAT v5 endian indicator 'IM' or 'MI' at byte 126", found: printable(bytes[126..<128]))
        }
        let version = bigEndian ? UInt16(bytes[124]) << 8 | UInt16(bytes[125]) : UInt16(bytes[125]) << 8 | UInt16(bytes[124])
        if version == 0x0200 { throw ArrayFileError.matV73(file: file) }
        guard version == 0x0100 else {
            throw ArrayFileError.invalidField(file: file, field: "MAT version", expected: "0x0100", found: String(format: "0x%04x", version))
        }
        headerText = String(decoding: bytes[0..<116], as: UTF8.self).trimmingCharacters(in: .whitespaces.union(.controlCharacters))
    }

    /// A data element's tag: its type, byte count, where its data start and where the next element starts.
    struct Tag {
        let type: UInt32
        let size: Int
        let dataOffset: Int
        let next: Int
    }

    func readTag(_ cursor: inout ByteCursor, _ field: String) throws -> Tag {
        let start = cursor.offset
        let first = try cursor.uint32("\(field) tag")
        if first >> 16 != 0 {
            // Small element: size in the upper 16 bits, type in the lower, data in the next 4 bytes.
            let size = Int(first >> 16)
            guard size <= 4 else {
                throw ArrayFileError.invalidField(file: file, field: "\(field) small element at \(start)", expected: "at most 4 bytes", found: "\(size)")
            }
            try cursor.skip(4, "\(field) small element data")
            return Tag(type: first & 0xFFFF, size: size, dataOffset: start + 4, next: start + 8)
        }
        let size = Int(try cursor.uint32("\(field) tag"))
        guard size <= cursor.remaining else {
            throw ArrayFileError.sizeExceedsFile(file: file, field: "\(field) element at \(start)", declared: "\(size) bytes", available: cursor.remaining)
        }
        let dataOffset = cursor.offset
        // Elements are padded to 8 bytes (a missing pad at the very end is tolerated); compressed
        // elements are not padded.
        let next = first == MATParser.miCOMPRESSED ? dataOffset + size : min(cursor.end, dataOffset + ((size + 7) & ~7))
        cursor.offset = next
        return Tag(type: first, size: size, dataOffset: dataOffset, next: next)
    }

    // MARK: Top level

    mutating func parseVariables() throws -> [(String, MATValue)] {
        try parseElements(in: bytes, from: 128, allowCompressed: true)
    }

    private func parseElements(in buffer: [UInt8], from start: Int, allowCompressed: Bool) throws -> [(String, MATValue)] {
        var cursor = ByteCursor(buffer, file: file, bigEndian: bigEndian, offset: start)
        var out: [(String, MATValue)] = []
        while cursor.remaining >= 8 {
            let tag = try readTag(&cursor, "variable")
            switch tag.type {
            case MATParser.miMATRIX:
                out.append(try parseMatrix(buffer, tag, depth: 0))
            case MATParser.miCOMPRESSED where allowCompressed:
                let inflated: [UInt8]
                do {
                    inflated = try buffer.withUnsafeBytes { raw in
                        try Zlib.inflate(UnsafeRawBufferPointer(rebasing: raw[tag.dataOffset..<(tag.dataOffset + tag.size)]),
                                         format: .zlib, outputLimit: Zlib.maximumInflatedSize(compressedCount: tag.size))
                    }
                } catch let error as ZlibError {
                    throw ArrayFileError.compression(file: file, field: "compressed element at \(tag.dataOffset - 8)", reason: error.description)
                }
                out.append(contentsOf: try parseElements(in: inflated, from: 0, allowCompressed: false))
            default:
                throw ArrayFileError.invalidField(file: file, field: "top-level element at \(tag.dataOffset - 8)",
                                                  expected: "miMATRIX (14) or miCOMPRESSED (15)", found: "type \(tag.type)")
            }
        }
        return out
    }

    // MARK: miMATRIX

    private func parseMatrix(_ buffer: [UInt8], _ tag: Tag, depth: Int) throws -> (String, MATValue) {
        guard depth < MATParser.maximumDepth else { throw ArrayFileError.nestingTooDeep(file: file, limit: MATParser.maximumDepth) }
        // An empty miMATRIX (no sub-elements) is MATLAB's [] inside cells and structs.
        if tag.size == 0 { return ("", .numeric(NumericArray(shape: [0, 0], values: [Double]()))) }
        var cursor = ByteCursor(buffer, file: file, bigEndian: bigEndian, offset: tag.dataOffset, end: tag.dataOffset + tag.size)

        let flagsTag = try readTag(&cursor, "array flags")
        guard flagsTag.type == MATParser.miUINT32, flagsTag.size == 8 else {
            throw ArrayFileError.invalidField(file: file, field: "array flags at \(flagsTag.dataOffset)", expected: "8 bytes of miUINT32", found: "type \(flagsTag.type), \(flagsTag.size) bytes")
        }
        let flags = load32(buffer, flagsTag.dataOffset)
        let classCode = Int(flags & 0xFF)
        let isComplex = flags & 0x0800 != 0
        let isLogical = flags & 0x0200 != 0

        let dimsTag = try readTag(&cursor, "dimensions")
        guard dimsTag.type == MATParser.miINT32, dimsTag.size % 4 == 0, dimsTag.size >= 4 else {
            throw ArrayFileError.invalidField(file: file, field: "dimensions at \(dimsTag.dataOffset)", expected: "miINT32 values", found: "type \(dimsTag.type), \(dimsTag.size) bytes")
        }
        var shape: [Int] = []
        for k in 0..<(dimsTag.size / 4) {
            let d = Int(Int32(bitPattern: load32(buffer, dimsTag.dataOffset + 4 * k)))
            guard d >= 0 else { throw ArrayFileError.negativeDimension(file: file, field: "dimensions at \(dimsTag.dataOffset)", value: d) }
            shape.append(d)
        }
        guard let count = NumericArray.elementCount(shape) else {
            throw ArrayFileError.sizeExceedsFile(file: file, field: "dimensions \(shape)", declared: "more elements than an Int holds", available: cursor.remaining)
        }

        let nameTag = try readTag(&cursor, "array name")
        guard nameTag.type == MATParser.miINT8 || nameTag.type == MATParser.miUTF8 || nameTag.type == MATParser.miUINT8 else {
            throw ArrayFileError.invalidField(file: file, field: "array name at \(nameTag.dataOffset)", expected: "miINT8 text", found: "type \(nameTag.type)")
        }
        let name = String(decoding: buffer[nameTag.dataOffset..<(nameTag.dataOffset + nameTag.size)], as: UTF8.self)

        let value: MATValue
        switch classCode {
        case 6...15:
            let target = MATParser.elementType(ofClass: classCode, logical: isLogical)
            let real = try decodeNumeric(buffer, try readTag(&cursor, "real part of \(name)"), count: count, as: target, field: "real part of \(name)")
            if isComplex {
                let imag = try decodeNumeric(buffer, try readTag(&cursor, "imaginary part of \(name)"), count: count, as: target, field: "imaginary part of \(name)")
                value = .numeric(MATParser.complex(real: real, imaginary: imag, shape: shape, type: target))
            } else {
                let array = NumericArray(shape: shape, elementType: target, fortranOrderBytes: real)
                value = isLogical ? .logical(array) : .numeric(array)
            }
        case 4:
            value = .char(try decodeChar(buffer, try readTag(&cursor, "text of \(name)"), shape: shape, count: count, name: name))
        case 1:
            // Every element is at least an 8-byte tag: bound the count before reserving.
            guard count <= cursor.remaining / 8 else {
                throw ArrayFileError.sizeExceedsFile(file: file, field: "cell \(name) of shape \(shape)", declared: "\(count) elements", available: cursor.remaining)
            }
            var fortran: [MATValue] = []
            fortran.reserveCapacity(count)
            for k in 0..<count {
                let elementTag = try readTag(&cursor, "cell \(name) element \(k)")
                guard elementTag.type == MATParser.miMATRIX else {
                    throw ArrayFileError.invalidField(file: file, field: "cell \(name) element \(k)", expected: "miMATRIX", found: "type \(elementTag.type)")
                }
                fortran.append(try parseMatrix(buffer, elementTag, depth: depth + 1).1)
            }
            value = .cell(MATCell(shape: shape, elements: MATParser.fortranToC(fortran, shape: shape)))
        case 2, 3:
            var className: String?
            if classCode == 3 {
                let classTag = try readTag(&cursor, "class name of \(name)")
                className = String(decoding: buffer[classTag.dataOffset..<(classTag.dataOffset + classTag.size)], as: UTF8.self)
            }
            value = .structure(try decodeStruct(buffer, &cursor, shape: shape, count: count, name: name, className: className, depth: depth))
        case 5:
            value = .sparse(try decodeSparse(buffer, &cursor, shape: shape, name: name, isComplex: isComplex, isLogical: isLogical))
        default:
            value = .unsupported(className: MATParser.classNames[classCode] ?? "class \(classCode)")
        }
        return (name, value)
    }

    private func load32(_ buffer: [UInt8], _ offset: Int) -> UInt32 {
        ByteCursor.loadUInt32(buffer, at: offset, bigEndian: bigEndian)
    }

    static func elementType(ofClass code: Int, logical: Bool) -> NumericElementType {
        if logical { return .bool }
        switch code {
        case 6: return .float64
        case 7: return .float32
        case 8: return .int8
        case 9: return .uint8
        case 10: return .int16
        case 11: return .uint16
        case 12: return .int32
        case 13: return .uint32
        case 14: return .int64
        default: return .uint64
        }
    }

    static func storageType(_ mi: UInt32) -> NumericElementType? {
        switch mi {
        case miINT8: return .int8
        case miUINT8: return .uint8
        case miINT16: return .int16
        case miUINT16: return .uint16
        case miINT32: return .int32
        case miUINT32: return .uint32
        case miSINGLE: return .float32
        case miDOUBLE: return .float64
        case miINT64: return .int64
        case miUINT64: return .uint64
        default: return nil
        }
    }

    /// Decodes `count` values stored as the tag's type into native bytes of `target` (Fortran order,
    /// as stored). MATLAB may store a class in a narrower type (a double array of small integers as
    /// miUINT8), so values are converted when the types differ.
    private func decodeNumeric(_ buffer: [UInt8], _ tag: Tag, count: Int, as target: NumericElementType, field: String) throws -> [UInt8] {
        guard let storage = MATParser.storageType(tag.type) else {
            throw ArrayFileError.invalidField(file: file, field: field, expected: "a numeric data type", found: "type \(tag.type)")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: storage.size)
        guard !overflow, needed == tag.size else {
            throw ArrayFileError.invalidField(file: file, field: field, expected: "\(count) values (\(overflow ? "overflow" : "\(needed)") bytes of \(storage.rawValue))", found: "\(tag.size) bytes")
        }
        var raw = Array(buffer[tag.dataOffset..<(tag.dataOffset + tag.size)])
        if bigEndian { NumericArray.byteSwap(&raw, componentSize: storage.size) }
        if storage == target { return raw }
        if target == .bool, storage.size == 1 {
            NPYFile.normaliseBools(&raw)
            return raw
        }
        // Exact for 64-bit integers stored as themselves (handled above); every narrower type is exact in Double.
        let doubles = NumericArray(shape: [count], elementType: storage, bytes: raw).doubles
        return MATParser.pack(doubles, as: target)
    }

    /// Converts Doubles to native bytes of `type`, saturating integers (NaN → 0).
    static func pack(_ values: [Double], as type: NumericElementType) -> [UInt8] {
        func bytes<T>(_ converted: [T]) -> [UInt8] { converted.withUnsafeBytes { [UInt8]($0) } }
        func clamp<T: FixedWidthInteger>(_ v: Double, _: T.Type) -> T {
            if v.isNaN { return 0 }
            if v <= Double(T.min) { return T.min }
            if v >= Double(T.max) { return T.max }
            return T(v.rounded(.towardZero))
        }
        switch type {
        case .bool: return values.map { $0 != 0 ? 1 : 0 }
        case .int8: return bytes(values.map { clamp($0, Int8.self) })
        case .uint8: return bytes(values.map { clamp($0, UInt8.self) })
        case .int16: return bytes(values.map { clamp($0, Int16.self) })
        case .uint16: return bytes(values.map { clamp($0, UInt16.self) })
        case .int32: return bytes(values.map { clamp($0, Int32.self) })
        case .uint32: return bytes(values.map { clamp($0, UInt32.self) })
        case .int64: return bytes(values.map { clamp($0, Int64.self) })
        case .uint64: return bytes(values.map { clamp($0, UInt64.self) })
        case .float32: return bytes(values.map { Float($0) })
        case .float64, .float16, .complex64, .complex128: return bytes(values)
        }
    }

    /// Interleaves real and imaginary parts (Fortran order in) into a complex array (C order out).
    /// single → complex64; double and integer classes → complex128.
    static func complex(real: [UInt8], imaginary: [UInt8], shape: [Int], type: NumericElementType) -> NumericArray {
        let n = NumericArray.elementCount(shape) ?? 0
        if type == .float32 {
            let re = NumericArray(shape: [n], elementType: .float32, bytes: real).floats
            let im = NumericArray(shape: [n], elementType: .float32, bytes: imaginary).floats
            var pairs = [Float](repeating: 0, count: 2 * n)
            for i in 0..<n { pairs[2 * i] = re[i]; pairs[2 * i + 1] = im[i] }
            return NumericArray(shape: shape, elementType: .complex64, fortranOrderBytes: pairs.withUnsafeBytes { [UInt8]($0) })
        }
        let re = NumericArray(shape: [n], elementType: type, bytes: real).doubles
        let im = NumericArray(shape: [n], elementType: type, bytes: imaginary).doubles
        var pairs = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n { pairs[2 * i] = re[i]; pairs[2 * i + 1] = im[i] }
        return NumericArray(shape: shape, elementType: .complex128, fortranOrderBytes: pairs.withUnsafeBytes { [UInt8]($0) })
    }

    /// Reorders values stored in Fortran order into C order.
    static func fortranToC<T>(_ values: [T], shape: [Int]) -> [T] {
        guard values.count > 1, shape.filter({ $0 > 1 }).count > 1 else { return values }
        // Permute indices with the byte permutation of NumericArray (8-byte Int blocks).
        let indices = (0..<values.count).map { Int64($0) }
        let permuted = NumericArray.fortranToC(indices.withUnsafeBytes { [UInt8]($0) }, shape: shape, elementSize: 8)
        return permuted.withUnsafeBytes { raw in
            (0..<values.count).map { values[Int(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))] }
        }
    }

    // MARK: char

    private func decodeChar(_ buffer: [UInt8], _ tag: Tag, shape: [Int], count: Int, name: String) throws -> MATCharArray {
        let data = buffer[tag.dataOffset..<(tag.dataOffset + tag.size)]
        var units: [UInt16]
        switch tag.type {
        case MATParser.miUINT16, MATParser.miUTF16, MATParser.miINT16:
            guard tag.size % 2 == 0 else {
                throw ArrayFileError.invalidField(file: file, field: "text of \(name)", expected: "an even number of UTF-16 bytes", found: "\(tag.size)")
            }
            units = []
            units.reserveCapacity(tag.size / 2)
            var o = data.startIndex
            while o < data.endIndex {
                let a = UInt16(buffer[o]), b = UInt16(buffer[o + 1])
                units.append(bigEndian ? (a << 8 | b) : (b << 8 | a))
                o += 2
            }
        case MATParser.miUTF8:
            units = Array(String(decoding: data, as: UTF8.self).utf16)
        case MATParser.miUINT8, MATParser.miINT8:
            units = data.map { UInt16($0) }  // Latin-1
        case MATParser.miUTF32:
            guard tag.size % 4 == 0 else {
                throw ArrayFileError.invalidField(file: file, field: "text of \(name)", expected: "a multiple of 4 UTF-32 bytes", found: "\(tag.size)")
            }
            var scalars = String.UnicodeScalarView()
            for o in stride(from: data.startIndex, to: data.endIndex, by: 4) {
                scalars.append(Unicode.Scalar(load32(buffer, o)) ?? "\u{FFFD}")
            }
            units = Array(String(scalars).utf16)
        default:
            throw ArrayFileError.invalidField(file: file, field: "text of \(name)", expected: "UTF-8, UTF-16 or 8-bit text", found: "type \(tag.type)")
        }
        let rowCount = shape.first ?? 0
        if units.count != count {
            // Multi-byte UTF-8 makes the unit count differ from the character count; fine for one row.
            guard rowCount == 1 else {
                throw ArrayFileError.invalidField(file: file, field: "text of \(name)", expected: "\(count) characters for shape \(shape)", found: "\(units.count)")
            }
            return MATCharArray(shape: shape, rows: [String(decoding: units, as: UTF16.self)])
        }
        guard rowCount > 0 else { return MATCharArray(shape: shape, rows: []) }
        let perRow = count / rowCount
        var rows: [String] = []
        rows.reserveCapacity(rowCount)
        var row = [UInt16](repeating: 0, count: perRow)
        for i in 0..<rowCount {
            for j in 0..<perRow { row[j] = units[i &+ rowCount &* j] }
            rows.append(String(decoding: row, as: UTF16.self))
        }
        return MATCharArray(shape: shape, rows: rows)
    }

    // MARK: struct

    private func decodeStruct(_ buffer: [UInt8], _ cursor: inout ByteCursor, shape: [Int], count: Int, name: String,
                              className: String?, depth: Int) throws -> MATStruct {
        let lengthTag = try readTag(&cursor, "field name length of \(name)")
        guard lengthTag.type == MATParser.miINT32, lengthTag.size == 4 else {
            throw ArrayFileError.invalidField(file: file, field: "field name length of \(name)", expected: "one miINT32", found: "type \(lengthTag.type), \(lengthTag.size) bytes")
        }
        let nameLength = Int(Int32(bitPattern: load32(buffer, lengthTag.dataOffset)))
        let namesTag = try readTag(&cursor, "field names of \(name)")
        guard nameLength > 0 || namesTag.size == 0, nameLength >= 0, nameLength == 0 || namesTag.size % nameLength == 0 else {
            throw ArrayFileError.invalidField(file: file, field: "field names of \(name)", expected: "a multiple of the name length \(nameLength)", found: "\(namesTag.size) bytes")
        }
        let fieldCount = nameLength == 0 ? 0 : namesTag.size / nameLength
        var fieldNames: [String] = []
        for f in 0..<fieldCount {
            let start = namesTag.dataOffset + f * nameLength
            let raw = buffer[start..<(start + nameLength)]
            fieldNames.append(String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self))
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: fieldCount)
        guard !overflow, total <= cursor.remaining / 8 else {
            throw ArrayFileError.sizeExceedsFile(file: file, field: "struct \(name) of shape \(shape) with \(fieldCount) fields",
                                                 declared: "\(overflow ? "too many" : "\(total)") values", available: cursor.remaining)
        }
        // Stored element by element (Fortran order), fields in order within each.
        var columns = [[MATValue]](repeating: [], count: fieldCount)
        for f in 0..<fieldCount { columns[f].reserveCapacity(count) }
        for e in 0..<(fieldCount == 0 ? 0 : count) {
            for f in 0..<fieldCount {
                let elementTag = try readTag(&cursor, "\(name)(\(e + 1)).\(fieldNames[f])")
                guard elementTag.type == MATParser.miMATRIX else {
                    throw ArrayFileError.invalidField(file: file, field: "\(name)(\(e + 1)).\(fieldNames[f])", expected: "miMATRIX", found: "type \(elementTag.type)")
                }
                columns[f].append(try parseMatrix(buffer, elementTag, depth: depth + 1).1)
            }
        }
        return MATStruct(shape: shape, fieldNames: fieldNames, fieldValues: columns.map { MATParser.fortranToC($0, shape: shape) },
                         className: className)
    }

    // MARK: sparse

    private func decodeSparse(_ buffer: [UInt8], _ cursor: inout ByteCursor, shape: [Int], name: String,
                              isComplex: Bool, isLogical: Bool) throws -> MATSparse {
        guard shape.count == 2 else {
            throw ArrayFileError.invalidField(file: file, field: "sparse \(name)", expected: "2 dimensions", found: "\(shape)")
        }
        let rows = shape[0], columns = shape[1]
        let irTag = try readTag(&cursor, "row indices of \(name)")
        let jcTag = try readTag(&cursor, "column starts of \(name)")
        guard irTag.type == MATParser.miINT32 || irTag.type == MATParser.miUINT32, irTag.size % 4 == 0,
              jcTag.type == MATParser.miINT32 || jcTag.type == MATParser.miUINT32, jcTag.size == 4 * (columns + 1) else {
            throw ArrayFileError.invalidField(file: file, field: "sparse \(name) indices", expected: "miINT32 row indices and \(columns + 1) column starts",
                                              found: "types \(irTag.type)/\(jcTag.type), \(irTag.size)/\(jcTag.size) bytes")
        }
        let ir = (0..<(irTag.size / 4)).map { Int(Int32(bitPattern: load32(buffer, irTag.dataOffset + 4 * $0))) }
        let jc = (0..<(columns + 1)).map { Int(Int32(bitPattern: load32(buffer, jcTag.dataOffset + 4 * $0))) }
        let nnz = jc[columns]
        guard jc[0] == 0, zip(jc, jc.dropFirst()).allSatisfy({ $0 <= $1 }), nnz <= ir.count else {
            throw ArrayFileError.invalidField(file: file, field: "sparse \(name) column starts", expected: "0 … ≤ \(ir.count), non-decreasing", found: "\(jc.prefix(8))…")
        }
        for k in 0..<nnz where ir[k] < 0 || ir[k] >= rows {
            throw ArrayFileError.invalidField(file: file, field: "sparse \(name) row index \(k)", expected: "0..<\(rows)", found: "\(ir[k])")
        }
        func values(_ label: String) throws -> [Double] {
            let tag = try readTag(&cursor, "\(label) of \(name)")
            guard let storage = MATParser.storageType(tag.type), tag.size % storage.size == 0, tag.size / storage.size >= nnz else {
                throw ArrayFileError.invalidField(file: file, field: "\(label) of \(name)", expected: "\(nnz) numeric values", found: "type \(tag.type), \(tag.size) bytes")
            }
            let stored = tag.size / storage.size
            var raw = Array(buffer[tag.dataOffset..<(tag.dataOffset + tag.size)])
            if bigEndian { NumericArray.byteSwap(&raw, componentSize: storage.size) }
            return Array(NumericArray(shape: [stored], elementType: storage, bytes: raw).doubles.prefix(nnz))
        }
        let real = try values("values")
        let imaginary = isComplex ? try values("imaginary values") : nil
        return MATSparse(rows: rows, columns: columns, rowIndices: Array(ir.prefix(nnz)), columnStarts: jc,
                         values: real, imaginary: imaginary, isLogical: isLogical)
    }
}
