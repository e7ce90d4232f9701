import Foundation
import Testing
import TestSupport
@testable import Recording

@Suite struct EEGLABReaderTests {
    @Test(arguments: ["embedded", "external"])
    func fixturesMatchMNE(base: String) throws {
        let golden = try #require(EEGFormatGoldens.all?.eeglab_fixtures[base])
        let reader = try EEGLABReader(url: try EEGFormatGoldens.fixture("EEGLAB/\(base).set"))
        #expect((reader.dataURL != nil) == (base == "external"))
        EEGFormatGoldens.expectMatches(try reader.read(), golden, tolerance: 1e-12)
        #expect(reader.channels.allSatisfy { $0.originalUnit == "µV" })
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func tutorialFileMatchesMNE() throws {
        let golden = try #require(EEGFormatGoldens.all?.eeglab)
        let url = try #require(SharedData.file("eeg/eeglab-tutorial/test_raw.set"))
        let reader = try EEGLABReader(url: url)
        let series = try reader.read()
        EEGFormatGoldens.expectMatches(series, golden, tolerance: 1e-12)
        #expect(series.annotations.withLabel("square").count == 80)
        #expect(series.annotations.withLabel("rt").count == 74)
        // Lazy .fdt reads equal slices of the full read.
        let part = try reader.read(channels: ["EEG 031", "EEG 002"], timeRange: 100 ..< 101.5)
        #expect(part == (try series.slice(seconds: 100 ..< 101.5).selecting(channels: ["EEG 031", "EEG 002"])))
        #expect(part.sampleCount == 192)
    }

    @Test func fdtGivenDirectlyNamesTheSet() throws {
        let url = try EEGFormatGoldens.fixture("EEGLAB/external.fdt")
        #expect(throws: RecordingError.notTheEntryFile(file: "external.fdt", role: "an EEGLAB data file", open: ".set file (external.set)")) {
            try EEGLABReader(url: url)
        }
    }

    @Test func missingOrShortFdtIsReported() throws {
        let folder = try TemporaryDirectory()
        let set = folder.file("renamed.set")
        try FileManager.default.copyItem(at: try EEGFormatGoldens.fixture("EEGLAB/external.set"), to: set)
        #expect(throws: RecordingError.missingFile(file: "renamed.set", field: "EEG.data", path: folder.file("external.fdt").path)) {
            try EEGLABReader(url: set)
        }
        // The .fdt named like the .set is the fallback (renamed datasets); a short one is truncated.
        let fdt = try Data(contentsOf: try EEGFormatGoldens.fixture("EEGLAB/external.fdt"))
        try fdt.prefix(500).write(to: folder.file("renamed.fdt"))
        #expect(throws: RecordingError.truncated(
            file: "renamed.fdt", field: "2 channels × 64 float32 samples (EEG.nbchan × EEG.pnts)", expectedBytes: 512, foundBytes: 500)) {
            try EEGLABReader(url: set)
        }
        try fdt.write(to: folder.file("renamed.fdt"))
        #expect(try EEGLABReader(url: set).read().sampleCount == 64)
    }
}
