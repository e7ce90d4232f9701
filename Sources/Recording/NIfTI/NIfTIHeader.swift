import Foundation

/// A NIfTI-1 or NIfTI-2 header with every field, widened to Int/Double so both versions share one
/// type. NIfTI-1's float32 fields convert to Double exactly and back again on writing, so a header
/// read and written in the same version is bit-identical in the fields this type keeps. (NIfTI-1's
/// unused Analyze fields `data_type`, `db_name`, `extents`, `session_error`, `glmax/glmin` are
/// written as zeros, as nibabel does.)
public struct NIfTIHeader: Sendable, Hashable {
    /// 1 or 2.
    public var version: Int
    /// `dim[0]` = rank (1…7), then the extents: `dimensions` holds `dim[1...dim[0]]`.
    public var dimensions: [Int]
    public var datatype: NIfTIDatatype
    public var intentParameters: [Double] = [0, 0, 0]
    public var intentCode: Int = 0
    public var intentName: String = ""
    /// `pixdim[0...7]`: pixdim[0] is qfac (±1), pixdim[1...3] voxel sizes, pixdim[4] the TR.
    public var pixdim: [Double]
    /// Byte offset of the data (in the `.nii`, or in the `.img` of a pair).
    public var voxOffset: Int
    public var sclSlope: Double = 0
    public var sclInter: Double = 0
    public var sliceStart: Int = 0
    public var sliceEnd: Int = 0
    public var sliceCode: Int = 0
    public var sliceDuration: Double = 0
    public var dimInfo: Int = 0
    public var units: NIfTIUnits = NIfTIUnits(space: .unknown, time: .unknown)
    public var calMax: Double = 0
    public var calMin: Double = 0
    public var toffset: Double = 0
    public var descrip: String = ""
    public var auxFile: String = ""
    public var qformCode: Int = 0
    public var sformCode: Int = 0
    /// quatern_b, quatern_c, quatern_d.
    public var quaternion: [Double] = [0, 0, 0]
    /// qoffset_x, qoffset_y, qoffset_z.
    public var qoffset: [Double] = [0, 0, 0]
    /// srow_x, srow_y, srow_z: the first three rows of the sform affine, row-major.
    public var srow: [Double] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    /// True when the header was stored big-endian (the data then is too).
    public var isBigEndian: Bool = false
    /// True for a single `.nii` file (`n+1`/`n+2`), false for an `.hdr/.img` pair (`ni1`/`ni2`).
    public var isSingleFile: Bool = true

    /// A header for data of `dimensions` (x fastest) and `datatype`, with unit pixdim and no transform.
    public init(dimensions: [Int], datatype: NIfTIDatatype, version: Int = 1) {
        self.version = version
        self.dimensions = dimensions
        self.datatype = datatype
        self.pixdim = [1] + [Double](repeating: 1, count: 7)
        self.voxOffset = version == 2 ? 544 : 352
    }

    /// Size of the fixed header in bytes (348 or 540).
    public var headerSize: Int { version == 2 ? 540 : 348 }

    /// Number of voxels (product of the extents), nil on overflow.
    public var voxelCount: Int? { NumericArray.elementCount(dimensions) }

    /// Bytes of data the header declares, nil on overflow.
    public var dataByteCount: Int? {
        guard let n = voxelCount, let type = datatype.elementType else { return nil }
        let (b, o) = n.multipliedReportingOverflow(by: type.size * datatype.components)
        return o ? nil : b
    }

    /// `scl_slope`/`scl_inter` as nibabel applies them: nil when the slope is 0 or not finite
    /// (the data are used as stored).
    public var scaling: (slope: Double, intercept: Double)? {
        guard sclSlope != 0, sclSlope.isFinite else { return nil }
        return (sclSlope, sclInter)
    }
}
