import Foundation

/// The element type of a `NumericArray` (the numeric dtypes of NumPy and the numeric classes of MATLAB).
public enum NumericElementType: String, Sendable, CaseIterable, Codable {
    case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case float16, float32, float64
    /// Complex numbers as interleaved (real, imaginary) pairs of float32 / float64.
    case complex64, complex128

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16, .float16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64, .complex64: return 8
        case .complex128: return 16
        }
    }

    public var isComplex: Bool { self == .complex64 || self == .complex128 }

    /// Bytes of one scalar component (half an element for complex types): the unit of byte swapping.
    var componentSize: Int { isComplex ? size / 2 : size }
}

/// An n-dimensional numeric array, in C (row-major) order.
///
/// **Storage.** Elements are kept as their own type, as raw native-endian (little-endian on every
/// platform we build for) bytes in C order, rather than widened to `[Double]`: int64/uint64 stay
/// exact, float32 data (most calcium traces) costs 4 bytes not 8, and an NPY file round-trips
/// bit-for-bit. Readers byte-swap and reorder once at load; the typed accessors (`doubles`, `floats`,
/// `values(as:)`) convert in one pass. Complex elements are interleaved (real, imaginary) pairs.
public struct NumericArray: Sendable, Equatable, Hashable {
    public let shape: [Int]
    public let elementType: NumericElementType
    /// Native-endian element bytes in C order; `count * elementType.size` of them.
    public let bytes: [UInt8]

    /// Wraps `bytes` (native-endian, C order). Preconditions: non-negative dimensions and a matching
    /// byte count — readers validate file data before calling this.
    public init(shape: [Int], elementType: NumericElementType, bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let count = NumericArray.elementCount(shape) ?? -1
        precondition(count >= 0 && count.multipliedReportingOverflow(by: elementType.size) == (bytes.count, false),
                     "shape \(shape) of \(elementType) needs \(count) elements, got \(bytes.count) bytes")
        self.shape = shape
        self.elementType = elementType
        self.bytes = bytes
    }

    /// An array of `values` in C order (the element type follows `T`).
    public init<T: NumericArrayElement>(shape: [Int], values: [T]) {
        precondition(NumericArray.elementCount(shape) == values.count, "shape \(shape) does not hold \(values.count) values")
        let raw = values.withUnsafeBytes { [UInt8]($0) }
        self.init(shape: shape, elementType: T.numericElementType, bytes: raw)
    }

    /// A 1-D array.
    public init<T: NumericArrayElement>(_ values: [T]) {
        self.init(shape: [values.count], values: values)
    }

    /// Builds the C-order array from bytes in Fortran (column-major) order.
    public init(shape: [Int], elementType: NumericElementType, fortranOrderBytes: [UInt8]) {
        let reordered = NumericArray.fortranToC(fortranOrderBytes, shape: shape, elementSize: elementType.size)
        self.init(shape: shape, elementType: elementType, bytes: reordered)
    }

    /// Product of `shape`, or nil on overflow or a negative dimension. The empty shape (0-d) holds 1.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, o) = count.multipliedReportingOverflow(by: d)
            if o { return nil }
            count = p
        }
        return count
    }

    public var count: Int { bytes.count / elementType.size }
    public var rank: Int { shape.count }

    // MARK: Typed access

    /// Elements as `Double` (bool → 0/1; complex → real parts; int64 beyond 2^53 rounds).
    public var doubles: [Double] { converted(to: Double.self) }

    /// Elements as `Float` (rounded from wider types; complex → real parts).
    public var floats: [Float] { converted(to: Float.self) }

    /// Imaginary parts as `Double` (zeros for real arrays).
    public var imaginaryDoubles: [Double] {
        let n = count
        switch elementType {
        case .complex64:
            return bytes.withUnsafeBytes { raw in (0..<n).map { Double(raw.loadUnaligned(fromByteOffset: $0 &* 8 &+ 4, as: Float.self)) } }
        case .complex128:
            return bytes.withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: $0 &* 16 &+ 8, as: Double.self) } }
        default:
            return [Double](repeating: 0, count: n)
        }
    }

    /// The elements as `T` when `T` is exactly the stored type (no conversion), else nil.
    public func values<T: NumericArrayElement>(as type: T.Type) -> [T]? {
        guard T.numericElementType == elementType else { return nil }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            _ = bytes.withUnsafeBytes { memcpy(buffer.baseAddress!, $0.baseAddress!, $0.count) }
            initialised = count
        }
    }

    /// Elements as `Int64` for integer and bool arrays (uint64 above Int64.max wraps), else nil.
    public var int64s: [Int64]? {
        switch elementType {
        case .bool, .uint8: return load(UInt8.self) { Int64($0) }
        case .int8: return load(Int8.self) { Int64($0) }
        case .int16: return load(Int16.self) { Int64($0) }
        case .uint16: return load(UInt16.self) { Int64($0) }
        case .int32: return load(Int32.self) { Int64($0) }
        case .uint32: return load(UInt32.self) { Int64($0) }
        case .int64: return load(Int64.self) { $0 }
        case .uint64: return load(UInt64.self) { Int64(bitPattern: $0) }
        default: return nil
        }
    }

    /// The element at a C-order multi-index, as a Double.
    public subscript(index: Int...) -> Double {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var linear = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of shape \(shape)")
            linear = linear &* d &+ i
        }
        return element(atLinear: linear)
    }

    /// The element at a C-order linear index, as a Double.
    public func element(atLinear i: Int) -> Double {
        precondition(i >= 0 && i < count)
        let o = i &* elementType.size
        return bytes.withUnsafeBytes { raw in Self.loadDouble(raw, at: o, elementType) }
    }

    /// A 2-D array as a row-major `Matrix<Double>`; 1-D arrays become a single row.
    public func asMatrix() throws -> Matrix<Double> {
        switch shape.count {
        case 2: return Matrix(rows: shape[0], columns: shape[1], elements: doubles)
        case 1: return Matrix(rows: 1, columns: shape[0], elements: doubles)
        default: throw ArrayFileError.wrongKind(name: "array of shape \(shape)", expected: "a 1-D or 2-D array", found: "\(shape.count)-D")
        }
    }

    /// A 2-D array as a row-major `Matrix<Float>`.
    public func asFloatMatrix() throws -> Matrix<Float> {
        switch shape.count {
        case 2: return Matrix(rows: shape[0], columns: shape[1], elements: floats)
        case 1: return Matrix(rows: 1, columns: shape[0], elements: floats)
        default: throw ArrayFileError.wrongKind(name: "array of shape \(shape)", expected: "a 1-D or 2-D array", found: "\(shape.count)-D")
        }
    }

    /// The same elements with a new shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> NumericArray {
        NumericArray(shape: newShape, elementType: elementType, bytes: bytes)
    }

    /// Element bytes in Fortran (column-major) order, as the NPY writer emits for `fortranOrder`.
    public var fortranOrderBytes: [UInt8] {
        NumericArray.cToFortran(bytes, shape: shape, elementSize: elementType.size)
    }

    // MARK: Conversion internals

    private func load<S, T>(_ stored: S.Type, _ transform: (S) -> T) -> [T] {
        let n = count
        let size = MemoryLayout<S>.size
        return bytes.withUnsafeBytes { raw in
            [T](unsafeUninitializedCapacity: n) { out, initialised in
                for i in 0..<n { out[i] = transform(raw.loadUnaligned(fromByteOffset: i &* size, as: S.self)) }
                initialised = n
            }
        }
    }

    private func converted<T: BinaryFloatingPoint>(to type: T.Type) -> [T] {
        switch elementType {
        case .bool: return load(UInt8.self) { $0 != 0 ? 1 : 0 }
        case .int8: return load(Int8.self) { T($0) }
        case .uint8: return load(UInt8.self) { T($0) }
        case .int16: return load(Int16.self) { T($0) }
        case .uint16: return load(UInt16.self) { T($0) }
        case .int32: return load(Int32.self) { T($0) }
        case .uint32: return load(UInt32.self) { T($0) }
        case .int64: return load(Int64.self) { T($0) }
        case .uint64: return load(UInt64.self) { T($0) }
        case .float16: return load(UInt16.self) { T(Self.halfToFloat($0)) }
        case .float32: return load(Float.self) { T($0) }
        case .float64: return load(Double.self) { T($0) }
        case .complex64:
            let n = count
            return bytes.withUnsafeBytes { raw in (0..<n).map { T(raw.loadUnaligned(fromByteOffset: $0 &* 8, as: Float.self)) } }
        case .complex128:
            let n = count
            return bytes.withUnsafeBytes { raw in (0..<n).map { T(raw.loadUnaligned(fromByteOffset: $0 &* 16, as: Double.self)) } }
        }
    }

    static func loadDouble(_ raw: UnsafeRawBufferPointer, at o: Int, _ type: NumericElementType) -> Double {
        switch type {
        case .bool: return raw[o] != 0 ? 1 : 0
        case .int8: return Double(Int8(bitPattern: raw[o]))
        case .uint8: return Double(raw[o])
        case .int16: return Double(raw.loadUnaligned(fromByteOffset: o, as: Int16.self))
        case .uint16: return Double(raw.loadUnaligned(fromByteOffset: o, as: UInt16.self))
        case .int32: return Double(raw.loadUnaligned(fromByteOffset: o, as: Int32.self))
        case .uint32: return Double(raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))
        case .int64: return Double(raw.loadUnaligned(fromByteOffset: o, as: Int64.self))
        case .uint64: return Double(raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))
        case .float16: return Double(halfToFloat(raw.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
        case .float32, .complex64: return Double(raw.loadUnaligned(fromByteOffset: o, as: Float.self))
        case .float64, .complex128: return raw.loadUnaligned(fromByteOffset: o, as: Double.self)
        }
    }

    /// IEEE 754 binary16 → binary32 by bit manipulation (portable: `Float16` is missing on some hosts).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        var mantissa = UInt32(h) & 0x3FF
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: normalise.
            var e: UInt32 = 127 - 15 + 1
            while mantissa & 0x400 == 0 { mantissa <<= 1; e -= 1 }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | e << 23 | mantissa << 13)
        }
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | mantissa << 13)
    }

    /// Reverses the byte order of every scalar component in place (elements of `componentSize` bytes).
    static func byteSwap(_ bytes: inout [UInt8], componentSize: Int) {
        guard componentSize > 1 else { return }
        bytes.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            let n = buffer.count
            while start &+ componentSize <= n {
                var lo = start, hi = start &+ componentSize &- 1
                while lo < hi { buffer.swapAt(lo, hi); lo &+= 1; hi &-= 1 }
                start &+= componentSize
            }
        }
    }

    /// Reorders element blocks from Fortran order to C order (an axis reversal of the strides).
    static func fortranToC(_ source: [UInt8], shape: [Int], elementSize: Int) -> [UInt8] {
        permute(source, shape: shape, elementSize: elementSize, sourceIsFortran: true)
    }

    static func cToFortran(_ source: [UInt8], shape: [Int], elementSize: Int) -> [UInt8] {
        permute(source, shape: shape, elementSize: elementSize, sourceIsFortran: false)
    }

    /// Walks the destination linearly with an odometer over the multi-index, tracking the source
    /// offset incrementally (no per-element division); copies `elementSize`-byte blocks.
    private static func permute(_ source: [UInt8], shape: [Int], elementSize: Int, sourceIsFortran: Bool) -> [UInt8] {
        let nonTrivial = shape.filter { $0 > 1 }.count
        if nonTrivial <= 1 || source.isEmpty { return source }
        let rank = shape.count
        // Iterate the destination's fastest axis first.
        let axes: [Int] = sourceIsFortran ? Array((0..<rank).reversed()) : Array(0..<rank)
        // Source strides (in elements).
        var sourceStride = [Int](repeating: 1, count: rank)
        if sourceIsFortran {
            for k in 1..<rank { sourceStride[k] = sourceStride[k - 1] &* shape[k - 1] }
        } else {
            for k in stride(from: rank - 2, through: 0, by: -1) { sourceStride[k] = sourceStride[k + 1] &* shape[k + 1] }
        }
        let total = source.count / elementSize
        var out = [UInt8](repeating: 0, count: source.count)
        var counter = [Int](repeating: 0, count: rank)
        source.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                var s = 0
                for d in 0..<total {
                    let so = s &* elementSize, dOff = d &* elementSize
                    switch elementSize {
                    case 1: dst[dOff] = src[so]
                    case 2: dst.storeBytes(of: src.loadUnaligned(fromByteOffset: so, as: UInt16.self), toByteOffset: dOff, as: UInt16.self)
                    case 4: dst.storeBytes(of: src.loadUnaligned(fromByteOffset: so, as: UInt32.self), toByteOffset: dOff, as: UInt32.self)
                    case 8: dst.storeBytes(of: src.loadUnaligned(fromByteOffset: so, as: UInt64.self), toByteOffset: dOff, as: UInt64.self)
                    default:
                        for b in 0..<elementSize { dst[dOff &+ b] = src[so &+ b] }
                    }
                    // Advance the odometer along the destination's axis order.
                    for axis in axes {
                        counter[axis] &+= 1
                        s &+= sourceStride[axis]
                        if counter[axis] < shape[axis] { break }
                        s &-= sourceStride[axis] &* shape[axis]
                        counter[axis] = 0
                    }
                }
            }
        }
        return out
    }
}

/// Swift scalar types that map one-to-one onto a `NumericElementType`.
public protocol NumericArrayElement: Sendable {
    static var numericElementType: NumericElementType { get }
}

extension Int8: NumericArrayElement { public static var numericElementType: NumericElementType { .int8 } }
extension UInt8: NumericArrayElement { public static var numericElementType: NumericElementType { .uint8 } }
extension Int16: NumericArrayElement { public static var numericElementType: NumericElementType { .int16 } }
extension UInt16: NumericArrayElement { public static var numericElementType: NumericElementType { .uint16 } }
extension Int32: NumericArrayElement { public static var numericElementType: NumericElementType { .int32 } }
extension UInt32: NumericArrayElement { public static var numericElementType: NumericElementType { .uint32 } }
extension Int64: NumericArrayElement { public static var numericElementType: NumericElementType { .int64 } }
extension UInt64: NumericArrayElement { public static var numericElementType: NumericElementType { .uint64 } }
extension Float: NumericArrayElement { public static var numericElementType: NumericElementType { .float32 } }
extension Double: NumericArrayElement { public static var numericElementType: NumericElementType { .float64 } }
extension Bool: NumericArrayElement { public static var numericElementType: NumericElementType { .bool } }
