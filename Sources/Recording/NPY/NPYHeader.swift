import Foundation

/// The parsed header of a `.npy` file (format versions 1.0, 2.0 and 3.0).
///
/// The header is a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (219, 2000), }`.
/// It is read by a small strict parser that accepts exactly that grammar (strings, True/False,
/// integers, tuples of integers) — never evaluated — and requires exactly the three keys.
public struct NPYHeader: Sendable, Equatable {
    public enum ByteOrder: Sendable, Equatable { case little, big, notApplicable }

    public let majorVersion: UInt8
    public let minorVersion: UInt8
    public let descr: String
    public let elementType: NumericElementType
    public let byteOrder: ByteOrder
    public let fortranOrder: Bool
    public let shape: [Int]
    /// Offset of the first data byte.
    public let dataOffset: Int

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Parses the header at the start of `bytes` (which may be the whole file or just its head).
    static func parse(_ bytes: [UInt8], file: String) throws -> NPYHeader {
        var cursor = ByteCursor(bytes, file: file)
        let magic = try cursor.bytes(6, "NPY magic")
        guard Array(magic) == NPYHeader.magic else {
            throw ArrayFileError.badMagic(file: file, expected: "\\x93NUMPY", found: printable(magic))
        }
        let major = try cursor.uint8("NPY major version")
        let minor = try cursor.uint8("NPY minor version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try cursor.uint16("NPY header length"))
        case 2, 3: headerLength = Int(try cursor.uint32("NPY header length"))
        default:
            throw ArrayFileError.invalidField(file: file, field: "NPY version", expected: "1.0, 2.0 or 3.0", found: "\(major).\(minor)")
        }
        let text = try cursor.bytes(headerLength, "NPY header")
        // v1/v2 are latin-1 (ASCII in practice); v3 is UTF-8. Our grammar only admits ASCII outside strings.
        guard let string = String(bytes: text, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw ArrayFileError.invalidField(file: file, field: "NPY header", expected: "text", found: "undecodable bytes")
        }
        var parser = DictParser(text: Array(string.unicodeScalars), file: file)
        let dict = try parser.parseDict()

        let allowed: Set<String> = ["descr", "fortran_order", "shape"]
        for key in dict.keys where !allowed.contains(key) {
            throw ArrayFileError.invalidField(file: file, field: "NPY header", expected: "keys descr, fortran_order, shape", found: "key '\(key)'")
        }
        guard case .string(let descr)? = dict["descr"] else {
            if case .list? = dict["descr"] { throw ArrayFileError.structuredDtype(file: file, descr: "[...]") }
            throw ArrayFileError.invalidField(file: file, field: "descr", expected: "a dtype string", found: dict["descr"].map { "\($0)" } ?? "nothing")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw ArrayFileError.invalidField(file: file, field: "fortran_order", expected: "True or False", found: dict["fortran_order"].map { "\($0)" } ?? "nothing")
        }
        guard case .tuple(let shape)? = dict["shape"] else {
            throw ArrayFileError.invalidField(file: file, field: "shape", expected: "a tuple of integers", found: dict["shape"].map { "\($0)" } ?? "nothing")
        }
        for d in shape where d < 0 { throw ArrayFileError.negativeDimension(file: file, field: "shape", value: d) }
        let (type, order) = try parseDescr(descr, file: file)
        return NPYHeader(majorVersion: major, minorVersion: minor, descr: descr, elementType: type, byteOrder: order,
                         fortranOrder: fortran, shape: shape, dataOffset: cursor.offset)
    }

    /// Maps a NumPy type string (`<f8`, `>i2`, `|b1`, `<c16`, …) to an element type and byte order.
    static func parseDescr(_ descr: String, file: String) throws -> (NumericElementType, ByteOrder) {
        let chars = Array(descr)
        guard chars.count >= 2 else { throw ArrayFileError.unsupportedDtype(file: file, descr: descr) }
        var order: ByteOrder
        var rest = chars[...]
        switch chars[0] {
        case "<": order = .little; rest = chars.dropFirst()
        case ">": order = .big; rest = chars.dropFirst()
        case "|": order = .notApplicable; rest = chars.dropFirst()
        case "=": order = .little; rest = chars.dropFirst()  // native; every supported host is little-endian
        default: order = .little
        }
        guard let kind = rest.first else { throw ArrayFileError.unsupportedDtype(file: file, descr: descr) }
        if kind == "O" { throw ArrayFileError.objectDtype(file: file) }
        if kind == "V" && rest.count > 1 { throw ArrayFileError.structuredDtype(file: file, descr: descr) }
        let sizeText = String(rest.dropFirst())
        guard let size = Int(sizeText) else { throw ArrayFileError.unsupportedDtype(file: file, descr: descr) }
        let type: NumericElementType?
        switch (kind, size) {
        case ("b", 1): type = .bool
        case ("i", 1): type = .int8
        case ("u", 1): type = .uint8
        case ("i", 2): type = .int16
        case ("u", 2): type = .uint16
        case ("i", 4): type = .int32
        case ("u", 4): type = .uint32
        case ("i", 8): type = .int64
        case ("u", 8): type = .uint64
        case ("f", 2): type = .float16
        case ("f", 4): type = .float32
        case ("f", 8): type = .float64
        case ("c", 8): type = .complex64
        case ("c", 16): type = .complex128
        default: type = nil
        }
        guard let type else { throw ArrayFileError.unsupportedDtype(file: file, descr: descr) }
        if type.size == 1 { order = .notApplicable }
        return (type, order)
    }

    /// The `descr` the writer uses for a type (little-endian).
    static func descr(for type: NumericElementType) -> String {
        switch type {
        case .bool: return "|b1"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .int16: return "<i2"
        case .uint16: return "<u2"
        case .int32: return "<i4"
        case .uint32: return "<u4"
        case .int64: return "<i8"
        case .uint64: return "<u8"
        case .float16: return "<f2"
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .complex64: return "<c8"
        case .complex128: return "<c16"
        }
    }
}

func printable(_ bytes: some Collection<UInt8>) -> String {
    "'" + bytes.prefix(16).map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }.joined() + "'"
}

/// A strict parser for the Python literal subset used by NPY headers.
private struct DictParser {
    enum Value: CustomStringConvertible {
        case string(String), bool(Bool), int(Int), tuple([Int]), list
        var description: String {
            switch self {
            case .string(let s): return "'\(s)'"
            case .bool(let b): return b ? "True" : "False"
            case .int(let i): return "\(i)"
            case .tuple(let t): return "\(t)"
            case .list: return "a list"
            }
        }
    }

    let text: [Unicode.Scalar]
    var i = 0
    let file: String

    init(text: [Unicode.Scalar], file: String) {
        self.text = text
        self.file = file
    }

    func fail(_ expected: String) -> ArrayFileError {
        let found = i < text.count ? "'" + String(String.UnicodeScalarView(text[i..<min(text.count, i + 12)])) + "'" : "end of header"
        return ArrayFileError.invalidField(file: file, field: "NPY header at character \(i)", expected: expected, found: found)
    }

    mutating func skipSpace() {
        while i < text.count, text[i] == " " || text[i] == "\n" || text[i] == "\t" || text[i] == "\r" { i += 1 }
    }

    mutating func expect(_ c: Unicode.Scalar) throws {
        skipSpace()
        guard i < text.count, text[i] == c else { throw fail("'\(c)'") }
        i += 1
    }

    mutating func peek() -> Unicode.Scalar? {
        skipSpace()
        return i < text.count ? text[i] : nil
    }

    mutating func parseDict() throws -> [String: Value] {
        try expect("{")
        var dict: [String: Value] = [:]
        while true {
            if peek() == "}" { i += 1; break }
            let key = try parseString()
            try expect(":")
            let value = try parseValue()
            guard dict[key] == nil else { throw fail("no repeated key '\(key)'") }
            dict[key] = value
            if peek() == "," { i += 1; continue }
            try expect("}")
            break
        }
        // Only padding may follow.
        skipSpace()
        guard i == text.count || text[i...].allSatisfy({ $0 == "\0" }) else { throw fail("end of header after '}'") }
        return dict
    }

    mutating func parseString() throws -> String {
        guard let quote = peek(), quote == "'" || quote == "\"" else { throw fail("a quoted string") }
        i += 1
        var scalars = String.UnicodeScalarView()
        while i < text.count, text[i] != quote {
            if text[i] == "\\" { throw fail("a string without escapes") }
            scalars.append(text[i])
            i += 1
        }
        guard i < text.count else { throw fail("closing quote") }
        i += 1
        return String(scalars)
    }

    mutating func parseInt() throws -> Int {
        skipSpace()
        var negative = false
        if i < text.count, text[i] == "-" { negative = true; i += 1 }
        var value = 0
        var digits = 0
        while i < text.count, text[i].value >= 48, text[i].value <= 57 {
            let d = Int(text[i].value - 48)
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { throw fail("an integer that fits in 64 bits") }
            value = s
            digits += 1
            i += 1
        }
        guard digits > 0 else { throw fail("an integer") }
        if i < text.count, text[i] == "L" { i += 1 }  // Python 2 long suffix in old files
        return negative ? -value : value
    }

    mutating func parseValue() throws -> Value {
        guard let c = peek() else { throw fail("a value") }
        switch c {
        case "'", "\"": return .string(try parseString())
        case "(":
            i += 1
            var items: [Int] = []
            while true {
                if peek() == ")" { i += 1; break }
                items.append(try parseInt())
                if peek() == "," { i += 1; continue }
                try expect(")")
                break
            }
            return .tuple(items)
        case "[":
            // A list descr is a structured (record) dtype.
            let rest = String(String.UnicodeScalarView(text[i..<min(text.count, i + 60)]))
            throw ArrayFileError.structuredDtype(file: file, descr: rest.components(separatedBy: "], ").first.map { $0 + "]" } ?? rest)
        case "T", "F":
            for word in ["True", "False"] where text.count - i >= word.unicodeScalars.count
                && String(String.UnicodeScalarView(text[i..<(i + word.unicodeScalars.count)])) == word {
                i += word.unicodeScalars.count
                return .bool(word == "True")
            }
            throw fail("True or False")
        default:
            return .int(try parseInt())
        }
    }
}
