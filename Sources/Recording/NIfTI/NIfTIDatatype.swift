import Foundation

/// NIfTI `datatype` codes (nifti1.h), with the element type each decodes to.
public enum NIfTIDatatype: Int, Sendable, CaseIterable, Codable {
    case binary = 1, uint8 = 2, int16 = 4, int32 = 8, float32 = 16, complex64 = 32, float64 = 64
    case rgb24 = 128, int8 = 256, uint16 = 512, uint32 = 768, int64 = 1024, uint64 = 1280
    case float128 = 1536, complex128 = 1792, complex256 = 2048, rgba32 = 2304

    /// The array element type, nil for the codes we cannot hold (1-bit binary, 128-bit float and
    /// 256-bit complex: nibabel cannot read these portably either). RGB types are uint8 with a
    /// trailing axis of 3 or 4 components.
    public var elementType: NumericElementType? {
        switch self {
        case .uint8, .rgb24, .rgba32: return .uint8
        case .int8: return .int8
        case .int16: return .int16
        case .uint16: return .uint16
        case .int32: return .int32
        case .uint32: return .uint32
        case .int64: return .int64
        case .uint64: return .uint64
        case .float32: return .float32
        case .float64: return .float64
        case .complex64: return .complex64
        case .complex128: return .complex128
        case .binary, .float128, .complex256: return nil
        }
    }

    /// Components per voxel (3 for RGB24, 4 for RGBA32, else 1).
    public var components: Int {
        switch self {
        case .rgb24: return 3
        case .rgba32: return 4
        default: return 1
        }
    }

    /// The header's `bitpix` for this type.
    public var bitsPerVoxel: Int {
        switch self {
        case .binary: return 1
        case .uint8, .int8: return 8
        case .int16, .uint16: return 16
        case .rgb24: return 24
        case .int32, .uint32, .float32, .rgba32: return 32
        case .int64, .uint64, .float64, .complex64: return 64
        case .float128, .complex128: return 128
        case .complex256: return 256
        }
    }

    /// The datatype that stores `type` (RGB is never chosen: it needs an explicit code).
    public init(storing type: NumericElementType) throws {
        switch type {
        case .uint8: self = .uint8
        case .int8: self = .int8
        case .int16: self = .int16
        case .uint16: self = .uint16
        case .int32: self = .int32
        case .uint32: self = .uint32
        case .int64: self = .int64
        case .uint64: self = .uint64
        case .float32: self = .float32
        case .float64: self = .float64
        case .complex64: self = .complex64
        case .complex128: self = .complex128
        case .bool, .float16:
            throw ArrayFileError.unsupportedDtype(file: "NIfTI", descr: "\(type) (NIfTI has no such datatype; convert to uint8 or float32)")
        }
    }
}

/// Units of `pixdim` (the `xyzt_units` field: space in bits 0–2, time in bits 3–5).
public struct NIfTIUnits: Sendable, Hashable, Codable {
    public enum Space: Int, Sendable, Codable { case unknown = 0, meter = 1, millimeter = 2, micrometer = 3 }
    public enum Time: Int, Sendable, Codable {
        case unknown = 0, second = 8, millisecond = 16, microsecond = 24, hertz = 32, ppm = 40, radiansPerSecond = 48
    }

    public let space: Space
    public let time: Time

    public init(space: Space, time: Time) {
        self.space = space
        self.time = time
    }

    /// Decodes the field; unknown codes become `.unknown` (as nibabel reports them).
    public init(code: Int) {
        space = Space(rawValue: code & 0x07) ?? .unknown
        time = Time(rawValue: code & 0x38) ?? .unknown
    }

    public var code: Int { space.rawValue | time.rawValue }

    /// Millimetres per unit of space (1 when unknown: NIfTI readers assume mm).
    public var millimetersPerUnit: Double {
        switch space {
        case .meter: return 1000
        case .micrometer: return 0.001
        case .millimeter, .unknown: return 1
        }
    }

    /// Seconds per unit of time, nil for frequency-like units (1 when unknown).
    public var secondsPerUnit: Double? {
        switch time {
        case .second, .unknown: return 1
        case .millisecond: return 0.001
        case .microsecond: return 1e-6
        case .hertz, .ppm, .radiansPerSecond: return nil
        }
    }
}
