import Foundation
import Testing
import TestSupport
@testable import Recording

@Suite struct BrainVisionReaderTests {
    static let fixtures = ["float32_mux", "int16_mux", "int32_vec", "int32_mux"]

    @Test(arguments: fixtures)
    func matchesMNE(base: String) throws {
        let golden = try #require(EEGFormatGoldens.all?.brainvision[base])
        let reader = try BrainVisionReader(url: try EEGFormatGoldens.fixture("BrainVision/\(base).vhdr"))
        let series = try reader.read()
        // MNE computes in Double; the reader rounds to Float (relative 6e-8), so allow 1 pV absolute.
        EEGFormatGoldens.expectMatches(series, golden, tolerance: 1e-12)
        for (channel, type) in zip(series.channels, golden.types) {
            #expect((channel.kind == .misc) == (type == "misc"), "\(channel.name): \(channel.kind) vs MNE \(type)")
        }
    }

    @Test func formatsOrientationsAndUnitsAreRead() throws {
        let float32 = try BrainVisionReader(url: try EEGFormatGoldens.fixture("BrainVision/float32_mux.vhdr"))
        #expect(float32.header.binaryFormat == .float32 && float32.header.orientation == .multiplexed)
        #expect(float32.channels.map(\.originalUnit) == ["µV", "µV", "mV", "°C"])
        #expect(float32.scales[2] == 0.01 * 1e-3 && float32.scales[3] == 1)
        let vectorized = try BrainVisionReader(url: try EEGFormatGoldens.fixture("BrainVision/int32_vec.vhdr"))
        #expect(vectorized.header.binaryFormat == .int32 && vectorized.header.orientation == .vectorized)
        #expect(vectorized.header.declaredDataPoints == 160)
        #expect(vectorized.samplingRate == 256)
        // The raw markers keep their type, description, position, size and channel.
        #expect(vectorized.markers.count == 5)
        #expect(vectorized.markers[2] == BrainVisionMarker(type: "Response", description: "R, 2", position: 40, size: 0, channel: 2, date: nil))
        // INT_32 extremes decode without overflow: 2147483647 × 2 nV.
        let series = try vectorized.read(channels: ["C4"], timeRange: 0 ..< 0.01)
        #expect(abs(Double(series[0, 1]) / (2_147_483_647 * 2e-9) - 1) < 1e-7)
    }

    @Test func multiplexedAndVectorizedHoldTheSameSamples() throws {
        let a = try BrainVisionReader(url: try EEGFormatGoldens.fixture("BrainVision/int32_vec.vhdr"))
        let b = try BrainVisionReader(url: try EEGFormatGoldens.fixture("BrainVision/int32_mux.vhdr"))
        // The two files were written from different random draws; each equals its golden, and lazy
        // reads of either equal slices of its eager read.
        for reader in [a, b] {
            let all = try reader.read()
            let part = try reader.read(channels: ["Trig", "C3,A1"], timeRange: 0.1 ..< 0.4)
            #expect(part == (try all.slice(seconds: 0.1 ..< 0.4).selecting(channels: ["Trig", "C3,A1"])))
        }
    }

    @Test func markerOrDataFileGivenDirectlyNamesTheHeader() throws {
        for ext in ["vmrk", "eeg"] {
            let url = try EEGFormatGoldens.fixture("BrainVision/int16_mux.\(ext)")
            #expect(throws: RecordingError.self) { try BrainVisionReader(url: url) }
            do {
                _ = try BrainVisionReader(url: url)
            } catch let error as RecordingError {
                #expect(error.description.contains("open the .vhdr header (int16_mux.vhdr)"), "\(error)")
            }
        }
    }

    @Test func missingDataOrMarkerFileIsNamed() throws {
        let folder = try TemporaryDirectory()
        let header = try String(contentsOf: try EEGFormatGoldens.fixture("BrainVision/int16_mux.vhdr"), encoding: .utf8)
        let vhdr = folder.file("copy.vhdr")
        try header.write(to: vhdr, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError.missingFile(file: "copy.vhdr", field: "DataFile", path: folder.file("int16_mux.eeg").path)) {
            try BrainVisionReader(url: vhdr)
        }
        try FileManager.default.copyItem(at: try EEGFormatGoldens.fixture("BrainVision/int16_mux.eeg"), to: folder.file("int16_mux.eeg"))
        #expect(throws: RecordingError.missingFile(file: "copy.vhdr", field: "MarkerFile", path: folder.file("int16_mux.vmrk").path)) {
            try BrainVisionReader(url: vhdr)
        }
        // A stale MarkerFile name falls back to the header's sibling .vmrk.
        try FileManager.default.copyItem(at: try EEGFormatGoldens.fixture("BrainVision/int16_mux.vmrk"), to: folder.file("copy.vmrk"))
        #expect(try BrainVisionReader(url: vhdr).annotations.count == 3)
    }
}
