import Foundation

/// A MATLAB value read from a MAT file. Arrays are converted from MATLAB's column-major order to
/// C (row-major) order once at load, keeping MATLAB's shape (always at least 2-D: a scalar is 1×1).
/// Element order in `cell` and `structure` values is C order too, so `elements[i]` for a 1×n cell is
/// the MATLAB element `{i+1}`.
public indirect enum MATValue: Sendable, Equatable {
    /// double, single and int8…uint64 arrays (complex ones as `complex128`/`complex64`).
    case numeric(NumericArray)
    /// logical arrays (element type `bool`).
    case logical(NumericArray)
    /// char arrays.
    case char(MATCharArray)
    case cell(MATCell)
    /// struct arrays (and MATLAB objects, whose class name is kept).
    case structure(MATStruct)
    case sparse(MATSparse)
    /// A class we do not decode (function handles, opaque objects such as `string` or `table`).
    case unsupported(className: String)

    /// MATLAB's dimensions (empty for `unsupported`).
    public var shape: [Int] {
        switch self {
        case .numeric(let a), .logical(let a): return a.shape
        case .char(let c): return c.shape
        case .cell(let c): return c.shape
        case .structure(let s): return s.shape
        case .sparse(let s): return [s.rows, s.columns]
        case .unsupported: return []
        }
    }

    /// A short name of the kind, for messages ("double", "cell", "struct", …).
    public var kindName: String {
        switch self {
        case .numeric(let a): return "numeric \(a.elementType.rawValue)"
        case .logical: return "logical"
        case .char: return "char"
        case .cell: return "cell"
        case .structure(let s): return s.className.map { "object \($0)" } ?? "struct"
        case .sparse: return "sparse"
        case .unsupported(let name): return "unsupported \(name)"
        }
    }

    /// The array of a numeric or logical value (a sparse value is made dense).
    public var numericArray: NumericArray? {
        switch self {
        case .numeric(let a), .logical(let a): return a
        case .sparse(let s): return s.dense()
        default: return nil
        }
    }

    /// Elements as Doubles (numeric, logical or sparse values), in C order.
    public var doubles: [Double]? { numericArray?.doubles }

    /// The single element of a 1×1 numeric or logical value.
    public var scalar: Double? {
        guard let a = numericArray, a.count == 1 else { return nil }
        return a.element(atLinear: 0)
    }

    /// The text of a char value (rows joined by newlines; a 1×n char is one row).
    public var string: String? {
        if case .char(let c) = self { return c.rows.joined(separator: "\n") }
        return nil
    }

    /// Elements of a cell value, in C order.
    public var cellElements: [MATValue]? {
        if case .cell(let c) = self { return c.elements }
        return nil
    }

    /// Field `name` of a 1×1 struct (nil for other values or struct arrays).
    public subscript(field name: String) -> MATValue? {
        guard case .structure(let s) = self, s.count == 1 else { return nil }
        return s.value(field: name, element: 0)
    }
}

/// A char array: `rows[i]` is row i (MATLAB pads the rows of a char matrix with spaces; kept as is).
public struct MATCharArray: Sendable, Equatable {
    public let shape: [Int]
    public let rows: [String]
}

/// A cell array; `elements` in C order.
public struct MATCell: Sendable, Equatable {
    public let shape: [Int]
    public let elements: [MATValue]
}

/// A struct array (or object). Stored field-major, `fieldValues[f][e]` = field f of element e (C
/// order), so a field-less struct array costs nothing per element.
public struct MATStruct: Sendable, Equatable {
    public let shape: [Int]
    public let fieldNames: [String]
    public let fieldValues: [[MATValue]]
    /// The class name of a MATLAB object (`mxOBJECT_CLASS`); nil for plain structs.
    public let className: String?

    public var count: Int { NumericArray.elementCount(shape) ?? 0 }

    /// Field `name` of element `element` (C order).
    public func value(field name: String, element: Int = 0) -> MATValue? {
        guard let f = fieldNames.firstIndex(of: name), element >= 0, element < fieldValues[f].count else { return nil }
        return fieldValues[f][element]
    }

    /// Field `name` across all elements (C order).
    public func values(field name: String) -> [MATValue]? {
        fieldNames.firstIndex(of: name).map { fieldValues[$0] }
    }

    /// Element `element` as a field → value dictionary.
    public func element(_ element: Int) -> [String: MATValue] {
        var out: [String: MATValue] = [:]
        for (f, name) in fieldNames.enumerated() where element < fieldValues[f].count { out[name] = fieldValues[f][element] }
        return out
    }
}

/// A sparse matrix in MATLAB's compressed-sparse-column form (kept sparse: dense copies of real
/// sparse data can be enormous). `dense()` converts on request.
public struct MATSparse: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row index of each stored value (0-based).
    public let rowIndices: [Int]
    /// `columnStarts[j]..<columnStarts[j+1]` index the values of column j (`columns + 1` entries).
    public let columnStarts: [Int]
    public let values: [Double]
    /// Imaginary parts for complex sparse matrices.
    public let imaginary: [Double]?
    public let isLogical: Bool

    public var nonZeroCount: Int { columnStarts.last ?? 0 }

    /// The dense rows × columns array (float64, or bool for logical sparse; real parts only for complex).
    public func dense() -> NumericArray {
        var out = [Double](repeating: 0, count: rows * columns)
        for j in 0..<columns {
            for k in columnStarts[j]..<columnStarts[j + 1] { out[rowIndices[k] &* columns &+ j] += values[k] }
        }
        if isLogical { return NumericArray(shape: [rows, columns], values: out.map { $0 != 0 }) }
        return NumericArray(shape: [rows, columns], values: out)
    }
}
