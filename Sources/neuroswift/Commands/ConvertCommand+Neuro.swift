import ArgumentParser
import Foundation
import NeuroCore
import Recording

/// `convert` for imaging and MATLAB inputs: a NIfTI series with `--atlas` → region time series in
/// HDF5, and a MAT v5 file → HDF5.
extension ConvertCommand {
    /// NIfTI 4-D series + label atlas (same x·y·z grid) → HDF5:
    ///
    ///     /regions/mean          float64 (regions × volumes), the mean over each label's voxels
    ///     /regions/labels        int64 (regions), ascending non-zero atlas labels
    ///     /regions/voxel_counts  int64 (regions)
    ///     /regions @repetition_time (s, when the header gives one), @affine (4×4 row-major)
    ///
    /// plus the provenance attributes of every NeuroSwift export.
    static func writeAtlasRegions(input: URL, atlas: URL, output: URL) throws -> String {
        let volume = try NIfTIFile.read(input).volumeSeries(file: input.lastPathComponent)
        let labelImage = try NIfTIFile.read(atlas)
        let spatial = Array(labelImage.dimensions.prefix(3)) + Array(repeating: 1, count: max(0, 3 - labelImage.dimensions.count))
        guard spatial == volume.spatialShape, labelImage.dimensions.dropFirst(3).allSatisfy({ $0 == 1 }) else {
            throw ValidationError(
                "the atlas \(atlas.lastPathComponent) is \(labelImage.dimensions.map(String.init).joined(separator: "×")) but the series' volumes are " +
                volume.spatialShape.map(String.init).joined(separator: "×"))
        }
        let labels = try labelImage.data.doubles.enumerated().map { i, v -> Int in
            guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else {
                throw ValidationError("the atlas \(atlas.lastPathComponent) holds \(v) at voxel \(i); labels must be integers")
            }
            return Int(v)
        }
        let regions = try volume.regionTimeSeries(atlas: labels)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try HDF5File.writeAtomically(to: output) { (file: HDF5File) -> Void in
            try ExportProvenance(command: command, inputs: [input, atlas]).write(to: file)
            let group = try file.root.createGroup("regions")
            try group.createDataset("mean", shape: [regions.labels.count, regions.volumeCount], values: regions.values)
            try group.createDataset("labels", shape: [regions.labels.count], values: regions.labels.map(Int64.init))
            try group.createDataset("voxel_counts", shape: [regions.labels.count], values: regions.voxelCounts.map(Int64.init))
            if let tr = volume.repetitionTime { try group.setAttribute("repetition_time", tr) }
            try group.setAttribute("affine", volume.affine)
        }
        return "wrote \(output.lastPathComponent): \(regions.labels.count) regions × \(regions.volumeCount) volumes"
    }

    /// MAT v5 → HDF5. Every variable becomes an object named like it, carrying `@MATLAB_class` and
    /// `@matlab_shape` (MATLAB's dimensions) attributes:
    ///
    /// - numeric: a dataset of the same element type, C order with MATLAB's shape (a 3×4 matrix is a
    ///   (3, 4) dataset whose rows are MATLAB's rows); complex: a group with `real` and `imag`;
    /// - logical: a uint8 dataset (0/1), `@MATLAB_class = logical`;
    /// - char: a string dataset, one string per row;
    /// - struct: a group; a 1×1 struct holds one child per field, a struct array holds children
    ///   "1", "2", … (elements in C order), each a group of fields;
    /// - cell: a group with children "1", "2", … (elements in C order);
    /// - sparse: a group with `data`, `ir` (row indices) and `jc` (column starts), as MATLAB v7.3 stores it;
    /// - other classes (function handles, objects we cannot decode): an empty group with `@MATLAB_class`
    ///   and a `@note`.
    static func writeMATAsHDF5(input: URL, output: URL) throws -> String {
        let mat = try MATFile(url: input)
        let command = (["neuroswift"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try HDF5File.writeAtomically(to: output) { (file: HDF5File) -> Void in
            try ExportProvenance(command: command, inputs: [input]).write(to: file)
            for name in mat.names { if let v = mat[name] { try writeMAT(v, name: name, in: file.root) } }
        }
        return "wrote \(output.lastPathComponent): \(mat.names.count) variables"
    }

    static func writeMAT(_ value: MATValue, name: String, in parent: HDF5Group) throws {
        let shape = value.shape
        switch value {
        case .numeric(let a), .logical(let a):
            let className = value.isLogical ? "logical" : matlabClass(a.elementType)
            if a.elementType.isComplex {
                let g = try parent.createGroup(name)
                try g.createDataset("real", shape: a.shape, values: a.doubles)
                try g.createDataset("imag", shape: a.shape, values: a.imaginaryDoubles)
                try tag(g, className, shape)
            } else {
                try tag(try writeNumeric(a, name: name, in: parent), className, shape)
            }
        case .char(let c):
            try tag(try parent.createStringDataset(name, values: c.rows, shape: [c.rows.count]), "char", shape)
        case .structure(let s):
            let g = try parent.createGroup(name)
            try tag(g, s.className ?? "struct", shape)
            if s.count == 1 {
                for f in s.fieldNames { if let v = s.value(field: f) { try writeMAT(v, name: f, in: g) } }
            } else {
                for i in 0..<s.count {
                    let element = try g.createGroup("\(i + 1)")
                    for (f, v) in s.element(i).sorted(by: { $0.key < $1.key }) { try writeMAT(v, name: f, in: element) }
                }
            }
        case .cell(let c):
            let g = try parent.createGroup(name)
            try tag(g, "cell", shape)
            for (i, e) in c.elements.enumerated() { try writeMAT(e, name: "\(i + 1)", in: g) }
        case .sparse(let s):
            let g = try parent.createGroup(name)
            try tag(g, s.isLogical ? "logical" : "double", shape)
            try g.setAttribute("MATLAB_sparse", Int64(s.rows))
            try g.createDataset("data", shape: [s.values.count], values: s.values)
            try g.createDataset("ir", shape: [s.rowIndices.count], values: s.rowIndices.map(Int64.init))
            try g.createDataset("jc", shape: [s.columnStarts.count], values: s.columnStarts.map(Int64.init))
        case .unsupported(let className):
            let g = try parent.createGroup(name)
            try g.setAttribute("MATLAB_class", className)
            try g.setAttribute("note", "a MATLAB \(className) value, which NeuroSwift does not decode")
        }
    }

    static func tag(_ object: some HDF5AttributeHolder, _ className: String, _ shape: [Int]) throws {
        try object.setAttribute("MATLAB_class", className)
        try object.setAttribute("matlab_shape", shape.map(Int64.init))
    }

    static func writeNumeric(_ a: NumericArray, name: String, in g: HDF5Group) throws -> HDF5Dataset {
        switch a.elementType {
        case .bool: return try g.createDataset(name, shape: a.shape, values: a.doubles.map { UInt8($0 != 0 ? 1 : 0) })
        case .int8: return try g.createDataset(name, shape: a.shape, values: a.values(as: Int8.self)!)
        case .uint8: return try g.createDataset(name, shape: a.shape, values: a.values(as: UInt8.self)!)
        case .int16: return try g.createDataset(name, shape: a.shape, values: a.values(as: Int16.self)!)
        case .uint16: return try g.createDataset(name, shape: a.shape, values: a.values(as: UInt16.self)!)
        case .int32: return try g.createDataset(name, shape: a.shape, values: a.values(as: Int32.self)!)
        case .uint32: return try g.createDataset(name, shape: a.shape, values: a.values(as: UInt32.self)!)
        case .int64: return try g.createDataset(name, shape: a.shape, values: a.values(as: Int64.self)!)
        case .uint64: return try g.createDataset(name, shape: a.shape, values: a.values(as: UInt64.self)!)
        case .float32, .float16: return try g.createDataset(name, shape: a.shape, values: a.floats)
        default: return try g.createDataset(name, shape: a.shape, values: a.doubles)
        }
    }

    static func matlabClass(_ t: NumericElementType) -> String {
        switch t {
        case .float64, .complex128: return "double"
        case .float32, .complex64, .float16: return "single"
        case .bool: return "logical"
        default: return t.rawValue
        }
    }
}

extension MATValue {
    var isLogical: Bool { if case .logical = self { return true } else { return false } }
}
