import Foundation
import Testing
@testable import Recording

/// VolumeSeries region extraction and per-run z-scoring, by closed forms.
@Suite struct NIfTIVolumeSeriesTests {
    /// 2×2×1 voxels, 4 volumes: voxel i at volume t has value 10·i + t.
    static let volume: VolumeSeries = {
        var voxels: [Float] = []
        for t in 0..<4 { for i in 0..<4 { voxels.append(Float(10 * i + t)) } }
        return try! VolumeSeries(voxels: voxels, spatialShape: [2, 2, 1], voxelSize: [2, 2, 2], repetitionTime: 2)
    }()

    @Test func indexingAndVoxelTimeSeries() {
        let v = Self.volume
        #expect(v.shape == [2, 2, 1, 4] && v.voxelsPerVolume == 4)
        #expect(v[1, 1, 0, 2] == 32)
        #expect(v.timeSeries(x: 0, y: 1, z: 0) == [20, 21, 22, 23])
        #expect(v.worldCoordinates(x: 1, y: 1, z: 0) == [2, 2, 0])
    }

    @Test func maskAndAtlasMeans() throws {
        let v = Self.volume
        let masked = try v.regionTimeSeries(mask: [true, false, false, true])
        #expect(Array(masked.region(0)) == [15, 16, 17, 18])
        let atlas = try v.regionTimeSeries(atlas: [7, 3, 3, 0])
        #expect(atlas.labels == [3, 7] && atlas.voxelCounts == [2, 1])
        #expect(Array(atlas.region(0)) == [15, 16, 17, 18] && Array(atlas.region(1)) == [0, 1, 2, 3])
        #expect(throws: RecordingError.self) { try v.regionTimeSeries(atlas: [0, 0, 0, 0]) }
        #expect(throws: RecordingError.self) { try v.regionTimeSeries(mask: [true]) }
    }

    @Test func zScoringPerRun() throws {
        let z = try Self.volume.zScored(runs: [0..<2, 2..<4])
        // Each run of each voxel is (a, a+1): z = (−1, +1).
        for i in 0..<4 { #expect(z.timeSeries(x: i % 2, y: i / 2, z: 0) == [-1, 1, -1, 1]) }
        let whole = try Self.volume.zScored()
        let sd = (1.25 as Double).squareRoot()
        #expect(abs(Double(whole[0, 0, 0, 0]) + 1.5 / sd) < 1e-6)
        #expect(throws: RecordingError.self) { try Self.volume.zScored(runs: [0..<2, 3..<4]) }
        #expect(throws: RecordingError.self) { try Self.volume.zScored(runs: [0..<3]) }
        #expect(throws: RecordingError.self) { try VolumeSeries(voxels: [1, 2, 3], spatialShape: [2, 1, 1]) }
    }
}
