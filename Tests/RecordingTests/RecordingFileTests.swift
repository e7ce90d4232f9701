import Foundation
import Testing
import TestSupport
@testable import Recording

@Suite struct RecordingFileTests {
    @Test func opensEachFormatByContentAndExtension() throws {
        let folder = try TemporaryDirectory()
        let series = try ReaderConformanceTests.synthetic()
        let edf = folder.file("a.edf"), h5 = folder.file("a.h5")
        try EDFWriter.write(series, to: edf)
        try TimeSeriesHDF5.write(series, to: h5, provenance: ExportProvenance(command: "test"))
        #expect(try RecordingFile.format(of: edf) == .edf)
        #expect(try RecordingFile.format(of: h5) == .hdf5)
        #expect(try RecordingFile.open(h5) == series)
        // Content wins over a misleading extension.
        let renamed = folder.file("a.dat")
        try FileManager.default.copyItem(at: edf, to: renamed)
        #expect(try RecordingFile.format(of: renamed) == .edf)
        let vhdr = try EEGFormatGoldens.fixture("BrainVision/int16_mux.vhdr")
        #expect(try RecordingFile.format(of: vhdr) == .brainVision)
        #expect(try RecordingFile.open(vhdr) == (try BrainVisionReader(url: vhdr).read()))
        let set = try EEGFormatGoldens.fixture("EEGLAB/embedded.set")
        #expect(try RecordingFile.format(of: set) == .eeglab)
        #expect(try RecordingFile.open(set) == (try EEGLABReader(url: set).read()))
        let csv = folder.file("s.csv")
        try Data("timestamps,A,Marker\n0,1,0\n0.5,2,1\n1,3,0\n".utf8).write(to: csv)
        #expect(try RecordingFile.format(of: csv) == .csv)
        #expect(try RecordingFile.open(csv).annotations.count == 1)
    }

    @Test func companionFilesPointToTheEntryFile() throws {
        let cases: [(String, String)] = [
            ("BrainVision/int16_mux.vmrk", "int16_mux.vmrk is a BrainVision marker file: open the .vhdr header (int16_mux.vhdr)"),
            ("BrainVision/int16_mux.eeg", "int16_mux.eeg is a BrainVision data file: open the .vhdr header (int16_mux.vhdr)"),
            ("EEGLAB/external.fdt", "external.fdt is an EEGLAB data file: open the .set file (external.set)"),
        ]
        for (path, message) in cases {
            let url = try EEGFormatGoldens.fixture(path)
            do {
                _ = try RecordingFile.open(url)
                Issue.record("\(path) opened")
            } catch let error as RecordingError {
                #expect(error.description == message)
            }
        }
        // A marker file renamed to another extension is still recognised by its first line.
        let folder = try TemporaryDirectory()
        let renamed = folder.file("markers.txt")
        try FileManager.default.copyItem(at: try EEGFormatGoldens.fixture("BrainVision/int16_mux.vmrk"), to: renamed)
        #expect(throws: RecordingError.notTheEntryFile(file: "markers.txt", role: "a BrainVision marker file", open: ".vhdr header (markers.vhdr)")) {
            try RecordingFile.open(renamed)
        }
    }

    @Test func unknownAndBrokenFilesSayWhy() throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("notes.xyz")
        try Data("hello".utf8).write(to: text)
        do {
            _ = try RecordingFile.open(text)
            Issue.record("opened")
        } catch let error as RecordingError {
            #expect(error.description == "notes.xyz: not a recording this library reads (unknown extension .xyz); supported: "
                + ".edf, .bdf, .vhdr, .set, .csv, .h5, .hdf5")
        }
        let fakeH5 = folder.file("fake.h5")
        try Data("not hdf5".utf8).write(to: fakeH5)
        #expect(throws: RecordingError.invalidField(file: "fake.h5", field: "signature", expected: "the HDF5 signature", found: "none (truncated or not HDF5)")) {
            try RecordingFile.open(fakeH5)
        }
        let fakeEDF = folder.file("fake.edf")
        try Data("1       rest".utf8).write(to: fakeEDF)
        #expect(throws: RecordingError.self) { try RecordingFile.open(fakeEDF) }
        #expect(throws: RecordingError.self) { try RecordingFile.open(folder.file("absent.edf")) }
        #expect(throws: RecordingError.unknownFormat(file: folder.url.lastPathComponent, detail: "it is a folder", supported: RecordingFile.supportedExtensions)) {
            try RecordingFile.open(folder.url)
        }
        // An HDF5 file of another layout.
        let other = folder.file("other.h5")
        try HDF5File.writeAtomically(to: other) { file in _ = try file.root.createDataset("x", shape: [2], values: [1.0, 2.0]) }
        do {
            _ = try RecordingFile.open(other)
            Issue.record("opened")
        } catch let error as RecordingError {
            #expect(error.description.contains("/timeseries/data"))
        }
    }
}
