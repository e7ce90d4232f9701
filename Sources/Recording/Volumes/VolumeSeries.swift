import Foundation

/// A 4-D image time series (fMRI): x·y·z voxels × t volumes.
///
/// **Storage.** `voxels` is `[Float]` in NIfTI order, x fastest: voxel (x, y, z) of volume t is at
/// `x + nx·(y + ny·(z + nz·t))`. Keeping the file's order makes reading a copy (plus scaling), and
/// each volume is contiguous, which is what region extraction and z-scoring walk. Float because
/// scanners store int16 and every NIfTI datatype this matters for fits in Float's mantissa after
/// `scl_slope/inter` scaling to within float rounding.
///
/// `affine` maps voxel indices (x, y, z, 1) to world coordinates, row-major 4×4, in the header's
/// spatial unit (millimetres for practically every file). `voxelSize` is in millimetres and
/// `repetitionTime` in seconds (converted from the header's units when they are declared).
public struct VolumeSeries: Sendable, Hashable {
    /// (nx, ny, nz).
    public let spatialShape: [Int]
    public let volumeCount: Int
    public let voxels: [Float]
    public let voxelSize: [Double]
    public let repetitionTime: Double?
    public let affine: [Double]

    public init(
        voxels: [Float], spatialShape: [Int], voxelSize: [Double] = [1, 1, 1],
        repetitionTime: Double? = nil, affine: [Double]? = nil
    ) throws {
        guard spatialShape.count == 3, spatialShape.allSatisfy({ $0 > 0 }) else {
            throw RecordingError.invalidValue(type: "VolumeSeries", field: "spatialShape", expected: "three extents > 0", found: "\(spatialShape)")
        }
        let (perVolume, overflow) = spatialShape[0].multipliedReportingOverflow(by: spatialShape[1] &* spatialShape[2])
        guard !overflow, voxels.count % perVolume == 0, !voxels.isEmpty else {
            throw RecordingError.invalidValue(
                type: "VolumeSeries", field: "voxels", expected: "a non-zero multiple of \(spatialShape.map(String.init).joined(separator: "×")) voxels",
                found: "\(voxels.count)")
        }
        guard voxelSize.count == 3, voxelSize.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw RecordingError.invalidValue(type: "VolumeSeries", field: "voxelSize", expected: "three finite sizes > 0", found: "\(voxelSize)")
        }
        if let tr = repetitionTime, !(tr.isFinite && tr > 0) {
            throw RecordingError.invalidValue(type: "VolumeSeries", field: "repetitionTime", expected: "a finite TR > 0 s", found: "\(tr)")
        }
        let matrix = affine ?? [voxelSize[0], 0, 0, 0, 0, voxelSize[1], 0, 0, 0, 0, voxelSize[2], 0, 0, 0, 0, 1]
        guard matrix.count == 16, matrix.allSatisfy(\.isFinite) else {
            throw RecordingError.invalidValue(type: "VolumeSeries", field: "affine", expected: "16 finite values (4×4, row-major)", found: "\(matrix.count) values")
        }
        self.spatialShape = spatialShape
        self.volumeCount = voxels.count / perVolume
        self.voxels = voxels
        self.voxelSize = voxelSize
        self.repetitionTime = repetitionTime
        self.affine = matrix
    }

    /// Voxels per volume.
    public var voxelsPerVolume: Int { spatialShape[0] * spatialShape[1] * spatialShape[2] }
    /// (nx, ny, nz, nt).
    public var shape: [Int] { spatialShape + [volumeCount] }

    /// Linear index of a voxel within one volume.
    @inline(__always)
    public func spatialIndex(x: Int, y: Int, z: Int) -> Int { x + spatialShape[0] * (y + spatialShape[1] * z) }

    public subscript(x: Int, y: Int, z: Int, t: Int) -> Float {
        voxels[spatialIndex(x: x, y: y, z: z) + voxelsPerVolume * t]
    }

    /// The time course of one voxel.
    public func timeSeries(x: Int, y: Int, z: Int) -> [Float] {
        let v = spatialIndex(x: x, y: y, z: z), n = voxelsPerVolume
        return (0..<volumeCount).map { voxels[v &+ n &* $0] }
    }

    /// World coordinates (affine × (x, y, z, 1)) of a voxel.
    public func worldCoordinates(x: Double, y: Double, z: Double) -> [Double] {
        (0..<3).map { r in affine[4 * r] * x + affine[4 * r + 1] * y + affine[4 * r + 2] * z + affine[4 * r + 3] }
    }
}
