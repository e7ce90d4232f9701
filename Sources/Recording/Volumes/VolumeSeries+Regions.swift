import Foundation

/// Region time series extracted from a `VolumeSeries`: regions × volumes.
public struct RegionTimeSeries: Sendable, Hashable {
    /// Atlas labels (or `[1]` for a single mask), one per row.
    public let labels: [Int]
    /// Voxels averaged in each region.
    public let voxelCounts: [Int]
    public let volumeCount: Int
    /// Row-major regions × volumes, the mean over each region's voxels (Double accumulations).
    public let values: [Double]

    public func region(_ r: Int) -> ArraySlice<Double> { values[(r * volumeCount)..<((r + 1) * volumeCount)] }
    public func matrix() -> Matrix<Double> { Matrix(rows: labels.count, columns: volumeCount, elements: values) }
}

extension VolumeSeries {
    /// The mean time series of the voxels where `mask` is true (`mask` in the volume's x-fastest
    /// order, `voxelsPerVolume` entries).
    public func regionTimeSeries(mask: [Bool]) throws -> RegionTimeSeries {
        guard mask.count == voxelsPerVolume else {
            throw RecordingError.invalidValue(type: "VolumeSeries", field: "mask", expected: "\(voxelsPerVolume) voxels", found: "\(mask.count)")
        }
        return try regionTimeSeries(atlas: mask.map { $0 ? 1 : 0 })
    }

    /// One mean time series per non-zero label of `atlas` (x-fastest, `voxelsPerVolume` labels;
    /// 0 is background), rows in ascending label order.
    public func regionTimeSeries(atlas: [Int]) throws -> RegionTimeSeries {
        guard atlas.count == voxelsPerVolume else {
            throw RecordingError.invalidValue(type: "VolumeSeries", field: "atlas", expected: "\(voxelsPerVolume) voxels", found: "\(atlas.count)")
        }
        let labels = Array(Set(atlas.filter { $0 != 0 })).sorted()
        guard !labels.isEmpty else {
            throw RecordingError.invalidValue(type: "VolumeSeries", field: "atlas", expected: "at least one labelled voxel", found: "only background (0)")
        }
        var row = [Int: Int]()
        for (i, l) in labels.enumerated() { row[l] = i }
        let rowOf = atlas.map { $0 == 0 ? -1 : row[$0]! }
        var counts = [Int](repeating: 0, count: labels.count)
        for r in rowOf where r >= 0 { counts[r] += 1 }
        let n = voxelsPerVolume, t = volumeCount
        var sums = [Double](repeating: 0, count: labels.count * t)
        voxels.withUnsafeBufferPointer { v in
            rowOf.withUnsafeBufferPointer { rows in
                sums.withUnsafeMutableBufferPointer { out in
                    for k in 0..<t {
                        let base = k &* n
                        for i in 0..<n {
                            let r = rows[i]
                            if r >= 0 { out[r &* t &+ k] += Double(v[base &+ i]) }
                        }
                    }
                }
            }
        }
        for r in 0..<labels.count {
            let c = Double(counts[r])
            for k in 0..<t { sums[r * t + k] /= c }
        }
        return RegionTimeSeries(labels: labels, voxelCounts: counts, volumeCount: t, values: sums)
    }

    /// Z-scores every voxel's time course within each run: `(v − mean) / sd` over the run's volumes,
    /// with the population standard deviation (ddof = 0, as `scipy.stats.zscore`); a voxel constant
    /// within a run becomes 0 there. `runs` must partition `0..<volumeCount` into contiguous ranges in
    /// order; nil means one run.
    public func zScored(runs: [Range<Int>]? = nil) throws -> VolumeSeries {
        let parts = runs ?? [0..<volumeCount]
        var expected = 0
        for r in parts {
            guard r.lowerBound == expected, !r.isEmpty else {
                throw RecordingError.invalidValue(
                    type: "VolumeSeries", field: "runs", expected: "non-empty contiguous ranges covering 0..<\(volumeCount)",
                    found: "\(parts)")
            }
            expected = r.upperBound
        }
        guard expected == volumeCount else {
            throw RecordingError.invalidValue(
                type: "VolumeSeries", field: "runs", expected: "ranges covering 0..<\(volumeCount)", found: "\(parts)")
        }
        let n = voxelsPerVolume
        var out = voxels
        var mean = [Double](repeating: 0, count: n), square = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { v in
            for run in parts {
                for i in 0..<n { mean[i] = 0; square[i] = 0 }
                for k in run { let b = k &* n; for i in 0..<n { mean[i] += Double(v[b &+ i]) } }
                let m = Double(run.count)
                for i in 0..<n { mean[i] /= m }
                for k in run {
                    let b = k &* n
                    for i in 0..<n { let d = Double(v[b &+ i]) - mean[i]; square[i] += d * d }
                }
                for i in 0..<n { square[i] = (square[i] / m).squareRoot() }
                for k in run {
                    let b = k &* n
                    for i in 0..<n {
                        let sd = square[i]
                        v[b &+ i] = sd > 0 ? Float((Double(v[b &+ i]) - mean[i]) / sd) : 0
                    }
                }
            }
        }
        return try VolumeSeries(voxels: out, spatialShape: spatialShape, voxelSize: voxelSize, repetitionTime: repetitionTime, affine: affine)
    }
}
