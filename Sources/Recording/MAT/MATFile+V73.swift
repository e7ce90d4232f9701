import Foundation
import NeuroCore

/// MAT v7.3 files: HDF5 behind a 512-byte user block holding the usual 116-byte MATLAB header text.
///
/// MATLAB's layout (as MATLAB and hdf5storage write it): each variable is a top-level dataset or group
/// carrying a `MATLAB_class` attribute. Arrays are stored column-major, which HDF5 (row-major) sees as
/// the MATLAB shape reversed, so the HDF5 data in C order *is* MATLAB's Fortran order and goes through
/// the same Fortran→C reordering as the v5 path. char is uint16 UTF-16 units; logical is uint8; an
/// empty array is a uint64 vector of its MATLAB dimensions with a nonzero `MATLAB_empty` attribute;
/// a cell is a dataset of object references into `#refs#`; a 1×1 struct is a group whose members are
/// its fields; a struct array is a group whose fields are reference datasets (one reference per
/// element); sparse is a group (`MATLAB_sparse` = row count) holding `data`, `ir` and `jc`.
///
/// Complex arrays are HDF5 compounds {real, imag}: single becomes complex64, every other class
/// complex128, as in v5. Struct field order comes from the group's `MATLAB_fields` attribute
/// (variable-length character sequences); without it, fields follow link-name (sorted) order.
///
/// Not decoded: classes other than the numeric, logical, char, cell and struct ones (function
/// handles, `string`, objects kept in `#subsystem#`) become `.unsupported(className:)` as in v5.
///
/// Errors: HDF5-level damage (truncated or corrupt files) surfaces as NeuroCore's `HDF5Error`; a valid
/// HDF5 file that breaks the MATLAB layout throws `ArrayFileError`.
extension MATFile {
    /// True when the file at `url` carries the HDF5 signature at byte 512 (MAT v7.3) or at byte 0.
    static func hasHDF5Signature(_ url: URL) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let head = try readBytes(from: handle, count: 520, file: url.lastPathComponent, exact: false)
        return (head.count >= 520 && Array(head[512..<520]) == V73Reader.signature)
            || (head.count >= 8 && Array(head[0..<8]) == V73Reader.signature)
    }

    /// Reads a MAT v7.3 file (see the extension's documentation for the layout).
    init(v73 url: URL) throws {
        let name = url.lastPathComponent
        let handle = try FileHandle(forReadingFrom: url)
        let head = try readBytes(from: handle, count: 116, file: name, exact: false)
        try? handle.close()
        let text = String(decoding: head.prefix { $0 != 0 }, as: UTF8.self)
            .trimmingCharacters(in: .whitespaces.union(.controlCharacters))

        let hdf5 = try HDF5File.open(at: url)
        defer { try? hdf5.close() }
        let reader = V73Reader(file: hdf5, name: name)
        var variables: [String: MATValue] = [:]
        let names = try hdf5.root.children().filter { !$0.hasPrefix("#") }
        for variable in names {
            variables[variable] = try reader.value(at: "/" + variable, label: variable, depth: 0)
        }
        self.init(headerText: text, isBigEndian: false, isHDF5: true, names: names, variables: variables, file: name)
    }
}

/// Decodes MATLAB's HDF5 layout, one object at a time.
struct V73Reader {
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    let file: HDF5File
    let name: String

    /// The value stored at `path`; `label` is its MATLAB-style name for messages (`s.a`, `c{2}`).
    func value(at path: String, label: String, depth: Int) throws -> MATValue {
        guard depth < MATParser.maximumDepth else { throw ArrayFileError.nestingTooDeep(file: name, limit: MATParser.maximumDepth) }
        let root = file.root
        if let group = try? root.group(path) {
            return try decodeGroup(group, className: try matlabClass(group, label: label), label: label, depth: depth)
        }
        let dataset = try root.dataset(path)
        guard let className = try matlabClass(dataset, label: label) else {
            throw ArrayFileError.invalidField(file: name, field: label, expected: "a MATLAB_class attribute (MATLAB's v7.3 layout)", found: "none")
        }
        if dataset.hasAttribute("MATLAB_empty"), (try dataset.attribute("MATLAB_empty").doubles?.first ?? 0) != 0 {
            return try emptyValue(dataset, className: className, label: label)
        }
        let shape = matlabShape(dataset.shape)
        switch className {
        case "double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64":
            let target = MATParser.elementType(ofClass: MATParser.classNames.first { $0.value == className }!.key, logical: false)
            if dataset.elementType == .compound {
                return .numeric(try complexArray(dataset, shape: shape, single: target == .float32, label: label))
            }
            return .numeric(NumericArray(shape: shape, elementType: target, fortranOrderBytes: try rawBytes(dataset, as: target, label: label)))
        case "logical":
            let units = try dataset.read(as: UInt8.self)
            let bools = units.map { $0 != 0 ? UInt8(1) : 0 }
            return .logical(NumericArray(shape: shape, elementType: .bool, fortranOrderBytes: bools))
        case "char":
            return .char(try decodeChar(dataset, shape: shape, label: label))
        case "cell":
            let targets = try references(dataset, label: label)
            var fortran: [MATValue] = []
            fortran.reserveCapacity(targets.count)
            for (k, target) in targets.enumerated() {
                fortran.append(try value(at: target, label: "\(label){\(k + 1)}", depth: depth + 1))
            }
            return .cell(MATCell(shape: shape, elements: MATParser.fortranToC(fortran, shape: shape)))
        default:
            return .unsupported(className: className)
        }
    }

    // MARK: groups (structs and sparse)

    private func decodeGroup(_ group: HDF5Group, className: String?, label: String, depth: Int) throws -> MATValue {
        if group.hasAttribute("MATLAB_sparse") {
            return .sparse(try decodeSparse(group, isLogical: className == "logical", label: label))
        }
        guard className == "struct" || className == nil else {
            // Objects (MATLAB classdef instances, `string`, `table`) live in #subsystem#: not decoded.
            return .unsupported(className: className ?? "group")
        }
        let fieldNames = try orderedFields(group, label: label)
        // A struct array stores each field as references (one per element) without a MATLAB_class.
        var arrayShape: [Int]?
        for field in fieldNames {
            guard let dataset = try? group.dataset(field), dataset.elementType == .reference,
                  !dataset.hasAttribute("MATLAB_class") else { continue }
            let shape = matlabShape(dataset.shape)
            if let arrayShape, arrayShape != shape {
                throw ArrayFileError.invalidField(file: name, field: "\(label).\(field)", expected: "\(arrayShape) references like the other fields", found: "\(shape)")
            }
            arrayShape = shape
        }
        if let arrayShape {
            var columns: [[MATValue]] = []
            for field in fieldNames {
                let fieldPath = childPath(group.path, field)
                let targets = try references(try group.dataset(field), label: "\(label).\(field)")
                guard targets.count == NumericArray.elementCount(arrayShape) else {
                    throw ArrayFileError.invalidField(file: name, field: "\(label).\(field)", expected: "one reference per element of \(arrayShape)", found: "\(targets.count) (\(fieldPath))")
                }
                var fortran: [MATValue] = []
                for (k, target) in targets.enumerated() {
                    fortran.append(try value(at: target, label: "\(label)(\(k + 1)).\(field)", depth: depth + 1))
                }
                columns.append(MATParser.fortranToC(fortran, shape: arrayShape))
            }
            return .structure(MATStruct(shape: arrayShape, fieldNames: fieldNames, fieldValues: columns, className: nil))
        }
        var values: [[MATValue]] = []
        for field in fieldNames {
            values.append([try value(at: childPath(group.path, field), label: "\(label).\(field)", depth: depth + 1)])
        }
        return .structure(MATStruct(shape: [1, 1], fieldNames: fieldNames, fieldValues: values, className: nil))
    }

    private func decodeSparse(_ group: HDF5Group, isLogical: Bool, label: String) throws -> MATSparse {
        guard let rows = try group.attribute("MATLAB_sparse").doubles?.first, rows >= 0, rows < 1e15 else {
            throw ArrayFileError.invalidField(file: name, field: "\(label) MATLAB_sparse", expected: "the row count", found: "\(try group.attribute("MATLAB_sparse"))")
        }
        let rowCount = Int(rows)
        let jc = try group.dataset("jc").read(as: UInt64.self).map { Int(clamping: $0) }
        guard let columns = jc.count > 0 ? jc.count - 1 : nil, jc[0] == 0, zip(jc, jc.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw ArrayFileError.invalidField(file: name, field: "\(label)/jc", expected: "column starts 0 … nnz, non-decreasing", found: "\(jc.prefix(8))")
        }
        let nnz = jc[columns]
        let ir = nnz == 0 ? [] : try group.dataset("ir").read(as: UInt64.self).map { Int(clamping: $0) }
        let values = nnz == 0 ? [] : try group.dataset("data").readDoubles()
        guard ir.count >= nnz, values.count >= nnz else {
            throw ArrayFileError.invalidField(file: name, field: "\(label) ir/data", expected: "\(nnz) entries", found: "\(ir.count)/\(values.count)")
        }
        for k in 0..<nnz where ir[k] < 0 || ir[k] >= rowCount {
            throw ArrayFileError.invalidField(file: name, field: "\(label) row index \(k)", expected: "0..<\(rowCount)", found: "\(ir[k])")
        }
        return MATSparse(rows: rowCount, columns: columns, rowIndices: Array(ir.prefix(nnz)), columnStarts: jc,
                         values: Array(values.prefix(nnz)), imaginary: nil, isLogical: isLogical)
    }

    /// The struct's field names in MATLAB's order (`MATLAB_fields`), else in link-name order. Every
    /// listed field must exist; members the attribute omits follow, sorted.
    private func orderedFields(_ group: HDF5Group, label: String) throws -> [String] {
        let members = try group.children()
        guard group.hasAttribute("MATLAB_fields") else { return members }
        let attribute = try group.attribute("MATLAB_fields")
        guard case .strings(let listed) = attribute else {
            throw ArrayFileError.invalidField(file: name, field: "\(label) MATLAB_fields", expected: "field names", found: "\(attribute)")
        }
        let present = Set(members)
        for field in listed where !present.contains(field) {
            throw ArrayFileError.invalidField(file: name, field: "\(label) MATLAB_fields", expected: "names of members of \(group.path)", found: field)
        }
        let named = Set(listed)
        return listed + members.filter { !named.contains($0) }
    }

    private func childPath(_ parent: String, _ child: String) -> String {
        parent.hasSuffix("/") ? parent + child : parent + "/" + child
    }

    // MARK: datasets

    /// MATLAB's dimensions: the HDF5 ones reversed, padded to 2-D as MATLAB always is.
    func matlabShape(_ hdf5Shape: [Int]) -> [Int] {
        var shape = Array(hdf5Shape.reversed())
        while shape.count < 2 { shape.append(1) }
        return shape
    }

    private func emptyValue(_ dataset: HDF5Dataset, className: String, label: String) throws -> MATValue {
        let dims = try dataset.read(as: UInt64.self)
        guard dims.count >= 2, dims.allSatisfy({ $0 < UInt64(Int32.max) }), dims.contains(0) else {
            throw ArrayFileError.invalidField(file: name, field: "\(label) (MATLAB_empty)", expected: "a dimension vector with a zero", found: "\(dims.prefix(8))")
        }
        let shape = dims.map { Int($0) }
        switch className {
        case "char": return .char(MATCharArray(shape: shape, rows: Array(repeating: "", count: shape[0])))
        case "cell": return .cell(MATCell(shape: shape, elements: []))
        case "struct": return .structure(MATStruct(shape: shape, fieldNames: [], fieldValues: [], className: nil))
        case "logical": return .logical(NumericArray(shape: shape, elementType: .bool, bytes: []))
        default:
            guard let code = MATParser.classNames.first(where: { $0.value == className })?.key, (6...15).contains(code) else {
                return .unsupported(className: className)
            }
            return .numeric(NumericArray(shape: shape, elementType: MATParser.elementType(ofClass: code, logical: false), bytes: []))
        }
    }

    /// A complex array from a {real, imag} compound: complex64 for single, complex128 otherwise.
    private func complexArray(_ dataset: HDF5Dataset, shape: [Int], single: Bool, label: String) throws -> NumericArray {
        do {
            let pairs = single
                ? try dataset.readComplex(as: Float.self).withUnsafeBytes { [UInt8]($0) }
                : try dataset.readComplex(as: Double.self).withUnsafeBytes { [UInt8]($0) }
            return NumericArray(shape: shape, elementType: single ? .complex64 : .complex128, fortranOrderBytes: pairs)
        } catch HDF5Error.typeMismatch {
            throw ArrayFileError.invalidField(file: name, field: label, expected: "a numeric array or a complex {real, imag} compound", found: "a compound of other members")
        }
    }

    /// The dataset's elements as `type`'s native bytes, in HDF5 (= MATLAB Fortran) order.
    private func rawBytes(_ dataset: HDF5Dataset, as type: NumericElementType, label: String) throws -> [UInt8] {
        func bytes<T: HDF5Scalar>(_: T.Type) throws -> [UInt8] { try dataset.read(as: T.self).withUnsafeBytes { [UInt8]($0) } }
        switch type {
        case .float64: return try bytes(Double.self)
        case .float32: return try bytes(Float.self)
        case .int8: return try bytes(Int8.self)
        case .uint8: return try bytes(UInt8.self)
        case .int16: return try bytes(Int16.self)
        case .uint16: return try bytes(UInt16.self)
        case .int32: return try bytes(Int32.self)
        case .uint32: return try bytes(UInt32.self)
        case .int64: return try bytes(Int64.self)
        case .uint64: return try bytes(UInt64.self)
        default:
            throw ArrayFileError.invalidField(file: name, field: label, expected: "a numeric MATLAB class", found: type.rawValue)
        }
    }

    private func decodeChar(_ dataset: HDF5Dataset, shape: [Int], label: String) throws -> MATCharArray {
        let units = try dataset.read(as: UInt16.self)
        guard shape.count == 2 else {
            throw ArrayFileError.invalidField(file: name, field: label, expected: "a 2-D char array", found: "shape \(shape)")
        }
        let rowCount = shape[0], perRow = shape[1]
        guard rowCount > 0 else { return MATCharArray(shape: shape, rows: []) }
        var rows: [String] = []
        rows.reserveCapacity(rowCount)
        var row = [UInt16](repeating: 0, count: perRow)
        for i in 0..<rowCount {
            for j in 0..<perRow { row[j] = units[i &+ rowCount &* j] }
            rows.append(String(decoding: row, as: UTF16.self))
        }
        return MATCharArray(shape: shape, rows: rows)
    }

    private func references(_ dataset: HDF5Dataset, label: String) throws -> [String] {
        guard dataset.elementType == .reference else {
            throw ArrayFileError.invalidField(file: name, field: label, expected: "object references (a cell)", found: dataset.elementType.description)
        }
        return try dataset.readReferences()
    }

    /// The `MATLAB_class` attribute of the object at `holder`, or nil when it has none.
    private func matlabClass(_ holder: any HDF5AttributeHolder, label: String) throws -> String? {
        guard holder.hasAttribute("MATLAB_class") else { return nil }
        guard let text = try holder.attribute("MATLAB_class").string else {
            throw ArrayFileError.invalidField(file: name, field: "\(label) MATLAB_class", expected: "a string", found: "\(try holder.attribute("MATLAB_class"))")
        }
        return text
    }
}
