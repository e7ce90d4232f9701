import CHDF5

/// What one element of a dataset or attribute is, named like numpy's dtypes.
///
/// Byte order is not part of the value: HDF5 converts big-endian data to native order when reading,
/// so a `>f8` dataset is simply `.float64` here.
public enum HDF5ElementType: Sendable, Hashable, CustomStringConvertible {
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float32, float64
    /// Text; variable-length strings are what h5py and NWB write, fixed-length ones come from
    /// older tools (MATLAB, numpy `S` arrays).
    case string(variableLength: Bool)
    case compound
    /// Object or region references (NWB uses them to link tables and series).
    case reference
    case enumeration
    /// Anything else (bitfield, opaque, array, vlen sequences, half floats), described by HDF5 class.
    case other(String)

    public var description: String {
        switch self {
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .float32: return "float32"
        case .float64: return "float64"
        case .string(let variableLength): return variableLength ? "str" : "fixed-length str"
        case .compound: return "compound"
        case .reference: return "reference"
        case .enumeration: return "enum"
        case .other(let name): return name
        }
    }

    /// Integers and floating point: what `readDoubles()` and `readFloats()` accept.
    public var isNumeric: Bool { numericKind != nil }

    public var isString: Bool {
        if case .string = self { return true }
        return false
    }

    enum NumericKind { case signed, unsigned, floatingPoint }

    var numericKind: NumericKind? {
        switch self {
        case .int8, .int16, .int32, .int64: return .signed
        case .uint8, .uint16, .uint32, .uint64: return .unsigned
        case .float32, .float64: return .floatingPoint
        default: return nil
        }
    }

    /// Bytes per element for numeric types.
    var byteCount: Int? {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        default: return nil
        }
    }

    /// True when every value of `self` is exactly representable in `target`, so HDF5's conversion
    /// is a widening (int16 → int32, uint8 → int16, int32 → float64, float32 → float64).
    func widensExactly(to target: HDF5ElementType) -> Bool {
        if self == target { return true }
        guard let from = numericKind, let to = target.numericKind,
              let fromBits = byteCount.map({ $0 * 8 }), let toBits = target.byteCount.map({ $0 * 8 })
        else { return false }
        // Significand bits (with the implicit one): integers up to this width convert exactly.
        let significandBits = target == .float32 ? 24 : 53
        switch (from, to) {
        case (.signed, .signed), (.unsigned, .unsigned), (.floatingPoint, .floatingPoint):
            return toBits >= fromBits
        case (.unsigned, .signed):
            return toBits > fromBits
        case (.signed, .floatingPoint), (.unsigned, .floatingPoint):
            return fromBits <= significandBits
        default:
            return false
        }
    }

    /// The native-order HDF5 type for numeric cases (used as the memory type of reads and writes).
    var nativeTypeID: hid_t? {
        switch self {
        case .int8: return chdf5_native_int8()
        case .int16: return chdf5_native_int16()
        case .int32: return chdf5_native_int32()
        case .int64: return chdf5_native_int64()
        case .uint8: return chdf5_native_uint8()
        case .uint16: return chdf5_native_uint16()
        case .uint32: return chdf5_native_uint32()
        case .uint64: return chdf5_native_uint64()
        case .float32: return chdf5_native_float()
        case .float64: return chdf5_native_double()
        default: return nil
        }
    }

    /// Classifies an HDF5 datatype id.
    init(typeID: hid_t) {
        let size = H5Tget_size(typeID)
        switch H5Tget_class(typeID) {
        case H5T_INTEGER:
            let signed = H5Tget_sign(typeID) != H5T_SGN_NONE
            switch (size, signed) {
            case (1, true): self = .int8
            case (2, true): self = .int16
            case (4, true): self = .int32
            case (8, true): self = .int64
            case (1, false): self = .uint8
            case (2, false): self = .uint16
            case (4, false): self = .uint32
            case (8, false): self = .uint64
            default: self = .other("\(signed ? "int" : "uint")\(size * 8)")
            }
        case H5T_FLOAT:
            switch size {
            case 4: self = .float32
            case 8: self = .float64
            default: self = .other("float\(size * 8)")
            }
        case H5T_STRING:
            self = .string(variableLength: H5Tis_variable_str(typeID) > 0)
        case H5T_COMPOUND: self = .compound
        case H5T_REFERENCE: self = .reference
        case H5T_ENUM: self = .enumeration
        case H5T_BITFIELD: self = .other("bitfield")
        case H5T_OPAQUE: self = .other("opaque")
        case H5T_TIME: self = .other("time")
        case H5T_ARRAY: self = .other("array")
        case H5T_VLEN: self = .other("vlen")
        default: self = .other("unknown")
        }
    }
}

// MARK: - Swift scalars

/// A Swift number that maps to one HDF5 numeric type in native byte order.
///
/// `Int` and `UInt` are stored as 64-bit integers (the platform width here), so files stay
/// readable by numpy as `int64`/`uint64`.
public protocol HDF5Scalar: Sendable {
    /// The element type values of this Swift type are written as and read back into.
    static var hdf5ElementType: HDF5ElementType { get }
}

extension HDF5Scalar {
    /// The native HDF5 type id; the element type's width must match the Swift type's.
    static var nativeTypeID: hid_t {
        let element = hdf5ElementType
        guard let id = element.nativeTypeID, element.byteCount == MemoryLayout<Self>.size else {
            preconditionFailure("HDF5Scalar \(Self.self) declares \(element), which does not match its layout")
        }
        return id
    }
}

extension Int8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int8 } }
extension Int16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int16 } }
extension Int32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension UInt8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
extension UInt16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint16 } }
extension UInt32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint32 } }
extension UInt64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint64 } }
extension Float: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Double: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Int: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension UInt: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint64 } }
