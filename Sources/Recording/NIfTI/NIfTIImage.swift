import Foundation

/// One header extension (code and payload), kept so that writing preserves it.
public struct NIfTIExtension: Sendable, Hashable {
    /// `ecode` (e.g. 6 = comment, 4 = AFNI).
    public let code: Int
    /// The payload, padded with zeros to a multiple of 16 bytes minus 8 when written.
    public let content: [UInt8]

    public init(code: Int, content: [UInt8]) {
        self.code = code
        self.content = content
    }
}

/// A NIfTI image: the header, the extensions and the voxels as stored.
///
/// `data` keeps the stored type unscaled (int16 stays int16) with shape `dimensions` reversed, plus a
/// trailing component axis for RGB types: C order over the reversed shape is exactly NIfTI's
/// x-fastest order, so the bytes are the file's bytes (in native order). `scaledFloats()` and
/// `volumeSeries()` apply `scl_slope/inter`.
public struct NIfTIImage: Sendable, Hashable {
    public var header: NIfTIHeader
    public let data: NumericArray
    public var extensions: [NIfTIExtension]

    /// Pairs a header with data; the data's shape and element type must match the header's
    /// dimensions and datatype.
    public init(header: NIfTIHeader, data: NumericArray, extensions: [NIfTIExtension] = []) throws {
        let expected = header.dimensions.reversed() + (header.datatype.components > 1 ? [header.datatype.components] : [])
        guard data.shape == expected, data.elementType == header.datatype.elementType else {
            throw ArrayFileError.invalidField(
                file: "NIfTI image", field: "data",
                expected: "shape \(expected) of \(header.datatype.elementType.map { "\($0)" } ?? "?")",
                found: "shape \(data.shape) of \(data.elementType)")
        }
        self.header = header
        self.data = data
        self.extensions = extensions
    }

    /// A float32 image of a volume series: pixdim from its voxel size and TR, units mm and seconds,
    /// its affine as the sform (code 2, the qform left unset), and the first three pixdims matching
    /// the affine's column norms only if the caller made them so (they are taken from `voxelSize`).
    public init(volume: VolumeSeries, version: Int = 1) {
        var h = NIfTIHeader(dimensions: volume.shape, datatype: .float32, version: version)
        h.pixdim = [1] + volume.voxelSize + [volume.repetitionTime ?? 0, 0, 0, 0]
        h.units = NIfTIUnits(space: .millimeter, time: .second)
        h.setSform(volume.affine)
        let data = NumericArray(shape: volume.shape.reversed(), values: volume.voxels)
        try! self.init(header: h, data: data)
    }

    public var dimensions: [Int] { header.dimensions }

    /// Voxel values with `scl_slope/inter` applied, as Float in x-fastest order (nibabel's
    /// `get_fdata()` computes the same in float64). RGB and complex data throw.
    public func scaledFloats(file: String = "NIfTI") throws -> [Float] {
        guard header.datatype.components == 1, !data.elementType.isComplex else {
            throw ArrayFileError.wrongKind(name: file, expected: "real scalar voxels", found: "datatype \(header.datatype)")
        }
        guard let (slope, intercept) = header.scaling else { return data.floats }
        guard intercept.isFinite else {
            throw ArrayFileError.invalidField(file: file, field: "scl_inter", expected: "a finite intercept with a valid slope", found: "\(intercept)")
        }
        if data.elementType == .float64 || data.elementType == .int64 || data.elementType == .uint64 {
            return data.doubles.map { Float($0 * slope + intercept) }
        }
        let s = Float(slope), b = Float(intercept)
        if s == 1, b == 0 { return data.floats }
        var values = data.floats
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] = v[i] * s + b }
        }
        return values
    }

    /// The image as a `VolumeSeries`: 3-D images are one volume; a 4-D image's fourth axis is time;
    /// ranks above 4 and RGB/complex data throw. Voxel sizes and TR are converted to mm and seconds
    /// from `xyzt_units`; zero voxel sizes (unset pixdim) are taken as 1 mm.
    public func volumeSeries(file: String = "NIfTI") throws -> VolumeSeries {
        let dims = header.dimensions
        guard dims.count <= 4 || dims[4...].allSatisfy({ $0 == 1 }) else {
            throw ArrayFileError.wrongKind(name: file, expected: "a 1-D to 4-D image", found: "dimensions \(dims)")
        }
        guard dims.allSatisfy({ $0 > 0 }) else {
            throw ArrayFileError.wrongKind(name: file, expected: "a non-empty image", found: "dimensions \(dims)")
        }
        let spatial = (0..<3).map { $0 < dims.count ? dims[$0] : 1 }
        let mm = header.units.millimetersPerUnit
        let sizes = (0..<3).map { i -> Double in
            let p = i < dims.count ? abs(header.pixdim[i + 1]) : 1
            return p.isFinite && p > 0 ? p * mm : 1
        }
        var tr: Double? = nil
        if dims.count >= 4, let scale = header.units.secondsPerUnit {
            let p = header.pixdim[4] * scale
            if p.isFinite && p > 0 { tr = p }
        }
        return try VolumeSeries(
            voxels: scaledFloats(file: file), spatialShape: spatial, voxelSize: sizes,
            repetitionTime: tr, affine: header.bestAffine(file: file))
    }
}
