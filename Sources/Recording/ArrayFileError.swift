import Foundation

/// Errors from reading and writing array files (NPY, NPZ, MAT). Each case names the file and the part
/// of it at fault, so a message alone locates the problem.
public enum ArrayFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with the format's signature.
    case badMagic(file: String, expected: String, found: String)
    /// A header field is malformed or has an impossible value.
    case invalidField(file: String, field: String, expected: String, found: String)
    /// A part of the file needs `needed` bytes at `offset` but only `available` remain.
    case truncated(file: String, field: String, offset: Int, needed: Int, available: Int)
    /// A declared size (element count × item size, a dimension product) cannot fit in the file.
    case sizeExceedsFile(file: String, field: String, declared: String, available: Int)
    /// A dimension is negative.
    case negativeDimension(file: String, field: String, value: Int)
    /// NPY `descr` names a dtype that is not numeric or not supported.
    case unsupportedDtype(file: String, descr: String)
    /// NPY object arrays hold pickles: they are refused, never unpickled.
    case objectDtype(file: String)
    /// NPY structured (record) dtypes are refused.
    case structuredDtype(file: String, descr: String)
    /// A container feature we do not read (ZIP64, encryption, a compression method, MAT v4).
    case unsupportedFeature(file: String, feature: String, hint: String)
    /// A MAT v7.3 file (HDF5 inside) given as bytes: only `MATFile(url:)` reads those.
    case matV73(file: String)
    /// Compressed data failed to inflate (or inflated past its allowance).
    case compression(file: String, field: String, reason: String)
    /// A ZIP member's CRC-32 does not match its bytes.
    case checksumMismatch(file: String, member: String, expected: UInt32, found: UInt32)
    /// Nesting (MAT cells inside cells, structs inside structs) deeper than `limit`.
    case nestingTooDeep(file: String, limit: Int)
    /// The requested variable, member or path does not exist.
    case notFound(file: String, name: String, available: [String])
    /// The value exists but is not of the requested kind (e.g. a matrix was asked of a 3-D array).
    case wrongKind(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .badMagic(let file, let expected, let found):
            return "\(file): not a recognised file: expected \(expected), found \(found)"
        case .invalidField(let file, let field, let expected, let found):
            return "\(file): \(field): expected \(expected), found \(found)"
        case .truncated(let file, let field, let offset, let needed, let available):
            return "\(file): \(field) is truncated: needs \(needed) bytes at offset \(offset), only \(available) remain"
        case .sizeExceedsFile(let file, let field, let declared, let available):
            return "\(file): \(field) declares \(declared), but only \(available) bytes remain in the file"
        case .negativeDimension(let file, let field, let value):
            return "\(file): \(field): dimension \(value) is negative"
        case .unsupportedDtype(let file, let descr):
            return "\(file): dtype '\(descr)' is not a supported numeric type"
        case .objectDtype(let file):
            return "\(file): object arrays ('|O') hold Python pickles and are never unpickled; save a numeric array instead"
        case .structuredDtype(let file, let descr):
            return "\(file): structured dtype \(descr) is not supported; save each field as its own array"
        case .unsupportedFeature(let file, let feature, let hint):
            return "\(file): \(feature) is not supported" + (hint.isEmpty ? "" : "; \(hint)")
        case .matV73(let file):
            return "\(file): this is a MAT v7.3 file, which is HDF5 inside: read it from disk with MATFile(url:)"
        case .compression(let file, let field, let reason):
            return "\(file): \(field): \(reason)"
        case .checksumMismatch(let file, let member, let expected, let found):
            return "\(file): member \(member): CRC-32 is \(String(found, radix: 16)), the archive says \(String(expected, radix: 16))"
        case .nestingTooDeep(let file, let limit):
            return "\(file): values nest deeper than \(limit) levels"
        case .notFound(let file, let name, let available):
            let list = available.prefix(20).joined(separator: ", ")
            return "\(file): no \(name); available: \(list)\(available.count > 20 ? ", …" : "")"
        case .wrongKind(let name, let expected, let found):
            return "\(name): expected \(expected), found \(found)"
        }
    }
}
