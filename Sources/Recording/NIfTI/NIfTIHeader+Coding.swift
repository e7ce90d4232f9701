import Foundation

/// Fixed-offset reads of either byte order, bounds-checked by the caller (the header length is
/// checked once before any field is read).
private struct FieldReader {
    let bytes: [UInt8]
    let base: Int
    let bigEndian: Bool

    func raw(_ offset: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width {
            let b = UInt64(bytes[base &+ offset &+ (bigEndian ? i : width &- 1 &- i)])
            v = v << 8 | b
        }
        return v
    }
    func i16(_ o: Int) -> Int { Int(Int16(truncatingIfNeeded: raw(o, 2))) }
    func i32(_ o: Int) -> Int { Int(Int32(truncatingIfNeeded: raw(o, 4))) }
    func i64(_ o: Int) -> Int { Int(Int64(bitPattern: raw(o, 8))) }
    func f32(_ o: Int) -> Double { Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw(o, 4)))) }
    func f64(_ o: Int) -> Double { Double(bitPattern: raw(o, 8)) }
    func u8(_ o: Int) -> Int { Int(bytes[base &+ o]) }
    func text(_ o: Int, _ length: Int) -> String {
        let slice = bytes[(base &+ o)..<(base &+ o &+ length)]
        let end = slice.firstIndex(of: 0) ?? slice.endIndex
        return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
    }
}

/// Little- or big-endian appends for the writer.
private struct FieldWriter {
    var bytes: [UInt8]
    let bigEndian: Bool

    init(size: Int, bigEndian: Bool) {
        bytes = [UInt8](repeating: 0, count: size)
        self.bigEndian = bigEndian
    }

    mutating func raw(_ o: Int, _ width: Int, _ value: UInt64) {
        for i in 0..<width {
            let shift = UInt64(8 * (bigEndian ? width - 1 - i : i))
            bytes[o + i] = UInt8(truncatingIfNeeded: value >> shift)
        }
    }
    mutating func i16(_ o: Int, _ v: Int) { raw(o, 2, UInt64(UInt16(truncatingIfNeeded: v))) }
    mutating func i32(_ o: Int, _ v: Int) { raw(o, 4, UInt64(UInt32(truncatingIfNeeded: v))) }
    mutating func i64(_ o: Int, _ v: Int) { raw(o, 8, UInt64(bitPattern: Int64(v))) }
    mutating func f32(_ o: Int, _ v: Double) { raw(o, 4, UInt64(Float(v).bitPattern)) }
    mutating func f64(_ o: Int, _ v: Double) { raw(o, 8, v.bitPattern) }
    mutating func text(_ o: Int, _ length: Int, _ s: String) {
        for (i, b) in s.utf8.prefix(length - 1).enumerated() { bytes[o + i] = b }
    }
}

extension NIfTIHeader {
    static let magic2Tail: [UInt8] = [0x0D, 0x0A, 0x1A, 0x0A]

    /// Parses a header at the start of `bytes` (`file` labels errors). Checks the size field (which
    /// also gives the byte order), the magic, the rank and extents, the datatype against `bitpix`,
    /// and the data offset; sizes are checked against the file by the reader.
    public static func parse(_ bytes: [UInt8], file: String) throws -> NIfTIHeader {
        guard bytes.count >= 4 else {
            throw ArrayFileError.truncated(file: file, field: "NIfTI header", offset: 0, needed: 348, available: bytes.count)
        }
        let le = FieldReader(bytes: bytes, base: 0, bigEndian: false).i32(0)
        let be = FieldReader(bytes: bytes, base: 0, bigEndian: true).i32(0)
        let version: Int, bigEndian: Bool
        switch (le, be) {
        case (348, _): version = 1; bigEndian = false
        case (540, _): version = 2; bigEndian = false
        case (_, 348): version = 1; bigEndian = true
        case (_, 540): version = 2; bigEndian = true
        default:
            throw ArrayFileError.badMagic(file: file, expected: "sizeof_hdr 348 (NIfTI-1) or 540 (NIfTI-2) in either byte order", found: "\(le)")
        }
        let size = version == 2 ? 540 : 348
        guard bytes.count >= size else {
            throw ArrayFileError.truncated(file: file, field: "NIfTI-\(version) header", offset: 0, needed: size, available: bytes.count)
        }
        let r = FieldReader(bytes: bytes, base: 0, bigEndian: bigEndian)
        var h = NIfTIHeader(dimensions: [1], datatype: .uint8, version: version)
        h.isBigEndian = bigEndian
        let magicOffset = version == 2 ? 4 : 344
        let magic = Array(bytes[magicOffset..<(magicOffset + (version == 2 ? 8 : 4))])
        let letter = version == 2 ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let plusOrI = magic[1]
        guard magic[0] == UInt8(ascii: "n"), plusOrI == UInt8(ascii: "+") || plusOrI == UInt8(ascii: "i"),
              magic[2] == letter, magic[3] == 0, version == 1 || Array(magic[4...]) == magic2Tail else {
            let shown = magic.map { (32..<127).contains($0) ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }.joined()
            throw ArrayFileError.badMagic(
                file: file, expected: version == 2 ? "NIfTI-2 magic \"n+2\\0\\r\\n\\x1a\\n\" or \"ni2…\"" : "NIfTI-1 magic \"n+1\" or \"ni1\" (plain Analyze 7.5 is not read)",
                found: "\"\(shown)\"")
        }
        h.isSingleFile = plusOrI == UInt8(ascii: "+")

        let rank: Int, rawDims: [Int], datatypeCode: Int, bitpix: Int
        if version == 1 {
            rank = r.i16(40)
            rawDims = (1...7).map { r.i16(40 + 2 * $0) }
            h.intentParameters = [r.f32(56), r.f32(60), r.f32(64)]
            h.intentCode = r.i16(68)
            datatypeCode = r.i16(70)
            bitpix = r.i16(72)
            h.sliceStart = r.i16(74)
            h.pixdim = (0..<8).map { r.f32(76 + 4 * $0) }
            let offset = r.f32(108)
            guard offset.isFinite, offset >= 0, offset < Double(Int32.max) else {
                throw ArrayFileError.invalidField(file: file, field: "vox_offset", expected: "a finite offset ≥ 0", found: "\(offset)")
            }
            h.voxOffset = Int(offset)
            h.sclSlope = r.f32(112); h.sclInter = r.f32(116)
            h.sliceEnd = r.i16(120); h.sliceCode = r.u8(122)
            h.units = NIfTIUnits(code: r.u8(123))
            h.calMax = r.f32(124); h.calMin = r.f32(128)
            h.sliceDuration = r.f32(132); h.toffset = r.f32(136)
            h.descrip = r.text(148, 80); h.auxFile = r.text(228, 24)
            h.qformCode = r.i16(252); h.sformCode = r.i16(254)
            h.quaternion = [r.f32(256), r.f32(260), r.f32(264)]
            h.qoffset = [r.f32(268), r.f32(272), r.f32(276)]
            h.srow = (0..<12).map { r.f32(280 + 4 * $0) }
            h.intentName = r.text(328, 16)
            h.dimInfo = r.u8(39)
        } else {
            datatypeCode = r.i16(12)
            bitpix = r.i16(14)
            rank = r.i64(16)
            rawDims = (1...7).map { r.i64(16 + 8 * $0) }
            h.intentParameters = [r.f64(80), r.f64(88), r.f64(96)]
            h.pixdim = (0..<8).map { r.f64(104 + 8 * $0) }
            h.voxOffset = r.i64(168)
            h.sclSlope = r.f64(176); h.sclInter = r.f64(184)
            h.calMax = r.f64(192); h.calMin = r.f64(200)
            h.sliceDuration = r.f64(208); h.toffset = r.f64(216)
            h.sliceStart = r.i64(224); h.sliceEnd = r.i64(232)
            h.descrip = r.text(240, 80); h.auxFile = r.text(320, 24)
            h.qformCode = r.i32(344); h.sformCode = r.i32(348)
            h.quaternion = [r.f64(352), r.f64(360), r.f64(368)]
            h.qoffset = [r.f64(376), r.f64(384), r.f64(392)]
            h.srow = (0..<12).map { r.f64(400 + 8 * $0) }
            h.sliceCode = r.i32(496)
            h.units = NIfTIUnits(code: r.i32(500))
            h.intentCode = r.i32(504)
            h.intentName = r.text(508, 16)
            h.dimInfo = r.u8(524)
        }
        guard (1...7).contains(rank) else {
            throw ArrayFileError.invalidField(file: file, field: "dim[0]", expected: "a rank of 1 to 7", found: "\(rank)")
        }
        h.dimensions = Array(rawDims.prefix(rank))
        if let k = h.dimensions.firstIndex(where: { $0 < 0 }) {
            throw ArrayFileError.negativeDimension(file: file, field: "dim[\(k + 1)]", value: h.dimensions[k])
        }
        guard let type = NIfTIDatatype(rawValue: datatypeCode) else {
            throw ArrayFileError.unsupportedDtype(file: file, descr: "NIfTI datatype code \(datatypeCode) (not in nifti1.h)")
        }
        guard type.elementType != nil else {
            throw ArrayFileError.unsupportedDtype(file: file, descr: "NIfTI datatype \(type) (code \(datatypeCode)) is not supported")
        }
        h.datatype = type
        guard bitpix == type.bitsPerVoxel else {
            throw ArrayFileError.invalidField(file: file, field: "bitpix", expected: "\(type.bitsPerVoxel) for datatype \(type)", found: "\(bitpix)")
        }
        if h.isSingleFile {
            guard h.voxOffset >= size + 4 else {
                throw ArrayFileError.invalidField(
                    file: file, field: "vox_offset", expected: "at least \(size + 4) in a single-file NIfTI", found: "\(h.voxOffset)")
            }
        }
        guard h.voxelCount != nil, h.dataByteCount != nil else {
            throw ArrayFileError.sizeExceedsFile(file: file, field: "dim \(h.dimensions)", declared: "more bytes than an Int holds", available: bytes.count)
        }
        return h
    }

    /// Encodes the fixed header (348 or 540 bytes) in the header's version and byte order, with the
    /// magic for a single file or a pair as `isSingleFile` says.
    public func encoded() -> [UInt8] {
        var w = FieldWriter(size: headerSize, bigEndian: isBigEndian)
        let dims = [dimensions.count] + dimensions + [Int](repeating: 1, count: 7 - dimensions.count)
        let pix = pixdim + [Double](repeating: 0, count: max(0, 8 - pixdim.count))
        if version == 1 {
            w.i32(0, 348)
            w.bytes[38] = UInt8(ascii: "r")
            w.bytes[39] = UInt8(truncatingIfNeeded: dimInfo)
            for (i, d) in dims.enumerated() { w.i16(40 + 2 * i, d) }
            for (i, p) in intentParameters.prefix(3).enumerated() { w.f32(56 + 4 * i, p) }
            w.i16(68, intentCode); w.i16(70, datatype.rawValue); w.i16(72, datatype.bitsPerVoxel)
            w.i16(74, sliceStart)
            for i in 0..<8 { w.f32(76 + 4 * i, pix[i]) }
            w.f32(108, Double(voxOffset))
            w.f32(112, sclSlope); w.f32(116, sclInter)
            w.i16(120, sliceEnd); w.bytes[122] = UInt8(truncatingIfNeeded: sliceCode)
            w.bytes[123] = UInt8(truncatingIfNeeded: units.code)
            w.f32(124, calMax); w.f32(128, calMin); w.f32(132, sliceDuration); w.f32(136, toffset)
            w.text(148, 80, descrip); w.text(228, 24, auxFile)
            w.i16(252, qformCode); w.i16(254, sformCode)
            for i in 0..<3 { w.f32(256 + 4 * i, quaternion[i]); w.f32(268 + 4 * i, qoffset[i]) }
            for i in 0..<12 { w.f32(280 + 4 * i, srow[i]) }
            w.text(328, 16, intentName)
            let magic: [UInt8] = [UInt8(ascii: "n"), isSingleFile ? UInt8(ascii: "+") : UInt8(ascii: "i"), UInt8(ascii: "1"), 0]
            for (i, b) in magic.enumerated() { w.bytes[344 + i] = b }
        } else {
            w.i32(0, 540)
            let magic: [UInt8] = [UInt8(ascii: "n"), isSingleFile ? UInt8(ascii: "+") : UInt8(ascii: "i"), UInt8(ascii: "2"), 0] + Self.magic2Tail
            for (i, b) in magic.enumerated() { w.bytes[4 + i] = b }
            w.i16(12, datatype.rawValue); w.i16(14, datatype.bitsPerVoxel)
            for (i, d) in dims.enumerated() { w.i64(16 + 8 * i, d) }
            for (i, p) in intentParameters.prefix(3).enumerated() { w.f64(80 + 8 * i, p) }
            for i in 0..<8 { w.f64(104 + 8 * i, pix[i]) }
            w.i64(168, voxOffset)
            w.f64(176, sclSlope); w.f64(184, sclInter); w.f64(192, calMax); w.f64(200, calMin)
            w.f64(208, sliceDuration); w.f64(216, toffset); w.i64(224, sliceStart); w.i64(232, sliceEnd)
            w.text(240, 80, descrip); w.text(320, 24, auxFile)
            w.i32(344, qformCode); w.i32(348, sformCode)
            for i in 0..<3 { w.f64(352 + 8 * i, quaternion[i]); w.f64(376 + 8 * i, qoffset[i]) }
            for i in 0..<12 { w.f64(400 + 8 * i, srow[i]) }
            w.i32(496, sliceCode); w.i32(500, units.code); w.i32(504, intentCode)
            w.text(508, 16, intentName)
            w.bytes[524] = UInt8(truncatingIfNeeded: dimInfo)
        }
        return w.bytes
    }
}
