import Foundation
import Testing
@testable import Recording

/// Corrupted NPY, NPZ and MAT files: each must fail with a specific, typed error (never a crash).
@Suite struct NPYBadInputTests {
    /// The case name of an error (`truncated`, `sizeExceedsFile`, …).
    static func caseName(_ error: Error) -> String {
        guard let e = error as? ArrayFileError else { return "foreign \(type(of: error))" }
        return Mirror(reflecting: e).children.first?.label ?? "\(e)"
    }

    /// A v1.0 NPY image with a hand-written header dict.
    static func npy(_ dict: String, data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        let text = Array((dict + "\n").utf8)
        out.appendLittleEndian(UInt16(text.count))
        return out + text + data
    }

    // MARK: MAT builder (little-endian)

    static func tag(_ type: UInt32, _ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendLittleEndian(type)
        out.appendLittleEndian(UInt32(data.count))
        return out + data + [UInt8](repeating: 0, count: (8 - data.count % 8) % 8)
    }

    static func int32s(_ values: [Int32]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { out.appendLittleEndian(UInt32(bitPattern: v)) }
        return out
    }

    static func matrix(_ classCode: UInt32, dims: [Int32], name: String = "", parts: [[UInt8]]) -> [UInt8] {
        var flags: [UInt8] = []
        flags.appendLittleEndian(classCode)
        flags.appendLittleEndian(UInt32(0))
        var body = tag(6, flags) + tag(5, int32s(dims)) + tag(1, Array(name.utf8))
        for p in parts { body += p }
        return tag(14, body)
    }

    static func mat(_ elements: [UInt8]) -> [UInt8] {
        var header = Array("MATLAB 5.0 MAT-file, test".utf8)
        header += [UInt8](repeating: 0x20, count: 116 - header.count) + [UInt8](repeating: 0, count: 8) + [0x00, 0x01, 0x49, 0x4D]
        return header + elements
    }

    static func nestedCells(_ depth: Int) -> [UInt8] {
        var inner = matrix(6, dims: [1, 1], parts: [tag(9, [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])])
        for _ in 0..<depth { inner = matrix(1, dims: [1, 1], parts: [inner]) }
        return inner
    }

    static func setUInt32(_ bytes: [UInt8], at offset: Int, _ value: UInt32) -> [UInt8] {
        var b = bytes
        for k in 0..<4 { b[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
        return b
    }

    /// Offset of the first central-directory record of a ZIP image.
    static func centralDirectory(_ zip: [UInt8]) -> Int {
        let eocd = zip.count - 22
        return Int(ByteCursor.loadUInt32(zip, at: eocd + 16, bigEndian: false))
    }

    enum Reader: Sendable { case npy, npz, mat }

    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let reader: Reader
        let bytes: @Sendable () -> [UInt8]
        let expected: String
        var testDescription: String { label }
    }

    static let cases: [Case] = {
        let f8 = ArraysGolden.fixtureBytes("f8_c.npy")
        let stored = ArraysGolden.fixtureBytes("stored.npz")
        let deflated = ArraysGolden.fixtureBytes("deflated.npz")
        let plain = ArraysGolden.fixtureBytes("v5_plain.mat")
        let compressed = ArraysGolden.fixtureBytes("v5_compressed.mat")
        let double1x1 = matrix(6, dims: [1, 1], name: "x", parts: [tag(9, [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])])
        return [
            // NPY
            Case(label: "NPY bad magic", reader: .npy, bytes: { var b = f8; b[1] = 0x58; return b }, expected: "badMagic"),
            Case(label: "NPY truncated header", reader: .npy, bytes: { Array(f8.prefix(40)) }, expected: "truncated"),
            Case(label: "NPY header length beyond file", reader: .npy, bytes: { var b = f8; b[8] = 0xFF; b[9] = 0xFF; return b }, expected: "truncated"),
            Case(label: "NPY truncated data", reader: .npy, bytes: { Array(f8.dropLast(8)) }, expected: "sizeExceedsFile"),
            Case(label: "NPY 10^12 elements in a small file", reader: .npy,
                 bytes: { npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", data: [UInt8](repeating: 0, count: 1000)) },
                 expected: "sizeExceedsFile"),
            Case(label: "NPY shape product overflows", reader: .npy,
                 bytes: { npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }") },
                 expected: "sizeExceedsFile"),
            Case(label: "NPY negative dimension", reader: .npy,
                 bytes: { npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, -3), }") }, expected: "negativeDimension"),
            Case(label: "NPY unknown dtype", reader: .npy,
                 bytes: { npy("{'descr': '<x4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]) }, expected: "unsupportedDtype"),
            Case(label: "NPY long double", reader: .npy,
                 bytes: { npy("{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 16)) }, expected: "unsupportedDtype"),
            Case(label: "NPY object dtype", reader: .npy,
                 bytes: { npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", data: [UInt8](repeating: 0, count: 16)) }, expected: "objectDtype"),
            Case(label: "NPY structured dtype", reader: .npy,
                 bytes: { npy("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]) }, expected: "structuredDtype"),
            Case(label: "NPY unknown version", reader: .npy, bytes: { var b = f8; b[6] = 4; return b }, expected: "invalidField"),
            Case(label: "NPY header is code, not a literal", reader: .npy,
                 bytes: { npy("__import__('os').system('true')") }, expected: "invalidField"),
            Case(label: "NPY missing key", reader: .npy,
                 bytes: { npy("{'descr': '<f8', 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8)) }, expected: "invalidField"),
            Case(label: "NPY extra key", reader: .npy,
                 bytes: { npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }", data: [UInt8](repeating: 0, count: 8)) }, expected: "invalidField"),
            // NPZ
            Case(label: "NPZ not a zip", reader: .npz, bytes: { f8 }, expected: "badMagic"),
            Case(label: "NPZ bad local header", reader: .npz, bytes: { var b = stored; b[0] = 0x51; return b }, expected: "invalidField"),
            Case(label: "NPZ CRC mismatch", reader: .npz, bytes: { var b = stored; b[b.count / 4] ^= 0x40; return b }, expected: "checksumMismatch"),
            Case(label: "NPZ member inflates beyond its declared size", reader: .npz,
                 bytes: { setUInt32(deflated, at: centralDirectory(deflated) + 24, 10) }, expected: "compression"),
            Case(label: "NPZ declared size beyond deflate's ratio (zip bomb)", reader: .npz,
                 bytes: { setUInt32(deflated, at: centralDirectory(deflated) + 24, 0x7FFF_FFFF) }, expected: "compression"),
            Case(label: "NPZ ZIP64 marker", reader: .npz,
                 bytes: { var b = deflated; b[b.count - 12] = 0xFF; b[b.count - 11] = 0xFF; b[b.count - 10] = 0xFF; b[b.count - 9] = 0xFF; return b },
                 expected: "unsupportedFeature"),
            Case(label: "NPZ central directory beyond file", reader: .npz,
                 bytes: { setUInt32(stored, at: stored.count - 6, 0x00FF_FFFF) }, expected: "sizeExceedsFile"),
            Case(label: "NPZ truncated member data", reader: .npz,
                 bytes: { setUInt32(stored, at: centralDirectory(stored) + 20, 0x0010_0000) }, expected: "sizeExceedsFile"),
            // MAT
            Case(label: "MAT too short", reader: .mat, bytes: { Array(plain.prefix(60)) }, expected: "truncated"),
            Case(label: "MAT bad endian indicator", reader: .mat, bytes: { var b = plain; b[126] = 0x41; return b }, expected: "badMagic"),
            Case(label: "MAT unknown version", reader: .mat, bytes: { var b = plain; b[125] = 0x07; return b }, expected: "invalidField"),
            Case(label: "MAT v7.3 (HDF5)", reader: .mat, bytes: { ArraysGolden.fixtureBytes("v73.mat") }, expected: "matV73"),
            Case(label: "MAT element size beyond file", reader: .mat, bytes: { setUInt32(plain, at: 132, 0x7FFF_FFFF) }, expected: "sizeExceedsFile"),
            Case(label: "MAT corrupt compressed element", reader: .mat,
                 bytes: { var b = compressed; for k in 140..<160 { b[k] ^= 0x5A }; return b }, expected: "compression"),
            Case(label: "MAT compressed element cut short", reader: .mat,
                 bytes: { let size = Int(ByteCursor.loadUInt32(compressed, at: 132, bigEndian: false)); return setUInt32(Array(compressed.prefix(136 + size / 2)), at: 132, UInt32(size / 2)) },
                 expected: "compression"),
            Case(label: "MAT cells nested 100 deep", reader: .mat, bytes: { mat(nestedCells(100)) }, expected: "nestingTooDeep"),
            Case(label: "MAT negative dimension", reader: .mat,
                 bytes: { mat(matrix(6, dims: [1, -4], parts: [tag(9, [])])) }, expected: "negativeDimension"),
            Case(label: "MAT data shorter than dimensions", reader: .mat,
                 bytes: { mat(matrix(6, dims: [1000, 1000], parts: [tag(9, [UInt8](repeating: 0, count: 8))])) }, expected: "invalidField"),
            Case(label: "MAT cell of 10^10 elements in a small file", reader: .mat,
                 bytes: { mat(matrix(1, dims: [100_000, 100_000], parts: [])) }, expected: "sizeExceedsFile"),
            Case(label: "MAT struct field count beyond file", reader: .mat,
                 bytes: { mat(matrix(2, dims: [50_000, 1], parts: [tag(5, int32s([4])), tag(1, Array("abc\0".utf8))])) }, expected: "sizeExceedsFile"),
            Case(label: "MAT top-level element that is not a matrix", reader: .mat,
                 bytes: { mat(tag(9, [UInt8](repeating: 0, count: 8)) + double1x1) }, expected: "invalidField"),
            Case(label: "MAT bad array flags", reader: .mat,
                 bytes: { mat(tag(14, tag(5, int32s([1, 1])))) }, expected: "invalidField"),
            Case(label: "MAT small element claiming 6 bytes", reader: .mat,
                 bytes: { var b = mat(double1x1); b[128 + 8 + 16 + 16 + 2] = 6; b[128 + 8 + 16 + 16] = 1; return b }, expected: "invalidField"),
        ]
    }()

    @Test(arguments: cases)
    func corruptionGivesSpecificError(_ c: Case) {
        let bytes = c.bytes()
        do {
            switch c.reader {
            case .npy: _ = try NPYFile.read(bytes: bytes, name: "bad.npy")
            case .npz: _ = try NPZFile(bytes: bytes, name: "bad.npz")
            case .mat: _ = try MATFile(bytes: bytes, name: "bad.mat")
            }
            Issue.record("\(c.label): read without error")
        } catch {
            #expect(Self.caseName(error) == c.expected, "\(c.label): \(error)")
            #expect(!"\(error)".isEmpty)
        }
    }

    @Test func tableIsLargeEnough() {
        #expect(Self.cases.count >= 15)
    }

    @Test func nestingJustUnderTheLimitReads() throws {
        let file = try MATFile(bytes: Self.mat(Self.nestedCells(MATParser.maximumDepth - 2)), name: "deep.mat")
        #expect(file.names == [""])
    }
}
